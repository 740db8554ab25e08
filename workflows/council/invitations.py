"""Invitations to a council meeting (giấy mời họp Hội đồng): each invited member is told.

When the secretariat schedules a meeting (``meetings.create_meeting``), every invited
member with an active account gets a notification in the app and, through the engine's
notify path, an e-mail: the meeting's title and date, and a link to its page (the
notification's ``link``, where opening it in the app leads too). A member invited later
is invited then; a new date or title is told to everyone invited, and so is a meeting
called off.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.mail.compose import MailOptions
from engine.notify import notify_user
from engine.roles import Actor
from workflows.council.models import CouncilInvitation, CouncilMeeting, CouncilMember

KIND = "council.invited"
RESCHEDULED = "council.rescheduled"
CANCELLED = "council.cancelled"
# The notification's title by kind (the engine's convention: one ``{step}``).
TITLES = {KIND: "Mời họp Hội đồng Thi đua - Khen thưởng: {step}",
          RESCHEDULED: "Thay đổi lịch họp Hội đồng Thi đua - Khen thưởng: {step}",
          CANCELLED: "Hủy họp Hội đồng Thi đua - Khen thưởng: {step}"}
# The line under the title (and in the e-mail): the meeting's date and how it votes.
BODIES = {KIND: "Họp ngày {date}, {mode}", RESCHEDULED: "Ngày họp mới: {date}, {mode}",
          CANCELLED: "Cuộc họp ngày {date} không diễn ra"}
MODES = {"paper": "bỏ phiếu trên giấy", "electronic": "bỏ phiếu điện tử"}
MEETING_PATH = "/council/meetings/{meeting_id}"


def invited_users(session: Session, meeting_id: int) -> list[int]:
    """The accounts of the meeting's invited active members, in the council's order."""
    return list(session.scalars(
        select(CouncilMember.user_id)
        .join(CouncilInvitation, CouncilInvitation.member_id == CouncilMember.id)
        .where(CouncilInvitation.meeting_id == meeting_id, CouncilMember.active.is_(True))
        .order_by(CouncilMember.sort_order, CouncilMember.id)).all())


def tell_members(session: Session, actor: Actor, meeting: CouncilMeeting,
                 user_ids: list[int] | None = None, kind: str = KIND,
                 mail: MailOptions | None = None) -> list[int]:
    """Notify invited members (``user_ids``, default all of them; never the actor) that
    they are invited (``KIND``), that the meeting moved (``RESCHEDULED``) or that it is
    called off (``CANCELLED``); returns whom, by user id."""
    when = meeting.meeting_date.strftime("%d/%m/%Y")
    step = f"{meeting.title} ({when})"
    body = BODIES[kind].format(date=when, mode=MODES.get(meeting.mode, MODES["electronic"]))
    told = []
    for user_id in invited_users(session, meeting.id) if user_ids is None else user_ids:
        if user_id != actor.id and notify_user(
                session.connection(), mail or MailOptions(), user_id, kind=kind,
                title=TITLES[kind].format(step=step)[:300], body=body,
                path=MEETING_PATH.format(meeting_id=meeting.id)):
            told.append(user_id)
    return told
