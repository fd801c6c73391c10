"""The definition format as typed, immutable models.

A definition is a graph: pages are nodes, each page's ``next`` edges carry JSON-Logic conditions
and end with a default edge, one page is the start, and the special target ``review`` ends the
questionnaire. The JSON Schema that editors use (``questionnaire schema``) is generated from these
models, so the two cannot drift apart.

This module holds the graph (the definition, its pages, edges and computed values) and the union
of the question types a page may hold; the parts live beside it, and are importable from here as
they always were: the shared building blocks in :mod:`.model_base`, the question types in
:mod:`.model_questions` and the repeating groups in :mod:`.model_records`. Every model of the
format must be importable from here: ``schema_errors.known_keys`` reads this module's names.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from . import choice_csv, choice_lists
from .model_base import (
    Choice,
    Constraint,
    Identifier,
    Note,
    Rule,
    Strict,
    Text,
)
from .model_questions import (
    ChoiceQuestion,
    DateBound,
    DateQuestion,
    DecimalQuestion,
    FileKind,
    FileQuestion,
    HostnameQuestion,
    IntegerQuestion,
    IPAddressQuestion,
    ItemQuestion,
    LongTextQuestion,
    MultiChoiceQuestion,
    OneValueQuestion,
    OptionsQuestion,
    QuestionBase,
    SimpleTypedQuestion,
    TextPattern,
    TextQuestion,
    TextRules,
    YesNoQuestion,
)
from .model_records import (
    NestedRepeatQuestion,
    RecordComputed,
    RecordQuestion,
    RepeatQuestion,
)

__all__ = [
    "QUESTION_TYPES",
    "RESERVED_IDS",
    "REVIEW",
    "Choice",
    "ChoiceQuestion",
    "Computed",
    "Constraint",
    "DateBound",
    "DateQuestion",
    "DecimalQuestion",
    "Definition",
    "Edge",
    "FileKind",
    "FileQuestion",
    "HostnameQuestion",
    "IPAddressQuestion",
    "Identifier",
    "IntegerQuestion",
    "ItemQuestion",
    "LongTextQuestion",
    "MultiChoiceQuestion",
    "NestedRepeatQuestion",
    "Note",
    "OptionsQuestion",
    "Page",
    "Question",
    "QuestionBase",
    "RecordComputed",
    "RecordQuestion",
    "RepeatQuestion",
    "Rule",
    "SimpleTypedQuestion",
    "Strict",
    "Text",
    "TextPattern",
    "TextQuestion",
    "TextRules",
    "YesNoQuestion",
]

#: The target of an edge that ends the questionnaire and leads to the review step.
REVIEW = "review"
#: Names a condition may use that are not questions: the value being checked (in constraints)
#: the current record (inside a repeating group) and the option a ``choice_filter`` is weighing.
RESERVED_IDS = frozenset({"value", "item", "today", "option", REVIEW})

Question = Annotated[OneValueQuestion | FileQuestion | RepeatQuestion, Field(discriminator="type")]

QUESTION_TYPES = (
    "text", "long_text", "integer", "decimal", "yes_no", "choice", "multi_choice", "date",
    "email", "phone", "url", "timezone", "cidr", "port", "ip_address", "hostname", "file", "repeat",
)  # fmt: skip


class Edge(Strict):
    """Go to page ``to`` when ``if`` holds; an edge without ``if`` is the default."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", frozen=True)

    to: Identifier
    if_: Rule = Field(None, alias="if")


def _next_schema(schema: dict[str, Any]) -> None:
    """Let editors accept ``next: page_id``, the shorthand for one default edge."""
    edges = dict(schema)
    schema.clear()
    schema["description"] = edges.pop("description", "")
    shorthand = {
        "type": "string",
        "pattern": r"^[a-z][a-z0-9_]{0,62}$",
        "description": "One default edge.",
    }
    schema["anyOf"] = [edges, shorthand]


class Page(Strict):
    id: Identifier
    title: Text
    intro: Text | None = None
    show_if: Rule = Field(
        None,
        description="The page is asked only while this holds; when it does not, the page is "
        "skipped and the walk follows its edges.",
    )
    notes: tuple[Note, ...] = ()
    questions: tuple[Question, ...] = ()
    next: tuple[Edge, ...] = Field(
        description="Edges tried in order; the last has no 'if'.", json_schema_extra=_next_schema
    )

    @field_validator("next", mode="before")
    @classmethod
    def _single_target(cls, value: Any) -> Any:
        # `next: network` is shorthand for a single default edge.
        return [{"to": value}] if isinstance(value, str) else value


class Computed(Strict):
    """A value computed from answers, usable in later conditions and by the SoW pre-filler."""

    id: Identifier
    logic: Rule
    description: Text | None = None


class Definition(Strict):
    """A questionnaire: metadata, computed values and the page graph."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Questionnaire definition")

    schema_: str | None = Field(None, alias="$schema")
    id: Identifier
    title: Text
    version: Annotated[str, Field(pattern=r"^\d+(\.\d+){0,2}$", description="e.g. '1.2.0'")]
    description: Text | None = Field(
        None, description="The start page's opening: what the answers are for."
    )
    audience: Text | None = Field(
        None,
        description="The start page's 'Who should answer': who the questionnaire is for, "
        "e.g. 'The person who looks after your network'.",
    )
    estimated_minutes: Annotated[int, Field(ge=1, le=600)] | None = None
    have_at_hand: tuple[Text, ...] = Field((), description="What the respondent should have ready.")
    start: Identifier | None = Field(
        None, description="The first page; by default the first listed."
    )
    time_zone: Identifier | None = Field(
        None,
        description="The timezone question whose answer is the engagement's time zone, in "
        "which `today` is taken (UTC until it is answered).",
    )
    choice_lists: dict[Identifier, Annotated[tuple[Choice, ...], Field(min_length=1)]] = Field(
        default_factory=dict,
        description="Options defined once and named by several questions (`choices: name`), "
        "or read from a CSV file beside the definition (`{csv: cities.csv}`).",
        json_schema_extra=choice_csv.lists_schema,
    )
    computed: tuple[Computed, ...] = ()
    pages: Annotated[tuple[Page, ...], Field(min_length=1)]

    @model_validator(mode="before")
    @classmethod
    def _named_choice_lists(cls, value: Any) -> Any:
        return choice_lists.resolve(value)

    @property
    def start_page(self) -> str:
        return self.start or self.pages[0].id
