"""Notification e-mails are queued in the command's transaction, for people who have an
address and want e-mail, in Vietnamese, with the link to the task or the dossier."""

from __future__ import annotations

from typing import Any

import pytest
from engine_kit import World, ready
from mail_kit import ADDRESSES, BASE_URL, mail_world, outbox, set_user, to_appraisal
from sqlalchemy import select

from engine import identity, notify
from engine.errors import InvalidData
from engine.roles import SYSTEM
from engine.store.models import AuditEvent, Notification, User


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    return mail_world(db_url, monkeypatch)


def test_a_new_task_queues_one_mail_per_person_with_an_address(w: World) -> None:
    inst = w.start("notify_p", "sub_a", business_key="HS-M-1")
    [row] = outbox(w)  # sub_a2 only: sub_a acted, sub_b is another unit
    task = ready(inst, "propose")
    assert (row.recipient, row.status, row.attempts) == (ADDRESSES["sub_a2"], "queued", 0)
    assert row.subject == "[TĐKT] Công việc mới: Lập hồ sơ"
    assert row.next_attempt_at == row.created_at and row.sent_at is None
    link = f"{BASE_URL}/tasks/{task['id']}"  # the base URL's trailing "/" is not doubled
    assert row.body_text.splitlines() == ["Công việc mới: Lập hồ sơ", "Hồ sơ: HS-M-1",
                                          f"Mở công việc: {link}"]
    assert f'<a href="{link}"' in row.body_html and "Hồ sơ: HS-M-1" in row.body_html
    note = w.read(lambda s: s.get(Notification, row.notification_id))
    assert note.task_id == task["id"] and note.user_id == row.user_id


def test_both_secretaries_are_mailed_and_a_returned_dossier_says_so(w: World) -> None:
    inst = to_appraisal(w, "HS-M-2")
    assert [r.recipient for r in outbox(w)[1:]] == [ADDRESSES["sec1"], ADDRESSES["sec2"]]
    w.complete(ready(inst, "appraise")["id"], "sec1", {"decision": "return"})
    returned = outbox(w)[3:]
    assert [r.recipient for r in returned] == [ADDRESSES["sub_a"], ADDRESSES["sub_a2"]]
    assert {r.subject for r in returned} == {
        "[TĐKT] Hồ sơ bị trả lại: Bổ sung hồ sơ"}
    assert "Mở hồ sơ để bổ sung: " + BASE_URL + "/tasks/" in returned[0].body_text


def test_the_end_of_a_dossier_links_to_the_dossier(w: World) -> None:
    inst = to_appraisal(w, "HS-M-3")
    w.complete(ready(inst, "appraise")["id"], "sec1", {"decision": "ok"})
    last = outbox(w)[-1]
    assert last.recipient == ADDRESSES["sub_a"]
    assert last.subject == "[TĐKT] Hồ sơ đã kết thúc: HS-M-3"
    assert f"Xem hồ sơ: {BASE_URL}/instances/{inst['id']}" in last.body_text


def test_no_mail_without_an_address_or_with_mail_turned_off(w: World) -> None:
    set_user(w, "sec2", email_notifications=False)
    set_user(w, "sub_a2", email="  ")
    to_appraisal(w, "HS-M-4")
    assert [r.recipient for r in outbox(w)] == [ADDRESSES["sec1"]]
    notified = w.read(lambda s: s.scalars(select(User.username).join(
        Notification, Notification.user_id == User.id).order_by(User.username)).all())
    assert notified == ["sec1", "sec2", "sub_a2"]  # the bell rings for everyone all the same


def test_the_mail_is_in_the_commands_transaction(w: World,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A command that fails after queueing leaves neither notification nor e-mail."""
    inst = w.start("notify_p", "sub_a")
    before = (len(outbox(w)), w.read(lambda s: len(s.scalars(select(Notification)).all())))
    original = notify.queue_for_notifications

    def queue_then_fail(*args: Any, **kwargs: Any) -> None:
        original(*args, **kwargs)
        raise RuntimeError("the command fails after queueing")
    monkeypatch.setattr(notify, "queue_for_notifications", queue_then_fail)
    with pytest.raises(RuntimeError):
        w.complete(ready(inst, "propose")["id"], "sub_a")
    assert (len(outbox(w)),
            w.read(lambda s: len(s.scalars(select(Notification)).all()))) == before


def test_addresses_are_checked_and_the_preference_is_audited(w: World) -> None:
    with pytest.raises(InvalidData) as err, w.db.write_session() as s:
        identity.create_user(s, SYSTEM, "khach", "password1", ["council"],
                             w.eng.settings.roles, email="không-phải-thư")
    assert err.value.code == "user.email_invalid" and "email" in err.value.details
    with w.db.write_session() as s:
        user = identity.create_user(s, SYSTEM, "khach", "password1", ["council"],
                                    w.eng.settings.roles, email="  khach@tinh.gov.vn ")
        s.commit()
        assert user.email == "khach@tinh.gov.vn" and user.email_notifications is True
        identity.set_email_notifications(s, user.id, False)
        identity.set_email_notifications(s, user.id, False)  # unchanged: not audited again
        s.commit()
    assert w.audit_count() > 0
    with w.db.session() as s:
        events = s.scalars(select(AuditEvent.payload).where(
            AuditEvent.event_type == "user.email_notifications")).all()
    assert len(events) == 1 and '"after":false' in events[0]


def test_a_task_done_or_claimed_before_its_mail_left_cancels_the_others_mail(w: World) -> None:
    from engine.mail.outbox import SETTLED_NOTE

    inst = to_appraisal(w, "HS-M-9")  # sub_a did "Lập hồ sơ": sub_a2's mail is moot
    [first, *to_secs] = outbox(w)
    assert (first.recipient, first.status, first.last_error) == (
        ADDRESSES["sub_a2"], "cancelled", SETTLED_NOTE)
    assert {r.status for r in to_secs} == {"queued"}
    # sec1 takes it: sec2 need not be told
    w.write(w.eng.claim_task, ready(inst, "appraise")["id"], w["sec1"])
    by_recipient = {r.recipient: r.status for r in outbox(w)[1:]}
    assert by_recipient == {ADDRESSES["sec1"]: "queued", ADDRESSES["sec2"]: "cancelled"}
