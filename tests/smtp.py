"""A real SMTP server for tests (aiosmtpd on 127.0.0.1, a free port) that keeps what it receives.

``smtp_server`` starts one per test. Its ``replies`` are the answers to the next DATA commands,
one each (``"451 4.3.0 Try again later"``); once they are used up it accepts. ``on_data`` runs
when a message's data has arrived, before the server answers (a test kills a worker there).
With ``users``, it requires AUTH (over plain SMTP: the test server has no certificate).
"""

from __future__ import annotations

import socket
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from questionnaire.services.context import Context


@dataclass(frozen=True)
class Received:
    """One message the server accepted, with its envelope."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)

    def part(self, media_type: str) -> str:
        body = self.message.get_body(preferencelist=(media_type.split("/")[1],))
        assert body is not None and body.get_content_type() == media_type, media_type
        return cast(str, body.get_content())


@dataclass
class SmtpServer:
    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    on_data: Callable[[], None] | None = None
    users: dict[str, str] = field(default_factory=dict)
    logins: list[str] = field(default_factory=list)

    def config(self, **overrides: Any) -> dict[str, Any]:
        """The app settings that send mail here."""
        return {
            "MAIL_TRANSPORT": "smtp",
            "MAIL_HOST": self.host,
            "MAIL_PORT": self.port,
            "MAIL_SECURITY": "none",
            **overrides,
        }

    def message_ids(self) -> list[str]:
        return [str(r.message["Message-ID"]) for r in self.received]

    # -- aiosmtpd's handler -------------------------------------------------------------------

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.on_data is not None:
            self.on_data()
        reply = self.replies.pop(0) if self.replies else "250 OK"
        if reply.startswith("250"):
            content = envelope.original_content or envelope.content
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), content))
        return reply

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = data.login.decode(), data.password.decode()
        self.logins.append(login)
        return AuthResult(success=self.users.get(login) == password, handled=False)


class TestController(Controller):
    def factory(self) -> Any:
        """aiosmtpd warns that AUTH without TLS is unsafe: this server has no certificate."""
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            return super().factory()  # type: ignore[no-untyped-call]


def via(context: Context, server: SmtpServer, **changes: Any) -> Context:
    """``context`` (the use cases' settings and the rest) sending its email through ``server``."""
    smtp = {"transport": "smtp", "host": server.host, "port": server.port, "security": "none"}
    mail = replace(context.settings.mail, **{**smtp, **changes})
    return replace(context, settings=replace(context.settings, mail=mail))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(server: SmtpServer) -> Controller:
    options: dict[str, Any] = {}
    if server.users:
        options = {"authenticator": server.authenticate, "auth_required": True,
                   "auth_require_tls": False}  # fmt: skip
    controller = TestController(server, hostname=server.host, port=server.port, **options)
    controller.start()
    return controller


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer("127.0.0.1", _free_port())
    controller = start(server)
    yield server
    controller.stop()


@pytest.fixture
def start_smtp_server() -> Iterator[Callable[..., SmtpServer]]:
    """Start a server with options (``users={"name": "password"}``)."""
    controllers: list[Controller] = []

    def started(**options: Any) -> SmtpServer:
        server = SmtpServer("127.0.0.1", _free_port(), **options)
        controllers.append(start(server))
        return server

    yield started
    for controller in controllers:
        controller.stop()
