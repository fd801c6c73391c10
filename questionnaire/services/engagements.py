"""The engineers' list of engagements, read from one table, and the columns it reads.

The list shows each engagement's stage, link state and last activity, which come from its
responses, links, SoW revisions and history. Working them out from those tables for every row
(and again for the count) made the list slow at scale, so the engagement keeps a copy in its
own columns, set by the use cases that change the rows they copy, in the same transaction:

- ``note_response_started``/``note_submitted``: when a response is created / submitted;
- ``note_sow_sent``: when a SoW revision is marked as sent;
- ``note_link``: when a link is issued or revoked (``services/links.py``);
- ``note_activity``: with every history event (``services/audit.py``).

Pages are found by keyset (the last row seen), never by OFFSET: every page costs what the first
one does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, tuple_, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from questionnaire.store.models import Engagement, ResponseStatus, utcnow

PAGE_SIZE = 25
#: Matches are counted up to this many (20 pages); beyond, the list says "more than 500". An
#: exact count of thousands costs a scan of them all, for a number nobody pages through.
COUNT_LIMIT = 500

STAGES = {
    "invited": "Invited",
    "in_progress": "In progress",
    "submitted": "Submitted",
    "sow_sent": "SoW sent",
    "no_link": "No open link",
}

DRAFT, SUBMITTED = ResponseStatus.DRAFT.value, ResponseStatus.SUBMITTED.value


# -- keeping the copied columns up to date -------------------------------------------------------


def note_response_started(db: Session, engagement_id: int) -> None:
    """A response was created: the engagement is in progress, unless one was submitted."""
    _set(db, engagement_id, Engagement.response_status.is_(None), response_status=DRAFT)


def note_submitted(db: Session, engagement_id: int) -> None:
    _set(db, engagement_id, None, response_status=SUBMITTED)


def note_sow_sent(db: Session, engagement_id: int, at: datetime) -> None:
    _set(db, engagement_id, None, sow_sent_at=at)


def note_link(
    db: Session, engagement_id: int, expires_at: datetime, revoked_at: datetime | None
) -> None:
    """The engagement's latest link now expires and is revoked at these times."""
    _set(db, engagement_id, None, link_expires_at=expires_at, link_revoked_at=revoked_at)


def note_activity(db: Session, engagement_id: int, at: datetime) -> None:
    _set(db, engagement_id, None, last_activity_at=at)


def search_text_of(customer: str, project: str | None) -> str:
    """What the search looks in, set whenever the customer or the project is (lowercased here,
    as the search is, so that it is the same on every database)."""
    return f"{customer} {project or ''}".lower()


def _set(db: Session, engagement_id: int, only_if: Any, **values: Any) -> None:
    """One UPDATE (no SELECT first: the customer's saves pass here with every history event)."""
    statement = update(Engagement).where(Engagement.id == engagement_id)
    if only_if is not None:
        statement = statement.where(only_if)
    db.execute(statement.values(**values).execution_options(synchronize_session=False))
    # An engagement this session holds reloads what changed when it is next read.
    held = db.identity_map.get(identity_key(Engagement, engagement_id))
    if held is not None:
        db.expire(held, list(values))


# -- stages and link states: pure functions of the copied columns --------------------------------


def link_state(expires_at: datetime | None, revoked_at: datetime | None, now: datetime) -> str:
    """The latest link's state: ``none``, ``revoked``, ``expired`` or ``active``."""
    if expires_at is None:
        return "none"
    if revoked_at is not None:
        return "revoked"
    return "expired" if expires_at <= now else "active"


def stage_of(status: str | None, sow_sent: bool, link_open: bool) -> str:
    if sow_sent:
        return "sow_sent"
    if status == SUBMITTED:
        return "submitted"
    if status == DRAFT:
        return "in_progress"
    return "invited" if link_open else "no_link"


def in_stage(stage: str, status: str | None, sow_sent: bool, link_open: bool) -> bool:
    """Whether the stage filter lists the engagement: its own stage, except that "no open link"
    also lists those in progress whose link ended (they need a new link to finish)."""
    own = stage_of(status, sow_sent, link_open)
    if stage == "no_link":
        return not link_open and own in ("no_link", "in_progress")
    return own == stage


def _link_open(now: datetime) -> ColumnElement[bool]:
    return and_(Engagement.link_revoked_at.is_(None), Engagement.link_expires_at > now)


def _no_open_link(now: datetime) -> ColumnElement[bool]:
    # Not ``~_link_open``: with no link at all, ``NOT (NULL > now)`` is NULL, not true.
    return or_(
        Engagement.link_expires_at.is_(None),
        Engagement.link_revoked_at.is_not(None),
        Engagement.link_expires_at <= now,
    )


def _stage_filter(stage: str, now: datetime) -> ColumnElement[bool]:
    """The SQL of :func:`in_stage` (a test checks that both agree for every state)."""
    status, sent = Engagement.response_status, Engagement.sow_sent_at
    not_sent = sent.is_(None)
    return {
        "invited": and_(status.is_(None), not_sent, _link_open(now)),
        "in_progress": and_(status == DRAFT, not_sent),
        "submitted": and_(status == SUBMITTED, not_sent),
        "sow_sent": sent.is_not(None),
        "no_link": and_(
            not_sent,
            or_(status.is_(None), status == DRAFT),
            _no_open_link(now),
        ),
    }[stage]


# -- the list ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """What the engineer asked for: a search, a stage, and where the page starts.

    ``after`` is the id of the last row of the page before (the next page); ``before``, the id
    of the first row of the page after (the previous page).
    """

    search: str = ""
    stage: str = ""
    after: int | None = None
    before: int | None = None


@dataclass(frozen=True)
class Row:
    id: int
    customer: str
    project: str | None
    stage: str
    link_state: str
    last_activity: datetime | None


@dataclass(frozen=True)
class Page:
    rows: Sequence[Row]
    #: How many engagements match, up to :data:`COUNT_LIMIT`; ``more``: there are more than that.
    total: int
    more: bool
    #: Cursors for the next and previous pages, when there are such pages.
    next_after: int | None
    previous_before: int | None


COLUMNS = (
    Engagement.id,
    Engagement.customer,
    Engagement.project,
    Engagement.response_status,
    Engagement.sow_sent_at,
    Engagement.link_expires_at,
    Engagement.link_revoked_at,
    Engagement.last_activity_at,
)


def page(db: Session, listing: Listing, now: datetime | None = None) -> Page:
    """One page of the list, newest first, and how many engagements match (up to a limit)."""
    now = now or utcnow()
    filters = _filters(listing, now)
    counted = select(Engagement.id).where(*filters).limit(COUNT_LIMIT + 1).subquery()
    total = db.scalar(select(func.count()).select_from(counted)) or 0
    backwards = listing.before is not None and listing.after is None
    found = list(db.execute(_page_query(filters, listing, backwards)).all())
    more = len(found) > PAGE_SIZE
    found = found[:PAGE_SIZE]
    if backwards:
        found.reverse()
    rows = [_row(values, now) for values in found]
    first, last = (rows[0].id, rows[-1].id) if rows else (None, None)
    has_next = more if not backwards else bool(rows)
    has_previous = (more if backwards else listing.after is not None) and bool(rows)
    return Page(
        rows, min(total, COUNT_LIMIT), total > COUNT_LIMIT,
        last if has_next else None, first if has_previous else None,
    )  # fmt: skip


def _filters(listing: Listing, now: datetime) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    search = listing.search.strip().lower()
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        filters.append(Engagement.search_text.like(f"%{escaped}%", escape="\\"))
    if listing.stage in STAGES:
        filters.append(_stage_filter(listing.stage, now))
    return filters


def _page_query(
    filters: list[ColumnElement[bool]], listing: Listing, backwards: bool
) -> Select[*tuple[Any, ...]]:
    """Newest first by (created_at, id): the index's order, so a page reads only its rows."""
    key = tuple_(Engagement.created_at, Engagement.id)
    statement = select(*COLUMNS).where(*filters)
    cursor = listing.before if backwards else listing.after
    if cursor is not None:
        created = select(Engagement.created_at).where(Engagement.id == cursor).scalar_subquery()
        at = tuple_(created, cursor)
        statement = statement.where(key > at if backwards else key < at)
    if backwards:
        order = (Engagement.created_at.asc(), Engagement.id.asc())
    else:
        order = (Engagement.created_at.desc(), Engagement.id.desc())
    return statement.order_by(*order).limit(PAGE_SIZE + 1)


def _row(values: Any, now: datetime) -> Row:
    state = link_state(values.link_expires_at, values.link_revoked_at, now)
    stage = stage_of(values.response_status, values.sow_sent_at is not None, state == "active")
    return Row(values.id, values.customer, values.project, stage, state, values.last_activity_at)
