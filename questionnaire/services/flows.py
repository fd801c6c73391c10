"""The flow of a response's stored answers, walked once per version and kept per process.

A saved page's walk is the flow the next page needs, so a save hands its flow to the cache and
the GET that follows the redirect walks nothing. Stored answers were parsed when they were
saved, so they are walked as trusted. The key includes the definition's hash: a response is
pinned to one version, and a flow is only ever reused for that version's answers.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from questionnaire.engine import FlowResult, Questionnaire, evaluate
from questionnaire.store.models import Response

#: Flows kept per worker process: enough for the customers answering at once.
CACHE_SIZE = 256

Key = tuple[int, int, str]


class FlowCache:
    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._flows: OrderedDict[Key, FlowResult] = OrderedDict()
        self._lock = Lock()

    def flow_of(self, questionnaire: Questionnaire, response: Response | None) -> FlowResult:
        if response is None:
            return evaluate(questionnaire, {}, trusted=True)
        key = (response.id, response.version, questionnaire.sha256)
        with self._lock:
            found = self._flows.get(key)
            if found is not None:
                self._flows.move_to_end(key)
                return found
        flow = evaluate(questionnaire, response.answers, trusted=True)
        self.remember(questionnaire, response, flow)
        return flow

    def remember(self, questionnaire: Questionnaire, response: Response, flow: FlowResult) -> None:
        """``flow`` is the whole flow of ``response``'s answers at its current version."""
        with self._lock:
            self._flows[(response.id, response.version, questionnaire.sha256)] = flow
            while len(self._flows) > self._size:
                self._flows.popitem(last=False)
