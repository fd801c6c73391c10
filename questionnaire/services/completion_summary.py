"""The completion summary email: to sales and finance once the engagement is complete.

Queued by the support handover document's job once the document is made (or could not be), so
the PDF can go with it: days used against days sold, the document attached, and links (built
from ``BASE_URL``) to the document and the completed engagement's record. Sales is the person
who handed the engagement over (its ``created_by``); finance is ``FINANCE_EMAIL``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from questionnaire.store.closeout import SupportHandoverExport
from questionnaire.store.models import OutgoingEmail

from . import mail
from .closeout_facts import Facts, facts_of
from .context import Context

TEMPLATE = "completion_summary"
SYSTEM = "system"


def queue(
    db: Session, context: Context, engagement_id: int, pdf: SupportHandoverExport | None
) -> None:
    """Queue the summary once (a second call changes nothing); in the caller's transaction."""
    sent = select(OutgoingEmail.id).where(
        OutgoingEmail.engagement_id == engagement_id, OutgoingEmail.template == TEMPLATE
    )
    if db.scalar(sent) is not None:
        return
    facts = facts_of(db, engagement_id)
    attachments = []
    if pdf is not None and pdf.stored_name:
        name = f"Support-handover-{engagement_id}.pdf"
        attachments.append(mail.Attachment("exports", pdf.stored_name, name, "application/pdf"))
    mail.queue(
        db, context, template=TEMPLATE, to=_recipients(context, facts), values=_values(facts, pdf),
        actor=SYSTEM, engagement_id=engagement_id, attachments=attachments,
    )  # fmt: skip


def _recipients(context: Context, facts: Facts) -> list[mail.Recipient]:
    sales = facts.sales
    seller: list[mail.Recipient] = [(sales.name, sales.email)] if sales else []
    if not seller and "@" in facts.engagement.created_by:
        seller = [facts.engagement.created_by]  # a handover made from the command line
    return [*seller, context.settings.closeout.finance_email]


def days_against(used: float, sold: float | None) -> str:
    """``2 days under``, ``1.5 days over``, ``as sold``: how the days used compare."""
    if sold is None:
        return "no PS days were recorded as sold"
    difference = used - sold
    if difference == 0:
        return "as sold"
    days = f"{abs(difference):g} day{'' if abs(difference) == 1 else 's'}"
    return f"{days} {'over' if difference > 0 else 'under'}"


def _values(facts: Facts, pdf: SupportHandoverExport | None) -> dict[str, object]:
    engagement = facts.engagement
    completed = facts.completed_at
    document = (
        "The support handover document is attached."
        if pdf is not None
        else "The support handover document could not be made, so it is not attached."
    )
    return {
        "organisation": engagement.customer, "project": engagement.project,
        "engagement_id": engagement.id, "engineer_name": facts.engineer,
        "days_used": f"{facts.days_used:g}",
        "days_sold": None if facts.days_sold is None else f"{facts.days_sold:g}",
        "days_against": days_against(facts.days_used, facts.days_sold),
        "completed_on": completed.strftime("%-d %B %Y") if completed else "today",
        "accepted_by": facts.completion.accepted_by if facts.completion else "the customer",
        "document": document,
    }  # fmt: skip
