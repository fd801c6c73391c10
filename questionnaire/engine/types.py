"""The one alias for values that come from JSON or YAML (answers, rules, template data), and the
limits such values keep to."""

from __future__ import annotations

from typing import Any, Final, TypeAlias

#: A value parsed from JSON or YAML: ``None``, bool, int, float, str, list or dict of these.
#: Kept as ``Any`` because answers are checked at run time by their question's type.
JSON: TypeAlias = Any

#: The integers a document or a rule may hold: signed 64 bits. The JSON-Logic engine (Rust) can
#: hold no more, nor can most JSON readers outside Python.
MIN_INTEGER: Final = -(2**63)
MAX_INTEGER: Final = 2**63 - 1
