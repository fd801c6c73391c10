"""The handover form and the board as pages: errors keep what was typed, cards, filters, moves."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from questionnaire.services import accounts
from questionnaire.store import db
from questionnaire.store.models import Engagement, User, UserRole

from .customer import csrf_token
from .engineer import PASSWORD, sign_in

FORM = {
    "organisation": "Acme <script>alert(1)</script>",
    "contact_name": "Jo Bloggs",
    "contact_email": "jo@acme.example",
    "contact_phone": "",
    "project": "PACS",
    "ps_days_sold": "2.5",
    "contract_date": "2026-03-14",
    "purchase_order": "PO-1",
    "quote_number": "Q-1",
    "terms_url": "https://www.loadbalancer.org/terms",
    "timeline": "April",
    "services_lead": "Alex Lead",
    "notes": "",
}


def person(app: Flask, email: str, name: str, *roles: str) -> int:
    with app.app_context():
        session = db.session()
        user = accounts.create_user(session, email, PASSWORD, name)
        session.execute(delete(UserRole).where(UserRole.user_id == user.id))
        session.add_all(UserRole(user_id=user.id, role=role) for role in roles)
        session.commit()
        return user.id


def everyone(app: Flask) -> FlaskClient:
    person(app, "all@loadbalancer.org", "Ann All", "sales", "lead", "engineer")
    client = app.test_client()
    assert sign_in(client, email="all@loadbalancer.org").status_code == 302
    return client


def submit(client: FlaskClient, **changes: str) -> object:
    token = csrf_token(client.get("/e/handover").text)
    return client.post("/e/handover", data={"csrf_token": token, **FORM, **changes})


def test_the_form_shows_each_error_and_keeps_what_was_typed(app: Flask) -> None:
    client = everyone(app)
    result = submit(client, ps_days_sold="2.25", terms_url="http://x.example", contact_name="")
    assert result.status_code == 400  # type: ignore[attr-defined]
    page = result.text  # type: ignore[attr-defined]
    assert page.count("Enter the PS days sold in whole or half days") == 2  # summary and field
    assert 'href="#terms_url"' in page and "Enter the name of the customer&#39;s contact" in page
    assert 'value="2.25"' in page and 'value="http://x.example"' in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert page.startswith("<!") and "<title>Error:" in page


def test_a_handover_confirms_both_emails_and_lands_in_pipeline(app: Flask) -> None:
    client = everyone(app)
    result = submit(client)
    assert result.status_code == 303  # type: ignore[attr-defined]
    done = client.get(result.headers["Location"])  # type: ignore[attr-defined]
    assert "To the services team" in done.text and "jo@acme.example" in done.text
    assert "Handing over Acme &lt;script&gt;" in done.text
    board = client.get("/e/board").text
    pipeline = board.split('id="stage-pipeline"')[1].split("</section>")[0]
    assert "Acme &lt;script&gt;alert(1)&lt;/script&gt;" in pipeline
    assert "waiting for an engineer" in pipeline and "2.5" in pipeline


def test_the_board_has_the_seeds_columns_and_assigning_moves_the_card(app: Flask) -> None:
    client = everyone(app)
    eve = person(app, "eve@loadbalancer.org", "Eve <i>", "engineer")
    submit(client)
    page = client.get("/e/board").text
    headings = [
        part.split(" <span")[0] for part in page.split('<h2 class="heading-m" id="stage-')[1:]
    ]
    assert [h.split('">')[1] for h in headings] == [
        "Pipeline", "Discovery", "Statement of Work", "Planned", "In progress", "Complete",
    ]  # fmt: skip
    assert "Eve &lt;i&gt;" in page
    with app.app_context():
        engagement_id = db.session().scalars(select(Engagement.id)).one()
    token = csrf_token(page)
    moved = client.post(f"/e/board/{engagement_id}/assign",
                        data={"csrf_token": token, "engineer": str(eve), "from": "pipeline"})  # fmt: skip
    assert moved.status_code == 303
    again = client.post(f"/e/board/{engagement_id}/assign",
                        data={"csrf_token": token, "engineer": str(eve), "from": "pipeline"})  # fmt: skip
    assert again.status_code == 409 and "Someone else moved this engagement first" in again.text
    back = client.post(f"/e/board/{engagement_id}/move",
                       data={"csrf_token": token, "from": "discovery", "to": "pipeline"})  # fmt: skip
    assert back.status_code == 400 and "Enter why the engagement goes back" in back.text
    discovery = client.get("/e/board").text.split('id="stage-discovery"')[1].split("</section>")[0]
    assert "Acme" in discovery and "questionnaire to send" in discovery


def test_the_filters_show_mine_or_one_engineers_cards(app: Flask) -> None:
    client = everyone(app)
    submit(client, organisation="Mine Ltd")
    submit(client, organisation="Theirs Ltd")
    with app.app_context():
        session = db.session()
        me = session.scalars(select(User.id).where(User.email == "all@loadbalancer.org")).one()
        ids = {
            row.customer: row.id
            for row in session.execute(select(Engagement.customer, Engagement.id))
        }
    other = person(app, "max@loadbalancer.org", "Max", "engineer")
    token = csrf_token(client.get("/e/board").text)
    for customer, engineer in (("Mine Ltd", me), ("Theirs Ltd", other)):
        client.post(f"/e/board/{ids[customer]}/assign",
                    data={"csrf_token": token, "engineer": str(engineer), "from": "pipeline"})  # fmt: skip
    mine = client.get("/e/board?engineer=mine").text
    assert "Mine Ltd" in mine and "Theirs Ltd" not in mine
    theirs = client.get(f"/e/board?engineer={other}").text
    assert "Theirs Ltd" in theirs and "Mine Ltd" not in theirs
    both = client.get("/e/board?engineer=nonsense").text
    assert "Theirs Ltd" in both and "Mine Ltd" in both


def test_the_engagement_page_says_where_it_is_on_the_board_and_links_to_its_card(
    app: Flask,
) -> None:
    """The services team's handover email sends the lead to the engagement to assign an
    engineer: assigning is on the board, so the page links to the engagement's card."""
    client = everyone(app)
    done = submit(client)
    engagement_id = int(done.headers["Location"].rsplit("/", 1)[1])  # type: ignore[attr-defined]
    page = client.get(f"/e/engagements/{engagement_id}").text
    card = f'href="/e/board#engagement-{engagement_id}"'
    assert "On the board: <strong>Pipeline</strong>, no engineer yet." in page
    assert f"{card}>Assign an engineer on the board</a>" in page
    assert f'id="engagement-{engagement_id}"' in client.get("/e/board").text

    eve = person(app, "eve@loadbalancer.org", "Eve <i>", "engineer")
    token = csrf_token(page)
    client.post(f"/e/board/{engagement_id}/assign",
                data={"csrf_token": token, "engineer": str(eve), "from": "pipeline"})  # fmt: skip
    engineer = app.test_client()
    assert sign_in(engineer, email="eve@loadbalancer.org").status_code == 302
    page = engineer.get(f"/e/engagements/{engagement_id}").text
    assert "On the board: <strong>Discovery</strong>, engineer Eve &lt;i&gt;." in page
    assert f"{card}>See it on the board</a>" in page
