"""JSON-Logic written for people: ``network_fabric = 'cisco_aci' and ha_pair``."""

from __future__ import annotations

import json
from typing import Any

_INFIX = {
    "==": "=", "===": "=", "!=": "≠", "!==": "≠",
    ">": ">", ">=": "≥", "<": "<", "<=": "≤",
    "+": "+", "-": "-", "*": "*", "/": "÷", "%": "mod",
}  # fmt: skip


def describe(rule: Any) -> str:
    """A short, readable rendering of ``rule``; unusual shapes fall back to compact JSON."""
    if isinstance(rule, bool):
        return "yes" if rule else "no"
    if isinstance(rule, str):
        return f"'{rule}'"
    if rule is None or isinstance(rule, int | float):
        return json.dumps(rule)
    if isinstance(rule, list):
        return "[" + ", ".join(describe(item) for item in rule) + "]"
    if isinstance(rule, dict) and len(rule) == 1:
        ((operator, args),) = rule.items()
        text = _operation(str(operator), args if isinstance(args, list) else [args])
        if text is not None:
            return text
    return json.dumps(rule, separators=(",", ":"))


def _operation(operator: str, args: list[Any]) -> str | None:
    if operator in ("var", "val") and args and isinstance(args[0], str):
        return args[0]
    if operator in _INFIX and len(args) == 2:
        return f"{_grouped(args[0])} {_INFIX[operator]} {_grouped(args[1])}"
    if operator in ("and", "or") and args:
        return f" {operator} ".join(_grouped(a) for a in args)
    if operator == "!" and len(args) == 1:
        return f"not {_grouped(args[0])}"
    if operator == "!!" and len(args) == 1:
        return describe(args[0])
    if operator == "in" and len(args) == 2:
        return f"{describe(args[0])} in {describe(args[1])}"
    if operator == "missing":
        names = args[0] if len(args) == 1 and isinstance(args[0], list) else args
        return " or ".join(f"{describe(n).strip(chr(39))} unanswered" for n in names)
    return None


def _grouped(rule: Any) -> str:
    text = describe(rule)
    if isinstance(rule, dict) and next(iter(rule), None) in ("and", "or"):
        return f"({text})"
    return text
