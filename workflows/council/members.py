"""The council's membership (thành viên Hội đồng TĐKT) as data, and who may do what.

A member is a user (who logs in and votes), optionally linked to a person of the registry
(``person_code``: used to recuse the member from their own nomination and from those of
the unit they head). Positions: chair (Chủ tịch), vice_chair (Phó Chủ tịch), secretary
(Thư ký), member (Ủy viên); at most one active chair and one active secretary.

Managing meetings (open, attendance, paper counts, close) is for the secretariat role,
admins, and the council's chair or secretary.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.errors import Forbidden, InvalidData, NotFound
from engine.roles import Actor, plain_name
from engine.store.models import User
from workflows.council.models import POSITIONS, CouncilMember
from workflows.models import Person

MANAGER_ROLES = frozenset({"secretariat", "admin"})
VIEWER_ROLES = frozenset({"secretariat", "admin", "council", "chair"})
MEMBER_ADMIN_ROLES = frozenset({"secretariat", "admin"})
POSITION_LABEL = {"chair": "Chủ tịch Hội đồng", "vice_chair": "Phó Chủ tịch Hội đồng",
                  "secretary": "Thư ký Hội đồng", "member": "Ủy viên"}
SINGLE_POSITIONS = ("chair", "secretary")


def member_of(session: Session, actor: Actor) -> CouncilMember | None:
    """The actor's active membership, if any."""
    if actor.id is None:
        return None
    return session.scalars(select(CouncilMember).where(
        CouncilMember.user_id == actor.id, CouncilMember.active.is_(True))).first()


def may_manage(session: Session, actor: Actor) -> bool:
    """Secretariat, admins, and the council's chair or secretary manage meetings."""
    if MANAGER_ROLES & actor.roles:
        return True
    member = member_of(session, actor)
    return member is not None and member.position in SINGLE_POSITIONS


def require_manager(session: Session, actor: Actor) -> None:
    if not may_manage(session, actor):
        raise Forbidden("Chỉ Phòng TCHCQT, Chủ tịch hoặc Thư ký Hội đồng được thực hiện "
                        "thao tác này.", code="council.forbidden")


def require_viewer(session: Session, actor: Actor) -> None:
    """Council business is seen by the office's roles and the members, not by units."""
    if not (VIEWER_ROLES & actor.roles) and member_of(session, actor) is None:
        raise Forbidden("Chỉ thành viên Hội đồng và Văn phòng được xem phiên họp Hội đồng.",
                        code="council.forbidden")


def member_name(user: User | None, person: Person | None, user_id: int) -> str:
    """How documents and pages name a member: the linked person's full name; else the
    account's name without its note in parentheses; the login name only as a last resort."""
    if person is not None and person.full_name.strip():
        return person.full_name.strip()
    if user is None:
        return f"#{user_id}"
    return plain_name(user.full_name) or user.username


def member_view(member: CouncilMember, user: User | None,
                person: Person | None = None) -> dict[str, Any]:
    return {"id": member.id, "user_id": member.user_id,
            "username": user.username if user is not None else None,
            "name": member_name(user, person, member.user_id),
            "person_code": member.person_code, "position": member.position,
            "position_label": POSITION_LABEL.get(member.position, member.position),
            "active": member.active, "sort_order": member.sort_order}


def members_by_id(session: Session, ids: list[int] | None = None,
                  active_only: bool = False) -> dict[int, dict[str, Any]]:
    """Member views keyed by id, in membership order (position, then sort order)."""
    query = (select(CouncilMember, User, Person)
             .join(User, User.id == CouncilMember.user_id)
             .outerjoin(Person, Person.code == CouncilMember.person_code))
    if ids is not None:
        query = query.where(CouncilMember.id.in_(ids))
    if active_only:
        query = query.where(CouncilMember.active.is_(True))
    rows = session.execute(query).all()
    order = {p: i for i, p in enumerate(POSITIONS)}
    rows = sorted(rows, key=lambda r: (order.get(r[0].position, 9), r[0].sort_order, r[0].id))
    return {m.id: member_view(m, u, p) for m, u, p in rows}


def list_members(session: Session, actor: Actor, include_inactive: bool = False
                 ) -> list[dict[str, Any]]:
    """The council's members (danh sách thành viên Hội đồng), in membership order."""
    require_viewer(session, actor)
    return list(members_by_id(session, active_only=not include_inactive).values())


def active_member_ids(session: Session) -> list[int]:
    return list(session.scalars(select(CouncilMember.id)
                                .where(CouncilMember.active.is_(True))).all())


def _check_member_fields(session: Session, username: str, person_code: str | None,
                         position: str) -> User:
    errors: dict[str, list[str]] = {}
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        errors["username"] = [f"Không có người dùng «{username}»."]
    if person_code and session.get(Person, person_code) is None:
        errors["person_code"] = [f"Không có cán bộ mã «{person_code}»."]
    if position not in POSITIONS:
        errors["position"] = ["Chức danh phải là một trong: " + ", ".join(POSITIONS) + "."]
    if errors:
        raise InvalidData(next(iter(errors.values()))[0], code="council.invalid",
                          details=errors)
    assert user is not None
    return user


def save_member(session: Session, actor: Actor, username: str, *, position: str = "member",
                person_code: str | None = None, active: bool = True,
                sort_order: int = 0) -> dict[str, Any]:
    """Add a user to the council or change their membership (secretariat, admin).

    Raises:
        Forbidden: ``council.forbidden``.
        InvalidData: ``council.invalid`` (unknown user or person, bad position),
            ``council.position_taken`` (a second active chair or secretary).
    """
    if not MEMBER_ADMIN_ROLES & actor.roles:
        raise Forbidden("Chỉ Phòng TCHCQT hoặc quản trị được sửa thành phần Hội đồng.",
                        code="council.forbidden")
    user = _check_member_fields(session, username, person_code, position)
    member = session.scalars(select(CouncilMember)
                             .where(CouncilMember.user_id == user.id)).first()
    if active and position in SINGLE_POSITIONS:
        holder = session.scalars(select(CouncilMember).where(
            CouncilMember.position == position, CouncilMember.active.is_(True),
            CouncilMember.user_id != user.id)).first()
        if holder is not None:
            message = f"Hội đồng đã có {POSITION_LABEL[position]}."
            raise InvalidData(message, code="council.position_taken",
                              details={"position": [message]})
    if member is None:
        member = CouncilMember(user_id=user.id)
        session.add(member)
    member.person_code, member.position = person_code or None, position
    member.active, member.sort_order = active, sort_order
    session.flush()
    audit.append(session, actor, "council.member_saved", {
        "member_id": member.id, "username": username, "position": position,
        "person_code": member.person_code, "active": active})
    return member_view(member, user, session.get(Person, person_code) if person_code else None)


def get_member(session: Session, member_id: int) -> CouncilMember:
    member = session.get(CouncilMember, member_id)
    if member is None:
        raise NotFound("Không có thành viên Hội đồng này.", code="council.member_not_found")
    return member
