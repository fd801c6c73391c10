"""The handover checklist (which agreed targets still need a passing test) and the document's
Markdown, with the property that the document can be issued exactly when every agreed target
has a passing test."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from questionnaire.delivery import handover_checklist as hc
from questionnaire.delivery.handover_doc import Issue, Recorded, to_markdown

ANSWERS = {"services": [{"name": "PACS"}, {"vip": "10.0.0.1"}, "not a service"]}
GSLB_IN_SCOPE = [{"key": "needs_gslb", "provenance": {"value": True}}]
GSLB_OUT = [{"key": "needs_gslb", "provenance": {"value": False}}]
WEB = hc.Target(hc.VIRTUAL_SERVICE, "PACS")


def _result(n: int, target: hc.Target, outcome: str, day: int = 1) -> hc.Result:
    return hc.Result(n, target, outcome, date(2026, 12, day))


def test_the_agreed_services_are_the_questionnaires_named_as_the_pdr_names_them() -> None:
    targets = hc.agreed_targets(ANSWERS, GSLB_OUT, {})
    assert targets == (WEB, hc.Target(hc.VIRTUAL_SERVICE, "Service 2"))


def test_gslb_agreed_in_the_sow_needs_each_pdr_global_name_or_one_configuration() -> None:
    assert hc.agreed_targets({}, GSLB_IN_SCOPE, {}) == (hc.Target(hc.GSLB, "GSLB configuration"),)
    pdr = {"gslb": [{"name": "www.example.com"}, {"name": "WWW.example.com "}, {"ttl": 30}]}
    assert hc.agreed_targets({}, GSLB_IN_SCOPE, pdr) == (hc.Target(hc.GSLB, "www.example.com"),)
    assert hc.agreed_targets({}, GSLB_OUT, pdr) == ()
    assert hc.agreed_targets({}, [{"key": "needs_gslb"}, "junk"], pdr) == ()


def test_a_test_may_name_an_agreed_target_or_one_the_pdr_names() -> None:
    pdr = {"virtual_services": [{"name": "pacs"}, {"name": "extra"}], "gslb": [{"name": "g.x"}]}
    names = [t.name for t in hc.testable((WEB,), pdr)]
    assert names == ["PACS", "extra", "g.x"]


def test_the_checklist_says_which_target_passed_and_its_latest_result() -> None:
    other = hc.Target(hc.VIRTUAL_SERVICE, "Service 2")
    results = [_result(1, hc.Target(hc.VIRTUAL_SERVICE, " pacs"), "pass", 1),
               _result(2, WEB, "fail", 2), _result(3, other, "fail", 1)]  # fmt: skip
    items = hc.checklist((WEB, other), results)
    assert [(i.passed, i.latest.id if i.latest else None) for i in items] == [(True, 2), (False, 3)]
    assert hc.missing(items) == (other,)
    assert hc.missing(hc.checklist((WEB,), [])) == (WEB,)


def test_the_document_holds_the_configuration_then_the_tests_escaped() -> None:
    pdr = {"virtual_services": [{"name": "PACS", "vip": "10.0.0.1", "real_servers": []}]}
    tests = [Recorded(WEB, "Open <b>the</b> viewer", "It opens", "It | opened", "pass",
                        date(2026, 12, 1), "shot.png"),
             Recorded(hc.Target(hc.GSLB, "g.example.com"), "Fail over", "Site B answers",
                        "Site A answered", "fail", date(2026, 12, 2), None)]  # fmt: skip
    agreed = (WEB, hc.Target(hc.VIRTUAL_SERVICE, "Mail"))
    text = to_markdown(Issue("Handover for Acme", 2, 5, date(2026, 12, 3)), pdr, agreed, tests)
    assert text.startswith("# Handover for Acme\n\nIssue 2, 2026-12-03:")
    assert "revision 5 of the Project Detail Record" in text
    assert "## Virtual services" in text and "| PACS | 10\\.0.0.1 |" in text
    assert text.index("## Virtual services") < text.index("## Functional tests")
    assert "### Virtual service PACS (agreed in the SoW)" in text
    assert (
        "| Open \\<b\\>the\\</b\\> viewer | It opens | It \\| opened | Pass | 2026-12-01 | shot.png |"
        in text
    )
    assert "### Virtual service Mail (agreed in the SoW)\n\nNo test recorded." in text
    assert "### GSLB g.example.com\n" in text and "| Fail | 2026-12-02 | None |" in text


KINDS = st.sampled_from([hc.VIRTUAL_SERVICE, hc.GSLB])
NAMES = st.sampled_from(["web", "WEB", " web", "mail", "g.example.com", "Service 1"])
TARGETS = st.builds(hc.Target, KINDS, NAMES)
OUTCOMES = st.sampled_from([hc.PASS, hc.FAIL])
DAYS = st.dates(date(2026, 1, 1), date(2026, 12, 31))


@given(st.lists(TARGETS, max_size=5),
       st.lists(st.tuples(TARGETS, OUTCOMES, DAYS), max_size=12))  # fmt: skip
def test_issuable_exactly_when_every_agreed_target_has_a_passing_test(
    agreed: list[hc.Target], recorded: list[tuple[hc.Target, str, date]]
) -> None:
    results = [hc.Result(n, t, outcome, day) for n, (t, outcome, day) in enumerate(recorded)]
    items = hc.checklist(agreed, results)

    def passes(target: hc.Target) -> bool:
        return any(r.target.key == target.key and r.outcome == hc.PASS for r in results)

    assert (hc.missing(items) == ()) == all(passes(target) for target in agreed)
    assert {t.key for t in hc.missing(items)} == {t.key for t in agreed if not passes(t)}
    for item in items:
        mine = [r for r in results if r.target.key == item.target.key]
        assert item.latest == max(mine, key=lambda r: (r.tested_on, r.id), default=None)
