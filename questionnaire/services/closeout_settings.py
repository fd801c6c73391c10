"""The settings of close-out (``Settings.closeout``): who hears of a completion, and the webhook."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Their defaults, merged into ``settings.DEFAULTS`` (so the web app's configuration has them).
CLOSEOUT_DEFAULTS: dict[str, Any] = {
    # The completion summary (days used against days sold, the documents) goes to the sales
    # person who handed the engagement over and to finance, here.
    "FINANCE_EMAIL": "finance@loadbalancer.org",
    # Where each completed engagement's JSON record is posted, signed with the secret
    # (HMAC-SHA256); unset, nothing is sent. Only ever from configuration, never from a form.
    "COMPLETION_WEBHOOK_URL": None,
    "COMPLETION_WEBHOOK_SECRET": None,
    "COMPLETION_WEBHOOK_TIMEOUT_SECONDS": 10,
    # Loopback and private addresses are refused unless this is on (a receiver on the intranet).
    "COMPLETION_WEBHOOK_PRIVATE_ADDRESSES": False,
}


@dataclass(frozen=True)
class CloseoutSettings:
    finance_email: str = "finance@loadbalancer.org"
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_timeout: float = 10.0
    webhook_private_addresses: bool = False
    #: Where the support handover document's template is: TEMPLATES_DIR/documents.
    documents_dir: Path = Path("templates/documents")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> CloseoutSettings:
        config = {**CLOSEOUT_DEFAULTS, **config}
        url, secret = (
            _text(config["COMPLETION_WEBHOOK_URL"]),
            _text(config["COMPLETION_WEBHOOK_SECRET"]),
        )
        if url is not None and secret is None:
            raise ValueError("COMPLETION_WEBHOOK_URL needs COMPLETION_WEBHOOK_SECRET to sign with")
        if url is not None and not url.lower().startswith(("https://", "http://")):
            raise ValueError(f"COMPLETION_WEBHOOK_URL must be an http(s) address, not {url!r}")
        return cls(
            finance_email=str(config["FINANCE_EMAIL"]),
            webhook_url=url,
            webhook_secret=secret,
            webhook_timeout=float(config["COMPLETION_WEBHOOK_TIMEOUT_SECONDS"]),
            webhook_private_addresses=bool(config["COMPLETION_WEBHOOK_PRIVATE_ADDRESSES"]),
            documents_dir=Path(config.get("TEMPLATES_DIR") or "templates") / "documents",
        )


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
