"""A page posted with more than ``MAX_CONTENT_LENGTH`` (a file too large for any question):
its typed answers are kept, as when a file is over its own question's limit.

Such a request is still read (up to :data:`READ_UP_TO` times the limit) but its files are not
kept: each is counted and dropped as it streams in, so it takes neither memory nor disk. The
page then saves its other answers as usual and comes back (413) with what was typed and an
error on each file question that was given a file. A larger request is refused unread.
"""

from __future__ import annotations

import io
from typing import IO, Any

from flask import current_app, g, request
from werkzeug.formparser import FormDataParser

from questionnaire.engine import ShownQuestion
from questionnaire.engine.model import FileQuestion
from questionnaire.web.jinja import filesize

#: How far past ``MAX_CONTENT_LENGTH`` a page is read to keep its typed answers.
READ_UP_TO = 4
MEGABYTE = 1024 * 1024


class _Sink(io.BytesIO):
    """Where a dropped file streams to: nothing is kept (it reads as empty)."""

    def write(self, data: Any, /) -> int:
        return len(data)


def _drop_file(
    total_content_length: int | None,
    content_type: str | None,
    filename: str | None,
    content_length: int | None = None,
) -> IO[bytes]:
    return _Sink()


class _FilesDropped(FormDataParser):
    """Werkzeug's form parser with every file streamed to :class:`_Sink`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["stream_factory"] = _drop_file
        super().__init__(*args, **kwargs)


def read_without_files(limit: int | None = None) -> None:
    """Before anything reads the form of a page's POST: if the body is over ``limit`` (the
    app's, unless a form has its own) but not far over, read it with its files dropped
    (``g.files_dropped``)."""
    limit = limit if limit is not None else current_app.config.get("MAX_CONTENT_LENGTH")
    size = request.content_length
    if limit is None or size is None or not limit < size <= limit * READ_UP_TO:
        return
    if request.mimetype != "multipart/form-data":
        return
    request.max_content_length = limit * READ_UP_TO
    request.form_data_parser_class = _FilesDropped
    g.files_dropped = True


def files_dropped() -> bool:
    return bool(g.get("files_dropped"))


def dropped_file_errors(shown: tuple[ShownQuestion, ...]) -> dict[str, str]:
    """An error for each file question shown that was given a file (which was dropped)."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    given = {key for key, file in request.files.items() if file.filename}
    return {
        q.id: f"The selected file must be smaller than {_limit(q.question, limit)}"
        for q in shown
        if q.id in given and isinstance(q.question, FileQuestion)
    }


def _limit(question: FileQuestion, request_limit: int) -> str:
    """The smaller of the question's own limit and the request's, as people read sizes."""
    own = int(question.max_size_mb * MEGABYTE)
    if own <= request_limit:
        return f"{question.max_size_mb:g} MB"
    return (
        f"{request_limit / MEGABYTE:g} MB" if request_limit >= MEGABYTE else filesize(request_limit)
    )
