"""What every use case may need besides its session and inputs, built once per process."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .definitions import DefinitionRegistry
from .flows import FlowCache
from .settings import DEFAULTS, Settings
from .templates import TemplateShelf


@dataclass(frozen=True)
class Context:
    settings: Settings
    definitions: DefinitionRegistry
    templates: TemplateShelf
    flows: FlowCache

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Context:
        config = {**DEFAULTS, **config}
        return cls(
            settings=Settings.from_config(config),
            definitions=DefinitionRegistry(Path(config["DEFINITIONS_DIR"])),
            templates=TemplateShelf.load(Path(config["TEMPLATES_DIR"])),
            flows=FlowCache(),
        )
