"""Demo council (Hội đồng TĐKT của Văn phòng): 7 members, so a real meeting can be held.

Chánh Văn phòng chairs, the secretariat's officer (thuky) is the secretary; the head of
Phòng Kinh tế (person KT01) sits on it, so candidates of his unit show an automatic
recusal. Idempotent: existing users and memberships are left as they are.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from engine import identity
from engine.roles import SYSTEM
from engine.store.models import User
from webapp.services import Services
from workflows.council.members import save_member
from workflows.council.models import CouncilMember
from workflows.models import Person

# New demo users, all with the council role (username, full name, unit).
COUNCIL_USERS = [
    ("phochanhvp", "Ngô Thị Phương (Phó Chánh Văn phòng)", "VP"),
    ("truongkt", "Trần Quốc Khánh (Trưởng phòng Kinh tế)", "KT"),
    ("uyvien1", "Đặng Minh Quân (Ủy viên Hội đồng)", "VP"),
    ("uyvien2", "Lý Thị Hồng (Ủy viên Hội đồng)", "VX"),
]
# (username, position, person code): the council's membership, in order.
MEMBERS = [
    ("chanhvp", "chair", None),
    ("phochanhvp", "vice_chair", None),
    ("thuky", "secretary", None),
    ("hoidong", "member", None),
    ("truongkt", "member", "KT01"),
    ("uyvien1", "member", None),
    ("uyvien2", "member", None),
]


def load_demo_council(svc: Services, password: str) -> Iterator[str]:
    """Create the missing council users and memberships; yield one line each."""
    with svc.db.write_session() as session:
        for username, full_name, unit in COUNCIL_USERS:
            if session.scalars(select(User).where(User.username == username)).first() is None:
                identity.create_user(session, SYSTEM, username, password, ["council"],
                                     svc.engine.settings.roles, unit, full_name)
                yield f"Người dùng {username} (council), mật khẩu: {password}"
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
