"""The settings the use cases read, taken once from the app's configuration (or a CLI's)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Every setting's default; the web app's configuration starts from these (``web/config.py``).
DEFAULTS: dict[str, Any] = {
    "ENV_NAME": "development",  # "production" turns on Secure cookies, HSTS and a required SECRET_KEY
    "BASE_URL": "http://127.0.0.1:5000",
    "DEFINITIONS_DIR": "definitions",
    "TEMPLATES_DIR": "templates",  # the SoW deployment templates
    "LINK_EXPIRY_DAYS": 14,
    "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,  # a whole request; files are also checked one by one
    # Text fields of a (multipart) page: above the longest answer a definition allows, so a long
    # answer gets the question's own "Enter N characters or fewer" instead of a 413.
    "MAX_FORM_MEMORY_SIZE": 4 * 1024 * 1024,
    "UPLOAD_QUOTA_BYTES": 100 * 1024 * 1024,  # per response
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "LINK_GUESS_LIMIT": "30 per minute",
    # A respondent may idle for hours on a page: a CSRF token lives as long as the session.
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "CONTACT_EMAIL": "services@loadbalancer.org",
    "PROXY_FIX": 0,  # how many proxies in front set X-Forwarded-For/-Proto
}


@dataclass(frozen=True)
class Settings:
    base_url: str
    upload_dir: Path
    upload_quota_bytes: int
    export_dir: Path
    link_expiry_days: int
    contact_email: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """Read from a Flask-style configuration mapping; missing keys take their defaults."""
        config = {**DEFAULTS, **config}
        return cls(
            base_url=str(config["BASE_URL"]).rstrip("/"),
            upload_dir=Path(config["UPLOAD_DIR"]),
            upload_quota_bytes=int(config["UPLOAD_QUOTA_BYTES"]),
            export_dir=Path(config["EXPORT_DIR"]),
            link_expiry_days=int(config["LINK_EXPIRY_DAYS"]),
            contact_email=str(config["CONTACT_EMAIL"]),
        )
