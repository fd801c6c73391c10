"""Safe YAML: no Python tags, aliases and merges under a budget, positions for every value, and
only JSON values out (anything else is a located error, never an exception)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from questionnaire.engine import DefinitionError
from questionnaire.engine.source import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_SOURCE_BYTES,
    _compose,
    _Refused,
    _Walker,
    decode_source,
    parse_yaml,
    read_source,
)


def _bomb(levels: int = 9) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghijk"[: levels - 1]:
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    return text


def _error(text: str, name: str = "f.yaml") -> str:
    with pytest.raises(DefinitionError) as caught:
        parse_yaml(text, name)
    return str(caught.value)


def test_alias_bomb_is_refused_as_soon_as_the_node_budget_runs_out() -> None:
    # What a timing once guarded: the bomb is refused by the budget, before it expands. Its last
    # list alone stands for 9**9 strings; the walk stops at the first value over the budget.
    bomb = _bomb()
    assert len(bomb) < 1000
    assert 1000 * MAX_NODES < 9**9
    walker = _Walker()
    with pytest.raises(_Refused, match=f"document expands to more than {MAX_NODES} values"):
        node = yaml.compose(bomb, Loader=yaml.SafeLoader)
        assert node is not None
        walker.walk(node, ())
    assert walker.nodes == MAX_NODES + 1
    assert _error(bomb, "bomb.yaml").startswith("bomb.yaml:")


def test_merge_bomb_is_refused_by_the_node_budget() -> None:
    # Each level merges nine copies of the level before: 9**8 merged pairs for the last one.
    text = "l0: &l0 {k0: 0}\n" + "".join(
        f"l{n}: &l{n} {{<<: [" + ", ".join([f"*l{n - 1}"] * 9) + f"], k{n}: {n}}}\n"
        for n in range(1, 9)
    )
    assert f"expands to more than {MAX_NODES} values" in _error(text)


def test_merging_many_empty_mappings_is_charged_too() -> None:
    # 400 mappings each merging the same 400 empty mappings: 160,000 merges that add no key,
    # which PyYAML's flatten_mapping would do without anything counting them.
    text = "e: &e [" + ", ".join(["{}"] * 400) + "]\nm:\n" + "  - <<: *e\n" * 400
    assert f"expands to more than {MAX_NODES} values" in _error(text)


def test_python_tags_are_refused_with_a_position() -> None:
    assert _error("a: 1\nb: !!python/object/apply:os.system ['true']\n", "evil.yaml").startswith(
        "evil.yaml:2:4: error: YAML tag '!!python/object/apply:os.system' is not allowed"
    )
    assert "YAML tag '!!python/name:os.system' is not allowed" in _error(
        "a: !!python/name:os.system x\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!binary aGVsbG8=", "1:4: error: YAML tag '!!binary' is not allowed"),
        ("a: !!set {x, y}", "1:4: error: YAML tag '!!set' is not allowed"),
        ("a: !include other.yaml", "1:4: error: YAML tag '!include' is not allowed"),
        ("a: !!bool maybe", "1:4: error: 'maybe' is not a valid boolean (true or false)"),
        ("a: !!int ''", "1:4: error: '' is not a valid integer"),
        ("a: !!float x", "1:4: error: 'x' is not a valid number"),
    ],
)
def test_tags_that_are_not_plain_json_are_refused(text: str, message: str) -> None:
    assert message in _error(text)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9" * 5000, "integer has too many digits"),
        ("1_" + "0" * 5000, "integer has too many digits"),
        (str(2**63), "integer 9223372036854775808 is out of range"),
        (str(-(2**63) - 1), "integer -9223372036854775809 is out of range"),
        ("0x" + "f" * 40, "integer 0xfffffffffffffffffffff… is out of range"),
        ("1.0e+400", "number 1.0e+400 is not allowed: too large"),
        (".inf", "number .inf is not allowed: JSON has no infinity or NaN"),
        ("-.Inf", "number -.Inf is not allowed: JSON has no infinity or NaN"),
        (".nan", "number .nan is not allowed: JSON has no infinity or NaN"),
    ],
)
def test_numbers_json_cannot_hold_are_refused_where_they_stand(value: str, message: str) -> None:
    assert f"f.yaml:2:8: error: {message}" in _error(f"a: 1\nb: [1, {value}]\n")


def test_the_largest_integers_still_load() -> None:
    value = parse_yaml(f"a: [{2**63 - 1}, {-(2**63)}, 1.5e+300]", "f.yaml").value
    assert value == {"a": [2**63 - 1, -(2**63), 1.5e300]}


@pytest.mark.parametrize("value", ["2026-01-01", "2026-02-30", "2026-01-01 10:00:00"])
def test_unquoted_dates_are_refused_with_the_quoted_spelling(value: str) -> None:
    assert f"1:4: error: {value} reads as a date" in _error(f"a: {value}")
    assert f"write it in quotes ('{value}')" in _error(f"a: {value}")
    assert parse_yaml(f"a: '{value}'", "f.yaml").value == {"a": value}


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("1", "2:2: error: mapping keys must be text: write 1 in quotes ('1')"),
        ("yes", "2:2: error: mapping keys must be text: write yes in quotes ('yes')"),
        ("~", "2:2: error: mapping keys must be text: write ~ in quotes ('~')"),
        ("? [a, b]\n ", "2:4: error: mapping keys must be text, not lists or mappings"),
    ],
)
def test_mapping_keys_must_be_text(key: str, message: str) -> None:
    assert message in _error(f"a:\n {key}: x\n")


@pytest.mark.parametrize(
    ("character", "kind"),
    [
        ("\x00", "a control character"),
        ("\x1b", "a control character"),
        ("\x9b", "a control character"),
        ("\ud800", "half of a surrogate pair"),
        ("\ufffe", "not a character"),
    ],
)
def test_characters_yaml_forbids_are_located(character: str, kind: str) -> None:
    code = f"U+{ord(character):04X}"
    assert _error(f"a: 1\nb: xy{character}z\n").startswith(
        f"f.yaml:2:6: error: character {code} ({kind}) is not allowed in YAML"
    )


@pytest.mark.parametrize(("escape", "code"), [("\\0", "U+0000"), ("\\e", "U+001B")])
def test_control_characters_written_as_escapes_are_refused(escape: str, code: str) -> None:
    assert f"1:4: error: text holds character {code}" in _error(f'a: "x{escape}y"')


def test_a_byte_order_mark_at_the_start_is_allowed() -> None:
    assert parse_yaml("\ufeffa: 1\n", "f.yaml").value == {"a": 1}


def test_bytes_that_are_not_utf8_are_located() -> None:
    with pytest.raises(DefinitionError) as caught:
        decode_source("a: 1\nb: café\n".encode("latin-1"), "f.yaml")
    assert str(caught.value) == (
        "f.yaml:2:7: error: file is not UTF-8 text: byte 0xe9 cannot be read here"
    )


def test_reading_a_file_stops_past_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_SOURCE_BYTES + 10))
    with pytest.raises(DefinitionError, match=f"file is larger than {MAX_SOURCE_BYTES} bytes"):
        read_source(path)


@pytest.mark.parametrize("name", ["missing.yaml", "a\x00b.yaml", "."])
def test_files_that_cannot_be_opened_are_diagnostics(tmp_path: Path, name: str) -> None:
    with pytest.raises(DefinitionError, match="cannot read file"):
        read_source(tmp_path / name)


def test_deep_nesting_is_refused_by_the_pure_python_composer_too() -> None:
    # PyYAML without libyaml recurses once per level: a RecursionError must not escape.
    deep = "a: " + "[" * 100_000 + "]" * 100_000
    with pytest.raises(DefinitionError, match=f"nests deeper than {MAX_DEPTH} levels"):
        _compose(deep, "f.yaml", yaml.SafeLoader)


def test_a_list_that_contains_itself_is_refused_by_the_depth_limit() -> None:
    assert f"nests deeper than {MAX_DEPTH} levels" in _error("a: &a [*a]")


def test_syntax_error_names_line_and_column() -> None:
    assert _error("a: [1, 2\nb: 3\n", "broken.yaml").startswith("broken.yaml:2:")


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


def test_in_a_list_of_merges_the_first_mapping_wins() -> None:
    source = parse_yaml("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc: {<<: [*a, *b]}\n", "m.yaml")
    assert source.value["c"] == {"x": 1, "y": 2}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: {<<: 1}", "1:9: error: '<<' merges a mapping or a list of mappings"),
        ("a: {<<: [{x: 1}, 2]}", "1:9: error: '<<' merges a mapping or a list of mappings"),
        ("a: &a {<<: *a}", f"merge keys nest deeper than {MAX_DEPTH} levels"),
    ],
)
def test_merge_keys_that_merge_no_mapping_are_refused(text: str, message: str) -> None:
    assert message in _error(text)
