"""An outbox row as an email message: multipart text and HTML, attachments, safe headers.

An email may also carry a calendar invitation made for it (:class:`CalendarPart`, an ``.ics``
of a few kilobytes): it is kept in the row itself, not in storage, and goes the way Google
Calendar sends its own, which Outlook and Gmail both read as an invitation: a third
alternative ``text/calendar; method=REQUEST`` (or CANCEL) beside the text and HTML, and the
same file attached as ``application/ics``.

Headers are set through :class:`email.message.EmailMessage` with :data:`email.policy.SMTP`,
which refuses a header value holding CR or LF; the values come from the row, where names and
subjects were made one line and addresses validated when the email was queued. Building the
message twice from one row gives the same message: its Date is when the email was queued, its
Message-ID the row's.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from questionnaire.store.models import OutgoingEmail

from . import mail_sealed
from .email_templates import one_line
from .mail_transport import Envelope

_STORED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*")
#: The ``store`` of an attachment kept in the row (a calendar part), not in a folder.
INLINE = "inline"
#: An invitation is 1 to 3 kB; anything near this is not one, and would bloat the outbox.
MAX_INLINE_BYTES = 64 * 1024
CALENDAR_METHODS = ("REQUEST", "CANCEL")


@dataclass(frozen=True)
class Attachment:
    """A file in storage, attached as ``filename`` with its media type.

    ``store`` names the folder: ``"exports"`` (SoW exports) or ``"uploads"`` (customer files);
    ``stored_name`` is the file's name there (never a path).
    """

    store: str
    stored_name: str
    filename: str
    media_type: str

    def well_formed(self) -> bool:
        return bool(
            _STORED_NAME.fullmatch(self.stored_name)
            and ".." not in self.stored_name
            and _MEDIA_TYPE.fullmatch(self.media_type)
        )

    def cleaned(self) -> Attachment:
        """The name a customer gave a file, as a header may hold it: one line, no folders."""
        name = one_line(self.filename, 150).replace("/", "_").replace("\\", "_").strip(". ")
        return replace(self, filename=name or "attachment")


@dataclass(frozen=True)
class CalendarPart:
    """An invitation (``.ics``) made for one email, with its iTIP method."""

    content: bytes
    method: str
    filename: str = "invitation.ics"

    def stored(self) -> dict[str, str]:
        """As the row's ``attachments`` keep it (the Outbox page lists its name and type)."""
        if self.method not in CALENDAR_METHODS:
            raise ValueError(f"a calendar part's method is REQUEST or CANCEL, not {self.method!r}")
        if len(self.content) > MAX_INLINE_BYTES:
            raise ValueError(f"a calendar part is at most {MAX_INLINE_BYTES // 1024} kB")
        self.content.decode("utf-8")  # a text part: refused here if it is not UTF-8
        return {
            "store": INLINE, "filename": one_line(self.filename, 150), "media_type": "text/calendar",
            "method": self.method, "data": base64.b64encode(self.content).decode("ascii"),
        }  # fmt: skip

    @classmethod
    def from_stored(cls, stored: Mapping[str, str]) -> CalendarPart:
        try:
            content = base64.b64decode(stored["data"], validate=True)
        except (KeyError, binascii.Error) as exc:
            raise ValueError("the calendar part of this email is damaged") from exc
        return cls(
            content, stored.get("method", "REQUEST"), stored.get("filename", "invitation.ics")
        )


def calendar_parts(email: OutgoingEmail) -> list[CalendarPart]:
    return [CalendarPart.from_stored(a) for a in email.attachments if a.get("store") == INLINE]


def stored_files(email: OutgoingEmail) -> list[Attachment]:
    """The attachments that are files in storage (read when the email is sent)."""
    return [Attachment(**a) for a in email.attachments if a.get("store") != INLINE]


def compose(
    email: OutgoingEmail,
    files: list[tuple[Attachment, bytes]],
    sealed: Mapping[str, str] | None = None,
) -> EmailMessage:
    """The message to send: the sealed values put in the bodies' stand-ins, and the email's
    calendar parts as a third alternative and an attachment."""
    message = EmailMessage(policy=SMTP)
    message["Message-ID"] = email.message_id
    message["Date"] = format_datetime(email.created_at)
    message["From"] = email.sender
    message["To"] = ", ".join(mailbox(r["name"], r["address"]) for r in email.recipients)
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    message["Subject"] = email.subject
    message.set_content(mail_sealed.filled(email.text_body, sealed or {}))
    message.add_alternative(
        mail_sealed.filled(email.html_body, sealed or {}, markup=True), subtype="html"
    )
    for part in calendar_parts(email):
        text = part.content.decode("utf-8")
        message.add_alternative(text, subtype="calendar", params={"method": part.method})
    for part in calendar_parts(email):
        message.add_attachment(
            part.content, maintype="application", subtype="ics", filename=part.filename
        )
    for attachment, data in files:
        maintype, subtype = attachment.media_type.split("/")
        message.add_attachment(
            data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


def mailbox(name: str, address: str) -> str:
    """``"Name" <address>``, quoted and encoded as a header needs (or the bare address)."""
    local, _, domain = address.rpartition("@")
    return str(Address(display_name=name, username=local, domain=domain))


def envelope_of(message: EmailMessage) -> Envelope:
    """Who the server is told sends it, and to whom: the From and To addresses, no others."""
    sender = message["From"].addresses[0].addr_spec
    recipients = tuple(address.addr_spec for address in message["To"].addresses)
    return Envelope(sender, recipients)


def file_name(email: OutgoingEmail) -> str:
    """The email's name in the outbox folder: by time, then id; the same for every retry."""
    return f"{email.created_at:%Y%m%d-%H%M%S}-{email.id}"
