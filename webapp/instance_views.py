"""Pieces of an instance both pages show: the stages, the steps waiting with their
deadlines, the timeline of the audit log, the nominations' states.

The timeline names each event in the person's language and, for a completed step or a
comment, shows its decision, comment and supplement items as the history gives them to
this person (``workflows.comments``: internal notes only to those who may read them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.errors import NotFound
from webapp.auth import ROLE_LABELS, current_actor
from webapp.comments_view import readable
from webapp.readable import Names, day_text, local_time, tr
from webapp.services import read_session, services
from workflows import comments
from workflows.nominations import instance_nominations

STAGE_LABELS = {"done": _l("Đã xong"), "current": _l("Đang xử lý"), "error": _l("Lỗi"),
                "skipped": _l("Không áp dụng"), "pending": _l("Chưa đến")}
# Messages the diagrams wait for, by their BPMN message name.
MESSAGE_LABELS = {"council_result": _l("kết quả họp Hội đồng")}


def nomination_rows(instance_id: int) -> list[tuple[str, str, str]]:
    """``(subject, title, status)`` of the instance's nominations, in their order."""
    return [(n.subject_code, n.award_code, n.status)
            for n in instance_nominations(read_session(), instance_id)]


def stages(instance_id: int) -> list[dict[str, str]]:
    """The procedure's main stages with their state, named in the person's language."""
    try:
        found = services().engine.instance_stages(read_session(), instance_id,
                                                  current_actor())
    except NotFound:
        return []
    return [{**s, "name": tr(s["name"]), "label": str(STAGE_LABELS.get(s["state"], ""))}
            for s in found]


def due_info(due_at: str | None) -> dict[str, Any] | None:
    """The due date dd/mm/yyyy and the working days left (negative when late)."""
    if not due_at:
        return None
    calendar = services().engine.calendar
    day = calendar.local_date(datetime.fromisoformat(due_at))
    left = calendar.working_days_between(calendar.local_date(datetime.now(UTC)), day)
    return {"date": day_text(day), "days_left": left, "late": left < 0}


def not_before_info(not_before: str | None) -> dict[str, Any] | None:
    """When a step may be completed at the earliest (a disclosure period): the last day to
    wait, dd/mm/yyyy, and ``early`` while that day has not ended."""
    if not not_before:
        return None
    moment = datetime.fromisoformat(not_before)
    day = services().engine.calendar.local_date(moment)
    return {"date": day_text(day), "early": datetime.now(UTC) < moment}


def _holder(task: dict[str, Any], names: Names) -> str:
    """Who holds a ready task: its assignee, else its lane's role (and unit if unit-scoped)."""
    if task.get("assignee_id"):
        return _("Đã nhận: %(user)s", user=names.user(task["assignee_id"])
                 or task.get("assignee") or "")
    role = str(ROLE_LABELS.get(task.get("role") or "", task.get("role") or ""))
    unit = task.get("unit")
    scoped = task.get("role") in services().engine.policy.unit_scoped_roles
    return f"{role} · {names.unit(unit)}" if unit and scoped else role


def waiting(instance: dict[str, Any], names: Names,
            openable: set[str] | None = None) -> list[dict[str, Any]]:
    """The ready tasks: step, who holds it, since when, the deadline and days left; ``open``
    when the reader may open the task's page (``openable``: those ids; None: every one)."""
    return [{"id": t["id"], "title": tr(t.get("title") or t["name"]), "who": _holder(t, names),
             "since": local_time(t.get("created_at")), "due": due_info(t.get("due_at")),
             "open": openable is None or str(t["id"]) in openable}
            for t in instance["tasks"]]


def timers(waiting_timers: list[dict[str, Any]], titles: dict[str, str]
           ) -> list[dict[str, str]]:
    """What the dossier waits for, in words, with the moment in the office's zone."""
    shown = []
    for timer in waiting_timers:
        step = tr(titles.get(timer.get("attached_to") or "", timer.get("attached_to") or ""))
        if timer["kind"] == "boundary" and timer.get("interrupting"):
            what = _("Gắn trên bước «%(step)s»: đến hạn mà bước chưa xong thì bước dừng lại "
                     "và hồ sơ đi theo nhánh hẹn giờ.", step=step)
        elif timer["kind"] == "boundary":
            what = _("Gắn trên bước «%(step)s»: đến hạn mà bước chưa xong thì thêm một bước "
                     "song song, bước này vẫn tiếp tục.", step=step)
        elif timer["kind"] == "gateway":
            what = _("Đến hạn mà chưa nhận được kết quả thì hồ sơ đi theo nhánh hẹn giờ.")
        else:
            what = _("Hồ sơ chờ đến hạn rồi tự chuyển sang bước sau.")
        shown.append({"title": tr(timer["title"]), "what": what, "due": local_time(timer["due_at"]),
                      "iso": timer["due_at"]})
    return shown


def event_label(event: dict[str, Any], titles: dict[str, str] | None = None) -> str:
    """What happened, in the person's language (Vietnamese by default).

    ``titles`` names the instance's steps by BPMN id, for events that carry only the id.
    """
    kind, payload = event["type"], event.get("payload") or {}
    name = payload.get("name") or ""
    step = tr(payload.get("title") or (titles or {}).get(name) or name)
    labels = {
        "instance.started": lambda: _("Khởi tạo hồ sơ"),
        "task.completed": lambda: _("Hoàn thành bước «%(step)s»", step=step),
        "task.claimed": lambda: _("Nhận xử lý bước «%(step)s»", step=step),
        "task.unclaimed": lambda: _("Trả lại bước «%(step)s» cho nhóm", step=step),
        "instance.completed": lambda: _("Hồ sơ hoàn thành"),
        "instance.cancelled": lambda: _("Huỷ hồ sơ"),
        "instance.error": lambda: _("Hồ sơ gặp lỗi"),
        "instance.retried": lambda: _("Chạy lại sau lỗi"),
        "attachment.added": lambda: _("Đính kèm tệp «%(name)s» (phiên bản %(version)s)",
                                      name=payload.get("filename", ""),
                                      version=payload.get("version", "")),
        "award.revoked": lambda: _("Thu hồi khen thưởng"),
        "document.generated": lambda: _("Ban hành văn bản «%(name)s»",
                                        name=payload.get("filename", "")),
        "instance.migrated": lambda: _("Chuyển từ phiên bản %(old)s sang phiên bản %(new)s",
                                       old=payload.get("from_version", ""),
                                       new=payload.get("to_version", "")),
        "instance.migration_refused": lambda: _(
            "Không chuyển được sang phiên bản %(new)s (giữ phiên bản %(old)s)",
            old=payload.get("from_version", ""), new=payload.get("to_version", "")),
        "timer.fired": lambda: _("Đến hạn hẹn giờ «%(name)s»",
                                 name=payload.get("title") or payload.get("element_id", "")),
        "instance.message": lambda: _("Nhận kết quả «%(name)s»",
                                      name=MESSAGE_LABELS.get(payload.get("message", ""),
                                                              payload.get("message", ""))),
        "council.submitted": lambda: _("Trình Hội đồng Thi đua - Khen thưởng"),
        "council.result_delivered": lambda: _("Hội đồng đã gửi kết quả họp"),
        comments.ADDED: lambda: _("Cho ý kiến"),
    }
    make = labels.get(kind)
    return make() if make else kind


def timeline(events: list[dict[str, Any]], titles: dict[str, str], names: Names
             ) -> list[dict[str, Any]]:
    """The audit events as people read them; completed steps and comments carry their
    decision and words (an internal note the person may not read is left out)."""
    actor = current_actor()
    said = {e["event_id"]: e for e in readable(comments.with_form_keys(
        read_session(), comments.entries_of(events, actor.roles, actor.id)), names)}
    names.users(e.get("actor_id") for e in events)
    out = []
    for event in events:
        if event["type"] == comments.ADDED and event["id"] not in said:
            continue
        out.append({"when": local_time(event["at"]), "what": event_label(event, titles),
                    "who": names.user(event.get("actor_id")) or event.get("actor") or "—",
                    "said": said.get(event["id"])})
    return out
