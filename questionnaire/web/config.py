"""Configuration: defaults, then the instance folder, then the environment, then a test mapping.

Nothing here is read at import time: :func:`configure` runs inside the app factory.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from questionnaire.services.settings import DEFAULTS

#: The file in the instance folder where ``questionnaire demo`` notes the address it serves at.
DEMO_ADDRESS = "demo_base_url"


def configure(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    demo_address = Path(app.instance_path) / DEMO_ADDRESS
    if (
        demo_address.is_file()
    ):  # where `questionnaire demo` serves: links made beside it point there
        app.config["BASE_URL"] = demo_address.read_text(encoding="utf-8").strip()
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("FLASK")
    app.config.from_prefixed_env("QUESTIONNAIRE")
    if test_config:
        app.config.from_mapping(test_config)
    instance = Path(app.instance_path)
    app.config.setdefault("DATABASE_URL", f"sqlite:///{instance / 'questionnaire.sqlite'}")
    app.config.setdefault("UPLOAD_DIR", str(instance / "uploads"))
    app.config.setdefault("EXPORT_DIR", str(instance / "exports"))
    app.config.setdefault("MAIL_OUTBOX_DIR", str(instance / "outbox"))
    production = app.config["ENV_NAME"] == "production"
    if not app.config.get("SECRET_KEY"):
        if production:
            raise RuntimeError("QUESTIONNAIRE_SECRET_KEY must be set in production")
        app.config["SECRET_KEY"] = _development_key(instance)
    if production:  # Flask's own default (False) must not win over production's
        app.config["SESSION_COOKIE_SECURE"] = True
    app.config["BASE_URL"] = str(app.config["BASE_URL"]).rstrip("/")


def _development_key(instance: Path) -> str:
    """A key generated once and kept in the instance folder, so sessions survive restarts."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key
