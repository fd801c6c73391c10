"""The background worker: runs queued jobs (SoW pre-fills, exports) outside any request.

Each job runs in a forked child process with hard limits on CPU time, wall time and memory, so
a template that loops for ever or a document that eats memory ends as a failed job with a
message, never as a stuck or killed worker. ``isolate=False`` runs jobs in this process (for
tests that need no limits, and for debugging).

Run it with ``questionnaire worker``; ``questionnaire demo`` starts one beside the web server.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from questionnaire.services import jobs
from questionnaire.services.context import Context
from questionnaire.services.job_kinds import DAILY, KINDS
from questionnaire.store.db import Database
from questionnaire.store.models import utcnow

log = logging.getLogger(__name__)

#: How long a claim lasts beyond a kind's time limit before another worker may take the job.
LEASE_MARGIN = timedelta(seconds=30)
#: How often a running worker checks whether today's daily jobs are queued.
DAILY_CHECK_SECONDS = 600
EXIT_FAILED = 3


@dataclass(frozen=True)
class Outcome:
    job_id: int
    kind: str
    ok: bool
    error: str | None = None


class Worker:
    def __init__(self, context: Context, database: Database, *, isolate: bool = True) -> None:
        self.context = context
        self.database = database
        self.isolate = isolate

    # -- the loop --------------------------------------------------------------------------------

    def run_once(self) -> Outcome | None:
        """Claim and run one due job; ``None`` when nothing is due."""
        with self.database.writer() as db:
            longest = max(kind.seconds for kind in KINDS.values())
            claimed = jobs.claim(
                db,
                timedelta(seconds=longest) + LEASE_MARGIN,
                skip_locked=self.database.is_postgresql,
            )
        if claimed is None:
            return None
        kind = KINDS.get(claimed.kind)
        if kind is None:
            return self._failed(claimed, f"unknown job kind {claimed.kind!r}", permanent=True)
        if self.isolate:
            return self._run_in_child(claimed, kind)
        return self._run_here(claimed, kind)

    def run_pending(self, limit: int = 1000) -> list[Outcome]:
        """Run due jobs until none is left (or ``limit`` ran): what tests and the CLI use."""
        outcomes: list[Outcome] = []
        while len(outcomes) < limit and (outcome := self.run_once()) is not None:
            outcomes.append(outcome)
        return outcomes

    def queue_daily(self) -> None:
        """Queue today's daily jobs; any worker may, and the day's key keeps them single."""
        today = utcnow().date().isoformat()
        with self.database.writer() as db:
            for kind in DAILY:
                jobs.enqueue(db, kind, {}, dedupe_key=f"{kind}:{today}", max_attempts=1)
            db.commit()

    def run_forever(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        log.info("worker started (pid %s)", os.getpid())
        next_daily = 0.0
        while not stop.is_set():
            try:
                if time.monotonic() >= next_daily:
                    self.queue_daily()
                    next_daily = time.monotonic() + DAILY_CHECK_SECONDS
                outcome = self.run_once()
            except Exception:  # the database went away: wait and try again
                log.exception("worker loop failed; retrying")
                outcome = None
            if outcome is None:
                stop.wait(poll_seconds)
        log.info("worker stopped")

    # -- running one job ---------------------------------------------------------------------------

    def _run_here(self, claimed: jobs.Claimed, kind: jobs.JobKind) -> Outcome:
        error = _run_and_finish(self.context, self.database, claimed, kind)
        if error is None:
            return Outcome(claimed.id, claimed.kind, True)
        message, permanent = error
        return self._failed(claimed, message, permanent=permanent)

    def _run_in_child(self, claimed: jobs.Claimed, kind: jobs.JobKind) -> Outcome:
        receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
        process = multiprocessing.get_context("fork").Process(
            target=_child, args=(self.context, self.database.url, claimed, kind, sender)
        )
        process.start()
        sender.close()
        process.join(kind.seconds + 5)
        if process.is_alive():
            process.kill()
            process.join()
            return self._failed(
                claimed, f"it took longer than {kind.seconds:g} seconds", permanent=True
            )
        report = _report(receiver)
        if process.exitcode == 0:
            return Outcome(claimed.id, claimed.kind, True)
        if report is None:  # killed by a limit, or crashed before it could say why
            why = _exit_reason(process.exitcode, kind)
            return self._failed(claimed, why, permanent=True)
        message, permanent = report
        return self._failed(claimed, message, permanent=permanent)

    def _failed(self, claimed: jobs.Claimed, message: str, *, permanent: bool) -> Outcome:
        log.warning("job %s (%s) failed: %s", claimed.id, claimed.kind, message)
        with self.database.writer() as db:
            gave_up = jobs.fail(db, claimed.id, message, permanent=permanent)
            kind = KINDS.get(claimed.kind)
            if gave_up and kind is not None:
                kind.gave_up(self.context, db, claimed.payload, message)
            db.commit()
        return Outcome(claimed.id, claimed.kind, False, message)


def _run_and_finish(
    context: Context, database: Database, claimed: jobs.Claimed, kind: jobs.JobKind
) -> tuple[str, bool] | None:
    """Run the job and mark it done in one transaction; the error and its permanence if not."""
    with database.writer() as db:
        try:
            kind.run(context, db, claimed.payload)
            jobs.finish(db, claimed.id)
            db.commit()
        except jobs.PermanentFailure as exc:
            db.rollback()
            return str(exc), True
        except MemoryError:
            db.rollback()
            return "it needed more memory than a job may use", True
        except Exception as exc:
            db.rollback()
            log.error("job %s failed:\n%s", claimed.id, traceback.format_exc())
            return f"{type(exc).__name__}: {exc}", False
    return None


def _child(
    context: Context, url: str, claimed: jobs.Claimed, kind: jobs.JobKind, sender: Any
) -> None:
    """In the forked child: limits first, then a database of its own, then the job."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    cpu = int(kind.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    # The child starts with the worker's address space: the cap is on what the job adds to it,
    # so that a worker that has grown (or a test run's process) does not starve every job.
    memory = _address_space() + kind.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    database = Database(url)
    error = _run_and_finish(context, database, claimed, kind)
    database.dispose()
    if error is not None:
        sender.send(error)
    sender.close()
    os._exit(0 if error is None else EXIT_FAILED)


def _address_space() -> int:
    """The bytes of address space this process holds (Linux), or 0 where that is not known."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _report(receiver: Any) -> tuple[str, bool] | None:
    """What the child said about its failure, if it lived to say it."""
    try:
        report: tuple[str, bool] | None = receiver.recv() if receiver.poll() else None
    except EOFError:  # it closed its end without a word (it succeeded, or died)
        report = None
    receiver.close()
    return report


def _exit_reason(exitcode: int | None, kind: jobs.JobKind) -> str:
    """Why a child that said nothing ended (the worker's own timeout is reported where it acts)."""
    if exitcode == -signal.SIGXCPU:
        return f"it took longer than {kind.seconds:g} seconds"
    if exitcode == -signal.SIGKILL:
        return "it was stopped from outside before it finished (killed, or out of memory)"
    if exitcode == -signal.SIGSEGV:
        return "it crashed"
    return f"it needed more memory than {kind.memory_mb} MB, or crashed (exit code {exitcode})"
