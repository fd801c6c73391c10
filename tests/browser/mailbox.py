"""Reading what the test SMTP server received, as the people it was sent to would.

A browser test waits for an email to arrive (the live server's worker sends it a moment after
the change that queued it), then follows a link in its plain-text part: links there read
``Link text <https://...>`` (``services/email_templates.py``).
"""

from __future__ import annotations

import re
import time
from collections import Counter

from tests.smtp import Received, SmtpServer

#: Sending is the worker's: a PDF to render first, then SMTP. Seconds, not minutes.
MAIL_TIMEOUT = 60.0


def subject(received: Received) -> str:
    """The subject as a mail client shows it: a long one is folded right after "Subject:", and
    Python's parser keeps the fold's space where clients drop it."""
    return str(received.message["Subject"]).strip()


def recipients(received: Received) -> list[str]:
    return list(received.rcpt_tos)


def wait_for(
    server: SmtpServer, subject_is: str, to: str, *, count: int = 1, timeout: float = MAIL_TIMEOUT
) -> Received:
    """The ``count``-th email with this subject to ``to`` (the newest), once it has arrived."""
    deadline = time.monotonic() + timeout
    while True:
        found = [r for r in list(server.received) if subject(r) == subject_is and to in r.rcpt_tos]
        if len(found) >= count:
            return found[count - 1]
        if time.monotonic() > deadline:
            arrived = [(subject(r), r.rcpt_tos) for r in server.received]
            raise AssertionError(f"no email {count} {subject_is!r} to {to}; arrived: {arrived}")
        time.sleep(0.05)


def arrived(server: SmtpServer, subject_starts: str, to: str) -> Received:
    """The newest email to ``to`` whose subject starts so (its end names a time or a figure),
    once it has arrived."""
    deadline = time.monotonic() + MAIL_TIMEOUT
    while True:
        found = [r for r in list(server.received)
                 if to in r.rcpt_tos and subject(r).startswith(subject_starts)]  # fmt: skip
        if found:
            return found[-1]
        assert time.monotonic() < deadline, f"no email {subject_starts!r} to {to}"
        time.sleep(0.05)


def link(received: Received, text: str) -> str:
    """The address of the link labelled ``text`` in the email's plain-text part."""
    body = received.part("text/plain")
    found = re.search(rf"{re.escape(text)} <(https?://[^>\s]+)>", body)
    assert found is not None, f"no link {text!r} in:\n{body}"
    return found.group(1)


def attachments(received: Received) -> dict[str, tuple[str, bytes]]:
    """The email's attachments: file name -> (media type, content)."""
    found = {}
    for part in received.message.iter_attachments():
        content = part.get_content()
        assert isinstance(content, bytes), part.get_content_type()
        found[str(part.get_filename())] = (part.get_content_type(), content)
    return found


def subjects_by_recipient(server: SmtpServer) -> Counter[tuple[str, str]]:
    """How many times each (subject, recipient) arrived."""
    return Counter((subject(r), to) for r in server.received for to in r.rcpt_tos)
