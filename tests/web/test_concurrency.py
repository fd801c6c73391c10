"""Nothing lost under races: one submission, stale tabs get a conflict, late saves change nothing.

These guarantees rest on guarded UPDATEs; they are proven on PostgreSQL, where transactions
really run in parallel (SQLite serialises writers, so it proves little here).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from flask import Flask
from sqlalchemy import func, select

from questionnaire.store import db
from questionnaire.store.models import AuditEvent, OutgoingEmail, Response, ResponseStatus

from .customer import Customer, csrf_token, invite, version


def test_twenty_parallel_submits_exactly_one_succeeds(app: Flask, postgres_only: str) -> None:
    token = invite(app)
    first = Customer(app.test_client(), token)
    first.complete_small()
    review = first.get("/review")
    form = {"csrf_token": csrf_token(review.text), "version": version(review.text)}
    barrier = Barrier(20)

    def submit(_: int) -> str:
        client = app.test_client()
        with first.client.session_transaction() as shared, client.session_transaction() as own:
            own.update(shared)  # the same browser session (CSRF), twenty requests at once
        barrier.wait()
        return client.post(f"/r/{token}/submit", data=form).location or ""

    with ThreadPoolExecutor(max_workers=20) as pool:
        locations = list(pool.map(submit, range(20)))
    assert sum(location.endswith("/done?submitted=1") for location in locations) == 1
    with app.app_context():
        session = db.session()
        assert session.scalar(select(Response.status)) is ResponseStatus.SUBMITTED
        submitted = select(func.count()).where(AuditEvent.action == "response.submit")
        assert session.scalar(submitted) == 1
        notices = select(OutgoingEmail.template).where(
            OutgoingEmail.template.like("questionnaire_%")
        )
        assert session.scalars(notices).all() == ["questionnaire_submitted"]  # one notification


def test_stale_tab_gets_a_conflict_and_newer_answers_are_intact(
    app: Flask, database_url: str
) -> None:
    customer = Customer(app.test_client(), invite(app))
    customer.start()
    tab_b = customer.get("/p/about")  # opened first...
    saved = customer.answer(
        "about", {"organisation": "Newer", "fabric": "traditional", "has_hld": "no"}
    )
    assert saved.status_code == 302  # ...tab A saves...
    stale = customer.client.post(  # ...then tab B saves what it had
        f"{customer.base}/p/about",
        data={
            "csrf_token": csrf_token(tab_b.text),
            "version": version(tab_b.text),
            "organisation": "Older",
            "fabric": "cisco_aci",
            "has_hld": "no",
        },
    )
    assert stale.status_code == 409
    assert "Your answers were changed in another window" in stale.text
    assert 'value="Older"' in stale.text  # what B typed is shown back, not lost
    with app.app_context():
        answers = db.session().scalar(select(Response.answers))
    assert answers == {"organisation": "Newer", "fabric": "traditional", "has_hld": False}
    # Saving again from the conflict page (it carries the new version) works.
    retry = customer.client.post(
        f"{customer.base}/p/about",
        data={
            "csrf_token": csrf_token(stale.text),
            "version": version(stale.text),
            "organisation": "Older",
            "fabric": "traditional",
            "has_hld": "no",
        },
    )
    assert retry.status_code == 302


def test_parallel_saves_of_one_version_one_wins_the_rest_conflict(
    app: Flask, postgres_only: str
) -> None:
    customer = Customer(app.test_client(), invite(app))
    customer.start()
    page = customer.get("/p/about")
    barrier = Barrier(8)

    def save(n: int) -> int:
        client = app.test_client()
        with customer.client.session_transaction() as shared, client.session_transaction() as own:
            own.update(shared)
        data = {
            "csrf_token": csrf_token(page.text),
            "version": version(page.text),
            "organisation": f"Tab {n}",
            "fabric": "traditional",
            "has_hld": "no",
        }
        barrier.wait()
        return client.post(f"{customer.base}/p/about", data=data).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(save, range(8)))
    assert statuses.count(302) == 1 and statuses.count(409) == 7
    with app.app_context():
        response = db.session().execute(select(Response)).scalar_one()
    assert response.version == 2 and response.answers["organisation"].startswith("Tab ")


def test_autosave_after_submission_changes_nothing(app: Flask, database_url: str) -> None:
    customer = Customer(app.test_client(), invite(app))
    customer.complete_small()
    last_page = customer.get("/p/last")  # a tab left open on the last page
    assert customer.submit().status_code == 302
    late = customer.client.post(
        f"{customer.base}/p/last",
        data={
            "csrf_token": csrf_token(last_page.text),
            "version": version(last_page.text),
            "notes": "late",
        },
    )
    assert late.status_code == 302 and late.location.endswith("/done")
    with app.app_context():
        response = db.session().execute(select(Response)).scalar_one()
    assert response.status is ResponseStatus.SUBMITTED and "notes" not in response.answers
