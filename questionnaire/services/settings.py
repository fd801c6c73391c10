"""The settings the use cases read, taken once from the app's configuration (or a CLI's)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .booking_settings import BOOKING_DEFAULTS, BookingSettings
from .closeout_settings import CLOSEOUT_DEFAULTS, CloseoutSettings

#: Every setting's default; the web app's configuration starts from these (``web/config.py``).
DEFAULTS: dict[str, Any] = {
    "ENV_NAME": "development",  # "production" turns on Secure cookies, HSTS and a required SECRET_KEY
    "BASE_URL": "http://127.0.0.1:5000",
    "DEFINITIONS_DIR": "definitions",
    "TEMPLATES_DIR": "templates",  # the SoW deployment templates
    "LINK_EXPIRY_DAYS": 14,
    # A questionnaire sent by email is followed by a reminder this many days before its link's
    # last day, while the response is not submitted (per engagement, it can be switched off);
    # 0 sends no reminders at all.
    "QUESTIONNAIRE_REMINDER_DAYS": 3,
    "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,  # a whole request; files are also checked one by one
    # Text fields of a (multipart) page: above the longest answer a definition allows, so a long
    # answer gets the question's own "Enter N characters or fewer" instead of a 413.
    "MAX_FORM_MEMORY_SIZE": 4 * 1024 * 1024,
    "UPLOAD_QUOTA_BYTES": 100 * 1024 * 1024,  # per response
    # Files engineers attach to an engagement (support downloads are large archives).
    "ENGAGEMENT_FILE_MAX_MB": 50,
    # Every file of an engagement is deleted this many days after the engagement is complete.
    "FILE_RETENTION_DAYS": 365,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "LINK_GUESS_LIMIT": "30 per minute",
    # A respondent may idle for hours on a page: a CSRF token lives as long as the session.
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "CONTACT_EMAIL": "services@loadbalancer.org",
    "SOW_REVIEW_EXPIRY_DAYS": 30,  # how long the customer's link to a sent SoW revision works
    "PROXY_FIX": 0,  # how many proxies in front set X-Forwarded-For/-Proto
    # Outgoing email: "outbox" writes .eml files to MAIL_OUTBOX_DIR (set from the instance
    # folder, like UPLOAD_DIR); "smtp" sends through MAIL_HOST.
    "MAIL_TRANSPORT": "outbox",
    "MAIL_HOST": "localhost",
    "MAIL_PORT": None,  # None: 587 for STARTTLS, 465 for TLS, 25 for none
    "MAIL_SECURITY": "starttls",
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "Loadbalancer.org Professional Services <services@loadbalancer.org>",
    "SERVICES_TEAM_EMAIL": "services@loadbalancer.org",  # where sales handovers go
    **BOOKING_DEFAULTS,  # booking links and calendar feeds (booking_settings.py)
    **CLOSEOUT_DEFAULTS,  # finance's address and the completion webhook (closeout_settings.py)
}

MAIL_TRANSPORTS = ("outbox", "smtp")
#: Each way of securing SMTP, and its usual port.
MAIL_SECURITY_PORTS = {"starttls": 587, "tls": 465, "none": 25}


@dataclass(frozen=True)
class Settings:
    base_url: str
    upload_dir: Path
    upload_quota_bytes: int
    export_dir: Path
    sow_review_expiry_days: int
    link_expiry_days: int
    contact_email: str
    mail: MailSettings
    #: Days before a sent questionnaire's last day that its reminder goes; 0: never.
    questionnaire_reminder_days: int = 3
    booking: BookingSettings = field(default_factory=BookingSettings)
    closeout: CloseoutSettings = field(default_factory=CloseoutSettings)
    #: The largest file an engineer may attach to an engagement, in MB.
    engagement_file_max_mb: int = 50
    #: Days after completion that an engagement's files are kept.
    file_retention_days: int = 365

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """Read from a Flask-style configuration mapping; missing keys take their defaults."""
        config = {**DEFAULTS, **config}
        return cls(
            base_url=str(config["BASE_URL"]).rstrip("/"),
            upload_dir=Path(config["UPLOAD_DIR"]),
            upload_quota_bytes=int(config["UPLOAD_QUOTA_BYTES"]),
            export_dir=Path(config["EXPORT_DIR"]),
            sow_review_expiry_days=_review_days(config["SOW_REVIEW_EXPIRY_DAYS"]),
            link_expiry_days=int(config["LINK_EXPIRY_DAYS"]),
            contact_email=str(config["CONTACT_EMAIL"]),
            mail=MailSettings.from_config(config),
            questionnaire_reminder_days=_reminder_days(config["QUESTIONNAIRE_REMINDER_DAYS"]),
            booking=BookingSettings.from_config(config),
            closeout=CloseoutSettings.from_config(config),
            engagement_file_max_mb=_positive("ENGAGEMENT_FILE_MAX_MB", config, 1024),
            file_retention_days=_positive("FILE_RETENTION_DAYS", config, 36_500),
        )


@dataclass(frozen=True)
class MailSettings:
    """How outgoing email leaves: written to the outbox folder, or sent through an SMTP server."""

    transport: str  # one of MAIL_TRANSPORTS
    outbox_dir: Path
    host: str
    port: int
    security: str  # a key of MAIL_SECURITY_PORTS
    username: str | None
    password: str | None = field(repr=False)  # never in a log line that prints the settings
    sender: str  # the From header: an address, or "Name <address>"
    services_team: str  # where sales handovers go
    templates_dir: Path  # the email templates: TEMPLATES_DIR/emails
    #: The app's SECRET_KEY, from which the key of sealed values is derived (mail_sealed.py).
    secret_key: str | None = field(default=None, repr=False)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        config = {**DEFAULTS, **config}
        transport = str(config["MAIL_TRANSPORT"])
        security = str(config["MAIL_SECURITY"])
        if transport not in MAIL_TRANSPORTS:
            raise ValueError(f"MAIL_TRANSPORT must be one of {MAIL_TRANSPORTS}, not {transport!r}")
        if security not in MAIL_SECURITY_PORTS:
            raise ValueError(
                f"MAIL_SECURITY must be one of {tuple(MAIL_SECURITY_PORTS)}, not {security!r}"
            )
        port = config["MAIL_PORT"]
        return cls(
            transport=transport,
            # Without the app (a service test, a script), beside the current folder.
            outbox_dir=Path(config.get("MAIL_OUTBOX_DIR") or "instance/outbox"),
            host=str(config["MAIL_HOST"]),
            port=MAIL_SECURITY_PORTS[security] if port in (None, "") else int(port),
            security=security,
            # Environment values are parsed as JSON: a password of digits arrives as a number.
            username=_text_or_none(config["MAIL_USERNAME"]),
            password=_text_or_none(config["MAIL_PASSWORD"]),
            sender=str(config["MAIL_FROM"]),
            services_team=str(config["SERVICES_TEAM_EMAIL"]),
            templates_dir=Path(config["TEMPLATES_DIR"]) / "emails",
            secret_key=_text_or_none(config.get("SECRET_KEY")),
        )


def _reminder_days(value: Any) -> int:
    days = int(value)
    if not 0 <= days <= 365:
        raise ValueError(f"QUESTIONNAIRE_REMINDER_DAYS must be 0 (none) to 365, not {days}")
    return days


def _positive(name: str, config: Mapping[str, Any], most: int) -> int:
    number = int(config[name])
    if not 1 <= number <= most:
        raise ValueError(f"{name} must be 1 to {most}, not {number}")
    return number


def _review_days(value: Any) -> int:
    days = int(value)
    if not 1 <= days <= 365:
        raise ValueError(f"SOW_REVIEW_EXPIRY_DAYS must be 1 to 365, not {days}")
    return days


def _text_or_none(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
