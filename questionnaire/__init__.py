"""questionnaire: branching pre-discovery questionnaires that become draft Statements of Work."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask application (imported lazily: the engine must stay usable without Flask)."""
    from .web.app import create_app as factory

    return factory(test_config)
