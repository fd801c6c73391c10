"""Serving an export that a use case found: the SoW's, the PDR's and the handover document's
downloads alike (each GET changes nothing and renders nothing)."""

from __future__ import annotations

from flask import Response, send_file

from questionnaire.services.exports import Inline, Ready


def served(found: Ready | Inline) -> Response:
    """The download as an attachment: made on request (Markdown) or a stored file."""
    if isinstance(found, Inline):
        response = Response(found.body, mimetype=found.media_type)
        response.headers["Content-Disposition"] = f'attachment; filename="{found.filename}"'
        return response
    return send_file(found.path, mimetype=found.media_type, as_attachment=True,
                     download_name=found.filename, max_age=0)  # fmt: skip
