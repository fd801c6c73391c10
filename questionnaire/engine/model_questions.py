"""The question types of the definition format, one model per ``type``.

Split from ``model`` to keep it short. The repeating groups, whose records hold these questions,
are in :mod:`.model_records`; the union of all question types a page may hold is in ``model``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .facts import FACTS
from .model_base import Choice, Constraint, Identifier, Note, Rule, Strict, Text


def _offer_facts(schema: dict[str, Any]) -> None:
    """Let editors offer the known facts; the linter says more of a wrong one ("did you mean")."""
    schema["examples"] = sorted(FACTS)


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


#: The questions that ask for one value: allowed everywhere, groups' records included.
OneValueQuestion = (
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
)
#: Questions allowed inside a nested repeating group (no further groups).
ItemQuestion = Annotated[OneValueQuestion, Field(discriminator="type")]
