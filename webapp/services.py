"""Per-application services (database, engine), created once in ``create_app``.

Nothing is created at import time; each app carries its own ``Services`` in
``app.extensions``, so tests can run several apps side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from engine.service import EngineSettings, ProcessEngine
from engine.store.db import Database
from workflows import build_engine


@dataclass
class Services:
    db: Database
    engine: ProcessEngine

    @classmethod
    def init_app(cls, app: Flask) -> Services:
        settings = EngineSettings(
            script_timeout_s=float(app.config["SCRIPT_TIMEOUT_S"]),
            timezone=app.config["TIMEZONE"],
            base_url=str(app.config["BASE_URL"]),
        )
        services = cls(db=Database(app.config["DATABASE_URL"]),
                       engine=build_engine(settings, files_dir=Path(app.config["FILES_DIR"])))
        app.extensions["tdkt"] = services

        @app.teardown_appcontext
        def _close_sessions(_exc: Any) -> None:
            for name in ("tdkt_read", "tdkt_write"):
                session = g.pop(name, None)
                if session is not None:
                    session.close()

        return services


def services() -> Services:
    svc: Services = current_app.extensions["tdkt"]
    return svc


def read_session() -> Session:
    """The request's reading session (closed at teardown)."""
    if "tdkt_read" not in g:
        g.tdkt_read = services().db.session()
    session: Session = g.tdkt_read
    return session


def end_read_transaction() -> None:
    """End the request's reading transaction, if any (the session stays usable).

    For commands that must not run beside an open snapshot of this request: wiping a
    secret ballot's counters waits for every older reader (a SQLite checkpoint, a
    PostgreSQL vacuum), this request's own included.
    """
    if "tdkt_read" in g:
        g.tdkt_read.rollback()


def write_session() -> Session:
    """The request's command session: one command, one transaction."""
    if "tdkt_write" not in g:
        g.tdkt_write = services().db.write_session()
    session: Session = g.tdkt_write
    return session
