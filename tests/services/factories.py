"""Small factories for service tests: an engagement, a link, a response at a given page."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from questionnaire.services import journey, links
from questionnaire.services.context import Context
from questionnaire.store.db import Database
from questionnaire.store.models import Engagement, Response
from questionnaire.worker import Worker

#: Answers that complete the small test questionnaire's pages, in order.
SMALL_ANSWERS: dict[str, dict[str, Any]] = {
    "about": {"organisation": "Acme", "fabric": "traditional", "has_hld": False},
    "services": {"services": [{"name": "PACS", "protocol": "tcp", "port": 104}]},
    "last": {},
}


@dataclass
class Factory:
    db: Session
    context: Context

    def engagement(self, customer: str = "Acme Health") -> Engagement:
        engagement = links.create_engagement(self.db, customer, "test")
        self.db.commit()
        return engagement

    def link(self, definition: str = "small", customer: str = "Acme Health") -> str:
        """A new engagement's link token."""
        invitation = links.invite(self.db, customer, definition, timedelta(days=14), "test")
        return invitation.token

    def opened(self, token: str) -> journey.OpenLink:
        return journey.open_link(self.db, self.context, token)

    def response(self, token: str, *, through: str | None = None) -> Response:
        """The link's response, started, with the small questionnaire answered up to and
        including page ``through`` (``None``: nothing answered)."""
        opened = self.opened(token)
        journey.start(self.db, self.context, opened)
        assert opened.response is not None
        answers: dict[str, Any] = {}
        for page, values in SMALL_ANSWERS.items():
            if through is None:
                break
            answers.update(values)
            if page == through:
                break
        opened.response.answers = answers
        opened.response.version += 1  # as every save does: the flow cache is keyed on it
        self.db.commit()
        return opened.response


def run_workers_at_once(context: Context, url: str, count: int = 4) -> None:
    """``count`` workers, each with a database of its own, draining the queue at the same time
    (started together at a barrier): what claims must survive."""
    barrier = threading.Barrier(count)

    def work() -> None:
        own = Database(url)
        barrier.wait()
        Worker(context, own, isolate=False).run_pending()
        own.dispose()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
