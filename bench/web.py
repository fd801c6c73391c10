"""Web benchmark: the customer's pages under gunicorn, against a bare Flask baseline.

Run ``.venv/bin/python bench/web.py [--seconds 9] [--rounds 3] [--connections 8] [--json]``.

In a temporary directory it migrates a SQLite database (or creates the PostgreSQL database
``--database-url`` names, and drops it at the end), invites ``connections + 1`` customers to
``definitions/pre_discovery.yaml`` and answers their first seven pages through Flask's test
client, as a browser would; one more customer answers a synthetic 1,000-question definition
(``bench/engine.py``'s generator). It then serves the app with gunicorn as production does
(``questionnaire.cli_app.SERVING``: 2 gthread workers) and, in the same run, a bare Flask app
(this module's :func:`baseline_app`, served the same way) that serves a copy of each measured
page from a template compiled once. ``wrk`` (or a Python load generator when wrk is missing)
measures GETs of a question page, the review page and a page of the synthetic definition, a
no-op POST and a writing POST, and the baseline's GETs and POST, in interleaved rounds after a
warm-up. It reports requests/s, p50/p99 latency, the workers' CPU per request and our ratios to
the baseline. Benchmarks report; they never fail the build. ``--profile N`` instead profiles
the pages in-process (see bench/README.md).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository's ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import timing
from bench.timing import VERSION, VERSION_MARK, Measurement, Plan, Scenario, Server, found, log

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

# Our requests/s over the baseline's: (baseline scenario, least acceptable ratio)
TARGETS = {
    GET_PAGE: ("baseline " + GET_PAGE, 0.5),
    GET_REVIEW: ("baseline " + GET_REVIEW, 0.35),
    POST_NOOP: ("baseline POST", 0.3),
    POST_WRITE: ("baseline POST", 0.3),
}
# The workers' CPU per request of a scenario over another's: (the other, largest ratio). A page
# of a 1,000-question definition costs what a page costs, not what the definition weighs.
COST_TARGETS = {GET_SYNTHETIC: (GET_PAGE, 2.0)}


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

    from bench.engine import build_definition

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


# -- the baseline: bare Flask, the same HTML from a template compiled once ------------------------


def baseline_template(html: str) -> str:
    """The page as a Jinja template: the CSRF token and version (when the page has them) are
    variables, the rest raw."""
    source = html
    for pattern, name in ((VERSION, "version"), (CSRF, "csrf_token")):  # the later one first
        match = pattern.search(source)
        if match is None:
            continue
        start, end = match.span(1)
        source = f"{source[:start]}{{% endraw %}}{{{{ {name} }}}}{{% raw %}}{source[end:]}"
    return "{% raw %}" + source + "{% endraw %}"


def baseline_pages(prepared: Prepared) -> dict[str, dict[str, str]]:
    """What :func:`baseline_app` serves: a template and its two values, by path."""
    owners = {GET_PAGE: prepared.customers[0], GET_REVIEW: prepared.customers[0],
              GET_SYNTHETIC: prepared.synthetic}  # fmt: skip
    served = {}
    for scenario, path in BASELINE_PAGES.items():
        html = prepared.pages[scenario]
        version = VERSION.search(html)
        served[path] = {
            "template": baseline_template(html),
            "csrf": owners[scenario].csrf,
            "version": version.group(1) if version else "",
        }
    return served


def baseline_app() -> Any:
    """Gunicorn's app for the baseline: ``bench.web:baseline_app()``, pages' path in the env.

    A GET renders a precompiled template with two variables. POST parses the form (the same
    multipart body our app gets), reads ``version`` as an int and answers 303 to a fixed URL:
    the least a save does, with no CSRF check, database, validation or flow.
    """
    from flask import Flask, redirect, request

    served = json.loads(Path(os.environ[HTML_ENV]).read_text())
    app = Flask("bench_baseline")
    for path, page in served.items():
        template = app.jinja_env.from_string(page["template"])

        def show(template: Any = template, page: dict[str, str] = page) -> str:
            return str(template.render(csrf_token=page["csrf"], version=page["version"]))

        app.add_url_rule(path, f"get{path}", show, methods=["GET"])

    @app.post("/page")
    def save() -> Any:
        int(request.form.get("version") or 0)
        return redirect(BASELINE_NEXT, 303)

    if FLOOR_ENV in os.environ:
        add_floor(app, json.loads(os.environ[FLOOR_ENV]), served["/page"])
    return app


def add_floor(app: Any, floor: dict[str, str], page: dict[str, str]) -> None:
    """``GET /floor``: the same page with only the work no implementation of ours can skip:
    the customer's session cookie read, a CSRF token signed for the form, and one query by
    the link's token through a SQLAlchemy session of the app's engine (Core, one column).
    Information, not a target: what the app spends above it is what rendering, the ORM and
    the request hooks cost."""
    from flask_wtf.csrf import generate_csrf
    from sqlalchemy import bindparam, select

    from questionnaire.store.db import Database
    from questionnaire.store.models import Link

    app.secret_key = floor["secret_key"]
    database = Database(floor["database_url"])
    links = Link.__table__.c
    query = select(links.id).where(links.token_hash == bindparam("token_hash"))
    template = app.jinja_env.from_string(page["template"])

    def show() -> str:
        with database.session() as db:
            db.execute(query, {"token_hash": floor["token_hash"]}).first()
        return str(template.render(csrf_token=generate_csrf(), version=page["version"]))

    app.add_url_rule("/floor", "floor", show, methods=["GET"])


# -- scenarios ------------------------------------------------------------------------------------


def scenarios(app: Server, base: Server, prepared: Prepared) -> list[Scenario]:
    """Each baseline just before ours, in each round, so that drift in the machine's load
    touches both sides of a ratio alike."""
    first, writers = prepared.customers[0], prepared.customers[1:]
    synthetic = prepared.synthetic
    reads = {
        GET_PAGE: Plan("GET", first.page, first.headers),
        GET_REVIEW: Plan("GET", first.review, first.headers),
        GET_SYNTHETIC: Plan("GET", synthetic.page, synthetic.headers),
    }
    post = post_plan(first, noop_body(first, VERSION_MARK), 0)

    def noop() -> list[Plan]:
        version = timing.page_version(app.port, post.path, post.headers)
        return [replace(post, version=version)]

    def writes() -> list[Plan]:
        return [
            post_plan(c, write_body(c), timing.page_version(app.port, c.page, c.headers), True)
            for c in writers
        ]

    def fixed(plan: Plan) -> Callable[[], list[Plan]]:
        return lambda: [plan]

    out = [Scenario(FLOOR, base, 200, fixed(Plan("GET", "/floor", first.headers)))]
    for name, plan in reads.items():
        baseline_plan = Plan("GET", BASELINE_PAGES[name], {})
        out += [Scenario("baseline " + name, base, 200, fixed(baseline_plan)),
                Scenario(name, app, 200, fixed(plan))]  # fmt: skip
    return [
        *out,
        Scenario("baseline POST", base, 303, fixed(replace(post, path="/page"))),
        Scenario(POST_NOOP, app, 302, noop, count_writes=True),
        Scenario(POST_WRITE, app, 302, writes, count_writes=True),
    ]


def post_plan(customer: Customer, body: bytes, version: int, write: bool = False) -> Plan:
    headers = {**customer.headers, "Content-Type": MULTIPART}
    return Plan("POST", customer.page, headers, body, version, write)


def use_wrk(args: argparse.Namespace) -> bool:
    return bool(shutil.which("wrk")) and not args.python_load


# -- report ---------------------------------------------------------------------------------------


def verdicts(results: list[Measurement]) -> dict[str, dict[str, Any]]:
    """Each target's ratio: the median of the rounds' ratios (each round's pair ran together)."""
    by_name = {m.name: m for m in results}
    out = {}
    for name, (other, target) in TARGETS.items():
        pairs = zip(by_name[name].runs, by_name[other].runs, strict=True)
        ratios = [ours.rps / base.rps if base.rps else 0.0 for ours, base in pairs]
        ratio = statistics.median(ratios)
        out[name] = {"measure": "req/s", "baseline": other, "ratio": ratio, "round_ratios": ratios,
                     "target": target, "pass": ratio >= target}  # fmt: skip
    for name, (other, limit) in COST_TARGETS.items():
        pairs = zip(by_name[name].runs, by_name[other].runs, strict=True)
        ratios = [ours.cpu_ms / base.cpu_ms if base.cpu_ms else 0.0 for ours, base in pairs]
        ratio = statistics.median(ratios)
        out[name] = {"measure": "cpu/req", "baseline": other, "ratio": ratio,
                     "round_ratios": ratios, "target": limit, "pass": 0 < ratio <= limit}  # fmt: skip
    return out


def print_table(results: list[Measurement], checks: dict[str, dict[str, Any]]) -> None:
    print(
        f"{'scenario':<36} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms/req':>10}"
        f" {'errors':>6} {'saves':>6}  {'ratio (rounds)':<20} target"
    )
    print("-" * 122)
    for m in sorted(
        results, key=lambda m: (m.name.startswith("baseline"), m.name == FLOOR, m.name)
    ):
        saves = "-" if m.writes is None else str(m.writes)
        print(
            f"{m.name:<36} {m.rps:>7.1f} {m.p50_ms:>7.1f} {m.p99_ms:>7.1f} {m.cpu_ms:>10.2f}"
            f" {m.errors:>6} {saves:>6}  {verdict(checks.get(m.name))}"
        )
    for m in results:
        if m.errors:
            print(f"{m.name}: {m.errors} errors, the last: {m.last_error}")
    by_name = {m.name: m for m in results}
    floor, base_page = by_name[FLOOR], by_name["baseline " + GET_PAGE]
    if base_page.rps and base_page.cpu_ms:
        print(
            f"{FLOOR} (session cookie + CSRF token + one query, the same HTML): "
            f"{floor.rps / base_page.rps:.2f} of the baseline's req/s, "
            f"{floor.cpu_ms / base_page.cpu_ms:.1f}x its CPU a request; {GET_PAGE}: "
            f"{by_name[GET_PAGE].cpu_ms / floor.cpu_ms:.1f}x the floor's CPU a request"
        )
    for name, path in BASELINE_PAGES.items():
        ours, base = by_name[name], by_name["baseline " + name]
        if base.rps and base.cpu_ms:
            print(
                f"{name} ({path} on the baseline): {ours.rps / base.rps:.2f} of its req/s, "
                f"{ours.cpu_ms / base.cpu_ms:.1f}x its CPU a request"
            )


def verdict(check: dict[str, Any] | None) -> str:
    if check is None:
        return ""
    spread = f"{min(check['round_ratios']):.2f}-{max(check['round_ratios']):.2f}"
    outcome = "PASS" if check["pass"] else "FAIL"
    ratio = f"{check['ratio']:.2f} ({spread})"
    if check["measure"] == "cpu/req":
        return f"{ratio:<20} <= {check['target']:.2f}x {check['baseline']} CPU/req {outcome}"
    return f"{ratio:<20} >= {check['target']:.2f} {outcome}"


def report(results: list[Measurement], info: dict[str, Any], as_json: bool) -> None:
    checks = verdicts(results)
    if as_json:
        rows = [{**m.row(), **checks.get(m.name, {})} for m in results]
        print(json.dumps({**info, "results": rows}, indent=2))
        return
    print(
        f"gunicorn as in production on both sides ({info['serving']}); {info['loadgen']}, "
        f"{info['connections']} connections; {info['rounds']} rounds of "
        f"{info['seconds'] / info['rounds']:g} s a row after {info['warmup']:g} s warm-up; "
        f"{info['database']}; rate limits in {info['ratelimit']}; pages '{MEASURED}' "
        f"({info['page_bytes']} bytes), review ({info['review_bytes']} bytes), synthetic "
        f"'{info['synthetic_page']}' ({info['synthetic_bytes']} bytes). CPU: the 2 workers' "
        "utime + stime over the requests served.\n"
    )
    print_table(results, checks)


# -- profile (in-process, test client) ------------------------------------------------------------


# (label, path suffix, function) of the parts a request's time is shared among; they overlap
PARTS = (
    ("session cookie: open", "flask/sessions.py", "open_session"),
    ("session cookie: save", "flask/sessions.py", "save_session"),
    ("Flask-Login user loader", "flask_login/login_manager.py", "_load_user"),
    ("link lookup (before_request)", "questionnaire/web/customer/blueprint.py", "_open_link"),
    ("  SQLAlchemy Session.execute", "sqlalchemy/orm/session.py", "execute"),
    ("flow evaluate (all calls)", "questionnaire/engine/flow.py", "evaluate"),
    ("  answer parsing in it", "questionnaire/engine/answers.py", "parse_answer"),
    ("submit_page", "questionnaire/engine/submit.py", "submit_page"),
    ("page render (pages.py)", "questionnaire/web/pages.py", "render_page"),
    ("review render (finish.py)", "questionnaire/web/customer/finish.py", "_review_page"),
    ("  Jinja render", "jinja2/environment.py", "render"),
    ("  url_for", "flask/helpers.py", "url_for"),
    ("  csrf_token", "flask_wtf/csrf.py", "generate_csrf"),
    ("CSRF check (parses the form)", "flask_wtf/csrf.py", "protect"),
    ("response headers", "questionnaire/web/security.py", "headers"),
)


def profile(config: dict[str, str], prepared: Prepared, requests: int, top: int) -> None:
    """Time (CPU), then cProfile, ``requests`` of each page's GET and the no-op POST in-process."""
    import questionnaire

    app = questionnaire.create_app(config)
    first, synthetic = prepared.customers[0], prepared.synthetic
    client, other = app.test_client(), app.test_client()
    client.set_cookie("session", first.cookie)
    other.set_cookie("session", synthetic.cookie)
    body = noop_body(first, found(VERSION, client.get(first.page).text))
    calls: list[tuple[str, Callable[[], Any]]] = [
        (GET_PAGE, lambda: client.get(first.page)),
        (GET_REVIEW, lambda: client.get(first.review)),
        (GET_SYNTHETIC, lambda: other.get(synthetic.page)),
        (POST_NOOP, lambda: client.post(first.page, data=body, content_type=MULTIPART)),
    ]
    for label, call in calls:
        for _ in range(20):
            call()
        median = statistics.median(cpu_timed(call) for _ in range(requests)) * 1000
        profiler = cProfile.Profile()
        for _ in range(requests):
            profiler.runcall(call)
        stats = pstats.Stats(profiler, stream=sys.stdout)
        print(f"\n== {label}: {median:.2f} ms of CPU a request in-process (median of {requests})")
        print_parts(stats, requests)
        stats.sort_stats("cumulative").print_stats(top)


def cpu_timed(call: Callable[[], Any]) -> float:
    """The process's CPU time for one call: steadier than the clock on a shared machine."""
    started = time.process_time()
    call()
    return time.process_time() - started


def print_parts(stats: pstats.Stats, requests: int) -> None:
    """Each part's cumulative share of the profiled time, and its calls per request."""
    table = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in table.values())
    print(f"  {'part (shares overlap)':<34} {'time':>6}  calls/request")
    for label, path, function in PARTS:
        entries = [
            entry for (file, _line, name), entry in table.items()
            if name == function and file.endswith(path)
        ]  # fmt: skip
        share = 100 * sum(e[3] for e in entries) / total
        print(f"  {label:<34} {share:5.1f}%  {sum(e[1] for e in entries) / requests:5.1f}")


# -- main -----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=9, help="per scenario, all rounds")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--warmup", type=float, default=2, help="before a scenario's first run")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--json", action="store_true", help="print a JSON object")
    parser.add_argument(
        "--database-url", help="postgresql+psycopg://.../NAME: a database to create and drop"
    )
    parser.add_argument("--ratelimit-storage", default="memory://", help="e.g. redis://...")
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    parser.add_argument("--profile", type=int, metavar="N", help="only cProfile N requests")
    return parser.parse_args(argv)


def serve(
    stack: ExitStack, tmp: Path, config: dict[str, str], prepared: Prepared
) -> tuple[Server, Server, list[str]]:
    """Our app and the baseline under gunicorn, both with production's serving settings."""
    from questionnaire.cli_app import SERVING, THREADS
    from questionnaire.services.links import token_hash

    flags = timing.gunicorn_flags(SERVING, THREADS)
    pages_path = tmp / "baseline.json"
    pages_path.write_text(json.dumps(baseline_pages(prepared)))
    env = {f"QUESTIONNAIRE_{key}": value for key, value in config.items()}
    first = prepared.customers[0]
    app = stack.enter_context(
        timing.gunicorn("questionnaire:create_app()", flags, env, tmp / "app.log",
                        (first.page, first.headers))
    )  # fmt: skip
    floor = {"database_url": config["DATABASE_URL"], "secret_key": config["SECRET_KEY"],
             "token_hash": token_hash(first.token)}  # fmt: skip
    base_env = {HTML_ENV: str(pages_path), FLOOR_ENV: json.dumps(floor)}
    base = stack.enter_context(
        timing.gunicorn("bench.web:baseline_app()", flags, base_env, tmp / "base.log",
                        ("/page", {}))
    )  # fmt: skip
    return app, base, flags


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop the servers
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-web-")))
        database = stack.enter_context(
            scratch_database(args.database_url or f"sqlite:///{tmp / 'bench.sqlite'}")
        )
        config = app_config(tmp, database, args.ratelimit_storage)
        count = 1 if args.profile else args.connections + 1
        log(f"set-up: {count} customers on '{DEFINITION}', up to '{MEASURED}', and one on a "
            f"{SYNTHETIC_QUESTIONS}-question definition")  # fmt: skip
        prepared = prepare(config, count, tmp)
        if args.profile:
            profile(config, prepared, args.profile, 30)
            return 0
        app, base, flags = serve(stack, tmp, config, prepared)
        run = timing.run_wrk if use_wrk(args) else timing.run_python
        results = timing.measure(
            scenarios(app, base, prepared), run, rounds=args.rounds, seconds=args.seconds,
            warmup=args.warmup, connections=args.connections, tmp=tmp,
        )  # fmt: skip
        info = {
            "loadgen": "wrk" if use_wrk(args) else "python", "connections": args.connections,
            "seconds": args.seconds, "rounds": args.rounds, "warmup": args.warmup,
            "database": database.split(":", 1)[0], "ratelimit": args.ratelimit_storage,
            "serving": "2 workers " + " ".join(flags),
            "page_bytes": len(prepared.pages[GET_PAGE].encode()),
            "review_bytes": len(prepared.pages[GET_REVIEW].encode()),
            "synthetic_page": prepared.synthetic.page_id,
            "synthetic_bytes": len(prepared.pages[GET_SYNTHETIC].encode()),
        }  # fmt: skip
        report(results, info, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
