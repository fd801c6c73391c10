"""Lint of how a choice is asked: long radio lists and searchable multi-choices (issue 12)."""

from __future__ import annotations

import pytest

from questionnaire.engine import DefinitionError, Severity
from questionnaire.engine.check_widgets import LONG_LIST
from questionnaire.engine.loader import load_text

from .builders import as_yaml, choice, definition, page


def test_a_searchable_multi_choice_is_refused_where_it_is_written() -> None:
    doc = definition(page("p", choice("zones", "a", "b", multi=True, widget="searchable")))
    with pytest.raises(DefinitionError) as caught:
        load_text(as_yaml(doc), "demo.yaml")
    (found,) = [d.format() for d in caught.value.diagnostics]
    line = as_yaml(doc).splitlines().index("    widget: searchable") + 1
    assert found.startswith(f"demo.yaml:{line}:5: error: 'zones' allows several answers")
    assert found.endswith("(at pages[0].questions[0].widget)")


def test_a_long_list_of_radios_is_warned_and_a_searchable_one_is_not() -> None:
    values = [f"v{n}" for n in range(LONG_LIST + 1)]
    (warning,) = load_text(
        as_yaml(definition(page("p", choice("zone", *values)))), "d.yaml"
    ).warnings
    assert warning.severity is Severity.WARNING
    assert (
        f"'zone' offers {LONG_LIST + 1} options as radios: add `widget: searchable`"
        in warning.message
    )
    assert warning.where == "pages[0].questions[0].choices"
    searchable = choice("zone", *values, widget="searchable")
    assert load_text(as_yaml(definition(page("p", searchable))), "d.yaml").warnings == ()
    short = choice("zone", *values[:LONG_LIST])
    assert load_text(as_yaml(definition(page("p", short))), "d.yaml").warnings == ()
