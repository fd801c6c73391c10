"""Where outgoing email goes: an SMTP server in production, or the outbox folder by default.

The worker's send job (``services/mail.py``) hands a transport a finished message and its
envelope; the transport says where it went, or raises :class:`DeliveryDeferred` (try again
later: the server is unreachable, busy, or answered 4xx) or :class:`DeliveryRefused` (trying
again cannot help: it answered 5xx, or the configuration is wrong).

- :class:`OutboxFolder` (``MAIL_TRANSPORT=outbox``, the default): no mail server needed. Each
  message is written as ``<outbox>/<name>.eml``, atomically (a temporary file, then a rename),
  so a reader never sees half a message, and a retry replaces the file instead of adding one.
- :class:`SmtpRelay` (``MAIL_TRANSPORT=smtp``): STARTTLS (``MAIL_SECURITY=starttls``, the
  default), TLS from the first byte (``tls``) or plain (``none``, for a relay on the same host),
  with ``MAIL_USERNAME`` and ``MAIL_PASSWORD`` when given. Certificates are verified.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from .settings import MailSettings

#: Seconds for each exchange with the SMTP server (connect, each command, the data).
SMTP_TIMEOUT = 30


class DeliveryDeferred(Exception):
    """The message could not be delivered now; it may be later (the job retries)."""


class DeliveryRefused(Exception):
    """The message will not be delivered by trying again (the email fails for good)."""


@dataclass(frozen=True)
class Envelope:
    """The SMTP envelope: who sends, and every address the message goes to."""

    sender: str
    recipients: tuple[str, ...]


class Transport(Protocol):
    def deliver(self, message: EmailMessage, envelope: Envelope, name: str) -> str:
        """Deliver ``message`` (``name`` is stable per email); say where it went."""
        ...


def transport_for(settings: MailSettings) -> Transport:
    if settings.transport == "smtp":
        return SmtpRelay(settings)
    return OutboxFolder(settings.outbox_dir)


# -- the outbox folder --------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxFolder:
    folder: Path

    def deliver(self, message: EmailMessage, envelope: Envelope, name: str) -> str:
        path = self.folder / f"{name}.eml"
        try:
            write_atomically(path, message.as_bytes())
        except OSError as exc:  # a full disk or a wrong permission may be fixed: try again
            raise DeliveryDeferred(f"the outbox folder could not be written: {exc}") from exc
        return f"written to {path}"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` holds either nothing, the old file, or all
    of ``data``: never part of it (a worker killed mid-write leaves only a temporary file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# -- SMTP -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpRelay:
    settings: MailSettings

    def deliver(self, message: EmailMessage, envelope: Envelope, name: str) -> str:
        where = f"{self.settings.host}:{self.settings.port}"
        try:
            refused = self._send(message, envelope)
        except smtplib.SMTPRecipientsRefused as exc:
            raise _by_code(_worst(exc.recipients), f"{where} refused every recipient") from exc
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, f"{where} answered {_reply(exc)}") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryRefused(f"{where} does not support what MAIL_SECURITY or MAIL_USERNAME "
                                  f"asks for: {exc}") from exc  # fmt: skip
        except (smtplib.SMTPException, OSError) as exc:  # refused, timed out, dropped, TLS
            raise DeliveryDeferred(f"{where} could not be reached: {exc}") from exc
        if refused:
            return f"accepted by {where}, except for {_refusals(refused)}"
        return f"accepted by {where}"

    def _send(self, message: EmailMessage, envelope: Envelope) -> dict[str, tuple[int, bytes]]:
        smtp = self._connect()
        try:
            if self.settings.username:
                smtp.login(self.settings.username, self.settings.password or "")
            refused = smtp.send_message(message, envelope.sender, list(envelope.recipients))
        except BaseException:
            smtp.close()
            raise
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()  # the message was accepted: how the server says goodbye is no failure
        return refused

    def _connect(self) -> smtplib.SMTP:
        settings, context = self.settings, ssl.create_default_context()
        if settings.security == "tls":
            return smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=SMTP_TIMEOUT, context=context
            )
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT)
        try:
            if settings.security == "starttls":
                smtp.starttls(context=context)  # no STARTTLS offered: refused, never plain
        except BaseException:
            smtp.close()
            raise
        return smtp


def _by_code(code: int, what: str) -> Exception:
    """4xx is "not now", anything else (5xx, or a reply that makes no sense) is "no"."""
    if 400 <= code < 500:
        return DeliveryDeferred(what)
    return DeliveryRefused(what)


def _worst(recipients: dict[str, tuple[int, bytes]]) -> int:
    """A temporary refusal of any recipient makes the whole try temporary: the message went
    to no one, so trying again later cannot send it twice."""
    codes = [code for code, _ in recipients.values()]
    return min((c for c in codes if 400 <= c < 500), default=max(codes, default=550))


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else ""
    return f"{exc.smtp_code} {text}".strip()


def _refusals(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(
        f"{address} ({code} {reply.decode('utf-8', 'replace')})"
        for address, (code, reply) in refused.items()
    )
