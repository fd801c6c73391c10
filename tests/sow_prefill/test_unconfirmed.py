"""The placeholders a revision still holds: what the customer would read if it were sent."""

from __future__ import annotations

from sow_prefill.model import PLACEHOLDER, unconfirmed


def test_each_placeholder_is_found_once_in_document_order() -> None:
    text = "\n".join(
        PLACEHOLDER.format(label=label) for label in ("Change window", "VIP", "Change window")
    )
    assert unconfirmed(f"# SoW\n\n{text}\n\nDone.") == ["Change window", "VIP"]


def test_a_finished_revision_has_none() -> None:
    assert unconfirmed("# SoW\n\nConfirmed on the call: [a link](https://x.example)") == []
