"""An outbox row as an email message: multipart text and HTML, attachments, safe headers.

Headers are set through :class:`email.message.EmailMessage` with :data:`email.policy.SMTP`,
which refuses a header value holding CR or LF; the values come from the row, where names and
subjects were made one line and addresses validated when the email was queued. Building the
message twice from one row gives the same message: its Date is when the email was queued, its
Message-ID the row's.
"""

from __future__ import annotations

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


def compose(
    email: OutgoingEmail,
    files: list[tuple[Attachment, bytes]],
    sealed: Mapping[str, str] | None = None,
) -> EmailMessage:
    """The message to send: the sealed values put in the bodies' stand-ins."""
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
