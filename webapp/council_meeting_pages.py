"""One council meeting's page (``/council/meetings/<id>``) and its actions.

The page follows the meeting's state and the viewer: managers record attendance, open,
start the vote (refused without quorum, with present/required shown), follow how many
eligible members have voted, enter paper counts and the scanned minutes, close; members
see the candidates, vote per candidate and declare conflicts of interest. After the
close: results with bars, the tally minutes documents and each dossier's delivery.
A refused action re-renders the page with the message beside its form (status 403, 409
or 422) and what was typed kept; a done action redirects back with a message.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engine.errors import EngineError
from webapp.auth import current_actor
from webapp.council_pages import bp, command, day_label, refuse, sentence, status_of
from webapp.security import send_stored_file
from webapp.services import end_read_transaction, read_session, services, write_session
from workflows.council import meetings, page_views, recusal, voting
from workflows.council.models import CHOICES

CHOICE_LABEL = {"agree": "Đồng ý", "disagree": "Không đồng ý", "abstain": "Không biểu quyết"}
LINE = re.compile(r"^Dòng (\d+): (.*)$")


def _page(meeting_id: int, errors: dict[str, list[str]] | None = None,
          values: dict[str, Any] | None = None, status: int = 200,
          confirm: dict[str, Any] | None = None) -> tuple[str, int]:
    try:
        view = page_views.meeting_page(read_session(), current_actor(), meeting_id)
    except EngineError as exc:
        refuse(exc)
    errors = {k: [sentence(m) for m in v] for k, v in (errors or {}).items()}
    return render_template("council/meeting.html", m=view, errors=errors,
                           values=values or {}, choices=CHOICES, choice_label=CHOICE_LABEL,
                           confirm=confirm or {},
                           date_label=day_label(view["meeting_date"])), status


def _back(meeting_id: int, message: str, anchor: str | None = None) -> Any:
    flash(sentence(message), "success")
    return redirect(url_for("council_pages.meeting", meeting_id=meeting_id,
                            _anchor=anchor))


def _act(meeting_id: int, field: str, fn: Any, *args: Any, **kwargs: Any
         ) -> tuple[Any, tuple[str, int] | None]:
    """Run one service call; on refusal, the page with the message under ``field``."""
    try:
        return command(fn, meeting_id, *args, **kwargs), None
    except EngineError as exc:
        read_session().expire_all()
        return None, _page(meeting_id, {field: [exc.message]}, dict(request.form),
                           status_of(exc))


@bp.get("/council/meetings/<int:meeting_id>")
@login_required
def meeting(meeting_id: int) -> Any:
    """The meeting, as this viewer may see and act on it."""
    return _page(meeting_id)


@bp.post("/council/meetings/<int:meeting_id>/open")
@login_required
def open_meeting(meeting_id: int) -> Any:
    """Open the meeting (khai mạc): the quorum rule is fixed, recusals computed."""
    _done, refused = _act(meeting_id, "open", meetings.open_meeting)
    return refused or _back(meeting_id, _("Đã khai mạc phiên họp; vui lòng điểm danh."),
                            "attendance")


@bp.post("/council/meetings/<int:meeting_id>/attendance")
@login_required
def attendance(meeting_id: int) -> Any:
    """Record who is present (điểm danh): every invited member's checkbox, or ``me``."""
    invited = [int(v) for v in request.form.getlist("invited") if v.isascii() and v.isdigit()]
    present = {i: request.form.get(f"present_{i}") == "1" for i in invited}
    done, refused = _act(meeting_id, "attendance", meetings.record_attendance, present)
    if refused:
        return refused
    return _back(meeting_id, _("Đã điểm danh: %(present)s/%(total)s thành viên có mặt.",
                               present=done["present"], total=done["members_total"]),
                 "attendance")


@bp.post("/council/meetings/<int:meeting_id>/start")
@login_required
def start_voting(meeting_id: int) -> Any:
    """Start the vote (bắt đầu biểu quyết): refused without quorum."""
    _done, refused = _act(meeting_id, "start", meetings.start_voting)
    return refused or _back(meeting_id, _("Đã bắt đầu biểu quyết."), "candidates")


@bp.post("/council/meetings/<int:meeting_id>/cancel")
@login_required
def cancel(meeting_id: int) -> Any:
    """Cancel a meeting not yet voting; its candidates go back to the pool."""
    _done, refused = _act(meeting_id, "cancel", meetings.cancel_meeting,
                          request.form.get("reason", "").strip(),
                          mail=services().engine.mail_options)
    return refused or _back(meeting_id, _("Đã hủy phiên họp."))


def _candidate_id() -> int:
    value = request.form.get("candidate_id", "")
    return int(value) if value.isascii() and value.isdigit() else 0


@bp.post("/council/meetings/<int:meeting_id>/vote")
@login_required
def vote(meeting_id: int) -> Any:
    """One member's vote on one candidate (agree / disagree / abstain), in two steps: a
    cast vote cannot be changed (workflows.council.voting), so the first POST only shows
    the choice to confirm (nothing is written); the second, with ``confirm=1``, casts it.
    Works without JavaScript; the REST API casts in one call."""
    cid = _candidate_id()
    choice = request.form.get("choice", "")
    if request.form.get("confirm") != "1" and choice in CHOICES:
        return _page(meeting_id, confirm={"candidate_id": cid, "choice": choice})
    done, refused = _act(meeting_id, f"vote-{cid}", voting.cast_vote, cid, choice)
    if refused:
        return refused
    message = _("Đã bỏ phiếu kín.") if done["secret"] else \
        _("Đã ghi phiếu «%(choice)s».", choice=_(CHOICE_LABEL[done["choice"]]))
    return _back(meeting_id, message, f"candidate-{cid}")


@bp.post("/council/meetings/<int:meeting_id>/recusal")
@login_required
def declare_recusal(meeting_id: int) -> Any:
    """A member declares a conflict of interest (khai báo xung đột lợi ích)."""
    cid = _candidate_id()
    _done, refused = _act(meeting_id, f"recusal-{cid}", recusal.declare_recusal, cid,
                          note=request.form.get("note", "").strip())
    return refused or _back(meeting_id, _("Đã ghi nhận: bạn không tham gia biểu quyết đối "
                                          "tượng này."), f"candidate-{cid}")


def _paper_lines() -> tuple[list[dict[str, Any]], list[int], dict[str, list[str]]]:
    """The typed counts per candidate (blank lines skipped), their order, parse errors."""
    lines: list[dict[str, Any]] = []
    order: list[int] = []
    errors: dict[str, list[str]] = {}
    ids = request.form.getlist("candidate_ids")
    for cid in (int(v) for v in ids if v.isascii() and v.isdigit()):
        typed = {c: request.form.get(f"{c}_{cid}", "").strip() for c in CHOICES}
        if not any(typed.values()):
            continue
        if not all(v.isascii() and v.isdigit() for v in typed.values()):
            errors[f"paper-{cid}"] = [_("Nhập đủ ba số phiếu, là số nguyên không âm.")]
            continue
        lines.append({"candidate_id": cid, **{c: int(v) for c, v in typed.items()}})
        order.append(cid)
    return lines, order, errors


@bp.post("/council/meetings/<int:meeting_id>/paper")
@login_required
def paper_counts(meeting_id: int) -> Any:
    """Enter the counts from the paper ballots (kết quả kiểm phiếu giấy)."""
    lines, order, errors = _paper_lines()
    if not lines and not errors:
        errors["paper"] = [_("Nhập số phiếu của ít nhất một đối tượng.")]
    if errors:
        return _page(meeting_id, errors, dict(request.form), 422)
    try:
        command(voting.enter_paper_counts, meeting_id, lines)
    except EngineError as exc:
        read_session().expire_all()
        return _page(meeting_id, _line_errors(exc, order), dict(request.form), status_of(exc))
    return _back(meeting_id, _("Đã lưu số phiếu của %(n)s đối tượng.", n=len(lines)), "paper")


def _line_errors(exc: EngineError, order: list[int]) -> dict[str, list[str]]:
    """The service's «Dòng n: …» messages beside the candidate of line n."""
    errors: dict[str, list[str]] = {}
    for message in (getattr(exc, "details", None) or {}).get("lines", []) or [exc.message]:
        match = LINE.match(str(message))
        n = int(match.group(1)) if match else 0
        key = f"paper-{order[n - 1]}" if match and 0 < n <= len(order) else "paper"
        errors.setdefault(key, []).append(match.group(2) if match else str(message))
    return errors


@bp.post("/council/meetings/<int:meeting_id>/scan")
@login_required
def upload_scan(meeting_id: int) -> Any:
    """Attach the scanned minutes of a paper meeting (PDF, JPG or PNG)."""
    upload = request.files.get("scan")
    if upload is None or not upload.filename:
        return _page(meeting_id, {"scan": [_("Vui lòng chọn tệp bản chụp biên bản.")]}, {},
                     422)
    config = current_app.config
    _done, refused = _act(meeting_id, "scan", voting.attach_scan, upload.filename,
                          upload.read(), Path(config["FILES_DIR"]),
                          max_bytes=int(config["MAX_UPLOAD_BYTES"]),
                          declared_type=upload.mimetype)
    return refused or _back(meeting_id, _("Đã đính kèm bản chụp biên bản."), "paper")


@bp.get("/council/meetings/<int:meeting_id>/scan")
@login_required
def download_scan(meeting_id: int) -> Any:
    """The scanned minutes, for those who see the meeting."""
    try:
        meta, path = page_views.scan_file(read_session(), current_actor(), meeting_id,
                                          Path(current_app.config["FILES_DIR"]))
    except EngineError as exc:
        refuse(exc)
    return send_stored_file(meta, path)


@bp.get("/council/meetings/<int:meeting_id>/minutes/<int:document_id>")
@login_required
def download_minutes(meeting_id: int, document_id: int) -> Any:
    """The tally minutes (PDF or DOCX), for those who see the meeting (the council pages'
    rule: members and the office; ``document_id`` is one of this meeting's minutes)."""
    try:
        meta, path = page_views.minutes_file(read_session(), current_actor(), meeting_id,
                                             document_id,
                                             Path(current_app.config["FILES_DIR"]))
    except EngineError as exc:
        refuse(exc)
    return send_stored_file(meta, path)


@bp.post("/council/meetings/<int:meeting_id>/close")
@login_required
def close(meeting_id: int) -> Any:
    """Close the vote: tally, minutes, then deliver each dossier's result."""
    actor = current_actor()
    end_read_transaction()  # the secret ballot's wipe waits for older readers, ours too
    try:
        closed = page_views.close_and_deliver(write_session(), services().engine, actor,
                                              meeting_id)
    except EngineError as exc:
        read_session().expire_all()
        return _page(meeting_id, {"close": [exc.message]}, {}, status_of(exc))
    return _back(meeting_id, _delivered_message(closed["deliveries"]), "results")


@bp.post("/council/meetings/<int:meeting_id>/deliver")
@login_required
def deliver(meeting_id: int) -> Any:
    """Deliver again the results that did not reach their dossier."""
    try:
        done = page_views.retry_deliveries(write_session(), services().engine,
                                           current_actor(), meeting_id)
    except EngineError as exc:
        write_session().rollback()
        return _page(meeting_id, {"deliver": [exc.message]}, {}, status_of(exc))
    return _back(meeting_id, _delivered_message(done, retry=True), "deliveries")


def _delivered_message(deliveries: list[dict[str, Any]], retry: bool = False) -> str:
    """What became of the deliveries: received, to retry, void (the dossier had ended)."""
    failed = [d for d in deliveries if d["status"] == "pending"]
    void = [d for d in deliveries if d["status"] == "void"]
    ok = len(deliveries) - len(failed) - len(void)
    if retry:
        return _("Đã gửi lại: %(ok)s hồ sơ nhận được kết quả, %(n)s hồ sơ còn lỗi.",
                 ok=ok, n=len(failed))
    parts = [_("Đã kết thúc biểu quyết và gửi kết quả tới %(n)s hồ sơ.", n=ok)]
    if void:
        parts.append(_("%(n)s hồ sơ đã kết thúc trước khi nhận kết quả.", n=len(void)))
    if failed:
        parts.append(_("%(n)s hồ sơ chưa nhận được kết quả; xem lỗi và bấm «Gửi lại».",
                       n=len(failed)))
    return " ".join(parts)
