"""The building blocks of the definition format that questions and pages share.

Split from ``model`` to keep it short: the strict base every part of the format derives from,
identifiers, JSON-Logic rules and text, and the constraints, notes and options questions carry.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from . import option_keys

Identifier = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]{0,62}$",
        description="Lower-case letters, digits and underscores, starting with a letter.",
    ),
]
#: A JSON-Logic rule. Checked against our operator allow-list when the definition loads.
Rule = Annotated[Any, Field(description="A JSON-Logic rule over the answers (see README).")]
Text = Annotated[str, Field(min_length=1, max_length=5000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Constraint(Strict):
    """A rule the answer must satisfy; ``{"var": "value"}`` is the answer being checked."""

    rule: Rule
    message: Text = Field(description="Shown to the respondent when the rule is false.")


class Note(Strict):
    """Text shown under a question or page, only while ``show_if`` holds (e.g. a Cisco ACI warning)."""

    text: Text
    kind: Literal["info", "warning"] = "info"
    show_if: Rule = None


def _option_keys(schema: dict[str, Any]) -> None:
    """Let editors accept an option's own keys (``country: uk``), which ``choice_filter`` reads."""
    schema["additionalProperties"] = {"type": ["string", "number", "boolean"]}


class Choice(Strict):
    """An option; keys beyond these are the option's own (``country: uk`` on a city), read by
    the question's ``choice_filter`` as ``{"var": "option.country"}``."""

    model_config = ConfigDict(
        extra="allow", frozen=True, str_strip_whitespace=True, json_schema_extra=_option_keys
    )

    value: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:+/-]+$")]
    label: Text
    hint: Text | None = None
    show_if: Rule = Field(None, description="The option is offered only while this holds.")

    @model_validator(mode="after")
    def _own_keys_are_plain(self) -> Choice:
        option_keys.check(self.model_extra or {})
        return self
