"""Render and store the documents of a step: all rendered first, then all stored.

A render error raises ``RenderError`` before anything is written, so the engine
command fails and rolls back (the decision number is given back too).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from engine.roles import Actor
from workflows.catalogue import setting
from workflows.documents import gather
from workflows.documents.context import (
    certificate_context,
    decision_context,
    minutes_context,
    proposal_context,
)
from workflows.documents.render import (
    TemplateSource,
    official_number,
    render_docx,
    render_pdf,
    render_pdf_pages,
)
from workflows.documents.store import Rendered, store_documents
from workflows.documents.wording import achievement
from workflows.models import EmulationMovement, Nomination
from workflows.nominations import CLOSED, instance_nominations, subject_code_of

TEMPLATES_SUBDIR = "templates"
# Nominations a decision lists when the data names none (as update_registry reads them).
APPROVED_STATUSES = ("eligible", "approved", "voted", "disclosed")
CERTIFICATE_AWARDS = ["GK"]  # setting ``certificate_award_codes``


def templates_dir(files_dir: Path) -> Path:
    """Where the admins' replacement templates are kept: ``FILES_DIR/templates``."""
    return Path(files_dir) / TEMPLATES_SUBDIR


def source_for(files_dir: Path | None) -> TemplateSource:
    return TemplateSource(templates_dir(files_dir) if files_dir is not None else None)


def _both(item: str, title: str, context: dict[str, Any], source: TemplateSource,
          nomination_id: int | None = None) -> list[Rendered]:
    return [Rendered(item, "pdf", title, render_pdf(f"{item}.html", context, source),
                     nomination_id, source.hashes(f"{item}.html")),
            Rendered(item, "docx", title, render_docx(f"{item}.docx", context, source),
                     nomination_id, source.hashes(f"{item}.docx"))]


def _approved(noms: list[Nomination], data: dict[str, Any]) -> list[Nomination]:
    listed = data.get("approved_subjects") or None
    if listed:
        codes = {subject_code_of(s) for s in listed}
        return [n for n in noms if n.subject_code in codes]
    return [n for n in noms if n.status in APPROVED_STATUSES]


def decision_documents(session: Session, instance_id: int, data: dict[str, Any],
                       issued: dict[str, Any], actor: Actor | None,
                       source: TemplateSource) -> list[Rendered]:
    """Quyết định (PDF + DOCX) and the Giấy khen of its GK recipients; [] if none approved."""
    noms = _approved(instance_nominations(session, instance_id), data)
    if not noms:
        return []
    head = gather.office_letterhead(session)
    gather.require_letterhead(head)
    number, when = str(issued["decision_no"]), issued["decision_date"]
    rows = gather.recipients(session, noms, with_amounts=True)
    awards = gather.award_rows(session, noms)
    signer = gather.signer_name(actor)
    first = noms[0]
    movement = session.get(EmulationMovement, first.movement_id) if first.movement_id else None
    did = achievement(first.kind, first.year, movement.name if movement else None,
                      data.get("deed_summary"))
    context = decision_context(
        head, number=number, when=when, year=first.year, awards=gather.awarded(awards),
        recipients=rows, legal_basis=gather.legal_basis(session, awards),
        council_voted=bool(data.get("council_vote")), reason=did, signer_name=signer)
    title = f"Quyết định {official_number(number)}"
    docs = _both("quyet_dinh", title, context, source)
    return docs + _certificates(session, rows, number, when, signer, head, source,
                                f"Đã có thành tích {did}")


def _certificates(session: Session, rows: list[dict[str, Any]], number: str, when: Any,
                  signer: str, head: dict[str, str], source: TemplateSource,
                  reason: str) -> list[Rendered]:
    """One Giấy khen PDF per GK recipient, and one PDF with them all."""
    codes = setting(session, "certificate_award_codes", CERTIFICATE_AWARDS)
    chosen = [r for r in rows if r["award_code"] in (codes or [])]
    if not chosen:
        return []

    def context(people: list[dict[str, Any]]) -> dict[str, Any]:
        return certificate_context(head, decision_no=number, when=when, recipients=people,
                                   reason=reason, signer_name=signer)

    whole, pages = render_pdf_pages("giay_khen.html", context(chosen), source)
    if len(pages) != len(chosen):  # a replaced template that does not keep a page each
        pages = [render_pdf("giay_khen.html", context([r]), source) for r in chosen]
    used = source.hashes("giay_khen.html")
    docs = [Rendered("giay_khen", "pdf", f"Giấy khen - {r['name']}", page, r["nomination_id"],
                     used) for r, page in zip(chosen, pages, strict=True)]
    if len(chosen) > 1:
        docs.append(Rendered("giay_khen", "pdf", f"Giấy khen - tất cả ({len(chosen)})", whole,
                             templates=used))
    return docs


def proposal_documents(session: Session, instance_id: int, data: dict[str, Any],
                       issued: dict[str, Any], actor: Actor | None,
                       source: TemplateSource) -> list[Rendered]:
    """Tờ trình to the province (PDF + DOCX) with the list and the council's tally.

    [] without nominations in the running (e.g. a revocation forwarded to the province:
    its tờ trình is not a proposal to award).
    """
    noms = [n for n in instance_nominations(session, instance_id) if n.status not in CLOSED]
    if not noms:
        return []
    rows = gather.recipients(session, noms, with_amounts=False)
    awards = gather.award_rows(session, noms)
    tally, meeting = _council(data, {r["subject_code"]: r["name"] for r in rows})
    number = str(issued["document_no"])
    head = gather.office_letterhead(session)
    gather.require_letterhead(head)
    context = proposal_context(
        head, number=number, when=issued["document_date"],
        year=noms[0].year, award_names=[a.name for a in awards],
        recipients=rows, legal_basis=gather.legal_basis(session, awards), tally=tally,
        meeting=meeting, signer_name=gather.signer_name(actor))
    return _both("to_trinh_tinh", f"Tờ trình {official_number(number)}", context, source)


def _council(data: dict[str, Any], names: dict[str, str]
             ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The council's tally of these candidates and its meeting, from the instance data:
    the meeting's message (``council_result``) or the recorded counts (``council_vote``)."""
    message = data.get("council_result") if isinstance(data.get("council_result"), dict) \
        else {}
    vote = data.get("council_vote") if isinstance(data.get("council_vote"), dict) else {}
    lines = (message or {}).get("candidates") or (vote or {}).get("tally") or []
    tally = [{**t, "name": names[t["subject_code"]],
              "denominator": t.get("denominator") or t.get("base")}
             for t in lines if isinstance(t, dict) and t.get("subject_code") in names]
    meeting = {"date": (message or {}).get("meeting_date"),
               "title": (message or {}).get("meeting_title"),
               "mode": (message or {}).get("mode"),
               "secret_ballot": any(t.get("secret_ballot") for t in tally)}
    return tally, meeting


def minutes_documents(session: Session, data: dict[str, Any], source: TemplateSource,
                      issue: bool = True) -> list[Rendered]:
    """Biên bản kiểm phiếu (PDF + DOCX) from the council's data.

    ``issue`` False: rendered only to check the template (nothing stored), so an
    unfinished letterhead does not stop it.
    """
    head = gather.office_letterhead(session)
    if issue:
        gather.require_letterhead(head)
    context = minutes_context(head, data)
    meeting = data.get("meeting") or {}
    title = f"Biên bản kiểm phiếu - họp {meeting.get('id') or ''} {context['meeting']['date']}"
    return _both("bien_ban_kiem_phieu", " ".join(title.split()), context, source)


def generate(session: Session, actor: Actor, instance_id: int, docs: list[Rendered],
             files_dir: Path) -> list[dict[str, Any]]:
    """Store rendered documents; a compact summary for the step's result."""
    stored = store_documents(session, actor, instance_id, docs, files_dir)
    return [{"id": v["id"], "item": v["item"], "filename": v["filename"], "sha256": v["sha256"]}
            for v in stored]
