"""The answer sets the template linter renders every section with: none, then each path test.

With no answers, loops over records run zero times, so a template that goes past a limit only
with real answers (a loop per service, ten thousand times) passes. The questionnaire's own path
tests (``definitions/tests/*.yaml`` that name its file) are realistic answer sets: each section
is rendered with each of them too, as the pre-fill would render it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from questionnaire.engine import DefinitionError, Questionnaire, evaluate
from questionnaire.engine.pathtests import PathTestFile
from questionnaire.engine.source import parse_yaml
from questionnaire.engine.types import JSON

from .prefill import PrefillInput, template_functions
from .templates import Template

#: What the trial renders use for ``today`` (any fixed date would do).
TRIAL_DATE = date(2000, 1, 1)

AnswerSet = tuple[str, Mapping[str, JSON]]


@dataclass(frozen=True)
class Trial:
    """One answer set: how messages name it, the names templates see, and the data that
    decides which deployment templates apply (``None``: render them all)."""

    description: str
    context: Mapping[str, Any]
    data: Mapping[str, JSON] | None

    def applies_to(self, template: Template) -> bool:
        rule = template.applies_if
        if self.data is None or template.spec.kind == "base" or rule is None:
            return True
        return rule.holds(self.data)


def trials(questionnaire: Questionnaire, answer_sets: Sequence[AnswerSet] | None) -> list[Trial]:
    """The no-answers trial, then one per answer set (by default, the path tests)."""
    found = [_trial(questionnaire, "with no answers", {}, every_template=True)]
    for name, answers in path_test_answers(questionnaire) if answer_sets is None else answer_sets:
        found.append(_trial(questionnaire, f"with the answers of path test '{name}'", answers))
    return found


def _trial(
    questionnaire: Questionnaire,
    description: str,
    answers: Mapping[str, JSON],
    every_template: bool = False,
) -> Trial:
    flow = evaluate(questionnaire, dict(answers))
    inp = PrefillInput(flow.answers, flow.computed, questionnaire.models, {}, (), TRIAL_DATE)
    return Trial(description, template_functions(inp), None if every_template else inp.logic_data())


def path_test_answers(questionnaire: Questionnaire) -> list[AnswerSet]:
    """The answers of every path test next to the definition (in ``tests/``) that runs it."""
    definition = Path(questionnaire.source_name).resolve()
    found: list[AnswerSet] = []
    for path in sorted((definition.parent / "tests").glob("*.yaml")):
        try:
            source = parse_yaml(path.read_text(encoding="utf-8"), str(path))
            spec = PathTestFile.model_validate(source.value)
        except (DefinitionError, ValidationError, OSError, UnicodeDecodeError):
            continue  # `questionnaire test` reports a broken test file; lint has nothing to run
        if (path.parent / spec.definition).resolve() == definition:
            found += [(case.name, case.answers) for case in spec.cases]
    return found
