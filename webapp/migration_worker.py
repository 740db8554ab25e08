"""The web application's migration worker (one per process), woken on demand.

It is woken when a job is queued, when a page or the API reads a job, and by the
first request the process serves — so a job left running by a stopped process is
resumed (once its heartbeat is stale, see ``engine.migration.batches``).
"""

from __future__ import annotations

from flask import Flask, current_app

from engine.migration import MigrationWorker
from engine.migration.batches import has_open_jobs
from webapp.services import services

KEY = "tdkt_migration_worker"


def migration_worker(app: Flask | None = None) -> MigrationWorker:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    worker: MigrationWorker | None = app.extensions.get(KEY)
    if worker is None:
        svc = app.extensions["tdkt"]
        worker = app.extensions.setdefault(KEY, MigrationWorker(svc.engine, svc.db))
    return worker


def wake() -> None:
    """Make sure this process works through the queued (or abandoned) jobs."""
    migration_worker().wake()


def resume_on_first_request(app: Flask) -> None:
    """After a restart, pick up a job that was queued or left running."""
    checked = {"done": False}

    @app.before_request
    def _resume() -> None:
        if checked["done"]:
            return
        checked["done"] = True
        if has_open_jobs(services().db):
            wake()
