"""Secrets in outgoing email: the links that open a customer's questionnaire or SoW review.

The database holds only a hash of each link's token (security plan #2: a dump of it opens no
link). An email that carries a link must keep it until it is sent, and for "Send again", so a
use case passes such values to ``mail.queue`` as ``sealed``: the template renders a stand-in
for each (an address under the reserved ``.invalid`` domain, which Markdown and HTML keep as
written), the stored bodies hold the stand-ins, and the values are stored encrypted with a key
derived from ``SECRET_KEY`` (Fernet: AES with an HMAC, so a changed ciphertext is refused, not
misread). The worker puts the values in when it composes the message: every delivery of an
email is the same message. A dump without the key shows no link; the Outbox page shows where
one goes, not the link.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

STAND_IN = "https://sealed.invalid/"
_STAND_INS = re.compile(re.escape(STAND_IN) + r"([a-z][a-z0-9_]{0,40})\b")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,40}")
#: What the Outbox page shows in place of a sealed value.
HIDDEN = "[the link is sent only to the recipient]"
_CONTEXT = b"questionnaire: sealed values of outgoing email"


class SealBroken(ValueError):
    """The sealed values cannot be read (``SECRET_KEY`` changed since the email was queued)."""


def stand_in(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"a sealed value's name must be lowercase letters and _, not {name!r}")
    return STAND_IN + name


def seal(secret_key: str | None, values: Mapping[str, str]) -> str:
    for name in values:
        stand_in(name)
    return _fernet(secret_key).encrypt(json.dumps(dict(values)).encode()).decode("ascii")


def unseal(secret_key: str | None, sealed: str) -> dict[str, str]:
    try:
        values = json.loads(_fernet(secret_key).decrypt(sealed.encode("ascii")))
    except (InvalidToken, ValueError) as exc:
        raise SealBroken(
            "its link cannot be read: the SECRET_KEY changed since it was queued; send the "
            "link again from the engagement"
        ) from exc
    return {str(name): str(value) for name, value in values.items()}


def filled(text: str, values: Mapping[str, str], *, markup: bool = False) -> str:
    """``text`` with each stand-in replaced by its value (HTML-escaped in markup)."""

    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(1))
        if found is None:
            return match.group(0)
        return html.escape(found) if markup else found

    return _STAND_INS.sub(value, text)


def hidden(text: str) -> str:
    """``text`` as the Outbox page shows it: each stand-in said to be hidden."""
    return _STAND_INS.sub(HIDDEN, text)


def _fernet(secret_key: str | None) -> Fernet:
    if not secret_key:
        raise SealBroken("no SECRET_KEY is configured: an email with a link cannot be queued")
    derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=_CONTEXT).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))
