"""The definition format as typed, immutable models.

A definition is a graph: pages are nodes, each page's ``next`` edges carry JSON-Logic conditions
and end with a default edge, one page is the start, and the special target ``review`` ends the
questionnaire. The JSON Schema that editors use (``questionnaire schema``) is generated from these
models, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from . import choice_csv, choice_lists, option_keys
from .facts import FACTS
from .record_sources import RECORD_SOURCES

#: The target of an edge that ends the questionnaire and leads to the review step.
REVIEW = "review"
#: Names a condition may use that are not questions: the value being checked (in constraints)
#: the current record (inside a repeating group) and the option a ``choice_filter`` is weighing.
RESERVED_IDS = frozenset({"value", "item", "today", "option", REVIEW})

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


def _offer_facts(schema: dict[str, Any]) -> None:
    """Let editors offer the known facts; the linter says more of a wrong one ("did you mean")."""
    schema["examples"] = sorted(FACTS)


def _offer_sources(schema: dict[str, Any]) -> None:
    """Let editors offer the known record sources (the linter says more of a wrong one)."""
    schema["examples"] = sorted(RECORD_SOURCES)


class QuestionBase(Strict):
    id: Identifier
    label: Text = Field(description="The question. `{question_id}` quotes an earlier answer.")
    hint: Text | None = Field(None, description="One line under the label.")
    help: Text | None = Field(None, description="Longer guidance, shown folded.")
    show_if: Rule = Field(None, description="The question is asked only while this holds.")
    required: bool = True
    required_if: Rule = Field(
        None, description="When given, the answer is required iff this holds."
    )
    constraints: tuple[Constraint, ...] = ()
    notes: tuple[Note, ...] = ()
    prefill: Identifier | None = Field(
        None,
        description="Start from this fact recorded at the sales handover (the customer may change it).",
        json_schema_extra=_offer_facts,
    )
    default: Rule = Field(
        None,
        description="A starting value shown while unanswered: a constant, or a rule over "
        "earlier answers, computed values and today.",
    )
    hidden: bool = Field(
        False, description="Never asked: the default is carried into the answers as its answer."
    )


class TextPattern(BaseModel):
    """A regular expression the whole answer must match, in RE2 syntax (no backreferences or
    lookarounds), so matching takes time linear in the answer whatever the pattern."""

    # Not stripped: a regular expression's spaces are part of it.
    model_config = ConfigDict(extra="forbid", frozen=True)

    regex: Annotated[str, Field(min_length=1, max_length=500)]
    message: Text = Field(description="Shown when the answer does not match; may quote {value}.")


class TextRules(QuestionBase):
    min_length: Annotated[int, Field(ge=1, le=100_000)] | None = Field(
        None, description="The fewest characters an answer may have."
    )
    pattern: TextPattern | None = None


class TextQuestion(TextRules):
    type: Literal["text"]
    max_length: Annotated[int, Field(ge=1, le=10_000)] = 500


class LongTextQuestion(TextRules):
    type: Literal["long_text"]
    max_length: Annotated[int, Field(ge=1, le=100_000)] = 10_000


class IntegerQuestion(QuestionBase):
    type: Literal["integer"]
    min: int | None = None
    max: int | None = None
    unit: str | None = Field(None, description="Shown after the box, e.g. 'days'.")


class DecimalQuestion(QuestionBase):
    type: Literal["decimal"]
    min: float | None = None
    max: float | None = None
    unit: str | None = None


class YesNoQuestion(QuestionBase):
    type: Literal["yes_no"]


def _choices_schema(schema: dict[str, Any]) -> None:
    """Let editors accept ``choices: list_name``, a list under ``choice_lists``."""
    options = dict(schema)
    schema.clear()
    named = {
        "type": "string",
        "pattern": r"^[a-z][a-z0-9_]{0,62}$",
        "description": "A list under choice_lists, or the built-in time_zones.",
        "examples": ["time_zones"],
    }
    schema["anyOf"] = [options, named]


class OptionsQuestion(QuestionBase):
    choices: Annotated[tuple[Choice, ...], Field(min_length=1, json_schema_extra=_choices_schema)]
    choice_filter: Rule = Field(
        None,
        description='Offer only the options for which this holds; `{"var": "option.country"}` '
        "reads the option's own keys, and earlier answers are read as usual.",
    )
    widget: Literal["radios", "searchable"] = Field(
        "radios",
        description="How a choice is asked: radios, or a select that filters as you type "
        "(a plain select without JavaScript), for long lists.",
    )


class ChoiceQuestion(OptionsQuestion):
    type: Literal["choice"]


class MultiChoiceQuestion(OptionsQuestion):
    type: Literal["multi_choice"]
    min_selected: Annotated[int, Field(ge=0)] | None = None
    max_selected: Annotated[int, Field(ge=1)] | None = None


#: An ISO date, or a date relative to the respondent's today (``today``, ``today+30d``, ``today-18y``).
DateBound = Annotated[
    str,
    Field(
        pattern=r"^(\d{4}-\d{2}-\d{2}|today([+-]\d{1,4}[dmy])?)$",
        description="An ISO date, or today plus or minus days, months or years: today+30d, today-18y.",
    ),
]


class DateQuestion(QuestionBase):
    type: Literal["date"]
    min: DateBound | None = None
    max: DateBound | None = None


class SimpleTypedQuestion(QuestionBase):
    type: Literal["email", "phone", "url", "timezone", "cidr", "port"]


class IPAddressQuestion(QuestionBase):
    type: Literal["ip_address"]
    version: Literal[4, 6, "any"] = "any"


class HostnameQuestion(QuestionBase):
    type: Literal["hostname"]
    fqdn: bool = Field(False, description="Require a fully qualified name (with a dot).")


FileKind = Literal[
    "pdf", "png", "jpeg", "gif", "docx", "xlsx", "pptx", "vsdx", "txt", "csv", "zip", "targz"
]


class FileQuestion(QuestionBase):
    type: Literal["file"]
    accept: Annotated[tuple[FileKind, ...], Field(min_length=1)] = ("pdf", "png", "jpeg")
    max_size_mb: Annotated[float, Field(gt=0, le=100)] = 10


#: Questions allowed inside a nested repeating group (no further groups).
ItemQuestion = Annotated[
    TextQuestion
    | LongTextQuestion
    | IntegerQuestion
    | DecimalQuestion
    | YesNoQuestion
    | ChoiceQuestion
    | MultiChoiceQuestion
    | DateQuestion
    | SimpleTypedQuestion
    | IPAddressQuestion
    | HostnameQuestion,
    Field(discriminator="type"),
]


class RecordComputed(Strict):
    """A value worked out for each record of a group from its fields (``{"var": "item.port"}``),
    shown on the record's summary and read elsewhere as ``services.0.total``."""

    id: Identifier
    logic: Rule
    label: Text | None = Field(None, description="Shown beside the value on the record's summary.")


class RepeatQuestion(QuestionBase):
    """A list of records, each with its own sub-questions (``{"var": "item.field"}`` reads the record)."""

    type: Literal["repeat"]
    questions: Annotated[tuple[RecordQuestion, ...], Field(min_length=1)]
    min_items: Annotated[int, Field(ge=0)] = 0
    max_items: Annotated[int, Field(ge=1, le=500)] = 50
    item_label: Text = Field("Item", description="What one record is called, e.g. 'Service'.")
    records_from: (
        Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}(\.[a-z][a-z0-9_]{0,62})?$")] | None
    ) = Field(
        None,
        description="Take the records from the engagement (e.g. pdr.virtual_services): the "
        "respondent cannot add or remove records, sees each one's fields read-only "
        '(`{"var": "item.name"}` reads them) and answers the group\'s questions about it.',
        json_schema_extra=_offer_sources,
    )
    count: Rule = Field(
        None,
        description='How many records there are, from an earlier answer (`{"var": "site_count"}`): '
        "the respondent fills exactly that many, adding and removing none.",
    )
    computed: tuple[RecordComputed, ...] = Field(
        (), description="Values worked out for each record, in order, from its fields."
    )


class NestedRepeatQuestion(RepeatQuestion):
    """A repeating group inside a record of another (a service's real servers): one level only,
    so its own questions hold no group (see :mod:`.nesting`)."""

    questions: Annotated[tuple[ItemQuestion, ...], Field(min_length=1)]


#: Questions allowed in a top-level group's record: the item questions and one nested group.
RecordQuestion = Annotated[
    TextQuestion
    | LongTextQuestion
    | IntegerQuestion
    | DecimalQuestion
    | YesNoQuestion
    | ChoiceQuestion
    | MultiChoiceQuestion
    | DateQuestion
    | SimpleTypedQuestion
    | IPAddressQuestion
    | HostnameQuestion
    | NestedRepeatQuestion,
    Field(discriminator="type"),
]
RepeatQuestion.model_rebuild()


Question = Annotated[
    TextQuestion
    | LongTextQuestion
    | IntegerQuestion
    | DecimalQuestion
    | YesNoQuestion
    | ChoiceQuestion
    | MultiChoiceQuestion
    | DateQuestion
    | SimpleTypedQuestion
    | IPAddressQuestion
    | HostnameQuestion
    | FileQuestion
    | RepeatQuestion,
    Field(discriminator="type"),
]

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
