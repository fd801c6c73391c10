"""SoW templates: YAML files in ``templates/`` holding Jinja2 Markdown, one section at a time.

``base.yaml`` (``kind: base``) lists the sections of every SoW in order. Each deployment template
(Medical, Storage, WAF, Telephony) says when it applies (a JSON-Logic condition over answers and
computed values), which answers it reads, and adds Markdown to the base sections it names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from questionnaire.engine import DefinitionError, Diagnostic
from questionnaire.engine.logic import CompiledRule, check_rule, compile_rule
from questionnaire.engine.schema_errors import translate_validation_error
from questionnaire.engine.source import Source, parse_yaml, read_source

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")]


class SectionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    title: str | None = Field(None, description="Required in the base template.")
    markdown: str


class TemplateSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    title: str
    kind: Literal["base", "deployment"] = "deployment"
    description: str | None = None
    applies_if: Any = None
    reads: tuple[str, ...] = ()
    sections: tuple[SectionSpec, ...]


@dataclass(frozen=True)
class Template:
    spec: TemplateSpec
    source: Source
    applies_if: CompiledRule | None

    @property
    def id(self) -> str:
        return self.spec.id

    def markdown_line(self, index: int) -> int:
        """The file line where section ``index``'s Markdown starts (a `|` block below its key)."""
        line, _ = self.source.position(("sections", index, "markdown"))
        return line + 1


@dataclass(frozen=True)
class Library:
    """The base template and the deployment templates, in file-name order."""

    base: Template
    deployments: tuple[Template, ...]

    def get(self, template_id: str) -> Template | None:
        return next((t for t in self.deployments if t.id == template_id), None)


def load_template(path: Path) -> Template:
    source = parse_yaml(read_source(path), str(path))
    try:
        spec = TemplateSpec.model_validate(source.value)
    except ValidationError as exc:
        raise DefinitionError(translate_validation_error(exc, source)) from None
    problems = check_rule(spec.applies_if) if spec.applies_if is not None else []
    if problems:
        raise DefinitionError(
            source.diagnostic(("applies_if",), f"invalid rule: {p.message}") for p in problems
        )
    rule = compile_rule(spec.applies_if) if spec.applies_if is not None else None
    return Template(spec, source, rule)


def load_library(folder: Path | str) -> Library:
    """Every template in ``folder``; raises :class:`DefinitionError` with all problems at once."""
    templates: list[Template] = []
    problems: list[Diagnostic] = []
    for path in sorted(Path(folder).glob("*.yaml")):
        try:
            templates.append(load_template(path))
        except DefinitionError as exc:
            problems.extend(exc.diagnostics)
        except OSError as exc:
            problems.append(Diagnostic(str(path), 1, 1, f"cannot read file: {exc}"))
    bases = [t for t in templates if t.spec.kind == "base"]
    if len(bases) != 1 and not problems:
        problems.append(
            Diagnostic(str(folder), 1, 1, f"expected one base template, found {len(bases)}")
        )
    if problems:
        raise DefinitionError(problems)
    return Library(bases[0], tuple(t for t in templates if t.spec.kind == "deployment"))


def section_ids(library: Library) -> Iterable[str]:
    return (section.id for section in library.base.spec.sections)
