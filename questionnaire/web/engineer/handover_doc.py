"""Functional tests and the customer handover document: the checklist of what the SoW agreed,
the tests with their evidence (a form without JavaScript), and issuing the document.

Each view reads the request, calls one use case of ``services/functional_tests.py`` or
``services/handover_document.py`` and renders or redirects. A test posted with errors comes
back with the error summary and what was typed (400); issuing while an agreed target has no
passing test comes back with the targets still missing (409).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from questionnaire.services import functional_tests, handover_document, handover_exports
from questionnaire.services.exports import MEDIA_TYPES, NAMES, NotReady
from questionnaire.services.functional_tests import FunctionalTestForm, InvalidTest
from questionnaire.services.handover_targets import target_of
from questionnaire.store import db
from questionnaire.store.handover import FunctionalTest
from questionnaire.web.context import services
from questionnaire.web.forms import ActionForm

from .blueprint import actor, bp, checked_form
from .downloads import served

TEXTS = ("target", "what_tested", "expected", "actual", "outcome", "tested_on")


def _typed() -> FunctionalTestForm:
    evidence = request.files.get("evidence")
    chosen = evidence if evidence is not None and evidence.filename else None
    return FunctionalTestForm(**{name: request.form.get(name, "") for name in TEXTS},
                              evidence=chosen)  # fmt: skip


def _as_typed(test: FunctionalTest) -> FunctionalTestForm:
    return FunctionalTestForm(
        target=functional_tests.target_value(target_of(test)), what_tested=test.what_tested,
        expected=test.expected, actual=test.actual, outcome=test.outcome,
        tested_on=test.tested_on.isoformat(),
    )  # fmt: skip


def _page(engagement_id: int, typed: FunctionalTestForm | None, errors: dict[str, str]) -> str:
    desk = handover_document.desk(db.session(), engagement_id)
    wanted = request.args.get("target", "")
    return render_template(
        "engineer/functional_tests.html", desk=desk, form=ActionForm(),
        typed=typed or FunctionalTestForm(target=wanted), errors=errors,
        error_list=list(errors.items()), value_of=functional_tests.target_value,
        target_of=target_of,
    )  # fmt: skip


@bp.get("/engagements/<int:engagement_id>/tests")
def functional_tests_page(engagement_id: int) -> Any:
    return _page(engagement_id, None, {})


@bp.post("/engagements/<int:engagement_id>/tests")
def record_test(engagement_id: int) -> Any:
    checked_form()
    typed = _typed()
    try:
        recorded = functional_tests.record(
            db.session(), services().settings, engagement_id, typed, actor()
        )
    except InvalidTest as invalid:
        return _page(engagement_id, typed, invalid.errors), 400
    flash(f"The test of {target_of(recorded).label} was recorded.")
    return redirect(url_for(".functional_tests_page", engagement_id=engagement_id,
                            _anchor="checklist"), 303)  # fmt: skip


def _test_page(
    engagement_id: int, test_id: int, typed: FunctionalTestForm | None, errors: dict[str, str]
) -> str:
    desk = handover_document.desk(db.session(), engagement_id)
    test = functional_tests.test_of(db.session(), engagement_id, test_id)
    return render_template(
        "engineer/functional_test.html", engagement=desk.engagement, test=test,
        targets=desk.checklist.testable, typed=typed or _as_typed(test), errors=errors,
        error_list=list(errors.items()), value_of=functional_tests.target_value,
        form=ActionForm(),
    )  # fmt: skip


@bp.get("/engagements/<int:engagement_id>/tests/<int:test_id>")
def functional_test(engagement_id: int, test_id: int) -> Any:
    return _test_page(engagement_id, test_id, None, {})


@bp.post("/engagements/<int:engagement_id>/tests/<int:test_id>")
def change_test(engagement_id: int, test_id: int) -> Any:
    checked_form()
    typed = _typed()
    try:
        changed = functional_tests.change(
            db.session(), services().settings, engagement_id, test_id, typed, actor()
        )
    except InvalidTest as invalid:
        return _test_page(engagement_id, test_id, typed, invalid.errors), 400
    flash(f"The test of {target_of(changed).label} was changed.")
    return redirect(url_for(".functional_tests_page", engagement_id=engagement_id,
                            _anchor="tests"), 303)  # fmt: skip


@bp.post("/engagements/<int:engagement_id>/tests/<int:test_id>/remove")
def remove_test(engagement_id: int, test_id: int) -> Any:
    checked_form()
    removed = functional_tests.remove(db.session(), engagement_id, test_id, actor())
    flash(f"The test of {target_of(removed).label} was removed. Its evidence, if any, is still "
          "among the engagement's files.")  # fmt: skip
    return redirect(url_for(".functional_tests_page", engagement_id=engagement_id,
                            _anchor="tests"), 303)  # fmt: skip


@bp.post("/engagements/<int:engagement_id>/handover-documents")
def issue_handover_document(engagement_id: int) -> Any:
    checked_form()
    try:
        issued = handover_document.issue(db.session(), engagement_id, actor())
    except handover_document.TestsMissing as missing:
        return _page(engagement_id, None, {"missing": str(missing)}), 409
    except handover_document.NoPdr as refused:
        abort(409, description=str(refused))
    except handover_document.IssuedMeanwhile:
        abort(409, description="Another handover document was issued at the same moment. "
                               "Reload the page to see it, then issue again if you need to.")  # fmt: skip
    flash(f"Customer handover document {issued.number} was issued. Its documents are being "
          "prepared: the Markdown is ready now.")  # fmt: skip
    return redirect(url_for(".functional_tests_page", engagement_id=engagement_id,
                            _anchor="handover"), 303)  # fmt: skip


@bp.get("/engagements/<int:engagement_id>/handover-documents/<int:number>/export.<fmt>")
def customer_handover_export(engagement_id: int, number: int, fmt: str) -> Any:
    """Serve the stored file: a GET changes nothing, and renders nothing."""
    if fmt not in MEDIA_TYPES:
        abort(404, description="Exports are DOCX, PDF, Markdown and HTML.")
    document = handover_document.document(db.session(), engagement_id, number)
    found = handover_exports.find(services().settings, db.session(), document, fmt)
    if not isinstance(found, NotReady):
        return served(found)
    page = render_template(
        "engineer/handover_export_waiting.html", engagement=document.engagement,
        document=document, fmt=fmt, name=NAMES[fmt], state=found,
    )  # fmt: skip
    return page, 409 if found.error else 202
