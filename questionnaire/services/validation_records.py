"""The validation questionnaire's records: the virtual services of the engagement's PDR.

The validation questionnaire's group takes its records from the engagement
(``records_from: pdr.virtual_services``). They are read from the PDR's latest revision once,
when the customer's response starts, and stored in its starting answers (and so in its
``response.prefill`` event, as pre-filled facts are): a PDR revision made later does not
reshuffle a half-answered questionnaire. Each record holds exactly the source's fields, as
text the customer reads: the services' names, addresses, ports and protocol as the PDR shows
them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from questionnaire.delivery.pdr import display_value
from questionnaire.delivery.pdr_spec import VIRTUAL_SERVICES
from questionnaire.engine import JSON, Questionnaire
from questionnaire.engine.given import GivenRecords, given_groups, starting_records
from questionnaire.engine.record_sources import RECORD_SOURCES
from questionnaire.store.delivery import PdrRevision

from .pdr_desk import pdr_of
from .validation_ids import VALIDATION, VIRTUAL_SERVICES_SOURCE

__all__ = ["VALIDATION", "given_records", "latest_revision", "starting_records_for"]
#: The PDR's columns each given record carries, by the source's field names.
COLUMNS = tuple(RECORD_SOURCES[VIRTUAL_SERVICES_SOURCE].fields)


def latest_revision(db: Session, engagement_id: int) -> PdrRevision | None:
    """The PDR's latest revision (``None``: the engagement has no PDR yet)."""
    found = pdr_of(db, engagement_id)
    return found.revisions[-1] if found is not None and found.revisions else None


def virtual_services(content: dict[str, Any]) -> list[dict[str, str]]:
    """Each virtual service of a PDR revision's content, in its order, as its given record."""
    rows = content.get(VIRTUAL_SERVICES.key)
    records = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict):
            continue
        record = {}
        for key in COLUMNS:
            column = VIRTUAL_SERVICES.column(key)
            assert column is not None  # a test holds the source's fields to the PDR's columns
            text = display_value(column, row.get(key))
            if text:
                record[key] = text
        records.append(record)
    return records


def given_records(db: Session, engagement_id: int, q: Questionnaire) -> GivenRecords:
    """The records ``q``'s groups are given for this engagement (none: ``q`` takes none)."""
    if next(given_groups(q), None) is None:
        return {}
    revision = latest_revision(db, engagement_id)
    return {VIRTUAL_SERVICES_SOURCE: virtual_services(revision.content) if revision else []}


def starting_records_for(db: Session, engagement_id: int, q: Questionnaire) -> dict[str, JSON]:
    """The answers a new response to ``q`` starts with for its given groups."""
    return starting_records(q, given_records(db, engagement_id, q))
