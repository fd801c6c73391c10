"""Golden drafts: the whole Markdown of a few complete responses, compared with files.

A change to a template, the pre-filler or the recommendations shows here as a diff. When the
change is intended, regenerate the files and review the diff before committing:

    UPDATE_GOLDEN=1 .venv/bin/pytest -q tests/sow_prefill/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .support import MEDICAL, STORAGE_WAF, TELEPHONY, draft_of

GOLDEN = Path(__file__).parent / "golden"
FACTS = {
    "customer": "Northshire Health NHS Trust",
    "project": "PACS resilience",
    "sow_number": "SOW-2026-014",
    "agreement": "Professional Services Agreement v3 (2025)",
}
CASES = {
    "medical": (MEDICAL, FACTS),
    "storage_waf": (STORAGE_WAF, {}),
    "telephony": (TELEPHONY, {"sow_number": "SOW-2026-020"}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_markdown(name: str) -> None:
    case, facts = CASES[name]
    markdown = draft_of(case, facts).markdown()
    path = GOLDEN / f"{name}.md"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(markdown, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 to create it"
    assert markdown == path.read_text(encoding="utf-8"), (
        f"{path.name} differs: if the change is intended, rerun with UPDATE_GOLDEN=1 and review the diff"
    )
