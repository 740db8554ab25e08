"""Small pages without a blueprint of their own: the health check.

The home page is the inbox (``webapp/inbox.py``).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pages", __name__)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    from sqlalchemy import text

    from webapp.services import read_session

    read_session().execute(text("SELECT 1"))
    return {"status": "ok"}
