"""Checks for address answers: email, phone, web and IP addresses, CIDR networks, hostnames.

Split from ``answers`` to keep both modules short. Each check takes the stripped text and returns
the normalised value, or raises ``AnswerError`` whose message tells the customer what to do.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal
from urllib.parse import urlsplit

import email_validator


class AnswerError(ValueError):
    """An answer was refused; the message is shown to the customer as it is."""


IP_MESSAGES: dict[Literal[4, 6, "any"], str] = {
    4: "Enter an IPv4 address, like 192.0.2.10",
    6: "Enter an IPv6 address, like 2001:db8::10",
    "any": "Enter an IP address, like 192.0.2.10 or 2001:db8::10",
}
CIDR_MESSAGE = "Enter a network in CIDR notation, like 192.0.2.0/24"
HOSTNAME_MESSAGE = "Enter a hostname, like server01 or server01.example.com"
FQDN_MESSAGE = "Enter a fully qualified domain name, like server01.example.com"
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"
PHONE_MESSAGE = "Enter a phone number, including the country code, like +44 20 7946 0958"
URL_MESSAGE = "Enter a web address starting with https:// or http://, like https://www.example.com"

# Longer than any real address: refuse early instead of handing megabytes to the parsers.
_MAX_ADDRESS = 100
_MAX_URL = 2048
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_SPACE = re.compile(r"\s")


def ip_address(text: str, version: Literal[4, 6, "any"]) -> str:
    """The address in compressed form; IPv6 zone suffixes such as ``%eth0`` are refused."""
    message = IP_MESSAGES[version]
    if len(text) > _MAX_ADDRESS or "%" in text:
        raise AnswerError(message)
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise AnswerError(message) from None
    if version != "any" and address.version != version:
        raise AnswerError(message)
    return address.compressed


def cidr(text: str) -> str:
    """The network in compressed form; when host bits are set, the message names the network."""
    if len(text) > _MAX_ADDRESS or "/" not in text or "%" in text:
        raise AnswerError(CIDR_MESSAGE)
    try:
        return ipaddress.ip_network(text).compressed
    except ValueError:
        pass
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise AnswerError(CIDR_MESSAGE) from None
    raise AnswerError(f"{text} has host bits set: did you mean {network.compressed}?")


def hostname(text: str, *, fqdn: bool) -> str:
    """The name lower-cased without a trailing dot, checked against RFC 1123 (no wildcards)."""
    # ASCII first: lower() maps the Kelvin sign (U+212A) to "k", so "\u212aey" would pass as "key".
    if not text.isascii():
        raise AnswerError(FQDN_MESSAGE if fqdn else HOSTNAME_MESSAGE)
    name = text.lower().removesuffix(".")
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise AnswerError(FQDN_MESSAGE if fqdn else HOSTNAME_MESSAGE)
    if fqdn and len(labels) < 2:
        raise AnswerError(FQDN_MESSAGE)
    return name


def url(text: str) -> str:
    """The address as typed, when it is http or https with a host and, if given, a valid port."""
    if len(text) > _MAX_URL or _SPACE.search(text):
        raise AnswerError(URL_MESSAGE)
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        raise AnswerError(URL_MESSAGE) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise AnswerError(URL_MESSAGE)
    return text


def email(text: str) -> str:
    """The address normalised by ``email_validator`` (domain lower-cased), without DNS look-ups."""
    if len(text) > _MAX_URL:
        raise AnswerError(EMAIL_MESSAGE)
    try:
        return email_validator.validate_email(text, check_deliverability=False).normalized
    except email_validator.EmailNotValidError:
        raise AnswerError(EMAIL_MESSAGE) from None


def phone(text: str) -> str:
    """The number in E.164 form, like ``+442079460958``; the ``+`` country code is required."""
    # Imported on first use: the package loads a large table of numbering plans.
    import phonenumbers

    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise AnswerError(PHONE_MESSAGE) from None
    if not phonenumbers.is_valid_number(number):
        raise AnswerError(PHONE_MESSAGE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
