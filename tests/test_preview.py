"""``questionnaire preview``: one definition's pages served from a file, with the flow's view
beside each, through Flask's test client (issue 12, "Tools")."""

from __future__ import annotations

import html
import io
import os
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from questionnaire.cli import main
from questionnaire.web.preview import create_preview_app

from .engine.builders import as_yaml, choice, definition, page, question
from .web.customer import csrf_token


def medical_survey(about_title: str = "About") -> dict[str, Any]:
    """Three pages: the imaging page is asked only for medical projects, and a question on the
    first page only for a high-availability pair."""
    return definition(
        {
            **page(
                "about",
                question("medical", "yes_no"),
                question("ha", "yes_no"),
                question("peer", show_if={"var": "ha"}),
                next="imaging",
            ),
            "title": about_title,
        },
        page(
            "imaging",
            choice("modality", "ct_scanner", "mri"),
            next="contact",
            show_if={"var": "medical"},
        ),
        page("contact", question("email", "email")),
        computed=[{"id": "nodes", "logic": {"if": [{"var": "ha"}, 2, 1]}, "description": "Nodes"}],
    )


def write(path: Path, text: str) -> None:
    """Write ``text`` and move the file's time on, as an editor's save does (the preview
    notices a change by modification time and size)."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    later = max(path.stat().st_mtime_ns, before + 1_000_000_000)
    os.utime(path, ns=(later, later))


@pytest.fixture
def definition_file(tmp_path: Path) -> Path:
    path = tmp_path / "survey.yaml"
    write(path, as_yaml(medical_survey()))
    return path


@pytest.fixture
def client(definition_file: Path) -> FlaskClient:
    return create_preview_app(definition_file).test_client()


def text_of(page: str) -> str:
    """The page's words, tags removed, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def post(client: FlaskClient, page_id: str, **values: Any) -> Any:
    form = client.get(f"/p/{page_id}")
    assert form.status_code == 200, form.text
    return client.post(f"/p/{page_id}", data={"csrf_token": csrf_token(form.text), **values})


def test_the_first_page_renders_with_the_customers_fields_and_the_flows_view(
    client: FlaskClient,
) -> None:
    start = client.get("/")
    assert start.status_code == 302 and start.headers["Location"] == "/p/about"
    first = client.get("/p/about")
    assert first.status_code == 200
    assert '<h1 class="heading-l">About</h1>' in first.text
    assert 'name="medical" type="radio" value="yes"' in first.text  # the app's own field markup
    words = text_of(first.text)
    assert "The flow’s view" in words
    assert "Path for the answers so far About about · not complete Contact" in words
    assert "peer Peer asked only if ha, which does not hold" in words
    assert "Computed values nodes 1 Nodes" in words
    assert "Dropped if submitted now Nothing" in words


def test_posting_answers_moves_along_the_path_and_the_view_follows(client: FlaskClient) -> None:
    moved = post(client, "about", medical="yes", ha="yes", _shown="medical ha peer", peer="b")
    assert moved.status_code == 302 and moved.headers["Location"] == "/p/imaging"
    imaging = text_of(client.get("/p/imaging").text)
    assert "Computed values nodes 2" in imaging
    assert "Every question on this page is shown" in imaging
    assert post(client, "imaging", modality="mri").headers["Location"] == "/p/contact"
    # Not medical after all: the imaging page is skipped, and its answer would be dropped.
    post(client, "about", medical="no", ha="no", _shown="medical ha")
    contact = text_of(client.get("/p/contact").text)
    assert "Pages skipped Imaging imaging asked only if medical, which does not hold" in contact
    assert "modality \"mri\" page 'imaging' is skipped by its condition" in contact
    assert 'peer "b" hidden by its condition' in contact
    assert client.get("/p/imaging").headers["Location"] == "/p/contact"


def test_a_wrong_answer_comes_back_with_the_error_summary(client: FlaskClient) -> None:
    post(client, "about", medical="no", ha="no")
    wrong = post(client, "contact", email="not an address")
    assert wrong.status_code == 400
    assert "There is a problem" in wrong.text and 'value="not an address"' in wrong.text
    assert "The flow’s view" in wrong.text


def test_the_review_and_a_submission_that_sends_nothing(client: FlaskClient) -> None:
    post(client, "about", medical="no", ha="no")
    assert post(client, "contact", email="jo@example.com").headers["Location"] == "/review"
    review = client.get("/review")
    assert "Check your answers before submitting" in review.text
    assert "Review and submit" in text_of(review.text)
    sent = client.post("/submit", data={"csrf_token": csrf_token(review.text)})
    assert sent.status_code == 200
    assert "This is a preview: nothing was sent" in sent.text and "jo@example.com" in sent.text


def test_a_change_to_the_file_shows_on_the_next_page(
    client: FlaskClient, definition_file: Path
) -> None:
    post(client, "about", medical="yes", ha="no")
    write(definition_file, as_yaml(medical_survey(about_title="About your project")))
    again = client.get("/p/about")
    assert '<h1 class="heading-l">About your project</h1>' in again.text
    assert 'value="yes" checked' in again.text  # the answers given so far are kept


def test_a_broken_file_shows_its_located_problems_until_it_is_fixed(
    client: FlaskClient, definition_file: Path
) -> None:
    post(client, "about", medical="yes", ha="no")
    good = definition_file.read_text()
    broken = good.replace("type: yes_no", "type: yes_noo", 1)
    line = broken.splitlines().index("  - id: medical") + 2
    write(definition_file, broken)
    shown = client.get("/p/about")
    assert shown.status_code == 422
    assert "Traceback" not in shown.text
    assert (
        'class="error-summary"' in shown.text
        and "There is a problem with survey.yaml" in shown.text
    )
    message = (
        f"{definition_file}:{line}:5: question &#39;medical&#39;: unknown type &#39;yes_noo&#39;"
    )
    assert message in shown.text
    assert "<title>Error: The definition does not load" in shown.text
    assert client.get("/").status_code == 422
    write(definition_file, good)
    fixed = client.get("/p/about")
    assert fixed.status_code == 200 and 'value="yes" checked' in fixed.text


def test_start_again_forgets_the_answers(client: FlaskClient) -> None:
    post(client, "about", medical="yes", ha="no")
    page_text = client.get("/p/about").text
    restarted = client.post("/start-again", data={"csrf_token": csrf_token(page_text)})
    assert restarted.status_code == 302
    assert "checked" not in client.get("/p/about").text


def test_a_post_without_the_token_is_refused_with_a_page(client: FlaskClient) -> None:
    refused = client.post("/p/about", data={"medical": "yes"})
    assert refused.status_code == 400 and "Go back and reload the page" in refused.text
    assert "checked" not in client.get("/p/about").text


def test_facts_give_the_starting_answers(tmp_path: Path) -> None:
    doc = definition(page("about", question("organisation", prefill="customer")))
    path = tmp_path / "facts.yaml"
    write(path, as_yaml(doc))
    client = create_preview_app(path, {"customer": "Acme"}).test_client()
    assert 'value="Acme"' in client.get("/p/about").text


def test_the_stamp_changes_when_the_file_is_saved(
    client: FlaskClient, definition_file: Path
) -> None:
    before = client.get("/_preview/stamp").text
    write(definition_file, definition_file.read_text() + "\n")
    assert client.get("/_preview/stamp").text != before


def test_a_repeating_groups_records_are_added_changed_and_removed(tmp_path: Path) -> None:
    port = question("port", "integer", show_if={"var": "item.listens"})
    group = question(
        "services", "repeat", item_label="Service", min_items=1,
        questions=[question("name"), question("listens", "yes_no"), port],
    )  # fmt: skip
    path = tmp_path / "groups.yaml"
    write(path, as_yaml(definition(page("services", group))))
    client = create_preview_app(path).test_client()
    listed = client.get("/p/services")
    assert 'href="/p/services/services/new"' in listed.text
    new = client.get("/p/services/services/new")
    assert new.status_code == 200 and 'name="name"' in new.text and 'name="port"' not in new.text
    assert "The flow’s view" in new.text
    token = csrf_token(new.text)
    wrong = client.post("/p/services/services/new", data={"csrf_token": token, "name": "web",
                        "listens": "yes", "port": "eighty"})  # fmt: skip
    assert (
        wrong.status_code == 400
        and 'name="port"' in wrong.text
        and "There is a problem" in wrong.text
    )
    added = client.post("/p/services/services/new", data={"csrf_token": token, "name": "web",
                        "listens": "yes", "port": "80"})  # fmt: skip
    assert added.status_code == 302 and added.headers["Location"] == "/p/services#services"
    assert "Service 1 Name: web Listens: Yes Port: 80" in text_of(client.get("/p/services").text)
    change = client.get("/p/services/services/0")
    assert 'value="80"' in change.text
    assert "Are you sure" in client.get("/p/services/services/0/remove").text
    assert client.get("/p/services/services/7").status_code == 404
    assert "That item does not exist" in client.get("/p/services/services/x").text
    removed = client.post(
        "/p/services/services/0/remove", data={"csrf_token": token, "confirm": "yes"}
    )
    assert removed.status_code == 302
    assert "Service 1 Name: web Listens: Yes Port: 80" not in text_of(
        client.get("/p/services").text
    )
    assert "You have not added any yet" in client.get("/p/services").text


def test_a_chosen_file_is_judged_by_its_content_and_recorded_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "files.yaml"
    write(path, as_yaml(definition(page("design", question("hld", "file", accept=["pdf"])))))
    client = create_preview_app(path).test_client()
    token = csrf_token(client.get("/p/design").text)
    text = {"csrf_token": token, "hld": (io.BytesIO(b"just words\n"), "design.pdf")}
    refused = client.post("/p/design", data=text, content_type="multipart/form-data")
    assert refused.status_code == 400 and "The selected file must be a PDF" in refused.text
    pdf = {"csrf_token": token, "hld": (io.BytesIO(b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n"), "hld.pdf")}
    kept = client.post("/p/design", data=pdf, content_type="multipart/form-data")
    assert kept.status_code == 302 and kept.headers["Location"] == "/review"
    assert "hld.pdf" in client.get("/review").text


def test_groups_given_records_start_from_the_engagements(tmp_path: Path) -> None:
    works = question("works", "yes_no", label="Does {item.name} work from your clients' side?")
    group = question("services", "repeat", records_from="pdr.virtual_services", questions=[works])
    path = tmp_path / "given.yaml"
    write(path, as_yaml(definition(page("services", group))))
    web = {"name": "Web servers", "vip": "10.0.0.10", "ports": "443", "protocol": "HTTPS"}
    client = create_preview_app(path, records={"pdr.virtual_services": [web]}).test_client()
    assert (
        "Does Web servers work from your clients&#39; side?"
        in client.get("/p/services/services/0").text
    )
    assert client.get("/p/services/services/new").status_code == 404


def test_the_command_serves_on_the_loopback_address_only(
    definition_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr(Flask, "run", lambda app, **options: served.update(options, app=app))
    facts = tmp_path / "facts.yaml"
    facts.write_text("customer: Acme\n")
    args = ["preview", str(definition_file), "--port", "5077", "--facts", str(facts)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert served["host"] == "127.0.0.1" and served["port"] == 5077
    assert served["debug"] is False and served["use_reloader"] is False
    assert served["app"].test_client().get("/p/about").status_code == 200


def test_the_command_refuses_an_unknown_fact(definition_file: Path, tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text("customr: Acme\n")
    result = CliRunner().invoke(main, ["preview", str(definition_file), "--facts", str(facts)])
    assert result.exit_code == 2 and "unknown fact(s) customr" in result.output


def test_the_view_lists_the_lint_warnings_and_why_a_hidden_field_is_not_asked(
    tmp_path: Path,
) -> None:
    doc = definition(
        page(
            "a",
            question("ha", "yes_no"),
            question("x", show_if={"==": [{"var": "ha"}, "yes"]}),
            question("channel", hidden=True, default="web"),
        )
    )
    path = tmp_path / "warn.yaml"
    write(path, as_yaml(doc))
    words = text_of(create_preview_app(path).test_client().get("/p/a").text)
    assert "Lint warnings" in words and "warning: 'ha' is a yes/no answer" in words
    assert "x X asked only if ha is 'yes', which does not hold" in words
    assert 'channel Channel a hidden field: never asked, it carries "web" into the answers' in words


def test_a_request_for_another_host_name_is_refused(client: FlaskClient) -> None:
    rebound = client.get("/p/about", headers={"Host": "attacker.example:5050"})
    assert rebound.status_code == 400 and "only at http://127.0.0.1" in rebound.text
    assert client.get("/p/about", headers={"Host": "127.0.0.1:5050"}).status_code == 200


def test_the_stamp_changes_when_a_csv_list_beside_it_is_saved(
    client: FlaskClient, definition_file: Path
) -> None:
    before = client.get("/_preview/stamp").text
    write(definition_file.parent / "cities.csv", "value,label\nleeds,Leeds\n")
    assert client.get("/_preview/stamp").text != before
