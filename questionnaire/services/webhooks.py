"""The completion webhook: each completed engagement's record, posted signed to one address.

The address and the secret come only from configuration (``COMPLETION_WEBHOOK_URL`` and
``COMPLETION_WEBHOOK_SECRET``), never from a form or a customer. :func:`queue` writes an
:class:`~questionnaire.store.closeout.OutgoingWebhook` row with its body and a delivery id made
once, and a job beside it, in the completion's transaction: a delivery is never lost for a
completion that committed, nor made for one that rolled back. The worker's :func:`run_deliver`
posts the body with::

    X-Questionnaire-Delivery: <the delivery id>
    X-Questionnaire-Timestamp: <Unix seconds>
    X-Questionnaire-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>

A 2xx answer delivers it; anything else, a timeout or an unreachable receiver is retried with
a growing wait (the worker's backoff), up to :data:`MAX_ATTEMPTS`, then the row is failed with
the reason for the admins' list. A receiver on a loopback or private address is refused for
good unless ``COMPLETION_WEBHOOK_PRIVATE_ADDRESSES`` is on (the calendar feeds' check): the
connection resolves the name once, checks every address and connects to exactly those
(:mod:`.pinned_http`), so a name that answers a public address for the check and an internal
one afterwards (DNS rebinding) is not reached; the ``Host`` and, for https, the certificate's
verification are still the name's. Redirects are not followed. Delivery is at least once: a
worker killed after the receiver answered posts again, with the same delivery id, for it to
drop.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.store.closeout import OutgoingWebhook, WebhookStatus
from questionnaire.store.models import Job, utcnow

from . import jobs, pinned_http
from .closeout_settings import CloseoutSettings
from .context import Context

DELIVER_JOB = "webhook.deliver"
EVENT = "engagement.completed"
#: About an hour and a half of retries (10 s, 40 s, 90 s, ... at most an hour apart).
MAX_ATTEMPTS = 8
USER_AGENT = "Loadbalancer.org questionnaire (completion webhook)"
LISTED = 100
NAMED = "The webhook's address"
PRIVATE_HINT = "set COMPLETION_WEBHOOK_PRIVATE_ADDRESSES to allow it"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``timestamp + "." + body`` with ``secret``."""
    signed = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def queue(db: Session, context: Context, engagement_id: int, body: str) -> OutgoingWebhook | None:
    """Queue the delivery (caller's transaction); ``None`` when no webhook is configured."""
    url = context.settings.closeout.webhook_url
    if url is None:
        return None
    row = OutgoingWebhook(
        delivery_id=secrets.token_hex(16), engagement_id=engagement_id, event=EVENT, url=url,
        body=body, status=WebhookStatus.QUEUED, attempts=0, created_at=utcnow(),
    )  # fmt: skip
    db.add(row)
    db.flush()
    jobs.enqueue(db, DELIVER_JOB, {"webhook_id": row.id}, dedupe_key=job_key(row.id),
                 max_attempts=MAX_ATTEMPTS)  # fmt: skip
    return row


def job_key(webhook_id: int) -> str:
    return f"{DELIVER_JOB}:{webhook_id}"


# -- the worker's side ---------------------------------------------------------------------------


class DeliveryFailed(Exception):
    """The receiver did not take the delivery (this time); the message says why."""


def run_deliver(context: Context, db: Session, payload: dict[str, Any]) -> None:
    """Post the delivery; marked delivered in the transaction the worker commits with the job."""
    row = db.get(OutgoingWebhook, int(payload["webhook_id"]), with_for_update=True)
    if row is None:
        raise jobs.PermanentFailure("the webhook delivery no longer exists")
    if row.status is not WebhookStatus.QUEUED:
        return
    settings = context.settings.closeout
    if settings.webhook_secret is None:
        raise jobs.PermanentFailure("COMPLETION_WEBHOOK_SECRET is not set: nothing to sign with")
    try:
        status = post(row, settings)
    except pinned_http.FetchError as exc:  # not http(s), or not a public address: for good
        raise jobs.PermanentFailure(str(exc)) from exc
    row.status, row.response_status, row.last_error = WebhookStatus.DELIVERED, status, None
    row.delivered_at, row.attempts = utcnow(), _attempts(db, row.id)


def post(row: OutgoingWebhook, settings: CloseoutSettings) -> int:
    """Post ``row``'s body, signed; the 2xx status, or :class:`DeliveryFailed` (to try again),
    or :class:`~.pinned_http.FetchError` for an address refused (not http or https, not found,
    or not public while private addresses are not allowed)."""
    assert settings.webhook_secret is not None
    pinned_http.check_scheme(row.url, NAMED)
    policy = pinned_http.Policy(allow_private=settings.webhook_private_addresses, named=NAMED,
                                private_hint=PRIVATE_HINT)  # fmt: skip
    body = row.body.encode("utf-8")
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        "X-Questionnaire-Event": row.event, "X-Questionnaire-Delivery": row.delivery_id,
        "X-Questionnaire-Timestamp": timestamp,
        "X-Questionnaire-Signature": signature(settings.webhook_secret, timestamp, body),
    }  # fmt: skip
    opener = pinned_http.opener(policy, _NoRedirects())
    # The scheme was checked (http or https), and the address comes from configuration only;
    # the connection checks the addresses it connects to (a refusal is a FetchError, passed on).
    request = urllib.request.Request(row.url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with opener.open(request, timeout=settings.webhook_timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"The webhook's address answered {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise DeliveryFailed(f"The webhook's address could not be reached: {exc.reason}") from exc
    except (OSError, ValueError) as exc:  # timeouts, resets, a malformed answer
        raise DeliveryFailed(f"The webhook's address could not be posted to: {exc}") from exc


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a delivery: it fails the attempt (and is retried)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def deliver_gave_up(context: Context, db: Session, payload: dict[str, Any], message: str) -> None:
    """Out of attempts, or refused for good: the row says why, for the admins' list."""
    row = db.get(OutgoingWebhook, int(payload["webhook_id"]))
    if row is not None and row.status is WebhookStatus.QUEUED:
        row.status, row.last_error = WebhookStatus.FAILED, message[: jobs.ERROR_LIMIT]
        row.attempts = _attempts(db, row.id)


def _attempts(db: Session, webhook_id: int) -> int:
    found = db.scalar(select(Job.attempts).where(Job.dedupe_key == job_key(webhook_id)))
    return int(found or 0)


# -- the admins' list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    row: OutgoingWebhook
    #: Attempts made so far, and the latest error while it is still being retried.
    attempts: int
    error: str | None


def deliveries(db: Session) -> list[Delivery]:
    """The latest deliveries, newest first, with their job's attempts and latest error."""
    rows = db.scalars(select(OutgoingWebhook).order_by(OutgoingWebhook.id.desc()).limit(LISTED))
    listed = []
    for row in rows:
        job = db.scalars(select(Job).where(Job.dedupe_key == job_key(row.id))).first()
        attempts = job.attempts if job else row.attempts
        listed.append(Delivery(row, attempts, row.last_error or (job.last_error if job else None)))
    return listed
