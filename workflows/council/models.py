"""Council tables (Hội đồng Thi đua - Khen thưởng).

Secret ballot (bỏ phiếu kín): ``council_vote`` records WHO voted on a candidate (its
``choice`` stays NULL for a secret candidate) and ``council_tally`` holds, per candidate,
one counter row per choice, all three created together when voting opens and all three
rewritten by every vote. No timestamp, no sequence and no insertion order can therefore
rejoin a member to a choice. Open votes keep the member's choice in ``council_vote``.

Limit: the rows are anonymous, not the storage files. While voting is under way, earlier
versions of a counter row stay in the data files (PostgreSQL's dead tuples, SQLite's WAL);
someone who reads raw pages (superuser, file access) could compare versions. The close of
a secret meeting wipes them (``scrub``: VACUUM FULL, or a WAL checkpoint with
secure_delete); what still remains (WAL archives, backups, disk blocks) is said there.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base, utcnow

POSITIONS = ("chair", "vice_chair", "secretary", "member")
MODES = ("electronic", "paper")
MEETING_STATUSES = ("draft", "open", "voting", "closed", "cancelled")
CHOICES = ("agree", "disagree", "abstain")
RECUSAL_REASONS = ("self", "head", "declared")


class CouncilMember(Base):
    """A council member (thành viên Hội đồng): a user, optionally a person of the registry."""

    __tablename__ = "council_member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), unique=True)
    person_code: Mapped[str | None] = mapped_column(ForeignKey("person.code"))
    position: Mapped[str] = mapped_column(String(16), default="member")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CouncilMeeting(Base):
    """A meeting (phiên họp) of the council; ``mode`` electronic or paper ballots."""

    __tablename__ = "council_meeting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    meeting_date: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(16), default="electronic")
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    # Fixed when the meeting opens: the quorum rule and the council's size then.
    quorum_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    members_total: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]
    voting_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[int | None] = mapped_column(Integer)
    # When the secret ballot's earlier counter versions were wiped (workflows.council.scrub).
    scrubbed_at: Mapped[datetime | None]
    # The scanned minutes of a paper meeting (biên bản, bản chụp), stored like dossier files.
    scan_filename: Mapped[str | None] = mapped_column(String(255))
    scan_content_type: Mapped[str | None] = mapped_column(String(128))
    scan_size: Mapped[int | None] = mapped_column(Integer)
    scan_sha256: Mapped[str | None] = mapped_column(String(64))
    scan_storage_key: Mapped[str | None] = mapped_column(String(255))


class CouncilInvitation(Base):
    """A member invited to a meeting, and their attendance (``present``; None: not yet)."""

    __tablename__ = "council_invitation"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("council_meeting.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("council_member.id"), primary_key=True)
    present: Mapped[bool | None] = mapped_column(Boolean)


class CouncilCandidate(Base):
    """A nomination on a meeting's agenda, with the rule it is judged by and its result."""

    __tablename__ = "council_candidate"
    __table_args__ = (
        UniqueConstraint("meeting_id", "nomination_id", name="uq_council_candidate_nomination"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("council_meeting.id"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nomination.id"), index=True)
    instance_id: Mapped[int] = mapped_column(Integer, index=True)
    subject_code: Mapped[str] = mapped_column(String(64))
    award_code: Mapped[str] = mapped_column(String(32))
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    threshold_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    vote_base: Mapped[str] = mapped_column(String(16), default="members")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # The result, written when the meeting closes.
    agree: Mapped[int | None] = mapped_column(Integer)
    disagree: Mapped[int | None] = mapped_column(Integer)
    abstain: Mapped[int | None] = mapped_column(Integer)
    recused: Mapped[int | None] = mapped_column(Integer)
    denominator: Mapped[int | None] = mapped_column(Integer)
    required: Mapped[int | None] = mapped_column(Integer)
    passed: Mapped[bool | None] = mapped_column(Boolean)


class CouncilRecusal(Base):
    """A member who takes no part in the vote on a candidate (tự động hoặc tự khai)."""

    __tablename__ = "council_recusal"

    candidate_id: Mapped[int] = mapped_column(ForeignKey("council_candidate.id"),
                                              primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("council_member.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(16))  # self | head | declared
    note: Mapped[str] = mapped_column(Text, default="")


class CouncilVote(Base):
    """Who voted on a candidate; ``choice`` only for an open vote (NULL when secret)."""

    __tablename__ = "council_vote"

    candidate_id: Mapped[int] = mapped_column(ForeignKey("council_candidate.id"),
                                              primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("council_member.id"), primary_key=True)
    choice: Mapped[str | None] = mapped_column(String(8))


class CouncilTally(Base):
    """The counted ballots of a candidate per choice (anonymous; paper counts land here too)."""

    __tablename__ = "council_tally"

    candidate_id: Mapped[int] = mapped_column(ForeignKey("council_candidate.id"),
                                              primary_key=True)
    choice: Mapped[str] = mapped_column(String(8), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class CouncilDelivery(Base):
    """The delivery of a closed meeting's result to one procedure instance.

    ``pending`` until the instance has received it (one transaction per instance); a failed
    attempt keeps ``pending`` with its ``error`` and can be retried (``tdkt council deliver``);
    ``void`` when the instance ended (was cancelled) before it could receive the result.
    """

    __tablename__ = "council_delivery"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("council_meeting.id"), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"),
                                             primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
