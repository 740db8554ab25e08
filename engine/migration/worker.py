"""The background worker of migration jobs: one daemon thread per process, on demand.

The web application starts this thread when a job is queued and when a page or the
API asks about jobs (which is also how a job left running by a stopped process is
resumed, once its heartbeat is stale). The
thread runs every claimable job, waits while another worker's job is still running
(it may need taking over), and ends when no job is queued or running. Everything it
knows is in the database, so stopping the process at any moment loses nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

from engine.migration import batches
from engine.service import ProcessEngine
from engine.store.db import Database

log = logging.getLogger(__name__)


def worker_name() -> str:
    """Unique per process and start: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class MigrationWorker:
    """Starts (at most) one thread that works through the queued jobs."""

    def __init__(self, engine: ProcessEngine, db: Database, poll_s: float = 5.0) -> None:
        self.engine = engine
        self.db = db
        self.poll_s = poll_s
        self.name = worker_name()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()

    def wake(self) -> None:
        """Make sure the thread runs (started if needed, woken if waiting)."""
        with self._lock:
            self._wake.set()
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._loop, name="tdkt-migration",
                                            daemon=True)
            self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _loop(self) -> None:
        try:
            while True:
                self._wake.clear()
                job_id = batches.claim(self.db, self.name)
                if job_id is not None:
                    self._run(job_id)
                    continue
                with self._lock:
                    if not batches.has_open_jobs(self.db):
                        self._thread = None
                        return
                self._wake.wait(self.poll_s)
        except Exception:  # the database went away; the next wake starts again
            log.exception("migration worker stopped")
            with self._lock:
                self._thread = None

    def _run(self, job_id: int) -> None:
        try:
            batches.run_job(self.engine, self.db, job_id, self.name)
        except Exception as exc:
            log.exception("migration job %s failed", job_id)
            batches.fail(self.db, job_id, self.name, str(exc))
