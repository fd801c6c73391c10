"""The work a template may do is bounded: a corpus of hostile templates, one per way around a
limit, each ending in a RenderError that names the template, the line and the limit.

How fast they fail is the benchmarks' business (bench/); here, only that they fail and how.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sow_prefill.lint import lint_templates
from sow_prefill.lint_trials import path_test_answers
from sow_prefill.sandbox import MAX_OUTPUT_CHARS, RenderError, make_environment, render

from .support import MEDICAL, answers, questionnaire

TOO_LONG = "would make text longer than 500000 characters"
LOOPS = "loops ran more than 10000 times in one rendering (all loops together)"

HOSTILE = {
    "nested loops over a long string": (
        "{% set s = 'a' * 10000 %}\n{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
        2,
        LOOPS,
    ),
    "a long loop that prints nothing": (
        "{% for i in range(10000) %}\n{% for c in 'ab' %}{% endfor %}{% endfor %}",
        2,
        LOOPS,
    ),
    "ljust": ("{{ 'a'.ljust(10**9) }}", 1, f"'str.ljust()' {TOO_LONG}"),
    "rjust": ("{{ 'a'.rjust(10**9) }}", 1, f"'str.rjust()' {TOO_LONG}"),
    "center method": ("{{ 'a'.center(10**9) }}", 1, f"'str.center()' {TOO_LONG}"),
    "zfill": ("{{ '1'.zfill(10**9) }}", 1, f"'str.zfill()' {TOO_LONG}"),
    "expandtabs": (
        "{{ ('\\t' * 10000).expandtabs(10000) }}",
        1,
        f"'str.expandtabs()' {TOO_LONG}",
    ),
    "format method widths": (
        "{{ '{:>100000000}'.format(1) }}",
        1,
        "not allowed: format widths above 10000",
    ),
    "format method nested widths": (
        "{{ '{:>{}}'.format(1, 100000000) }}",
        1,
        "not allowed: nested format fields are not allowed",
    ),
    "format method fields": (
        "{% set big = 'a' * 10000 %}\n{{ ('{0}' * 3000).format(big) }}",
        2,
        f"format() {TOO_LONG}",
    ),
    "__mul__": ("{{ 'a'.__mul__(10**9) }}", 1, "not allowed: access to attribute '__mul__'"),
    "replace that multiplies": (
        "{{ ('a' * 10000).replace('a', 'b' * 10000) }}",
        1,
        f"'str.replace()' {TOO_LONG}",
    ),
    "replace of the empty string": (
        "{{ ('a' * 10000).replace('', 'b' * 100) }}",
        1,
        f"'str.replace()' {TOO_LONG}",
    ),
    "translate that multiplies": (
        "{{ ('a' * 10000).translate({97: 'b' * 10000}) }}",
        1,
        f"'str.translate()' {TOO_LONG}",
    ),
    "~ doubling in a namespace": (
        "{% set ns = namespace(s='ab') %}\n{% for i in range(40) %}\n"
        "{% set ns.s = ns.s ~ ns.s %}\n{% endfor %}",
        3,
        f"'~' {TOO_LONG}",
    ),
    "+ doubling in a namespace": (
        "{% set ns = namespace(s='ab') %}\n{% for i in range(40) %}\n"
        "{% set ns.s = ns.s + ns.s %}\n{% endfor %}",
        3,
        f"'+' {TOO_LONG}",
    ),
    "a list doubling in a namespace": (
        "{% set ns = namespace(l=['ab']) %}\n{% for i in range(60) %}\n"
        "{% set ns.l = [ns.l, ns.l] %}\n{% endfor %}{{ ns.l }}",
        3,
        f"a list or dict {TOO_LONG}",
    ),
    "* repetition": ("{{ 'a' * 10**8 }}", 1, "repeating text or lists more than 10000 times"),
    "* repetition of a long item": (
        "{{ ['a' * 10000] * 100 }}",
        1,
        f"'*' {TOO_LONG}",
    ),
    "% formatting widths": ("{{ '%100000000d' % 1 }}", 1, "format widths above 10000"),
    "% formatting fields": (
        "{{ ('%(a)s' * 2000) % {'a': 'a' * 10000} }}",
        1,
        f"'%' formatting {TOO_LONG}",
    ),
    "power": ("{{ 2 ** 10000 }}", 1, "power above 64 is not allowed"),
    "a power of a huge number": ("{{ (10 ** 64) ** 64 }}", 1, "numbers above 4096 bits"),
    "a list repeated": ("{{ [0] * 10**8 }}", 1, "repeating text or lists more than 10000 times"),
    "a huge range": ("{{ range(10**9) | list | length }}", 1, "ranges of more than 10000 numbers"),
    "ranges in nested loops": (
        "{% for i in range(200) %}\n{% for j in range(100) %}{% endfor %}{% endfor %}",
        2,
        "ranges of more than 10000 numbers",
    ),
    "join filter of a long list": (
        "{{ ('a' * 10000) | list | join('b' * 10000) }}",
        1,
        f"the 'join' filter {TOO_LONG}",
    ),
    "join method": (
        "{{ ('b' * 10000).join('a' * 10000) }}",
        1,
        f"'str.join()' {TOO_LONG}",
    ),
    "indent filter": (
        "{{ ('a\\n' * 5000) | indent(10000) }}",
        1,
        f"the 'indent' filter {TOO_LONG}",
    ),
    "wordwrap filter": (
        "{{ ('a ' * 5000) | wordwrap(1, wrapstring='b' * 10000) }}",
        1,
        f"the 'wordwrap' filter {TOO_LONG}",
    ),
    "center filter": ("{{ 'a' | center(10**9) }}", 1, f"the 'center' filter {TOO_LONG}"),
    "format filter widths": ("{{ '%100000000d' | format(1) }}", 1, "format widths above 10000"),
    "format filter fields": (
        "{{ ('%(a)s' * 2000) | format(a='a' * 10000) }}",
        1,
        f"'%' formatting {TOO_LONG}",
    ),
    "round to a huge precision": (
        "{{ 12345 | round(-10**9) }}",
        1,
        "rounding to more than 64 digits is not allowed",
    ),
    "sum of lists": (
        "{{ ([[0] * 100] * 100) | sum(start=[]) }}",
        1,
        "the 'sum' filter adds numbers only",
    ),
    "a method nobody allowed": (
        "{{ (1).to_bytes(10**9, 'big') }}",
        1,
        "'int.to_bytes()' is not available in a template",
    ),
    "a filter that pads to any length": (
        "{{ [1] | batch(10**9, 'x') | list }}",
        1,
        "No filter named 'batch'",
    ),
    "macros that call themselves twice": (
        "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}\n"
        "{{ m(40) }}",
        1,
        "more than 50000 calls in one rendering",
    ),
    "output captured by set": (
        "{% set s = 'a' * 10000 %}\n{% set x %}{% for i in range(100) %}{{ s }}{% endfor %}"
        "{% endset %}",
        2,
        f"a block, macro or set {TOO_LONG}",
    ),
    "a recursive loop": (
        "{% for x in [1] recursive %}\n{{ loop([1]) }}{% endfor %}",
        1,
        "recursive loops are not allowed in a SoW template",
    ),
    "output over the cap": (
        "{% for i in range(9000) %}\n{{ 'x' * 100 }}\n{% endfor %}",
        2,
        f"output is larger than {MAX_OUTPUT_CHARS} characters",
    ),
}


def render_text(source: str) -> str:
    return render(make_environment(), source, {}, "hostile.yaml: scope_in", first_line=10)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_template_ends_in_a_render_error_naming_it(case: str) -> None:
    source, line, message = HOSTILE[case]
    with pytest.raises(RenderError) as caught:
        render_text(source)
    error = caught.value
    assert (error.template, error.line) == ("hostile.yaml: scope_in", 9 + line), str(error)
    assert message in error.problem
    assert str(error).startswith(f"hostile.yaml: scope_in, line {9 + line}: ")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ 'ab' | center(6) | replace(' ', '.') }}", "..ab.."),
        ("{{ 'ab'.ljust(4, '.') }}{{ '7'.zfill(3) }}", "ab..007"),
        ("{{ 'a\nb' | indent(2) | replace('\n', '/') }}", "a/  b"),
        ("{{ 'one two three' | wordwrap(7, wrapstring='/') }}", "one two/three"),
        ("{{ 'a-b-c' | replace('-', ', ') }}", "a, b, c"),
        ("{{ ['a', 'b'] | join(', ') }}, {{ ','.join(['c', 'd']) }}", "a, b, c,d"),
        ("{{ '%s on %d' | format('VIP', 443) }}", "VIP on 443"),
        ("{{ 'a long sentence here' | truncate(9, True, '...', 0) }}", "a long..."),
        ("{{ 'short' | truncate(10**9) }}", "short"),  # truncate never lengthens text
        ("{{ [1, 2, 3] | sum }}, {{ 'x%s' % (2.567 | round(1)) }}", "6, x2.6"),
        ("{% set ns = namespace(s='') %}{% for i in range(3) %}{% set ns.s = ns.s ~ i %}"
         "{% endfor %}{{ ns.s }}", "012"),
        ("{% for x in ['a', 'b'] %}{{ loop.index }}{{ x }}{% endfor %}", "1a2b"),
        ("{% macro m(x) %}x{{ x }}{% endmacro %}{{ m('a') }}", "xa"),
        ("{% set c %}{% for i in range(3) %}x{% endfor %}{% endset %}{{ c }}", "xxx"),
    ],
)  # fmt: skip
def test_the_bounded_features_still_work_within_their_limits(source: str, expected: str) -> None:
    assert render(make_environment(), source, {}, "test") == expected


def test_a_namespace_prints_without_its_contents() -> None:
    """What a namespace holds can change after it is measured, so it never prints it."""
    source = "{% set ns = namespace(a='secret') %}{{ ns }}"
    assert render(make_environment(), source, {}, "test") == "\\<namespace\\>"


def test_the_limits_count_per_rendering_not_forever() -> None:
    source = "{% for i in range(6000) %}{% endfor %}done"
    assert [render_text(source) for _ in range(3)] == ["done"] * 3


def test_lint_reports_a_limit_only_real_answers_reach(tmp_path: Path) -> None:
    """No answers: no services, the loop never runs. The medical path test has two services."""
    (tmp_path / "base.yaml").write_text(
        "id: base\nkind: base\ntitle: SoW\nsections:\n"
        "  - id: scope_in\n    title: Scope\n    markdown: |\n"
        "      Services:\n"
        '      {% for service in records("services") %}\n'
        "      {% for i in range(5000) %}{% endfor %}\n"
        "      {% endfor %}\n"
    )
    found = [d.format() for d in lint_templates(tmp_path, questionnaire())]
    case = next(name for name, _ in path_test_answers(questionnaire()) if name.startswith(MEDICAL))
    assert found == [
        f"{tmp_path / 'base.yaml'}:10:7: error: trial render with the answers of path test "
        f"'{case}' failed: section 'scope_in': not allowed: {LOOPS}"
    ]
    only_empty = lint_templates(tmp_path, questionnaire(), answer_sets=[])
    assert only_empty == []
    assert answers(MEDICAL)["services"]  # the reason the path test reaches the limit
