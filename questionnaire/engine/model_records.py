"""Repeating groups in the definition format: a list of records, each with its own questions.

Split from ``model`` to keep it short. A top-level group's records may hold one nested group,
whose own questions hold no group (see :mod:`.nesting`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from .model_base import Identifier, Rule, Strict, Text
from .model_questions import ItemQuestion, OneValueQuestion, QuestionBase
from .record_sources import RECORD_SOURCES


def _offer_sources(schema: dict[str, Any]) -> None:
    """Let editors offer the known record sources (the linter says more of a wrong one)."""
    schema["examples"] = sorted(RECORD_SOURCES)


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
RecordQuestion = Annotated[OneValueQuestion | NestedRepeatQuestion, Field(discriminator="type")]
RepeatQuestion.model_rebuild()
