"""The ids a SoW template may name, read once from the questionnaire it is linted against.

Split from ``lint`` to keep it short: the questions and computed values (what ``answer()``,
``value()``, ``reads`` and ``applies_if`` name), each repeating group with its fields (``records``,
``item``), and each nested group with its fields (``records(service, "real_servers")``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from questionnaire.engine import Questionnaire
from questionnaire.engine.model import RepeatQuestion

from .lint_nested import nested_fields


@dataclass(frozen=True)
class TemplateIds:
    """The ids a template may name, from one questionnaire."""

    questions: frozenset[str]
    computed: frozenset[str]
    groups: Mapping[str, frozenset[str]]  # repeating group -> its fields
    nested: Mapping[str, frozenset[str]]  # ``services.real_servers`` -> its fields

    @classmethod
    def of(cls, questionnaire: Questionnaire) -> TemplateIds:
        groups = {
            key: frozenset(q.id for q in model.questions)
            for key, model in questionnaire.models.items()
            if isinstance(model, RepeatQuestion)
        }
        return cls(
            frozenset(questionnaire.questions),
            frozenset(c.id for c in questionnaire.computed),
            groups,
            nested_fields(questionnaire),
        )

    @property
    def data(self) -> frozenset[str]:
        return self.questions | self.computed

    @property
    def all_fields(self) -> frozenset[str]:
        return frozenset().union(*self.groups.values()) if self.groups else frozenset()
