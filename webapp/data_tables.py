"""The known structures of an instance's data, as rows and small tables people read.

Each service task leaves a result in the data (``nominated``, ``council_vote``,
``decision_issued``, …; see the handlers' docstrings). Each reader below turns one of
them into labelled rows and tables with Vietnamese headers, names instead of codes; a
value whose shape it does not recognise returns None and is shown folded as technical
data instead. Readers take the value, a ``Names`` and the ``Found`` to fill.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.readable import Names, day_text, money, movement_name

OUTCOMES = {"approved": _l("Đồng ý (có quyết định)"), "partial": _l("Đồng ý một phần"),
            "rejected": _l("Không đồng ý")}
REGISTRATION_STATUS = {"submitted": _l("Đã gửi"), "accepted": _l("Đã chấp nhận"),
                       "rejected": _l("Không chấp nhận")}


@dataclass
class Table:
    """A small table: a caption, column headers, rows of cell texts."""

    title: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Found:
    """What the readers produced: ``(label, text)`` rows and tables."""

    rows: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def _dicts(value: Any) -> list[dict[str, Any]] | None:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        return None
    return value


def _yes(value: Any) -> str:
    return _("Có") if value else _("Không")


def _count(value: Any) -> str:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else "—"


def nominated(value: Any, names: Names, out: Found) -> bool:
    """``create_nominations``: the title proposed and the people or units proposed."""
    noms = _dicts(value.get("nominations")) if isinstance(value, dict) else None
    if noms is None:
        return False
    out.rows.append((_("Danh hiệu / hình thức đề nghị"),
                     f"{names.award(value.get('award_code'))} ({value.get('year', '')})"))
    kinds = {"individual": _("Cá nhân"), "collective": _("Tập thể")}
    out.tables.append(Table(_("Đối tượng được đề nghị"), [_("Cá nhân / tập thể"), _("Loại")], [
        [f"{n.get('name') or names.subject(n.get('subject_code'))} ({n.get('subject_code')})"
         if n.get("name") else names.subject(n.get("subject_code")),
         kinds.get(str(n.get("subject_kind")), str(n.get("subject_kind") or ""))]
        for n in noms]))
    return True


def dossier(value: Any, names: Names, out: Found) -> bool:
    """``check_dossier``: complete, or the items missing; the procedure (full, simplified)."""
    if not isinstance(value, dict) or "missing" not in value:
        return False
    missing = [_(str(m.get("label") or m.get("item"))) for m in _dicts(value["missing"]) or []]
    out.rows.append((_("Thành phần hồ sơ"), _("Đủ thành phần") if not missing else
                     _("Còn thiếu: %(items)s", items="; ".join(missing))))
    if value.get("procedure") in ("full", "simplified"):
        out.rows.append((_("Thủ tục"), _("Thủ tục đơn giản (Luật Điều 85)")
                         if value["procedure"] == "simplified" else _("Thủ tục đầy đủ")))
    return True


def eligibility(value: Any, names: Names, out: Found) -> bool:
    """``check_eligibility``: who is eligible, who is not and the rules they fail."""
    if not isinstance(value, dict) or not isinstance(value.get("eligible"), list):
        return False
    rows = [[names.subject(c), _("Đủ điều kiện"), ""] for c in value["eligible"]]
    for item in _dicts(value.get("ineligible")) or []:
        failed = item.get("failed")
        failed = failed if isinstance(failed, list) else []
        rows.append([names.subject(item.get("subject_code")), _("Không đủ điều kiện"),
                     "; ".join(str(f) for f in failed)])
    headers = [_("Đối tượng"), _("Kết quả"), _("Lý do")]
    if not any(r[2] for r in rows):  # everyone eligible: no column of reasons
        headers, rows = headers[:2], [r[:2] for r in rows]
    out.tables.append(Table(_("Kiểm tra điều kiện khen thưởng"), headers, rows))
    return True


def _tally_table(lines: list[dict[str, Any]], names: Names) -> Table:
    """Votes per candidate; one title for all (the usual case) goes in the caption."""
    awards = {str(t.get("award_code")) for t in lines}
    one = len(awards) == 1
    title = _("Kết quả biểu quyết của Hội đồng")
    if one:
        title = f"{title} — {names.award(next(iter(awards)))}"
    headers = [_("Đối tượng"), *([] if one else [_("Danh hiệu")]), _("Đồng ý"),
               _("Không đồng ý"), _("Không biểu quyết"), _("Không tham gia biểu quyết"),
               _("Cần đạt"), _("Kết quả")]
    rows = [[names.subject(t.get("subject_code")),
             *([] if one else [names.award(t.get("award_code"))]),
             _count(t.get("agree")), _count(t.get("disagree")), _count(t.get("abstain")),
             _count(t.get("recused")), _count(t.get("required")),
             _("Đạt") if t.get("passed") else _("Không đạt")] for t in lines]
    return Table(title, headers, rows)


def _attendance(value: dict[str, Any], out: Found) -> None:
    if value.get("members_total"):
        out.rows.append((_("Thành viên có mặt / tổng số"),
                         f"{_count(value.get('members_present'))} / "
                         f"{_count(value.get('members_total'))}"))


def council_vote(value: Any, names: Names, out: Found) -> bool:
    """``record_council_result``: who passed; the tally per candidate when votes were given."""
    if not isinstance(value, dict) or not isinstance(value.get("passed"), list):
        return False
    _attendance(value, out)
    lines = _dicts(value.get("tally"))
    if lines:
        out.tables.append(_tally_table(lines, names))
    else:
        out.rows.append((_("Được Hội đồng thông qua"), names.subjects(value["passed"])))
        out.rows.append((_("Không được thông qua"), names.subjects(value.get("not_passed"))))
    return True


def council_result(value: Any, names: Names, out: Found) -> bool:
    """The result a closed meeting delivered (the message ``council_result``)."""
    if not isinstance(value, dict) or _dicts(value.get("candidates")) is None:
        return False
    title = str(value.get("meeting_title") or "")
    when = day_text(value["meeting_date"]) if value.get("meeting_date") else ""
    out.rows.append((_("Phiên họp Hội đồng"), f"{title} {when}".strip() or "—"))
    _attendance(value, out)
    out.tables.append(_tally_table(value["candidates"], names))
    return True


def council_submitted(value: Any, names: Names, out: Found) -> bool:
    if not isinstance(value, dict) or not isinstance(value.get("candidates"), list):
        return False
    out.rows.append((_("Trình Hội đồng xét"), names.subjects(value["candidates"])))
    return True


def votes(value: Any, names: Names, out: Found) -> bool:
    """The votes per candidate typed by the council's secretary (form ``council_result``)."""
    lines = _dicts(value)
    if lines is None:
        return False
    out.tables.append(Table(_("Số phiếu của từng đối tượng"), [
        _("Đối tượng"), _("Đồng ý"), _("Không đồng ý"), _("Không biểu quyết")],
        [[names.subject(v.get("subject_code")), _count(v.get("agree")),
          _count(v.get("disagree")), _count(v.get("abstain"))] for v in lines]))
    return True


def complaints(value: Any, names: Names, out: Found) -> bool:
    lines = _dicts(value)
    if lines is None:
        return False
    out.tables.append(Table(_("Kiến nghị, thắc mắc, khiếu nại"), [
        _("Ngày nhận"), _("Nội dung"), _("Đối tượng"), _("Trả lời"), _("Ngày trả lời"),
        _("Có cơ sở")], [
        [day_text(c.get("received_date") or ""), str(c.get("summary") or ""),
         names.subject(c.get("subject_code")) if c.get("subject_code") else "—",
         str(c.get("answer") or "—"), day_text(c.get("answered_date") or "") or "—",
         _yes(c.get("upheld"))] for c in lines]))
    return True


def disclosure_outcome(value: Any, names: Names, out: Found) -> bool:
    if not isinstance(value, dict) or "remaining" not in value:
        return False
    out.rows.append((_("Số kiến nghị đã nhận"), _count(value.get("received"))))
    out.rows.append((_("Bị loại do kiến nghị có cơ sở"), names.subjects(value.get("upheld"))))
    out.rows.append((_("Còn lại sau công khai"), names.subjects(value.get("remaining"))))
    return True


def _numbered(label: Any, number_key: str, date_key: str
              ) -> Callable[[Any, Names, Found], bool]:
    def reader(value: Any, names: Names, out: Found) -> bool:
        if not isinstance(value, dict) or not value.get(number_key):
            return False
        when = day_text(value[date_key]) if value.get(date_key) else ""
        out.rows.append((str(label), _("%(no)s ngày %(date)s", no=value[number_key], date=when)
                         if when else str(value[number_key])))
        return True
    return reader


def registry(value: Any, names: Names, out: Found) -> bool:
    """``record_awards``: the registry rows written, with their bonus."""
    lines = _dicts(value.get("awards")) if isinstance(value, dict) else None
    if lines is None:
        return False
    out.tables.append(Table(_("Đã ghi vào sổ khen thưởng"), [
        _("Đối tượng"), _("Danh hiệu"), _("Số quyết định"), _("Tiền thưởng")],
        [[names.subject(a.get("subject_code")), names.award(a.get("award_code")),
          str(a.get("decision_no") or ""), money(a.get("bonus_amount"))] for a in lines]))
    if "total_bonus" in value:
        out.rows.append((_("Tổng tiền thưởng"), money(value["total_bonus"])))
    return True


def province_answer(value: Any, names: Names, out: Found) -> bool:
    if not isinstance(value, dict) or "outcome" not in value:
        return False
    outcome = str(value["outcome"])
    out.rows.append((_("Kết quả của UBND tỉnh"), str(OUTCOMES.get(outcome, outcome))))
    if value.get("approved_subjects"):
        out.rows.append((_("Được khen thưởng"), names.subjects(value["approved_subjects"])))
    return True


def registered(value: Any, names: Names, out: Found) -> bool:
    """``record_registrations``: the lines written, the deadline and its warnings."""
    if not isinstance(value, dict) or "created" not in value:
        return False
    out.rows.append((_("Bản đăng ký"), _(
        "%(n)s dòng (mới %(created)s, giữ nguyên %(unchanged)s, sửa %(updated)s, bỏ "
        "%(removed)s)", n=_count(value.get("count")), created=_count(value.get("created")),
        unchanged=_count(value.get("unchanged")), updated=_count(value.get("updated")),
        removed=_count(value.get("removed")))))
    if value.get("deadline"):
        out.rows.append((_("Hạn đăng ký"), day_text(value["deadline"])
                         + (f" — {_('nộp muộn')}" if value.get("late") else "")))
    for warning in value.get("warnings") or []:
        out.rows.append((_("Lưu ý"), str(warning)))
    return True


def registration_status(value: Any, names: Names, out: Found) -> bool:
    if not isinstance(value, dict) or "status" not in value:
        return False
    status = str(value["status"])
    label = str(REGISTRATION_STATUS.get(status, status))
    out.rows.append((_("Trạng thái đăng ký"), _("%(status)s (%(n)s dòng)", status=label,
                                                 n=_count(value.get("count")))))
    return True


def entries(value: Any, names: Names, out: Found) -> bool:
    lines = _dicts(value)
    if lines is None:
        return False
    out.tables.append(Table(_("Danh sách đăng ký"), [_("Đối tượng"), _("Danh hiệu")], [
        [names.subject(e.get("subject_code")), names.award(e.get("award_code"))]
        for e in lines]))
    return True


def movement(value: Any, names: Names, out: Found) -> bool:
    if not isinstance(value, dict) or not value.get("name"):
        return False
    out.rows.append((_("Phong trào thi đua"), movement_name(str(value["name"]),
                                                            value.get("year", ""))))
    return True


def nominee(value: Any, names: Names, out: Found) -> bool:
    if not isinstance(value, dict) or not value.get("subject_code"):
        return False
    out.rows.append((_("Đối tượng được khen thưởng"), names.subject(value["subject_code"])))
    return True


def award(value: Any, names: Names, out: Found) -> bool:
    """``check_revocable``: the registry entry a revocation case is about."""
    if not isinstance(value, dict) or not value.get("award_code"):
        return False
    out.rows.append((_("Khen thưởng bị đề nghị hủy bỏ"), _(
        "%(award)s năm %(year)s của %(subject)s, quyết định %(no)s ngày %(date)s",
        award=names.award(value["award_code"]), year=value.get("year", ""),
        subject=names.subject(value.get("subject_code")), no=value.get("decision_no", ""),
        date=day_text(value.get("decision_date") or ""))))
    return True


def revocation(value: Any, names: Names, out: Found) -> bool:
    if not isinstance(value, dict) or "revoked" not in value:
        return False
    if value.get("revoked_decision_no"):
        out.rows.append((_("Quyết định hủy bỏ"), _(
            "%(no)s ngày %(date)s", no=value["revoked_decision_no"],
            date=day_text(value.get("revoked_date") or ""))))
    if value.get("bonus_to_recover") is not None:
        out.rows.append((_("Tiền thưởng phải thu hồi"), money(value["bonus_to_recover"])))
    return True


Reader = Callable[[Any, Names, Found], bool]
READERS: dict[str, Reader] = {
    "nominated": nominated, "dossier": dossier, "eligibility": eligibility,
    "council_vote": council_vote, "council_result": council_result,
    "council_submitted": council_submitted, "votes": votes, "complaints": complaints,
    "disclosure_outcome": disclosure_outcome, "registry": registry,
    "decision_issued": _numbered(_l("Quyết định khen thưởng"), "decision_no", "decision_date"),
    "proposal_issued": _numbered(_l("Tờ trình đề nghị UBND tỉnh"), "document_no",
                                 "document_date"),
    "province_answer": province_answer, "registered": registered,
    "registration_status": registration_status, "entries": entries, "movement": movement,
    "nominee": nominee, "award": award, "revocation": revocation,
}
