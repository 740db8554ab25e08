"""Small pages without a blueprint of their own: the health check.

The home page is the inbox (``webapp/inbox.py``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, url_for

bp = Blueprint("pages", __name__)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    from sqlalchemy import text

    from webapp.services import read_session

    read_session().execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/favicon.ico")
def favicon() -> Any:
    """Browsers ask for /favicon.ico before reading the page's icon link."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
