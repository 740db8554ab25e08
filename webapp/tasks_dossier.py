"""The task page's dossier (hồ sơ) and choices: files with versions, uploads, subjects.

Every task page shows the dossier's items with every version (download links) and the
items still missing; a task whose step takes dossier files (the unit's proposal and its
supplement) adds one file input per item. Each chosen file is
checked by ``workflows.dossier.check_file`` before anything is saved, then attached by
``workflows.dossier.add_attachment`` (which checks again, with the right to upload). The
choices offered for subject fields (the unit's people and the unit, or the instance's
nominees) are read here; the handlers check every code again when the task completes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy import select

from engine.errors import EngineError, Forbidden, InvalidData
from engine.roles import Actor
from engine.store.models import Unit
from webapp.readable import Names, local_time
from webapp.services import read_session, services, write_session
from workflows import dossier
from workflows.catalogue import subject
from workflows.history import people_in
from workflows.models import EmulationMovement
from workflows.nominations import instance_nominations, required_unit_items, unit_scope

# Form keys of the steps where a unit files its dossier (proposal, supplement).
DOSSIER_FORMS = frozenset({"nomination_proposal", "thematic_proposal", "adhoc_proposal"})
FIELD = "file-"  # the file input of item ``x`` is ``file-x``
NOMINEE_FIELDS = ("passed_subjects", "approved_subjects", "subject_code", "nominee_code")
Choices = list[tuple[str, str]]


@dataclass(frozen=True)
class Chosen:
    """One checked file of the form, to attach to ``item``."""

    item: str
    filename: str
    data: bytes
    declared_type: str | None = None  # the Content-Type the browser sent


def takes_files(task: dict[str, Any]) -> bool:
    return task.get("form_key") in DOSSIER_FORMS


def max_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_BYTES"])


def size_text(n: int) -> str:
    """A size limit as people read it: «20 MB», «0,5 MB»."""
    if n < 1024 * 1024:
        return f"{n} byte"
    return f"{n / (1024 * 1024):g} MB".replace(".", ",")


def max_text() -> str:
    return size_text(max_bytes())


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, round(n / 1024))} KB"


def _codes(items: Any) -> set[str]:
    """Item codes of a list of ``{"item", "label"}`` (as ``check_dossier`` returns them)."""
    return {i.get("item") for i in items or [] if isinstance(i, dict)} - {None}


def unit_required(instance: dict[str, Any], typed: Any = None) -> set[str]:
    """The items the unit must file on its step, for the title typed (else the data's)."""
    data = dict(instance["data"])
    if typed is not None and typed.get("award_code"):
        data["award_code"] = typed.get("award_code")
    return set(required_unit_items(read_session(), instance["id"], data,
                                   instance.get("process_key")))


def panel(actor: Actor, instance: dict[str, Any], errors: dict[str, Any],
          readonly: bool = False, typed: Any = None) -> list[dict[str, Any]]:
    """The dossier's items: label, versions (newest first; ``current`` and ``previous``),
    required, missing, input errors, and ``main`` (shown unfolded: all until the title's
    required items are known).

    ``readonly`` (a step that does not take files): only the items that have a file, are
    required or missing, all unfolded."""
    files = dossier.list_attachments(read_session(), actor, instance["id"],
                                     policy=services().engine)
    names = Names(read_session())
    names.users(f["uploaded_by"] for f in files)
    by_item: dict[str, list[dict[str, Any]]] = {}
    for f in files:
        f["uploaded"], f["uploader"] = local_time(f["uploaded_at"]), names.user(f["uploaded_by"])
        f["size_text"] = _size(int(f["size"]))
        by_item.setdefault(f["item"], []).append(f)
    checked = instance["data"].get("dossier")  # the procedure's last check_dossier
    checked = checked if isinstance(checked, dict) else {}
    # the unit's step: the title's items from the catalogue (known before any check)
    required = _codes(checked.get("required")) if readonly else unit_required(instance, typed)
    present = {f["item"] for f in files if f["current"]}
    missing = (required or _codes(instance["data"].get("dossier_missing")
                                  or checked.get("missing"))) - present
    codes = list(dossier.UNIT_ITEMS) + [c for c in by_item if c not in dossier.UNIT_ITEMS]
    items = [{"item": code, "label": _(dossier.item_label(code)), "field": FIELD + code,
              "versions": by_item.get(code, []), "missing": code in missing,
              "required": code in required, "errors": errors.get(FIELD + code) or []}
             for code in codes]
    for item in items:  # once the title's items are known, the others fold away
        item["main"] = not required or bool(item["required"] or item["versions"]
                                            or item["errors"])
        # a generated document is current in two files (PDF, DOCX); an upload in one
        item["current"] = [v for v in item["versions"] if v["current"]]
        item["previous"] = [v for v in item["versions"] if not v["current"]]
    if readonly:
        return [dict(i, main=True) for i in items
                if i["versions"] or i["required"] or i["missing"]]
    return items


def chosen_files(errors: dict[str, Any]) -> list[Chosen]:
    """The files chosen in the form, each checked; problems go to ``errors[file-<item>]``."""
    out: list[Chosen] = []
    for key in request.files:
        if not key.startswith(FIELD):
            continue
        item = key[len(FIELD):]
        upload = request.files[key]
        if not upload.filename:
            continue
        if item not in dossier.ITEMS:
            errors[key] = [_("Thành phần hồ sơ không hợp lệ.")]
            continue
        name = dossier.safe_filename(upload.filename, fallback=item)
        data = upload.read()
        try:
            dossier.check_file(name, data, max_bytes(), declared_type=upload.mimetype)
        except InvalidData as exc:
            errors[key] = [exc.message]
            continue
        out.append(Chosen(item, name, data, upload.mimetype))
    return out


def attach(actor: Actor, instance_id: int, files: list[Chosen]) -> dict[str, list[str]]:
    """Attach the checked files (one command each); the engine's refusals by input name."""
    errors: dict[str, list[str]] = {}
    for f in files:
        try:
            dossier.add_attachment(write_session(), services().engine, actor, instance_id,
                                   f.item, f.filename, f.data,
                                   Path(current_app.config["FILES_DIR"]),
                                   max_bytes=max_bytes(), declared_type=f.declared_type)
        except Forbidden:
            raise  # not the person's task (claimed by another): the page answers 403
        except EngineError as exc:
            errors[FIELD + f.item] = [exc.message]
    return errors


# -- choices of subject fields ------------------------------------------------------------
def _unit_subjects(unit_code: str | None) -> Choices:
    """The unit (and its sub-units) and their active people: ``(code, "code — name")``."""
    if not unit_code:
        return []
    session = read_session()
    scope = unit_scope(session, unit_code)
    units = session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(scope))
                            .order_by(Unit.code)).all()
    out = [(code, f"{code} — {name} ({_('tập thể')})") for code, name in units]
    out += [(p.code, f"{p.code} — {p.full_name}") for p in people_in(session, scope)]
    return out


def _nominees(instance_id: int) -> Choices:
    session, out = read_session(), []
    for nom in instance_nominations(session, instance_id):
        try:
            name = subject(session, nom.subject_code).name
        except EngineError:
            name = ""
        label = f"{nom.subject_code} — {name}" if name else nom.subject_code
        if (nom.subject_code, label) not in out:
            out.append((nom.subject_code, label))
    return out


def _movements(form_key: str | None) -> Choices:
    """The movements a proposal may name: thematic ones for a thematic proposal (the
    procedure checks the year, the kind and the units again), newest first."""
    query = select(EmulationMovement.code, EmulationMovement.name, EmulationMovement.year)
    if form_key == "thematic_proposal":
        query = query.where(EmulationMovement.kind == "thematic")
    rows = read_session().execute(query.order_by(EmulationMovement.year.desc(),
                                                 EmulationMovement.name)).all()
    return [(code, f"{name} ({year})") for code, name, year in rows]


def subject_options(instance: dict[str, Any], form_key: str | None = None,
                    data: dict[str, Any] | None = None) -> dict[str, Choices]:
    """Choices of fields the schema leaves open: the unit's people and units for a
    proposal's ``subjects``; the instance's nominees (else the unit's) for the other subject
    fields; the movements for ``movement_code``; and the lists of the option sources the
    form's fields name (the catalogue's titles for the procedure), given ``data``."""
    unit = _unit_subjects(instance.get("unit"))
    nominees = _nominees(instance["id"]) or unit
    options = {name: nominees for name in NOMINEE_FIELDS if nominees}
    if unit:
        options["subjects"] = unit
    options["movement_code"] = _movements(form_key)
    forms = services().engine.forms
    if form_key and form_key in forms:
        options.update(forms.options(read_session(), form_key, data or instance["data"]))
    return options
