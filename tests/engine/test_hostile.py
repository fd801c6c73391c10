"""A corpus of hostile definitions: each is refused with a located diagnostic, never a crash.

Every file in ``hostile/`` starts with two comment lines: ``# attacks:`` says what the file
attacks, ``# expect: LINE:COLUMN: message`` where the first diagnostic must point and how its
message must begin. Each file is loaded alone (``load_file``) and beside a good definition
(``load_all``), which must still load: one bad file never stops the others.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from questionnaire.engine import DefinitionError, Diagnostic, load_all, load_file

from .builders import as_yaml, definition, page, question

HOSTILE = Path(__file__).resolve().parent / "hostile"
CASES = sorted(HOSTILE.glob("*.yaml"))


@dataclass(frozen=True)
class Expectation:
    attacks: str
    line: int
    column: int
    message: str


def _expectation(path: Path) -> Expectation:
    """The two header comments, read as bytes: only they are sure to be UTF-8."""
    first, second = path.read_bytes().split(b"\n", 2)[:2]
    attacks = first.decode("utf-8").removeprefix("# attacks: ")
    line, column, message = second.decode("utf-8").removeprefix("# expect: ").split(":", 2)
    return Expectation(attacks, int(line), int(column), message.strip())


def _assert_expected(diagnostics: list[Diagnostic], file: Path, expected: Expectation) -> None:
    first = next(d for d in diagnostics if d.file == str(file))
    assert (first.line, first.column) == (expected.line, expected.column), first.format()
    assert first.message.startswith(expected.message), first.format()


def test_the_corpus_is_there_and_every_file_says_what_it_attacks() -> None:
    assert len(CASES) >= 50
    for path in CASES:
        expected = _expectation(path)
        assert expected.attacks and expected.message and expected.line >= 1, path.name


@pytest.mark.parametrize("path", CASES, ids=lambda path: path.stem)
def test_hostile_file_is_refused_with_a_located_diagnostic(path: Path) -> None:
    expected = _expectation(path)
    with pytest.raises(DefinitionError) as caught:
        load_file(path)
    _assert_expected(caught.value.diagnostics, path, expected)


@pytest.mark.parametrize("path", CASES, ids=lambda path: path.stem)
def test_hostile_file_never_stops_the_others_from_loading(path: Path, tmp_path: Path) -> None:
    expected = _expectation(path)
    hostile = tmp_path / path.name
    shutil.copyfile(path, hostile)
    good = definition(page("start", question("name")), id="good")
    (tmp_path / "good.yaml").write_text(as_yaml(good), encoding="utf-8")
    report = load_all([tmp_path])
    assert list(report.loaded) == ["good"]
    _assert_expected(report.diagnostics, hostile, expected)
