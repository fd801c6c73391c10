"""Path tests: files of answers with the path, questions and values the author expects.

A test file (``definitions/tests/*.yaml``)::

    definition: ../pre_discovery.yaml      # relative to the test file
    cases:
      - name: Medical imaging on Cisco ACI
        facts: {ps_days_sold: 5}                            # recorded at the sales handover
        today: "2027-03-03"                                 # the respondent's date (default: today)
        answers: {deployment_types: [medical], network_fabric: cisco_aci}
        expect:
          path: [customer, network, aci, medical, services]   # exact, or
          path_includes: [aci]
          path_excludes: [storage]
          skipped: [storage]                                  # pages whose show_if failed
          visible: [aci_arp_flooding]                         # shown somewhere on the path
          hidden: [storage_vendor]
          computed: {uses_aci: true}
          dropped: [storage_vendor]                           # answers pruned away
          missing: [customer_name]
          problems: {vip_count: Enter a whole number}        # constraint messages, piped
          defaults: {contact_name: Ann}                       # starting values shown, unanswered
          complete: false
          answers: {ps_days_sold: 5}                        # the answers used, pre-filled too
          text: {"services[0].name": "Name at Leeds"}        # labels as piped, by name
          notes: {network: [Check the VLANs]}                 # notes shown (question or page)

``visible``, ``hidden``, ``text``, ``notes`` and ``problems`` name one record's field as
``services[1].port`` (the second record); a group's records are answered as a list,
``answers: {services: [{port: 443}, {port: 80}]}`` (see :mod:`.pathtests_shown`).
          options: {city: [leeds, york]}                    # the options offered, in order

``facts`` are the engagement's handover facts: the questions with ``prefill`` start from them
(as a new response does), and ``answers`` are then the customer's, over the starting values.
``records`` are the engagement's records by source, given to the groups with ``records_from``
(``expect.records`` checks what each shows: see :mod:`.pathtests_records`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from .choice_filter import options_problems
from .compiled import Questionnaire
from .diagnostics import DefinitionError, Diagnostic, did_you_mean
from .facts import FACTS
from .flow import evaluate
from .flow_state import FlowResult
from .given import answer_given, records_problems, starting_records
from .loader import load_file
from .model import RepeatQuestion
from .nesting import nested_names, nested_shown
from .pathtests_records import RecordExpect, check_shown
from .pathtests_shown import RECORD_FIELD, check_seen, shown_by_name, unknown_name, unknown_names
from .prefill import starting_answers
from .schema_errors import translate_validation_error
from .source import Source, parse_yaml


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: list[str] | None = None
    path_includes: list[str] = []
    path_excludes: list[str] = []
    skipped: list[str] | None = None
    visible: list[str] = []
    hidden: list[str] = []
    computed: dict[str, Any] = {}
    dropped: list[str] | None = None
    missing: list[str] | None = None
    problems: dict[str, str] | None = None
    defaults: dict[str, Any] = {}
    complete: bool | None = None
    answers: dict[str, Any] = {}
    records: dict[str, list[RecordExpect]] = {}
    #: Labels as the respondent reads them after piping, by name (``services[0].name``).
    text: dict[str, str] = {}
    #: Exactly the notes shown under a question (by name) or on a page (by page id).
    notes: dict[str, list[str]] = {}
    #: The options a choice question offers on the path, in order (after show_if and filter).
    options: dict[str, list[str]] = {}


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    #: The respondent's date (an ISO date), so that cases reading `today` always pass or fail alike.
    today: date | None = None
    facts: dict[str, Any] = {}
    #: The engagement's records by source (``pdr.virtual_services``), as a new response takes them.
    records: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    expect: Expect


class PathTestFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    definition: str
    cases: list[Case]


@dataclass
class CaseResult:
    file: str
    line: int
    name: str
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def find_test_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.y*ml") if p.suffix in (".yaml", ".yml"))
        else:
            yield path


def run_file(path: Path) -> tuple[list[CaseResult], list[Diagnostic]]:
    """Run every case in one test file; problems with the file itself come back as diagnostics."""
    try:
        source = parse_yaml(path.read_text(encoding="utf-8"), str(path))
        spec = PathTestFile.model_validate(source.value)
        questionnaire = load_file(path.parent / spec.definition)
    except DefinitionError as exc:
        return [], exc.diagnostics
    except ValidationError as exc:
        return [], sorted(translate_validation_error(exc, source))
    except OSError as exc:
        return [], [Diagnostic(str(path), 1, 1, f"cannot read file: {exc}")]
    results = []
    for index, case in enumerate(spec.cases):
        line, _ = source.position(("cases", index))
        result = CaseResult(str(path), line, case.name)
        result.failures = list(check_case(questionnaire, case, source, index))
        results.append(result)
    return results, []


def check_case(
    questionnaire: Questionnaire, case: Case, source: Source, index: int
) -> Iterator[str]:
    yield from _unknown_facts(case.facts)
    yield from (f"records: {problem}" for problem in records_problems(case.records))
    starting = {
        **starting_answers(questionnaire, case.facts),
        **starting_records(questionnaire, case.records),
    }
    answers = answer_given(questionnaire, starting, case.answers)
    flow = evaluate(questionnaire, answers, today=case.today)
    expect = case.expect
    if expect.path is not None and list(flow.path) != expect.path:
        yield f"path: expected {expect.path}, got {list(flow.path)}"
    for page in expect.path_includes:
        if page not in flow.path:
            yield f"path: expected to include '{page}', got {list(flow.path)}"
    for page in expect.path_excludes:
        if page in flow.path:
            yield f"path: expected not to include '{page}', got {list(flow.path)}"
    if expect.skipped is not None and list(flow.skipped) != expect.skipped:
        yield f"skipped: expected {expect.skipped}, got {list(flow.skipped)}"
    known = question_names(questionnaire)
    yield from _unknown_questions(known, expect, questionnaire)
    visible = _visible(flow) | set(shown_by_name(flow))
    yield from (
        f"'{q}' expected visible, but it is not shown"
        for q in expect.visible
        if (q in known or RECORD_FIELD.match(q)) and q not in visible
    )
    yield from (f"'{q}' expected hidden, but it is shown" for q in expect.hidden if q in visible)
    for key, value in expect.computed.items():
        if key not in flow.computed:
            yield f"computed: '{key}' is not a computed value"
        elif not same_json(flow.computed[key], value):
            yield f"computed: '{key}' expected {value!r}, got {flow.computed[key]!r}"
    if expect.dropped is not None:
        dropped = sorted(d.question for d in flow.dropped)
        if dropped != sorted(expect.dropped):
            yield f"dropped: expected {sorted(expect.dropped)}, got {dropped}"
    if expect.missing is not None and sorted(flow.missing) != sorted(expect.missing):
        yield f"missing: expected {sorted(expect.missing)}, got {sorted(flow.missing)}"
    defaults = flow.as_json()["defaults"]
    assert isinstance(defaults, dict)
    for key, value in expect.defaults.items():
        if not same_json(defaults.get(key), value):
            yield f"defaults: '{key}' expected {value!r}, got {defaults.get(key)!r}"
    problems = {k: v for page in flow.path for k, v in flow.pages[page].problems.items()}
    if expect.problems is not None and problems != expect.problems:
        yield f"problems: expected {expect.problems}, got {problems}"
    yield from unknown_names(questionnaire, expect.problems or {})
    if expect.complete is not None and flow.complete != expect.complete:
        yield f"complete: expected {expect.complete}, got {flow.complete} (missing {list(flow.missing)})"
    for key, value in expect.answers.items():
        if not same_json(flow.answers.get(key), value):
            yield f"answers: '{key}' expected {value!r}, got {flow.answers.get(key)!r}"
    yield from check_shown(flow, expect.records)
    yield from check_seen(questionnaire, flow, expect.text, expect.notes)
    yield from options_problems(flow, expect.options)


def _unknown_facts(facts: dict[str, Any]) -> Iterator[str]:
    for name in facts:
        if name not in FACTS:
            yield f"facts: unknown fact '{name}'{did_you_mean(name, FACTS)}"


def question_names(questionnaire: Questionnaire) -> list[str]:
    """Every name a path test may give in ``visible``/``hidden``: ids, and ``group.field``."""
    names: list[str] = []
    for page in questionnaire.definition.pages:
        for question in page.questions:
            names.append(question.id)
            if isinstance(question, RepeatQuestion):
                names.extend(f"{question.id}.{field.id}" for field in question.questions)
                names.extend(nested_names(question))
    return names


def _unknown_questions(
    known: list[str], expect: Expect, questionnaire: Questionnaire
) -> Iterator[str]:
    """A name that is no question would pass ``hidden`` for ever (and fail ``visible`` obscurely)."""
    for key in ("visible", "hidden"):
        for name in getattr(expect, key):
            if RECORD_FIELD.match(name):  # one record's field: services[1].port
                if (problem := unknown_name(questionnaire, name)) is not None:
                    yield f"{key}: {problem}"
            elif name not in known:
                yield f"{key}: unknown question '{name}'{did_you_mean(name, known)}"


def same_json(left: Any, right: Any) -> bool:
    """Equality as JSON sees it: ``true`` is not ``1`` and ``false`` is not ``0``."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            same_json(a, b) for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same_json(left[k], right[k]) for k in left)
    return bool(left == right)


def _visible(flow: FlowResult) -> set[str]:
    shown: set[str] = set()
    for page in flow.path:
        for question in flow.pages[page].questions:
            shown.add(question.id)
            for record in question.records:
                shown.update(f"{question.id}.{f.id}" for f in record)
                shown.update(nested_shown(question.id, record))
    return shown
