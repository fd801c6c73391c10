"""The questionnaire engine: definitions, conditions and the flow. Pure Python, no web, no database.

This module is the engine's public face; other packages import from here only.
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

__all__ = [
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
