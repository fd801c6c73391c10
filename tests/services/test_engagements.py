"""The engineers' list and the engagement use cases, without an app.

The list reads the columns the use cases keep on the engagement: every stage filter lists
exactly the engagements in that stage, pages follow each other by keyset, and the migration
fills the columns from the rows they summarise.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from itertools import product
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from questionnaire.services import engagement_desk as desk
from questionnaire.services import engagements, journey, links, uploads
from questionnaire.services.context import Context
from questionnaire.services.engagements import Listing, in_stage, stage_of
from questionnaire.store import db as store
from questionnaire.store.models import AuditEvent, Engagement, Link, Upload, utcnow
from tests.conftest import app_config

from .factories import Factory

LINKS = ("none", "active", "expired", "revoked")
STATUSES = (None, "draft", "submitted")


def _with_link(db: Session, engagement: Engagement, kind: str) -> None:
    if kind == "none":
        return
    lifetime = timedelta(seconds=-1) if kind == "expired" else timedelta(days=1)
    link, _ = links.issue_link(db, engagement.id, "small", lifetime, "eng")
    if kind == "revoked":
        links.revoke_link(db, engagement.id, link.id, "eng")


def _with_status(db: Session, engagement: Engagement, status: str | None, sent: bool) -> None:
    """As the customer's and the SoW's use cases leave it (they call these)."""
    if status is not None:
        engagements.note_response_started(db, engagement.id)
    if status == "submitted":
        engagements.note_submitted(db, engagement.id)
    if sent:
        engagements.note_sow_sent(db, engagement.id, utcnow())


def _ids(db: Session, listing: Listing) -> list[int]:
    return [row.id for row in engagements.page(db, listing).rows]


def test_each_stage_filter_lists_exactly_the_engagements_of_its_stage(
    db: Session, make: Factory
) -> None:
    states = list(product(STATUSES, (False, True), LINKS))
    made = {}
    for status, sent, link in states:
        engagement = make.engagement(f"{status}-{sent}-{link}")
        _with_link(db, engagement, link)
        _with_status(db, engagement, status, sent)
        made[engagement.id] = (status, sent, link == "active")
    db.commit()
    everything = engagements.page(db, Listing())
    assert everything.total == len(states) <= engagements.PAGE_SIZE
    for row in everything.rows:
        assert row.stage == stage_of(*made[row.id])
    for stage in engagements.STAGES:
        expected = {id_ for id_, state in made.items() if in_stage(stage, *state)}
        assert set(_ids(db, Listing(stage=stage))) == expected, stage
        assert engagements.page(db, Listing(stage=stage)).total == len(expected)


def test_the_link_state_is_the_latest_links(db: Session, make: Factory) -> None:
    rows = {}
    for kind in LINKS:
        engagement = make.engagement(kind)
        _with_link(db, engagement, kind)
        rows[engagement.id] = kind
    db.commit()
    assert {row.id: row.link_state for row in engagements.page(db, Listing()).rows} == rows


def test_pages_follow_each_other_newest_first_and_back(db: Session, make: Factory) -> None:
    made = [make.engagement(f"Customer {n:02d}").id for n in range(60)]
    newest_first = made[::-1]
    first = engagements.page(db, Listing())
    second = engagements.page(db, Listing(after=first.next_after))
    third = engagements.page(db, Listing(after=second.next_after))
    assert [r.id for r in first.rows + second.rows + third.rows] == newest_first  # type: ignore[operator]
    assert (first.total, len(third.rows), third.next_after) == (60, 10, None)
    assert first.previous_before is None and second.previous_before == newest_first[25]
    back = engagements.page(db, Listing(before=third.previous_before))
    assert [r.id for r in back.rows] == newest_first[25:50]
    assert back.next_after == newest_first[49] and back.previous_before == newest_first[25]
    home = engagements.page(db, Listing(before=back.previous_before))
    assert [r.id for r in home.rows] == newest_first[:25] and home.previous_before is None


def test_search_matches_customer_or_project_and_reads_wildcards_as_text(
    db: Session, make: Factory
) -> None:
    zebra = make.engagement("Zebra Imaging").id
    links.create_engagement(db, "Acme", "eng", project="PACS 100% uptime")
    db.commit()
    make.engagement("Acme_Health")
    assert _ids(db, Listing(search="  ZEBRA ")) == [zebra]
    assert len(_ids(db, Listing(search="pacs"))) == 1
    assert len(_ids(db, Listing(search="100%"))) == 1
    assert _ids(db, Listing(search="%")) == _ids(db, Listing(search="100%"))
    assert len(_ids(db, Listing(search="_"))) == 1  # only the one with an underscore


def test_a_response_started_later_does_not_undo_a_submission(db: Session, make: Factory) -> None:
    engagement = make.engagement()
    engagements.note_submitted(db, engagement.id)
    engagements.note_response_started(db, engagement.id)  # another questionnaire, say
    db.commit()
    assert engagement.response_status == "submitted"


def test_every_history_event_is_the_last_activity(db: Session, make: Factory) -> None:
    engagement = make.engagement()
    links.issue_link(db, engagement.id, "small", timedelta(days=1), "eng")
    db.commit()
    latest = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert latest is not None and latest.action == "link.issue"
    [row] = engagements.page(db, Listing()).rows
    assert row.last_activity == latest.at


# -- the migration's backfill ---------------------------------------------------------------------

AT_0003 = [
    "INSERT INTO engagements (id, customer, facts, created_at, created_by) VALUES "
    "(1, 'Raced', '{}', :past, 'eng'), (2, 'Sent', '{}', :past, 'eng'), "
    "(3, 'Quiet', '{}', :past, 'eng')",
    # The re-issue race left three links of engagement 1 open; engagement 2's is expired.
    "INSERT INTO links (id, engagement_id, definition_id, token_hash, created_at, created_by, "
    "expires_at) VALUES (1, 1, 'small', 'a', :past, 'eng', :future), "
    "(2, 1, 'small', 'b', :past, 'eng', :future), (3, 1, 'small', 'c', :past, 'eng', :future), "
    "(4, 2, 'small', 'd', :past, 'eng', :past)",
    "INSERT INTO definition_versions (sha256, definition_id, version, source_name, source_text,"
    " created_at) VALUES ('h', 'small', '1', 'small.yaml', '', :past)",
    "INSERT INTO responses (id, engagement_id, definition_id, definition_sha256, status, answers,"
    " version, created_at, updated_at) VALUES (1, 1, 'small', 'h', 'draft', '{}', 1, :past, :past),"
    " (2, 2, 'small', 'h', 'submitted', '{}', 1, :past, :past)",
    "INSERT INTO sow_drafts (id, engagement_id, response_id, prefill, created_at) "
    "VALUES (1, 2, 2, '{}', :past)",
    "INSERT INTO sow_revisions (id, draft_id, number, markdown, author, created_at, sent_at) "
    "VALUES (1, 1, 1, 'x', 'eng', :past, :past)",
    "INSERT INTO audit_events (at, actor, action, engagement_id, detail) VALUES "
    "(:past, 'eng', 'a', 1, '{}'), (:latest, 'eng', 'b', 1, '{}')",
]


@pytest.fixture
def empty_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a PostgreSQL schema of its own (dropped after)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'backfill.sqlite'}"
        return
    engine = store.make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS backfill_check CASCADE"))
        connection.execute(text("CREATE SCHEMA backfill_check"))
    yield database_url + "?options=-csearch_path%3Dbackfill_check"
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA backfill_check CASCADE"))
    engine.dispose()


def test_the_migration_fills_the_columns_and_ends_links_left_open_by_the_race(
    empty_url: str,
) -> None:
    store.upgrade(empty_url, "0003")
    now = utcnow()
    times = {"past": now - timedelta(days=3), "latest": now - timedelta(days=1)}
    times["future"] = now + timedelta(days=3)
    database = store.Database(empty_url)
    with database.engine.begin() as connection:
        for statement in AT_0003:
            connection.execute(text(statement), times)
    store.upgrade(empty_url)  # through 0004's backfill, to the schema the models describe
    with database.session() as session:
        raced, sent, quiet = session.scalars(select(Engagement).order_by(Engagement.id)).all()
        open_links = session.scalars(select(Link.id).where(Link.revoked_at.is_(None))).all()
    database.dispose()
    assert sorted(open_links) == [3, 4]  # the latest of the raced ones; the expired one as it was
    assert (raced.response_status, sent.response_status, quiet.response_status) == (
        "draft", "submitted", None,
    )  # fmt: skip
    assert sent.sow_sent_at == times["past"] and raced.sow_sent_at is None
    assert raced.link_expires_at == times["future"] and raced.link_revoked_at is None
    assert sent.link_expires_at == times["past"] and quiet.link_expires_at is None
    assert raced.last_activity_at == times["latest"] and quiet.last_activity_at is None


# -- the engineer's use cases ---------------------------------------------------------------------


def _form(**changes: object) -> desk.EngagementForm:
    values: dict[str, object] = {
        "customer": "Beta Storage", "project": "", "definition": "small", "expires_days": 7,
    }  # fmt: skip
    return desk.EngagementForm(**{**values, **changes})  # type: ignore[arg-type]


def test_a_new_engagement_gets_a_link_built_from_the_base_url(
    db: Session, services: Context
) -> None:
    made = desk.new_engagement(db, services, _form(project="PACS"), "eng@example.com")
    assert isinstance(made, desk.NewLink)
    assert made.url.startswith("https://questionnaire.example.com/r/")
    token = made.url.rsplit("/", 2)[1]
    link = db.scalars(select(Link)).one()
    assert link.token_hash == links.token_hash(token) and link.created_by == "eng@example.com"
    assert link.expires_at - link.created_at == pytest.approx(timedelta(days=7), abs=timedelta(1))
    assert db.get(Engagement, made.engagement_id).project == "PACS"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customer": ""}, "customer"),
        ({"customer": "x" * 201}, "customer"),
        ({"definition": "nope"}, "definition"),
        ({"expires_days": None}, "expires_days"),
        ({"expires_days": 0}, "expires_days"),
        ({"expires_days": 366}, "expires_days"),
    ],
)
def test_a_new_engagement_form_names_what_is_wrong_and_stores_nothing(
    db: Session, services: Context, changes: dict[str, object], field: str
) -> None:
    assert list(desk.new_engagement(db, services, _form(**changes), "eng")) == [field]  # type: ignore[arg-type]
    assert db.scalars(select(Engagement)).all() == []


def test_a_reissue_uses_the_last_links_questionnaire_and_the_configured_expiry(
    db: Session, services: Context, make: Factory
) -> None:
    make.link("small")
    new = desk.reissue_link(db, services.settings, 1, "eng")
    latest = db.scalars(select(Link).order_by(Link.id.desc())).first()
    assert latest is not None and latest.definition_id == "small"
    assert latest.token_hash == links.token_hash(new.url.rsplit("/", 2)[1])
    expected = timedelta(days=services.settings.link_expiry_days)
    assert latest.expires_at - latest.created_at == pytest.approx(expected, abs=timedelta(1))


def test_links_of_no_engagement_or_of_another_are_not_found(
    db: Session, services: Context, make: Factory
) -> None:
    make.link(customer="A")
    make.link(customer="B")
    with pytest.raises(desk.NotFound, match="no such engagement"):
        desk.reissue_link(db, services.settings, 99, "eng")
    with pytest.raises(desk.NotFound, match="no such link"):
        desk.revoke_link(db, 2, 1, "eng")  # engagement 1's link, through engagement 2
    with pytest.raises(desk.NotFound, match="no such engagement"):
        desk.engagement_page(db, services, 99)


COMMERCIAL = """\
id: commercial
title: Commercial facts the customer knows
version: "1.0.0"
pages:
  - id: commercial
    title: Commercial
    questions:
      - id: ps_days_sold
        type: integer
        label: PS days sold
      - id: purchase_order
        type: text
        label: Purchase order
    next: review
"""


def test_the_page_shows_the_facts_as_the_sow_uses_them(
    db: Session, tmp_path: Path, database_url: str
) -> None:
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    (definitions / "commercial.yaml").write_text(COMMERCIAL)
    services = Context.from_config(app_config(database_url, tmp_path, DEFINITIONS_DIR=definitions))
    invitation = links.invite(db, "Acme", "commercial", timedelta(days=1), "eng")
    opened = Factory(db, services).opened(invitation.token)
    journey.start(db, services, opened)
    assert opened.response is not None
    opened.response.answers = {"ps_days_sold": 3, "purchase_order": "PO-1"}
    opened.response.version += 1
    db.commit()
    desk.save_facts(db, invitation.engagement.id, {"purchase_order": "PO-2"}, "", "eng")
    page = desk.engagement_page(db, services, invitation.engagement.id)
    facts = {fact.key: (fact.recorded, fact.used, fact.source) for fact in page.facts}
    assert facts["ps_days_sold"] == ("", "3", "answer")  # answered, not recorded: the answer
    assert facts["purchase_order"] == ("PO-2", "PO-2", "engagement")  # recorded: it wins
    assert facts["quote_number"] == ("", "", None)


def test_the_page_needs_no_query_to_render(db: Session, services: Context, make: Factory) -> None:
    token = make.link()
    make.response(token, through="about")
    page = desk.engagement_page(db, services, 1)
    db.expunge_all()  # anything not loaded now would fail to load: the template reads only this
    assert page.link is not None and page.link.created_by == "test"
    assert page.answers is not None and page.answers.uploads == []
    assert page.answers.response.status.value == "draft" and page.sow is None
    assert [event.action for event in page.events][-1] == "engagement.create"
    assert page.engagement.facts == {} and page.link_state == "active"


def test_saving_facts_keeps_only_those_typed_and_records_them(db: Session, make: Factory) -> None:
    engagement = make.engagement()
    desk.save_facts(db, engagement.id, {"sow_number": "SOW-1", "vendor": "", "x": "y"}, "P", "e")
    db.refresh(engagement)
    assert (engagement.facts, engagement.project) == ({"sow_number": "SOW-1"}, "P")
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "engagement.facts")).one()
    assert event.detail == {"facts": {"sow_number": "SOW-1"}}


def test_saving_facts_keeps_the_handovers_facts_the_form_does_not_show(
    db: Session, make: Factory
) -> None:
    engagement = make.engagement()
    engagement.facts = {"terms_url": "https://x.example/t", "notes": "VIP", "purchase_order": "1"}
    db.commit()
    desk.save_facts(db, engagement.id, {"purchase_order": "PO-2"}, "", "eng")
    db.refresh(engagement)
    assert engagement.facts == {
        "terms_url": "https://x.example/t",
        "notes": "VIP",
        "purchase_order": "PO-2",
    }


@pytest.mark.parametrize("upload_id", ["nope", "\x00", "0" * 32, "A" * 32, "../" * 11])
def test_a_download_of_no_file_is_not_found(db: Session, services: Context, upload_id: str) -> None:
    with pytest.raises(desk.NotFound, match="no such file"):
        desk.download(db, services.settings, upload_id)


def test_matches_are_counted_up_to_a_limit(
    db: Session, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engagements, "COUNT_LIMIT", 3)
    for n in range(4):
        make.engagement(f"Customer {n}")
    assert (engagements.page(db, Listing()).total, engagements.page(db, Listing()).more) == (
        3,
        True,
    )
    exact = engagements.page(db, Listing(search="customer 1"))
    assert (exact.total, exact.more) == (1, False)


def test_a_download_is_the_stored_file_under_its_original_name(
    db: Session, services: Context, make: Factory
) -> None:
    response = make.response(make.link(), through="about")
    upload = Upload(
        id="0123456789abcdef0123456789abcdef", response_id=response.id, question_id="hld",
        original_name="Plan «final».pdf", kind="pdf", size=4, sha256="0" * 64,
    )  # fmt: skip
    db.add(upload)
    db.commit()
    with pytest.raises(desk.NotFound, match="missing from storage"):
        desk.download(db, services.settings, upload.id)
    path = uploads.path_of(services.settings, upload)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF")
    found = desk.download(db, services.settings, upload.id)
    assert (found.path, found.media_type, found.filename) == (
        path, "application/pdf", "Plan «final».pdf",
    )  # fmt: skip
