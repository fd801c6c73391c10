"""File questions in the preview: a chosen file is recorded by its name, size and kind (judged
by its content, as the app judges uploads), then forgotten: the preview keeps no files."""

from __future__ import annotations

import io
import secrets
from collections.abc import Mapping

from flask import request
from werkzeug.datastructures import FileStorage

from questionnaire.engine.compiled import Questionnaire
from questionnaire.engine.model import FileQuestion
from questionnaire.engine.types import JSON
from questionnaire.services.filetypes import safe_display_name, sniff

#: What ``sniff`` reads first, as the app's uploads do.
HEAD = 8192


def file_answers(q: Questionnaire, page_id: str, stored: Mapping[str, JSON]) -> dict[str, JSON]:
    """Each file question's answer on the page: the file just chosen, else the one before.
    The engine's parser then checks its kind and size against the question."""
    answers: dict[str, JSON] = {}
    for cq in q.pages[page_id].questions:
        if isinstance(cq.question, FileQuestion):
            incoming = request.files.get(cq.id)
            if incoming is not None and incoming.filename:
                answers[cq.id] = _recorded(incoming)
            else:
                answers[cq.id] = stored.get(cq.id)
    return answers


def _recorded(incoming: FileStorage) -> dict[str, JSON]:
    content = incoming.stream.read()  # at most the preview's MAX_CONTENT_LENGTH
    kind = sniff(content[:HEAD], lambda: io.BytesIO(content))
    return {
        "id": f"preview-{secrets.token_hex(8)}",
        "name": safe_display_name(incoming.filename or ""),
        "size": len(content),
        "kind": kind or "unrecognised",
    }
