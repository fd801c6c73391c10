"""The one alias for values that come from JSON or YAML (answers, rules, template data)."""

from __future__ import annotations

from typing import Any, TypeAlias

#: A value parsed from JSON or YAML: ``None``, bool, int, float, str, list or dict of these.
#: Kept as ``Any`` because answers are checked at run time by their question's type.
JSON: TypeAlias = Any
