"""The questionnaire's emails as a mail server receives them, and the emails of a submission:
queued in the submission's transaction, so one submission sends one of each and a rolled-back
one sends none."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.services import board, invitations, journey, responses, submission
from questionnaire.services.context import Context
from questionnaire.store.db import Database
from questionnaire.store.models import (
    AuditEvent,
    Engagement,
    OutgoingEmail,
    PipelineStage,
    Response,
    ResponseStatus,
)
from questionnaire.worker import Worker
from tests.smtp import SmtpServer, via

from .factories import Factory
from .test_board import engineer
from .test_invitations import SENDER, emails, form, handed_over, send, token_in


def submitted(db: Session, services: Context, engagement: Engagement, database: Database) -> None:
    """The customer answers the emailed questionnaire and submits it."""
    token = token_in(services, emails(database, "questionnaire_invite")[-1])
    make = Factory(db, services)
    response = make.response(token, through="last")
    outcome = submission.submit(db, services, make.opened(token), response.version)
    assert outcome == journey.Go("done", submitted_now=True)


def test_the_invitation_arrives_with_safe_headers_both_parts_and_a_working_link(
    db: Session, database: Database, services: Context, smtp_server: SmtpServer
) -> None:
    context = via(services, smtp_server)
    engagement = handed_over(db, "Acme <b>Health</b> & **Co**")
    send(db, context, engagement)
    Worker(context, database, isolate=False).run_pending()
    [received] = smtp_server.received
    message = received.message
    assert received.rcpt_tos == ["jo@acme.example"]
    assert message["To"] == "Jo Bloggs <jo@acme.example>"
    assert message["Reply-To"] == SENDER
    assert message["Subject"] == "Small pre-discovery questionnaire: Acme <b>Health</b> & **Co**"
    text, html = received.part("text/plain"), received.part("text/html")
    assert "&lt;b&gt;Health&lt;/b&gt; &amp; **Co**" in html and "<b>" not in html
    [token] = {token_in(context, email) for email in emails(database)}
    url = f"https://questionnaire.example.com/r/{token}/"
    assert f"Open the questionnaire <{url}>" in text
    assert f'<a href="{url}">Open the questionnaire</a>' in html
    assert journey.open_link(db, context, token).link.engagement_id == engagement.id


def test_a_line_break_in_the_stored_contact_name_adds_no_header_to_any_email(
    db: Session, database: Database, services: Context, smtp_server: SmtpServer
) -> None:
    context = via(services, smtp_server)
    engagement = handed_over(db, name="Jo\r\nBcc: evil@x.example")
    # The form refuses the line break; the name stored before goes out flattened.
    with pytest.raises(invitations.InvalidSend):
        send(db, context, engagement, contact_name=engagement.contact_name)
    send(db, context, engagement, contact_name="")
    submitted(db, context, engagement, database)
    Worker(context, database, isolate=False).run_pending()
    received = {r.message["Subject"].split(":")[0]: r for r in smtp_server.received}
    for each in received.values():
        assert "evil@x.example" not in each.rcpt_tos
        assert "Bcc" not in each.message
    confirmation = received["Thank you"]
    assert confirmation.message["To"].addresses[0].display_name == "Jo Bcc: evil@x.example"
    assert "Dear Jo; Bcc: evil@x.example," in confirmation.part("text/plain")


def test_a_submission_confirms_to_the_customer_and_tells_the_assigned_engineer(
    db: Session, database: Database, services: Context, smtp_server: SmtpServer
) -> None:
    context = via(services, smtp_server)
    engagement = handed_over(db)
    eve = engineer(db, "eve@loadbalancer.org", "Eve <i>Engineer</i>")
    board.assign(db, context, engagement.id, eve.id, PipelineStage.PIPELINE, "lead@lb.example")
    send(db, context, engagement)
    submitted(db, context, engagement, database)
    Worker(context, database, isolate=False).run_pending()
    by_template = {e.template: e for e in emails(database)}
    confirmation = by_template["questionnaire_received"]
    assert confirmation.recipients == [{"name": "Jo Bloggs", "address": "jo@acme.example"}]
    assert confirmation.subject == "Thank you: we have your answers for Acme Health"
    for expected in ("Dear Jo Bloggs,", "prepares a draft of the Statement of Work",
                     "to book the discovery call", "eve@loadbalancer.org"):  # fmt: skip
        assert expected in confirmation.text_body, expected
    assert "&lt;i&gt;Engineer&lt;/i&gt;" in confirmation.html_body
    notice = by_template["questionnaire_submitted"]
    assert notice.recipients == [{"name": "Eve <i>Engineer</i>", "address": "eve@loadbalancer.org"}]
    assert notice.subject == "Questionnaire submitted: Acme Health, PACS"
    link = f"https://questionnaire.example.com/e/engagements/{engagement.id}"
    assert f"Open the engagement <{link}>" in notice.text_body
    received = {r.message["Subject"]: r for r in smtp_server.received}
    assert f'<a href="{link}">' in received[notice.subject].part("text/html")
    assert received[notice.subject].rcpt_tos == ["eve@loadbalancer.org"]


def test_without_an_engineer_the_services_team_is_told_and_without_a_contact_no_one_thanked(
    db: Session, database: Database, services: Context, make: Factory
) -> None:
    token = make.link()  # an engagement made by hand: no contact, no engineer
    response = make.response(token, through="last")
    submission.submit(db, services, make.opened(token), response.version)
    [notice] = emails(database)
    assert notice.template == "questionnaire_submitted"
    assert notice.recipients == [{"name": "", "address": services.settings.mail.services_team}]
    assert "Hello services team," in notice.text_body


def test_a_double_submit_sends_one_of_each_and_a_rolled_back_one_none(
    db: Session, database: Database, services: Context
) -> None:
    engagement = handed_over(db)
    send(db, services, engagement)
    token = token_in(services, emails(database)[0])
    make = Factory(db, services)
    response = make.response(token, through="last")
    opened = make.opened(token)
    flow = journey.flow_of(services, opened)

    def fails_after_queuing(session: Session, submitted: Response) -> None:
        submission._after(services)(session, submitted)
        raise RuntimeError("the database went away before the commit")

    with pytest.raises(RuntimeError):
        responses.submit(db, response, response.version, flow, "c", after=fails_after_queuing)
    db.rollback()
    assert [e.template for e in emails(database)] == ["questionnaire_invite"]
    db.refresh(response)
    assert response.status is ResponseStatus.DRAFT
    for _ in range(2):
        submission.submit(db, services, make.opened(token), response.version)
    templates = sorted(e.template for e in emails(database))
    assert templates == [
        "questionnaire_invite",
        "questionnaire_received",
        "questionnaire_submitted",
    ]


def test_an_email_that_cannot_be_queued_never_costs_the_customer_the_submission(
    db: Session, database: Database, services: Context, tmp_path: Path
) -> None:
    engagement = handed_over(db)
    send(db, services, engagement)
    (tmp_path / "emails").mkdir()  # the submission's templates are missing
    broken = dataclasses.replace(
        services,
        settings=dataclasses.replace(
            services.settings,
            mail=dataclasses.replace(services.settings.mail, templates_dir=tmp_path / "emails"),
        ),
    )
    submitted(db, broken, engagement, database)
    db.rollback()
    assert db.scalar(select(Response.status)) is ResponseStatus.SUBMITTED
    assert [e.template for e in emails(database)] == ["questionnaire_invite"]
    problems = db.scalars(
        select(AuditEvent.detail["template"].as_string()).where(
            AuditEvent.action == "mail.not_queued"
        )
    ).all()
    assert sorted(problems) == ["questionnaire_received", "questionnaire_submitted"]
    assert db.scalar(select(func.count()).select_from(OutgoingEmail)) == 1


def test_the_board_card_says_the_questionnaire_was_sent_and_not_started(
    db: Session, services: Context
) -> None:
    engagement = handed_over(db)
    eve = engineer(db)
    board.assign(db, services, engagement.id, eve.id, PipelineStage.PIPELINE, "lead@lb.example")
    invitations.send_questionnaire(db, services, engagement.id, form(), SENDER)
    [card] = board.board(db, board.BoardFilter()).columns[1].cards
    assert card.next_action == "questionnaire sent today, not started"


def test_a_deactivated_engineer_is_not_the_one_told(
    db: Session, database: Database, services: Context
) -> None:
    engagement = handed_over(db)
    eve = engineer(db)
    board.assign(db, services, engagement.id, eve.id, PipelineStage.PIPELINE, "lead@lb.example")
    eve.active = False
    db.commit()
    send(db, services, engagement)
    submitted(db, services, engagement, database)
    by_template = {e.template: e for e in emails(database)}
    assert by_template["questionnaire_invite"].reply_to == SENDER
    team = services.settings.mail.services_team
    assert by_template["questionnaire_submitted"].recipients == [{"name": "", "address": team}]
