"""Fixtures for the browser tests: one real threaded server of the app and one Chromium per
session, a fresh browser context (cookies, storage) per test, and a fresh link per test.

Playwright's own browser download does not work on our machines, so Debian's Chromium is
launched by path when it is installed; otherwise Playwright's bundled browser is tried, and
every browser test is skipped (with the reason) when neither starts.

The fixtures have their own names (``chromium_browser``, ``page_for``, ...) so that they never
mix with pytest-playwright's ``browser``/``page`` fixtures, which launch a browser we do not
control.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Error, Page, Playwright, sync_playwright
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from questionnaire import create_app
from questionnaire.services import links
from questionnaire.store import db
from questionnaire.worker import Worker

from .helpers import NO_SCRIPT

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Running as root needs --no-sandbox; without the background-networking flags Chromium tries
# to reach Google's servers and can hang on machines without internet access.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Playwright's default is 30 s per action; a page of this app answers in milliseconds.
ACTION_TIMEOUT_MS = 10_000


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives a real Chromium against a live server of the app (slow)"
    )


#: Opens a page in a fresh browser context: ``page_for(java_script_enabled=False)``.
PageFor = Callable[..., Page]


# --- the server ---------------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    """No access log line per request (the app still logs its errors)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass
class LiveServer:
    """The app served over real HTTP by a threaded werkzeug server."""

    app: Flask
    url: str

    def invite(self, customer: str = "Northshire Health", days: int = 14) -> str:
        """A new engagement with a fresh link to the pre-discovery questionnaire; returns the
        customer's URL (``.../r/<token>/``). ``days`` < 0 makes a link that has expired."""
        with self.app.app_context():
            token = links.invite(
                db.session(), customer, "pre_discovery", timedelta(days=days), "test"
            ).token
        return f"{self.url}/r/{token}/"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serving(tmp_path_factory.mktemp("browser-server")) as server:
        yield server


@contextmanager
def serving(folder: Path, **config: Any) -> Iterator[LiveServer]:
    """The app on a fresh SQLite database in ``folder``, served over HTTP on a free port, with
    its background worker running; ``config`` overrides settings (mail through a test SMTP
    server, for example)."""
    database_url = f"sqlite:///{folder / 'browser.sqlite'}"
    db.upgrade(database_url)
    # Bind first (port 0: any free port), so that BASE_URL can name the real port.
    app = create_app({**_config(database_url, folder, "http://127.0.0.1:0"), **config})
    server: BaseWSGIServer = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler
    )
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    context = app.extensions["services"]
    app.extensions["services"] = replace(context, settings=replace(context.settings, base_url=url))
    thread = threading.Thread(target=server.serve_forever, name="browser-live-server", daemon=True)
    thread.start()
    # The background worker, as `questionnaire demo` runs one beside the server (in a thread:
    # this process has threads, so its jobs run here rather than in forked children).
    stop = threading.Event()
    worker = Worker(app.extensions["services"], app.extensions["database"], isolate=False)
    worker_thread = threading.Thread(target=worker.run_forever, args=(stop, 0.1), daemon=True)
    worker_thread.start()
    try:
        yield LiveServer(app=app, url=url)
    finally:
        stop.set()
        worker_thread.join(timeout=30)
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["db_engine"].dispose()


def _config(database_url: str, folder: Path, base_url: str) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "browser-test-secret",
        "DATABASE_URL": database_url,
        "UPLOAD_DIR": str(folder / "uploads"),
        "EXPORT_DIR": str(folder / "exports"),
        "DEFINITIONS_DIR": str(ROOT / "definitions"),
        "RATELIMIT_STORAGE_URI": "memory://",
        "BASE_URL": base_url,
    }


@pytest.fixture
def customer_url(live_server: LiveServer) -> str:
    """A link of the test's own (a new engagement), so that tests never share answers."""
    return live_server.invite()


# --- the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Playwright]:
    manager = sync_playwright()
    playwright = manager.start()
    try:
        yield playwright
    finally:
        playwright.stop()


@pytest.fixture(scope="session")
def chromium_browser(_playwright: Playwright) -> Iterator[Browser]:
    browser = _launch(_playwright)
    try:
        yield browser
    finally:
        browser.close()


def _launch(playwright: Playwright) -> Browser:
    problems = []
    if CHROMIUM.exists():
        try:
            return playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000
            )
        except Error as exc:
            problems.append(f"{CHROMIUM}: {exc.message.splitlines()[0]}")
    else:
        problems.append(f"{CHROMIUM} is not installed")
    try:
        return playwright.chromium.launch(args=CHROMIUM_ARGS, timeout=60_000)
    except Error as exc:
        problems.append(f"Playwright's bundled Chromium: {exc.message.splitlines()[0]}")
    pytest.skip("no browser could be launched: " + "; ".join(problems))


@pytest.fixture
def page_for(chromium_browser: Browser) -> Iterator[Callable[..., Page]]:
    """Open a page in a FRESH browser context (its own cookies): ``page_for()`` or, for
    example, ``page_for(java_script_enabled=False)``. Everything is closed after the test."""
    contexts: list[BrowserContext] = []

    def open_page(**context_options: Any) -> Page:
        context = chromium_browser.new_context(**context_options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        if context_options.get("java_script_enabled") is False:
            NO_SCRIPT.add(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
