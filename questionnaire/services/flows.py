"""The flow of a response's stored answers, walked once per version and kept per process.

A saved page's walk is the flow the next page needs, so a save hands its flow to the cache and
the GET that follows the redirect walks nothing. Stored answers were parsed when they were
saved, so they are walked as trusted. The key includes the definition's hash: a response is
pinned to one version, and a flow is only ever reused for that version's answers. It also
includes the respondent's date (``today`` in the definition's time zone): rules and date bounds
read it, so a flow walked yesterday is not today's.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from threading import Lock

from questionnaire.engine import FlowResult, Questionnaire, evaluate
from questionnaire.engine.dates import today_in
from questionnaire.store.models import Response

#: Flows kept per worker process: enough for the customers answering at once.
CACHE_SIZE = 256

Key = tuple[int, int, str, date]


class FlowCache:
    def __init__(self, size: int = CACHE_SIZE, today: Callable[[object], date] = today_in) -> None:
        """``today(zone)``: the respondent's date in an IANA zone (a test gives its own)."""
        self._size = size
        self._today = today
        self._flows: OrderedDict[Key, FlowResult] = OrderedDict()
        self._lock = Lock()

    def flow_of(self, questionnaire: Questionnaire, response: Response | None) -> FlowResult:
        if response is None:
            return evaluate(questionnaire, {}, trusted=True)
        key = self._key(questionnaire, response)
        with self._lock:
            found = self._flows.get(key)
            if found is not None:
                self._flows.move_to_end(key)
                return found
        flow = evaluate(questionnaire, response.answers, trusted=True, today=key[3])
        self.remember(questionnaire, response, flow)
        return flow

    def remember(self, questionnaire: Questionnaire, response: Response, flow: FlowResult) -> None:
        """``flow`` is the whole flow of ``response``'s answers at its current version."""
        with self._lock:
            self._flows[self._key(questionnaire, response)] = flow
            while len(self._flows) > self._size:
                self._flows.popitem(last=False)

    def _key(self, questionnaire: Questionnaire, response: Response) -> Key:
        zone = questionnaire.definition.time_zone
        today = self._today(response.answers.get(zone) if zone else None)
        return (response.id, response.version, questionnaire.sha256, today)
