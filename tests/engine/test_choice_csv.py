"""Choice lists read from a CSV file beside the definition (issue 12)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from questionnaire.engine import DefinitionError, evaluate, load_file
from questionnaire.engine.choice_csv import MAX_ROWS
from questionnaire.engine.schema import definition_schema

from .builders import as_yaml, definition, page, question

CITIES = "value,label,country\nleeds,Leeds,uk\nyork,York,uk\nlyon,Lyon,fr\n"


def folder_with(tmp_path: Path, csv_text: str | bytes, csv_name: str = "cities.csv") -> Path:
    country = {
        **question("country", "choice"),
        "choices": [{"value": "uk", "label": "UK"}, {"value": "fr", "label": "France"}],
    }
    city = question("city", "choice", choices="cities")
    city["choice_filter"] = {"==": [{"var": "option.country"}, {"var": "country"}]}
    doc = definition(
        page("where", country, next="town"),
        page("town", city),
        choice_lists={"cities": {"csv": csv_name}},
    )
    (tmp_path / "demo.yaml").write_text(as_yaml(doc))
    data = csv_text.encode() if isinstance(csv_text, str) else csv_text
    (tmp_path / "cities.csv").write_bytes(data)
    return tmp_path / "demo.yaml"


def problems(path: Path) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_file(path)
    return [d.format() for d in caught.value.diagnostics]


def test_a_csv_list_gives_options_with_their_extra_columns(tmp_path: Path) -> None:
    questionnaire = load_file(folder_with(tmp_path, CITIES))
    flow = evaluate(questionnaire, {"country": "uk"})
    (city,) = flow.pages["town"].questions
    assert [(c.value, c.label) for c in city.choices] == [("leeds", "Leeds"), ("york", "York")]
    assert city.choices[0].model_extra == {"country": "uk"}


def test_a_changed_file_is_a_new_version(tmp_path: Path) -> None:
    path = folder_with(tmp_path, CITIES)
    before = load_file(path).sha256
    (tmp_path / "cities.csv").write_text(CITIES + "paris,Paris,fr\n")
    assert load_file(path).sha256 != before


@pytest.mark.parametrize(
    ("csv_text", "expected"),
    [
        (
            "value,name\nleeds,Leeds\n",
            "cities.csv:1:1: error: the first line must name a 'label' column",
        ),
        (
            CITIES + "leeds,Leeds again,uk\n",
            "cities.csv:5:1: error: duplicate value 'leeds' (first on line 2)",
        ),
        (CITIES + "new york,New York,us\n", "cities.csv:5:1: error: value 'new york' must be"),
        (
            CITIES + "bath,Bath\n",
            "cities.csv:5:1: error: 2 cells where the first line names 3 columns",
        ),
        (CITIES + "bath,,uk\n", "cities.csv:5:1: error: option 'bath' has no label"),
        ('value,label\n"leeds,Leeds\n', "error: not valid CSV"),
        (b"value,label\nk\xf6ln,K\xf6ln\n", "demo.yaml:6:5: error: the file is not UTF-8 text"),
        ("value,label,Country\nleeds,Leeds,uk\n", "column 'Country' must be lower-case"),
    ],
)
def test_a_malformed_file_is_refused_where_the_mistake_is(
    tmp_path: Path, csv_text: str | bytes, expected: str
) -> None:
    (found,) = problems(folder_with(tmp_path, csv_text))
    assert expected in found


def test_too_many_rows_or_bytes_are_refused(tmp_path: Path) -> None:
    rows = "".join(f"c{n},City {n}\n" for n in range(MAX_ROWS + 1))
    (found,) = problems(folder_with(tmp_path, "value,label\n" + rows))
    assert f"more than {MAX_ROWS:,} options" in found
    (found,) = problems(folder_with(tmp_path, "value,label\n" + "a,b" * 400_000))
    assert "larger than 1 MB" in found


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "towns.csv",
            "demo.yaml:6:5: error: choice list file 'towns.csv' not found beside the definition",
        ),
        ("../cities.csv", "names a .csv file in the definition's folder"),
        ("/etc/passwd", "names a .csv file in the definition's folder"),
    ],
)
def test_a_missing_or_outside_file_is_located_at_the_list(
    tmp_path: Path, name: str, expected: str
) -> None:
    (found,) = problems(folder_with(tmp_path, CITIES, name))
    assert expected in found
    assert found.endswith("(at choice_lists.cities.csv)")


def test_a_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    inner = tmp_path / "defs"
    inner.mkdir()
    (tmp_path / "secret.csv").write_text(CITIES)
    path = folder_with(inner, CITIES, "linked.csv")
    (inner / "linked.csv").symlink_to(tmp_path / "secret.csv")
    (found,) = problems(path)
    assert "'linked.csv' is outside the definition's folder" in found


def test_other_keys_beside_csv_are_refused(tmp_path: Path) -> None:
    path = folder_with(tmp_path, CITIES)
    text = path.read_text().replace("csv: cities.csv", "csv: cities.csv\n    sort: true")
    path.write_text(text)
    (found,) = problems(path)
    assert "written {csv: file.csv} alone (also given: sort)" in found


def test_an_option_key_the_file_lacks_is_named(tmp_path: Path) -> None:
    path = folder_with(tmp_path, CITIES)
    path.write_text(path.read_text().replace("option.country", "option.region"))
    (found,) = problems(path)
    assert "unknown option key 'region'" in found and "carry: country, hint, label, value" in found


def schema_of(doc: dict[str, Any]) -> None:
    jsonschema.validate(doc, definition_schema())


def test_the_json_schema_accepts_a_csv_list_and_option_keys() -> None:
    city = question("city", "choice", choices="cities", widget="searchable")
    schema_of(definition(page("p", city), choice_lists={"cities": {"csv": "cities.csv"}}))
    inline = [{"value": "leeds", "label": "Leeds", "country": "uk"}]
    schema_of(definition(page("p", city), choice_lists={"cities": inline}))
    with pytest.raises(jsonschema.ValidationError):
        schema_of(definition(page("p", city), choice_lists={"cities": {"csv": "a.csv", "x": 1}}))
