"""Answer parsing, shape checks and display: one section per question type, then properties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questionnaire.engine.answers import Invalid, conforms, display, parse_answer
from questionnaire.engine.model import (
    ChoiceQuestion,
    DateQuestion,
    DecimalQuestion,
    FileQuestion,
    HostnameQuestion,
    IntegerQuestion,
    IPAddressQuestion,
    LongTextQuestion,
    MultiChoiceQuestion,
    RepeatQuestion,
    SimpleTypedQuestion,
    TextQuestion,
    YesNoQuestion,
)

MB = 1024 * 1024
HUGE = "x" * MB
UNUSUAL = Invalid("Remove the unusual characters from your answer")


def simple(kind: Any) -> SimpleTypedQuestion:
    return SimpleTypedQuestion(id="q", type=kind, label="Question?")


TEXT = TextQuestion(id="name", type="text", label="Name?", max_length=20)
LONG = LongTextQuestion(id="notes", type="long_text", label="Notes?", max_length=50)
INTEGER = IntegerQuestion(id="vip_count", type="integer", label="How many?", min=1, max=10)
INTEGER_ANY = IntegerQuestion(id="count", type="integer", label="How many?")
INTEGER_MIN = IntegerQuestion(id="count", type="integer", label="How many?", min=0)
INTEGER_MAX = IntegerQuestion(id="count", type="integer", label="How many?", max=100)
DECIMAL = DecimalQuestion(id="ratio", type="decimal", label="Ratio?", min=0.5, max=2)
DECIMAL_ANY = DecimalQuestion(id="ratio", type="decimal", label="Ratio?")
YES_NO = YesNoQuestion(id="ha", type="yes_no", label="High availability?")
OPTIONS = (
    {"value": "aws", "label": "Amazon Web Services"},
    {"value": "azure", "label": "Microsoft Azure", "show_if": {"==": [1, 1]}},
    {"value": "gcp", "label": "Google Cloud"},
)
CHOICE = ChoiceQuestion(id="cloud", type="choice", label="Which cloud?", choices=OPTIONS)
MULTI = MultiChoiceQuestion(
    id="clouds",
    type="multi_choice",
    label="Clouds?",
    choices=OPTIONS,
    min_selected=1,
    max_selected=2,
)
MULTI_TWO = MultiChoiceQuestion(
    id="clouds", type="multi_choice", label="Clouds?", choices=OPTIONS, min_selected=2
)
DATE = DateQuestion(id="go_live", type="date", label="When?", min="2026-01-01", max="2026-12-31")
DATE_ANY = DateQuestion(id="go_live", type="date", label="When?")
IP_ANY = IPAddressQuestion(id="gw", type="ip_address", label="Gateway?")
IP4 = IPAddressQuestion(id="gw", type="ip_address", label="Gateway?", version=4)
IP6 = IPAddressQuestion(id="gw", type="ip_address", label="Gateway?", version=6)
HOST = HostnameQuestion(id="host", type="hostname", label="Host?")
FQDN = HostnameQuestion(id="host", type="hostname", label="Host?", fqdn=True)
FILE = FileQuestion(id="diagram", type="file", label="Diagram?")
SHEET = FileQuestion(
    id="sheet", type="file", label="Sheet?", accept=("xlsx", "csv"), max_size_mb=2.5
)
REPEAT = RepeatQuestion(
    id="services",
    type="repeat",
    label="Services?",
    item_label="Service",
    questions=(TEXT,),
)
ADDRESSES = RepeatQuestion(
    id="addresses", type="repeat", label="?", item_label="IP address", questions=(IP_ANY,)
)

ALL_QUESTIONS = [
    TEXT, LONG, INTEGER, INTEGER_ANY, DECIMAL, DECIMAL_ANY, YES_NO, CHOICE, MULTI, DATE, IP_ANY,
    IP4, IP6, HOST, FQDN, FILE, SHEET, REPEAT,
    *(simple(kind) for kind in ("email", "phone", "url", "timezone", "cidr", "port")),
]  # fmt: skip


def pdf(**changes: object) -> dict[str, object]:
    return {"id": "f-1", "name": "network.pdf", "size": 2 * MB, "kind": "pdf", **changes}


# Blank answers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("question", ALL_QUESTIONS, ids=lambda q: f"{q.type}-{q.id}")
@pytest.mark.parametrize("raw", [None, "", "   ", "\n\t ", []])
def test_blank_answers_are_none_for_every_type(question: Any, raw: object) -> None:
    assert parse_answer(question, raw) is None


# Text ------------------------------------------------------------------------------------------


def test_text_is_stripped() -> None:
    assert parse_answer(TEXT, "  Ada Lovelace \n") == "Ada Lovelace"


def test_text_enforces_max_length_after_stripping() -> None:
    assert parse_answer(TEXT, " " + "a" * 20 + " ") == "a" * 20
    assert parse_answer(TEXT, "a" * 21) == Invalid("Enter 20 characters or fewer")


@pytest.mark.parametrize("raw", ["a\x00b", "a\nb", "tab\there", "bell\x07", "del\x7f", "\ud800"])
def test_text_refuses_control_characters(raw: str) -> None:
    assert parse_answer(TEXT, raw) == UNUSUAL


def test_text_refuses_values_that_are_not_strings() -> None:
    assert parse_answer(TEXT, 42) == Invalid("Enter your answer as text")
    assert parse_answer(TEXT, {"a": 1}) == Invalid("Enter your answer as text")


def test_long_text_keeps_line_breaks_and_tabs_and_normalises_crlf() -> None:
    assert parse_answer(LONG, " line 1\r\n\tline 2\rline 3 ") == "line 1\n\tline 2\nline 3"


@pytest.mark.parametrize("raw", ["a\x00b", "a\x0bb", "a\x0cb", "a\x1bb", "a\x85b"])
def test_long_text_refuses_other_control_characters(raw: str) -> None:
    assert parse_answer(LONG, raw) == UNUSUAL


def test_long_text_max_length_counts_a_crlf_as_one_character() -> None:
    assert parse_answer(LONG, "a\r\n" * 24 + "a") == "a\n" * 24 + "a"
    assert parse_answer(LONG, "a" * 51) == Invalid("Enter 50 characters or fewer")


def test_huge_text_is_refused_by_length() -> None:
    assert parse_answer(TEXT, HUGE) == Invalid("Enter 20 characters or fewer")
    default = LongTextQuestion(id="notes", type="long_text", label="Notes?")
    assert parse_answer(default, HUGE) == Invalid("Enter 10,000 characters or fewer")


# Numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("7", 7), (" +7 ", 7), ("010", 10), (7, 7), (7.0, 7), ("1", 1), ("10", 10)],
)
def test_integer_accepts_whole_numbers(raw: object, expected: int) -> None:
    value = parse_answer(INTEGER, raw)
    assert value == expected
    assert type(value) is int


@pytest.mark.parametrize(
    "raw", ["1.5", "1.0", "1,000", "1_000", "1e3", "seven", "٣", True, 2.5, float("nan"), [1]]
)
def test_integer_refuses_anything_but_a_whole_number(raw: object) -> None:
    assert parse_answer(INTEGER, raw) == Invalid("Enter a whole number")


def test_integer_negative_numbers_and_bounds() -> None:
    assert parse_answer(INTEGER_ANY, "-42") == -42
    assert parse_answer(INTEGER, "0") == Invalid("Enter a number between 1 and 10")
    assert parse_answer(INTEGER, 11) == Invalid("Enter a number between 1 and 10")
    assert parse_answer(INTEGER_MIN, "-1") == Invalid("Enter a number that is 0 or more")
    assert parse_answer(INTEGER_MAX, "101") == Invalid("Enter a number that is 100 or less")
    assert parse_answer(INTEGER_MAX, "-5") == -5


def test_integer_refuses_numbers_too_large_to_keep_exactly() -> None:
    fewer = Invalid("Enter a number with fewer digits")
    assert parse_answer(INTEGER_ANY, "999999999999999") == 999_999_999_999_999
    assert parse_answer(INTEGER_ANY, "1000000000000000") == fewer
    assert parse_answer(INTEGER_ANY, -(10**400)) == fewer
    assert parse_answer(INTEGER_ANY, "9" * MB) == fewer
    assert parse_answer(INTEGER_ANY, 1e300) == fewer
    # With bounds, the bounds are the better message.
    assert parse_answer(INTEGER, "9" * 20) == Invalid("Enter a number between 1 and 10")
    assert parse_answer(INTEGER, 1e300) == Invalid("Enter a number between 1 and 10")


@pytest.mark.parametrize(
    ("raw", "expected"), [("1.25", 1.25), (" .5 ", 0.5), ("2", 2.0), (1, 1.0), ("-0.5", -0.5)]
)
def test_decimal_accepts_numbers_and_returns_floats(raw: object, expected: float) -> None:
    value = parse_answer(DECIMAL_ANY, raw)
    assert value == expected
    assert type(value) is float


@pytest.mark.parametrize(
    "raw", ["nan", "inf", "-Infinity", "1e5", "1,5", "one", float("inf"), float("nan"), False]
)
def test_decimal_refuses_non_numbers_and_non_finite_values(raw: object) -> None:
    assert parse_answer(DECIMAL_ANY, raw) == Invalid("Enter a number")


def test_decimal_bounds_name_the_bounds_without_trailing_zero() -> None:
    assert parse_answer(DECIMAL, "0.49") == Invalid("Enter a number between 0.5 and 2")
    assert parse_answer(DECIMAL, "2.01") == Invalid("Enter a number between 0.5 and 2")
    assert parse_answer(DECIMAL, "2") == 2.0
    assert parse_answer(DECIMAL_ANY, "1" * 200) == Invalid("Enter a number with fewer digits")


@pytest.mark.parametrize(("raw", "expected"), [("443", 443), (" 1 ", 1), (65535, 65535)])
def test_port_accepts_1_to_65535(raw: object, expected: int) -> None:
    assert parse_answer(simple("port"), raw) == expected


@pytest.mark.parametrize("raw", ["0", "65536", "-1", "80.5", "http", True, 8.5, HUGE])
def test_port_refuses_everything_else(raw: object) -> None:
    assert parse_answer(simple("port"), raw) == Invalid("Enter a port number between 1 and 65535")


# Yes/no and choices ----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [True, "yes", "Y", " TRUE ", "on"])
def test_yes(raw: object) -> None:
    assert parse_answer(YES_NO, raw) is True


@pytest.mark.parametrize("raw", [False, "no", "N", "false", "Off"])
def test_no(raw: object) -> None:
    assert parse_answer(YES_NO, raw) is False


@pytest.mark.parametrize("raw", ["maybe", 1, 0, "1", ["yes"], HUGE])
def test_yes_no_refuses_other_values(raw: object) -> None:
    assert parse_answer(YES_NO, raw) == Invalid("Select yes or no")


def test_choice_returns_the_option_value() -> None:
    assert parse_answer(CHOICE, " azure ") == "azure"


@pytest.mark.parametrize("raw", ["Azure", "Microsoft Azure", "oracle", ["aws"], 1, "aws\x00"])
def test_choice_refuses_anything_but_an_option_value(raw: object) -> None:
    assert parse_answer(CHOICE, raw) == Invalid("Select one of the options")


def test_multi_choice_orders_as_defined_and_deduplicates() -> None:
    assert parse_answer(MULTI, ["gcp", "aws", "gcp"]) == ["aws", "gcp"]
    assert parse_answer(MULTI, ("azure",)) == ["azure"]
    assert parse_answer(MULTI, "gcp") == ["gcp"]


def test_multi_choice_ignores_blank_entries() -> None:
    assert parse_answer(MULTI, ["", " aws "]) == ["aws"]
    assert parse_answer(MULTI, ["", "  "]) is None


@pytest.mark.parametrize("raw", [["aws", "oracle"], ["aws", 1], {"aws": True}, 3])
def test_multi_choice_refuses_unknown_or_ill_typed_values(raw: object) -> None:
    assert parse_answer(MULTI, raw) == Invalid("Select from the options shown")


def test_multi_choice_enforces_min_and_max_selected() -> None:
    assert parse_answer(MULTI, ["aws", "azure", "gcp"]) == Invalid("Select no more than 2 options")
    assert parse_answer(MULTI_TWO, ["aws"]) == Invalid("Select at least 2 options")
    one = MultiChoiceQuestion(
        id="c", type="multi_choice", label="?", choices=OPTIONS, max_selected=1
    )
    assert parse_answer(one, ["aws", "gcp"]) == Invalid("Select no more than 1 option")


# Dates -----------------------------------------------------------------------------------------


def test_date_accepts_iso_dates_within_bounds() -> None:
    assert parse_answer(DATE, " 2026-11-30 ") == "2026-11-30"
    assert parse_answer(DATE, "2026-01-01") == "2026-01-01"
    assert parse_answer(DATE, "2026-12-31") == "2026-12-31"


@pytest.mark.parametrize(
    "raw", ["30/11/2026", "20261130", "2026-W48-1", "2026-11-30T10:00", 20261130]
)
def test_date_refuses_other_formats(raw: object) -> None:
    assert parse_answer(DATE_ANY, raw) == Invalid("Enter a date in the format 2026-11-30")


@pytest.mark.parametrize("raw", ["2026-02-29", "2026-13-01", "0000-01-01"])
def test_date_refuses_dates_that_do_not_exist(raw: str) -> None:
    assert parse_answer(DATE_ANY, raw) == Invalid("Enter a real date in the format 2026-11-30")


def test_date_bounds() -> None:
    assert parse_answer(DATE, "2025-12-31") == Invalid(
        "Enter a date between 2026-01-01 and 2026-12-31"
    )
    after = DateQuestion(id="d", type="date", label="?", min="2026-06-01")
    before = DateQuestion(id="d", type="date", label="?", max="2026-06-01")
    assert parse_answer(after, "2026-05-31") == Invalid("Enter a date on or after 2026-06-01")
    assert parse_answer(before, "2026-06-02") == Invalid("Enter a date on or before 2026-06-01")


def test_date_bounds_that_are_not_real_dates_do_not_raise() -> None:
    odd = DateQuestion(id="d", type="date", label="?", min="2026-13-45")
    assert parse_answer(odd, "2026-12-01") == Invalid("Enter a date on or after 2026-13-45")


# Email, phone, web address, time zone ----------------------------------------------------------

EMAIL = Invalid("Enter an email address in the correct format, like name@example.com")
PHONE = Invalid("Enter a phone number, including the country code, like +44 20 7946 0958")
URL = Invalid("Enter a web address starting with https:// or http://, like https://www.example.com")


def test_email_is_normalised() -> None:
    assert parse_answer(simple("email"), " Ada@Example.COM ") == "Ada@example.com"


@pytest.mark.parametrize("raw", ["ada", "ada@", "ada@localhost", "a b@example.com", 7, HUGE])
def test_email_refuses_malformed_addresses(raw: object) -> None:
    assert parse_answer(simple("email"), raw) == EMAIL


def test_phone_is_e164() -> None:
    assert parse_answer(simple("phone"), "+44 20 7946 0958") == "+442079460958"
    assert parse_answer(simple("phone"), "+1 (650) 253-0000") == "+16502530000"


@pytest.mark.parametrize("raw", ["020 7946 0958", "+44 12", "+999 123456", "call me", 442079460958])
def test_phone_needs_a_valid_international_number(raw: object) -> None:
    assert parse_answer(simple("phone"), raw) == PHONE


def test_phone_refuses_huge_input() -> None:
    assert parse_answer(simple("phone"), "+44" + "1" * MB) == PHONE


@pytest.mark.parametrize(
    "raw", ["https://example.com", "http://192.0.2.1:8080/x?y=1#z", "HTTPS://[2001:db8::1]/"]
)
def test_url_accepts_http_and_https_with_a_host(raw: str) -> None:
    assert parse_answer(simple("url"), f"  {raw} ") == raw


@pytest.mark.parametrize(
    "raw",
    [
        "example.com",
        "ftp://example.com",
        "javascript:alert(1)",
        "https://",
        "https:///path",
        "https://example.com:99999",
        "https://exa mple.com",
        "http://[::1",
        "https://example.com/" + "a" * 3000,
    ],
)
def test_url_refuses_other_addresses(raw: str) -> None:
    assert parse_answer(simple("url"), raw) == URL


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/london", "Europe/London"),
        (" AMERICA/NEW_YORK ", "America/New_York"),
        ("America/New York", "America/New_York"),
        ("utc", "UTC"),
    ],
)
def test_timezone_returns_the_canonical_spelling(raw: str, expected: str) -> None:
    assert parse_answer(simple("timezone"), raw) == expected


@pytest.mark.parametrize("raw", ["London", "Europe/Londres", "GMT+1:00", "localtime", 0, HUGE])
def test_timezone_refuses_unknown_zones(raw: object) -> None:
    assert parse_answer(simple("timezone"), raw) == Invalid(
        "Enter a time zone such as Europe/London"
    )


# Network addresses -----------------------------------------------------------------------------

CIDR = Invalid("Enter a network in CIDR notation, like 192.0.2.0/24")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("192.168.1.0/24", "192.168.1.0/24"),
        ("2001:DB8:0::/32", "2001:db8::/32"),
        ("10.0.0.0/255.0.0.0", "10.0.0.0/8"),
        ("192.0.2.7/32", "192.0.2.7/32"),
    ],
)
def test_cidr_is_normalised(raw: str, expected: str) -> None:
    assert parse_answer(simple("cidr"), raw) == expected


def test_cidr_with_host_bits_suggests_the_network() -> None:
    assert parse_answer(simple("cidr"), "192.168.1.5/24") == Invalid(
        "192.168.1.5/24 has host bits set: did you mean 192.168.1.0/24?"
    )


@pytest.mark.parametrize("raw", ["192.168.1.0", "192.168.1.0/33", "300.0.0.0/8", "net/24", 24])
def test_cidr_refuses_other_values(raw: object) -> None:
    assert parse_answer(simple("cidr"), raw) == CIDR


def test_ip_address_is_compressed_and_respects_the_version() -> None:
    assert parse_answer(IP_ANY, "2001:DB8:0:0:0:0:0:10") == "2001:db8::10"
    assert parse_answer(IP_ANY, " 192.0.2.10 ") == "192.0.2.10"
    assert parse_answer(IP4, "192.0.2.10") == "192.0.2.10"
    assert parse_answer(IP6, "::1") == "::1"


@pytest.mark.parametrize(
    ("question", "raw", "message"),
    [
        (IP4, "2001:db8::10", "Enter an IPv4 address, like 192.0.2.10"),
        (IP4, "192.0.2.256", "Enter an IPv4 address, like 192.0.2.10"),
        (IP4, "010.0.0.1", "Enter an IPv4 address, like 192.0.2.10"),
        (IP4, 3221225994, "Enter an IPv4 address, like 192.0.2.10"),
        (IP6, "192.0.2.10", "Enter an IPv6 address, like 2001:db8::10"),
        (IP_ANY, "fe80::1%eth0", "Enter an IP address, like 192.0.2.10 or 2001:db8::10"),
        (IP_ANY, "192.0.2.0/24", "Enter an IP address, like 192.0.2.10 or 2001:db8::10"),
        (IP_ANY, HUGE, "Enter an IP address, like 192.0.2.10 or 2001:db8::10"),
    ],
)
def test_ip_address_refusals(question: Any, raw: object, message: str) -> None:
    assert parse_answer(question, raw) == Invalid(message)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Server01", "server01"), ("Web-1.Example.COM.", "web-1.example.com"), ("a" * 63, "a" * 63)],
)
def test_hostname_is_lower_cased_without_trailing_dot(raw: str, expected: str) -> None:
    assert parse_answer(HOST, raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["-web", "web-", "web_1", "*.example.com", "a..b", ".", "a" * 64, "bü.com", "a b", HUGE],
)
def test_hostname_refuses_names_outside_rfc_1123(raw: str) -> None:
    assert parse_answer(HOST, raw) == Invalid(
        "Enter a hostname, like server01 or server01.example.com"
    )


def test_hostname_total_length_is_at_most_253() -> None:
    name = ".".join(["a" * 63] * 3 + ["a" * 61])
    assert len(name) == 253
    assert parse_answer(HOST, name) == name
    assert isinstance(parse_answer(HOST, name + "a"), Invalid)


def test_fqdn_needs_a_dot() -> None:
    assert parse_answer(FQDN, "db1.example.com") == "db1.example.com"
    assert parse_answer(FQDN, "db1.") == Invalid(
        "Enter a fully qualified domain name, like server01.example.com"
    )


# Files and repeating groups --------------------------------------------------------------------


def test_file_keeps_exactly_the_four_keys() -> None:
    assert parse_answer(FILE, pdf(extra="dropped")) == pdf()


def test_file_kind_must_be_accepted() -> None:
    assert parse_answer(FILE, pdf(kind="docx")) == Invalid(
        "The selected file must be a PDF, PNG or JPEG"
    )
    assert parse_answer(SHEET, pdf()) == Invalid("The selected file must be an XLSX or CSV")
    only = FileQuestion(id="f", type="file", label="?", accept=("zip",))
    assert parse_answer(only, pdf(kind="exe")) == Invalid("The selected file must be a ZIP")


def test_file_size_limit() -> None:
    assert parse_answer(FILE, pdf(size=10 * MB)) == pdf(size=10 * MB)
    assert parse_answer(FILE, pdf(size=10 * MB + 1)) == Invalid(
        "The selected file must be smaller than 10 MB"
    )
    csv = pdf(kind="csv", size=3 * MB)
    assert parse_answer(SHEET, csv) == Invalid("The selected file must be smaller than 2.5 MB")


@pytest.mark.parametrize(
    "raw",
    [
        {},
        "network.pdf",
        pdf(id=1),
        pdf(name=None),
        pdf(size="2"),
        pdf(size=True),
        pdf(size=-1),
        pdf(size=1.5),
        {"id": "f", "name": "n", "size": 1},
    ],
)
def test_file_refuses_malformed_uploads(raw: object) -> None:
    assert parse_answer(FILE, raw) == Invalid("Select a file")


def test_repeat_returns_copies_of_the_records() -> None:
    records = [{"name": "web"}, {"name": "db", "extra": [1]}]
    value = parse_answer(REPEAT, records)
    assert value == records
    assert value is not records
    assert value[0] is not records[0]


@pytest.mark.parametrize("raw", [{"name": "web"}, ["web"], [{"name": "web"}, None], "web"])
def test_repeat_needs_a_list_of_records(raw: object) -> None:
    assert parse_answer(REPEAT, raw) == Invalid("Enter the details of each service")
    assert parse_answer(ADDRESSES, raw) == Invalid("Enter the details of each IP address")


# Hostile text --------------------------------------------------------------------------------

TYPED = [
    TEXT, LONG, INTEGER_ANY, DECIMAL_ANY, DATE_ANY, IP_ANY, HOST,
    *(simple(kind) for kind in ("email", "phone", "url", "timezone", "cidr", "port")),
]  # fmt: skip
VALID_TEXT = {
    "text": "Ada", "long_text": "Notes", "integer": "7", "decimal": "2.5", "date": "2026-11-30",
    "ip_address": "192.0.2.10", "hostname": "server01", "email": "a@example.com",
    "phone": "+44 20 7946 0958", "url": "https://example.com", "timezone": "Europe/London",
    "cidr": "10.0.0.0/8", "port": "443",
}  # fmt: skip


@pytest.mark.parametrize("question", TYPED, ids=lambda q: q.type)
@pytest.mark.parametrize(
    "control",
    ["\x00", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\x0b", "\x0c", "\x1b", "\x7f"],
    ids=repr,
)
@pytest.mark.parametrize("where", ["start", "end", "inside"])
def test_control_characters_are_refused_wherever_they_are_typed(
    question: Any, control: str, where: str
) -> None:
    # str.strip() takes U+001C-U+001F, U+0085, VT and FF for whitespace: at either end they
    # used to vanish, so "7\x85" was stored as 7 and "Ada\x1f" as "Ada".
    valid = VALID_TEXT[question.type]
    raw = {
        "start": control + valid,
        "end": valid + control,
        "inside": valid[0] + control + valid[1:],
    }
    assert parse_answer(question, raw[where]) == UNUSUAL


@pytest.mark.parametrize("raw", ["\x1c", "\x1c\x1d\x1e\x1f", " \x85 "])
def test_text_of_control_separators_alone_is_refused_not_taken_for_blank(raw: str) -> None:
    assert parse_answer(TEXT, raw) == UNUSUAL


@pytest.mark.parametrize(
    ("question", "raw", "message"),
    [
        (YES_NO, "yes\x1f", "Select yes or no"),
        (YES_NO, "no\x00", "Select yes or no"),
        (CHOICE, "aws\x85", "Select one of the options"),
        (MULTI, ["aws\x1f"], "Select from the options shown"),
        (MULTI, ["gcp", "aws\x00"], "Select from the options shown"),
    ],
)
def test_options_with_control_characters_are_not_options(
    question: Any, raw: object, message: str
) -> None:
    assert parse_answer(question, raw) == Invalid(message)


@pytest.mark.parametrize("name", ["diagram\x00.pdf", "\x1b[31m.pdf", "a\nb.pdf", "x\ud800.pdf"])
def test_file_names_with_control_characters_are_refused(name: str) -> None:
    assert parse_answer(FILE, pdf(name=name)) == Invalid(
        "The selected file's name has unusual characters: rename the file and select it again"
    )
    assert parse_answer(FILE, pdf(id="f\x00")) == parse_answer(FILE, pdf(name=name))


#: Digits Python's str.isdigit() or int() accept that are not ASCII, and number spellings
#: float() would read: none of them is a number a customer meant to type here.
NOT_ASCII_NUMBERS = [
    "²", "1²", "٣", "١٢", "１２", "১২", "𝟙𝟚", "⑫", "Ⅻ", "٫5", "1٫5", "0.5\u0301",
    "nan", "NaN", "inf", "-inf", "Infinity", "1_000", "1e999", "1e-999", "0x10", "1.5e3", "+-7",
]  # fmt: skip


@pytest.mark.parametrize("raw", NOT_ASCII_NUMBERS)
@pytest.mark.parametrize(
    ("question", "message"),
    [
        (INTEGER_ANY, "Enter a whole number"),
        (DECIMAL_ANY, "Enter a number"),
        (simple("port"), "Enter a port number between 1 and 65535"),
    ],
    ids=["integer", "decimal", "port"],
)
def test_numbers_are_ascii_digits_only(question: Any, raw: str, message: str) -> None:
    assert parse_answer(question, raw) == Invalid(message)


@pytest.mark.parametrize(
    ("question", "raw"),
    [
        (DATE_ANY, "２０２６-11-30"),
        (DATE_ANY, "2026-11-3٠"),
        (IP_ANY, "192.168.0.１"),
        (IP_ANY, "192.168.٠.1"),
        (simple("cidr"), "10.0.0.0/2٤"),
        (simple("url"), "http://example.com:٨٠/"),
        (simple("url"), "http://example.com:8²/"),
        (simple("url"), "http://example.com:1_0/"),
    ],
)
def test_digits_inside_other_answers_are_ascii_too(question: Any, raw: str) -> None:
    assert isinstance(parse_answer(question, raw), Invalid)


@pytest.mark.parametrize("raw", ["\u212aey", "server-\u212a", "\u212a.example.com"])
def test_hostname_refuses_letters_that_only_lower_case_to_ascii(raw: str) -> None:
    # "\u212a" (KELVIN SIGN).lower() is "k": the name stored would not be the name typed.
    assert parse_answer(HOST, raw) == Invalid(
        "Enter a hostname, like server01 or server01.example.com"
    )
    assert isinstance(parse_answer(FQDN, raw), Invalid)


# Shapes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "good", "bad"),
    [
        (TEXT, ["", "x"], [1, None, ["x"]]),
        (DATE, ["2026-01-01"], [20260101]),
        (simple("email"), ["a@example.com"], [True]),
        (INTEGER, [0, -3, 10**20], [True, 1.0, "1"]),
        (simple("port"), [443], [False, 443.0, "443"]),
        (DECIMAL, [1, 1.5], [True, "1.5", None, float("nan"), float("inf"), float("-inf")]),
        (YES_NO, [True, False], [1, 0, "yes"]),
        (CHOICE, ["aws", "azure"], ["oracle", "Amazon Web Services", ["aws"], 1]),
        (MULTI, [[], ["aws"], ["gcp", "aws"]], ["aws", ["oracle"], [1], [["aws"]], ("aws",)]),
        (
            FILE,
            [pdf(), pdf(extra=1)],
            [{"id": "f"}, ["network.pdf"], "network.pdf", pdf(id=[["f-1"]]), pdf(name={"a": 1})],
        ),
        (FILE, [pdf()], [pdf(kind=None), pdf(size="2"), pdf(size=True), pdf(size=1.5)]),
        (REPEAT, [[], [{}], [{"name": "web"}]], [{}, [[]], ["web"], [None]]),
    ],
)
def test_conforms(question: Any, good: list[object], bad: list[object]) -> None:
    assert all(conforms(question, value) for value in good)
    assert not any(conforms(question, value) for value in bad)


# Display ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "value", "text"),
    [
        (TEXT, "Ada", "Ada"),
        (CHOICE, "azure", "Microsoft Azure"),
        (MULTI, ["aws", "gcp"], "Amazon Web Services, Google Cloud"),
        (YES_NO, True, "Yes"),
        (YES_NO, False, "No"),
        (INTEGER_ANY, -42, "-42"),
        (simple("port"), 8080, "8080"),
        (DECIMAL_ANY, 3.0, "3"),
        (DECIMAL_ANY, 2.5, "2.5"),
        (DECIMAL_ANY, 4, "4"),
        (DATE, "2026-11-30", "2026-11-30"),
        (FILE, pdf(), "network.pdf"),
        (REPEAT, [{}], "1 service"),
        (REPEAT, [{}, {}, {}], "3 services"),
        (ADDRESSES, [{}, {}], "2 IP addresses"),
        (TEXT, None, ""),
        (CHOICE, None, ""),
        (CHOICE, "withdrawn", "withdrawn"),
        (YES_NO, "yes", "yes"),
        (TEXT, {"not": "text"}, ""),
    ],
)
def test_display(question: Any, value: object, text: str) -> None:
    assert display(question, value) == text


def test_display_of_an_integer_too_long_to_print() -> None:
    assert display(INTEGER_ANY, 10**5000) == "a very large number"


@pytest.mark.parametrize(
    ("item_label", "expected"),
    [("Item", "2 items"), ("Policy", "2 policies"), ("Switch", "2 switches"), ("VLAN", "2 VLANs")],
)
def test_display_pluralises_item_labels_naively(item_label: str, expected: str) -> None:
    group = RepeatQuestion(
        id="g", type="repeat", label="?", item_label=item_label, questions=(TEXT,)
    )
    assert display(group, [{}, {}]) == expected


# Properties ------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.text(alphabet=st.characters(codec="ascii")),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
# Near misses of valid answers, so the properties also cover the happy paths.
plausible = st.sampled_from(
    [
        "aws", "gcp", "yes", "no", "7", "-3", "1.5", "2026-11-30", "2026-02-30", "a@example.com",
        "+44 20 7946 0958", "https://example.com", "Europe/London", "10.0.0.0/8", "10.0.0.1/8",
        "443", "192.0.2.10", "2001:db8::10", "server01.example.com", "line\r\nline",
        "a\x00", ["aws", "gcp", "aws"], pdf(), pdf(kind="png", size=1), [{"name": "web"}],
    ]
)  # fmt: skip
raw_values = json_values | plausible | st.from_type(object)


@pytest.mark.parametrize("question", ALL_QUESTIONS, ids=lambda q: f"{q.type}-{q.id}")
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=raw_values)
def test_parse_never_raises_and_its_values_conform(question: Any, raw: object) -> None:
    value = parse_answer(question, raw)
    assert value is None or isinstance(value, Invalid) or conforms(question, value)
    if value is not None and not isinstance(value, Invalid):
        assert parse_answer(question, value) == value  # normalised values parse to themselves
        assert isinstance(display(question, value), str)


@pytest.mark.parametrize("question", ALL_QUESTIONS, ids=lambda q: f"{q.type}-{q.id}")
@settings(deadline=None)
@given(value=json_values | plausible)
def test_conforms_and_display_never_raise(question: Any, value: object) -> None:
    assert isinstance(conforms(question, value), bool)
    assert isinstance(display(question, value), str)
