"""The customer's use cases behind a one-time link: open it, start, answer a page, save for
later (review and submission are in :mod:`.submission`). Each takes explicit inputs and owns
its transaction.

A GET walks the flow at most once (and not at all when the last save left its flow in the
cache); a page POST parses once and walks once, and that walk is the flow the next page needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, bindparam, select
from sqlalchemy.orm import Session, contains_eager, defer, load_only

from questionnaire.engine import (
    REVIEW,
    FlowResult,
    PageNotOnPath,
    PageState,
    Questionnaire,
    evaluate,
    submit_page,
)
from questionnaire.engine.answers import Invalid, parse_answer
from questionnaire.engine.logic import is_unanswered
from questionnaire.engine.model import FileQuestion
from questionnaire.store.models import Engagement, Link, Response, ResponseStatus, utcnow

from . import responses, uploads
from .context import Context
from .links import LinkState, token_hash, valid_shape


class LinkRefused(Exception):
    """The token opens no working link: unknown, expired or revoked."""

    def __init__(self, state: LinkState) -> None:
        super().__init__(state.value)
        self.state = state


class DefinitionUnavailable(Exception):
    """The link's questionnaire is not loaded (missing or broken definition file)."""


@dataclass
class OpenLink:
    """What a working link opens: its engagement, questionnaire and response (once started)."""

    token: str
    link: Link
    questionnaire: Questionnaire
    response: Response | None

    @property
    def engagement(self) -> Engagement:
        return self.link.engagement

    @property
    def actor(self) -> str:
        return f"customer:link:{self.link.id}"

    @property
    def submitted(self) -> bool:
        return self.response is not None and self.response.status is ResponseStatus.SUBMITTED


def _link_and_response() -> Select[Link, Response]:
    """The link by its token's hash, and its one response, with only the link's columns that
    requests read (others load on first use). Built once per statement below, so that its
    cache key is computed once, not on every request."""
    return (
        select(Link, Response)
        .outerjoin(
            Response,
            and_(
                Response.engagement_id == Link.engagement_id,
                Response.definition_id == Link.definition_id,
            ),
        )
        .options(
            load_only(Link.id, Link.engagement_id, Link.definition_id, Link.expires_at,
                      Link.revoked_at),
        )
        .where(Link.token_hash == bindparam("token_hash"))
    )  # fmt: skip


#: What a save reads: the link with its engagement, and the response with its answers.
_LINK_AND_RESPONSE = (
    _link_and_response()
    .join(Link.engagement)
    .options(contains_eager(Link.engagement).load_only(Engagement.id, Engagement.customer))
)
#: What a GET reads: not the answers, which are loaded on first use (a GET whose flow is cached
#: never reads them: the flow holds the page's answers, so its cost does not grow with the
#: questionnaire), nor the engagement (only the start page names the customer, and loads it).
_WITHOUT_ANSWERS = _link_and_response().options(defer(Response.answers))


def open_link(db: Session, context: Context, token: str, *, with_answers: bool = True) -> OpenLink:
    """The link a token opens, with its engagement and its one response, in one query. Reads
    only. ``with_answers``: load the answers now (a save reads them); else on first use."""
    if not valid_shape(token):
        raise LinkRefused(LinkState.UNKNOWN)
    statement = _LINK_AND_RESPONSE if with_answers else _WITHOUT_ANSWERS
    row = db.execute(statement, {"token_hash": token_hash(token)}).first()
    if row is None:
        raise LinkRefused(LinkState.UNKNOWN)
    link, response = row
    if link.revoked_at is not None:
        raise LinkRefused(LinkState.REVOKED)
    if link.expires_at <= utcnow():
        raise LinkRefused(LinkState.EXPIRED)
    if response is not None:
        pinned = context.definitions.by_hash(db, response.definition_sha256)
        return OpenLink(token, link, pinned, response)
    current = context.definitions.current.get(link.definition_id)
    if current is None:
        raise DefinitionUnavailable(link.definition_id)
    return OpenLink(token, link, current, None)


# -- where to go --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Go:
    """Where the customer goes next: ``start``, ``done``, ``review``, ``saved`` or a page."""

    to: str
    page: str | None = None
    anchor: str | None = None
    submitted_now: bool = False


def resume(context: Context, opened: OpenLink) -> Go:
    if opened.response is None:
        return Go("start")
    if opened.submitted:
        return Go("done")
    return _to(flow_of(context, opened).resume_page)


def _to(page_id: str) -> Go:
    return Go("review") if page_id == REVIEW else Go("page", page_id)


def flow_of(context: Context, opened: OpenLink) -> FlowResult:
    return context.flows.flow_of(opened.questionnaire, opened.response)


# -- starting -----------------------------------------------------------------------------------


def start(db: Session, context: Context, opened: OpenLink) -> Go:
    """Create the link's response on the customer's first POST (a GET never creates it)."""
    if opened.response is None:
        opened.response = responses.start(
            db, context.definitions, opened.link, opened.questionnaire, opened.actor
        )
    return resume(context, opened)


# -- a page -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageView:
    """A page of the questionnaire as the flow shows it for a set of answers."""

    q: Questionnaire
    response: Response
    flow: FlowResult
    page_id: str

    @property
    def state(self) -> PageState:
        return self.flow.pages[self.page_id]

    @property
    def previous(self) -> str | None:
        return self.flow.previous_page(self.page_id)

    @property
    def number(self) -> int:
        return self.flow.path.index(self.page_id) + 1


def show_page(context: Context, opened: OpenLink, page_id: str) -> PageView | Go:
    """The page on the stored answers' path, or where to go instead."""
    if opened.response is None or opened.submitted:
        return resume(context, opened)
    flow = flow_of(context, opened)
    if page_id not in flow.pages:
        return _to(flow.resume_page)
    return PageView(opened.questionnaire, opened.response, flow, page_id)


@dataclass(frozen=True)
class PostedPage:
    """What the customer's browser posted for a page."""

    version: int
    values: Mapping[str, Any]
    files: Mapping[str, uploads.IncomingFile] = field(default_factory=dict)
    later: bool = False
    #: The questions the page showed when it was sent (``None``: as the stored answers show it).
    shown_before: frozenset[str] | None = None


@dataclass(frozen=True)
class PageProblems:
    """The page again: the customer's typed values kept, and what to put right."""

    view: PageView
    errors: Mapping[str, str]
    status: int = 400
    #: ``conflict`` (saved elsewhere first), ``partly_saved`` (later, with some invalid answers).
    notice: str | None = None
    #: Questions this post revealed: shown as new questions, not as errors.
    revealed: tuple[str, ...] = ()


def answer_page(
    db: Session, context: Context, opened: OpenLink, page_id: str, posted: PostedPage
) -> Go | PageProblems:
    """Save a page: valid answers are kept whatever else is wrong; one parse, one walk."""
    response = opened.response
    q = opened.questionnaire
    if response is None or opened.submitted:
        return resume(context, opened)
    if page_id not in q.pages:
        return resume(context, opened)
    staged, file_errors = _stage_files(context, db, opened, page_id, posted)
    values = {**posted.values, **_file_answers(q, page_id, response, staged)}
    stored = response.answers
    try:
        result = submit_page(
            q, stored, page_id, values, trusted=True, whole_flow=True,
            current=context.flows.cached(q, response),
        )  # fmt: skip
    except PageNotOnPath:
        uploads.discard(context.settings, staged.values())
        return resume(context, opened)
    state = result.flow.pages.get(page_id)
    if state is None:  # the page is not on the path of the answers as they stand
        uploads.discard(context.settings, staged.values())
        return resume(context, opened)
    shown = {q.id for q in state.questions}
    kept = [f for qid, f in staged.items() if qid in shown]
    uploads.discard(context.settings, [f for qid, f in staged.items() if qid not in shown])
    try:
        saved = responses.save_answers(
            db, context.settings, response, posted.version, result.answers, kept, opened.actor,
            "response.save", page=page_id,
        )  # fmt: skip
    except responses.Conflict:
        opened_flow = context.flows.flow_of(q, response)
        view = PageView(q, response, opened_flow, page_id)
        if page_id not in opened_flow.pages:
            return resume(context, opened)
        return PageProblems(view, {}, status=409, notice="conflict")
    except responses.AlreadySubmitted:
        return Go("done")
    if saved and _walked_what_was_stored(values, result.answers, shown):
        context.flows.remember(q, response, result.flow)
    view = PageView(q, response, result.flow, page_id)
    return _after_save(view, posted, state, {**result.errors, **file_errors})


def _after_save(
    view: PageView, posted: PostedPage, state: PageState, errors: dict[str, Any]
) -> Go | PageProblems:
    revealed = _revealed(posted, state)
    # A question the post revealed has not been seen yet: it is asked, not reported as missing.
    missing = set(state.missing)
    errors = {k: v for k, v in errors.items() if not (k in missing and k.split("[")[0] in revealed)}
    messages = {key: str(getattr(m, "message", m)) for key, m in errors.items()}
    too_large = any(getattr(m, "too_large", False) for m in errors.values())
    if posted.later:  # only what was typed and could not be kept matters, not what is missing
        invalid = {
            k: v
            for k, v in messages.items()
            if k not in missing or _typed(posted.values.get(k)) or k in posted.files
        }
        if not invalid:
            return Go("saved")
        return PageProblems(view, invalid, status=413 if too_large else 400, notice="partly_saved")
    if messages:
        return PageProblems(view, messages, status=413 if too_large else 400, revealed=revealed)
    if revealed:  # without JavaScript, the questions the answers revealed are asked now
        return Go("page", view.page_id, anchor=f"{revealed[0]}-group")
    return _to(view.flow.next_page(view.page_id))


def _typed(value: Any) -> bool:
    """Whether the customer typed or chose something for a field (blank is nothing)."""
    if isinstance(value, list):
        return any(str(v).strip() for v in value)
    return value is not None and str(value).strip() != ""


def _revealed(posted: PostedPage, after: PageState) -> tuple[str, ...]:
    """The questions the answers just posted revealed and left unanswered."""
    before = posted.shown_before
    if before is None:
        return ()
    return tuple(
        shown.id
        for shown in after.questions
        if shown.id not in before and shown.value is None and not shown.records
    )


def _walked_what_was_stored(
    values: Mapping[str, Any], stored: Mapping[str, Any], shown: set[str]
) -> bool:
    """Whether the walk saw only answers that were stored: no posted value for a hidden
    question took part (a forged or stale post), so its flow is the stored answers' flow. A
    blank posted for a hidden question is no answer, as its absence is."""
    return all(
        key in shown or stored.get(key) == value or (is_unanswered(value) and key not in stored)
        for key, value in values.items()
    )


def _stage_files(
    context: Context, db: Session, opened: OpenLink, page_id: str, posted: PostedPage
) -> tuple[dict[str, uploads.StagedFile], dict[str, uploads.FileError]]:
    staged: dict[str, uploads.StagedFile] = {}
    errors: dict[str, uploads.FileError] = {}
    assert opened.response is not None
    for cq in opened.questionnaire.pages[page_id].questions:
        incoming = posted.files.get(cq.id)
        if not isinstance(cq.question, FileQuestion) or incoming is None:
            continue
        if not incoming.filename:
            continue
        used = sum(f.size for f in staged.values())
        result = uploads.stage(
            context.settings, db, opened.response, cq.question, incoming, already_staged=used
        )
        if isinstance(result, uploads.FileError):
            errors[cq.id] = result
        else:
            staged[cq.id] = result
    return staged, errors


def _file_answers(
    q: Questionnaire, page_id: str, response: Response, staged: Mapping[str, uploads.StagedFile]
) -> dict[str, Any]:
    """A file question's answer: the file just staged, else the one stored before."""
    answers: dict[str, Any] = {}
    for cq in q.pages[page_id].questions:
        if isinstance(cq.question, FileQuestion):
            chosen = staged.get(cq.id)
            answers[cq.id] = chosen.answer() if chosen else response.answers.get(cq.id)
    return answers


# -- the script's preview -----------------------------------------------------------------------


def preview_page(view: PageView, typed: Mapping[str, Any]) -> PageState:
    """The page as it applies to what is typed so far (nothing is saved): one parse, one walk."""
    answers = dict(view.response.answers)
    for cq in view.q.pages[view.page_id].questions:
        if cq.id in typed:
            parsed = parse_answer(cq.question, typed[cq.id])
            answers[cq.id] = None if isinstance(parsed, Invalid) else parsed
    return evaluate(view.q, answers, until=view.page_id, trusted=True).pages[view.page_id]
