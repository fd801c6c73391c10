"""Every kind of job the worker runs, with its hard limits."""

from __future__ import annotations

from . import exports, mail, reminders, sow, uploads
from .jobs import JobKind

KINDS: dict[str, JobKind] = {
    sow.PREFILL_JOB: JobKind(sow.run_prefill, sow.prefill_gave_up, seconds=30, memory_mb=1024),
    exports.EXPORT_JOB: JobKind(
        exports.run_render, exports.render_gave_up, seconds=120, memory_mb=2048
    ),
    uploads.SWEEP_JOB: JobKind(uploads.run_sweep, uploads.sweep_gave_up, seconds=600),
    # Longer than SMTP's timeouts (30 s an exchange) allow a slow server, with attachments.
    mail.SEND_JOB: JobKind(mail.run_send, mail.send_gave_up, seconds=120, memory_mb=1024),
    reminders.REMIND_JOB: JobKind(
        reminders.run_reminder, reminders.reminder_gave_up, seconds=30, memory_mb=1024
    ),
}

#: Jobs the worker queues itself, once a day each (the day is in the job's dedupe key).
DAILY = (uploads.SWEEP_JOB,)
