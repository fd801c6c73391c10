"""The JSON Schema of the definition format, for editors (VS Code's YAML extension)."""

from __future__ import annotations

import json
from typing import Any

from .model import Definition

SCHEMA_ID = "https://questionnaire.invalid/schema/definition.schema.json"


def definition_schema() -> dict[str, Any]:
    schema = Definition.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "description": "A questionnaire definition: pages form a graph with JSON-Logic conditions.",
        **schema,
    }


def schema_text() -> str:
    return json.dumps(definition_schema(), indent=2, ensure_ascii=False) + "\n"
