"""Read access of council members to the dossiers they vote on (hồ sơ đối tượng được xét).

A member invited to a meeting (not cancelled) reads the procedure instances of that
meeting's candidates, whatever their own roles: a member whose only role is a unit's
(``submitter``) still opens other units' dossiers from the meeting page. Reading only:
acting on a task still needs its role, and the instance's data is shown by the member's
roles (``workflows.visibility``). Registered on the engine by ``build_engine`` as an
``AccessPolicy`` grant, so the instance page, its files and the API all honour it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from engine.roles import Actor
from engine.store.models import ProcessInstance
from workflows.council.models import (
    CouncilCandidate,
    CouncilInvitation,
    CouncilMeeting,
    CouncilMember,
)


def meeting_dossiers(actor: Actor) -> ColumnElement[bool] | None:
    """SQL condition: instances on the agenda of a meeting ``actor`` is invited to as an
    active member (None for an actor without an account, e.g. the system)."""
    if actor.id is None:
        return None
    agenda = (select(CouncilCandidate.instance_id)
              .join(CouncilMeeting, CouncilMeeting.id == CouncilCandidate.meeting_id)
              .join(CouncilInvitation,
                    CouncilInvitation.meeting_id == CouncilCandidate.meeting_id)
              .join(CouncilMember, CouncilMember.id == CouncilInvitation.member_id)
              .where(CouncilMember.user_id == actor.id, CouncilMember.active.is_(True),
                     CouncilMeeting.status != "cancelled"))
    return ProcessInstance.id.in_(agenda)
