"""The per-process flow cache never hands out a flow walked on another day: rules and date
bounds read ``today``."""

from __future__ import annotations

from datetime import date
from typing import cast

from questionnaire.engine import evaluate
from questionnaire.engine.loader import load_text
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


ZONED = """
id: zoned
title: Zoned
version: "1"
time_zone: zone
pages:
  - id: where
    title: Where
    next: review
    questions:
      - {id: zone, type: choice, choices: time_zones, label: Your time zone}
"""


class _AnswersUnread:
    """A stored response whose answers were not loaded: reading them would be a query."""

    id, version = 9, 2

    @property
    def answers(self) -> dict[str, object]:
        raise AssertionError("a cache hit read the answers")


def test_a_hit_reads_no_answers_and_the_day_is_the_answered_zones() -> None:
    questionnaire = load_text(ZONED, "zoned.yaml")
    days = {"Pacific/Kiritimati": date(2027, 3, 3)}  # already tomorrow there
    cache = FlowCache(today=lambda zone: days.get(str(zone), date(2027, 3, 2)))
    stored = Response(id=9, version=2, answers={"zone": "Pacific/Kiritimati"})
    walked = cache.flow_of(questionnaire, stored)
    assert walked.today == date(2027, 3, 3)
    assert cache.flow_of(questionnaire, cast(Response, _AnswersUnread())) is walked
    days["Pacific/Kiritimati"] = date(2027, 3, 4)  # midnight there: the flow is walked again
    assert cache.flow_of(questionnaire, stored) is not walked
