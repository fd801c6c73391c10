"""Pre-filling: pruned answers + engagement facts + templates -> a structured :class:`Draft`.

Templates call a few functions, each of which records what it filled and from where:

* ``answer("ha_pair")``: the answer as the customer would read it, or a placeholder;
* ``fact("ps_days_sold", "PS days sold")``: an engagement fact (sales handover), else the answer;
* ``value("ha_pair")``: the raw value, for ``{% if %}`` and loops (nothing recorded);
* ``records("services")`` and ``item(record, "port")``: a repeating group's records and fields;
  ``records(service, "real_servers")``: the records of the group nested in one record;
* ``placeholder("Change window")``: an item that is always confirmed on the call;
* ``proposal("lb_mode")``: a recommendation derived from the answers, marked with its reason;
* ``deliverable("waf_tuning")``: the deliverable's number (D1, D2...), given in the order the
  deliverables section lists them whatever templates are combined, and the same number when a
  later section refers to it.

``today`` is the date of the pre-fill (``PrefillInput.today``, else the current date).

Engagement facts (from the sales handover, entered by the engineer) are listed in :data:`FACTS`;
``fact()`` and ``value()`` accept those ids as well as question and computed ids.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from questionnaire.engine import FlowResult, Questionnaire, evaluate
from questionnaire.engine.answers import display
from questionnaire.engine.logic import logic_data
from questionnaire.engine.model import Question, RepeatQuestion
from questionnaire.engine.nesting import nested_group
from questionnaire.engine.types import JSON

from .markdown_text import MarkdownText, escape
from .model import PLACEHOLDER, Draft, Field, Proposal, Provenance, Section
from .recommend import recommendations
from .sandbox import BoundedEnvironment, TrustedFunctions, make_environment, render
from .templates import Library, Template

#: The engagement facts templates may name in ``fact()``/``value()``, with their labels. Those
#: that are also questions (``ps_days_sold``...) fall back to the customer's answer.
FACTS: Mapping[str, str] = {
    "customer": "Customer",
    "project": "Project",
    "sow_number": "SoW number",
    "agreement": "Governing agreement",
    "vendor": "Vendor",
    "ps_days_sold": "PS days sold",
    "contract_date": "Sale / invoice / contract date",
    "purchase_order": "Purchase order",
    "quote_number": "Quote number",
    "services_lead": "Services lead",
}


#: The base section that lists the deliverables (and numbers them, see ``deliverable()``).
DELIVERABLES = "deliverables"


@dataclass(frozen=True)
class PrefillInput:
    """What the pre-filler reads: all of it plain data, none of it from the web or the database."""

    answers: Mapping[str, JSON]
    computed: Mapping[str, JSON] = field(default_factory=dict)
    questions: Mapping[str, Question] = field(default_factory=dict)
    facts: Mapping[str, JSON] = field(default_factory=dict)
    dropped: Sequence[Mapping[str, JSON]] = ()
    #: The draft's date; ``None`` for the current date (tests fix it).
    today: date | None = None

    def logic_data(self) -> dict[str, JSON]:
        return logic_data({**self.answers, **self.computed})


@dataclass(frozen=True)
class Record:
    """One record of a repeating group, as templates see it; a nested group's record (a
    service's real server, from ``records(service, "real_servers")``) knows its parent."""

    group: str
    index: int
    data: Mapping[str, JSON]
    parent: Record | None = None

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def name(self) -> str:
        """Where its answers are: ``services[0]``, ``services[0].real_servers[1]``."""
        own = f"{self.group}[{self.index}]"
        return f"{self.parent.name}.{own}" if self.parent is not None else own


class _Recorder(TrustedFunctions):
    """The functions a template calls, recording every field they fill or leave to confirm.

    Its methods are :class:`TrustedFunctions`: templates call them without the sandbox's per-call
    checks. What a key reads as (label, display text, escaped text) is worked out once per
    pre-fill and reused: the answers do not change during one.
    """

    __slots__ = (
        "_answers",
        "_deliverables",
        "_items",
        "_recorded",
        "available",
        "fields",
        "inp",
        "proposals",
        "section",
    )

    def __init__(self, inp: PrefillInput, proposals: Mapping[str, Proposal]) -> None:
        self.inp = inp
        self.available = proposals
        self.fields: list[Field] = []
        self._recorded: set[tuple[str, bool]] = set()  # (key, filled) of each field recorded
        self.proposals: dict[str, Proposal] = {}
        self.section = ""
        #: answer(key) without a label: (label, source, raw, text, escaped text), or None to
        #: confirm.
        self._answers: dict[str, tuple[str, str, JSON, str, MarkdownText] | None] = {}
        #: item() per group: the group question and its sub-questions by id.
        self._items: dict[str, tuple[Question | None, dict[str, Question]]] = {}
        #: deliverable() keys and their numbers, in the order they were listed.
        self._deliverables: dict[str, MarkdownText] = {}

    def _record(self, item: Field) -> None:
        """Each field once, where it first appears: several sections and templates read the
        same answers (the PS days sold three times), and the provenance lists each once."""
        seen = (item.key, item.filled)
        if seen not in self._recorded:
            self._recorded.add(seen)
            self.fields.append(item)

    def _placeholder(self, key: str, label: str) -> MarkdownText:
        self._record(Field(self.section, key, label, None))
        return _placeholder_markdown(label)

    def _filled(self, key: str, label: str, source: str, raw: JSON, text: str) -> MarkdownText:
        provenance = Provenance(source, key, label, raw, text)
        self._record(Field(self.section, key, label, text, provenance))
        return escape(text)

    def _label(self, key: str, label: str | None) -> str:
        if label:
            return label
        question = self.inp.questions.get(key)
        return question.label if question is not None else key.replace("_", " ").capitalize()

    def _display(self, key: str, raw: JSON) -> str:
        question = self.inp.questions.get(key)
        if question is not None:
            return display(question, raw)
        if isinstance(raw, bool):
            return "Yes" if raw else "No"
        return str(raw)

    def _answer(self, key: str) -> tuple[str, str, JSON, str, MarkdownText] | None:
        """What ``answer(key)`` fills, worked out once: (label, source, raw, text, escaped)."""
        try:
            return self._answers[key]
        except KeyError:
            pass
        found: tuple[str, str, JSON, str, MarkdownText] | None = None
        answers, computed = self.inp.answers, self.inp.computed
        if key in answers and answers[key] not in (None, "", []):
            raw, source = answers[key], "answer"
        elif computed.get(key) not in (None, "", []):
            raw, source = computed[key], "computed"
        else:
            raw = source = None
        if source is not None:
            text = self._display(key, raw)
            found = (self._label(key, None), source, raw, text, escape(text))
        self._answers[key] = found
        return found

    def answer(self, key: str, label: str | None = None) -> MarkdownText:
        found = self._answer(key)
        if found is None:
            return self._placeholder(key, self._label(key, label))
        default_label, source, raw, text, escaped = found
        label = label or default_label
        provenance = Provenance(source, key, label, raw, text)
        self._record(Field(self.section, key, label, text, provenance))
        return escaped

    def fact(self, key: str, label: str | None = None) -> MarkdownText:
        raw = self.inp.facts.get(key)
        if raw not in (None, "", []):
            return self._filled(key, self._label(key, label), "fact", raw, str(raw))
        return self.answer(key, label)

    def value(self, key: str) -> JSON:
        if key in self.inp.answers:
            return self.inp.answers[key]
        return self.inp.computed.get(key, self.inp.facts.get(key))

    def records(self, key: str | Record, nested: str | None = None) -> list[Record]:
        """``records("services")``: a group's records; ``records(service, "real_servers")``:
        the records of the group nested in one of them."""
        if isinstance(key, Record):
            raw: JSON = key.data.get(nested or "")
            items = raw if isinstance(raw, list) else []
            return [
                Record(nested or "", i, item, key)
                for i, item in enumerate(items)
                if isinstance(item, Mapping)
            ]
        raw = self.inp.answers.get(key) if isinstance(key, str) else None
        items = raw if isinstance(raw, list) else []
        return [Record(key, i, item) for i, item in enumerate(items) if isinstance(item, Mapping)]

    def _group(self, group_id: str) -> tuple[Question | None, dict[str, Question]]:
        """A group and its fields by id, ``services.real_servers`` for a nested one."""
        try:
            return self._items[group_id]
        except KeyError:
            pass
        top, _, nested = group_id.partition(".")
        group = self.inp.questions.get(top)
        if nested:
            group = nested_group(group, nested) if group is not None else None
        subs: dict[str, Question] = {}
        if isinstance(group, RepeatQuestion):
            for q in group.questions:
                subs.setdefault(q.id, q)  # the first of a repeated id, as a search would find
        found = self._items[group_id] = (group, subs)
        return found

    def item(self, record: Record, key: str, label: str | None = None) -> MarkdownText:
        parent = record.parent
        group, subs = self._group(f"{parent.group}.{record.group}" if parent else record.group)
        sub = subs.get(key)
        name = f"{record.name}.{key}"
        label = label or (sub.label if sub is not None else key)
        whose = f"{_item_name(group)} {record.number}"
        if parent is not None:  # "IP address (service 1, real server 2)"
            whose = f"{_item_name(self._group(parent.group)[0])} {parent.number}, {whose}"
        label = f"{label} ({whose})"
        raw = record.data.get(key)
        if raw in (None, "", []):
            return self._placeholder(name, label)
        text = display(sub, raw) if sub is not None else str(raw)
        return self._filled(name, label, "answer", raw, text)

    def placeholder(self, label: str) -> MarkdownText:
        return self._placeholder(label.lower().replace(" ", "_"), label)

    def proposal(self, topic: str) -> MarkdownText:
        found = self.available.get(topic)
        if found is None:
            return self._placeholder(f"proposal:{topic}", f"Proposal for {topic.replace('_', ' ')}")
        self.proposals[topic] = found
        return MarkdownText(f"**Proposed:** {escape(found.text)} *(why: {escape(found.reason)})*")

    def deliverable(self, key: str) -> MarkdownText:
        """``D1``, ``D2``...: numbered where the deliverables section lists them, so that the
        numbers run on across templates; elsewhere, the number given there."""
        number = self._deliverables.get(key)
        if number is not None:
            return number
        if self.section != DELIVERABLES:
            label = f"Deliverable {key.replace('_', ' ')}"
            return self._placeholder(f"deliverable:{key}", label)
        number = self._deliverables[key] = MarkdownText(f"D{len(self._deliverables) + 1}")
        return number

    def functions(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "fact": self.fact,
            "value": self.value,
            "records": self.records,
            "item": self.item,
            "placeholder": self.placeholder,
            "proposal": self.proposal,
            "deliverable": self.deliverable,
            "today": (self.inp.today or date.today()).isoformat(),
        }


@functools.lru_cache(maxsize=4096)
def _placeholder_markdown(label: str) -> MarkdownText:
    """How a placeholder reads (labels come from templates and questions: a bounded set)."""
    return MarkdownText(f"**{escape(PLACEHOLDER.format(label=label))}**")


def _item_name(group: Question | None) -> str:
    return group.item_label.lower() if isinstance(group, RepeatQuestion) else "item"


def template_functions(inp: PrefillInput) -> dict[str, Any]:
    """The names a template sees for ``inp`` (the linter's trial render uses them)."""
    proposals = {p.topic: p for p in recommendations(inp.answers, inp.computed)}
    return _Recorder(inp, proposals).functions()


def applicable(library: Library, inp: PrefillInput) -> list[Template]:
    """The deployment templates whose ``applies_if`` holds for these answers."""
    data = inp.logic_data()
    return [t for t in library.deployments if t.applies_if is None or t.applies_if.holds(data)]


def prefill(
    library: Library,
    inp: PrefillInput,
    template_ids: Sequence[str] | None = None,
    env: BoundedEnvironment | None = None,
) -> Draft:
    """One SoW with the base sections and the sections of every chosen deployment template."""
    env = env or make_environment()
    chosen = _choose(library, inp, template_ids)
    recorder = _Recorder(inp, {p.topic: p for p in recommendations(inp.answers, inp.computed)})
    context = recorder.functions()
    sections = []
    base = library.base
    for index, section in enumerate(base.spec.sections):
        recorder.section = section.id
        parts = [_render(env, base, index, context)]
        for template in chosen:
            for contribution_index, contribution in enumerate(template.spec.sections):
                if contribution.id == section.id:
                    parts.append(_render(env, template, contribution_index, context))
        body = "\n\n".join(part.strip() for part in parts if part.strip())
        sections.append(Section(section.id, section.title or section.id, body))
    titles = " + ".join(t.spec.title for t in chosen) or "General"
    return Draft(
        title=f"Statement of Work: {titles}",
        templates=tuple(t.id for t in chosen),
        sections=tuple(sections),
        fields=tuple(recorder.fields),
        proposals=tuple(recorder.proposals.values()),
        dropped=tuple(dict(d) for d in inp.dropped),
    )


def _render(
    env: BoundedEnvironment, template: Template, index: int, context: Mapping[str, Any]
) -> str:
    """Section ``index`` of ``template``; a failure names the file, the section and the line."""
    section = template.spec.sections[index]
    name = f"{template.source.name}: {section.id}"
    return render(env, section.markdown, context, name, template.markdown_line(index))


def _choose(
    library: Library, inp: PrefillInput, template_ids: Sequence[str] | None
) -> list[Template]:
    if not template_ids:
        return applicable(library, inp)
    chosen = []
    for template_id in template_ids:
        template = library.get(template_id)
        if template is None:
            known = ", ".join(t.id for t in library.deployments)
            raise KeyError(f"unknown template '{template_id}' (known: {known})")
        chosen.append(template)
    return chosen


def draft_from_answers(
    library: Library,
    questionnaire: Questionnaire,
    answers: Mapping[str, JSON],
    facts: Mapping[str, JSON],
    template_ids: Sequence[str] | None = None,
) -> tuple[Draft, FlowResult]:
    """The one way from a response's answers to its draft, for the app and ``questionnaire
    prefill`` alike: the flow first (only answers on the path count, computed values are there,
    stale answers are reported as dropped), then the templates that apply (or those named)."""
    flow = evaluate(questionnaire, answers)
    inp = PrefillInput(
        answers=flow.answers, computed=flow.computed, questions=questionnaire.models,
        facts=dict(facts), dropped=[d.as_json() for d in flow.dropped],
    )  # fmt: skip
    return prefill(library, inp, template_ids), flow
