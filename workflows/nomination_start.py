"""Starting a unit's proposal (lập đề nghị khen thưởng): what may be picked, and the start.

The rules of the start page live here, not in the web layer: which procedures a unit
starts itself, which titles each allows for a person or a collective (the live award
catalogue's active titles whose ``kinds`` name the procedure, as its forms offer them,
``workflows.forms.options``), which people and units
the unit may propose (its registry), the suggested business key. What the submitter picks
becomes the instance's start data, so the first step's form opens filled in: nothing is
typed twice. Every choice is checked again by the procedure's handlers when that step is
completed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import EngineError, Forbidden, InvalidData
from engine.roles import Actor
from engine.service import ProcessEngine
from engine.store.models import ProcessInstance, Unit
from workflows import dossier
from workflows.catalogue import award_types
from workflows.dossier import UNIT_ITEMS
from workflows.history import people_in
from workflows.models import EmulationMovement
from workflows.nominations import MAX_SUBJECTS, SIMPLIFIED_PROCESSES, unit_items, unit_scope

INDIVIDUAL, COLLECTIVE = "individual", "collective"
SUBJECT_KINDS = {INDIVIDUAL: "Cá nhân", COLLECTIVE: "Tập thể"}
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class Procedure:
    """A procedure a unit starts itself, and what its first step (a form) takes."""

    key: str
    form_key: str
    kind: str  # which titles it proposes: award_type.kinds (annual, thematic, adhoc)
    takes_year: bool = True
    takes_movement: bool = True
    one_subject: bool = False  # an ad-hoc award names one person or one collective
    dossier: bool = True  # the unit files a dossier (registration: none)


# The procedures a unit starts itself, in the order the start page offers them.
PROCEDURES: dict[str, Procedure] = {p.key: p for p in (
    Procedure("annual_title_nomination", "nomination_proposal", "annual"),
    Procedure("thematic_award", "thematic_proposal", "thematic"),
    Procedure("adhoc_award", "adhoc_proposal", "adhoc", takes_year=False,
              takes_movement=False, one_subject=True),
    Procedure("emulation_registration", "registration", "annual", dossier=False),
)}


# What the picks are checked against while no procedure is picked.
ANY_PROCEDURE = Procedure("", "", "")


@dataclass(frozen=True)
class AwardOption:
    code: str
    name: str
    subject_kind: str  # individual | collective | both
    procedures: tuple[str, ...]  # the keys of the procedures that take it
    # procedure key -> the dossier items the unit must file for this title there
    required: dict[str, list[str]] = field(default_factory=dict, hash=False, compare=False)

    def suits(self, kind: str) -> bool:
        return self.subject_kind in (kind, "both")


@dataclass
class StartOptions:
    """What the start page offers the actor."""

    procedures: list[tuple[str, str]]  # (key, name) the actor may start
    awards: list[AwardOption]
    people: list[tuple[str, str, str]]  # (code, full name, position)
    units: list[tuple[str, str]]  # (code, name): the unit and its sub-units
    movements: list[tuple[str, str, int]]  # (code, name, year)
    this_year: int
    suggested_key: str


@dataclass
class StartChoice:
    """What the submitter picked on the start page (as typed; checked by ``check``)."""

    process_key: str = ""
    year: str = ""
    award_code: str = ""
    subject_kind: str = INDIVIDUAL
    subjects: list[str] = field(default_factory=list)
    movement_code: str = ""
    business_key: str = ""


def this_year(engine: ProcessEngine) -> int:
    return engine.calendar.local_date(datetime.now(UTC)).year


def startable(session: Session, engine: ProcessEngine, actor: Actor) -> list[tuple[str, str]]:
    """(key, name) of the deployed unit procedures the actor's roles may start."""
    deployed = {p["key"]: p for p in engine.list_processes(session)}
    out = []
    for key in PROCEDURES:
        process = deployed.get(key)
        if process is not None and (process["start_role"] is None
                                    or process["start_role"] in actor.roles):
            out.append((key, process["name"] or key))
    return out


def award_options(session: Session, engine: ProcessEngine) -> list[AwardOption]:
    """The catalogue's active titles, each with the unit procedures that take it and the
    dossier items the unit must file for it in each."""
    out = []
    for a in award_types(session):
        keys = tuple(k for k, p in PROCEDURES.items() if p.kind in (a.kinds or ["annual"]))
        required = {k: unit_items(a, k in SIMPLIFIED_PROCESSES) for k in keys
                    if PROCEDURES[k].dossier}
        out.append(AwardOption(a.code, a.name, a.subject_kind, keys, required))
    return out


def _movements(session: Session, unit_code: str | None, years: set[int]
               ) -> list[tuple[str, str, int]]:
    rows = session.scalars(select(EmulationMovement).where(EmulationMovement.year.in_(years))
                           .order_by(EmulationMovement.year.desc(), EmulationMovement.code))
    return [(m.code, m.name, m.year) for m in rows
            if not m.target_units or unit_code in m.target_units]


def _key_prefix(engine: ProcessEngine, actor: Actor) -> str:
    return f"DN-{this_year(engine)}-{actor.unit_code or 'VP'}-"


def _taken_numbers(session: Session, prefix: str) -> list[int]:
    keys = session.scalars(select(ProcessInstance.business_key).where(
        ProcessInstance.business_key.startswith(prefix, autoescape=True)))
    return [int(k[len(prefix):]) for k in keys if k and k[len(prefix):].isdigit()]


def suggested_key(session: Session, engine: ProcessEngine, actor: Actor) -> str:
    """The next free ``DN-<year>-<unit>-<nnn>`` of the actor's unit."""
    prefix = _key_prefix(engine, actor)
    return f"{prefix}{max(_taken_numbers(session, prefix), default=0) + 1:03d}"


def business_key(session: Session, engine: ProcessEngine, actor: Actor, typed: str) -> str:
    """The key the new dossier takes, inside the start's transaction: the unit's row is
    locked first (PostgreSQL; SQLite's write transaction holds the lock already), so two
    starts at once never take the same number. Empty, or a suggested key someone took
    meanwhile: the next free number. A key typed by hand must be new.

    Raises:
        InvalidData: ``nomination.start_invalid`` on ``business_key``, a key in use.
    """
    session.execute(select(Unit.code).where(Unit.code == actor.unit_code).with_for_update())
    prefix = _key_prefix(engine, actor)
    rest = typed[len(prefix):] if typed.startswith(prefix) else None
    if not typed or (rest is not None and rest.isdigit()
                     and int(rest) in _taken_numbers(session, prefix)):
        return suggested_key(session, engine, actor)
    if session.scalar(select(ProcessInstance.id).where(
            ProcessInstance.business_key == typed).limit(1)) is not None:
        message = (f"Mã hồ sơ «{typed}» đã được dùng; hãy đặt mã khác, hoặc để trống để "
                   "lấy mã tự động.")
        raise InvalidData(message, code="nomination.start_invalid",
                          details={"business_key": [message]})
    return typed


def start_options(session: Session, engine: ProcessEngine, actor: Actor) -> StartOptions:
    year = this_year(engine)
    scope = unit_scope(session, actor.unit_code) if actor.unit_code else set()
    units = list(session.execute(select(Unit.code, Unit.name).where(
        Unit.code.in_(scope), Unit.active.is_(True)).order_by(Unit.code)).all())
    return StartOptions(
        procedures=startable(session, engine, actor),
        awards=award_options(session, engine),
        people=[(p.code, p.full_name, p.position) for p in people_in(session, scope)],
        units=[(code, name) for code, name in units],
        movements=_movements(session, actor.unit_code, {year - 1, year, year + 1}),
        this_year=year, suggested_key=suggested_key(session, engine, actor))


# -- checking what was picked, and the start ------------------------------------------------
@dataclass(frozen=True)
class Upload:
    """One file of the start form: its input's name, the dossier item, what was sent."""

    field: str
    item: str
    filename: str
    data: bytes
    declared_type: str | None = None


@dataclass
class Started:
    instance: dict[str, Any]
    not_attached: list[str]  # «file name: reason» of files the engine refused afterwards


class _Errors(dict[str, list[str]]):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


def _year(choice: StartChoice, errors: _Errors) -> int | None:
    text = choice.year.strip()
    if text.isdigit() and MIN_YEAR <= int(text) <= MAX_YEAR:
        return int(text)
    errors.add("year", f"Vui lòng chọn năm khen thưởng (từ {MIN_YEAR} đến {MAX_YEAR}).")
    return None


def _award(session: Session, engine: ProcessEngine, proc: Procedure, choice: StartChoice,
           errors: _Errors) -> AwardOption | None:
    found = {a.code: a for a in award_options(session, engine)}.get(choice.award_code)
    if found is None or proc.key not in found.procedures:
        errors.add("award_code", "Vui lòng chọn danh hiệu / hình thức khen thưởng mà thủ tục "
                                 "này xét.")
        return None
    if choice.subject_kind in SUBJECT_KINDS and not found.suits(choice.subject_kind):
        errors.add("award_code", f"«{found.name}» không xét cho "
                                 f"{SUBJECT_KINDS[choice.subject_kind].lower()}.")
    return found


def _subjects(session: Session, actor: Actor, proc: Procedure, choice: StartChoice,
              errors: _Errors) -> list[tuple[str, str]]:
    """(code, name) of the picked people or units, each of the actor's unit and kind."""
    if choice.subject_kind not in SUBJECT_KINDS:
        errors.add("subject_kind", "Vui lòng chọn cá nhân hoặc tập thể.")
        return []
    scope = unit_scope(session, actor.unit_code) if actor.unit_code else set()
    if choice.subject_kind == INDIVIDUAL:
        known = {p.code: p.full_name for p in people_in(session, scope)}
    else:
        known = dict(session.execute(select(Unit.code, Unit.name).where(
            Unit.code.in_(scope), Unit.active.is_(True))).all())
    codes = list(dict.fromkeys(c.strip() for c in choice.subjects if c.strip()))
    strangers = [c for c in codes if c not in known]
    if strangers:
        errors.add("subjects", "Không thuộc đơn vị của bạn (hoặc không đúng loại đối tượng "
                               f"đã chọn): {', '.join(strangers)}.")
    if proc.one_subject and len(codes) > 1:
        errors.add("subjects", "Khen thưởng đột xuất đề nghị cho một cá nhân hoặc một tập thể.")
    elif not proc.one_subject and not codes:
        errors.add("subjects", "Vui lòng chọn ít nhất một cá nhân hoặc tập thể được đề nghị.")
    elif len(codes) > MAX_SUBJECTS:
        errors.add("subjects", f"Một đề nghị có tối đa {MAX_SUBJECTS} đối tượng.")
    return [(c, known[c]) for c in codes if c in known]


def _movement(session: Session, actor: Actor, choice: StartChoice, year: int | None,
              errors: _Errors) -> str | None:
    code = choice.movement_code.strip()
    if not code:
        return None
    found = {c: y for c, _n, y in _movements(session, actor.unit_code, {year or 0})}
    if code not in found:
        errors.add("movement_code", f"Không có phong trào «{code}» của năm {year} dành cho "
                                    "đơn vị bạn.")
        return None
    return code


def start_data(proc: Procedure, choice: StartChoice, year: int | None, award: str,
               subjects: list[tuple[str, str]], movement: str | None) -> dict[str, Any]:
    """The instance's start data: the first step's own fields, named as its form names
    them, so that form opens filled in."""
    codes = [c for c, _name in subjects]
    if proc.one_subject:
        data: dict[str, Any] = {"subject_kind": choice.subject_kind, "award_code": award}
        if subjects:
            data |= {"nominee_code": codes[0], "nominee_name": subjects[0][1]}
        return data
    data = {"year": year, "award_code": award}
    if proc.form_key == "registration":
        data = {"year": year, "entries": [{"subject_code": c, "award_code": award}
                                          for c in codes]}
    else:
        data["subjects"] = codes
    if movement:
        data["movement_code"] = movement
    return data


def check_choice(session: Session, engine: ProcessEngine, actor: Actor, choice: StartChoice
                 ) -> tuple[Procedure | None, dict[str, Any], dict[str, list[str]]]:
    """The procedure and the start data of what was picked, and the problems by field.

    Raises:
        Forbidden: ``process.start_forbidden``, the actor's roles may not start it.
    """
    errors = _Errors()
    deployed = {p["key"]: p["start_role"] for p in engine.list_processes(session)}
    proc = PROCEDURES.get(choice.process_key) if choice.process_key in deployed else None
    role = deployed.get(choice.process_key)
    if proc is not None and role is not None and role not in actor.roles:
        raise Forbidden(f"Chỉ vai trò «{role}» được khởi tạo thủ tục này.",
                        code="process.start_forbidden")
    if len(choice.business_key.strip()) > 100:
        errors.add("business_key", "Mã hồ sơ không quá 100 ký tự.")
    if proc is None:  # the other picks are still checked, so every gap shows at once
        errors.add("process", "Vui lòng chọn thủ tục đề nghị khen thưởng.")
        _year(choice, errors)
        if choice.award_code not in {a.code for a in award_options(session, engine)}:
            errors.add("award_code", "Vui lòng chọn danh hiệu / hình thức khen thưởng.")
        _subjects(session, actor, ANY_PROCEDURE, choice, errors)
        return None, {}, dict(errors)
    year = _year(choice, errors) if proc.takes_year else None
    award = _award(session, engine, proc, choice, errors)
    subjects = _subjects(session, actor, proc, choice, errors)
    movement = _movement(session, actor, choice, year, errors) if proc.takes_movement else None
    data = start_data(proc, choice, year, award.code if award else "", subjects, movement)
    return proc, data, dict(errors)


def check_uploads(uploads: list[Upload], max_bytes: int) -> dict[str, list[str]]:
    """Problems of the chosen files by input name: an item to file each under, once each,
    and a file of an allowed kind (``dossier.check_file``)."""
    errors = _Errors()
    seen: set[str] = set()
    for up in uploads:
        if up.item not in UNIT_ITEMS:
            errors.add(up.field, "Vui lòng chọn thành phần hồ sơ cho tệp này.")
        elif up.item in seen:
            errors.add(up.field, "Mỗi thành phần hồ sơ chỉ chọn một tệp.")
        else:
            seen.add(up.item)
            try:
                dossier.check_file(up.filename, up.data, max_bytes, up.declared_type)
            except InvalidData as exc:
                errors.add(up.field, exc.message)
    return dict(errors)


def start_nomination(session: Session, engine: ProcessEngine, actor: Actor,
                     choice: StartChoice, uploads: list[Upload], files_dir: Path,
                     max_bytes: int) -> Started:
    """Check everything, start the procedure with the picks as its start data, then attach
    the files (one command each). Nothing is created while anything picked is wrong.

    Raises:
        InvalidData: ``nomination.start_invalid``, ``details`` by input name.
        Forbidden: ``process.start_forbidden``.
    """
    proc, data, errors = check_choice(session, engine, actor, choice)
    errors = {**errors, **check_uploads(uploads, max_bytes)}
    if errors or proc is None:
        raise InvalidData("Chưa tạo hồ sơ: vui lòng kiểm tra các trường được đánh dấu.",
                          code="nomination.start_invalid", details=errors)
    key = business_key(session, engine, actor, choice.business_key.strip())
    inst = engine.start_instance(session, proc.key, actor, data, business_key=key)
    failed = []
    for up in uploads:
        try:
            dossier.add_attachment(session, engine, actor, inst["id"], up.item, up.filename,
                                   up.data, files_dir, max_bytes=max_bytes,
                                   declared_type=up.declared_type)
        except EngineError as exc:
            failed.append(f"{up.filename}: {exc.message}")
    return Started(inst, failed)
