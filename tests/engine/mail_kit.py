"""Helpers of the e-mail tests: a world whose people have addresses, outbox rows."""

from __future__ import annotations

from typing import Any

import pytest
from engine_kit import World, bpmn, make_world, ready
from sqlalchemy import select, update
from test_notifications import BODY, LANES

from engine.mail.smtp import SmtpConfig
from engine.service import EngineSettings
from engine.store.models import EmailOutbox, User

BASE_URL = "https://tdkt.tinh.gov.vn"
# sub_b and council1 have no address; everyone else has one.
ADDRESSES = {"sub_a": "sub_a@tinh.gov.vn", "sub_a2": "sub_a2@tinh.gov.vn",
             "sec1": "sec1@tinh.gov.vn", "sec2": "sec2@tinh.gov.vn",
             "admin1": "admin1@tinh.gov.vn"}


def mail_world(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    world = make_world(db_url, monkeypatch, EngineSettings(base_url=BASE_URL + "/"))
    world.deploy(bpmn(BODY, "notify_p", LANES), "notify_p.bpmn")
    with world.db.write_session() as s:
        for username, address in ADDRESSES.items():
            s.execute(update(User).where(User.username == username).values(email=address))
        s.commit()
    return world


def set_user(w: World, username: str, **values: Any) -> None:
    with w.db.write_session() as s:
        s.execute(update(User).where(User.username == username).values(**values))
        s.commit()


def outbox(w: World) -> list[EmailOutbox]:
    with w.db.session() as s:
        rows = list(s.scalars(select(EmailOutbox).order_by(EmailOutbox.id)).all())
        s.expunge_all()
        return rows


def to_appraisal(w: World, business_key: str) -> dict[str, Any]:
    """An instance whose proposal sub_a has sent: both secretaries are notified."""
    inst = w.start("notify_p", "sub_a", business_key=business_key)
    return dict(w.complete(ready(inst, "propose")["id"], "sub_a"))


def smtp(host: str, port: int, **kwargs: Any) -> SmtpConfig:
    values: dict[str, Any] = {"host": host, "port": port, "sender": "tdkt@tinh.gov.vn",
                              "tls": "none", "timeout_s": 10.0, **kwargs}
    return SmtpConfig(**values)
