"""Functional tests for the customer handover document: recorded, changed and removed.

A test names its target (an agreed virtual service or GSLB configuration, or one the PDR names),
what was tested, the expected and actual results, pass or fail and the date; checked with the
questionnaire engine's parsers, every refusal naming its field. Evidence is optional: a file
checked and kept as one of the engagement's files (``engagement_files``), in the same
transaction as the test, and discarded on every path that does not commit. Each use case owns
its transaction and leaves an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from questionnaire.delivery.handover_checklist import FAIL, PASS, Target
from questionnaire.delivery.handover_doc import Recorded
from questionnaire.engine.answers import Invalid, parse_answer
from questionnaire.engine.model import Choice, ChoiceQuestion, DateQuestion, LongTextQuestion
from questionnaire.store.files import FileSource
from questionnaire.store.handover import FunctionalTest
from questionnaire.store.models import MAX_INT

from . import audit, engagement_files, handover_targets
from .settings import Settings
from .sow_desk import NotFound
from .uploads import FileError, IncomingFile

RECORD_ACTION, CHANGE_ACTION, REMOVE_ACTION = "tests.record", "tests.change", "tests.remove"
FIELDS = ("target", "what_tested", "expected", "actual", "outcome", "tested_on", "evidence")
_TEXTS = {
    "what_tested": ("what was tested", "Enter what was tested"),
    "expected": ("expected result", "Enter the result you expected"),
    "actual": ("actual result", "Enter the result you saw"),
}
_OUTCOME = ChoiceQuestion(id="outcome", label="result", type="choice",
                          choices=(Choice(value=PASS, label="Pass"),
                                   Choice(value=FAIL, label="Fail")))  # fmt: skip
_DATE = DateQuestion(id="tested_on", label="date", type="date")


@dataclass(frozen=True)
class FunctionalTestForm:
    """The "Record a functional test" form as posted: every value as typed; ``target`` is
    ``kind:name`` (``virtual_service:web``); ``evidence`` is ``None`` when no file was chosen."""

    target: str = ""
    what_tested: str = ""
    expected: str = ""
    actual: str = ""
    outcome: str = ""
    tested_on: str = ""
    evidence: IncomingFile | None = None


class InvalidTest(ValueError):
    """``errors``: a message per field, in the form's order."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = {name: errors[name] for name in FIELDS if name in errors}


def target_value(target: Target) -> str:
    """How a form names a target (its select's option value)."""
    return f"{target.kind}:{target.name}"


def test_of(db: Session, engagement_id: int, test_id: int) -> FunctionalTest:
    found = db.get(FunctionalTest, test_id) if 0 < test_id <= MAX_INT else None
    if found is None or found.engagement_id != engagement_id:
        raise NotFound("There is no such functional test: it may have been removed.")
    return found


def record(
    db: Session, settings: Settings, engagement_id: int, form: FunctionalTestForm, actor: str
) -> FunctionalTest:
    """Record a new test (and keep its evidence); commits. :class:`InvalidTest`."""
    values = _read(form, handover_targets.testable_targets(db, engagement_id))
    test = FunctionalTest(engagement_id=engagement_id, recorded_by=actor)
    _apply(test, values)
    db.add(test)
    return _store(db, settings, test, form.evidence, actor, RECORD_ACTION)


def change(
    db: Session, settings: Settings, engagement_id: int, test_id: int, form: FunctionalTestForm,
    actor: str,
) -> FunctionalTest:  # fmt: skip
    """Change a test; a new evidence file replaces the link to the old one (which stays among
    the engagement's files). Commits. :class:`InvalidTest`, :class:`NotFound`."""
    test = test_of(db, engagement_id, test_id)
    values = _read(form, handover_targets.testable_targets(db, engagement_id))
    _apply(test, values)
    return _store(db, settings, test, form.evidence, actor, CHANGE_ACTION)


def remove(db: Session, engagement_id: int, test_id: int, actor: str) -> FunctionalTest:
    """Remove a test recorded by mistake (its evidence stays among the engagement's files)."""
    test = test_of(db, engagement_id, test_id)
    audit.record(db, actor, REMOVE_ACTION, engagement_id=engagement_id, test=test.id,
                 target=target_value(handover_targets.target_of(test)), outcome=test.outcome)  # fmt: skip
    db.delete(test)
    db.commit()
    return test


def _apply(test: FunctionalTest, values: Recorded) -> None:
    test.target_kind, test.target_name = values.target.kind, values.target.name
    test.what_tested, test.expected, test.actual = (
        values.what_tested,
        values.expected,
        values.actual,
    )
    test.outcome, test.tested_on = values.outcome, values.tested_on


def _store(
    db: Session, settings: Settings, test: FunctionalTest, evidence: IncomingFile | None,
    actor: str, action: str,
) -> FunctionalTest:  # fmt: skip
    """Keep the evidence (if a file was chosen) with the test in one transaction; commit."""
    staged = _staged(db, settings, evidence)
    target = handover_targets.target_of(test)
    try:
        if staged is not None:
            kept = engagement_files.keep_file(
                db, test.engagement_id, staged, actor=actor, source=FileSource.ENGINEER,
                description=f"Evidence of the functional test of {target.label}",
            )  # fmt: skip
            db.flush()
            test.evidence_file_id = kept.id
        db.flush()
        audit.record(db, actor, action, engagement_id=test.engagement_id, test=test.id,
                     target=target_value(target), outcome=test.outcome,
                     evidence=test.evidence_file_id)  # fmt: skip
        db.commit()
    except BaseException:
        db.rollback()
        if staged is not None:
            engagement_files.discard(settings, staged)
        raise
    return test


def _staged(
    db: Session, settings: Settings, evidence: IncomingFile | None
) -> engagement_files.StagedFile | None:
    """The chosen evidence, checked and staged; none chosen: ``None``. Refused: rolls back."""
    if evidence is None or not (evidence.filename or "").strip():
        return None
    staged = engagement_files.stage_file(settings, evidence)
    if isinstance(staged, FileError):
        db.rollback()
        raise InvalidTest({"evidence": staged.message})
    return staged


def _read(form: FunctionalTestForm, targets: tuple[Target, ...]) -> Recorded:
    errors: dict[str, str] = {}
    by_value = {target_value(target): target for target in targets}
    target = by_value.get(form.target.strip())
    if target is None:
        errors["target"] = (
            "Select the virtual service or GSLB configuration you tested" if targets else
            "Add the virtual services to the Project Detail Record before recording their tests"
        )  # fmt: skip
    texts: dict[str, str] = {}
    for name, (label, missing) in _TEXTS.items():
        question = LongTextQuestion(id=name, label=label, type="long_text", max_length=5_000)
        value = parse_answer(question, getattr(form, name))
        if isinstance(value, str):
            texts[name] = value
        else:
            errors[name] = value.message if isinstance(value, Invalid) else missing
    outcome = parse_answer(_OUTCOME, form.outcome)
    if outcome not in (PASS, FAIL):
        errors["outcome"] = "Select pass if the test passed, or fail"
    tested_on = parse_answer(_DATE, form.tested_on)
    if not isinstance(tested_on, str):
        errors["tested_on"] = (
            tested_on.message if isinstance(tested_on, Invalid) else "Enter the date of the test"
        )
    if errors:
        raise InvalidTest(errors)
    assert target is not None and isinstance(tested_on, str)
    return Recorded(target, texts["what_tested"], texts["expected"], texts["actual"],
                    str(outcome), date.fromisoformat(tested_on), evidence=None)  # fmt: skip
