"""What the settings and outbox pages say about e-mail: configured or not, the counts."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.mail import outbox
from engine.store.models import User
from webapp.services import read_session
from workflows import mail


def mail_status(session: Session) -> dict[str, Any]:
    config = mail.smtp_config(session)
    return {"configured": config.configured, "host": config.host, "port": config.port,
            "sender": config.sender, "base_url": current_app.config["BASE_URL"],
            "counts": outbox.status_counts(session)}


def current_user_email() -> str:
    """The signed-in admin's own address: where a test mail goes unless told otherwise."""
    email = read_session().scalar(select(User.email).where(User.id == current_user.id))
    return email or ""
