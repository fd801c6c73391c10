"""Reading iCalendar files back in tests."""

from __future__ import annotations

from typing import Any

from icalendar import Component


def prop(component: Component, name: str) -> Any:
    """A property's value. ``icalendar`` types each as the union of every value type there is,
    so a test, which knows what it expects, reads it untyped."""
    return component[name]
