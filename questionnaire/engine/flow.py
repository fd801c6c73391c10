"""The flow: which pages and questions apply to a set of answers, and what is left out.

Answers are never trusted: ill-typed or stale answers are treated as unanswered and reported
as dropped, so the flow never fails whatever is stored. Conditions see only answers that are on
the active path and visible (the *context*), so an answer left behind on an abandoned branch can
never steer the questionnaire.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from . import counted, record_computed
from .answers import Invalid, conforms, parse_answer
from .choice_filter import offered
from .compiled import CompiledNote, CompiledPage, CompiledQuestion, Questionnaire
from .dates import TODAY, relative_date_problem, today_in
from .defaults import starting_value
from .flow_state import Dropped, FlowResult, PageState, ShownNote, ShownQuestion
from .given import field_questions, given_fields, heading, is_given
from .logic import is_unanswered, nests_too_deep
from .model import REVIEW, DateQuestion, RepeatQuestion
from .piping import pipe
from .text_rules import text_problem
from .types import JSON


def evaluate(
    questionnaire: Questionnaire,
    answers: Mapping[str, JSON],
    until: str | None = None,
    *,
    trusted: bool = False,
    today: date | None = None,
) -> FlowResult:
    """Walk the graph from the start page with ``answers``.

    With ``until``, the walk stops after that page: showing a page costs the pages before it,
    not the whole definition. ``trusted`` answers were parsed by :func:`parse_answer` when they
    were stored (the web app's); they are checked for their shape only, not parsed again.
    ``today`` is the respondent's date; by default, today in the definition's ``time_zone``.
    """
    return _Walk(questionnaire, answers, trusted, today).run(until)


class _Walk:
    def __init__(
        self,
        questionnaire: Questionnaire,
        answers: Mapping[str, JSON],
        trusted: bool,
        today: date | None,
    ) -> None:
        self.q = questionnaire
        self.trusted = trusted
        self.answers = answers if isinstance(answers, Mapping) else {}
        zone = questionnaire.definition.time_zone
        self.today = today or today_in(self.answers.get(zone) if zone else None)
        # What conditions see: active, answered values, and the respondent's date.
        self.context: dict[str, JSON] = {TODAY: self.today.isoformat()}
        self.pruned: dict[str, JSON] = {}
        self.computed: dict[str, JSON] = {}
        self.dropped: list[Dropped] = []
        self.missing: list[str] = []
        self.problems: dict[str, str] = {}
        self.path: list[str] = []
        #: Pages passed over because their own condition did not hold.
        self.skipped: list[str] = []
        #: The sub-questions of the record being walked, for `{item.field}` quotes.
        self.fields: Mapping[str, Any] | None = None
        #: Counted groups' records beyond their count, by group, for the question shown.
        self.surplus: dict[str, tuple[counted.Surplus, ...]] = {}

    def run(self, until: str | None) -> FlowResult:
        self._recompute(None)
        path = self.path
        pages: dict[str, PageState] = {}
        skipped = self.skipped
        page_id = self.q.start
        while page_id != REVIEW and page_id in self.q.pages and page_id not in pages:
            page = self.q.pages[page_id]
            if page_id == self.q.start and self._skips(page):
                skipped.append(page_id)
                page_id = self._next(page)
                continue
            state = self._page(page)
            path.append(page_id)
            pages[page_id] = state
            if page_id == until:
                break
            page_id = state.next
        if until is None:
            self._drop_inactive()
        return FlowResult(
            tuple(path),
            pages,
            self.pruned,
            dict(self.computed),
            tuple(self.dropped),
            tuple(skipped),
            self.today,
        )

    # -- pages ---------------------------------------------------------------------------------

    def _page(self, page: CompiledPage) -> PageState:
        self.missing, self.problems = [], {}
        shown = []
        for question in page.questions:
            visible = self._question(question, self.answers.get(question.id))
            if visible is not None:
                shown.append(visible)
        return PageState(
            id=page.id,
            title=self._pipe(page.page.title),
            intro=self._pipe(page.page.intro) if page.page.intro else None,
            notes=self._notes(page.notes),
            questions=tuple(shown),
            missing=tuple(self.missing),
            problems=dict(self.problems),
            next=self._next(page),
        )

    def _next(self, page: CompiledPage) -> str:
        """The next page shown: pages whose own condition fails are passed over (and
        recorded), following their edges, so Next and Back never land on them."""
        target = self._edge_target(page)
        while target in self.q.pages and target not in self.skipped:
            ahead = self.q.pages[target]
            if not self._skips(ahead):
                break
            self.skipped.append(target)
            target = self._edge_target(ahead)
        return target

    def _skips(self, page: CompiledPage) -> bool:
        return page.show_if is not None and not page.show_if.holds(self.context)

    def _edge_target(self, page: CompiledPage) -> str:
        for edge in page.edges:
            if edge.condition is None or edge.condition.holds(self.context):
                return edge.to
        return REVIEW  # unreachable for a linted definition: the last edge is a default

    def _recompute(self, added: str | None) -> None:
        """Refresh the computed values that depend on the answer just added (all, at the start).

        Refreshing right away lets later questions on the same page, and notes under the answer
        itself, see a computed value that the answer changes.
        """
        for computed in self.q.computed if added is None else self.q.dependents.get(added, ()):
            value = computed.rule.evaluate(self.context)
            if nests_too_deep(value):  # computed values that wrap each other nest without bound
                value = None
            self.computed[computed.id] = value
            if is_unanswered(value):
                self.context.pop(computed.id, None)
            else:
                self.context[computed.id] = value

    # -- questions -----------------------------------------------------------------------------

    def _question(self, cq: CompiledQuestion, raw: JSON, field: str = "") -> ShownQuestion | None:
        """Evaluate one question; record its answer in the context when it is visible and valid."""
        question = cq.question
        qid = question.id
        name = field or qid
        context = self.context
        if cq.show_if is not None and not cq.show_if.holds(context):
            return None
        if question.hidden:  # never asked: its default is its answer
            self._remember(qid, starting_value(cq, context), name)
            return None
        choices = offered(cq, context) if cq.choices else ()
        value = self._accepted(cq, raw, name, choices)
        records: tuple[tuple[ShownQuestion, ...], ...] = ()
        headings: tuple[str, ...] = ()
        repeat = isinstance(question, RepeatQuestion)
        if repeat and (value is not None or cq.count is not None):
            value, records, headings = self._records(cq, value or [], name)
        required = cq.required_if.holds(context) if cq.required_if else question.required
        if value is None or is_unanswered(value):
            # Given records are the engagement's to supply: none is nothing to answer.
            asked = required or (repeat and question.min_items > 0)  # type: ignore[union-attr]
            if asked and not is_given(question) and cq.count is None:  # none counted: none due
                self.missing.append(name)
            value = None
        else:
            self._check_constraints(cq, value, name, in_record="[" in name)
        self._remember(qid, value, name)
        notes = self._notes(cq.notes) if cq.notes else ()
        # Texts without a quote need no piping (the common case): skip the call.
        label, hint, help_ = question.label, question.hint, question.help
        return ShownQuestion(
            id=qid,
            question=question,
            label=self._pipe(label) if "{" in label else label,
            hint=(self._pipe(hint) if "{" in hint else hint) if hint else None,
            help=(self._pipe(help_) if "{" in help_ else help_) if help_ else None,
            required=required,
            value=value,
            choices=choices,
            notes=notes,
            records=records,
            headings=headings,
            surplus=self.surplus.pop(name, ()),
            default=starting_value(cq, context) if value is None and cq.default else None,
        )

    def _remember(self, key: str, value: JSON, name: str) -> None:
        if value is None:
            return
        if "[" in name:  # a field inside a record: the record collects it
            self.context["item"][key] = value
            return
        self.pruned[key] = value
        self.context[key] = value
        self._recompute(key)

    def _accepted(
        self, cq: CompiledQuestion, raw: JSON, name: str, choices: tuple[Any, ...]
    ) -> JSON:
        """The stored answer if it still fits the question, else ``None`` (and a dropped entry)."""
        if is_unanswered(raw):
            return None
        if self.trusted:
            parsed = raw if conforms(cq.question, raw) else Invalid("not in the expected form")
        else:
            parsed = parse_answer(cq.question, raw)
        if isinstance(parsed, Invalid) or parsed is None:
            reason = f"not a valid answer: {parsed.message}" if parsed else "not a valid answer"
            self.dropped.append(Dropped(name, raw, reason))
            return None
        raw = parsed
        if not cq.choices:
            return raw
        offered = {c.value for c in choices}
        if len(offered) < len(cq.choices):
            picked = raw if isinstance(raw, list) else [raw]
            withdrawn = [v for v in picked if v not in offered]
            if withdrawn:
                reason = f"option(s) {', '.join(map(repr, withdrawn))} no longer offered"
                self.dropped.append(Dropped(name, raw, reason))
                kept = [v for v in picked if v in offered]
                return (kept or None) if isinstance(raw, list) else None
        return raw

    def _check_constraints(
        self, cq: CompiledQuestion, value: JSON, name: str, in_record: bool
    ) -> None:
        """Run the text rules and the author's constraints; ``value`` (and, outside records,
        the id) is the answer."""
        text = text_problem(cq.question, value) or self._date_problem(cq, value)
        if not cq.constraints and text is None:
            return
        own = {"value": value} if in_record else {"value": value, cq.id: value}
        self.context.update(own)
        try:
            message = text or next(
                (c.message for c in cq.constraints if not c.rule.holds(self.context)), None
            )
            if message is not None:
                # Piped while `value` is in the context, so `{value}` quotes the answer as
                # the respondent reads it (the question's own display).
                questions = {**self.q.models, "value": cq.question}
                self.problems[name] = pipe(message, self.context, questions, self.fields)
        finally:
            for key in own:
                del self.context[key]

    def _date_problem(self, cq: CompiledQuestion, value: JSON) -> str | None:
        question = cq.question
        if not isinstance(question, DateQuestion) or not (question.min or question.max):
            return None
        return relative_date_problem(question.min, question.max, value, self.today)

    def _records(
        self, cq: CompiledQuestion, records: list[JSON], name: str
    ) -> tuple[list[JSON] | None, tuple[tuple[ShownQuestion, ...], ...], tuple[str, ...]]:
        assert isinstance(cq.question, RepeatQuestion)
        group = cq.question
        given = is_given(group)
        count = counted.record_count(cq, self.context)
        if count is not None:
            records = self._fit(group, records, count, name)
        kept: list[JSON] = []
        shown: list[tuple[ShownQuestion, ...]] = []
        for index, record in enumerate(records):
            if index >= group.max_items and not given:
                self.dropped.append(
                    Dropped(f"{name}[{index}]", record, f"more than {group.max_items} items")
                )
                continue
            fields, pruned = self._record(cq, record, f"{name}[{index}]")
            kept.append(pruned)
            shown.append(fields)
        if kept and len(kept) < group.min_items and not given and count is None:
            self.problems[name] = (
                f"Add at least {group.min_items} {group.item_label.lower()} entries"
            )
        headings = tuple(heading(group, record) for record in kept) if given else ()
        return (kept or None), tuple(shown), headings

    def _fit(self, group: RepeatQuestion, records: list[JSON], count: int, name: str) -> list[JSON]:
        """Exactly ``count`` records; typed ones beyond it are flagged, and hold the page."""
        kept, surplus = counted.fit(records, count)
        for index, record in surplus:
            reason = f"{group.item_label.lower()} {index + 1} of {count}: flagged for removal"
            self.dropped.append(Dropped(f"{name}[{index}]", dict(record), reason))
        if surplus:
            self.surplus[name] = tuple(surplus)
            self.problems[name] = counted.surplus_message(group, count, surplus)
        return kept

    def _record(
        self, cq: CompiledQuestion, record: JSON, prefix: str
    ) -> tuple[tuple[ShownQuestion, ...], JSON]:
        # A given record's fields are known before any of its questions is asked.
        group = cq.question
        # A nested group's record is walked inside its parent's: `item` is the inner record
        # while its fields are asked, then the parent's again.
        outer_item, outer_fields = self.context.get("item"), self.fields
        self.context["item"] = given_fields(group, record)
        self.fields = {item.id: item.question for item in cq.items}
        if isinstance(group, RepeatQuestion) and self.context["item"]:
            self.fields = {**field_questions(str(group.records_from)), **self.fields}
        fields = []
        try:
            for item in cq.items:
                raw = record.get(item.id)
                shown = self._question(item, raw, f"{prefix}.{item.id}")
                if shown is not None:
                    fields.append(shown)
                elif not is_unanswered(raw):
                    self.dropped.append(
                        Dropped(f"{prefix}.{item.id}", raw, "hidden by its condition")
                    )
            if cq.record_computed:
                record_computed.fill(cq, self.context)
            return tuple(fields), self.context["item"]
        finally:
            del self.context["item"]
            if outer_item is not None:
                self.context["item"] = outer_item
            self.fields = outer_fields

    def _notes(self, notes: tuple[CompiledNote, ...]) -> tuple[ShownNote, ...]:
        if not notes:
            return ()
        return tuple(
            ShownNote(self._pipe(n.note.text), n.note.kind)
            for n in notes
            if n.show_if is None or n.show_if.holds(self.context)
        )

    def _pipe(self, text: str) -> str:
        return pipe(text, self.context, self.q.models, self.fields)

    # -- pruning -------------------------------------------------------------------------------

    def _drop_inactive(self) -> None:
        """Report every stored answer that the active path does not use, with the reason."""
        reported = {d.question for d in self.dropped}
        on_path = set(self.path)
        for key, value in self.answers.items():
            if key in self.pruned or key in reported or is_unanswered(value):
                continue
            page = self.q.page_of.get(key)
            if page is None:
                reason = "not a question in this definition"
            elif page in self.skipped:
                reason = f"page '{page}' is skipped by its condition"
            elif page not in on_path:
                reason = f"page '{page}' is not on the respondent's path"
            else:
                reason = "hidden by its condition"
            self.dropped.append(Dropped(key, value, reason))
