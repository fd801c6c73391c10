"""An option's own keys (``country: uk`` on a city): what ``choice_filter`` reads of an option.

Kept apart from the model so that the rules for them (plain names, plain values) are stated once,
for options written in YAML and for columns read from a CSV file alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

#: Keys every option has, readable as ``option.value`` and so on.
STANDARD = ("value", "label", "hint")
#: Keys of the option model that are not data (typos of these are worth a warning).
MODEL_KEYS = (*STANDARD, "show_if")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def check(extra: Mapping[str, Any]) -> None:
    """Refuse own keys that are not plain names with plain values (a ``ValueError`` the schema
    reports at the option)."""
    for key, value in extra.items():
        if not _NAME.match(key):
            raise ValueError(
                f"option key '{key}' must be lower-case letters, digits and underscores"
            )
        if value is not None and not isinstance(value, str | int | float | bool):
            raise ValueError(f"option key '{key}' must be a plain value (text, number, yes/no)")


def data(choice: Any) -> dict[str, Any]:
    """What ``{"var": "option.<key>"}`` reads: the standard keys and the option's own."""
    return {
        "value": choice.value,
        "label": choice.label,
        "hint": choice.hint,
        **(choice.model_extra or {}),
    }
