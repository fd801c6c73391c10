"""The pipeline board: the seed's stages as columns, filters, and the moves between them.

Moves are POST forms that name the stage the card was in when the page was drawn, so a card
someone else moved meanwhile is refused (409) instead of moved twice.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from questionnaire.services import board
from questionnaire.store import db
from questionnaire.store.models import PipelineStage
from questionnaire.web import inputs
from questionnaire.web.context import services
from questionnaire.web.forms import ActionForm

from .blueprint import actor, bp, checked_form


def _filter(value: str | None) -> board.BoardFilter:
    """``?engineer=mine`` or ``?engineer=<id>``; anything else shows everyone's cards."""
    if value == "mine":
        return board.BoardFilter(engineer_id=int(current_user.user.id), mine=True)
    return board.BoardFilter(engineer_id=inputs.row_id(value))


def _page(chosen: board.BoardFilter, problem: str = "") -> str:
    return render_template(
        "engineer/board.html", form=ActionForm(),
        board=board.board(db.session(), chosen, viewer_id=int(current_user.user.id),
                          settings=services().settings.booking),
        problem=problem, view=request.values.get("view", ""),
        moves={stage.value: board.allowed_moves(stage) for stage in board.ORDER},
        backward=board.is_backward, labels=board.LABELS, stage_type=PipelineStage,
    )  # fmt: skip


@bp.get("/board", endpoint="board")
def board_page() -> Any:
    return _page(_filter(request.args.get("engineer")))


def _stage(name: str) -> PipelineStage:
    try:
        return PipelineStage(request.form.get(name, ""))
    except ValueError:
        raise board.MoveRefused("Reload the board and try again") from None


def _after(done: Any) -> Any:
    """Run a move; back to the board as it was filtered, or the board with why not."""
    view = request.form.get("view", "")
    try:
        done()
    except board.MoveRefused as refused:
        return _page(_filter(view), str(refused)), 400
    except board.Stale as stale:
        return _page(_filter(view), str(stale)), 409
    return redirect(url_for(".board", engineer=view or None), 303)


@bp.post("/board/<int:engagement_id>/assign", endpoint="assign")
def assign(engagement_id: int) -> Any:
    checked_form()
    engineer_id = inputs.row_id(request.form.get("engineer")) or 0
    return _after(lambda: board.assign(
        db.session(), services(), engagement_id, engineer_id, _stage("from"), actor()
    ))  # fmt: skip


@bp.post("/board/<int:engagement_id>/move", endpoint="move")
def move(engagement_id: int) -> Any:
    checked_form()
    reason = inputs.text(request.form.get("reason"), "reason", "The reason")[:500]
    return _after(lambda: board.move(
        db.session(), engagement_id, _stage("from"), _stage("to"), actor(), reason
    ))  # fmt: skip
