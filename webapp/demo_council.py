"""Demo council (Hội đồng TĐKT của Văn phòng): 7 members, so a real meeting can be held.

Chánh Văn phòng chairs, the secretariat's officer (thuky) is the secretary; the head of
Phòng Kinh tế (person KT01) sits on it, so candidates of his unit show an automatic
recusal. Every member is linked to a person of the registry (the office's leaders and
staff are added here, without ratings or awards, so no unit's figures change), so the
meeting can tell each member's conflicts. Idempotent: existing users, people and
memberships are left as they are.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from engine import identity
from engine.roles import SYSTEM
from engine.store.models import Unit, User
from webapp.services import Services
from workflows.council.members import save_member
from workflows.council.models import CouncilMember
from workflows.models import Person

# New demo users, all with the council role (username, full name, unit).
COUNCIL_USERS = [
    ("phochanhvp", "Ngô Thị Phương (Phó Chánh Văn phòng)", "VP"),
    ("truongkt", "Trần Quốc Khánh (Trưởng phòng Kinh tế)", "KT"),
    ("uyvien1", "Đặng Minh Quân (Ủy viên Hội đồng)", "VP"),
    ("uyvien2", "Lý Thị Hồng (Ủy viên Hội đồng)", "VP"),
]
# The office's people who sit on the council (code, full name, unit, position, leader).
COUNCIL_PEOPLE = [
    ("VP01", "Hoàng Văn Chánh", "VP", "Chánh Văn phòng", True),
    ("VP02", "Ngô Thị Phương", "VP", "Phó Chánh Văn phòng", False),
    ("VP03", "Phạm Văn Hùng", "VP", "Chuyên viên cao cấp", False),
    ("VP04", "Đặng Minh Quân", "VP", "Chuyên viên chính", False),
    ("VP05", "Lý Thị Hồng", "VP", "Chuyên viên chính", False),
    ("TC01", "Lê Thị Thu", "TCHCQT", "Chuyên viên phụ trách thi đua, khen thưởng", False),
]
# (username, position, person code): the council's membership, in order.
MEMBERS = [
    ("chanhvp", "chair", "VP01"),
    ("phochanhvp", "vice_chair", "VP02"),
    ("thuky", "secretary", "TC01"),
    ("hoidong", "member", "VP03"),
    ("truongkt", "member", "KT01"),
    ("uyvien1", "member", "VP04"),
    ("uyvien2", "member", "VP05"),
]


def load_demo_council(svc: Services, password: str) -> Iterator[str]:
    """Create the missing council users and memberships; yield one line each."""
    with svc.db.write_session() as session:
        for username, full_name, unit in COUNCIL_USERS:
            if session.scalars(select(User).where(User.username == username)).first() is None:
                identity.create_user(session, SYSTEM, username, password, ["council"],
                                     svc.engine.settings.roles, unit, full_name)
                yield f"Người dùng {username} (council), mật khẩu: {password}"
        for code, full_name, unit, position, leader in COUNCIL_PEOPLE:
            if session.get(Person, code) is None and session.get(Unit, unit) is not None:
                session.add(Person(code=code, full_name=full_name, unit_code=unit,
                                   position=position, is_leader=leader))
        session.flush()
        seated = set(session.scalars(select(User.username).join(
            CouncilMember, CouncilMember.user_id == User.id)).all())
        for order, (username, position, person) in enumerate(MEMBERS, start=1):
            if username in seated:
                continue
            if person is not None and session.get(Person, person) is None:
                person = None
            save_member(session, SYSTEM, username, position=position, person_code=person,
                        sort_order=order)
            yield f"Thành viên Hội đồng: {username} ({position})"
        session.commit()
