"""Delivery after the SoW: the Project Detail Record's structure. Pure Python, like the engine:
no web, no database, no files or clock.

- ``pdr_spec``: the record's tables and columns, each column checked by an engine question;
- ``pdr``: content as JSON, rows read from forms, locations, edits and validation by path;
- ``pdr_start``: the first revision from the accepted SoW's proposals and the customer's answers;
- ``pdr_diff``: what changed between two revisions; ``pdr_markdown``: the text exports are made of.
"""

from .pdr import Content, Location, Refused, empty, parse_location, parse_row, validate
from .pdr_diff import Change, diff
from .pdr_markdown import to_markdown
from .pdr_spec import BY_KEY, TABLES, Column, Table
from .pdr_start import from_sow

__all__ = [
    "BY_KEY",
    "TABLES",
    "Change",
    "Column",
    "Content",
    "Location",
    "Refused",
    "Table",
    "diff",
    "empty",
    "from_sow",
    "parse_location",
    "parse_row",
    "to_markdown",
    "validate",
]
