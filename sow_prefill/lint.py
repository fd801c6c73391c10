"""Linting SoW templates against a questionnaire: every mistake as ``file:line:col``, all at once.

Checks, per template file:

* YAML and schema errors (as :func:`~sow_prefill.templates.load_template` reports them), exactly
  one base template, template ids unique;
* Jinja syntax errors (unknown filters and tests included) and names a template uses that it
  never sees (a misspelt function: ``anwser("x")``);
* ``answer/value/records/fact("x")`` naming an id that is neither a question nor a computed value
  (nor, for ``fact`` and ``value``, an engagement fact: :data:`~sow_prefill.prefill.FACTS`);
  ``records("x")`` on a question that is not a repeating group; ``item(record, "field")`` and
  ``record.data.get("field")`` naming a field the group does not have; ``proposal("topic")`` naming
  a topic :mod:`~sow_prefill.recommend` never proposes;
* deployment templates: ids read (in ``applies_if`` or the Markdown) but not declared in ``reads``;
  ``reads`` entries that are unknown (errors) or unused (warnings); sections the base does not have;
  a missing ``applies_if`` (warning);
* unknown ids in ``applies_if``;
* warnings for output that bypasses the record (``{{ value("x") }}``) or is escaped twice
  (``answer("x") ~ "..."``, ``answer("x") | upper``);
* a trial render of every section with no answers, which catches the rest (``StrictUndefined``,
  limits, a function called with the wrong arguments), then one with the answers of each of the
  questionnaire's path tests (see :mod:`.lint_trials`), which catches limits that only real
  answers reach (a loop per service).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import TemplateSyntaxError, meta, nodes

from questionnaire.engine import DefinitionError, Diagnostic, Questionnaire, Severity
from questionnaire.engine.diagnostics import did_you_mean
from questionnaire.engine.logic import pointer_path, variables_read
from questionnaire.engine.model import RepeatQuestion

from .jinja_ast import called_name, constant_argument, data_owner, name_of, record_groups
from .lint_nested import nested_fields, nested_records_problems
from .lint_trials import AnswerSet, Trial, trials
from .prefill import FACTS
from .recommend import TOPICS, known_topic
from .sandbox import BoundedEnvironment, RenderError, make_environment, render
from .templates import SectionSpec, Template, TemplateSpec, load_template

#: Functions whose first argument is a question, computed value or fact id.
ID_FUNCTIONS = frozenset({"answer", "value", "records", "fact"})
#: Functions that return Markdown: turning their result into plain text escapes it again.
MARKDOWN_FUNCTIONS = frozenset({"answer", "fact", "item", "placeholder", "proposal"})


def lint_templates(
    folder: Path | str,
    questionnaire: Questionnaire,
    answer_sets: Sequence[AnswerSet] | None = None,
) -> list[Diagnostic]:
    """Every problem in the templates of ``folder``, read against ``questionnaire``.

    Sections are trial-rendered with no answers, then with each of ``answer_sets`` (name,
    answers); by default those are the questionnaire's path tests.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return [Diagnostic(str(folder), 1, 1, "templates folder not found")]
    templates, problems = _load(folder)
    bases = [t for t in templates if t.spec.kind == "base"]
    if not bases and not problems:
        problems.append(
            Diagnostic(str(folder), 1, 1, "no base template ('kind: base') in this folder")
        )
    for extra in bases[1:]:
        message = f"a second base template (the first is {bases[0].source.name})"
        problems.append(extra.source.diagnostic(("kind",), message))
    problems.extend(_duplicate_ids(templates))
    ids = _Ids.of(questionnaire)
    base_sections = [s.id for s in bases[0].spec.sections] if bases else None
    env = make_environment()
    runs = trials(questionnaire, answer_sets)
    for template in templates:
        problems.extend(_TemplateLint(template, ids, env, runs, base_sections).run())
    return sorted(set(problems))


def _load(folder: Path) -> tuple[list[Template], list[Diagnostic]]:
    templates: list[Template] = []
    problems: list[Diagnostic] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            templates.append(load_template(path))
        except DefinitionError as exc:
            problems.extend(_template_keys_hint(d) for d in exc.diagnostics)
        except OSError as exc:
            problems.append(Diagnostic(str(path), 1, 1, f"cannot read file: {exc}"))
    return templates, problems


_UNKNOWN_KEY = re.compile(r"unknown key '([^']*)'(?: \(did you mean '[^']*'\?\))?")
TEMPLATE_KEYS = frozenset(TemplateSpec.model_fields) | frozenset(SectionSpec.model_fields)


def _template_keys_hint(diagnostic: Diagnostic) -> Diagnostic:
    """The loader suggests keys of the definition format; suggest the template format's."""
    found = _UNKNOWN_KEY.search(diagnostic.message)
    if found is None:
        return diagnostic
    key = found.group(1)
    message = _UNKNOWN_KEY.sub(
        f"unknown key '{key}'{did_you_mean(key, TEMPLATE_KEYS)}", diagnostic.message
    )
    return dataclasses.replace(diagnostic, message=message)


def _duplicate_ids(templates: list[Template]) -> Iterator[Diagnostic]:
    seen: dict[str, Template] = {}
    for template in templates:
        first = seen.setdefault(template.id, template)
        if first is not template:
            yield template.source.diagnostic(
                ("id",), f"template id '{template.id}' is already used by {first.source.name}"
            )


@dataclass(frozen=True)
class _Ids:
    """The ids a template may name, from one questionnaire."""

    questions: frozenset[str]
    computed: frozenset[str]
    groups: Mapping[str, frozenset[str]]  # repeating group -> its fields
    nested: Mapping[str, frozenset[str]]  # ``services.real_servers`` -> its fields

    @classmethod
    def of(cls, questionnaire: Questionnaire) -> _Ids:
        groups = {
            key: frozenset(q.id for q in model.questions)
            for key, model in questionnaire.models.items()
            if isinstance(model, RepeatQuestion)
        }
        return cls(
            frozenset(questionnaire.questions),
            frozenset(c.id for c in questionnaire.computed),
            groups,
            nested_fields(questionnaire),
        )

    @property
    def data(self) -> frozenset[str]:
        return self.questions | self.computed

    @property
    def all_fields(self) -> frozenset[str]:
        return frozenset().union(*self.groups.values()) if self.groups else frozenset()


@dataclass
class _Section:
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
class _TemplateLint:
    template: Template
    ids: _Ids
    env: BoundedEnvironment
    trials: Sequence[Trial]  # the first has no answers
    base_sections: list[str] | None
    problems: list[Diagnostic] = field(default_factory=list)
    #: Ids the Markdown reads (first place of each), for the ``reads`` checks.
    used: dict[str, tuple[int, int]] = field(default_factory=dict)
    unparsed: bool = False

    @property
    def deployment(self) -> bool:
        return self.template.spec.kind == "deployment"

    def run(self) -> list[Diagnostic]:
        self._applies_if()
        self._section_ids()
        file_lines = _file_lines(self.template.source.name)
        for index, spec in enumerate(self.template.spec.sections):
            first = self.template.markdown_line(index)
            lines = spec.markdown.splitlines() or [""]
            if file_lines and first - 1 < len(file_lines):
                lines = file_lines[first - 1 : first - 1 + len(lines)]
            section = _Section(index, spec.id, spec.markdown, first, lines)
            before = len(self.problems)
            ast = self._parse(section)
            if ast is None:
                self.unparsed = True  # what it reads is unknown: no "never read" warnings
                continue
            self._names(section, ast)
            self._calls(section, ast)
            for lineno, message, needle in nested_records_problems(ast, self.ids.nested):
                self._at(section, lineno, message, _quoted(section, lineno, needle))
            self._items(section, ast)
            self._escaping(section, ast)
            if not any(p.severity is Severity.ERROR for p in self.problems[before:]):
                self._trial_render(section)
        self._reads()
        return self.problems

    # Reporting -------------------------------------------------------------------------------

    def _at(
        self,
        section: _Section,
        lineno: int,
        message: str,
        needle: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        line, column = section.at(lineno, needle)
        self.problems.append(Diagnostic(self.template.source.name, line, column, message, severity))

    def _at_key(
        self, path: tuple[str | int, ...], message: str, severity: Severity = Severity.ERROR
    ) -> None:
        self.problems.append(self.template.source.diagnostic(path, message, severity=severity))

    # The YAML around the Markdown ------------------------------------------------------------

    def _applies_if(self) -> None:
        rule = self.template.spec.applies_if
        if rule is None:
            if self.deployment:
                self._at_key(
                    ("id",),
                    "no 'applies_if': this template is added to every SoW",
                    Severity.WARNING,
                )
            return
        if not self.deployment:
            self._at_key(
                ("applies_if",), "'applies_if' is ignored in the base template", Severity.WARNING
            )
        for name, pointer in variables_read(rule):
            head = name.partition(".")[0]
            path = ("applies_if", *pointer_path(pointer))
            if head not in self.ids.data:
                message = f"applies_if reads unknown id '{head}'{did_you_mean(head, self.ids.data)}"
                self._at_key(path, message)
            elif self.deployment and head not in self.template.spec.reads:
                self._at_key(path, f"applies_if reads '{head}', which is not declared in 'reads'")

    def _section_ids(self) -> None:
        seen: set[str] = set()
        for index, spec in enumerate(self.template.spec.sections):
            path: tuple[str | int, ...] = ("sections", index, "id")
            if spec.id in seen:
                self._at_key(path, f"section '{spec.id}' appears twice in this template")
            seen.add(spec.id)
            if not self.deployment:
                if not spec.title:
                    self._at_key(
                        ("sections", index),
                        f"section '{spec.id}' needs a title in the base template",
                    )
                continue
            if spec.title:
                message = "a deployment template's section title is not used"
                self._at_key(("sections", index, "title"), message, Severity.WARNING)
            if self.base_sections is not None and spec.id not in self.base_sections:
                hint = did_you_mean(spec.id, self.base_sections)
                self._at_key(
                    path, f"section '{spec.id}' is not a section of the base template{hint}"
                )

    def _reads(self) -> None:
        reads = self.template.spec.reads
        if not self.deployment and not reads:
            return
        for index, name in enumerate(reads):
            if name not in self.ids.data:
                hint = did_you_mean(name, self.ids.data)
                self._at_key(("reads", index), f"'reads' names unknown id '{name}'{hint}")
            elif not (self.unparsed or name in self.used or name in _applies_if_ids(self.template)):
                self._at_key(
                    ("reads", index),
                    f"'{name}' is declared in 'reads' but never read",
                    Severity.WARNING,
                )
        if not self.deployment:
            return
        for name, (line, column) in self.used.items():
            if name not in reads:
                message = f"'{name}' is read but not declared in 'reads'"
                self.problems.append(Diagnostic(self.template.source.name, line, column, message))

    # The Markdown ----------------------------------------------------------------------------

    def _parse(self, section: _Section) -> nodes.Template | None:
        try:
            self.env.compile(section.source)  # unknown filters and tests are found here
            return self.env.parse(section.source)
        except TemplateSyntaxError as exc:
            self._at(section, exc.lineno, f"Jinja syntax: {exc.message}")
            return None

    def _names(self, section: _Section, ast: nodes.Template) -> None:
        known = set(self.trials[0].context) | set(self.env.globals)
        for name in sorted(meta.find_undeclared_variables(ast) - known):
            lineno = next((n.lineno for n in ast.find_all(nodes.Name) if n.name == name), 1)
            self._at(section, lineno, f"unknown name '{name}'{did_you_mean(name, known)}", name)

    def _calls(self, section: _Section, ast: nodes.Template) -> None:
        for call in ast.find_all(nodes.Call):
            function = called_name(call)
            argument = constant_argument(call, 0)
            if function is None or argument is None:
                continue
            needle = _quoted(section, call.lineno, argument)
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

    def _items(self, section: _Section, ast: nodes.Template) -> None:
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
                self._at(section, call.lineno, message, _quoted(section, call.lineno, field_name))

    def _escaping(self, section: _Section, ast: nodes.Template) -> None:
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

    def _trial_render(self, section: _Section) -> None:
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


# Helpers ---------------------------------------------------------------------------------------


def _file_lines(name: str) -> list[str]:
    try:
        return Path(name).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _applies_if_ids(template: Template) -> set[str]:
    rule = template.spec.applies_if
    return (
        {name.partition(".")[0] for name, _ in variables_read(rule)} if rule is not None else set()
    )


def _quoted(section: _Section, lineno: int, text: str) -> str | None:
    """How ``text`` is quoted on that line, so the column points at it."""
    offset = max(lineno, 1) - 1
    line = section.lines[offset] if offset < len(section.lines) else ""
    for quoted in (f'"{text}"', f"'{text}'"):
        if quoted in line:
            return quoted
    return None
