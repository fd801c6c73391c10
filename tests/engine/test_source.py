"""Safe YAML: no Python tags, aliases under a budget, positions for every value."""

from __future__ import annotations

import time

import pytest

from questionnaire.engine import DefinitionError
from questionnaire.engine.source import parse_yaml


def _bomb(levels: int = 9) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghijk"[: levels - 1]:
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    return text


def test_alias_bomb_is_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(DefinitionError, match="expands to more than"):
        parse_yaml(_bomb(), "bomb.yaml")
    assert time.perf_counter() - started < 1.0
    assert len(_bomb()) < 1000


def test_python_tags_are_refused_with_a_position() -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_yaml("a: 1\nb: !!python/object/apply:os.system ['true']\n", "evil.yaml")
    assert str(caught.value).startswith(
        "evil.yaml:2:4: error: YAML tag 'tag:yaml.org,2002:python/object/apply"
    )
    with pytest.raises(DefinitionError, match="could not determine a constructor"):
        parse_yaml("a: !!python/name:os.system x\n", "evil.yaml")


def test_syntax_error_names_line_and_column() -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_yaml("a: [1, 2\nb: 3\n", "broken.yaml")
    assert str(caught.value).startswith("broken.yaml:2:")


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(DefinitionError, match="3:1: error: duplicate key 'a'"):
        parse_yaml("a: 1\nb: 2\na: 3\n", "dup.yaml")


def test_positions_are_recorded_for_keys_and_items() -> None:
    source = parse_yaml("a: 1\nb:\n  - x: 2\n    y: [1, {z: 3}]\n", "f.yaml")
    assert source.value == {"a": 1, "b": [{"x": 2, "y": [1, {"z": 3}]}]}
    assert source.position(("b", 0, "y", 1, "z")) == (4, 13)
    assert source.position(("b", 0, "missing", 7)) == (3, 5)


def test_anchors_and_merge_keys_still_work() -> None:
    source = parse_yaml("base: &b {x: 1, z: 0}\nother:\n  <<: *b\n  y: 2\n  z: 3\n", "m.yaml")
    assert source.value["other"] == {"x": 1, "y": 2, "z": 3}
