"""The outcome of a dossier (kết quả hồ sơ): awarded, not awarded, or partly awarded.

A dossier proposes one or more subjects for a title; every step that decides on them (the
eligibility check, the council's result, the province's answer, the decision recorded in
the registry) moves the status of their ``Nomination`` rows. Once the procedure has ended,
the outcome is read from those statuses: every subject awarded → ``awarded``, none →
``not_awarded``, some → ``partial``. While it runs, or for a procedure that proposes no one
(a registration, a revocation), there is no outcome.

The subjects' reasons travel with them: a unit sees why its nominee was found ineligible
(the failed rules' explanations, not the history rows the check read) and, for one the
council turned down, the council's count against the title's threshold («Hội đồng không
thông qua: 3/6 đồng ý, cần 4»), from the tally of the last closed meeting that voted on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.store.models import ProcessInstance
from workflows.catalogue import subject_names, vn_number
from workflows.council.models import CouncilCandidate, CouncilMeeting
from workflows.models import AwardType, Nomination

# A subject counts as awarded once a decision made it so (a later revocation keeps the
# dossier's outcome as it was decided).
AWARDED = frozenset({"decided", "approved", "revoked"})
OUTCOME_LABELS = {
    "awarded": "Được khen thưởng",
    "partial": "Được khen thưởng một phần",
    "not_awarded": "Không được khen thưởng",
}


@dataclass(frozen=True)
class Nominee:
    """One subject of a dossier, its status and, when found ineligible, why."""

    code: str
    name: str
    kind: str  # individual | collective
    status: str
    awarded: bool | None  # None while the dossier runs
    reasons: tuple[str, ...]  # the failed eligibility rules' explanations, the council's no


@dataclass(frozen=True)
class DossierResult:
    """What a dossier asked for and what came of it."""

    instance_id: int
    award_code: str | None
    award_name: str | None
    nominees: tuple[Nominee, ...]
    outcome: str | None  # awarded | partial | not_awarded; None while running

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome or "", "")

    @property
    def awarded_count(self) -> int:
        return sum(1 for n in self.nominees if n.awarded)


def outcome_of(statuses: Iterable[str], ended: bool) -> str | None:
    """``awarded``, ``partial`` or ``not_awarded`` for an ended dossier's nominations."""
    found = [s in AWARDED for s in statuses]
    if not ended or not found:
        return None
    if all(found):
        return "awarded"
    return "partial" if any(found) else "not_awarded"


def failed_reasons(eligibility: object) -> tuple[str, ...]:
    """The explanations of the rules a stored verdict failed (none when it passed)."""
    if not isinstance(eligibility, dict) or eligibility.get("eligible", True):
        return ()
    return tuple(str(r.get("detail") or r.get("rule") or "")
                 for r in eligibility.get("reasons") or []
                 if isinstance(r, dict) and not r.get("ok", True))


def council_refusals(session: Session, nomination_ids: Iterable[int]) -> dict[int, str]:
    """Per nomination the council did not pass at its last closed meeting, the count that
    said so: «Hội đồng không thông qua: 3/6 đồng ý, chưa đạt ngưỡng 50% (cần 4)»."""
    ids = set(nomination_ids)
    if not ids:
        return {}
    rows = session.scalars(
        select(CouncilCandidate)
        .join(CouncilMeeting, CouncilMeeting.id == CouncilCandidate.meeting_id)
        .where(CouncilCandidate.nomination_id.in_(ids), CouncilMeeting.status == "closed",
               CouncilCandidate.passed.is_not(None))
        .order_by(CouncilCandidate.meeting_id)).all()
    last = {row.nomination_id: row for row in rows}  # the latest meeting wins
    out = {}
    for nid, row in last.items():
        if row.passed:
            continue
        text = f"Hội đồng không thông qua: {row.agree or 0}/{row.denominator or 0} đồng ý"
        if row.threshold_pct is not None:
            text += f", chưa đạt ngưỡng {vn_number(float(row.threshold_pct))}%"
        out[nid] = text + (f" (cần {row.required})" if row.required is not None else "")
    return out


def dossier_results(session: Session, instance_ids: Iterable[int],
                    ended: Iterable[int] = ()) -> dict[int, DossierResult]:
    """The result of each of the instances (those without nominations left out).

    Args:
        ended: instances to count as ended whatever their stored status (the one that
            is ending in the current command).
    """
    ids = set(instance_ids)
    if not ids:
        return {}
    done = set(ended) | set(session.scalars(select(ProcessInstance.id).where(
        ProcessInstance.id.in_(ids), ProcessInstance.status == "completed")).all())
    noms = session.scalars(select(Nomination).where(Nomination.instance_id.in_(ids))
                           .order_by(Nomination.instance_id, Nomination.id)).all()
    names = subject_names(session, {n.subject_code for n in noms})
    awards = dict(session.execute(select(AwardType.code, AwardType.name).where(
        AwardType.code.in_({n.award_code for n in noms}))).all())
    by_instance: dict[int, list[Nomination]] = {}
    for nom in noms:
        by_instance.setdefault(nom.instance_id, []).append(nom)
    refused = council_refusals(session, (n.id for n in noms if n.status == "not_approved"))
    out = {}
    for iid, rows in by_instance.items():
        ended_here = iid in done
        nominees = tuple(Nominee(
            n.subject_code, names.get(n.subject_code, n.subject_code), n.subject_kind,
            n.status, (n.status in AWARDED) if ended_here else None,
            failed_reasons(n.eligibility) + ((refused[n.id],) if n.id in refused else ()))
            for n in rows)
        codes = list(dict.fromkeys(n.award_code for n in rows))
        out[iid] = DossierResult(
            iid, codes[0] if codes else None,
            ", ".join(str(awards.get(c, c)) for c in codes) or None, nominees,
            outcome_of((n.status for n in rows), ended_here))
    return out


def completion_note(session: Session, instance_id: int) -> str | None:
    """What the notification of an ended dossier says of its outcome (Vietnamese)."""
    found = dossier_results(session, [instance_id], ended=[instance_id]).get(instance_id)
    if found is None or found.outcome is None:
        return None
    note = f"Kết quả: {found.outcome_label}"
    if found.outcome == "partial":
        note += f" ({found.awarded_count}/{len(found.nominees)} đối tượng)"
    return note
