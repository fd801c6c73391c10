"""The per-process flow cache never hands out a flow walked on another day: rules and date
bounds read ``today``."""

from __future__ import annotations

from datetime import date

from questionnaire.engine import evaluate
from questionnaire.services.context import Context
from questionnaire.services.flows import FlowCache
from questionnaire.store.models import Response


def test_a_flow_cached_yesterday_is_walked_again_today(services: Context) -> None:
    questionnaire = services.definitions.current["small"]
    response = Response(id=7, version=3, answers={})
    day = [date(2027, 3, 2)]
    cache = FlowCache(today=lambda zone: day[0])
    yesterdays = evaluate(questionnaire, {}, trusted=True, today=day[0])
    cache.remember(questionnaire, response, yesterdays)
    assert cache.flow_of(questionnaire, response) is yesterdays  # the same day: kept
    day[0] = date(2027, 3, 3)
    todays = cache.flow_of(questionnaire, response)
    assert todays is not yesterdays
    assert cache.flow_of(questionnaire, response) is todays
