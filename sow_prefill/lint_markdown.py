"""Lint of a SoW template section's Markdown, the Jinja that the pre-fill renders.

Split from ``lint`` to keep it short. Per section: Jinja syntax (unknown filters and tests
included); names the section uses that it never sees; ``answer/value/records/fact("x")`` and
``proposal("topic")`` naming what does not exist; fields of records (``item(record, "field")``,
``record.data.get("field")``, nested groups via :mod:`.lint_nested`); output that bypasses the
record or is escaped twice; and, when none of that is an error, trial renders (:mod:`.lint_trials`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jinja2 import TemplateSyntaxError, meta, nodes

from questionnaire.engine import Diagnostic, Severity
from questionnaire.engine.diagnostics import did_you_mean

from .jinja_ast import called_name, constant_argument, data_owner, name_of, record_groups
from .lint_ids import TemplateIds
from .lint_nested import nested_records_problems
from .lint_trials import Trial
from .prefill import FACTS
from .recommend import TOPICS, known_topic
from .sandbox import BoundedEnvironment, RenderError, render
from .templates import Template

#: Functions whose first argument is a question, computed value or fact id.
ID_FUNCTIONS = frozenset({"answer", "value", "records", "fact"})
#: Functions that return Markdown: turning their result into plain text escapes it again.
MARKDOWN_FUNCTIONS = frozenset({"answer", "fact", "item", "placeholder", "proposal"})


@dataclass
class Section:
    """One section's Markdown and where it starts in the file."""

    index: int
    id: str
    source: str
    first_line: int
    lines: list[str]

    def at(self, lineno: int, needle: str | None = None) -> tuple[int, int]:
        """File line and column of the block's line ``lineno`` (1-based), at ``needle`` if found."""
        offset = max(lineno, 1) - 1
        text = self.lines[offset] if offset < len(self.lines) else ""
        column = text.find(needle) if needle else -1
        if column < 0:
            column = len(text) - len(text.lstrip())
        return self.first_line + offset, column + 1


@dataclass
class MarkdownLint:
    """The checks of one template's sections, adding to its ``problems`` and ``used``."""

    template: Template
    ids: TemplateIds
    env: BoundedEnvironment
    trials: Sequence[Trial]  # the first has no answers
    problems: list[Diagnostic]
    #: Ids the Markdown reads (first place of each), for the ``reads`` checks.
    used: dict[str, tuple[int, int]]

    def check(self, section: Section) -> bool:
        """Lint the section; ``False`` when its Jinja does not parse, so what it reads is unknown."""
        before = len(self.problems)
        ast = self._parse(section)
        if ast is None:
            return False
        self._names(section, ast)
        self._calls(section, ast)
        for lineno, message, needle in nested_records_problems(ast, self.ids.nested):
            self._at(section, lineno, message, quoted(section, lineno, needle))
        self._items(section, ast)
        self._escaping(section, ast)
        if not any(p.severity is Severity.ERROR for p in self.problems[before:]):
            self._trial_render(section)
        return True

    def _at(
        self,
        section: Section,
        lineno: int,
        message: str,
        needle: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        line, column = section.at(lineno, needle)
        self.problems.append(Diagnostic(self.template.source.name, line, column, message, severity))

    def _parse(self, section: Section) -> nodes.Template | None:
        try:
            self.env.compile(section.source)  # unknown filters and tests are found here
            return self.env.parse(section.source)
        except TemplateSyntaxError as exc:
            self._at(section, exc.lineno, f"Jinja syntax: {exc.message}")
            return None

    def _names(self, section: Section, ast: nodes.Template) -> None:
        known = set(self.trials[0].context) | set(self.env.globals)
        for name in sorted(meta.find_undeclared_variables(ast) - known):
            lineno = next((n.lineno for n in ast.find_all(nodes.Name) if n.name == name), 1)
            self._at(section, lineno, f"unknown name '{name}'{did_you_mean(name, known)}", name)

    def _calls(self, section: Section, ast: nodes.Template) -> None:
        for call in ast.find_all(nodes.Call):
            function = called_name(call)
            argument = constant_argument(call, 0)
            if function is None or argument is None:
                continue
            needle = quoted(section, call.lineno, argument)
            if function == "proposal":
                if not known_topic(argument):
                    hint = did_you_mean(argument, TOPICS)
                    self._at(
                        section, call.lineno, f'proposal("{argument}"): unknown topic{hint}', needle
                    )
                continue
            if function not in ID_FUNCTIONS:
                continue
            allowed = self.ids.data | (FACTS.keys() if function in ("fact", "value") else set())
            if argument not in allowed:
                what = (
                    "question, computed value or fact"
                    if function in ("fact", "value")
                    else "question or computed value"
                )
                hint = did_you_mean(argument, allowed)
                self._at(
                    section,
                    call.lineno,
                    f"{function}(\"{argument}\"): unknown {what} '{argument}'{hint}",
                    needle,
                )
                continue
            if function == "records" and argument not in self.ids.groups:
                message = f"records(\"{argument}\"): '{argument}' is not a repeating group"
                self._at(
                    section, call.lineno, message + did_you_mean(argument, self.ids.groups), needle
                )
            if argument in self.ids.data and argument not in self.used:
                self.used[argument] = section.at(call.lineno, needle)

    def _items(self, section: Section, ast: nodes.Template) -> None:
        """``item(record, "field")`` and ``record.data.get("field")``: best effort, by name."""
        groups = record_groups(ast)
        for call in ast.find_all(nodes.Call):
            name = called_name(call)
            if name == "item":
                record, field_name = (
                    name_of(call.args[0] if call.args else None),
                    constant_argument(call, 1),
                )
            elif name is None and isinstance(call.node, nodes.Getattr) and call.node.attr == "get":
                record, field_name = (
                    data_owner(call.node.node, groups),
                    constant_argument(call, 0),
                )
            else:
                continue
            if record is None or field_name is None:
                continue
            group = groups.get(record)
            known = {**self.ids.groups, **self.ids.nested}
            fields = known.get(group, frozenset()) if group else self.ids.all_fields
            if fields and field_name not in fields:
                where = f"'{group}'" if group else "any repeating group"
                message = (
                    f"'{field_name}' is not a field of {where}{did_you_mean(field_name, fields)}"
                )
                self._at(section, call.lineno, message, quoted(section, call.lineno, field_name))

    def _escaping(self, section: Section, ast: nodes.Template) -> None:
        for output in ast.find_all(nodes.Output):
            for child in output.nodes:
                if isinstance(child, nodes.Call) and called_name(child) == "value":
                    message = "value() output is not recorded: use answer() for text the SoW shows"
                    self._at(section, child.lineno, message, "value(", Severity.WARNING)
        parts: list[nodes.Node] = [n for c in ast.find_all(nodes.Concat) for n in c.nodes]
        parts += [f.node for f in ast.find_all(nodes.Filter) if f.node is not None]
        for part in parts:
            name = called_name(part) if isinstance(part, nodes.Call) else None
            if name in MARKDOWN_FUNCTIONS:
                message = (
                    f"{name}() returns Markdown: '~' or a filter turns it into text that is "
                    "escaped again; write the pieces side by side"
                )
                self._at(section, part.lineno, message, f"{name}(", Severity.WARNING)

    def _trial_render(self, section: Section) -> None:
        """The first trial the section fails, if any: one report per section is enough."""
        for trial in self.trials:
            if not trial.applies_to(self.template):
                continue
            try:
                render(self.env, section.source, trial.context, section.id)
            except RenderError as exc:
                message = f"trial render {trial.description} failed: section '{section.id}': "
                self._at(section, exc.line or 1, message + exc.problem)
                return


def quoted(section: Section, lineno: int, text: str) -> str | None:
    """How ``text`` is quoted on that line, so the column points at it."""
    offset = max(lineno, 1) - 1
    line = section.lines[offset] if offset < len(section.lines) else ""
    for quoted in (f'"{text}"', f"'{text}'"):
        if quoted in line:
            return quoted
    return None
