"""The engineer's notes for support: what support needs to know that no document says.

The customer's knowledge level, the network's complications and oddities met, how we connected
to the system and how it was left. One form per engagement, saved with who and when, editable
until the engagement is complete: the support handover document is made from them then, and a
later change would not reach it. Each field is checked with the questionnaire engine's parser
(length, unusual characters); every refusal names its field.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.engine.answers import Invalid, parse_answer
from questionnaire.engine.model import LongTextQuestion
from questionnaire.store.closeout import EngagementCompletion, SupportNotes
from questionnaire.store.models import utcnow

from . import audit
from .sow_desk import engagement

SAVE_ACTION = "closeout.support_notes"
MAX_LENGTH = 10_000
#: Each field's label, as the form and the support handover document say it.
LABELS = {
    "knowledge": "The customer's knowledge level",
    "network": "Network complications and oddities",
    "connection": "How we connected to the system",
    "left_as": "How the system was left",
}


@dataclass(frozen=True)
class NotesForm:
    """The support notes form as posted (every value as typed)."""

    knowledge: str = ""
    network: str = ""
    connection: str = ""
    left_as: str = ""


FIELDS = tuple(item.name for item in fields(NotesForm))


class InvalidNotes(ValueError):
    """``errors``: a message per field, in the form's order."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class NotesClosed(Exception):
    """The engagement is complete: its support handover document was made from the notes."""


def notes_of(db: Session, engagement_id: int) -> SupportNotes | None:
    engagement(db, engagement_id)
    return db.scalars(
        select(SupportNotes).where(SupportNotes.engagement_id == engagement_id)
    ).first()


def form_of(notes: SupportNotes | None) -> NotesForm:
    """The form filled with what was saved (empty before the first save)."""
    if notes is None:
        return NotesForm()
    return NotesForm(**{name: getattr(notes, name) for name in FIELDS})


def is_closed(db: Session, engagement_id: int) -> bool:
    found = select(EngagementCompletion.id).where(
        EngagementCompletion.engagement_id == engagement_id
    )
    return db.scalar(found) is not None


def save(db: Session, engagement_id: int, form: NotesForm, actor: str) -> SupportNotes:
    """Save the notes (all four, at least one written); commits. :class:`InvalidNotes`,
    :class:`NotesClosed` (nothing saved either way)."""
    engagement(db, engagement_id)
    if is_closed(db, engagement_id):
        raise NotesClosed
    values = _read(form)
    notes = notes_of(db, engagement_id)
    if notes is None:
        notes = SupportNotes(engagement_id=engagement_id, updated_by=actor)
        db.add(notes)
    for name, value in values.items():
        setattr(notes, name, value)
    notes.updated_by = actor
    notes.updated_at = utcnow()
    db.flush()
    audit.record(db, actor, SAVE_ACTION, engagement_id=engagement_id,
                 written=[name for name, value in values.items() if value])  # fmt: skip
    db.commit()
    return notes


def _read(form: NotesForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for name in FIELDS:
        question = LongTextQuestion(
            id=name, label=LABELS[name], type="long_text", max_length=MAX_LENGTH
        )
        parsed = parse_answer(question, getattr(form, name))
        if isinstance(parsed, Invalid):
            errors[name] = f"{LABELS[name]}: {parsed.message[0].lower()}{parsed.message[1:]}"
        else:
            values[name] = parsed if isinstance(parsed, str) else ""
    if not errors and not any(values.values()):
        errors["knowledge"] = "Enter at least one note for support"
    if errors:
        raise InvalidNotes(errors)
    return values
