"""The flow of a response's stored answers, walked once per version and kept per process.

A saved page's walk is the flow the next page needs, so a save hands its flow to the cache and
the GET that follows the redirect walks nothing. Stored answers were parsed when they were
saved, so they are walked as trusted. The key includes the definition's hash: a response is
pinned to one version, and a flow is only ever reused for that version's answers.

Rules and date bounds read ``today`` (the respondent's date in the time zone the definition
names), so a flow walked yesterday is not today's. The zone is an answer, fixed for a version:
it is kept beside the flow, so that a hit checks the date without reading the answers (which a
GET loads only on a miss).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from threading import Lock

from questionnaire.engine import FlowResult, Questionnaire, evaluate
from questionnaire.engine.dates import today_in
from questionnaire.store.models import Response

#: Flows kept per worker process: enough for the customers answering at once.
CACHE_SIZE = 256

Key = tuple[int, int, str]


@dataclass(frozen=True)
class _Walked:
    flow: FlowResult
    zone: object  # the answer naming the respondent's time zone, at this version
    today: date  # the date the flow was walked on, in that zone


class FlowCache:
    def __init__(self, size: int = CACHE_SIZE, today: Callable[[object], date] = today_in) -> None:
        """``today(zone)``: the respondent's date in an IANA zone (a test gives its own)."""
        self._size = size
        self._today = today
        self._flows: OrderedDict[Key, _Walked] = OrderedDict()
        self._lock = Lock()

    def flow_of(self, questionnaire: Questionnaire, response: Response | None) -> FlowResult:
        if response is None:
            return evaluate(questionnaire, {}, trusted=True)
        found = self.cached(questionnaire, response)
        if found is not None:
            return found
        zone = _zone_answer(questionnaire, response)
        today = self._today(zone)
        flow = evaluate(questionnaire, response.answers, trusted=True, today=today)
        self._keep(_key(questionnaire, response), _Walked(flow, zone, today))
        return flow

    def cached(self, questionnaire: Questionnaire, response: Response) -> FlowResult | None:
        """The flow of ``response``'s answers if it is kept (and walked today), else None:
        walks nothing."""
        key = _key(questionnaire, response)
        with self._lock:
            found = self._flows.get(key)
            if found is not None:
                self._flows.move_to_end(key)
        if found is not None and self._today(found.zone) == found.today:
            return found.flow
        return None

    def remember(self, questionnaire: Questionnaire, response: Response, flow: FlowResult) -> None:
        """``flow`` is the whole flow of ``response``'s answers at its current version."""
        zone = _zone_answer(questionnaire, response)
        self._keep(
            _key(questionnaire, response), _Walked(flow, zone, flow.today or self._today(zone))
        )

    def _keep(self, key: Key, walked: _Walked) -> None:
        with self._lock:
            self._flows[key] = walked
            while len(self._flows) > self._size:
                self._flows.popitem(last=False)


def _key(questionnaire: Questionnaire, response: Response) -> Key:
    return (response.id, response.version, questionnaire.sha256)


def _zone_answer(questionnaire: Questionnaire, response: Response) -> object:
    zone = questionnaire.definition.time_zone
    return response.answers.get(zone) if zone else None
