"""The completion webhook: the record posted signed to a real local server, retried with
backoff when refused, delivered at least once (same delivery id) when a worker dies mid-way,
and never to a private address unless allowed."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from questionnaire.services import closeout, webhooks
from questionnaire.services.closeout_settings import CloseoutSettings
from questionnaire.services.context import Context
from questionnaire.store.closeout import OutgoingWebhook, WebhookStatus
from questionnaire.store.db import Database
from questionnaire.store.models import Job, utcnow
from questionnaire.worker import Worker
from tests.conftest import ROOT, app_config

from .closeout_support import CUSTOMER, delivered
from .factories import Factory
from .test_mail import WORKER  # one worker run in a process of its own, killed by the test
from .webhook_receiver import Receiver, serving

SECRET = "s3cret-for-tests"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serving() as found:
        yield found


def _hooked(context: Context, url: str, *, private: bool = True) -> Context:
    closing = CloseoutSettings.from_config({
        "COMPLETION_WEBHOOK_URL": url, "COMPLETION_WEBHOOK_SECRET": SECRET,
        "COMPLETION_WEBHOOK_PRIVATE_ADDRESSES": private, "COMPLETION_WEBHOOK_TIMEOUT_SECONDS": 5,
    })  # fmt: skip
    return replace(context, settings=replace(context.settings, closeout=closing))


def _complete(make: Factory, db: Session, context: Context) -> int:
    engagement_id = delivered(make, db)
    closeout.on_acceptance_document_accepted(db, context, engagement_id, CUSTOMER)
    db.commit()
    return engagement_id


def _rows(database: Database) -> list[OutgoingWebhook]:
    with database.session() as session:
        return list(session.scalars(select(OutgoingWebhook).order_by(OutgoingWebhook.id)))


def _deliver_only(database: Database) -> None:
    """Hold back every job but the webhook's, so a test runs just the delivery."""
    with database.session() as session:
        later = utcnow() + timedelta(days=1)
        session.execute(update(Job).where(Job.kind != webhooks.DELIVER_JOB).values(run_after=later))
        session.commit()


def _make_due(database: Database) -> None:
    with database.session() as session:
        past = utcnow() - timedelta(seconds=1)
        session.execute(
            update(Job).where(Job.kind == webhooks.DELIVER_JOB)
            .values(run_after=past, locked_until=past)
        )  # fmt: skip
        session.commit()


def _verified(received: object) -> dict[str, object]:
    """The body, once its signature checks out as a receiver would check it."""
    headers, body = received.headers, received.body  # type: ignore[attr-defined]
    timestamp = headers["X-Questionnaire-Timestamp"]
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert headers["X-Questionnaire-Signature"] == f"sha256={expected.hexdigest()}"
    assert headers["Content-Type"] == "application/json"
    return dict(json.loads(body))


def test_the_record_is_posted_signed_with_its_delivery_id(
    make: Factory, db: Session, services: Context, database: Database, receiver: Receiver
) -> None:
    context = _hooked(services, receiver.url)
    engagement_id = _complete(make, db, context)
    [row] = _rows(database)
    assert row.status is WebhookStatus.QUEUED and row.url == receiver.url
    _deliver_only(database)
    [outcome] = Worker(context, database, isolate=False).run_pending()
    assert outcome.ok
    [got] = receiver.received
    record = _verified(got)
    assert record["engagement_id"] == engagement_id and record["record_version"] == 1
    assert record["days"] == {"sold": 5.0, "used": 3.5}
    assert got.headers["X-Questionnaire-Delivery"] == row.delivery_id
    assert got.headers["X-Questionnaire-Event"] == "engagement.completed"
    [done] = _rows(database)
    assert (done.status, done.response_status, done.attempts) == (WebhookStatus.DELIVERED, 204, 1)


def test_a_receiver_that_fails_first_gets_it_again_after_a_wait(
    make: Factory, db: Session, services: Context, database: Database, receiver: Receiver
) -> None:
    context = _hooked(services, receiver.url)
    _complete(make, db, context)
    _deliver_only(database)
    receiver.statuses = [500]
    [first] = Worker(context, database, isolate=False).run_pending()
    assert not first.ok
    [waiting] = _rows(database)
    assert waiting.status is WebhookStatus.QUEUED
    listed = webhooks.deliveries(db)
    assert listed[0].attempts == 1 and "answered 500" in (listed[0].error or "")
    assert Worker(context, database, isolate=False).run_pending() == []  # the backoff holds it
    _make_due(database)
    [second] = Worker(context, database, isolate=False).run_pending()
    assert second.ok
    ids = [r.headers["X-Questionnaire-Delivery"] for r in receiver.received]
    assert ids == [waiting.delivery_id, waiting.delivery_id]
    [done] = _rows(database)
    assert (done.status, done.attempts) == (WebhookStatus.DELIVERED, 2)


def test_a_private_address_is_refused_unless_allowed(
    make: Factory, db: Session, services: Context, database: Database, receiver: Receiver
) -> None:
    context = _hooked(services, receiver.url, private=False)
    _complete(make, db, context)
    _deliver_only(database)
    [outcome] = Worker(context, database, isolate=False).run_pending()
    assert not outcome.ok and receiver.received == []
    [failed] = _rows(database)
    assert failed.status is WebhookStatus.FAILED
    assert "The webhook's address is on a private network" in (failed.last_error or "")


def test_no_webhook_without_a_secret_and_an_address(services: Context) -> None:
    with pytest.raises(ValueError, match="needs COMPLETION_WEBHOOK_SECRET"):
        CloseoutSettings.from_config({"COMPLETION_WEBHOOK_URL": "https://hooks.example.com/x"})
    with pytest.raises(ValueError, match="must be an http"):
        CloseoutSettings.from_config({"COMPLETION_WEBHOOK_URL": "file:///etc/passwd",
                                      "COMPLETION_WEBHOOK_SECRET": "x"})  # fmt: skip
    assert "s3cret" not in repr(_hooked(services, "https://hooks.example.com").settings)


def test_a_worker_killed_mid_delivery_delivers_again_with_the_same_id(
    database_url: str, tmp_path: Path, make: Factory, db: Session, database: Database,
    receiver: Receiver,
) -> None:  # fmt: skip
    """The worker dies after the receiver got the body and before the job committed: the job
    is taken up again once its claim lapses, and the copy carries the same delivery id."""
    config = app_config(database_url, tmp_path, COMPLETION_WEBHOOK_URL=receiver.url,
                        COMPLETION_WEBHOOK_SECRET=SECRET,
                        COMPLETION_WEBHOOK_PRIVATE_ADDRESSES=True)  # fmt: skip
    context = Context.from_config(config)
    _complete(make, db, context)
    _deliver_only(database)
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, json.dumps(config)], cwd=ROOT, start_new_session=True
    )
    receiver.on_receive = lambda: os.killpg(worker.pid, signal.SIGKILL)
    assert worker.wait(60) == -signal.SIGKILL
    receiver.on_receive = None
    [row] = _rows(database)
    assert row.status is WebhookStatus.QUEUED and len(receiver.received) == 1
    _make_due(database)  # the dead worker's claim lapses
    [outcome] = Worker(context, database).run_pending()
    assert outcome.ok and _rows(database)[0].status is WebhookStatus.DELIVERED
    ids = [r.headers["X-Questionnaire-Delivery"] for r in receiver.received]
    assert ids == [row.delivery_id, row.delivery_id]
    assert _verified(receiver.received[0]) == _verified(receiver.received[1])


def test_a_receiver_that_keeps_refusing_fails_the_delivery_with_its_reason(
    make: Factory, db: Session, services: Context, database: Database, receiver: Receiver
) -> None:
    context = _hooked(services, receiver.url)
    _complete(make, db, context)
    _deliver_only(database)
    receiver.statuses = [503] * webhooks.MAX_ATTEMPTS
    for _ in range(webhooks.MAX_ATTEMPTS):
        [outcome] = Worker(context, database, isolate=False).run_pending()
        assert not outcome.ok
        _make_due(database)
    assert Worker(context, database, isolate=False).run_pending() == []  # given up: no more
    [failed] = _rows(database)
    assert (failed.status, failed.attempts) == (WebhookStatus.FAILED, webhooks.MAX_ATTEMPTS)
    assert "answered 503" in (failed.last_error or "")
    assert len(receiver.received) == webhooks.MAX_ATTEMPTS
    [listed] = webhooks.deliveries(db)
    assert listed.row.status is WebhookStatus.FAILED and "503" in (listed.error or "")


def test_a_redirect_is_not_followed(
    make: Factory, db: Session, services: Context, database: Database, receiver: Receiver
) -> None:
    context = _hooked(services, receiver.url)
    _complete(make, db, context)
    _deliver_only(database)
    receiver.statuses = [302]
    [outcome] = Worker(context, database, isolate=False).run_pending()
    assert not outcome.ok and len(receiver.received) == 1
    assert _rows(database)[0].status is WebhookStatus.QUEUED  # tried again later, not followed
