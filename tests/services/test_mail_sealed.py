"""Links in outgoing email are stored encrypted: the stored bodies hold stand-ins, the message
sent holds the link, and a key that changed fails the email with a reason, never a wrong link."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.services import mail, mail_sealed
from questionnaire.services.context import Context
from questionnaire.store.db import Database
from questionnaire.store.models import Base, EmailStatus, OutgoingEmail
from questionnaire.worker import Worker
from tests.smtp import SmtpServer, via

from .test_mail import CUSTOMER

SECRET = "https://questionnaire.example.com/r/" + "S" * 43 + "/"
VALUES = {**CUSTOMER, "questionnaire_title": "Pre-discovery", "expires": "Friday",
          "engineer_name": "Eve", "engineer_email": "eve@loadbalancer.org"}  # fmt: skip


def queued(db: Session, context: Context) -> int:
    email = mail.queue(
        db, context, template="questionnaire_invite", to=["jo@acme.example"], values=VALUES,
        actor="eve@loadbalancer.org", sealed={"link": SECRET},
    )  # fmt: skip
    db.commit()
    return email.id


def test_the_database_holds_no_sealed_value_and_the_recipient_gets_it(
    db: Session, database: Database, services: Context, smtp_server: SmtpServer
) -> None:
    context = via(services, smtp_server)
    queued(db, context)
    with database.session() as session:
        for table in Base.metadata.sorted_tables:
            assert "S" * 43 not in repr(session.execute(select(table)).all()), table.name
    Worker(context, database, isolate=False).run_pending()
    [received] = smtp_server.received
    assert f"<{SECRET}>" in received.part("text/plain")
    assert f'href="{SECRET}"' in received.part("text/html")
    assert mail_sealed.STAND_IN not in received.data.decode()


def test_a_changed_secret_key_fails_the_email_with_the_reason(
    db: Session, database: Database, services: Context
) -> None:
    email_id = queued(db, services)
    rekeyed = replace(services.settings.mail, secret_key="another key")
    context = replace(services, settings=replace(services.settings, mail=rekeyed))
    Worker(context, database, isolate=False).run_pending()
    with database.session() as session:
        email = session.get(OutgoingEmail, email_id)
        assert email is not None and email.status is EmailStatus.FAILED
        assert "SECRET_KEY changed" in (email.last_error or "")


def test_the_outbox_page_shows_where_a_sealed_link_goes_not_the_link(
    db: Session, services: Context
) -> None:
    entry = mail.entry(db, queued(db, services))
    assert mail_sealed.HIDDEN in entry.text_shown and mail_sealed.HIDDEN in entry.html_shown
    assert SECRET not in entry.text_shown + entry.html_shown


def test_stand_ins_are_filled_whole_and_escaped_in_markup() -> None:
    text = f"{mail_sealed.stand_in('link')} {mail_sealed.stand_in('link_two')}"
    values = {"link": "https://x.example/?a=1&b=2", "link_two": "two"}
    assert mail_sealed.filled(text, values) == "https://x.example/?a=1&b=2 two"
    assert mail_sealed.filled(text, values, markup=True) == "https://x.example/?a=1&amp;b=2 two"
    with pytest.raises(ValueError, match="lowercase"):
        mail_sealed.stand_in("Link")
    with pytest.raises(mail_sealed.SealBroken):
        mail_sealed.seal(None, {"link": "x"})
    with pytest.raises(mail_sealed.SealBroken):
        mail_sealed.unseal("key", "not a sealed value")
