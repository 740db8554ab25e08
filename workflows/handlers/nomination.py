"""Handlers for nominations (đề nghị khen thưởng): create them, move their status.

Every procedure that proposes subjects for a title reuses these: the unit's
proposal becomes ``Nomination`` rows of the instance, and the diagram moves
their status along the states people expect (đã gửi, trả lại, đã thẩm định, …).
Around them: the dossier's completeness (``check_dossier``), the council's tally
counted against the title's threshold (``record_council_result``) and the
complaints of the disclosure (``record_complaints``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.errors import InvalidData
from engine.extensions import ServiceCall
from workflows.catalogue import setting, subject_names
from workflows.council.rules import required_agree, vote_base_of
from workflows.models import AwardType, Nomination
from workflows.nominations import (
    CLOSED,
    Proposal,
    dossier_gaps,
    instance_nominations,
    item_views,
    nomination_view,
    set_status,
    subject_code_of,
    sync_nominations,
)


def create_nominations(call: ServiceCall) -> dict[str, Any]:
    """Create or refresh the instance's nominations from the proposal in its data.

    Reads ``year``, ``award_code``, ``subjects`` (person or unit codes), optional
    ``movement_code`` and ``kind`` (else the task's ``kind`` parameter, else
    "annual"). Refuses with ``nomination.invalid`` (InvalidData, field details)
    when the title or a subject is unknown, a subject's kind does not fit the
    title, a subject is outside the instance's unit (unless the actor works
    office-wide) or is listed twice; with ``nomination.duplicate`` when another open
    instance already proposes a subject for the same title (``check_not_pursued_elsewhere``).

    Returns:
        ``{"count", "nominations": [{"id", "subject_code", "subject_kind", "name"}],
        "award_code", "award_name", "year", "kind", "level", "needs_disclosure",
        "within_office_power", "disclosure_working_days", "complaint_working_days"}``.
    """
    data = call.data
    proposal = Proposal(year=data.get("year"), award_code=data.get("award_code"),
                        subjects=data.get("subjects"),
                        kind=data.get("kind") or call.params.get("kind") or "annual",
                        movement_code=data.get("movement_code"))
    award, noms = sync_nominations(call.session, call.instance_id, call.process_key,
                                   call.actor, proposal)
    names = subject_names(call.session, [n.subject_code for n in noms])
    return {
        "count": len(noms),
        "nominations": [nomination_view(n, names.get(n.subject_code, n.subject_code))
                        for n in noms],
        "award_code": award.code,
        "award_name": award.name,
        "year": proposal.year,
        "kind": proposal.kind,
        "level": award.level,
        "needs_disclosure": bool(award.needs_disclosure),
        "within_office_power": award.within_office_power,
        # The disclosure window of this title, and the time to answer a late complaint.
        "disclosure_working_days": int(award.disclosure_working_days),
        "complaint_working_days": int(setting(call.session, "complaint_working_days", 10)),
    }


def set_nomination_status(call: ServiceCall) -> dict[str, Any]:
    """Set the status of the instance's nominations (parameter ``status``).

    Optional parameters: ``subjects`` (a list of codes or rows with
    ``subject_code``; only those get ``status``) and ``others`` (the status for
    the rest). Without ``subjects`` every nomination still in the running gets
    ``status``; ``not_approved`` reaches every one not yet decided.

    Returns:
        ``{"status", "count", "changed": {status: [subject codes]}}``.
    """
    status = call.params.get("status")
    if not status:
        raise ValueError("Sơ đồ thiếu tham số status cho bước ghi trạng thái hồ sơ.")
    subjects = call.params.get("subjects")
    if subjects is not None and not isinstance(subjects, list):
        raise ValueError("Tham số subjects của bước ghi trạng thái phải là một danh sách.")
    changed = set_status(call.session, call.instance_id, str(status), subjects,
                         call.params.get("others"))
    return {"status": status, "count": len(changed.get(str(status), [])), "changed": changed}


def _candidates(call: ServiceCall) -> list[Nomination]:
    """The nominations put to the council (``in_council``; else every one in the running)."""
    noms = instance_nominations(call.session, call.instance_id)
    return [n for n in noms if n.status == "in_council"] or \
        [n for n in noms if n.status not in CLOSED]


def record_council_result(call: ServiceCall) -> dict[str, Any]:
    """Record the council's result (kết quả xét của Hội đồng) for its candidates.

    The candidates are the nominations put to the council (status ``in_council``; when
    none has it, every one still in the running). With ``votes`` in the data (one line
    per candidate: ``subject_code``, ``agree``, ``disagree``, ``abstain``) plus
    ``members_total`` and ``members_present``, the result is computed against each
    title's threshold (``_tally``); the parameter ``tally`` makes the votes mandatory.
    Without votes (procedures that still record the paper result by hand) the data's
    ``passed_subjects`` is taken as it is. Passed candidates become ``voted``, the
    others ``not_approved``.

    Raises:
        InvalidData: ``council.no_quorum`` (members present not above the
            ``council_quorum_pct`` setting), ``council.invalid`` (missing, unknown or
            repeated candidates, counts that do not add up), ``nomination.invalid``
            (a passed code that is not a candidate).

    Returns:
        ``{"passed", "not_passed", "count"}`` and, from votes, ``members_total``,
        ``members_present``, ``quorum_pct`` and ``tally`` (per candidate: the counts,
        ``vote_base``, ``base``, ``threshold_pct``, ``required`` agree votes, ``passed``).
    """
    candidates = _candidates(call)
    if call.data.get("votes") is not None or call.params.get("tally"):
        result = _tally(call, candidates)
        passed = result["passed"]
    else:
        passed = _passed_by_hand(call, [n.subject_code for n in candidates])
        result = {"passed": passed}
    not_passed = [n.subject_code for n in candidates if n.subject_code not in passed]
    if passed:
        set_status(call.session, call.instance_id, "voted", passed)
    if not_passed:
        set_status(call.session, call.instance_id, "not_approved", not_passed)
    return {**result, "not_passed": not_passed, "count": len(passed)}


def _passed_by_hand(call: ServiceCall, candidates: list[str]) -> list[str]:
    raw = call.data.get("passed_subjects") or []
    if not isinstance(raw, list):
        raise InvalidData("Danh sách được Hội đồng thông qua phải là một danh sách.",
                          code="nomination.invalid",
                          details={"passed_subjects": ["Phải là một danh sách."]})
    passed = list(dict.fromkeys(subject_code_of(s) for s in raw))
    strangers = [c for c in passed if c not in candidates]
    if strangers:
        raise InvalidData(
            f"Hội đồng chỉ xét các đối tượng đã trình: {', '.join(strangers)} không có trong "
            f"danh sách trình Hội đồng.", code="nomination.invalid",
            details={"passed_subjects": [f"«{c}» không có trong danh sách trình Hội đồng."
                                         for c in strangers]})
    return passed


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 \
        else None


def _members(call: ServiceCall) -> tuple[int, int, Decimal]:
    """Members and members present, checked, and the quorum they reached."""
    total, present = _count(call.data.get("members_total")), \
        _count(call.data.get("members_present"))
    errors: dict[str, list[str]] = {}
    if not total:
        errors["members_total"] = ["Cần số thành viên Hội đồng (số nguyên dương)."]
    if present is None:
        errors["members_present"] = ["Cần số thành viên có mặt (số nguyên không âm)."]
    elif total and present > total:
        errors["members_present"] = [f"Số thành viên có mặt ({present}) không thể lớn hơn số "
                                     f"thành viên Hội đồng ({total})."]
    if errors:
        raise InvalidData(next(iter(errors.values()))[0], code="council.invalid",
                          details=errors)
    assert total is not None and present is not None
    quorum = Decimal(str(setting(call.session, "council_quorum_pct", 50)))
    if present * 100 <= quorum * total:
        message = (f"Hội đồng không đủ túc số: {present}/{total} thành viên có mặt, cần trên "
                   f"{quorum:g}% số thành viên.")
        raise InvalidData(message, code="council.no_quorum",
                          details={"members_present": [message]})
    return total, present, quorum


def _vote_lines(raw: list[Any], codes: list[str], present: int
                ) -> dict[str, tuple[int, int, int]]:
    """The candidates' vote lines, checked: one per candidate, counts that add up."""
    lines: dict[str, tuple[int, int, int]] = {}
    errors: list[str] = []
    for line in raw:
        line = line if isinstance(line, dict) else {}
        code = subject_code_of(line)
        agree, disagree, abstain = (_count(line.get(k)) for k in ("agree", "disagree", "abstain"))
        if code not in codes:
            errors.append(f"«{code}» không có trong danh sách trình Hội đồng.")
        elif code in lines:
            errors.append(f"«{code}» có hai dòng kết quả.")
        elif agree is None or disagree is None or abstain is None:
            errors.append(f"«{code}»: số phiếu phải là số nguyên không âm.")
        elif agree + disagree + abstain > present:
            errors.append(f"«{code}»: tổng số phiếu ({agree + disagree + abstain}) vượt số "
                          f"thành viên có mặt ({present}).")
        else:
            lines[code] = (agree, disagree, abstain)
    errors += [f"Thiếu số phiếu của «{c}»." for c in codes
               if c not in lines and not any(f"«{c}»" in e for e in errors)]
    if errors:
        raise InvalidData(f"Kết quả bỏ phiếu không hợp lệ: {errors[0]}", code="council.invalid",
                          details={"votes": errors})
    return lines


def _tally(call: ServiceCall, candidates: list[Nomination]) -> dict[str, Any]:
    """Pass or fail each candidate against its title's threshold (DOMAIN: council voting).

    With ``vote_threshold_pct``: agree votes must reach that share of the members
    (``vote_base`` members) or of those present (``present``). Without one: more than
    half of the same base (the catalogue's ``vote_base`` is honoured either way). Votes
    come only from members present, so a line's agree + disagree + abstain may not
    exceed them (whatever the base).
    """
    raw = call.data.get("votes")
    if not isinstance(raw, list):
        raise InvalidData("Cần số phiếu của từng đối tượng trình Hội đồng (biên bản kiểm "
                          "phiếu); danh sách được thông qua do hệ thống tính.",
                          code="council.invalid",
                          details={"votes": ["Cần số phiếu của từng đối tượng."]})
    total, present, quorum = _members(call)
    lines = _vote_lines(raw, [n.subject_code for n in candidates], present)
    awards: dict[str, AwardType | None] = {}
    tally = []
    for nom in candidates:
        award = awards.setdefault(nom.award_code, call.session.get(AwardType, nom.award_code))
        agree, disagree, abstain = lines[nom.subject_code]
        threshold = award.vote_threshold_pct if award is not None else None
        vote_base = vote_base_of(award.vote_base if award is not None else None)
        base = present if vote_base == "present" else total
        required = required_agree(threshold, base)  # the council's one threshold rule
        tally.append({"subject_code": nom.subject_code, "agree": agree, "disagree": disagree,
                      "abstain": abstain, "vote_base": vote_base, "base": base,
                      "threshold_pct": None if threshold is None else float(threshold),
                      "required": required, "passed": agree >= required})
    return {"passed": [t["subject_code"] for t in tally if t["passed"]],
            "members_total": total, "members_present": present, "quorum_pct": float(quorum),
            "tally": tally}


def record_complaints(call: ServiceCall) -> dict[str, Any]:
    """Record the disclosure's complaints (kiến nghị, khiếu nại) and drop upheld candidates.

    Reads ``complaints`` (the ``disclosure_result`` form has checked each was answered).
    A complaint upheld against a candidate (``upheld`` with its ``subject_code``) takes
    that candidate out: its nomination becomes ``not_approved``; the others go on.

    Raises:
        InvalidData: ``nomination.invalid`` on ``complaints`` when a complaint names a
            subject that is not on the disclosed list, or is upheld without naming one.

    Returns:
        ``{"received", "upheld": [codes], "remaining": [codes], "count": remaining}``.
    """
    complaints = call.data.get("complaints") or []
    if not isinstance(complaints, list):
        raise InvalidData("Danh sách kiến nghị phải là một danh sách.", code="nomination.invalid",
                          details={"complaints": ["Phải là một danh sách."]})
    listed = [n.subject_code for n in instance_nominations(call.session, call.instance_id)
              if n.status not in CLOSED]
    errors: list[str] = []
    upheld: list[str] = []
    for i, item in enumerate(c if isinstance(c, dict) else {} for c in complaints):
        code = str(item.get("subject_code") or "")
        if code and code not in listed:
            errors.append(f"Kiến nghị {i + 1}: «{code}» không có trong danh sách công khai.")
        elif item.get("upheld") and not code:
            errors.append(f"Kiến nghị {i + 1}: có cơ sở thì phải ghi đối tượng bị kiến nghị.")
        elif item.get("upheld") and code not in upheld:
            upheld.append(code)
    if errors:
        raise InvalidData(errors[0], code="nomination.invalid", details={"complaints": errors})
    if upheld:
        set_status(call.session, call.instance_id, "not_approved", upheld)
    remaining = [c for c in listed if c not in upheld]
    return {"received": len(complaints), "upheld": upheld, "remaining": remaining,
            "count": len(remaining)}


def _incomplete(missing: list[str], submitting: bool) -> InvalidData:
    """The refusal of an incomplete dossier: beside the dossier's files when the unit sends
    it (``dossier``), beside the decision when the appraisal says it is complete."""
    labels = ", ".join(v["label"] for v in item_views(missing))
    if submitting:
        message = (f"Hồ sơ chưa đủ thành phần bắt buộc nên chưa gửi được: còn thiếu {labels}. "
                   f"Vui lòng tải lên các thành phần này rồi hoàn thành lại.")
        return InvalidData(message, code="dossier.incomplete", details={"dossier": [message]})
    message = f"Hồ sơ chưa đủ thành phần, chưa thể thẩm định đạt: còn thiếu {labels}."
    return InvalidData(message, code="dossier.incomplete", details={"decision": [message]})


def check_dossier(call: ServiceCall) -> dict[str, Any]:
    """List the title's required dossier items missing from the instance (thành phần hồ sơ).

    Parameters: ``simplified`` (the simplified procedure's items; default: for an
    ad-hoc nomination), ``exclude`` (items not expected yet, e.g. the council's
    minutes at submission) and ``refuse`` (raise instead of listing: ``True`` when the
    appraisal says the dossier is complete, ``"submit"`` when the unit sends it, so the
    refusal names the dossier rather than the decision).

    Raises:
        InvalidData: ``dossier.incomplete`` (with ``refuse``), naming the missing items.

    Returns:
        ``{"award_code", "procedure": "full" | "simplified", "required", "missing":
        [{"item", "label"}], "complete"}``.
    """
    noms = instance_nominations(call.session, call.instance_id)
    award_code = noms[0].award_code if noms else call.data.get("award_code")
    award = call.session.get(AwardType, str(award_code or ""))
    if award is None:
        raise InvalidData("Hồ sơ chưa có danh hiệu / hình thức khen thưởng được đề nghị.",
                          code="nomination.invalid",
                          details={"award_code": ["Chưa có danh hiệu được đề nghị."]})
    simplified = call.params.get("simplified")
    if simplified is None:
        simplified = bool(noms) and noms[0].kind == "adhoc"
    exclude = call.params.get("exclude") or []
    required, missing = dossier_gaps(call.session, call.instance_id, award, bool(simplified),
                                     list(exclude))
    if missing and call.params.get("refuse"):
        raise _incomplete(missing, submitting=call.params.get("refuse") == "submit")
    return {"award_code": award.code, "procedure": "simplified" if simplified else "full",
            "required": item_views(required), "missing": item_views(missing),
            "complete": not missing}


HANDLERS = {
    "create_nominations": (create_nominations,
                           "Lập / cập nhật danh sách đề nghị khen thưởng của hồ sơ."),
    "set_nomination_status": (set_nomination_status,
                              "Ghi trạng thái các đề nghị khen thưởng của hồ sơ."),
    "record_council_result": (record_council_result,
                              "Ghi kết quả xét của Hội đồng Thi đua - Khen thưởng (tính kết quả "
                              "từ số phiếu theo ngưỡng của danh hiệu)."),
    "record_complaints": (record_complaints,
                          "Ghi kiến nghị, khiếu nại khi công khai; loại đối tượng có kiến nghị "
                          "đúng."),
    "check_dossier": (check_dossier, "Kiểm tra thành phần hồ sơ theo danh hiệu."),
}
