"""Dates in definitions: ``today``, differences between dates, bounds relative to today, and
numbers and dates written for people in piped text.

``today`` is the respondent's date in the engagement's time zone: the answer of the question
the definition names as its ``time_zone`` (a ``timezone`` question), else UTC. Rules read it as
``{"var": "today"}``, an ISO date like every date answer, so dates compare as strings.

``{"days_between": [from, to]}`` is ``to`` minus ``from`` in days; ``months_between`` and
``years_between`` count whole months and years completed (an age from a date of birth:
``{"years_between": [{"var": "born"}, {"var": "today"}]}``). Anything that is not a date gives
``null``, as every failed evaluation does.

A date question's ``min`` and ``max`` may be ``today``, or ``today`` plus or minus days, months
or years (``today+30d``, ``today-18y``). Those bounds move every day, so they are checked by the
flow as problems, with the answer kept: an answer that was in the future yesterday is flagged
today, never silently dropped.
"""

from __future__ import annotations

import calendar
import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: The name rules and piped texts read today's date by.
TODAY: Final = "today"
#: ``today``, ``today+30d``, ``today-18y``: a bound relative to the respondent's date.
RELATIVE: Final = re.compile(r"^today(?:([+-])(\d{1,4})([dmy]))?$")
_MONTHS: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def today_in(zone: object) -> date:
    """Today's date in the IANA time zone ``zone``; in UTC when it is not one."""
    now = datetime.now(UTC)
    if isinstance(zone, str) and zone:
        try:
            return now.astimezone(ZoneInfo(zone)).date()
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return now.date()


def _as_date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def add_months(start: date, months: int) -> date:
    """``start`` moved by whole months, the day kept or clamped (31 January + 1 month: 28 or 29 February)."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return start.replace(
        year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1])
    )


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (negative when ``end`` comes first)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and add_months(start, months) > end:
        months -= 1
    elif months < 0 and add_months(start, months) < end:
        months += 1
    return months


def _difference(unit: str) -> Any:
    def operator(args_json: str) -> str:
        args = json.loads(args_json)
        dates = [_as_date(a) for a in args] if isinstance(args, list) and len(args) == 2 else []
        if len(dates) != 2 or dates[0] is None or dates[1] is None:
            return "null"
        start, end = dates[0], dates[1]
        if unit == "days":
            return json.dumps((end - start).days)
        months = months_between(start, end)
        return json.dumps(months if unit == "months" else int(months / 12))

    return operator


#: The date operators rules may use, registered with the JSON-Logic engine.
DATE_OPERATORS: Final = {
    "days_between": _difference("days"),
    "months_between": _difference("months"),
    "years_between": _difference("years"),
}


def bound(text: str, today: date) -> date | None:
    """The date a ``min``/``max`` stands for on ``today`` (None when it is not relative)."""
    match = RELATIVE.fullmatch(text)
    if match is None:
        return None
    sign, amount, unit = match.groups()
    if sign is None:
        return today
    count = int(amount) * (-1 if sign == "-" else 1)
    if unit == "d":
        return today + timedelta(days=count)
    return add_months(today, count * (12 if unit == "y" else 1))


def relative_date_problem(low: str | None, high: str | None, value: Any, today: date) -> str | None:
    """The message when the date ``value`` is outside bounds relative to ``today``."""
    answer = _as_date(value)
    if answer is None:
        return None
    first = bound(low, today) if low else None
    last = bound(high, today) if high else None
    if first is not None and answer < first:
        return f"Enter a date on or after {people_date(first)}"
    if last is not None and answer > last:
        return f"Enter a date on or before {people_date(last)}"
    return None


def people_date(value: date | str) -> str:
    """``3 March 2027``; text that is not a date is given back as it is."""
    day = value if isinstance(value, date) else _as_date(value)
    if day is None:
        return str(value)
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def people_number(value: int | float) -> str:
    """``1,250`` and ``1,250.5``: digits grouped in thousands, no trailing ``.0``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        value = int(value)
    return f"{value:,}"
