"""Property tests: the flow and page submission never fail, whatever the answers (random JSON
mixed with the values of :mod:`hostile_values`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questionnaire.engine import PageNotOnPath, Questionnaire, evaluate, load_file, submit_page

from .builders import load
from .hostile_values import hostile_values
from .test_flow import NETWORK

ROOT = Path(__file__).resolve().parents[2]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | hostile_values,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _questionnaires() -> list[Questionnaire]:
    found = [load(NETWORK)]
    shipped = ROOT / "definitions" / "pre_discovery.yaml"
    if shipped.exists():
        found.append(load_file(shipped))
    return found


QUESTIONNAIRES = _questionnaires()


def _answers(questionnaire: Questionnaire) -> st.SearchStrategy[dict[str, Any]]:
    """Random answers keyed mostly by real question ids, with realistic values mixed in."""
    ids = list(questionnaire.questions)
    options = [c.choice.value for q in questionnaire.questions.values() for c in q.choices] or ["x"]
    value = json_values | st.sampled_from(options) | st.lists(st.sampled_from(options), max_size=3)
    records = st.lists(
        st.dictionaries(st.sampled_from(["name", "protocol", "port", "tls", "x"]), value),
        max_size=4,
    )
    return st.dictionaries(
        st.sampled_from(ids) | st.text(max_size=5), value | records, max_size=len(ids)
    )


@pytest.mark.parametrize("trusted", [False, True], ids=["parsed", "trusted"])
@pytest.mark.parametrize("questionnaire", QUESTIONNAIRES, ids=lambda q: q.id)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_flow_never_fails_on_random_answers(
    questionnaire: Questionnaire, trusted: bool, data: st.DataObject
) -> None:
    # Trusted answers are only checked for their shape, so they reach conditions more directly.
    answers = data.draw(_answers(questionnaire))
    flow = evaluate(questionnaire, answers, trusted=trusted)
    assert flow.path and flow.path[0] == questionnaire.start
    assert set(flow.answers) <= set(questionnaire.questions)
    # Every stored answer is either kept or reported as dropped, never silently lost.
    dropped = {d.question for d in flow.dropped}
    for key, value in answers.items():
        if value not in (None, "", []) and not (isinstance(value, str) and not value.strip()):
            assert key in flow.answers or key in dropped, key
    # Pruned answers are a fixed point: evaluating them again drops nothing more.
    again = evaluate(questionnaire, dict(flow.answers), trusted=trusted)
    assert again.path == flow.path
    assert again.dropped == ()


@pytest.mark.parametrize("questionnaire", QUESTIONNAIRES, ids=lambda q: q.id)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_submitting_any_form_never_fails(questionnaire: Questionnaire, data: st.DataObject) -> None:
    page = data.draw(st.sampled_from(list(questionnaire.pages)))
    posted = data.draw(
        st.dictionaries(st.sampled_from(list(questionnaire.questions)), json_values, max_size=10)
    )
    answers = data.draw(_answers(questionnaire))
    try:
        result = submit_page(questionnaire, answers, page, posted)
    except PageNotOnPath:
        assert page not in evaluate(questionnaire, answers).path
        return
    assert all(isinstance(message, str) and message for message in result.errors.values())
