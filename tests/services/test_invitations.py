"""Sending the questionnaire by email: the link, the invitation and its reminder in one
transaction; the reminder goes only while it is needed, once; a submission emails the customer
and the engineer in its own transaction."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from questionnaire.services import board, invitations, journey, links, reminders, submission
from questionnaire.services.context import Context
from questionnaire.services.invitation_state import panel
from questionnaire.services.sow_desk import NotFound
from questionnaire.store.db import Database
from questionnaire.store.models import (
    AuditEvent,
    Base,
    Engagement,
    Job,
    JobStatus,
    Link,
    OutgoingEmail,
    PipelineStage,
    utcnow,
)
from questionnaire.worker import Worker
from tests.sent_mail import html_as_sent, text_as_sent

from .factories import Factory, run_workers_at_once
from .test_board import engineer

SENDER = "sam.sender@loadbalancer.org"
LINK = re.compile(r"https://questionnaire\.example\.com/r/([A-Za-z0-9_-]{43})/")


def handed_over(db: Session, customer: str = "Acme Health", **contact: str | None) -> Engagement:
    """An engagement with its contact from the handover (no link yet)."""
    engagement = links.create_engagement(db, customer, "sales@loadbalancer.org", "PACS")
    engagement.contact_name = contact.get("name", "Jo Bloggs")
    engagement.contact_email = contact.get("email", "jo@acme.example")
    db.commit()
    return engagement


def form(**changes: object) -> invitations.SendForm:
    base = invitations.SendForm("Jo Bloggs", "jo@acme.example", "small", "14", True)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def send(db: Session, context: Context, engagement: Engagement, **changes: object) -> int:
    sent = invitations.send_questionnaire(db, context, engagement.id, form(**changes), SENDER)
    return sent.email_id


def emails(database: Database, template: str | None = None) -> list[OutgoingEmail]:
    with database.session() as session:
        statement = select(OutgoingEmail).order_by(OutgoingEmail.id)
        if template:
            statement = statement.where(OutgoingEmail.template == template)
        return list(session.scalars(statement))


def token_in(context: Context, email: OutgoingEmail) -> str:
    """The token of the link ``email`` carries, as its recipient gets it."""
    text = text_as_sent(context, email)
    match = LINK.search(text)
    assert match, text
    return match.group(1)


def reminder_job(database: Database) -> Job:
    with database.session() as session:
        return session.scalars(select(Job).where(Job.kind == reminders.REMIND_JOB)).one()


def make_reminders_due(database: Database) -> None:
    with database.session() as session:
        session.execute(
            update(Job)
            .where(Job.kind == reminders.REMIND_JOB)
            .values(run_after=utcnow() - timedelta(seconds=1))
        )
        session.commit()


def run(context: Context, database: Database) -> None:
    Worker(context, database, isolate=False).run_pending()


# -- sending ----------------------------------------------------------------------------------


def test_sending_issues_a_link_and_emails_it_with_what_the_definition_says(
    db: Session, database: Database, services: Context
) -> None:
    engagement = handed_over(db)
    before = datetime.now(UTC)
    sent = invitations.send_questionnaire(db, services, engagement.id, form(), SENDER)
    [email] = emails(database)
    assert email.template == "questionnaire_invite"
    assert email.recipients == [{"name": "Jo Bloggs", "address": "jo@acme.example"}]
    assert email.subject == "Small pre-discovery questionnaire: Acme Health"
    assert email.reply_to == SENDER  # no engineer assigned, no account: the sender's address
    text = email.text_body
    expires = datetime.combine(before.date() + timedelta(days=14), time(23, 59, 59), UTC)
    words = f"23:59 UTC on {expires:%A} {expires.day} {expires:%B %Y}"
    for expected in (
        "Dear Jo Bloggs,", "for PACS", "It takes about 5 minutes.", "- Your network diagram",
        f"The link works until {words}.", f"contact {SENDER} at {SENDER}",
    ):  # fmt: skip
        assert expected in text, expected
    token = token_in(services, email)
    opened = journey.open_link(db, services, token)  # the emailed link opens the questionnaire
    assert opened.link.engagement_id == engagement.id and opened.questionnaire.id == "small"
    assert abs(opened.link.expires_at - expires) < timedelta(seconds=5)
    assert (sent.to, sent.expires_at) == ("Jo Bloggs (jo@acme.example)", opened.link.expires_at)
    actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["link.issue", "mail.queued", "questionnaire.send"]


def test_sending_again_ends_the_link_sent_before(
    db: Session, database: Database, services: Context
) -> None:
    engagement = handed_over(db)
    send(db, services, engagement)
    send(db, services, engagement)
    first, second = emails(database)
    with pytest.raises(journey.LinkRefused):
        journey.open_link(db, services, token_in(services, first))
    assert journey.open_link(db, services, token_in(services, second)).link.revoked_at is None


def test_the_contact_named_is_the_assigned_engineer_else_the_sender(
    db: Session, database: Database, services: Context
) -> None:
    engagement = handed_over(db)
    eve = engineer(db, "eve@loadbalancer.org", "Eve Engineer")
    board.assign(db, services, engagement.id, eve.id, PipelineStage.PIPELINE, "lead@lb.example")
    send(db, services, engagement)
    [invite] = emails(database, "questionnaire_invite")
    assert "contact Eve Engineer at eve@loadbalancer.org" in invite.text_body
    assert invite.reply_to == "eve@loadbalancer.org"


def test_the_engineer_may_correct_the_address_and_the_engagement_keeps_it(
    db: Session, database: Database, services: Context
) -> None:
    engagement = handed_over(db)
    send(db, services, engagement, contact_email="jo.bloggs@acme.example", contact_name="Jo B")
    db.expire_all()
    found = db.get(Engagement, engagement.id)
    assert found is not None
    assert (found.contact_name, found.contact_email) == ("Jo B", "jo.bloggs@acme.example")
    [invite] = emails(database)
    assert invite.recipients == [{"name": "Jo B", "address": "jo.bloggs@acme.example"}]
    assert db.scalar(select(func.count()).where(AuditEvent.action == "engagement.contact")) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"contact_email": ""}, "contact_email", "Enter the email address to send"),
        ({"contact_email": "jo@"}, "contact_email", "Enter an email address in the correct"),
        (
            {"contact_email": "jo@acme.example\r\nBcc: x@evil.example"},
            "contact_email",
            "Remove the",
        ),
        ({"contact_name": "Jo\r\nBcc: x@evil.example"}, "contact_name", "Remove the"),
        ({"definition": "nope"}, "definition", "Select the questionnaire to send"),
        ({"expires_days": ""}, "expires_days", "Enter how many days the link works for"),
        ({"expires_days": "0"}, "expires_days", "Enter a whole number of days from 1 to 90"),
        ({"expires_days": "91"}, "expires_days", "Enter a whole number of days from 1 to 90"),
        ({"expires_days": "²"}, "expires_days", "Enter a whole number of days"),
        ({"expires_days": "1e3"}, "expires_days", "Enter a whole number of days"),
    ],
)
def test_each_bad_value_gets_its_message_and_nothing_is_written(
    db: Session, database: Database, services: Context, changes: dict[str, str], field: str,
    message: str,
) -> None:  # fmt: skip
    engagement = handed_over(db)
    with pytest.raises(invitations.InvalidSend) as refused:
        send(db, services, engagement, **changes)
    assert list(refused.value.errors) == [field]
    assert refused.value.errors[field].startswith(message), refused.value.errors
    db.rollback()
    assert emails(database) == [] and db.scalars(select(Link)).all() == []


def test_an_engagement_without_a_contact_email_says_so(db: Session, services: Context) -> None:
    engagement = handed_over(db, email=None, name=None)
    with pytest.raises(invitations.InvalidSend) as refused:
        send(db, services, engagement, contact_email="", contact_name="")
    assert refused.value.errors == {
        "contact_email": "This engagement has no contact's email address from the handover: "
        "enter the address to send the questionnaire to"
    }
    assert panel(db, services, engagement).contact_email == ""


def test_an_unknown_engagement_is_not_found(db: Session, services: Context) -> None:
    for engagement_id in (999, 2**31 - 1):
        with pytest.raises(NotFound):
            invitations.send_questionnaire(db, services, engagement_id, form(), SENDER)


def test_an_email_that_cannot_be_queued_issues_no_link(
    db: Session, database: Database, services: Context, tmp_path: Path
) -> None:
    engagement = handed_over(db)
    links.issue_link(db, engagement.id, "small", timedelta(days=3), "test")
    db.commit()
    broken = dataclasses.replace(
        services,
        settings=dataclasses.replace(
            services.settings,
            mail=dataclasses.replace(services.settings.mail, templates_dir=tmp_path),
        ),
    )
    with pytest.raises(Exception, match="cannot be read"):
        send(db, broken, engagement)
    with database.session() as other:
        [link] = other.scalars(select(Link)).all()  # the link from before, still open
        assert link.revoked_at is None and other.scalars(select(Job)).all() == []


# -- what is stored ------------------------------------------------------------------------------


def test_the_token_is_stored_nowhere_readable_not_even_in_the_email_that_carries_it(
    db: Session, database: Database, services: Context
) -> None:
    engagement = handed_over(db)
    send(db, services, engagement)
    [email] = emails(database)
    token = token_in(services, email)
    assert token in html_as_sent(services, email)
    with database.session() as session:
        for table in Base.metadata.sorted_tables:
            rows = repr(session.execute(select(table)).all())
            assert token not in rows, table.name
    assert "sealed.invalid/link" in email.text_body  # the stored body holds a stand-in


# -- the reminder --------------------------------------------------------------------------------


def test_the_reminder_is_queued_for_nine_n_days_before_the_last_day(
    db: Session, database: Database, services: Context
) -> None:
    engagement = handed_over(db)
    sent = invitations.send_questionnaire(db, services, engagement.id, form(), SENDER)
    job = reminder_job(database)
    last_day = sent.expires_at.date()
    assert job.run_after == datetime.combine(last_day - timedelta(days=3), time(9), UTC)
    assert sent.reminder_at == job.run_after
    assert job.dedupe_key == f"questionnaire.remind:{job.payload['link_id']}"
    assert job.status is JobStatus.QUEUED
    assert run_nothing_now(services, database)  # not due yet


def run_nothing_now(context: Context, database: Database) -> bool:
    outcomes = Worker(context, database, isolate=False).run_pending()
    return all(o.kind != reminders.REMIND_JOB for o in outcomes)


@pytest.mark.parametrize("days", ["1", "2", "3"])
def test_a_link_of_n_days_or_fewer_gets_no_reminder(
    db: Session, database: Database, services: Context, days: str
) -> None:
    sent = invitations.send_questionnaire(db, services, handed_over(db).id,
                                          form(expires_days=days), SENDER)  # fmt: skip
    assert sent.reminder_at is None
    with database.session() as session:
        assert session.scalars(select(Job).where(Job.kind == reminders.REMIND_JOB)).all() == []


def test_a_setting_of_zero_sends_no_reminders(
    db: Session, database: Database, services: Context
) -> None:
    off = dataclasses.replace(
        services, settings=dataclasses.replace(services.settings, questionnaire_reminder_days=0)
    )
    sent = invitations.send_questionnaire(db, off, handed_over(db).id, form(), SENDER)
    assert sent.reminder_at is None
    send(db, services, handed_over(db, "Bravo"))  # queued while reminders were on ...
    make_reminders_due(database)
    run(off, database)  # ... and due after they were switched off everywhere
    assert emails(database, "questionnaire_reminder") == []


def test_a_due_reminder_emails_the_same_link(
    db: Session, database: Database, services: Context
) -> None:
    engagement = handed_over(db)
    send(db, services, engagement)
    make_reminders_due(database)
    run(services, database)
    [invite] = emails(database, "questionnaire_invite")
    [reminder] = emails(database, "questionnaire_reminder")
    assert token_in(services, reminder) == token_in(services, invite)
    assert reminder.recipients == invite.recipients and reminder.reply_to == SENDER
    assert reminder.subject == "Reminder: Small pre-discovery questionnaire: Acme Health"
    assert "We have not received your answers yet." in reminder.text_body
    assert reminder_job(database).status is JobStatus.DONE
    db.rollback()
    shown = panel(db, services, engagement).last
    assert shown is not None and shown.reminder.startswith("reminder sent on ")


def test_a_reminder_to_a_customer_who_started_says_their_answers_are_saved(
    db: Session, database: Database, services: Context, make: Factory
) -> None:
    engagement = handed_over(db)
    send(db, services, engagement)
    make.response(token_in(services, emails(database)[0]), through="about")
    make_reminders_due(database)
    run(services, database)
    [reminder] = emails(database, "questionnaire_reminder")
    assert "Your answers so far are saved" in reminder.text_body


def revoke(db: Session, services: Context, engagement: Engagement, database: Database) -> None:
    link = db.scalars(select(Link)).one()
    links.revoke_link(db, engagement.id, link.id, "test")
    db.commit()


def reissue(db: Session, services: Context, engagement: Engagement, database: Database) -> None:
    links.issue_link(db, engagement.id, "small", timedelta(days=30), "test")
    db.commit()


def expire(db: Session, services: Context, engagement: Engagement, database: Database) -> None:
    db.execute(update(Link).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.commit()


def switch_off(db: Session, services: Context, engagement: Engagement, database: Database) -> None:
    assert invitations.set_reminders(db, engagement.id, False, SENDER)


def submit(db: Session, services: Context, engagement: Engagement, database: Database) -> None:
    [invite] = emails(database, "questionnaire_invite")
    token = token_in(services, invite)
    factory = Factory(db, services)
    response = factory.response(token, through="last")
    submission.submit(db, services, factory.opened(token), response.version)


@pytest.mark.parametrize("change", [revoke, reissue, expire, switch_off, submit])
def test_a_reminder_no_longer_needed_sends_nothing(
    db: Session, database: Database, services: Context, change: object
) -> None:
    engagement = handed_over(db)
    send(db, services, engagement)
    change(db, services, engagement, database)  # type: ignore[operator]
    make_reminders_due(database)
    run(services, database)
    assert emails(database, "questionnaire_reminder") == []
    assert reminder_job(database).status is JobStatus.DONE


def test_switching_reminders_back_on_before_the_reminder_is_due_sends_it(
    db: Session, database: Database, services: Context
) -> None:
    engagement = handed_over(db)
    send(db, services, engagement, reminders=False)
    db.expire_all()
    assert panel(db, services, engagement).reminders_on is False
    assert invitations.set_reminders(db, engagement.id, True, SENDER)
    assert not invitations.set_reminders(db, engagement.id, True, SENDER)  # no change, no event
    make_reminders_due(database)
    run(services, database)
    assert len(emails(database, "questionnaire_reminder")) == 1
    switches = db.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "questionnaire.reminders")
    ).all()
    assert switches == [{"reminders": "off"}, {"reminders": "on"}]


def test_sending_twice_queues_one_reminder_per_link_and_only_the_open_one_goes(
    db: Session, database: Database, services: Context
) -> None:
    engagement = handed_over(db)
    send(db, services, engagement)
    send(db, services, engagement)
    make_reminders_due(database)
    run(services, database)
    [reminder] = emails(database, "questionnaire_reminder")
    assert token_in(services, reminder) == token_in(
        services, emails(database, "questionnaire_invite")[1]
    )


def test_a_reminder_is_sent_once_by_workers_running_at_once(
    postgres_only: str, db: Session, database: Database, services: Context
) -> None:
    for n in range(5):
        send(db, services, handed_over(db, f"Customer {n}"), contact_email=f"c{n}@acme.example")
    make_reminders_due(database)
    run_workers_at_once(services, postgres_only)
    sent = emails(database, "questionnaire_reminder")
    addresses = sorted(email.recipients[0]["address"] for email in sent)
    assert addresses == [f"c{n}@acme.example" for n in range(5)]


def test_a_submitted_questionnaire_is_not_sent_again(
    db: Session, database: Database, services: Context
) -> None:
    engagement = handed_over(db)
    send(db, services, engagement)
    submit(db, services, engagement, database)
    shown = panel(db, services, engagement)
    assert shown.submitted_at is not None
    with pytest.raises(invitations.InvalidSend) as refused:
        send(db, services, engagement)
    assert refused.value.errors == {
        "definition": "The customer has already submitted this questionnaire: there is nothing "
        "to send"
    }
    assert len(emails(database, "questionnaire_invite")) == 1
