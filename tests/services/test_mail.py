"""Outgoing email through a real SMTP server: queued with the change that causes it, sent once
by the worker, retried on 4xx, failed for good on 5xx, never lost when a worker dies, and
never a header or markup smuggled in by a customer's name."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from questionnaire.services import mail, mail_transport
from questionnaire.services.context import Context
from questionnaire.services.email_templates import MissingValue
from questionnaire.services.settings import MailSettings
from questionnaire.store.db import Database
from questionnaire.store.models import EmailStatus, Job, JobStatus, OutgoingEmail, utcnow
from questionnaire.worker import Worker
from tests.conftest import ROOT, app_config
from tests.smtp import SmtpServer, via

from .factories import Factory, run_workers_at_once

CUSTOMER = {
    "organisation": "Acme Health", "contact_name": "Jo Bloggs", "services_lead": "Sam Lead",
    "timeline": "Six weeks from the discovery call", "sales_name": "Ann Seller",
}  # fmt: skip
SERVICES = {
    **CUSTOMER, "project": "PACS load balancing", "contact_email": "jo@acme.example",
    "ps_days_sold": 3.5, "contract_date": "2025-03-14", "purchase_order": "PO-1234",
    "quote_number": "Q-987", "terms_url": "https://www.loadbalancer.org/terms/ps_v2.pdf",
}  # fmt: skip
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40  # binary: it must arrive byte for byte


def queue(
    db: Session, context: Context, template: str = "handover_customer", **options: Any
) -> int:
    values = {
        **(SERVICES if template == "handover_services" else CUSTOMER),
        **options.pop("values", {}),
    }
    email = mail.queue(
        db, context, template=template, to=options.pop("to", [("Jo Bloggs", "jo@acme.example")]),
        values=values, actor="ann@loadbalancer.org", **options,
    )  # fmt: skip
    db.commit()
    return email.id


def rows(database: Database) -> list[OutgoingEmail]:
    with database.session() as session:
        return list(session.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id)))


def job_count(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(Job)) or 0


def make_due(database: Database) -> None:
    """Time passes: every waiting retry and lapsed lease is due now."""
    with database.session() as session:
        past = utcnow() - timedelta(seconds=1)
        session.execute(update(Job).values(run_after=past, locked_until=past))
        session.commit()


# -- sending ------------------------------------------------------------------------------------------


def test_a_queued_email_is_sent_once_with_both_parts_its_headers_attachment_and_links(
    db: Session, database: Database, services: Context, make: Factory, smtp_server: SmtpServer
) -> None:
    context = via(services, smtp_server)
    engagement = make.engagement("Acme Health")
    (context.settings.export_dir).mkdir(parents=True)
    (context.settings.export_dir / "abc123.pdf").write_bytes(PDF)
    pdf = mail.Attachment("exports", "abc123.pdf", "SoW Acme r1.pdf", "application/pdf")
    email_id = queue(
        db, context, "handover_services", to=[("Services Team", "services@lb.example")],
        values={"engagement_id": engagement.id}, engagement_id=engagement.id, attachments=[pdf],
    )  # fmt: skip
    assert [o.ok for o in Worker(context, database).run_pending()] == [True]
    assert Worker(context, database).run_pending() == []
    [received] = smtp_server.received
    [row] = rows(database)
    assert (row.status, row.delivery) == (
        EmailStatus.SENT,
        f"accepted by 127.0.0.1:{smtp_server.port}",
    )
    assert received.mail_from == "services@loadbalancer.org"
    assert received.rcpt_tos == ["services@lb.example"]
    message = received.message
    assert message["Message-ID"] == row.message_id and row.id == email_id
    assert message["From"] == '"Loadbalancer.org Professional Services" <services@loadbalancer.org>'
    assert message["To"] == "Services Team <services@lb.example>"
    assert message["Subject"] == "Sales handover: Acme Health, PACS load balancing"
    assert message["Date"] is not None and message.get_content_type() == "multipart/mixed"
    text, html = received.part("text/plain"), received.part("text/html")
    link = f"https://questionnaire.example.com/e/engagements/{engagement.id}"
    assert (
        f"Open the engagement <{link}>" in text
        and f'<a href="{link}">Open the engagement</a>' in html
    )
    assert "PS days sold: 3.5" in text and "<strong>PS days sold:</strong> 3.5" in html
    assert '<a href="https://www.loadbalancer.org/terms/ps_v2.pdf">' in html
    [attachment] = message.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "SoW Acme r1.pdf" and attachment.get_content() == PDF


def test_the_customer_email_follows_the_process_and_has_no_placeholder_left(
    db: Session, database: Database, services: Context, smtp_server: SmtpServer
) -> None:
    queue(db, via(services, smtp_server))
    Worker(via(services, smtp_server), database, isolate=False).run_pending()
    [received] = smtp_server.received
    text = received.part("text/plain")
    assert received.message["Subject"] == "Handing over Acme Health to our services team"
    for expected in [
        "Dear Jo Bloggs,", "- Services lead: Sam Lead", "- Contact: services@loadbalancer.org",
        "- Expected timeline: Six weeks from the discovery call",
        "1. Pre-discovery questionnaire and discovery call.", "2. Engagement scope.",
        "3. Project Detail Record (PDR).", "4. Implementation.", "5. Completion.", "Ann Seller",
    ]:  # fmt: skip
        assert expected in text
    assert "[" not in text and "{" not in text


def test_the_outbox_folder_gets_each_email_as_one_eml_file(
    db: Session, database: Database, services: Context
) -> None:
    queue(db, services)
    [outcome] = Worker(services, database).run_pending()
    [row] = rows(database)
    folder = services.settings.mail.outbox_dir
    [path] = folder.iterdir()
    assert outcome.ok and row.delivery == f"written to {path}" and path.suffix == ".eml"
    assert f"Message-ID: {row.message_id}".encode() in path.read_bytes()
    with database.session() as session:  # delivered again (a worker died before its commit)
        session.execute(update(OutgoingEmail).values(status=EmailStatus.QUEUED))
        session.execute(update(Job).values(status=JobStatus.QUEUED))
        session.commit()
    Worker(services, database, isolate=False).run_pending()
    assert list(folder.iterdir()) == [path]  # replaced, not added


def test_an_eml_file_is_never_left_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = mail_transport.OutboxFolder(tmp_path)
    from email.message import EmailMessage

    message = EmailMessage()
    message.set_content("the first version")
    outbox.deliver(message, mail_transport.Envelope("a@b.test", ("c@d.test",)), "one")

    def disk_full(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    message.set_content("the second version " * 1000)
    with pytest.raises(mail_transport.DeliveryDeferred, match="No space left"):
        outbox.deliver(message, mail_transport.Envelope("a@b.test", ("c@d.test",)), "one")
    assert [p.name for p in tmp_path.iterdir()] == ["one.eml"]
    assert b"the first version" in (tmp_path / "one.eml").read_bytes()


def test_a_job_for_an_email_already_sent_sends_nothing(
    db: Session, database: Database, services: Context, smtp_server: SmtpServer
) -> None:
    context = via(services, smtp_server)
    queue(db, context)
    Worker(context, database, isolate=False).run_pending()
    with database.session() as session:  # the job runs again (say, restored from a backup)
        session.execute(update(Job).values(status=JobStatus.QUEUED, run_after=utcnow()))
        session.commit()
    [outcome] = Worker(context, database, isolate=False).run_pending()
    assert outcome.ok and len(smtp_server.received) == 1


# -- what customers type --------------------------------------------------------------------------------


def test_a_line_break_in_a_name_or_subject_cannot_add_a_header(
    db: Session, database: Database, services: Context, smtp_server: SmtpServer
) -> None:
    context = via(services, smtp_server)
    queue(
        db, context, values={"organisation": "Acme\r\nBcc: evil@attacker.example\r\n\r\nHello"},
        to=[("Jo\r\nBcc: evil2@attacker.example", "jo@acme.example")],
        reply_to="Ann\nBcc: evil3@attacker.example <ann@loadbalancer.org>",
    )  # fmt: skip
    Worker(context, database, isolate=False).run_pending()
    [received] = smtp_server.received
    message = received.message
    assert received.rcpt_tos == ["jo@acme.example"]
    assert sorted(message.keys()) == sorted(
        ["Message-ID", "Date", "From", "To", "Reply-To", "Subject", "Content-Type", "MIME-Version"]
    )
    # (Python's parser keeps the space of a header folded right after its name)
    assert (
        message["Subject"].strip()
        == "Handing over Acme Bcc: evil@attacker.example Hello to our services team"
    )
    assert message["To"].addresses[0].display_name == "Jo Bcc: evil2@attacker.example"
    assert message["Reply-To"].addresses[0].addr_spec == "ann@loadbalancer.org"


@pytest.mark.parametrize(
    "address",
    ["jo@acme.example\r\nBcc: evil@attacker.example", "jo@acme.example\n", "not an address", ""],
)
def test_an_address_with_a_line_break_or_no_address_is_refused(
    db: Session, database: Database, services: Context, address: str
) -> None:
    with pytest.raises(mail.InvalidAddress):
        queue(db, services, to=[address])
    db.rollback()
    assert rows(database) == [] and job_count(database) == 0


def test_markup_in_a_name_stays_text_in_the_html_part(
    db: Session, database: Database, services: Context, smtp_server: SmtpServer
) -> None:
    context = via(services, smtp_server)
    name = "<script>alert(1)</script> <b>Bold</b> **Loud** [x](javascript:alert(1)) & Co"
    queue(
        db, context, values={"organisation": name, "contact_name": "<img src=x onerror=alert(1)>"}
    )
    Worker(context, database, isolate=False).run_pending()
    [received] = smtp_server.received
    html = received.part("text/html")
    shown = "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;Bold&lt;/b&gt; **Loud**"
    assert f"{shown} [x](javascript:alert(1)) &amp; Co" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    for markup in ("<script", "<b>", "<img", "<strong>Loud", 'javascript:alert(1)"'):
        assert markup not in html
    assert f"handing {name} over" in received.part("text/plain")


def test_a_missing_value_is_refused_with_its_name_before_anything_is_queued(
    db: Session, database: Database, services: Context
) -> None:
    values = {**CUSTOMER, "timeline": "  "}
    del values["services_lead"]
    with pytest.raises(MissingValue) as refused:
        mail.queue(db, services, template="handover_customer", to=["jo@acme.example"],
                   values=values, actor="ann@loadbalancer.org")  # fmt: skip
    assert refused.value.names == ["services_lead", "timeline"]
    assert str(refused.value) == (
        "The email 'handover_customer' cannot be sent without: services_lead, timeline"
    )
    db.commit()
    assert rows(database) == [] and job_count(database) == 0


def test_an_attachment_must_be_a_file_in_storage(
    db: Session, database: Database, services: Context
) -> None:
    for attachment in [
        mail.Attachment("exports", "../secret_key", "key.txt", "text/plain"),
        mail.Attachment("exports", "missing.pdf", "SoW.pdf", "application/pdf"),
        mail.Attachment("/etc", "passwd", "passwd", "text/plain"),
    ]:
        with pytest.raises(mail.AttachmentUnavailable):
            queue(db, services, attachments=[attachment])
        db.rollback()
    assert rows(database) == [] and job_count(database) == 0


# -- failures ---------------------------------------------------------------------------------------------


def test_a_server_answering_4xx_is_tried_again_later(
    db: Session, database: Database, services: Context, smtp_server: SmtpServer
) -> None:
    context = via(services, smtp_server)
    smtp_server.replies = ["451 4.3.0 Mailbox busy, try later"]
    email_id = queue(db, context)
    worker = Worker(context, database, isolate=False)
    [first] = worker.run_pending()
    assert not first.ok and first.error is not None and "451 4.3.0 Mailbox busy" in first.error
    entry = mail.entry(db, email_id)
    assert (entry.state, entry.attempts) == ("retrying", 1) and entry.next_try is not None
    assert worker.run_pending() == []  # it waits for its back-off
    make_due(database)
    [second] = worker.run_pending()
    assert second.ok and len(smtp_server.received) == 1
    assert rows(database)[0].status is EmailStatus.SENT


def test_an_unreachable_server_is_tried_again_later(
    db: Session, database: Database, services: Context, smtp_server: SmtpServer
) -> None:
    closed = replace(smtp_server, port=smtp_server.port + 1 if smtp_server.port < 65535 else 1)
    context = via(services, closed)
    email_id = queue(db, context)
    [outcome] = Worker(context, database, isolate=False).run_pending()
    assert outcome.error is not None and "could not be reached" in outcome.error
    assert mail.entry(db, email_id).state == "retrying"


def test_a_server_answering_5xx_fails_for_good_and_send_again_sends_it(
    db: Session, database: Database, services: Context, smtp_server: SmtpServer
) -> None:
    context = via(services, smtp_server)
    smtp_server.replies = ["550 5.7.1 Relaying denied"]
    email_id = queue(db, context)
    worker = Worker(context, database, isolate=False)
    [outcome] = worker.run_pending()
    [row] = rows(database)
    assert row.status is EmailStatus.FAILED and not outcome.ok
    assert row.last_error == f"127.0.0.1:{smtp_server.port} answered 550 5.7.1 Relaying denied"
    make_due(database)
    assert worker.run_pending() == [] and smtp_server.received == []  # no retry of a 5xx
    assert mail.send_again(db, email_id, "eng@loadbalancer.org")
    assert not mail.send_again(db, email_id, "eng@loadbalancer.org")  # a second click
    [again] = worker.run_pending()
    assert again.ok and smtp_server.message_ids() == [row.message_id]
    assert rows(database)[0].status is EmailStatus.SENT
    assert not mail.send_again(db, email_id, "eng@loadbalancer.org")  # sent: nothing to do


def test_the_configured_user_signs_in_and_a_wrong_password_fails_for_good(
    db: Session, database: Database, services: Context, start_smtp_server: Any
) -> None:
    server = start_smtp_server(users={"mailer": "s3cret"})
    right = via(services, server, username="mailer", password="s3cret")
    wrong = via(services, server, username="mailer", password="wrong")
    queue(db, right)
    queue(db, wrong)
    Worker(right, database, isolate=False).run_once()
    Worker(wrong, database, isolate=False).run_once()
    assert set(server.logins) == {"mailer"} and len(server.received) == 1
    sent, refused = rows(database)
    assert sent.status is EmailStatus.SENT and refused.status is EmailStatus.FAILED
    assert refused.last_error is not None and "535" in refused.last_error


def test_starttls_configured_never_falls_back_to_plain_text(
    db: Session, database: Database, services: Context, smtp_server: SmtpServer
) -> None:
    context = via(services, smtp_server, security="starttls")  # the test server offers no TLS
    queue(db, context)
    Worker(context, database, isolate=False).run_pending()
    [row] = rows(database)
    assert row.status is EmailStatus.FAILED and smtp_server.received == []
    assert row.last_error is not None and "STARTTLS" in row.last_error


# -- transactions, races, crashes -----------------------------------------------------------------------


def test_a_transaction_that_rolls_back_queues_no_email(
    db: Session, database: Database, services: Context, smtp_server: SmtpServer
) -> None:
    context = via(services, smtp_server)
    mail.queue(db, context, template="handover_customer", to=["jo@acme.example"], values=CUSTOMER,
               actor="ann@loadbalancer.org")  # fmt: skip
    db.rollback()
    assert Worker(context, database, isolate=False).run_pending() == []
    assert rows(database) == [] and job_count(database) == 0 and smtp_server.received == []


def test_workers_in_parallel_send_each_email_once(
    postgres_only: str, db: Session, services: Context, smtp_server: SmtpServer
) -> None:
    context = via(services, smtp_server)
    for n in range(20):
        queue(db, context, to=[f"customer{n}@acme.example"])
    run_workers_at_once(context, postgres_only)
    ids = smtp_server.message_ids()
    assert len(ids) == len(set(ids)) == 20
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == sorted(
        f"customer{n}@acme.example" for n in range(20)
    )


WORKER = """
import json, sys
from questionnaire.services.context import Context
from questionnaire.store.db import Database
from questionnaire.worker import Worker
config = json.loads(sys.argv[1])
Worker(Context.from_config(config), Database(config["DATABASE_URL"])).run_once()
"""


def test_a_worker_killed_after_the_server_took_the_message_loses_nothing(
    database_url: str, tmp_path: Path, db: Session, database: Database, services: Context,
    smtp_server: SmtpServer,
) -> None:  # fmt: skip
    """The worker and its child die between the server's receipt and the job's commit: the job
    is taken up again when its claim lapses, and the copy has the same Message-ID."""
    config = app_config(database_url, tmp_path, **smtp_server.config())
    queue(db, Context.from_config(config))
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, json.dumps(config)], cwd=ROOT, start_new_session=True
    )
    smtp_server.on_data = lambda: os.killpg(worker.pid, signal.SIGKILL)
    assert worker.wait(60) == -signal.SIGKILL
    smtp_server.on_data = None
    [row] = rows(database)
    assert row.status is EmailStatus.QUEUED and len(smtp_server.received) == 1
    make_due(database)  # the dead worker's claim lapses
    [outcome] = Worker(Context.from_config(config), database).run_pending()
    assert outcome.ok and rows(database)[0].status is EmailStatus.SENT
    assert smtp_server.message_ids() == [row.message_id, row.message_id]


def test_a_worker_child_killed_while_sending_leaves_the_email_failed_to_send_again(
    db: Session, database: Database, services: Context, smtp_server: SmtpServer
) -> None:
    """The worker lives and sees its child die: the email says so, and is sent again with its
    Message-ID when an engineer asks."""
    context = via(services, smtp_server)
    email_id = queue(db, context)

    def kill_children() -> None:
        for child in multiprocessing.active_children():
            os.kill(child.pid or 0, signal.SIGKILL)

    smtp_server.on_data = kill_children
    [outcome] = Worker(context, database).run_pending()
    smtp_server.on_data = None
    [row] = rows(database)
    assert not outcome.ok and row.status is EmailStatus.FAILED and row.last_error
    assert mail.send_again(db, email_id, "eng@loadbalancer.org")
    Worker(context, database).run_pending()
    assert smtp_server.message_ids() == [row.message_id, row.message_id]
    assert rows(database)[0].status is EmailStatus.SENT


# -- settings -------------------------------------------------------------------------------------------


def test_mail_settings_check_their_values_and_keep_the_password_out_of_logs() -> None:
    base = {"TEMPLATES_DIR": "templates"}
    assert MailSettings.from_config(base).port == 587
    assert MailSettings.from_config({**base, "MAIL_SECURITY": "tls"}).port == 465
    assert MailSettings.from_config({**base, "MAIL_PORT": 2525}).port == 2525
    secret = MailSettings.from_config({**base, "MAIL_PASSWORD": 1234})
    assert secret.password == "1234" and "1234" not in repr(secret)
    for wrong in ({"MAIL_TRANSPORT": "sendmail"}, {"MAIL_SECURITY": "ssl"}):
        with pytest.raises(ValueError, match="must be one of"):
            MailSettings.from_config({**base, **wrong})
