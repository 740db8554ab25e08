"""Domain tables of TĐKT (typed SQLAlchemy 2), on the engine's metadata.

Units are the engine's ``unit`` table (one tree for the whole application);
a *subject* of an award is a person (``person.code``) or a unit
(``unit.code``). Configurable values live in rows (``award_type.rules``,
``setting``), never in code.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base, utcnow

RATINGS = ("HTXSNV", "HTTNV", "HTNV", "KHTNV")  # xuất sắc, tốt, hoàn thành, không hoàn thành
AWARD_KINDS = ("annual", "thematic", "adhoc")
INITIATIVE_LEVELS = ("co_so", "tinh", "toan_quoc")
DISCIPLINE_FORMS = ("khien_trach", "canh_cao", "ha_bac", "cach_chuc", "buoc_thoi_viec")
SUBJECT_KINDS = ("individual", "collective", "both")


class Person(Base):
    """A civil servant or employee (cán bộ, công chức, viên chức, người lao động)."""

    __tablename__ = "person"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(255))
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"), index=True)
    position: Mapped[str] = mapped_column(String(255), default="")
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    gender: Mapped[str | None] = mapped_column(String(8))  # male | female
    birth_year: Mapped[int | None] = mapped_column(Integer)
    education: Mapped[str | None] = mapped_column(String(16))
    tdkt_since: Mapped[int | None] = mapped_column(Integer)  # year they began TĐKT work
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AwardType(Base):
    """The award catalogue (danh mục danh hiệu, hình thức khen thưởng)."""

    __tablename__ = "award_type"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    subject_kind: Mapped[str] = mapped_column(String(16))  # individual | collective | both
    level: Mapped[str] = mapped_column(String(16))  # office | province | national
    decided_by: Mapped[str] = mapped_column(String(255))
    bonus_coefficient: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    secret_ballot: Mapped[bool] = mapped_column(Boolean, default=False)
    vote_threshold_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    vote_base: Mapped[str] = mapped_column(String(16), default="members")  # members | present
    needs_disclosure: Mapped[bool] = mapped_column(Boolean, default=False)
    disclosure_working_days: Mapped[int] = mapped_column(Integer, default=10)
    dossier_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    simplified_dossier_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    registration_required: Mapped[bool] = mapped_column(Boolean, default=False)
    # The procedures it may be proposed in (AWARD_KINDS): annual, thematic, adhoc.
    kinds: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["annual"],
                                             server_default=text("'[\"annual\"]'"))
    # Title-specific configurable values (percentages, years, quotas), read by eligibility.
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def within_office_power(self) -> bool:
        """Decided by the office itself (else proposed to the province)."""
        return self.level == "office"

    @property
    def is_emulation_title(self) -> bool:
        """A title (danh hiệu thi đua: Lao động tiên tiến, Chiến sĩ thi đua, Tập thể lao động
        tiên tiến, Cờ thi đua…), else a form of commendation (hình thức khen thưởng: Giấy
        khen, Bằng khen…). Read from the catalogue: a title is for one kind of subject
        (individual or collective) and proposed in the annual procedure only (the catalogue's
        Law Art. 21-28); a form (Art. 73-75) may go to individuals and collectives alike, or
        be given for a thematic movement or an exceptional deed. A decision *recognises* a
        title (công nhận danh hiệu) and *gives* a form (tặng Giấy khen)."""
        return self.subject_kind != "both" and set(self.kinds or ["annual"]) == {"annual"}


class Setting(Base):
    """Office-wide configurable values: base salary, deadlines in working days, …"""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(Integer)


class EmulationMovement(Base):
    """An emulation movement (phong trào thi đua), annual or thematic."""

    __tablename__ = "emulation_movement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))  # annual | thematic
    year: Mapped[int] = mapped_column(Integer, index=True)
    # central | province | office (who launched it: the columns of form 0601.N)
    launch_level: Mapped[str] = mapped_column(String(16), default="office")
    scope: Mapped[str] = mapped_column(String(16), default="office")  # national|local|bloc|office
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    target_units: Mapped[list[str]] = mapped_column(JSON, default=list)  # [] = every unit
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Registration(Base):
    """An emulation registration (đăng ký thi đua): a subject aims for a title in a year."""

    __tablename__ = "emulation_registration"
    __table_args__ = (
        UniqueConstraint("year", "subject_code", "award_code", name="uq_registration_subject"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    subject_code: Mapped[str] = mapped_column(String(64), index=True)
    award_code: Mapped[str] = mapped_column(ForeignKey("award_type.code"))
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("emulation_movement.id"))
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"))
    instance_id: Mapped[int | None] = mapped_column(Integer)
    registered_by: Mapped[int | None] = mapped_column(Integer)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    # submitted | accepted | rejected. The procedure writes "submitted" and the secretariat's
    # review moves it on; a row written outside the procedure (imports, rows that predate the
    # column) is a record of an accepted registration, hence the server default.
    status: Mapped[str] = mapped_column(String(16), server_default="accepted")


class Rating(Base):
    """Year-end rating (xếp loại) of a person or a unit: HTXSNV, HTTNV, HTNV, KHTNV."""

    __tablename__ = "annual_rating"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    rating: Mapped[str] = mapped_column(String(8))


class Initiative(Base):
    """A recognised initiative (sáng kiến) and the level of its recognition or impact."""

    __tablename__ = "initiative"
    __table_args__ = (
        UniqueConstraint("year", "person_code", "title", name="uq_initiative_person_title"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    person_code: Mapped[str] = mapped_column(ForeignKey("person.code"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    level: Mapped[str] = mapped_column(String(16))  # co_so | tinh | toan_quoc


class Discipline(Base):
    """A disciplinary measure (kỷ luật), or a pending case (đang xem xét)."""

    __tablename__ = "discipline"
    __table_args__ = (
        UniqueConstraint("person_code", "form", "start_date", name="uq_discipline_case"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_code: Mapped[str] = mapped_column(ForeignKey("person.code"), index=True)
    form: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    pending: Mapped[bool] = mapped_column(Boolean, default=False)


class Award(Base):
    """The award registry (sổ khen thưởng): every title or form a subject received."""

    __tablename__ = "award_record"
    __table_args__ = (
        UniqueConstraint("year", "subject_code", "award_code", "kind", "decision_no",
                         name="uq_award_record_decision"),
        Index("ix_award_record_subject_year", "subject_code", "year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    subject_code: Mapped[str] = mapped_column(String(64))
    award_code: Mapped[str] = mapped_column(ForeignKey("award_type.code"))
    kind: Mapped[str] = mapped_column(String(16))  # annual | thematic | adhoc
    decision_no: Mapped[str] = mapped_column(String(64))
    decision_date: Mapped[date] = mapped_column(Date)
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("emulation_movement.id"))
    instance_id: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16), default="workflow")  # workflow | import
    bonus_amount: Mapped[int | None] = mapped_column(Integer)  # đồng
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_decision_no: Mapped[str | None] = mapped_column(String(64))
    revoked_date: Mapped[date | None] = mapped_column(Date)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Nomination(Base):
    """One subject proposed for one award in one procedure instance (đề nghị khen thưởng)."""

    __tablename__ = "nomination"
    __table_args__ = (
        UniqueConstraint("instance_id", "subject_code", "award_code",
                         name="uq_nomination_instance_subject"),
        Index("ix_nomination_year_award", "year", "award_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    process_key: Mapped[str] = mapped_column(String(128))
    year: Mapped[int] = mapped_column(Integer)
    award_code: Mapped[str] = mapped_column(ForeignKey("award_type.code"))
    subject_code: Mapped[str] = mapped_column(String(64), index=True)
    subject_kind: Mapped[str] = mapped_column(String(16))  # individual | collective
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"))
    kind: Mapped[str] = mapped_column(String(16))  # annual | thematic | adhoc
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("emulation_movement.id"))
    status: Mapped[str] = mapped_column(String(24), default="submitted")
    eligibility: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # last verdict
    award_id: Mapped[int | None] = mapped_column(ForeignKey("award_record.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(Base):
    """A dossier file (hồ sơ); a supplement adds versions, earlier ones are kept."""

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_instance_item", "instance_id", "item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    nomination_id: Mapped[int | None] = mapped_column(ForeignKey("nomination.id"))
    item: Mapped[str] = mapped_column(String(32))  # to_trinh, danh_sach, bao_cao_thanh_tich, …
    version: Mapped[int] = mapped_column(Integer, default=1)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255))
    uploaded_by: Mapped[int | None] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded_at: Mapped[datetime | None]


class DecisionCounter(Base):
    """The office's register of decision numbers (sổ quyết định): one counter per year.

    A number is taken by incrementing the row under a lock in the same transaction
    that records the decision, so numbers are sequential and never reused.
    """

    __tablename__ = "decision_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    series: Mapped[str] = mapped_column(String(32), primary_key=True, default="QĐ-VP")
    last_number: Mapped[int] = mapped_column(Integer, default=0)
