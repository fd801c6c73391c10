"""Links: a re-issue ends the open link, a revoke is recorded once, and under races at most one
link per engagement is active (the engagement row is locked: proven on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from questionnaire.services import engagement_desk, links
from questionnaire.services.context import Context
from questionnaire.store.db import Database
from questionnaire.store.models import AuditEvent, Engagement, Link, utcnow

from .factories import Factory

PARALLEL = 20


def _active(db: Session, engagement_id: int) -> list[int]:
    return list(
        db.scalars(
            select(Link.id).where(
                Link.engagement_id == engagement_id,
                Link.revoked_at.is_(None),
                Link.expires_at > utcnow(),
            )
        )
    )


def _revokes(db: Session) -> list[int]:
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "link.revoke"))
    return [event.detail["link_id"] for event in events]


def test_a_reissue_ends_the_open_link_once_and_records_it(db: Session, make: Factory) -> None:
    engagement = make.engagement()
    first, _ = links.issue_link(db, engagement.id, "small", timedelta(days=1), "eng")
    second, token = links.issue_link(db, engagement.id, "small", timedelta(days=1), "eng")
    db.commit()
    assert _active(db, engagement.id) == [second.id]
    assert _revokes(db) == [first.id]
    assert second.token_hash == links.token_hash(token)
    db.refresh(engagement)
    assert engagement.link_expires_at == second.expires_at and engagement.link_revoked_at is None


def test_an_expired_link_is_not_revoked_by_a_reissue(db: Session, make: Factory) -> None:
    engagement = make.engagement()
    old, _ = links.issue_link(db, engagement.id, "small", timedelta(seconds=-1), "eng")
    links.issue_link(db, engagement.id, "small", timedelta(days=1), "eng")
    db.commit()
    db.refresh(old)
    assert old.revoked_at is None  # it still says "expired" to the customer, not "revoked"
    assert _revokes(db) == []


def test_a_second_revoke_changes_nothing_and_is_not_recorded(db: Session, make: Factory) -> None:
    engagement = make.engagement()
    link, _ = links.issue_link(db, engagement.id, "small", timedelta(days=1), "eng")
    db.commit()
    assert engagement_desk.revoke_link(db, engagement.id, link.id, "eng") is True
    assert engagement_desk.revoke_link(db, engagement.id, link.id, "eng") is False
    assert _revokes(db) == [link.id]
    db.refresh(engagement)
    assert engagement.link_revoked_at is not None


def test_revoking_an_older_link_leaves_the_latest_links_state(db: Session, make: Factory) -> None:
    engagement = make.engagement()
    old, _ = links.issue_link(db, engagement.id, "small", timedelta(seconds=-1), "eng")
    new, _ = links.issue_link(db, engagement.id, "small", timedelta(days=1), "eng")
    db.commit()
    engagement_desk.revoke_link(db, engagement.id, old.id, "eng")
    db.refresh(engagement)
    assert engagement.link_expires_at == new.expires_at and engagement.link_revoked_at is None


# -- races, on PostgreSQL: each thread has its own connection --------------------------------------


def _in_parallel(url: str, calls: list[Callable[[Session], Any]]) -> list[Any]:
    """Run each call in its own thread and session at the same moment; its result or error."""
    barrier = Barrier(len(calls))

    def run(call: Callable[[Session], Any]) -> Any:
        database = Database(url)
        try:
            with database.session() as session:
                session.execute(select(1))  # connected before the start
                barrier.wait()
                try:
                    return call(session)
                except Exception as exc:  # reported to the test, which fails on it
                    return exc
        finally:
            database.dispose()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _reissue(context: Context, engagement_id: int) -> Callable[[Session], Any]:
    return lambda s: engagement_desk.reissue_link(s, context.settings, engagement_id, "eng")


def _revoke(engagement_id: int, link_id: int) -> Callable[[Session], Any]:
    return lambda s: engagement_desk.revoke_link(s, engagement_id, link_id, "eng")


def test_twenty_parallel_reissues_leave_exactly_one_active_link(
    db: Session, services: Context, make: Factory, postgres_only: str
) -> None:
    engagement = make.engagement()
    links.issue_link(db, engagement.id, "small", timedelta(days=1), "eng")
    db.commit()
    results = _in_parallel(postgres_only, [_reissue(services, engagement.id)] * PARALLEL)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert db.scalar(select(func.count()).select_from(Link)) == PARALLEL + 1
    latest = db.scalar(select(func.max(Link.id)))
    assert _active(db, engagement.id) == [latest]
    revoked = _revokes(db)
    assert len(revoked) == len(set(revoked)) == PARALLEL  # every older link, each once
    found = db.execute(select(Engagement).execution_options(populate_existing=True)).scalar_one()
    assert found.link_revoked_at is None
    assert found.link_expires_at == db.get(Link, latest).expires_at  # type: ignore[union-attr]


def test_parallel_revokes_and_reissues_leave_one_link_at_most_and_record_each_revoke_once(
    db: Session, services: Context, make: Factory, postgres_only: str
) -> None:
    engagement = make.engagement()
    link, _ = links.issue_link(db, engagement.id, "small", timedelta(days=1), "eng")
    db.commit()
    calls = [_revoke(engagement.id, link.id), _reissue(services, engagement.id)] * (PARALLEL // 2)
    results = _in_parallel(postgres_only, calls)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(_active(db, engagement.id)) <= 1
    revoked = _revokes(db)
    assert len(revoked) == len(set(revoked))  # no link revoked twice
    assert link.id in revoked
    assert results[0::2].count(True) <= 1  # a revoke, or else a re-issue, ended the first link


def test_parallel_revokes_of_one_link_record_it_once(
    db: Session, make: Factory, postgres_only: str
) -> None:
    engagement = make.engagement()
    link, _ = links.issue_link(db, engagement.id, "small", timedelta(days=1), "eng")
    db.commit()
    results = _in_parallel(postgres_only, [_revoke(engagement.id, link.id)] * PARALLEL)
    assert sorted(results, key=str) == [False] * (PARALLEL - 1) + [True]
    assert _revokes(db) == [link.id]
