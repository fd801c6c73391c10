"""Outgoing HTTP connects to exactly the addresses it checked: a name that answers a public
address for the check and 127.0.0.1 afterwards (DNS rebinding) never reaches this machine's
servers, nor through a redirect; the URL's name stays the Host and, for https, the name the
certificate is verified against.

Names are answered and connections refused by ``network_support`` (nothing leaves this host):
real rebinding DNS cannot run here, and the servers are real ones on 127.0.0.1.
"""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from questionnaire.services import booking_http, pinned_http, webhooks
from questionnaire.services.booking_settings import BookingSettings
from questionnaire.services.context import Context
from questionnaire.store.closeout import WebhookStatus
from questionnaire.store.db import Database
from questionnaire.worker import Worker

from .factories import Factory
from .network_support import (
    FEED,
    OTHER_PUBLIC,
    PUBLIC,
    Local,
    Network,
    faking,
    self_signed,
    server_context,
    serving,
    trusting,
)  # fmt: skip
from .test_webhooks import _complete, _deliver_only, _hooked, _rows

PUBLIC_ONLY = BookingSettings()
ANY_ADDRESS = replace(PUBLIC_ONLY, feed_private_addresses=True)


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Iterator[Network]:
    with faking(monkeypatch) as found:
        yield found


@pytest.fixture
def local() -> Iterator[Local]:
    with serving() as found:
        yield found


def test_a_name_that_turns_to_loopback_after_the_check_is_never_connected_to(
    network: Network, local: Local
) -> None:
    network.answers["calendar.rebind.test"] = [[PUBLIC], ["127.0.0.1"]]
    with pytest.raises(booking_http.FetchError, match="could not be reached"):
        booking_http.fetch(f"http://calendar.rebind.test:{local.port}/feed.ics", PUBLIC_ONLY)
    assert local.seen == []
    assert network.lookups == ["calendar.rebind.test"]  # resolved once, checked, connected to
    assert network.refused == [(PUBLIC, local.port)]


def test_a_redirect_to_a_name_that_turns_to_loopback_is_never_followed_there(
    network: Network, local: Local
) -> None:
    network.answers["calendar.example.test"] = [[PUBLIC]]
    network.into_local.add(PUBLIC)  # the "public" server is this one
    network.answers["moved.rebind.test"] = [[OTHER_PUBLIC], ["127.0.0.1"]]
    local.redirects["/moved"] = f"http://moved.rebind.test:{local.port}/feed.ics"
    with pytest.raises(booking_http.FetchError, match="could not be reached"):
        booking_http.fetch(f"http://calendar.example.test:{local.port}/moved", PUBLIC_ONLY)
    assert local.seen == [("GET", "/moved", f"calendar.example.test:{local.port}")]
    assert network.lookups == ["calendar.example.test", "moved.rebind.test"]
    assert network.refused == [(OTHER_PUBLIC, local.port)]


def test_a_public_feed_is_read_from_the_address_checked_with_its_name_as_the_host(
    network: Network, local: Local
) -> None:
    network.answers["calendar.example.test"] = [[PUBLIC]]
    network.into_local.add(PUBLIC)
    url = f"http://calendar.example.test:{local.port}/feed.ics"
    assert booking_http.fetch(url, PUBLIC_ONLY) == FEED
    assert local.seen == [("GET", "/feed.ics", f"calendar.example.test:{local.port}")]
    assert network.lookups == ["calendar.example.test"]


@pytest.mark.parametrize(
    ("location", "answer"),
    [
        ("http://intranet.example.test:{port}/feed.ics", "10.1.2.3"),
        ("http://loopback.example.test:{port}/feed.ics", "127.0.0.1"),
        ("http://169.254.169.254/latest/meta-data", None),
        ("http://127.0.0.1:{port}/feed.ics", None),
    ],
)
def test_a_redirect_to_a_private_address_is_refused(
    network: Network, local: Local, location: str, answer: str | None
) -> None:
    network.answers["calendar.example.test"] = [[PUBLIC]]
    network.into_local.add(PUBLIC)
    if answer is not None:
        network.answers[location.split("//")[1].split(":")[0]] = [[answer]]
    local.redirects["/moved"] = location.format(port=local.port)
    with pytest.raises(booking_http.FetchError, match="The calendar's address is on a private"):
        booking_http.fetch(f"http://calendar.example.test:{local.port}/moved", PUBLIC_ONLY)
    assert [path for _, path, _ in local.seen] == ["/moved"]
    assert network.refused == []


def test_a_name_with_one_private_address_among_public_ones_is_refused(network: Network) -> None:
    network.answers["mixed.example.test"] = [[PUBLIC, "192.168.1.10"]]
    with pytest.raises(booking_http.FetchError, match="private network"):
        booking_http.fetch("http://mixed.example.test/feed.ics", PUBLIC_ONLY)
    assert network.refused == []


def test_the_checked_addresses_are_tried_in_order(network: Network, local: Local) -> None:
    network.answers["calendar.example.test"] = [[PUBLIC, OTHER_PUBLIC]]
    network.into_local.add(OTHER_PUBLIC)
    url = f"http://calendar.example.test:{local.port}/feed.ics"
    assert booking_http.fetch(url, PUBLIC_ONLY) == FEED
    assert network.refused == [(PUBLIC, local.port)]
    assert network.lookups == ["calendar.example.test"]


def test_with_private_addresses_allowed_it_still_connects_to_the_address_resolved_once(
    network: Network, local: Local
) -> None:
    network.answers["calendar.intranet.test"] = [["192.0.2.1", "127.0.0.1"], ["127.0.0.9"]]
    url = f"http://calendar.intranet.test:{local.port}/feed.ics"
    assert booking_http.fetch(url, ANY_ADDRESS) == FEED
    assert local.seen == [("GET", "/feed.ics", f"calendar.intranet.test:{local.port}")]
    assert network.lookups == ["calendar.intranet.test"]
    assert network.refused == [("192.0.2.1", local.port)]


def test_localhost_is_reached_by_its_address_with_its_name_as_the_host(local: Local) -> None:
    assert booking_http.fetch(f"http://localhost:{local.port}/feed.ics", ANY_ADDRESS) == FEED
    assert local.seen == [("GET", "/feed.ics", f"localhost:{local.port}")]


def test_a_name_that_is_not_found_says_so(network: Network) -> None:
    network.answers["gone.example.test"] = []
    with pytest.raises(booking_http.FetchError, match="The calendar's address could not be found"):
        booking_http.fetch("http://gone.example.test/feed.ics", PUBLIC_ONLY)


# -- the completion webhook ------------------------------------------------------------------


def test_a_webhook_name_that_turns_to_loopback_after_the_check_is_never_posted_to(
    make: Factory, db: Session, services: Context, database: Database, network: Network,
    local: Local,
) -> None:  # fmt: skip
    network.answers["hooks.rebind.test"] = [[PUBLIC], ["127.0.0.1"]]
    context = _hooked(services, f"http://hooks.rebind.test:{local.port}/hooks", private=False)
    _complete(make, db, context)
    _deliver_only(database)
    [outcome] = Worker(context, database, isolate=False).run_pending()
    assert not outcome.ok and local.seen == []
    assert network.refused == [(PUBLIC, local.port)]
    [waiting] = _rows(database)
    assert waiting.status is WebhookStatus.QUEUED  # unreachable: tried again later


def test_a_public_webhook_is_posted_to_the_address_checked_with_its_name_as_the_host(
    make: Factory, db: Session, services: Context, database: Database, network: Network,
    local: Local,
) -> None:  # fmt: skip
    network.answers["hooks.example.test"] = [[PUBLIC], ["127.0.0.1"]]
    network.into_local.add(PUBLIC)
    context = _hooked(services, f"http://hooks.example.test:{local.port}/hooks", private=False)
    _complete(make, db, context)
    _deliver_only(database)
    [outcome] = Worker(context, database, isolate=False).run_pending()
    assert outcome.ok
    assert local.seen == [("POST", "/hooks", f"hooks.example.test:{local.port}")]
    assert network.lookups == ["hooks.example.test"]
    [done] = _rows(database)
    assert (done.status, done.response_status) == (WebhookStatus.DELIVERED, 204)


def test_a_webhook_on_a_private_network_is_refused_for_good(
    make: Factory, db: Session, services: Context, database: Database, network: Network,
    local: Local,
) -> None:  # fmt: skip
    network.answers["hooks.intranet.test"] = [["10.0.0.8"]]
    context = _hooked(services, f"http://hooks.intranet.test:{local.port}/hooks", private=False)
    _complete(make, db, context)
    _deliver_only(database)
    [outcome] = Worker(context, database, isolate=False).run_pending()
    assert not outcome.ok and local.seen == [] and network.refused == []
    [failed] = _rows(database)
    assert failed.status is WebhookStatus.FAILED
    assert "The webhook's address is on a private network" in (failed.last_error or "")
    assert webhooks.deliveries(db)[0].row.status is WebhookStatus.FAILED


# -- https: the pinned address changes where we connect, not whom we accept -------------------


@pytest.fixture
def tls_local(tmp_path: Path) -> Iterator[tuple[Local, Path]]:
    certificate = self_signed(tmp_path, "calendar.tls.test")
    with serving(server_context(certificate)) as found:
        yield found, certificate


def _any_address() -> pinned_http.Policy:
    return pinned_http.Policy(allow_private=True, named="The test's address", private_hint="")


def test_https_verifies_the_certificate_against_the_name_not_the_pinned_address(
    network: Network, tls_local: tuple[Local, Path]
) -> None:
    """The certificate names calendar.tls.test only (no address): a handshake given the
    pinned 127.0.0.1 as its server name would fail to verify."""
    local, certificate = tls_local
    network.answers["calendar.tls.test"] = [["127.0.0.1"]]
    opener = pinned_http.opener(_any_address(), urllib.request.HTTPRedirectHandler(),
                                context=trusting(certificate))  # fmt: skip
    with opener.open(f"https://calendar.tls.test:{local.port}/feed.ics", timeout=5) as answer:
        assert answer.read() == FEED
    assert local.seen == [("GET", "/feed.ics", f"calendar.tls.test:{local.port}")]


def test_https_refuses_a_certificate_for_another_name(
    network: Network, tls_local: tuple[Local, Path]
) -> None:
    local, certificate = tls_local
    network.answers["other.tls.test"] = [["127.0.0.1"]]
    opener = pinned_http.opener(_any_address(), urllib.request.HTTPRedirectHandler(),
                                context=trusting(certificate))  # fmt: skip
    with pytest.raises(urllib.error.URLError) as refused:
        opener.open(f"https://other.tls.test:{local.port}/feed.ics", timeout=5)
    assert isinstance(refused.value.reason, ssl.SSLCertVerificationError)
    assert "other.tls.test" in str(refused.value.reason)
    assert local.seen == []


def test_a_feed_over_https_is_verified_with_the_default_trust(
    network: Network, tls_local: tuple[Local, Path]
) -> None:
    local, _ = tls_local
    network.answers["calendar.tls.test"] = [["127.0.0.1"]]
    with pytest.raises(booking_http.FetchError, match="CERTIFICATE_VERIFY_FAILED"):
        booking_http.fetch(f"https://calendar.tls.test:{local.port}/feed.ics", ANY_ADDRESS)
    assert local.seen == []


def test_the_tls_handshake_is_given_the_urls_name(network: Network, local: Local) -> None:
    """Whatever the context, ``wrap_socket`` gets ``server_hostname=<the name>``."""
    given: list[str | None] = []

    class Watching(ssl.SSLContext):
        def wrap_socket(self, sock: object, *args: object, **kwargs: object) -> ssl.SSLSocket:
            given.append(kwargs.get("server_hostname"))  # type: ignore[arg-type]
            raise ssl.SSLError("stopped by the test")

    network.answers["calendar.example.test"] = [["127.0.0.1"]]
    connection = pinned_http.PinnedHTTPSConnection(
        f"calendar.example.test:{local.port}", policy=_any_address(),
        context=Watching(ssl.PROTOCOL_TLS_CLIENT), timeout=5,
    )  # fmt: skip
    with pytest.raises(ssl.SSLError, match="stopped by the test"):
        connection.connect()
    assert given == ["calendar.example.test"]
