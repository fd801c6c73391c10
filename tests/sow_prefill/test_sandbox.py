"""Templates are authors' content: the sandbox keeps them away from Python (security test plan,
item 19). The limits on their work are in test_template_limits.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from sow_prefill.prefill import prefill
from sow_prefill.sandbox import RenderError, make_environment, render
from sow_prefill.templates import load_library

from .support import EMPTY, answers, prefill_input


def render_text(source: str, context: dict[str, object] | None = None) -> str:
    return render(make_environment(), source, context or {"answer": lambda key: key}, "test")


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("{{ answer.__globals__ }}", "__globals__"),
        ("{{ ''.__class__.__mro__ }}", "__class__"),
        ("{{ ().__class__.__base__.__subclasses__() }}", "__class__"),
        ("{{ os.system('id') }}", "'os' is undefined"),
        ("{{ self.__init__.__globals__ }}", "__init__"),
        ("{{ cycler.__init__.__globals__ }}", "__init__"),
        ("{{ range.__self__ }}", "__self__"),
        ("{{ answer.__func__.__code__ }}", "__func__"),
        ("{{ lipsum.__globals__ }}", "'lipsum' is undefined"),
        ("{% set x = namespace() %}{{ x.__dict__ }}", "__dict__"),
    ],
)
def test_reaching_for_python_internals_fails_with_a_clear_error(source: str, named: str) -> None:
    with pytest.raises(RenderError) as caught:
        render_text(source)
    message = str(caught.value)
    assert message.startswith("test, line 1: ")
    assert named in message


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
        ("{{ answer() }}", "TypeError"),
        ("{{ [][3] }}", "list object has no element 3"),
        ("{{ nothing.here }}", "'nothing' is undefined"),
        ("{{ '{'.format(1) }}", "ValueError"),
        ("{{ 'abc' | truncate(1) }}", "AssertionError: expected length >= 3, got 1"),
    ],
)
def test_template_mistakes_are_render_errors_not_crashes(source: str, error: str) -> None:
    with pytest.raises(RenderError, match=error):
        render_text(source)


def test_ordinary_formatting_still_works() -> None:
    assert (
        render_text("{{ '{} on {:>4}'.format('VIP', 443) }} {{ '%s=%d' % ('port', 443) }}")
        == "VIP on  443 port=443"
    )


def test_a_malicious_template_stops_the_prefill_with_the_file_and_section(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(
        "id: base\nkind: base\ntitle: SoW\nsections:\n"
        "  - id: header\n    title: Header\n    markdown: |\n      {{ answer.__globals__['os'] }}\n"
    )
    with pytest.raises(RenderError) as caught:
        prefill(load_library(tmp_path), prefill_input(answers(EMPTY)))
    expected = (
        f"{tmp_path / 'base.yaml'}: header, line 8: not allowed: access to attribute '__globals__'"
    )
    assert str(caught.value).startswith(expected)
    assert (caught.value.template, caught.value.line) == (f"{tmp_path / 'base.yaml'}: header", 8)


def test_values_are_escaped_even_when_a_template_prints_them_raw() -> None:
    source = "{{ value }} | {{ value | upper }}"
    out = render_text(source, {"value": "<b>x</b> | **y**"})
    assert out == "\\<b\\>x\\</b\\> \\| \\*\\*y\\*\\* | \\<B\\>X\\</B\\> \\| \\*\\*Y\\*\\*"
