"""What the templates receive: plain dicts, the same for real documents and samples.

Every context has ``org`` (the issuing body, cơ quan ban hành), ``doc`` (number and
place/date line), ``signer`` (chức vụ, họ tên người ký) and ``recipients_note``
(Nơi nhận). The builders here take plain data; ``gather`` reads it from the database.
Every key a shipped template uses is always present (templates use StrictUndefined).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from workflows.catalogue import vn_number
from workflows.documents.render import money, official_number, vn_date
from workflows.documents.vocab import RESULT_LABEL
from workflows.documents.wording import Awarded, decision_words

# Office settings read for the letterhead (tiêu đề văn bản), with their defaults.
LETTERHEAD_DEFAULTS: dict[str, str] = {
    "document_parent_body": "UBND TỈNH",
    "document_issuer": "VĂN PHÒNG",
    "document_issuer_full": "Văn phòng UBND tỉnh",
    "document_place": "",
    "document_signer_title": "CHÁNH VĂN PHÒNG",
    "document_signer_name": "",
    "document_proposer": "Trưởng phòng Tổ chức - Hành chính - Quản trị",
    "document_council": "Hội đồng Thi đua - Khen thưởng Văn phòng",
}


def letterhead(values: Mapping[str, Any]) -> dict[str, str]:
    """The letterhead from settings (missing or empty ones take their defaults)."""
    return {k: str(values.get(k) or d) for k, d in LETTERHEAD_DEFAULTS.items()}


def _doc(head: Mapping[str, str], number: str | None, when: Any) -> dict[str, str]:
    place = head["document_place"] or "……"
    return {"number": official_number(number) if number else "……",
            "date_line": f"{place}, {vn_date(when)}"}


def _common(head: Mapping[str, str], number: str | None, when: Any,
            signer_name: str | None) -> dict[str, Any]:
    return {
        "org": {"parent": head["document_parent_body"].upper(),
                "name": head["document_issuer"].upper(),
                "full": head["document_issuer_full"],
                "council": head["document_council"]},
        "doc": _doc(head, number, when),
        "signer": {"title": head["document_signer_title"].upper(),
                   "name": head["document_signer_name"] or (signer_name or "")},
        "proposer": head["document_proposer"],
        # Thẩm quyền ban hành: "CHÁNH VĂN PHÒNG UBND TỈNH …".
        "authority": f"{head['document_signer_title']} {head['document_parent_body']}".upper(),
    }


def _rows(recipients: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for i, r in enumerate(recipients, start=1):
        name, unit = r.get("name") or "", r.get("unit") or ""
        rows.append({"index": i, "name": name, "position": r.get("position") or "",
                     "unit": "" if unit == name else unit, "award_name": r.get("award_name") or "",
                     "kind": r.get("kind") or "individual", "amount": r.get("amount"),
                     "amount_text": money(r.get("amount")),
                     "salutation": r.get("salutation") or ""})
    return rows


def legal_basis_lines(catalogue_basis: Iterable[str], extra: Iterable[str] = ()) -> list[str]:
    """"Căn cứ …" lines: the titles' legal basis from the catalogue, then ``extra``."""
    lines: list[str] = []
    for text in [*catalogue_basis, *extra]:
        for part in str(text or "").split(";"):
            part = part.strip().rstrip(".")
            if part and part not in lines:
                lines.append(part)
    return lines


def decision_context(head: Mapping[str, str], *, number: str, when: Any, year: int | None,
                     awards: Sequence[Awarded], recipients: Sequence[Mapping[str, Any]],
                     legal_basis: list[str], council_voted: bool, reason: str = "",
                     signer_name: str | None = None) -> dict[str, Any]:
    """Quyết định khen thưởng: Điều 1 lists the recipients with title, unit and bonus.

    ``awards``: what it gives (titles are recognised, forms given: ``wording``);
    ``reason``: what the recipients did, after «đã có thành tích» (``wording.achievement``).
    """
    rows = _rows(recipients)
    names = ", ".join(dict.fromkeys(a.name for a in awards)) or "khen thưởng"
    basis = list(legal_basis)
    if council_voted:
        basis.append(f"Căn cứ kết quả xét, đề nghị của {head['document_council']}")
    return {**_common(head, number, when, signer_name), "kind": "quyet_dinh",
            "title": "QUYẾT ĐỊNH", **decision_words(awards, year, rows, reason),
            # Kept for templates an admin replaced before the words above existed.
            "award_text": f"{names} năm {year}" if year else names,
            "year": year or "", "legal_basis": basis,
            "recipients": rows, "count": len(rows),
            "total_amount": sum(r["amount"] or 0 for r in rows),
            "total_text": money(sum(r["amount"] or 0 for r in rows)),
            "has_amounts": any(r["amount"] is not None for r in rows)}


def proposal_context(head: Mapping[str, str], *, number: str, when: Any, year: int | None,
                     award_names: list[str], recipients: Sequence[Mapping[str, Any]],
                     legal_basis: list[str], tally: Sequence[Mapping[str, Any]],
                     meeting: Mapping[str, Any] | None = None,
                     signer_name: str | None = None) -> dict[str, Any]:
    """Tờ trình đề nghị UBND tỉnh khen thưởng, with the list and the council's tally."""
    awards = ", ".join(dict.fromkeys(award_names)) or "khen thưởng"
    subject = f"{awards} năm {year}" if year else awards
    return {**_common(head, number, when, signer_name), "kind": "to_trinh_tinh",
            "title": "TỜ TRÌNH", "subject": f"Về việc đề nghị tặng {subject}",
            "award_text": subject, "year": year or "", "legal_basis": list(legal_basis),
            "recipients": _rows(recipients), "count": len(recipients),
            "tally": tally_rows(tally), "meeting": meeting_view(meeting or {})}


def certificate_context(head: Mapping[str, str], *, decision_no: str, when: Any,
                        recipients: Sequence[Mapping[str, Any]], reason: str,
                        signer_name: str | None = None) -> dict[str, Any]:
    """Giấy khen: one landscape page per recipient (one recipient: that person's PDF)."""
    return {**_common(head, decision_no, when, signer_name), "kind": "giay_khen",
            "certificates": _rows(recipients), "reason": reason,
            "decision": {"number": official_number(decision_no), "date": vn_date(when)}}


def meeting_view(meeting: Mapping[str, Any]) -> dict[str, Any]:
    return {"title": meeting.get("title") or "Họp Hội đồng Thi đua - Khen thưởng",
            "date": vn_date(meeting.get("date")), "date_iso": str(meeting.get("date") or ""),
            "mode": "bỏ phiếu trên giấy" if meeting.get("mode") == "paper"
            else "bỏ phiếu điện tử",
            "chair": meeting.get("chair") or "", "secretary": meeting.get("secretary") or "",
            "secret_ballot": bool(meeting.get("secret_ballot"))}


def pct(value: float) -> str:
    """``83,33%``."""
    return f"{vn_number(round(float(value), 2))}%"


BASE_LABEL = {"members": "số thành viên Hội đồng", "present": "số thành viên có mặt"}


def _rule(threshold: Any, vote_base: Any) -> str:
    """«từ 80% trở lên số thành viên Hội đồng» / «quá nửa số thành viên có mặt»."""
    base = BASE_LABEL.get(str(vote_base or "members"), BASE_LABEL["members"])
    return f"quá nửa {base}" if threshold is None else f"từ {pct(threshold)} {base} trở lên"


def _recused_names(c: Mapping[str, Any]) -> list[str]:
    return [f"{r.get('name') or ''} ({r.get('reason') or 'không tham gia biểu quyết'})"
            for r in c.get("recused_members") or [] if isinstance(r, Mapping)]


def tally_rows(candidates: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per candidate: counts, the share of agree votes, the rule and the result.

    ``note`` is what the minutes print under the title, the same in PDF and Word: the
    ballot, the rule (threshold and denominator) and how many members were recused.
    """
    rows = []
    for i, c in enumerate(candidates, start=1):
        agree = int(c.get("agree") or 0)
        base = c.get("denominator") or c.get("base") or 0
        threshold = c.get("threshold_pct")
        recused = int(c.get("recused") or 0)
        ballot = "kín" if c.get("secret_ballot") else "công khai"
        rule = _rule(threshold, c.get("vote_base"))
        note = f"Bỏ phiếu {ballot}; đạt khi đồng ý {rule}"
        if recused:
            note += f"; {recused} thành viên không tham gia biểu quyết"
        rows.append({
            "index": i, "name": c.get("name") or c.get("subject_code") or "",
            "unit": c.get("unit") or "", "award_name": c.get("award_name") or "",
            "agree": agree, "disagree": int(c.get("disagree") or 0),
            "abstain": int(c.get("abstain") or 0), "recused": recused,
            "base": base,
            "share": pct(agree * 100 / base) if base else "—",
            "threshold": "quá bán" if threshold is None else pct(threshold),
            "rule": rule, "note": note,
            "recused_names": _recused_names(c),
            "passed": bool(c.get("passed")),
            "result": RESULT_LABEL[bool(c.get("passed"))],
            "ballot": ballot})
    return rows


def minutes_context(head: Mapping[str, str], data: Mapping[str, Any],
                    when: date | None = None) -> dict[str, Any]:
    """Biên bản kiểm phiếu from the council's data (data: workflows.council.views.minutes_data)."""
    meeting = meeting_view(data.get("meeting") or {})
    present = [str(p) for p in data.get("members_present") or []]
    common = _common(head, None, (data.get("meeting") or {}).get("date") or when,
                     meeting["chair"])
    tally = tally_rows(data.get("candidates") or [])
    return {**common, "kind": "bien_ban_kiem_phieu", "title": "BIÊN BẢN KIỂM PHIẾU",
            "subject": f"{meeting['title']}", "meeting": meeting,
            "members_total": int(data.get("members_total") or 0),
            "members_present": present, "present_count": len(present),
            "tally": tally, "recusals": [t for t in tally if t["recused_names"]],
            "passed_count": sum(1 for c in data.get("candidates") or [] if c.get("passed"))}
