"""Who may use each engineers' endpoint: the one table the server enforces.

The engineers' blueprint asks :func:`allows` before every view, after the login check. An
endpoint the table does not name is refused for everyone (deny by default), so a route added
without an entry is closed until someone decides who may use it; a test fails when an ``/e``
route has no entry. Endpoint names are Flask's, as strings, so this module needs no Flask.
"""

from __future__ import annotations

from collections.abc import Iterable

from questionnaire.store.models import Role

SALES, LEAD, ENGINEER, ADMIN = Role.SALES, Role.LEAD, Role.ENGINEER, Role.ADMIN
EVERYONE = frozenset(Role)
DELIVERY = frozenset({LEAD, ENGINEER})  # the people who work an engagement
PLURALS = {SALES: "sales", LEAD: "leads", ENGINEER: "engineers", ADMIN: "administrators"}

#: Endpoint → the roles that may use it. A name ending in ``*`` covers every endpoint that
#: starts with what comes before it (used only for the handover's pages, named by its module).
ALLOWED: dict[str, frozenset[Role]] = {
    # The list is every role's landing page after sign-in: names and stages, no answers.
    "engineer.engagements": EVERYONE,
    "engineer.new_engagement": DELIVERY,
    "engineer.engagement": DELIVERY,
    "engineer.save_facts": DELIVERY,
    "engineer.issue_link": DELIVERY,
    "engineer.revoke_link": DELIVERY,
    "engineer.send_questionnaire": DELIVERY,
    "engineer.questionnaire_sent": DELIVERY,
    "engineer.questionnaire_reminders": DELIVERY,
    "engineer.validation_answers": DELIVERY,
    "engineer.download": DELIVERY,
    # An engagement's files: whoever may see the engagement may see, add, delete and hold them.
    "engineer.files_page": DELIVERY,
    "engineer.attach_file": DELIVERY,
    "engineer.file_download": DELIVERY,
    "engineer.remove_file": DELIVERY,
    "engineer.hold_files": DELIVERY,
    "engineer.release_files": DELIVERY,
    "engineer.sow_page": DELIVERY,
    "engineer.sow_save": DELIVERY,
    "engineer.sow_diff": DELIVERY,
    "engineer.sow_generate": DELIVERY,
    "engineer.sow_request": DELIVERY,
    "engineer.sow_revision": DELIVERY,
    "engineer.sow_export": DELIVERY,
    "engineer.sow_prepare_export": DELIVERY,
    "engineer.sow_sent": DELIVERY,
    "engineer.sow_send": DELIVERY,
    "engineer.sow_acceptance_record": DELIVERY,
    # The Customer PS Acceptance Document: made, sent and followed as the SoW is.
    "engineer.ps_acceptance_page": DELIVERY,
    "engineer.ps_acceptance_generate": DELIVERY,
    "engineer.ps_acceptance_save": DELIVERY,
    "engineer.ps_acceptance_send": DELIVERY,
    "engineer.ps_acceptance_export": DELIVERY,
    "engineer.ps_acceptance_prepare_export": DELIVERY,
    "engineer.ps_acceptance_record": DELIVERY,
    # Booking links, and each engineer's own availability and calendar feeds.
    "engineer.send_booking": DELIVERY,
    "engineer.revoke_booking": DELIVERY,
    "engineer.availability": DELIVERY,
    "engineer.issue_private_feed": DELIVERY,
    "engineer.revoke_private_feed": DELIVERY,
    # Delivery: the Project Detail Record and implementation sessions.
    "engineer.pdr_page": DELIVERY,
    "engineer.pdr_create": DELIVERY,
    "engineer.pdr_row": DELIVERY,
    "engineer.pdr_row_save": DELIVERY,
    "engineer.pdr_row_remove": DELIVERY,
    "engineer.pdr_revision": DELIVERY,
    "engineer.pdr_diff": DELIVERY,
    "engineer.pdr_export": DELIVERY,
    "engineer.pdr_prepare_export": DELIVERY,
    "engineer.implementation_sessions": DELIVERY,
    "engineer.record_session": DELIVERY,
    # Functional tests and the customer handover document.
    "engineer.functional_tests_page": DELIVERY,
    "engineer.record_test": DELIVERY,
    "engineer.functional_test": DELIVERY,
    "engineer.change_test": DELIVERY,
    "engineer.remove_test": DELIVERY,
    "engineer.issue_handover_document": DELIVERY,
    "engineer.customer_handover_export": DELIVERY,
    # Close-out: the engineer's notes for support; the support handover document and the
    # completed engagement's record go to sales too (the completion summary links them).
    "engineer.support_notes_page": DELIVERY,
    "engineer.save_support_notes": DELIVERY,
    "engineer.support_handover": frozenset({SALES, LEAD, ENGINEER}),
    "engineer.completion_download": frozenset({SALES, LEAD, ENGINEER}),
    # The completion webhook's deliveries: its address is configuration, for whoever runs it.
    "engineer.webhook_deliveries": frozenset({ADMIN}),
    # Emails carry customers' details: for the people who send them.
    "engineer.outbox": DELIVERY,
    "engineer.outbox_email": DELIVERY,
    "engineer.outbox_eml": DELIVERY,
    "engineer.outbox_send_again": DELIVERY,
    # Sales hand engagements over; the lead receives them.
    "engineer.handover*": frozenset({SALES, LEAD}),
    # The board: sales may look; leads assign, engineers and leads move cards.
    "engineer.board": frozenset({SALES, LEAD, ENGINEER}),
    "engineer.assign": frozenset({LEAD}),
    "engineer.move": DELIVERY,
    # Accounts and their roles.
    "engineer.admin_accounts": frozenset({ADMIN}),
    "engineer.admin_set_roles": frozenset({ADMIN}),
    "engineer.admin_deactivate": frozenset({ADMIN}),
    "engineer.admin_reactivate": frozenset({ADMIN}),
    # Outside the engineers' blueprint (its own view checks the login), listed for the record.
    "auth.logout": EVERYONE,
}


def roles_for(endpoint: str) -> frozenset[Role]:
    """The roles that may use ``endpoint``: its entry, else the longest ``*`` entry that
    covers it, else none."""
    if endpoint in ALLOWED:
        return ALLOWED[endpoint]
    covering = [name for name in ALLOWED if name.endswith("*") and endpoint.startswith(name[:-1])]
    return ALLOWED[max(covering, key=len)] if covering else frozenset()


def allows(endpoint: str | None, roles: Iterable[Role]) -> bool:
    """Whether an account holding ``roles`` may use ``endpoint``."""
    return endpoint is not None and not roles_for(endpoint).isdisjoint(roles)


def describe(roles: Iterable[Role]) -> str:
    """``leads and engineers``: who may use a page, for the refusal to say."""
    held = set(roles)
    names = [PLURALS[role] for role in Role if role in held]
    if not names:
        return "nobody yet"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
