"""The eligibility preview of the start page (xem trước điều kiện khen thưởng).

Before a unit starts a proposal it may ask whether the people or collectives it picked
meet the title's conditions: the picks are checked as the start checks them
(``nomination_start.check_choice``, every problem by field), then each subject is
evaluated by the eligibility service (``workflows.eligibility.evaluate``) for the title,
the year (an ad-hoc award: this year) and the procedure's kind. Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from engine.roles import Actor
from engine.service import ProcessEngine
from workflows.eligibility import evaluate
from workflows.nomination_start import StartChoice, check_choice, this_year


@dataclass(frozen=True)
class PreviewRow:
    """One picked subject's verdict: pass or fail, with the failed rules' explanations."""

    code: str
    name: str
    eligible: bool
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]


def preview_eligibility(session: Session, engine: ProcessEngine, actor: Actor,
                        choice: StartChoice
                        ) -> tuple[list[PreviewRow], dict[str, list[str]]]:
    """The verdict of each picked subject, or the problems of the picks by field.

    Raises:
        Forbidden: ``process.start_forbidden``, as the start itself.
    """
    proc, _data, errors = check_choice(session, engine, actor, choice)
    errors.pop("business_key", None)  # not needed to preview
    if proc is None or errors:
        return [], errors
    if not choice.subjects:  # an ad-hoc award may name its nominee at the next step
        return [], {"subjects": ["Vui lòng chọn cá nhân hoặc tập thể để xem trước điều "
                                 "kiện khen thưởng."]}
    year = int(choice.year) if proc.takes_year else this_year(engine)
    rows = []
    for code in dict.fromkeys(c.strip() for c in choice.subjects if c.strip()):
        verdict = evaluate(session, code, choice.award_code, year, kind=proc.kind)
        rows.append(PreviewRow(code, verdict.subject.name, verdict.eligible,
                               tuple(r.detail for r in verdict.failed),
                               tuple(w["detail"] for w in verdict.warnings)))
    return rows, {}


def shared_warnings(rows: list[PreviewRow]) -> tuple[tuple[str, ...], list[PreviewRow]]:
    """The warnings every one of several subjects has (said once above the list: «chưa
    đăng ký thi đua…» for each of ten people reads as noise), and the rows without them."""
    if len(rows) < 2:
        return (), rows
    common = tuple(w for w in rows[0].warnings if all(w in r.warnings for r in rows[1:]))
    return common, [replace(r, warnings=tuple(w for w in r.warnings if w not in common))
                    for r in rows]
