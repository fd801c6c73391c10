"""Properties of the PDR's edits and diff, over generated rows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from questionnaire.delivery import BY_KEY, diff, empty, parse_location, parse_row, validate
from questionnaire.delivery.pdr import put_row, remove_row

NAMES = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), min_size=1,
                max_size=30).filter(str.strip)  # fmt: skip
ADDRESSES = st.ip_addresses(v=4).map(str)


@given(st.lists(st.tuples(NAMES, ADDRESSES), max_size=6))
def test_adding_then_removing_each_row_changes_only_that_row(rows: list[tuple[str, str]]) -> None:
    content = empty()
    seen: set[str] = set()
    for name, address in rows:
        row, errors = parse_row(BY_KEY["ha"], {"name": name, "management_address": address})
        assert errors == {}
        if row["name"].lower() in seen:
            continue  # twin names are refused (tested elsewhere)
        seen.add(row["name"].lower())
        before = content
        content, _ = put_row(content, parse_location("ha.new"), row)
        changes = diff(before, content)
        assert changes and all(change.kind == "added" for change in changes)
        assert all(change.where.startswith("High availability / “") for change in changes)
        assert validate(content) == {}
    for _ in seen:
        content, _ = remove_row(content, parse_location("ha.0"))
    assert diff(empty(), content) == []
