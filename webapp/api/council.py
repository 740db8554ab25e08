"""The council (Hội đồng TĐKT): members, meetings, attendance, recusals, votes, results.

Each route calls one service of ``workflows.council`` inside one transaction
(``run_command``); errors keep their stable codes (``council.*``). Closing a meeting
commits the tally first, then delivers each instance's result in its own transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, fields, validate

from engine.runtime.runner import run_command
from webapp.api.attachments import Blueprint
from webapp.api.auth import current_actor
from webapp.services import end_read_transaction, read_session, services, write_session
from workflows.council import closing, meetings, members, recusal, views, voting
from workflows.council.models import CHOICES, MODES, POSITIONS

blp = Blueprint("api_council", __name__, url_prefix="/council",
                description="Hội đồng Thi đua - Khen thưởng: phiên họp, biểu quyết, kết quả")


def _run(fn: Any, *args: Any, **kwargs: Any) -> Any:
    session = write_session()
    return run_command(session, lambda: fn(session, current_actor(), *args, **kwargs))


def _view(meeting_id: int) -> dict[str, Any]:
    session = read_session()
    session.rollback()  # a fresh snapshot: see what this request's command just committed
    return views.meeting_view(session, current_actor(), meeting_id)


class CouncilStrict(Schema):
    class Meta:
        unknown = EXCLUDE


class CouncilMemberArgs(CouncilStrict):
    position = fields.String(load_default="member", validate=validate.OneOf(POSITIONS))
    person_code = fields.String(load_default=None, allow_none=True)
    active = fields.Boolean(load_default=True)
    sort_order = fields.Integer(load_default=0)


class CouncilMeetingArgs(CouncilStrict):
    title = fields.String(required=True, validate=validate.Length(min=1, max=255))
    meeting_date = fields.Date(required=True, metadata={"description": "YYYY-MM-DD"})
    mode = fields.String(load_default="electronic", validate=validate.OneOf(MODES))
    nomination_ids = fields.List(fields.Integer(), load_default=None, allow_none=True,
                                 metadata={"description": "mặc định: cả danh sách chờ"})
    member_ids = fields.List(fields.Integer(), load_default=None, allow_none=True,
                             metadata={"description": "mặc định: mọi thành viên"})


class CouncilMeetingPatchArgs(CouncilStrict):
    title = fields.String(validate=validate.Length(min=1, max=255))
    meeting_date = fields.Date()
    mode = fields.String(validate=validate.OneOf(MODES))
    nomination_ids = fields.List(fields.Integer())
    member_ids = fields.List(fields.Integer())


class CouncilPresenceSchema(CouncilStrict):
    member_id = fields.Integer(required=True)
    present = fields.Boolean(required=True)


class CouncilAttendanceArgs(CouncilStrict):
    attendance = fields.List(fields.Nested(CouncilPresenceSchema), required=True)


class CouncilRecusalArgs(CouncilStrict):
    candidate_id = fields.Integer(required=True)
    member_id = fields.Integer(load_default=None, allow_none=True,
                               metadata={"description": "mặc định: chính người khai"})
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class CouncilVoteArgs(CouncilStrict):
    candidate_id = fields.Integer(required=True)
    choice = fields.String(required=True, validate=validate.OneOf(CHOICES))


class CouncilCountLine(CouncilStrict):
    candidate_id = fields.Integer(required=True)
    agree = fields.Integer(required=True, validate=validate.Range(min=0))
    disagree = fields.Integer(required=True, validate=validate.Range(min=0))
    abstain = fields.Integer(required=True, validate=validate.Range(min=0))


class CouncilPaperCountsArgs(CouncilStrict):
    lines = fields.List(fields.Nested(CouncilCountLine), required=True)


class CouncilScanArgs(CouncilStrict):
    file = Upload(required=True, metadata={"description": "PDF, JPG hoặc PNG"})


class CouncilCancelArgs(CouncilStrict):
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


# -- members -------------------------------------------------------------------------------
@blp.get("/members")
@blp.response(200)
def list_members() -> Any:
    """The council's active members in order (chair, vice chair, secretary, members)."""
    return members.list_members(read_session(), current_actor())


@blp.put("/members/<username>")
@blp.arguments(CouncilMemberArgs)
@blp.response(200)
def save_member(args: dict[str, Any], username: str) -> Any:
    """Add a user to the council or change their position (secretariat, admin)."""
    return _run(members.save_member, username, **args)


# -- meetings ------------------------------------------------------------------------------
@blp.get("/pool")
@blp.response(200)
def pool() -> Any:
    """Nominations waiting for a meeting (trạng thái «trình Hội đồng»)."""
    return meetings.agenda_pool(read_session(), current_actor())


@blp.get("/meetings")
@blp.response(200)
def list_meetings() -> Any:
    return meetings.list_meetings(read_session(), current_actor())


@blp.post("/meetings")
@blp.arguments(CouncilMeetingArgs)
@blp.response(201)
def create_meeting(args: dict[str, Any]) -> Any:
    """Prepare a meeting: date, title, mode, agenda and invited members."""
    made = _run(meetings.create_meeting, **args, mail=services().engine.mail_options)
    return _view(made["id"])


@blp.get("/meetings/<int:meeting_id>")
@blp.response(200)
def get_meeting(meeting_id: int) -> Any:
    return _view(meeting_id)


@blp.patch("/meetings/<int:meeting_id>")
@blp.arguments(CouncilMeetingPatchArgs)
@blp.response(200)
def update_meeting(args: dict[str, Any], meeting_id: int) -> Any:
    _run(meetings.update_meeting, meeting_id, **args, mail=services().engine.mail_options)
    return _view(meeting_id)


@blp.post("/meetings/<int:meeting_id>/open")
@blp.response(200)
def open_meeting(meeting_id: int) -> Any:
    """Open: quorum rule and council size fixed, recusals computed."""
    _run(meetings.open_meeting, meeting_id)
    return _view(meeting_id)


@blp.put("/meetings/<int:meeting_id>/attendance")
@blp.arguments(CouncilAttendanceArgs)
@blp.response(200)
def attendance(args: dict[str, Any], meeting_id: int) -> Any:
    present = {row["member_id"]: row["present"] for row in args["attendance"]}
    return _run(meetings.record_attendance, meeting_id, present)


@blp.post("/meetings/<int:meeting_id>/voting")
@blp.response(200)
def start_voting(meeting_id: int) -> Any:
    """Start the vote; 409 ``council.no_quorum`` without the quorum."""
    _run(meetings.start_voting, meeting_id)
    return _view(meeting_id)


@blp.post("/meetings/<int:meeting_id>/recusals")
@blp.arguments(CouncilRecusalArgs)
@blp.response(201)
def declare_recusal(args: dict[str, Any], meeting_id: int) -> Any:
    return _run(recusal.declare_recusal, meeting_id, args["candidate_id"], args["member_id"],
                args["note"])


@blp.post("/meetings/<int:meeting_id>/votes")
@blp.arguments(CouncilVoteArgs)
@blp.response(201)
def cast_vote(args: dict[str, Any], meeting_id: int) -> Any:
    """Cast one vote; 409 ``council.already_voted`` for a second one."""
    return _run(voting.cast_vote, meeting_id, args["candidate_id"], args["choice"])


@blp.put("/meetings/<int:meeting_id>/paper-counts")
@blp.arguments(CouncilPaperCountsArgs)
@blp.response(200)
def paper_counts(args: dict[str, Any], meeting_id: int) -> Any:
    return _run(voting.enter_paper_counts, meeting_id, args["lines"])


@blp.post("/meetings/<int:meeting_id>/scan")
@blp.arguments(CouncilScanArgs, location="multipart")
@blp.response(201)
def attach_scan(args: dict[str, Any], meeting_id: int) -> Any:
    """Attach the scanned minutes of a paper meeting (PDF or image)."""
    max_bytes = int(current_app.config["MAX_UPLOAD_BYTES"])
    file = args["file"]
    data = file.stream.read(max_bytes + 1)
    return _run(voting.attach_scan, meeting_id, file.filename or "", data,
                Path(current_app.config["FILES_DIR"]), max_bytes, file.mimetype)


@blp.post("/meetings/<int:meeting_id>/close")
@blp.response(200)
def close_meeting(meeting_id: int) -> Any:
    """Close the vote: tally, store results, then deliver each instance's result."""
    actor = current_actor()
    end_read_transaction()  # the secret ballot's wipe waits for older readers, ours too
    closing.close_and_deliver(write_session(), services().engine, actor, meeting_id)
    return _view(meeting_id)


@blp.post("/meetings/<int:meeting_id>/cancel")
@blp.arguments(CouncilCancelArgs)
@blp.response(200)
def cancel_meeting(args: dict[str, Any], meeting_id: int) -> Any:
    _run(meetings.cancel_meeting, meeting_id, args["reason"],
         mail=services().engine.mail_options)
    return _view(meeting_id)


@blp.get("/meetings/<int:meeting_id>/results")
@blp.response(200)
def results(meeting_id: int) -> Any:
    """The tally of a closed meeting, per candidate; 409 before the close."""
    view = _view(meeting_id)
    if view["status"] != "closed":
        from engine.errors import Conflict
        raise Conflict("Phiên họp chưa kết thúc; chưa có kết quả.", code="council.not_closed")
    return {"meeting_id": meeting_id, "attendance": view["attendance"],
            "candidates": view["candidates"], "deliveries": view["deliveries"]}


@blp.post("/deliveries")
@blp.response(200)
def deliver() -> Any:
    """Retry the pending deliveries of closed meetings (managers)."""
    session = write_session()
    members.require_manager(session, current_actor())
    session.rollback()
    return closing.deliver_pending(session, services().engine, current_actor())
