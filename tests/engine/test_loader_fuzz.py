"""Fuzzing the loader: whatever a definition file holds, loading it never fails with anything but
a :class:`DefinitionError` whose every diagnostic names the file, a line and a column.

The texts are the shipped definition with a few of its values replaced by hostile YAML (numbers
JSON cannot hold, tags, dates, deep nesting, odd keys, characters YAML forbids), or with
characters and bytes inserted anywhere, so that most examples get past the YAML parser and reach
the schema, the structural checks and the rule checks.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questionnaire.engine import DefinitionError, load_all, load_file, load_text

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "definitions" / "pre_discovery.yaml").read_text(encoding="utf-8")
NAME = "fuzz.yaml"


def _scalar_spans(text: str) -> list[tuple[int, int]]:
    """The character offsets of every scalar in ``text`` (keys included)."""
    spans: list[tuple[int, int]] = []
    stack = [yaml.compose(text, Loader=yaml.SafeLoader)]  # pure Python: offsets in characters
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            spans.append((node.start_mark.index, node.end_mark.index))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(spans)


SPANS = _scalar_spans(SHIPPED)


def _nested(depth: int, opening: str, closing: str, inner: str = "1") -> str:
    return opening * depth + inner + closing * depth


HOSTILE_VALUES = [
    # Numbers JSON (or Python's int-from-text, or the JSON-Logic engine) cannot hold.
    "9" * 5000, "-" + "9" * 5000, "1_" + "0" * 5000, str(2**64), str(2**63), str(-(2**63) - 1),
    "0x" + "f" * 40, "0b" + "1" * 100, "0" + "7" * 40, "1.0e+400", "-1.0e+400", ".inf", "-.inf",
    ".nan", ".NaN", "1:30:00", "1.5e-400",
    f'{{"==": [{{"var": "network_fabric"}}, {2**64}]}}', f'{{"+": [1, {-(2**64)}]}}',
    f'{{"substr": ["abc", {2**70}]}}', f'{{"var": {2**64}}}',
    '{"==": [1, .inf]}', '{"<": [.nan, 1]}', '{"*": [1.0e+308, 1.0e+308]}',
    # Scalars YAML resolves to something that is not JSON.
    "2026-01-01", "2026-02-30", "2026-01-01 10:00:00", "2001-12-14t21:59:43.10-05:00",
    "~", "null", "yes", "no", "on", "=", "<<", "", "''", '""',
    # Tags.
    "!!binary aGVsbG8=", "!!binary '@@@'", "!!set {a, b}", "!!omap [a: 1]", "!!pairs [a: 1]",
    "!!python/name:os.system x", "!!python/object/apply:os.system ['true']", "!include other.yaml",
    "!foo {a: 1}", "!!timestamp 2026-01-01", "!!int '12'", "!!int x", "!!float x", "!!str 5",
    "!!null ''", "!!bool maybe", "!!merge x", "!!value x", "!!seq x", "!!map x",
    # Escapes that write characters YAML forbids in a file.
    '"a\\0b"', '"\\x1b[31m"', '"\\uD800"', '"\\uFFFE"', '"\\U0010FFFF"', '"\\e"',
    # Nesting, in rules and elsewhere.
    _nested(33, "[", "]"), _nested(101, "[", "]"), _nested(2000, "[", "]"),
    _nested(101, "{a: ", "}"), _nested(40, '{"!": ', "}", "true"), _nested(1000, "{a: ", "}"),
    '{"var": [[[[[1]]]]]}', '{"map": [[1, 2], {"var": ""}]}', '{"or": [' + ", ".join(["1"] * 600) + "]}",
    # Keys.
    "{1: 2}", "{? [a]: 1}", "{? {a: 1}: 1}", "{~: 1}", "{.nan: 1}", "{yes: 1}", "{2026-01-01: 1}",
    "{a: 1, a: 2}", "{<<: 1}", "{<<: [1]}", "{<<: {x: 1}}", "{<<: [{x: 1}, {y: 2}], x: 3}",
    '{"": 1}', "{var: x, if: y}",
    # Aliases and anchors.
    "*undefined", "&a [*a]", "&b {<<: *b}", "&c {x: *c}",
    # Odd characters, raw.
    "a\x00b", "a\x1bb", "a\x7fb", "a\x9bb", "a\ufffeb", "\ufeffa", "a\ufeffb", "a\u2028b", "a\x85b",
    "a\ud800b", "\U0010ffff",
    # Big texts.
    "x" * 6000, '"' + "x" * 100_000 + '"', "'" + "{x}" * 2000 + "'", "'{{{{{{'", "'}}}}'",
    # Structure.
    "[]", "{}", "[[]]", "[{}]", "{a: [1, {b: [2, {c: 3}]}]}", "|\n  block", ">-\n  folded",
    "--- second", "...", "- a\n- b", "? a", "{", "[", "'", '"', "&", "*", "!", "%YAML 1.2",
]  # fmt: skip


@st.composite
def replaced_values(draw: st.DrawFn) -> str:
    """The shipped definition with one to three of its scalars replaced."""
    chosen = sorted(draw(st.sets(st.sampled_from(SPANS), min_size=1, max_size=3)), reverse=True)
    text = SHIPPED
    last_start = len(text)
    for start, end in chosen:
        if end > last_start:  # overlaps the one replaced after it
            continue
        value = draw(st.sampled_from(HOSTILE_VALUES) | st.text(max_size=12))
        text = text[:start] + value + text[end:]
        last_start = start
    return text


#: Characters worth inserting besides random text (Hypothesis's text leaves out surrogates).
ODD_CHARACTERS = st.sampled_from(
    ["\x00", "\x1b", "\x7f", "\x85", "\x9b", "\ud800", "\udfff", "\ufeff", "\ufffe", "\t", "\r"]
)


@st.composite
def inserted_characters(draw: st.DrawFn) -> str:
    """The shipped definition with a few characters inserted, or a slice of it removed."""
    text = SHIPPED
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        else:
            text = text[:at] + draw(ODD_CHARACTERS | st.text(min_size=1, max_size=4)) + text[at:]
    return text


def _assert_located(error: DefinitionError, name: str, text_lines: int) -> None:
    assert error.diagnostics, "a DefinitionError must say what is wrong"
    for diagnostic in error.diagnostics:
        assert diagnostic.file == name
        assert 1 <= diagnostic.line <= text_lines + 1, diagnostic.format()
        assert diagnostic.column >= 1, diagnostic.format()
        assert diagnostic.message.strip(), diagnostic.format()


def assert_loads_or_is_located(text: str) -> None:
    """Loading ``text`` gives a questionnaire or a located DefinitionError, nothing else."""
    try:
        load_text(text, NAME)
    except DefinitionError as error:
        _assert_located(error, NAME, text.count("\n") + 1)


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(text=replaced_values())
def test_hostile_values_in_the_real_definition_are_located_errors(text: str) -> None:
    assert_loads_or_is_located(text)


@FUZZ
@given(text=inserted_characters())
def test_characters_inserted_anywhere_are_located_errors(text: str) -> None:
    assert_loads_or_is_located(text)


HOSTILE_BYTES = [
    b"\xff", b"\xfe", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80",
    b"\xef\xbb\xbf", b"\x00", b"\xc0\xaf",
]  # fmt: skip


@st.composite
def hostile_files(draw: st.DrawFn) -> bytes:
    """The shipped definition's bytes with bytes that are not UTF-8 (or are odd) inserted."""
    data = SHIPPED.encode("utf-8")
    if draw(st.booleans()):
        data = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b""])) + data
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(HOSTILE_BYTES) | st.binary(max_size=3)) + data[at:]
    return data


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=hostile_files())
def test_any_bytes_in_a_file_load_or_are_located_errors(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_bytes(data)
    lines = data.count(b"\n") + 1
    try:
        load_file(path)
    except DefinitionError as error:
        _assert_located(error, str(path), lines)
    report = load_all([tmp_path])
    assert report.loaded or any(d.file == str(path) for d in report.diagnostics)
