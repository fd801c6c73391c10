"""The settings the use cases read, taken once from the app's configuration (or a CLI's)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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
        """Read from a Flask-style configuration mapping (keys as in ``web/config.py``)."""
        return cls(
            base_url=str(config["BASE_URL"]).rstrip("/"),
            upload_dir=Path(config["UPLOAD_DIR"]),
            upload_quota_bytes=int(config["UPLOAD_QUOTA_BYTES"]),
            export_dir=Path(config["EXPORT_DIR"]),
            link_expiry_days=int(config["LINK_EXPIRY_DAYS"]),
            contact_email=str(config["CONTACT_EMAIL"]),
        )
