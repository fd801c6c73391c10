"""Email templates: ``templates/emails/<name>.md``, Markdown with Jinja, sent as text and HTML.

A template starts with a short YAML header, then the body::

    ---
    subject: Handing over {{ organisation }} to our services team
    optional: [project]          # values it can do without ({% if project %} ...)
    ---
    Dear {{ contact_name }},
    ...

Every other value the subject and body name is required: :func:`render` raises
:class:`MissingValue`, naming each one, when a value is absent, ``None`` or blank, so an email
can never go out with a gap or a "[Customer Name]" in it. Besides the caller's values, templates
may use ``base_url``, ``services_address`` (``CONTACT_EMAIL``) and ``link_to("/path")``, the
app's public address joined with a path: every link in an email is built from ``BASE_URL``.

The body renders in the same sandbox as the SoW templates, bounded in work and time, and every
value is escaped for Markdown first, so a customer's ``<b>`` or ``**`` reads as text; the
Markdown becomes HTML with raw HTML disabled, and plain text from the same parse. The subject
is plain text on one line: line breaks and control characters in values become spaces.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from jinja2 import TemplateSyntaxError, meta
from markdown_it import MarkdownIt
from markdown_it.token import Token

from questionnaire.engine import Diagnostic
from sow_prefill import sandbox
from sow_prefill.sandbox import BoundedEnvironment, RenderError, make_environment

from .settings import Settings

NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
#: C0 and C1 controls, DEL, and the line and paragraph separators: never in a header.
_NOT_IN_A_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
BUILT_INS = ("base_url", "services_address", "link_to")
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


class MissingValue(ValueError):
    """The template needs values the caller did not give (``names``, in the template's order)."""

    def __init__(self, template: str, names: list[str]) -> None:
        self.template, self.names = template, names
        super().__init__(f"The email {template!r} cannot be sent without: {', '.join(names)}")


class TemplateProblem(Exception):
    """The template itself is wrong: missing, malformed, or failing to render (with where).

    ``line`` is the line of the template's file it is about, where known (for lint).
    """

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class EmailTemplate:
    name: str
    path: Path
    subject: str
    body: str
    body_line: int  # the file's line where the body starts, for errors
    optional: frozenset[str]

    def required(self) -> list[str]:
        """The values it names that the caller must give, in a stable order."""
        named = _names_in(self.subject) | _names_in(self.body)
        return sorted(named - self.optional - set(BUILT_INS) - set(make_environment().globals))


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def load(folder: Path, name: str) -> EmailTemplate:
    if not NAME.fullmatch(name):
        raise TemplateProblem(f"{name!r} is not an email template name")
    path = folder / f"{name}.md"
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateProblem(f"{path}: cannot be read ({exc.strerror})") from exc
    return parse(name, path, source)


def parse(name: str, path: Path, source: str) -> EmailTemplate:
    match = re.match(r"---\n(.*?\n)---\n", source.replace("\r\n", "\n"), re.DOTALL)
    if match is None:
        raise TemplateProblem(f"{path}: must start with a '---' header holding its subject")
    try:
        header = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise TemplateProblem(f"{path}: the header is not valid YAML ({exc})") from exc
    if not isinstance(header, dict) or not isinstance(header.get("subject"), str):
        raise TemplateProblem(f"{path}: the header needs a subject")
    optional = header.get("optional", [])
    if set(header) - {"subject", "optional", "description"} or not (
        isinstance(optional, list) and all(isinstance(o, str) for o in optional)
    ):
        raise TemplateProblem(f"{path}: the header holds subject, optional (a list), description")
    body = source.replace("\r\n", "\n")[match.end() :]
    line = match.group(0).count("\n") + 1
    return EmailTemplate(name, path, header["subject"], body, line, frozenset(optional))


def _names_in(source: str) -> set[str]:
    try:
        return set(meta.find_undeclared_variables(make_environment().parse(source)))
    except TemplateSyntaxError:  # reported, with its line, when the template renders
        return set()


@dataclass(frozen=True)
class Site:
    """What templates know of the app besides the values: its address and the contact one."""

    base_url: str
    services_address: str

    @classmethod
    def of(cls, settings: Settings) -> Site:
        return cls(settings.base_url, settings.contact_email)


def render(site: Site, template: EmailTemplate, values: Mapping[str, Any]) -> RenderedEmail:
    """The email for ``values``; :class:`MissingValue` before anything renders if one lacks."""
    clash = sorted(set(values) & set(BUILT_INS))
    if clash:
        raise ValueError(f"values may not be named {', '.join(clash)}: templates have them")
    missing = [name for name in template.required() if _blank(values.get(name))]
    if missing:
        raise MissingValue(template.name, missing)
    context = {
        **dict.fromkeys(template.optional),
        **values,
        "base_url": site.base_url,
        "services_address": site.services_address,
        "link_to": functools.partial(_link_to, site.base_url),
    }
    try:
        subject = sandbox.render(
            _subject_environment(), template.subject, context, f"{template.path} subject"
        )
        markdown = sandbox.render(
            make_environment(), template.body, context, str(template.path), template.body_line
        )
    except RenderError as exc:
        raise TemplateProblem(str(exc), exc.line or template.body_line) from exc
    subject = one_line(subject)
    return RenderedEmail(subject, markdown_to_text(markdown), markdown_to_html(markdown, subject))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple | dict) and not value) or (
        isinstance(value, str) and not value.strip()
    )  # fmt: skip


def _link_to(base_url: str, path: str) -> str:
    if not isinstance(path, str) or not path.startswith("/") or path.startswith("//"):
        raise ValueError("link_to takes a path on this site, starting with one '/'")
    return base_url + quote(path, safe="/?&=#%~-._:@!$'*+,;")


@functools.cache
def _subject_environment() -> BoundedEnvironment:
    """The subject is a header, neither Markdown nor HTML: values go in as they are, and the
    result is made one line (:func:`one_line`) before it is used."""
    return BoundedEnvironment(finalize=lambda value: "" if value is None else value)


def one_line(text: str, limit: int = 250) -> str:
    """``text`` as a header may hold it: one line, no control characters, at most ``limit``."""
    flat = " ".join(_NOT_IN_A_LINE.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def problems(folder: Path) -> list[Diagnostic]:
    """Each template's problems, with file and line, found by a trial render with every value
    given (what ``questionnaire lint`` reports)."""
    site = Site("https://example.com", "services@example.com")
    found = []
    for path in sorted(folder.glob("*.md")):
        try:
            template = load(folder, path.stem)
            render(site, template, dict.fromkeys([*template.required(), *template.optional], "x"))
        except TemplateProblem as exc:
            cause = exc.__cause__
            message = cause.problem if isinstance(cause, RenderError) else str(exc)
            found.append(Diagnostic(str(path), exc.line, 1, message.removeprefix(f"{path}: ")))
    return found


# -- Markdown to the two parts ----------------------------------------------------------------------


def markdown_to_html(markdown: str, title: str) -> str:
    """A whole HTML document; its markup is only what Markdown makes (raw HTML is escaped)."""
    body = _MARKDOWN.render(markdown)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n"
        '<body style="font-family: Arial, sans-serif; line-height: 1.5; max-width: 40em">\n'
        f"{body}</body></html>\n"
    )


def markdown_to_text(markdown: str) -> str:
    """The plain text part: the Markdown's text, lists kept as lists, links as ``text <url>``."""
    lines: list[str] = []
    indents: list[str] = []  # one per open list item: its continuation lines' indent
    numbers: list[int | None] = []  # one per open list: the next number, or None for bullets
    marker = ""
    for token in _MARKDOWN.parse(markdown):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            numbers.append(int(token.attrGet("start") or 1) if kind[0] == "o" else None)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            numbers.pop()
            if not numbers:
                lines.append("")
        elif kind == "list_item_open":
            number = numbers[-1]
            marker = "- " if number is None else f"{number}. "
            if number is not None:
                numbers[-1] = number + 1
            indents.append(" " * len(marker))
        elif kind == "list_item_close":
            indents.pop()
        elif kind == "inline":
            for i, line in enumerate(_inline_text(token).split("\n")):
                lead = "".join(indents[:-1]) + marker if i == 0 and marker else "".join(indents)
                lines.append(lead + line)
            marker = ""
        elif kind in ("paragraph_close", "heading_close") and not token.hidden:
            lines.append("")
        elif kind in ("fence", "code_block"):
            lines.extend([*token.content.rstrip("\n").split("\n"), ""])
        elif kind == "hr":
            lines.extend(["-" * 20, ""])
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _inline_text(token: Token) -> str:
    pieces: list[str] = []
    links: list[tuple[str, int]] = []  # open links: their target, where their text starts
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            pieces.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            pieces.append("\n")
        elif child.type == "image":
            pieces.append(child.content)
        elif child.type == "link_open":
            links.append((str(child.attrGet("href") or ""), len(pieces)))
        elif child.type == "link_close" and links:
            href, start = links.pop()
            text = "".join(pieces[start:])
            if href not in (text, f"mailto:{text}"):
                pieces.append(f" <{href}>")
    return "".join(pieces)
