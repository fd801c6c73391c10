"""Every kind of job the worker runs, with its hard limits."""

from __future__ import annotations

from . import (
    acceptance_record,
    booking_fetch,
    exports,
    handover_exports,
    mail,
    pdr_exports,
    reminders,
    retention,
    review_links,
    review_state,
    sow,
    support_document,
    uploads,
    webhooks,
)
from .jobs import JobKind

KINDS: dict[str, JobKind] = {
    sow.PREFILL_JOB: JobKind(sow.run_prefill, sow.prefill_gave_up, seconds=30, memory_mb=1024),
    exports.EXPORT_JOB: JobKind(
        exports.run_render, exports.render_gave_up, seconds=120, memory_mb=2048
    ),
    # A PDR's document is made as a SoW's: the same pipeline, the same limits.
    pdr_exports.EXPORT_JOB: JobKind(
        pdr_exports.run_render, pdr_exports.render_gave_up, seconds=120, memory_mb=2048
    ),
    # The customer handover document: the same pipeline, the same limits.
    handover_exports.EXPORT_JOB: JobKind(
        handover_exports.run_render, handover_exports.render_gave_up, seconds=120, memory_mb=2048
    ),
    uploads.SWEEP_JOB: JobKind(uploads.run_sweep, uploads.sweep_gave_up, seconds=600),
    # Longer than SMTP's timeouts (30 s an exchange) allow a slow server, with attachments.
    mail.SEND_JOB: JobKind(mail.run_send, mail.send_gave_up, seconds=120, memory_mb=1024),
    # Quick: it only looks at the PDF export and queues an email.
    review_state.SEND_JOB: JobKind(review_links.run_send, review_links.send_gave_up, seconds=30),
    # Renders a one-page PDF with the exports' pipeline (WeasyPrint): as an export.
    acceptance_record.RECORD_JOB: JobKind(
        acceptance_record.run_record,
        acceptance_record.record_gave_up,
        seconds=120,
        memory_mb=2048,
    ),
    reminders.REMIND_JOB: JobKind(
        reminders.run_reminder, reminders.reminder_gave_up, seconds=30, memory_mb=1024
    ),
    # A fetch waits at most a few timeouts (10 s each); a feed of 10 MB needs memory to parse.
    booking_fetch.FETCH_JOB: JobKind(
        booking_fetch.run_fetch, booking_fetch.fetch_gave_up, seconds=90, memory_mb=2048
    ),
    booking_fetch.SWEEP_JOB: JobKind(booking_fetch.run_sweep, booking_fetch.sweep_gave_up),
    # Deletes files and rows, an engagement a transaction: a year's completions fit in minutes.
    retention.PURGE_JOB: JobKind(retention.run_purge, retention.purge_gave_up, seconds=600),
    # Renders two documents (PDF, DOCX) with the exports' pipeline, then queues an email.
    support_document.DOCUMENT_JOB: JobKind(
        support_document.run_render, support_document.render_gave_up, seconds=240, memory_mb=2048
    ),
    # One POST, at most its timeout (COMPLETION_WEBHOOK_TIMEOUT_SECONDS, 10 by default).
    webhooks.DELIVER_JOB: JobKind(webhooks.run_deliver, webhooks.deliver_gave_up, seconds=60),
}

#: Jobs the worker queues itself, once a day each (the day is in the job's dedupe key).
DAILY = (uploads.SWEEP_JOB, booking_fetch.SWEEP_JOB, retention.PURGE_JOB)
