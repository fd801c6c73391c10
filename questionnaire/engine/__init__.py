"""The questionnaire engine: definitions, conditions and the flow. Pure Python, no web, no database.

The names re-exported here are what most callers need: loading definitions, the flow and page
submission with their results and errors, and the ``JSON`` alias. They are not the only door:
the CLI, the web forms and ``sow_prefill`` also import from the engine's modules directly, for
the definition models (``model``), answer parsing and display (``answers``), the JSON-Logic
wrapper (``logic``), the YAML reader (``source``) and the authors' tools (``mermaid``,
``pathtests``, ``schema``).
"""

from .compiled import Questionnaire
from .diagnostics import DefinitionError, Diagnostic, Severity
from .flow import evaluate
from .flow_state import Dropped, FlowResult, PageState, ShownNote, ShownQuestion
from .loader import LoadReport, definition_files, load_all, load_file, load_text
from .model import REVIEW, Definition
from .submit import (
    PageNotOnPath,
    PageSubmission,
    RecordNotFound,
    remove_record,
    submit_page,
    submit_record,
)
from .types import JSON

__all__ = [
    "JSON",
    "REVIEW",
    "Definition",
    "DefinitionError",
    "Diagnostic",
    "Dropped",
    "FlowResult",
    "LoadReport",
    "PageNotOnPath",
    "PageState",
    "PageSubmission",
    "Questionnaire",
    "RecordNotFound",
    "Severity",
    "ShownNote",
    "ShownQuestion",
    "definition_files",
    "evaluate",
    "load_all",
    "load_file",
    "load_text",
    "remove_record",
    "submit_page",
    "submit_record",
]
