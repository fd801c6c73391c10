"""Inline definitions for engine tests: a test reads like the questionnaire it exercises."""

from __future__ import annotations

from typing import Any

import yaml

from questionnaire.engine import Questionnaire, load_text


def definition(
    *pages: dict[str, Any], computed: list[dict[str, Any]] | None = None, **meta: Any
) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": "demo", "title": "Demo", "version": "1.0", **meta}
    if computed:
        doc["computed"] = computed
    doc["pages"] = list(pages)
    return doc


def page(
    page_id: str, *questions: dict[str, Any], next: Any = "review", **extra: Any
) -> dict[str, Any]:
    return {
        "id": page_id,
        "title": page_id.title(),
        **extra,
        "questions": list(questions),
        "next": next,
    }


def question(question_id: str, type: str = "text", **extra: Any) -> dict[str, Any]:
    return {
        "id": question_id,
        "type": type,
        "label": question_id.replace("_", " ").capitalize(),
        **extra,
    }


def choice(question_id: str, *values: str, multi: bool = False, **extra: Any) -> dict[str, Any]:
    choices = [{"value": v, "label": v.replace("_", " ").title()} for v in values]
    return question(question_id, "multi_choice" if multi else "choice", choices=choices, **extra)


def equals(name: str, value: Any) -> dict[str, Any]:
    return {"==": [{"var": name}, value]}


def as_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False)


def load(doc: dict[str, Any], name: str = "demo.yaml") -> Questionnaire:
    return load_text(as_yaml(doc), name)
