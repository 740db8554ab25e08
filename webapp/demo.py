"""Demo data: units, one user per role, the award registry, every diagram in bpmn/ deployed.

Idempotent: what exists is left as it is. The demo password is public (it is
in the README); never load the demo on a production database.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from sqlalchemy import select

from engine import identity
from engine.errors import EngineError
from engine.roles import SYSTEM
from engine.specs.registry import dependency_order
from engine.store.models import Unit, User
from webapp.demo_council import load_demo_council
from webapp.demo_movements import load_demo_movements
from webapp.demo_registry import load_demo_registry
from webapp.services import Services
from workflows.documents.gather import letterhead_missing, office_letterhead
from workflows.settings_admin import update_settings

DEMO_PASSWORD = "tdkt-demo-2026"

UNITS = [
    ("VP", "Văn phòng UBND tỉnh", None),
    ("TCHCQT", "Phòng Tổ chức - Hành chính - Quản trị", "VP"),
    ("KT", "Phòng Kinh tế", "VP"),
    ("VX", "Phòng Văn hóa - Xã hội", "VP"),
]

# The demo office's letterhead (tiêu đề văn bản): a real office fills these in once, in the
# settings page; documents are not issued while they are empty or placeholders.
DEMO_LETTERHEAD = {"document_parent_body": "UBND tỉnh Ninh Bình",
                   "document_issuer_full": "Văn phòng UBND tỉnh Ninh Bình",
                   "document_place": "Ninh Bình"}

USERS = [
    ("donvi_kt", "Nguyễn Văn An", ["submitter"], "KT"),
    ("donvi_vx", "Trần Thị Bình", ["submitter"], "VX"),
    ("thuky", "Lê Thị Thu (Phòng TCHCQT)", ["secretariat"], "TCHCQT"),
    ("hoidong", "Phạm Văn Hùng (Hội đồng TĐKT)", ["council"], "VP"),
    ("chanhvp", "Hoàng Văn Chánh (Chánh Văn phòng)", ["chair", "council"], "VP"),
    ("quantri", "Quản trị hệ thống", ["admin"], "TCHCQT"),
]


def load_demo(svc: Services, bpmn_dir: Path) -> Iterator[str]:
    """Create what is missing; yield one line per thing done, for the console."""
    with svc.db.write_session() as session:
        for code, name, parent in UNITS:
            if session.get(Unit, code) is None:
                identity.create_unit(session, SYSTEM, code, name, parent)
                yield f"Đơn vị {code}: {name}"
        for username, full_name, roles, unit_code in USERS:
            exists = session.scalars(select(User).where(User.username == username)).first()
            if exists is None:
                identity.create_user(session, SYSTEM, username, DEMO_PASSWORD, roles,
                                     svc.engine.settings.roles, unit_code, full_name)
                yield f"Người dùng {username} ({', '.join(roles)}), mật khẩu: {DEMO_PASSWORD}"
        missing = letterhead_missing(office_letterhead(session))
        if missing:
            update_settings(session, SYSTEM, {k: DEMO_LETTERHEAD[k] for k in missing})
            yield "Tiêu đề văn bản: " + ", ".join(DEMO_LETTERHEAD[k] for k in missing)
        session.commit()
    yield from load_demo_registry(svc, UNITS)
    yield from load_demo_movements(svc, date.today().year)
    yield from load_demo_council(svc, DEMO_PASSWORD)
    docs = [(p.name, p.read_bytes()) for p in sorted(bpmn_dir.glob("*.bpmn"))]
    for name, xml in dependency_order(docs):  # called processes first
        with svc.db.write_session() as session:
            try:
                r = svc.engine.deploy(session, xml, SYSTEM, name)
            except EngineError as exc:
                yield f"Không triển khai được {name}: {exc.message}"
                continue
            if r["created"]:
                yield f"Quy trình {r['key']} v{r['version']} ({name})"
    yield "Dữ liệu mẫu đã sẵn sàng."
