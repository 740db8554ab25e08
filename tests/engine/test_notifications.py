"""Notifications: written with the task rows when a user task becomes ready; each person
reads and marks only their own."""

from __future__ import annotations

from typing import Any

import pytest
from engine_kit import World, bpmn, make_world, ready
from sqlalchemy import select, update

from engine import identity
from engine.errors import NotFound
from engine.roles import SYSTEM
from engine.store.models import AuditEvent, Notification, User

LANES = """<bpmn:laneSet id="ls">
  <bpmn:lane id="l1" name="Đơn vị (submitter)"><bpmn:flowNodeRef>start</bpmn:flowNodeRef>
    <bpmn:flowNodeRef>propose</bpmn:flowNodeRef><bpmn:flowNodeRef>supplement</bpmn:flowNodeRef>
  </bpmn:lane>
  <bpmn:lane id="l2" name="Phòng TCHCQT (secretariat)"><bpmn:flowNodeRef>appraise</bpmn:flowNodeRef>
    <bpmn:flowNodeRef>gw</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane>
</bpmn:laneSet>"""

RETURNED = """<bpmn:extensionElements><spiffworkflow:properties>
  <spiffworkflow:property name="notifyKind" value="dossier.returned" />
</spiffworkflow:properties></bpmn:extensionElements>"""

BODY = f"""
<bpmn:startEvent id="start" />
<bpmn:userTask id="propose" name="Lập hồ sơ" />
<bpmn:userTask id="appraise" name="Thẩm định" />
<bpmn:exclusiveGateway id="gw" default="f_ok" />
<bpmn:userTask id="supplement" name="Bổ sung hồ sơ">{RETURNED}</bpmn:userTask>
<bpmn:endEvent id="end" />
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="propose" />
<bpmn:sequenceFlow id="f2" sourceRef="propose" targetRef="appraise" />
<bpmn:sequenceFlow id="f3" sourceRef="appraise" targetRef="gw" />
<bpmn:sequenceFlow id="f_ok" sourceRef="gw" targetRef="end" />
<bpmn:sequenceFlow id="f_ret" sourceRef="gw" targetRef="supplement">
  <bpmn:conditionExpression>decision == "return"</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f4" sourceRef="supplement" targetRef="appraise" />
"""


@pytest.fixture
def w(db_url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    world = make_world(db_url, monkeypatch)
    world.deploy(bpmn(BODY, "notify_p", LANES), "notify_p.bpmn")
    with world.db.write_session() as s:  # an inactive submitter of A gets nothing
        identity.create_user(s, SYSTEM, "sub_a_gone", "password1", ["submitter"],
                             world.eng.settings.roles, "A")
        s.execute(update(User).where(User.username == "sub_a_gone").values(active=False))
        s.commit()
    return world


def notes(w: World) -> list[tuple[str, str, str]]:
    """(username, kind, title) of every notification, in order."""
    rows = w.read(lambda s: s.execute(
        select(User.username, Notification.kind, Notification.title)
        .join(User, User.id == Notification.user_id)
        .order_by(Notification.id, User.username)).all())
    return [tuple(r) for r in rows]


def page(w: World, who: str, **kwargs: Any) -> list[dict[str, Any]]:
    return list(w.read(w.eng.notifications, w[who], **kwargs).items)


def test_each_person_who_may_act_is_notified_once_and_the_actor_is_not(w: World) -> None:
    inst = w.start("notify_p", "sub_a", business_key="HS-N-1")
    # the other active submitter of unit A; not sub_a (who started it), not unit B, not inactive
    assert notes(w) == [("sub_a2", "task.new", "Công việc mới: Lập hồ sơ")]
    w.complete(ready(inst, "propose")["id"], "sub_a")
    assert notes(w)[1:] == [("sec1", "task.new", "Công việc mới: Thẩm định"),
                            ("sec2", "task.new", "Công việc mới: Thẩm định")]
    first = page(w, "sec1")[0]
    assert first["body"] == "HS-N-1" and first["instance_id"] == inst["id"]
    assert first["task_open"] is True and first["read_at"] is None


def test_a_returned_dossier_says_so_to_the_unit(w: World) -> None:
    inst = w.start("notify_p", "sub_a")
    inst = w.complete(ready(inst, "propose")["id"], "sub_a")
    w.complete(ready(inst, "appraise")["id"], "sec1", {"decision": "return"})
    returned = [n for n in notes(w) if n[1] == "dossier.returned"]
    assert returned == [(u, "dossier.returned", "Hồ sơ bị trả lại: Bổ sung hồ sơ")
                        for u in ("sub_a", "sub_a2")]
    assert page(w, "sub_a")[0]["body"] == f"Hồ sơ #{inst['id']}"


def test_a_task_of_no_lane_is_its_starters_who_is_not_told_of_their_own_step(w: World) -> None:
    """A task with an owner (a lane without a role) would notify that person only."""
    w.deploy(bpmn('<bpmn:startEvent id="start" /><bpmn:userTask id="t" name="Việc riêng" />'
                  '<bpmn:sequenceFlow id="f" sourceRef="start" targetRef="t" />',
                  "no_lane"), "no_lane.bpmn")
    w.start("no_lane", "sec1")  # owner = the starter, who is also the actor
    assert [n for n in notes(w) if n[2].endswith("Việc riêng")] == []


def test_read_one_read_all_and_unread_count(w: World) -> None:
    first = w.start("notify_p", "sub_a")
    second = w.start("notify_p", "sub_a")
    assert w.read(w.eng.unread_notifications, w["sub_a2"]) == 2
    newest, older = page(w, "sub_a2")
    assert newest["instance_id"] == second["id"] and older["instance_id"] == first["id"]
    assert older["task_open"] is True

    marked = w.write(w.eng.read_notification, w["sub_a2"], older["id"])
    assert marked["read_at"] and marked["id"] == older["id"]
    assert w.read(w.eng.unread_notifications, w["sub_a2"]) == 1
    assert [n["id"] for n in page(w, "sub_a2", unread_only=True)] == [newest["id"]]
    w.start("notify_p", "sub_b")
    assert w.read(w.eng.unread_notifications, w["sub_a2"]) == 1  # unit B's is not theirs

    assert w.write(w.eng.read_all_notifications, w["sub_a2"]) == 1
    assert w.read(w.eng.unread_notifications, w["sub_a2"]) == 0
    assert w.write(w.eng.read_all_notifications, w["sub_a2"]) == 0
    types = w.read(lambda s: s.scalars(select(AuditEvent.event_type)).all())
    assert types.count("notification.read") == 1 and types.count("notification.read_all") == 1
    assert not [t for t in w.history_types(first["id"]) if t.startswith("notification.")]


def unread(w: World, who: str) -> list[str]:
    return [n["title"] for n in page(w, who, unread_only=True)]


def test_a_task_done_by_a_colleague_no_longer_shows_as_unread(w: World) -> None:
    inst = w.start("notify_p", "sub_a")
    other = w.start("notify_p", "sub_a")
    assert unread(w, "sub_a2") == ["Công việc mới: Lập hồ sơ"] * 2
    inst = w.complete(ready(inst, "propose")["id"], "sub_a")
    # sub_a2's note of the done task is read; the other dossier's stays unread
    left = page(w, "sub_a2", unread_only=True)
    assert [n["instance_id"] for n in left] == [other["id"]]
    done = [n for n in page(w, "sub_a2") if n["instance_id"] == inst["id"]][0]
    assert done["read_at"] is not None and done["task_open"] is False
    # no event of the dossier's history says so: the completion is the event
    assert not [t for t in w.history_types(inst["id"]) if t.startswith("notification.")]


def test_a_task_claimed_by_a_colleague_leaves_the_claimer_s_own_note(w: World) -> None:
    inst = w.start("notify_p", "sub_a")
    inst = w.complete(ready(inst, "propose")["id"], "sub_a")
    assert unread(w, "sec1") == unread(w, "sec2") == ["Công việc mới: Thẩm định"]
    w.write(w.eng.claim_task, ready(inst, "appraise")["id"], w["sec2"])
    assert unread(w, "sec1") == []
    assert unread(w, "sec2") == ["Công việc mới: Thẩm định"]  # theirs to do now
    w.write(w.eng.unclaim_task, ready(inst, "appraise")["id"], w["sec2"])
    assert unread(w, "sec1") == []  # read stays read


def test_another_persons_notification_is_not_found(w: World) -> None:
    w.start("notify_p", "sub_a")
    theirs = page(w, "sub_a2")[0]
    with pytest.raises(NotFound) as err:
        w.write(w.eng.read_notification, w["sub_b"], theirs["id"])
    assert err.value.code == "notification.not_found"
    with pytest.raises(NotFound):
        w.write(w.eng.read_notification, w["sub_a2"], 999_999)
    assert page(w, "sub_a2")[0]["read_at"] is None
    assert page(w, "sub_b") == []


def test_paging_newest_first(w: World) -> None:
    for n in range(3):
        w.start("notify_p", "sub_a", business_key=f"HS-{n}")
    first = w.read(w.eng.notifications, w["sub_a2"], page=1, per_page=2)
    second = w.read(w.eng.notifications, w["sub_a2"], page=2, per_page=2)
    assert first.total == 3
    assert [n["body"] for n in first.items + second.items] == ["HS-2", "HS-1", "HS-0"]


def test_the_starter_is_told_when_the_dossier_ends_but_not_of_their_own_ending(
        w: World) -> None:
    inst = w.start("notify_p", "sub_a", business_key="HS-END-1")
    inst = w.complete(ready(inst, "propose")["id"], "sub_a")
    done = w.complete(ready(inst, "appraise")["id"], "sec1", {"decision": "ok"})
    assert done["status"] == "completed"
    ended = [n for n in notes(w) if n[1] == "instance.completed"]
    assert ended == [("sub_a", "instance.completed", "Hồ sơ đã kết thúc: HS-END-1")]
    assert page(w, "sub_a")[0]["instance_id"] == inst["id"]
    w.deploy(bpmn('<bpmn:startEvent id="start" /><bpmn:userTask id="t" name="Việc riêng" />'
                  '<bpmn:endEvent id="end" /><bpmn:sequenceFlow id="f" sourceRef="start" '
                  'targetRef="t" /><bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="end" />',
                  "own_end"), "own_end.bpmn")
    own = w.start("own_end", "sec1")
    w.complete(ready(own, "t")["id"], "sec1")  # they ended it themselves: no notification
    assert [n for n in notes(w) if n[1] == "instance.completed"] == ended


def test_a_stored_title_gives_back_its_template_and_step() -> None:
    from engine.notify import TITLES, title_of, title_parts
    assert title_parts("task.new", title_of("task.new", "Thẩm định")) == (
        TITLES["task.new"], "Thẩm định")
    assert title_parts("task.new", "Tiêu đề khác") is None
    assert title_parts("diagram.kind", "Bước riêng") is None
    assert title_parts("council.invited", "Mời họp: 12/12/2026",
                       {"council.invited": "Mời họp: {step}"}) == ("Mời họp: {step}",
                                                                    "12/12/2026")


def test_a_note_under_the_dossier_line_goes_into_the_e_mail_line_by_line() -> None:
    from engine.mail.compose import MailOptions, notification_mail

    mail = notification_mail(MailOptions(), kind="dossier.returned", title="Hồ sơ bị trả lại",
                             body="HS-1\nLý do: thiếu biên bản.\n", task_id="t1", instance_id=1)
    assert "Hồ sơ: HS-1\nLý do: thiếu biên bản.\n" in mail.text
    assert '<p style="margin:0">Lý do: thiếu biên bản.</p>' in mail.html
    meeting = notification_mail(MailOptions(), kind="council.invited", title="Mời họp",
                                body="Họp ngày 10/12/2026", task_id=None, instance_id=None)
    assert "Mời họp\nHọp ngày 10/12/2026" in meeting.text and "Hồ sơ:" not in meeting.text
