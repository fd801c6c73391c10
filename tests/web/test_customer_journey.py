"""A customer's way through the small questionnaire, page by page, without JavaScript."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from questionnaire.store import db
from questionnaire.store.models import AuditEvent, Response, ResponseStatus

from .customer import Customer, error_summary, invite


def customer(app: Flask) -> Customer:
    return Customer(app.test_client(), invite(app))


def stored(app: Flask) -> Response:
    with app.app_context():
        return db.session().execute(select(Response)).scalar_one()


def test_start_page_explains_and_changes_nothing(app: Flask) -> None:
    visitor = customer(app)
    page = visitor.get("/")
    assert page.status_code == 200
    assert "Small pre-discovery questionnaire" in page.text
    assert "For Acme Health" in page.text
    assert "about 5 minutes" in page.text and "Your network diagram" in page.text
    assert "come back with" in page.text and "Start now" in page.text
    for _ in range(3):  # a mail scanner following the link, then the customer
        visitor.get("/")
        visitor.get("/review")
        visitor.get("/p/about")
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Response)) == 0
        actions = db.session().scalars(select(AuditEvent.action)).all()
    assert actions == ["engagement.create", "link.issue"]


def test_start_creates_the_response_and_opens_the_first_page(app: Flask) -> None:
    visitor = customer(app)
    started = visitor.start()
    assert started.status_code == 302 and started.location.endswith("/p/about")
    page = visitor.get("/p/about")
    assert page.status_code == 200
    assert "About your organisation" in page.text and "page 1 of 3" in page.text
    assert "Upload your high-level design" not in page.text  # hidden until has_hld is yes
    assert stored(app).status is ResponseStatus.DRAFT


def test_validation_errors_follow_the_design_system_and_keep_what_was_typed(app: Flask) -> None:
    visitor = customer(app)
    visitor.start()
    result = visitor.answer("about", {"organisation": "Acme <Imaging>", "fabric": "nonsense"})
    assert result.status_code == 400
    assert "<title>Error: About your organisation" in result.text
    assert error_summary(result.text) == [
        ("fabric", "Select one of the options"),
        ("has_hld", "Select yes or no for ‘Do you have a high-level design?’"),
    ]
    assert 'id="fabric-error"' in result.text and "form-group--error" in result.text
    assert 'value="Acme &lt;Imaging&gt;"' in result.text
    # Valid answers on the page were saved even though others were wrong.
    assert stored(app).answers == {"organisation": "Acme <Imaging>"}


def test_branch_back_and_piping(app: Flask) -> None:
    visitor = customer(app)
    visitor.start()
    moved = visitor.answer(
        "about", {"organisation": "Acme", "fabric": "cisco_aci", "has_hld": "no"}
    )
    assert moved.location.endswith("/p/aci")
    aci = visitor.get("/p/aci")
    assert "Who administers Acme&#39;s fabric?" in aci.text
    assert 'href="/r/' + visitor.token + '/p/about"' in aci.text  # Back
    back = visitor.get("/p/about")
    assert 'value="Acme"' in back.text and 'value="cisco_aci" checked' in back.text
    assert "Cisco ACI needs ARP flooding" in back.text


def test_pages_off_the_path_redirect_to_where_the_customer_is(app: Flask) -> None:
    visitor = customer(app)
    visitor.start()
    visitor.answer("about", {"organisation": "Acme", "fabric": "traditional", "has_hld": "no"})
    assert visitor.get("/p/aci").location.endswith("/p/services")
    assert visitor.get("/p/nope").location.endswith("/p/services")


def test_answers_for_hidden_questions_are_ignored(app: Flask) -> None:
    visitor = customer(app)
    visitor.start()
    posted = {
        "organisation": "Acme",
        "fabric": "traditional",
        "has_hld": "no",
        "aci_admin": "x",
        "junk": "y",
    }
    visitor.answer("about", posted)
    assert stored(app).answers == {
        "organisation": "Acme",
        "fabric": "traditional",
        "has_hld": False,
    }


def test_save_and_come_back_later_on_another_device(app: Flask) -> None:
    visitor = customer(app)
    visitor.start()
    saved = visitor.answer(
        "about", {"organisation": "Acme", "fabric": "traditional", "has_hld": "no"}, action="later"
    )
    assert saved.location.endswith("/saved")
    page = visitor.get("/saved")
    assert "Your answers have been saved" in page.text
    assert f"https://questionnaire.example.com/r/{visitor.token}/" in page.text
    other_device = Customer(app.test_client(), visitor.token)
    start = other_device.get("/")
    assert "Continue" in start.text and "Start now" not in start.text
    assert other_device.get("/resume").location.endswith("/p/services")


def test_repeating_group_add_change_remove(app: Flask) -> None:
    visitor = customer(app)
    visitor.start()
    visitor.answer("about", {"organisation": "Acme", "fabric": "traditional", "has_hld": "no"})
    empty = visitor.answer("services", {})
    assert empty.status_code == 400 and ("services", "Add at least 1 service") in error_summary(
        empty.text
    )
    new = visitor.get("/p/services/services/new")
    assert "Add a service" in new.text and "terminate TLS" not in new.text
    wrong = visitor.add_record(
        "services", "services", {"name": "Web", "protocol": "https", "port": "99999"}
    )
    assert wrong.status_code == 400
    assert error_summary(wrong.text) == [
        ("tls", "Select yes or no for ‘Should the load balancer terminate TLS for Web?’"),
        ("port", "Enter a port number between 1 and 65535"),
    ]
    assert "Should the load balancer terminate TLS for Web?" in wrong.text
    assert (
        visitor.add_record(
            "services",
            "services",
            {"name": "Web", "protocol": "https", "tls": "yes", "port": "443"},
        ).status_code
        == 302
    )
    assert (
        visitor.add_record(
            "services", "services", {"name": "DICOM", "protocol": "tcp", "port": "104"}
        ).status_code
        == 302
    )
    listed = visitor.get("/p/services")
    assert (
        "Service 1" in listed.text
        and "Service 2" in listed.text
        and "Add another service" in listed.text
    )
    changed = visitor.add_record(
        "services",
        "services",
        {"name": "Web", "protocol": "tcp", "tls": "yes", "port": "80"},
        item="0",
    )
    assert changed.status_code == 302
    assert stored(app).answers["services"][0] == {"name": "Web", "protocol": "tcp", "port": 80}
    confirm = visitor.get("/p/services/services/1/remove")
    assert "Are you sure you want to remove service 2?" in confirm.text
    from .customer import csrf_token, version

    removed = visitor.client.post(
        f"{visitor.base}/p/services/services/1/remove",
        data={
            "csrf_token": csrf_token(confirm.text),
            "version": version(confirm.text),
            "confirm": "yes",
        },
    )
    assert removed.status_code == 302
    assert [r["name"] for r in stored(app).answers["services"]] == ["Web"]
    assert visitor.get("/p/services/services/7").status_code == 404
    assert visitor.get("/p/services/services/x1").status_code == 404


def test_review_lists_answers_with_change_links_then_submit_once(app: Flask) -> None:
    visitor = customer(app)
    visitor.complete_small()
    review = visitor.get("/review")
    assert review.status_code == 200
    assert "Check your answers before submitting" in review.text
    assert "Traditional switching" in review.text and "PACS" in review.text
    assert f"/r/{visitor.token}/p/about#fabric-group" in review.text
    assert "Submit answers" in review.text
    done = visitor.submit()
    assert done.status_code == 302 and "/done" in done.location
    confirmation = visitor.get("/done?submitted=1")
    assert "Answers submitted" in confirmation.text and "What happens next" in confirmation.text
    assert stored(app).status is ResponseStatus.SUBMITTED
    # Afterwards the link shows the read-only summary and accepts no change.
    assert visitor.get("/").location.endswith("/done")
    assert visitor.get("/p/about").location.endswith("/done")
    late = visitor.client.post(f"{visitor.base}/p/about", data={"organisation": "Changed"})
    assert late.status_code in (302, 400)
    assert stored(app).answers["organisation"] == "Acme"
    again = visitor.client.post(f"{visitor.base}/submit", data={})
    assert again.status_code in (302, 400)


def test_review_of_an_incomplete_response_cannot_submit(app: Flask) -> None:
    visitor = customer(app)
    visitor.start()
    review = visitor.get("/review")
    assert "Some answers are missing" in review.text and "Submit answers" not in review.text


def test_front_page_and_health_check(app: Flask) -> None:
    client = app.test_client()
    front = client.get("/")
    assert front.status_code == 200 and "Open it with the link in our email" in front.text
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json == {"status": "ok", "definitions": ["small"]}
