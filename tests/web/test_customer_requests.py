"""What a customer's request costs beyond its page: the URLs made without ``url_for`` are the
ones it makes, and a page read sets no cookie (Flask-Login has nothing to do on customer pages)."""

from __future__ import annotations

from flask import Flask, url_for

from questionnaire.engine import load_file
from questionnaire.web.customer_urls import customer_urls
from tests.conftest import ROOT

from .customer import Customer, invite


def test_customer_urls_are_url_for_s_for_every_page_and_question_of_the_definitions(
    app: Flask,
) -> None:
    token = invite(app)
    ids = [
        (page.id, question.id)
        for path in [*(ROOT / "definitions").glob("*.yaml"), ROOT / "tests/web/definitions/small.yaml"]
        for page in load_file(path).definition.pages
        for question in page.questions
    ]  # fmt: skip
    assert ids
    with app.test_request_context(f"/r/{token}/"):
        app.preprocess_request()
        urls = customer_urls()
        assert urls.start == url_for("customer.start")
        assert urls.review == url_for("customer.review")
        assert urls.submit == url_for("customer.submit")
        for page_id, question_id in ids:
            anchor = f"{question_id}-group"
            assert urls.page(page_id) == url_for("customer.page", page_id=page_id)
            assert urls.page(page_id, anchor) == url_for(
                "customer.page", page_id=page_id, _anchor=anchor
            )
            assert urls.preview(page_id) == url_for("customer.preview", page_id=page_id)
            records = urls.records(page_id, question_id)
            for item in ("new", 0, 12):
                assert (records.new if item == "new" else records.change(int(item))) == url_for(
                    "customer.record", page_id=page_id, group=question_id, item=item
                )
            assert records.remove(3) == url_for(
                "customer.remove", page_id=page_id, group=question_id, item=3
            )


def test_reading_a_customer_page_sets_no_cookie_and_the_session_keeps_its_csrf_token(
    app: Flask,
) -> None:
    visitor = Customer(app.test_client(), invite(app))
    assert visitor.start().status_code == 302
    first = visitor.get("/p/about")
    assert first.status_code == 200
    for path in ("/p/about", "/review", "/p/services", "/p/services/services/new"):
        again = visitor.get(path)
        assert again.status_code == 200, path
        assert again.headers.getlist("Set-Cookie") == [], path
    assert (
        visitor.answer(
            "about", {"organisation": "Acme", "fabric": "traditional", "has_hld": "no"}
        ).status_code
        == 302
    )
