"""The web benchmark's set-up: a database with customers part-way through the questionnaire,
the forms they post, and the scenario names the other parts share (see ``bench/web.py``)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository's ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import timing
from bench.timing import VERSION, VERSION_MARK, found

ROOT = timing.ROOT
DEFINITION = "pre_discovery"
MEASURED = "addressing"  # page 7 of 13 on this path: the middle of the questionnaire
SYNTHETIC = "bench"  # the id bench/engine.py gives its synthetic definition
SYNTHETIC_QUESTIONS = 1000
BOUNDARY = "BenchBoundary7MA4YWxkTrZu0gW"
HTML_ENV = "BENCH_BASELINE_HTML"
FLOOR_ENV = "BENCH_FLOOR"  # JSON: the database, secret key and token hash the floor reads
BASELINE_NEXT = "/next"

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

# The answers of the complete case in definitions/tests/pre_discovery.yaml, as a browser posts
# them: every page before the measured one, and the measured page itself (so its POST can be a
# no-op save). A list value is a checkbox group.
PAGES: tuple[tuple[str, dict[str, str | list[str]]], ...] = (
    ("commercial", {
        "ps_days_sold": "3", "contract_date": "2026-03-02", "purchase_order": "PO-48213",
        "quote_number": "Q-2026-0117", "services_lead": "Sam Patel",
        "commercial_confirmed": "yes",
    }),
    ("organisation", {
        "organisation": "Northshire Health", "contact_name": "Alex Morgan",
        "contact_role": "Infrastructure lead", "contact_email": "alex.morgan@northshire.example",
        "contact_phone": "+442079460958", "other_contacts": "",
    }),
    ("project", {
        "load_balancing_summary": "Our PACS web viewer and DICOM store across 4 servers.",
        "deployment_types": ["medical"],
    }),
    ("design", {"hld_available": "no"}),
    ("network", {"network_fabric": "traditional", "network_notes": ""}),
    ("appliance", {"form_factor": "hardware", "ha_pair": "yes", "appliance_installed": "no"}),
    (MEASURED, {
        "network_topology": "one_arm", "addresses_known": "yes", "mgmt_ip_primary": "10.20.0.10",
        "mgmt_ip_secondary": "10.20.0.11", "vip_subnet": "10.20.0.0/24",
        "default_gateway": "10.20.0.1", "dns_server_1": "10.0.0.53", "dns_server_2": "10.0.1.53",
        "ntp_server_1": "ntp.northshire.example", "ntp_server_2": "",
    }),
)  # fmt: skip
# The real-write POST changes this answer every time: its value names the version it was sent
# with, so it always differs from the stored one (written with an older version).
WRITE_FIELD = ("ntp_server_2", f"ntp{VERSION_MARK}.bench.example")

GET_PAGE, GET_REVIEW, GET_SYNTHETIC = "GET page", "GET review", "GET page (1,000 questions)"
FLOOR = "floor GET page"
POST_NOOP, POST_WRITE = "POST page (no-op save)", "POST page (real write)"
# The baseline's copy of each of our GETs: (our scenario, path on the baseline app)
BASELINE_PAGES = {GET_PAGE: "/page", GET_REVIEW: "/review", GET_SYNTHETIC: "/synthetic"}


# -- forms ----------------------------------------------------------------------------------------


def multipart(fields: Sequence[tuple[str, str]]) -> bytes:
    """A ``multipart/form-data`` body, as the page's form (``enctype`` multipart) is posted."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields
    ]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def form_fields(
    csrf: str, version: str, answers: dict[str, str | list[str]]
) -> list[tuple[str, str]]:
    fields = [("csrf_token", csrf), ("version", version), ("action", "continue")]
    for name, value in answers.items():
        fields += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
    return fields


# -- set-up: database, customers mid-questionnaire ------------------------------------------------


@dataclass(frozen=True)
class Customer:
    """A response in progress, and what its browser sends: session cookie and CSRF token."""

    token: str
    cookie: str
    csrf: str
    page_id: str = MEASURED

    @property
    def page(self) -> str:
        return f"/r/{self.token}/p/{self.page_id}"

    @property
    def review(self) -> str:
        return f"/r/{self.token}/review"

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": f"session={self.cookie}"}


@dataclass(frozen=True)
class Prepared:
    customers: list[Customer]  # on the real definition: the first is measured, the rest write
    synthetic: Customer  # mid-way through the 1,000-question definition
    pages: dict[str, str]  # our GET scenario: the HTML it serves (the baseline's copy)


def definitions_folder(tmp: Path) -> Path:
    """The app's definitions and the synthetic one, as the app loads them from a folder."""
    import yaml

    from bench.synthetic import build_definition

    folder = tmp / "definitions"
    folder.mkdir()
    for path in (ROOT / "definitions").glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    synthetic = build_definition(SYNTHETIC_QUESTIONS)
    (folder / f"{SYNTHETIC}.yaml").write_text(yaml.safe_dump(synthetic.doc, sort_keys=False))
    (tmp / "synthetic-answers.json").write_text(json.dumps(synthetic.answers))
    return folder


def app_config(tmp: Path, database_url: str, ratelimit: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "DEFINITIONS_DIR": str(definitions_folder(tmp)),
        "UPLOAD_DIR": str(tmp / "uploads"),
        "RATELIMIT_STORAGE_URI": ratelimit,
        "SECRET_KEY": "bench-" + os.urandom(16).hex(),
        "BASE_URL": "http://127.0.0.1",
    }


def started(app: Any, definition: str) -> tuple[Any, str, str]:
    """A customer invited to ``definition`` who pressed Start: (client, link path, CSRF)."""
    from questionnaire.services import links
    from questionnaire.store import db

    with app.app_context():
        invitation = links.invite(
            db.session(), "Bench Health", definition, timedelta(days=1), "bench"
        )
    client, base = app.test_client(), f"/r/{invitation.token}"
    csrf = found(CSRF, client.get(base + "/").text)
    expect(client.post(base + "/start", data={"csrf_token": csrf}), 302)
    return client, invitation.token, csrf


def new_customer(app: Any) -> Customer:
    """Invite, start and answer every page up to and including the measured one."""
    client, token, csrf = started(app, DEFINITION)
    for page_id, answers in PAGES:
        answer(client, f"/r/{token}/p/{page_id}", answers)
    cookie = client.get_cookie("session")
    assert cookie is not None
    return Customer(token, cookie.value, csrf)


def synthetic_customer(app: Any, answers: dict[str, Any]) -> Customer:
    """A customer of the synthetic definition whose answers are all saved (by the use case a
    page save ends in), looking at the middle page of their path."""
    from questionnaire.services import journey, responses
    from questionnaire.store import db

    client, token, csrf = started(app, SYNTHETIC)
    context = app.extensions["services"]
    with app.app_context():
        opened = journey.open_link(db.session(), context, token)
        response = opened.response
        assert response is not None
        responses.save_answers(
            db.session(), context.settings, response, response.version, answers, [], "bench",
            "response.save",
        )  # fmt: skip
        path = context.flows.flow_of(opened.questionnaire, response).path
    cookie = client.get_cookie("session")
    assert cookie is not None
    return Customer(token, cookie.value, csrf, page_id=path[len(path) // 2])


def answer(client: Any, path: str, answers: dict[str, str | list[str]]) -> None:
    """GET the page, POST the answers; once more if the first POST was refused (400).

    The page's form only has fields for the questions shown with the *stored* answers, so the
    values for questions that a choice on the same page reveals (``addresses_known`` shows the
    addresses) are dropped by the first POST: as a browser without scripts, post again.
    """
    for _ in range(2):
        page = client.get(path)
        fields = form_fields(found(CSRF, page.text), found(VERSION, page.text), answers)
        saved = client.post(path, data=multipart(fields), content_type=MULTIPART)
        if saved.status_code != 400:
            break
    expect(saved, 302)


def expect(response: Any, status: int) -> None:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.path}: {response.status_code}, not {status}")


def prepare(config: dict[str, str], count: int, tmp: Path) -> Prepared:
    """``count`` customers mid-questionnaire, the synthetic one, and the measured pages' HTML."""
    import questionnaire
    from questionnaire.store import db

    db.upgrade(config["DATABASE_URL"])
    app = questionnaire.create_app(config)
    try:
        customers = [new_customer(app) for _ in range(count)]
        synthetic = synthetic_customer(
            app, json.loads((tmp / "synthetic-answers.json").read_text())
        )
        first = customers[0]
        check_noop(app, first)
        pages = {
            GET_PAGE: page_html(app, first, first.page),
            GET_REVIEW: page_html(app, first, first.review),
            GET_SYNTHETIC: page_html(app, synthetic, synthetic.page),
        }
    finally:
        app.extensions["database"].dispose()  # the servers have their own connections
    return Prepared(customers, synthetic, pages)


def page_html(app: Any, customer: Customer, path: str) -> str:
    client = app.test_client()
    client.set_cookie("session", customer.cookie)
    got = client.get(path)
    expect(got, 200)
    return str(got.text)


def check_noop(app: Any, customer: Customer) -> None:
    """Re-posting the page's own answers must not write, or the no-op POST would not be one."""
    client = app.test_client()
    client.set_cookie("session", customer.cookie)
    html = client.get(customer.page).text
    again = client.post(
        customer.page, data=noop_body(customer, found(VERSION, html)), content_type=MULTIPART
    )
    expect(again, 302)
    if found(VERSION, client.get(customer.page).text) != found(VERSION, html):
        raise RuntimeError("re-posting the same answers wrote: the no-op POST would not be one")


def noop_body(customer: Customer, version: str) -> bytes:
    return multipart(form_fields(customer.csrf, version, dict(PAGES)[MEASURED]))


def write_body(customer: Customer) -> bytes:
    answers = {**dict(PAGES)[MEASURED], WRITE_FIELD[0]: WRITE_FIELD[1]}
    return multipart(form_fields(customer.csrf, VERSION_MARK, answers))


@contextmanager
def scratch_database(url: str) -> Iterator[str]:
    """A PostgreSQL database of the bench's own: created now (never one that exists), dropped
    at the end. Other URLs are used as they are."""
    if not url.startswith("postgresql"):
        yield url
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    name = target.database or ""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise SystemExit(f"name a new database in --database-url (lower case, digits, _): {name!r}")
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            admin.dispose()
            raise SystemExit(f"database {name!r} exists: the bench only uses one it creates")
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
