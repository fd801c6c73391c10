"""An outgoing email's bodies as the recipient gets them: its sealed links put in.

The stored bodies hold stand-ins for the links an email carries (``services/mail_sealed.py``);
tests that follow a link from an email read it from here, as the worker composes it.
"""

from __future__ import annotations

from questionnaire.services import mail, mail_sealed
from questionnaire.services.context import Context
from questionnaire.store.models import OutgoingEmail


def text_as_sent(context: Context, email: OutgoingEmail) -> str:
    return mail_sealed.filled(email.text_body, mail.sealed_values(context, email))


def html_as_sent(context: Context, email: OutgoingEmail) -> str:
    return mail_sealed.filled(email.html_body, mail.sealed_values(context, email), markup=True)
