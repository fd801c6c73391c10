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
import pstats
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository's ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load, timing
from bench.timing import VERSION, VERSION_MARK, Measurement, Plan, Scenario, Server, found, log
from bench.web_baseline import baseline_pages
from bench.web_setup import (
    BASELINE_PAGES,
    DEFINITION,
    FLOOR,
    FLOOR_ENV,
    GET_PAGE,
    GET_REVIEW,
    GET_SYNTHETIC,
    HTML_ENV,
    MEASURED,
    MULTIPART,
    POST_NOOP,
    POST_WRITE,
    SYNTHETIC_QUESTIONS,
    Customer,
    Prepared,
    app_config,
    noop_body,
    prepare,
    scratch_database,
    write_body,
)

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
        timing.gunicorn("bench.web_baseline:baseline_app()", flags, base_env, tmp / "base.log",
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
        run = load.run_wrk if use_wrk(args) else load.run_python
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
