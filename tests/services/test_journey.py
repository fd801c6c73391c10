"""The customer's use cases without an app: what they return, what they store, and how little
they walk the flow and query the database to do it."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from questionnaire.engine import flow as flow_module
from questionnaire.engine import submit as submit_module
from questionnaire.engine.answers import parse_answer
from questionnaire.services import journey, submission
from questionnaire.services.context import Context
from questionnaire.store.db import Database
from questionnaire.store.models import Job, Response, ResponseStatus, Upload
from tests.conftest import app_config

from .factories import Factory

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@dataclass
class Counter:
    walks: int = 0
    parses: int = 0
    statements: int = 0

    def reset(self) -> None:
        self.walks = self.parses = self.statements = 0


@pytest.fixture
def count(monkeypatch: pytest.MonkeyPatch, database: Database) -> Iterator[Counter]:
    """Counts walks of the flow (its one entry point), answer parses and SQL statements."""
    counter = Counter()
    walk, parse = flow_module._Walk.run, parse_answer

    def counted_walk(self: Any, until: str | None) -> Any:
        counter.walks += 1
        return walk(self, until)

    def counted_parse(question: Any, raw: Any) -> Any:
        counter.parses += 1
        return parse(question, raw)

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if not sql.startswith("BEGIN"):  # SQLite's transaction start, not a query
            counter.statements += 1

    monkeypatch.setattr(flow_module._Walk, "run", counted_walk)
    monkeypatch.setattr(submit_module, "parse_answer", counted_parse)  # what submit_page calls
    event.listen(database.engine, "before_cursor_execute", statement)
    yield counter
    event.remove(database.engine, "before_cursor_execute", statement)


@dataclass
class Incoming:
    filename: str | None
    stream: IO[bytes]


ABOUT = {"organisation": "Acme", "fabric": "traditional", "has_hld": "no"}


def post(version: int, later: bool = False, **values: Any) -> journey.PostedPage:
    return journey.PostedPage(version=version, values={**ABOUT, **values}, later=later)


def test_a_link_opens_in_one_query(make: Factory, count: Counter, db: Session) -> None:
    token = make.link()
    make.response(token)
    db.expire_all()
    count.reset()
    opened = make.opened(token)
    assert opened.response is not None and opened.engagement.customer == "Acme Health"
    assert count.statements == 1


def test_a_page_get_walks_the_flow_once_and_a_second_none(
    make: Factory, count: Counter, services: Context
) -> None:
    token = make.link()
    make.response(token, through="about")
    count.reset()
    view = journey.show_page(services, make.opened(token), "services")
    assert isinstance(view, journey.PageView) and view.number == 2
    assert count.walks == 1
    journey.show_page(services, make.opened(token), "services")
    assert count.walks == 1  # the same version's flow is kept


def test_a_page_post_parses_once_and_walks_once_and_the_next_get_walks_nothing(
    make: Factory, count: Counter, db: Session, services: Context
) -> None:
    token = make.link()
    response = make.response(token)
    opened = make.opened(token)
    count.reset()
    outcome = journey.answer_page(db, services, opened, "about", post(response.version))
    assert outcome == journey.Go("page", "services")
    assert count.walks == 1
    assert count.parses == len(services.definitions.current["small"].pages["about"].questions)
    view = journey.show_page(services, make.opened(token), "services")
    assert isinstance(view, journey.PageView)
    assert count.walks == 1  # the save's walk is the flow the next page needed


HIDDEN = """
id: hidden
title: A hidden question
version: "1"
pages:
  - id: one
    title: One
    next: two
    questions:
      - {id: cloud, type: yes_no, label: Do you use a cloud?}
      - {id: provider, type: text, label: Which cloud?, show_if: {"var": "cloud"}}
  - id: two
    title: Two
    next: review
    questions:
      - {id: notes, type: text, label: Notes}
"""


def test_a_blank_posted_for_a_hidden_question_still_leaves_the_flow_for_the_next_page(
    count: Counter, db: Session, database_url: str, tmp_path: Path
) -> None:
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    (definitions / "hidden.yaml").write_text(HIDDEN)
    context = Context.from_config(
        app_config(database_url, tmp_path, DEFINITIONS_DIR=str(definitions))
    )
    make = Factory(db, context)
    opened = make.opened(make.link("hidden"))
    journey.start(db, context, opened)
    assert opened.response is not None
    count.reset()
    # "provider" is hidden while cloud is no; a form that still carries it posts a blank.
    posted = journey.PostedPage(
        version=opened.response.version, values={"cloud": "no", "provider": ""}
    )
    assert journey.answer_page(db, context, opened, "one", posted) == journey.Go("page", "two")
    assert count.walks == 1
    journey.show_page(context, make.opened(opened.token), "two")
    assert count.walks == 1  # the save's flow was kept for the next page


def test_a_post_that_changes_no_answer_walks_nothing_and_goes_on_as_before(
    make: Factory, count: Counter, db: Session, services: Context
) -> None:
    token = make.link()
    response = make.response(token, through="about")
    kept = journey.show_page(services, make.opened(token), "about")  # walks, and keeps the flow
    assert isinstance(kept, journey.PageView)
    count.reset()
    outcome = journey.answer_page(db, services, make.opened(token), "about", post(response.version))
    assert outcome == journey.Go("page", "services")
    assert count.walks == 0
    changed = journey.answer_page(
        db, services, make.opened(token), "about", post(response.version, organisation="Beta")
    )
    assert changed == journey.Go("page", "services")
    assert count.walks == 1  # an answer changed: the flow is walked again


def test_a_save_that_names_no_new_file_writes_three_statements_and_reads_nothing_back(
    make: Factory, count: Counter, db: Session, services: Context
) -> None:
    token = make.link()
    response = make.response(token)
    opened = make.opened(token)
    before = response.version
    count.reset()
    journey.answer_page(db, services, opened, "about", post(before))
    assert count.statements == 3  # the response, the audit entry, the engagement's activity
    assert opened.response is not None and opened.response.version == before + 1
    assert opened.response.answers["organisation"] == "Acme"
    db.expire_all()
    stored = make.opened(token).response
    assert stored is not None and stored.version == before + 1
    assert stored.answers == opened.response.answers


def test_an_invalid_answer_is_reported_and_the_valid_ones_are_saved(
    make: Factory, db: Session, services: Context
) -> None:
    token = make.link()
    response = make.response(token)
    outcome = journey.answer_page(
        db, services, make.opened(token), "about", post(response.version, fabric="nonsense")
    )
    assert isinstance(outcome, journey.PageProblems) and outcome.status == 400
    assert outcome.errors == {"fabric": "Select one of the options"}
    db.refresh(response)
    assert response.answers == {"organisation": "Acme", "has_hld": False}


def test_save_for_later_saves_every_valid_answer_and_says_what_was_not_saved(
    make: Factory, db: Session, services: Context
) -> None:
    token = make.link()
    response = make.response(token)
    later = journey.PostedPage(
        version=response.version, values={"organisation": "Acme", "fabric": "nonsense"}, later=True
    )
    outcome = journey.answer_page(db, services, make.opened(token), "about", later)
    assert isinstance(outcome, journey.PageProblems) and outcome.notice == "partly_saved"
    assert outcome.errors == {"fabric": "Select one of the options"}  # not the missing has_hld
    db.refresh(response)
    assert response.answers == {"organisation": "Acme"}
    complete = journey.PostedPage(
        version=response.version, values={"organisation": "Acme"}, later=True
    )
    assert journey.answer_page(db, services, make.opened(token), "about", complete) == journey.Go(
        "saved"
    )


def test_a_question_the_post_revealed_is_asked_not_reported_missing(
    make: Factory, db: Session, services: Context
) -> None:
    token = make.link()
    response = make.response(token)
    shown = frozenset({"organisation", "fabric", "has_hld"})
    posted = journey.PostedPage(
        version=response.version, values={**ABOUT, "has_hld": "yes", "organisation": ""},
        shown_before=shown,
    )  # fmt: skip
    outcome = journey.answer_page(db, services, make.opened(token), "about", posted)
    assert isinstance(outcome, journey.PageProblems)
    assert outcome.revealed == ("hld",) and "hld" not in outcome.errors
    assert set(outcome.errors) == {"organisation"}


def test_a_stale_post_with_a_file_is_a_conflict_and_leaves_no_file(
    make: Factory, db: Session, services: Context
) -> None:
    token = make.link()
    response = make.response(token)
    stale = response.version
    journey.answer_page(db, services, make.opened(token), "about", post(stale, has_hld="yes"))
    upload = journey.PostedPage(
        version=stale, values={**ABOUT, "has_hld": "yes"},
        files={"hld": Incoming("hld.pdf", io.BytesIO(PDF))},
    )  # fmt: skip
    outcome = journey.answer_page(db, services, make.opened(token), "about", upload)
    assert isinstance(outcome, journey.PageProblems) and outcome.status == 409
    assert db.scalar(select(func.count()).select_from(Upload)) == 0
    assert [p for p in Path(services.settings.upload_dir).rglob("*") if p.is_file()] == []


def test_a_replaced_file_stops_counting_against_the_quota(
    make: Factory, db: Session, services: Context
) -> None:
    token = make.link()
    response = make.response(token)
    for name in ("first.pdf", "second.pdf"):
        db.refresh(response)
        posted = journey.PostedPage(
            version=response.version, values={**ABOUT, "has_hld": "yes"},
            files={"hld": Incoming(name, io.BytesIO(PDF))},
        )  # fmt: skip
        assert journey.answer_page(db, services, make.opened(token), "about", posted) == (
            journey.Go("page", "services")
        )
    [kept] = db.scalars(select(Upload)).all()
    assert kept.original_name == "second.pdf"
    files = [p for p in Path(services.settings.upload_dir).rglob("*") if p.is_file()]
    assert [p.name for p in files] == [kept.id]


def test_submission_walks_nothing_more_and_queues_the_pre_fill(
    make: Factory, count: Counter, db: Session, services: Context
) -> None:
    token = make.link()
    response = make.response(token, through="last")
    review = submission.review(services, make.opened(token))
    assert isinstance(review, submission.Review) and review.flow.complete
    count.reset()
    outcome = submission.submit(db, services, make.opened(token), response.version)
    assert outcome == journey.Go("done", submitted_now=True)
    assert count.walks == 0
    # The pre-fill, and the engineer's notice (this engagement has no contact to thank).
    assert sorted(db.scalars(select(Job.kind)).all()) == ["mail.send", "sow.prefill"]
    again = submission.submit(db, services, make.opened(token), response.version)
    assert again == journey.Go("done")
    assert db.scalar(select(func.count()).select_from(Job)) == 2


def test_an_incomplete_submission_gets_the_review_back(
    make: Factory, db: Session, services: Context
) -> None:
    token = make.link()
    response = make.response(token, through="about")
    outcome = submission.submit(db, services, make.opened(token), response.version)
    assert isinstance(outcome, submission.Review) and not outcome.flow.complete
    db.refresh(response)
    assert response.status is ResponseStatus.DRAFT and db.scalars(select(Job)).all() == []


def test_concurrent_first_starts_make_one_response(
    postgres_only: str, make: Factory, services: Context, database: Database
) -> None:
    token = make.link()
    barrier = threading.Barrier(6)
    ids: list[int] = []
    errors: list[BaseException] = []

    def start() -> None:
        own = Database(postgres_only)
        try:
            with own.session() as session:
                opened = journey.open_link(session, services, token)
                barrier.wait()
                journey.start(session, services, opened)
                assert opened.response is not None
                ids.append(opened.response.id)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(ids) == 6 and len(set(ids)) == 1
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Response)) == 1
