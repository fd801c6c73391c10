"""The completed engagement's record: one pure function, its JSON and CSV renderings."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from questionnaire.services.completion_record import (
    CSV_COLUMNS,
    RECORD_VERSION,
    FunctionalTestInput,
    RecordInput,
    SessionInput,
    build,
    to_csv,
    to_json,
)
from questionnaire.services.completion_summary import days_against

BASE = "https://questionnaire.example.com"


def _input(customer: str = "Acme Health", **changes: object) -> RecordInput:
    values: dict[str, object] = {
        "engagement_id": 7, "customer": customer, "project": "PACS", "engineer": "Eve",
        "handed_over_at": datetime(2026, 10, 1, 9, tzinfo=UTC),
        "completed_at": datetime(2026, 12, 2, 10, 30, tzinfo=UTC),
        "accepted_by": "jo@acme.example.com", "days_sold": 5.0,
        "sessions": (SessionInput(date(2026, 11, 30), "Eve", 2.0, False),
                     SessionInput(date(2026, 12, 1), "Eve", 1.5, True)),
        "services": ("PACS viewer",),
        "tests": (FunctionalTestInput("virtual_service", "PACS viewer", True),
                  FunctionalTestInput("virtual_service", "PACS viewer", False)),
        **changes,
    }  # fmt: skip
    return RecordInput(**values)  # type: ignore[arg-type]


def test_the_record_says_what_was_sold_used_delivered_and_tested() -> None:
    record = build(_input(), BASE)
    assert record["record_version"] == RECORD_VERSION == 1
    assert record["dates"] == {
        "handed_over": "2026-10-01",
        "completed": "2026-12-02T10:30:00+00:00",
    }
    assert record["days"] == {"sold": 5.0, "used": 3.5}
    assert [s["days_used"] for s in record["sessions"]] == [2.0, 1.5]
    assert record["tests"]["passed"] == 1 and record["tests"]["total"] == 2
    assert record["documents"]["support_handover_pdf"] == (
        f"{BASE}/e/engagements/7/support-handover.pdf"
    )
    assert json.loads(to_json(record)) == record
    assert to_json(build(_input(), BASE)) == to_json(record)  # the same bytes every time


def test_the_csv_is_one_row_of_the_same_fields() -> None:
    [row] = list(csv.DictReader(io.StringIO(to_csv(build(_input(), BASE)))))
    assert tuple(row) == CSV_COLUMNS
    assert (row["days_sold"], row["days_used"], row["tests_passed"]) == ("5", "3.5", "1")
    assert row["services_delivered"] == "PACS viewer"


@given(st.text(min_size=1, max_size=40).filter(lambda t: "\x00" not in t))
def test_any_customer_name_round_trips_and_never_runs_as_a_formula(customer: str) -> None:
    [row] = list(csv.DictReader(io.StringIO(to_csv(build(_input(customer), BASE)), newline="")))
    shown = row["customer"]
    if customer.startswith(("=", "+", "-", "@", "\t", "\r")):
        assert shown == f"'{customer}"
    else:
        assert shown == customer


def test_days_used_against_days_sold() -> None:
    assert days_against(3.5, 5) == "1.5 days under"
    assert days_against(6, 5) == "1 day over"
    assert days_against(5, 5) == "as sold"
    assert days_against(2, None) == "no PS days were recorded as sold"
