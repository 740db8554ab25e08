"""Who may see and do what: instance visibility, task rights, the inbox query.

Roles listed as unit-scoped (``submitter``) see and act only within the unit
that started an instance; other roles work office-wide. The inbox reads
``human_task`` rows only and never deserializes a workflow.

``grants`` let the domain open more instances to a person for reading (e.g. the
dossiers on the agenda of a council meeting the person sits on): each is a function of
the actor giving an SQL condition on ``process_instance`` (or None). A grant only adds
visibility; who may act on a task is decided by roles, owners and assignees as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from engine.errors import Forbidden, NotFound
from engine.roles import Actor
from engine.store.models import HumanTask, ProcessInstance

VisibilityGrant = Callable[[Actor], "ColumnElement[bool] | None"]


@dataclass(frozen=True)
class AccessPolicy:
    unit_scoped_roles: frozenset[str]
    grants: tuple[VisibilityGrant, ...] = ()

    def office_roles(self, actor: Actor) -> set[str]:
        return {r for r in actor.roles if r not in self.unit_scoped_roles}

    def unit_roles(self, actor: Actor) -> set[str]:
        return {r for r in actor.roles if r in self.unit_scoped_roles}

    # -- instances --------------------------------------------------------------
    def instance_filter(self, actor: Actor, grants: bool = True) -> ColumnElement[bool]:
        """SQL condition: instances ``actor`` may see (``grants=False``: leaving out what
        the grants add, i.e. the instances the actor takes part in, not only reads)."""
        if self.office_roles(actor):
            return ProcessInstance.id.is_not(None)
        clauses: list[ColumnElement[bool]] = []
        if actor.id is not None:
            clauses.append(ProcessInstance.started_by == actor.id)
            clauses.append(exists().where(
                HumanTask.instance_id == ProcessInstance.id,
                or_(HumanTask.owner_id == actor.id, HumanTask.assignee_id == actor.id),
            ))
        if self.unit_roles(actor) and actor.unit_code:
            clauses.append(ProcessInstance.unit_code == actor.unit_code)
        for grant in self.grants if grants else ():
            extra = grant(actor)
            if extra is not None:
                clauses.append(extra)
        return or_(*clauses) if clauses else false()

    def can_see(self, session: Session, actor: Actor, inst: ProcessInstance) -> bool:
        """Whether ``actor`` may see ``inst``; decides in Python when it can (hot path)."""
        if self.office_roles(actor) or (actor.id is not None and inst.started_by == actor.id):
            return True
        if self.unit_roles(actor) and actor.unit_code and inst.unit_code == actor.unit_code:
            return True
        return session.scalar(select(ProcessInstance.id).where(
            ProcessInstance.id == inst.id, self.instance_filter(actor))) is not None

    def visible_instance(self, session: Session, actor: Actor, instance_id: int) -> ProcessInstance:
        inst = session.scalars(
            select(ProcessInstance).where(
                ProcessInstance.id == instance_id, self.instance_filter(actor)
            )
        ).first()
        if inst is None:
            raise NotFound("Không tìm thấy hồ sơ quy trình.", code="instance.not_found")
        return inst

    def takes_part(self, session: Session, actor: Actor, instance_id: int) -> bool:
        """Whether ``actor`` sees the instance by role, unit, ownership or a task of theirs,
        not only through a reading grant (e.g. may add to it, such as a comment)."""
        return session.scalar(select(ProcessInstance.id).where(
            ProcessInstance.id == instance_id,
            self.instance_filter(actor, grants=False))) is not None

    # -- tasks ----------------------------------------------------------------
    def may_act(self, actor: Actor, task: HumanTask) -> bool:
        if task.assignee_id is not None and task.assignee_id == actor.id:
            return True
        if task.owner_id is not None:
            return task.owner_id == actor.id
        if task.role is None or task.role not in actor.roles:
            return False
        if task.role in self.unit_scoped_roles:
            return task.unit_code is not None and task.unit_code == actor.unit_code
        return True

    def check_act(self, actor: Actor, task: HumanTask) -> None:
        """Raise Forbidden unless ``actor`` may work on ``task`` (visibility checked before)."""
        if not self.may_act(actor, task):
            raise Forbidden("Công việc này không thuộc vai trò hoặc đơn vị của bạn.",
                            code="task.forbidden")
        if task.assignee_id is not None and task.assignee_id != actor.id:
            raise Forbidden("Công việc đã được người khác nhận xử lý.", code="task.claimed")

    def inbox_filter(self, actor: Actor) -> ColumnElement[bool]:
        """SQL condition: ready tasks that are ``actor``'s to do."""
        mine: list[ColumnElement[bool]] = []
        if actor.id is not None:
            mine.append(HumanTask.owner_id == actor.id)
            mine.append(HumanTask.assignee_id == actor.id)
        office = self.office_roles(actor)
        if office:
            mine.append(and_(HumanTask.owner_id.is_(None), HumanTask.role.in_(office)))
        unit = self.unit_roles(actor)
        if unit and actor.unit_code:
            mine.append(and_(HumanTask.owner_id.is_(None), HumanTask.role.in_(unit),
                             HumanTask.unit_code == actor.unit_code))
        claimed_by_other = and_(HumanTask.assignee_id.is_not(None),
                                HumanTask.assignee_id != (actor.id or -1))
        return and_(HumanTask.state == "ready", or_(*mine) if mine else false(),
                    ~claimed_by_other)

