"""``questionnaire preview DEFINITION``: the definition's pages in a browser, as the author edits.

Imported only when the command runs (``cli.LAZY_COMMANDS``): it needs Flask to serve pages, but
neither the database nor the worker (see :mod:`questionnaire.web.preview`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .cli import facts_of, records_of


@click.command()
@click.argument("definition", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--port", default=5050, show_default=True, help="Port to serve on, at 127.0.0.1.")
@click.option(
    "--facts",
    type=click.File("r", encoding="utf-8"),
    help="The engagement's handover facts (JSON or YAML): questions with prefill start from them.",
)
@click.option(
    "--records",
    type=click.File("r", encoding="utf-8"),
    help="The engagement's records (JSON or YAML) by source, e.g. pdr.virtual_services: a list "
    "of services; groups with records_from are given them.",
)
def preview(definition: Path, port: int, facts: Any, records: Any) -> None:
    """Serve DEFINITION's pages at http://127.0.0.1:PORT/ with the flow's view beside each.

    The file is read again whenever it changes; while it does not load, its problems are shown
    instead of the page. Answers are kept in memory until 'Start again' (or the preview stops).
    """
    from .web.preview import create_preview_app  # Flask, only when the command runs

    app = create_preview_app(definition, facts_of(facts), records_of(records))
    click.echo(f"Previewing {definition} at http://127.0.0.1:{port}/ (Ctrl+C to stop)", err=True)
    app.run(host="127.0.0.1", port=port, debug=False, use_reloader=False)
