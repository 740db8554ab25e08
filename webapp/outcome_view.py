"""A dossier's title, nominees and outcome as the pages show them (``workflows.outcome``).

The list of dossiers (``/nominations``) shows each row's title, nominees and outcome; the
instance page adds each nominee's status and, when the eligibility check found them
ineligible, its reasons (the failed rules' explanations: what the unit that proposed them
may read, not the history rows behind them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from webapp.labels import NOMINATION_STATUS_LABELS
from webapp.readable import tr
from webapp.services import read_session
from workflows.outcome import OUTCOME_LABELS, DossierResult, dossier_results

OUTCOME_TONES = {"awarded": "success", "partial": "warning", "not_awarded": "secondary"}


def outcome_badge(outcome: str | None) -> dict[str, str] | None:
    """``{"label", "tone"}`` of an outcome in the person's language; None without one."""
    if outcome not in OUTCOME_LABELS:
        return None
    return {"label": tr(OUTCOME_LABELS[str(outcome)]), "tone": OUTCOME_TONES[str(outcome)]}


def _summary(found: DossierResult) -> dict[str, Any]:
    return {"award": tr(found.award_name), "nominees": [n.name for n in found.nominees],
            "outcome": outcome_badge(found.outcome)}


def summaries(instance_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Per instance with nominations: its title, its nominees' names and its outcome."""
    return {iid: _summary(found)
            for iid, found in dossier_results(read_session(), instance_ids).items()}


def result(instance_id: int) -> dict[str, Any] | None:
    """The instance page's result block: the outcome and each nominee, with the reasons
    of an ineligible one; None for an instance that proposes no one."""
    found = dossier_results(read_session(), [instance_id]).get(instance_id)
    if found is None:
        return None
    return {**_summary(found), "awarded": found.awarded_count, "total": len(found.nominees),
            "rows": [{"name": n.name, "code": n.code,
                      "status": str(NOMINATION_STATUS_LABELS.get(n.status, n.status)),
                      "awarded": n.awarded, "reasons": list(n.reasons)}
                     for n in found.nominees]}
