"""Demo emulation movements of the current year: one annual, two thematic."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import select

from engine.roles import SYSTEM
from webapp.services import Services
from workflows.models import EmulationMovement
from workflows.movements import create_movement


def demo_movements(year: int) -> list[dict[str, object]]:
    return [
        {"code": f"PT-{year}-THUONGXUYEN", "kind": "annual", "year": year,
         "name": f"Phong trào thi đua thường xuyên năm {year}",
         "launch_level": "office", "scope": "office",
         "start_date": date(year, 1, 15).isoformat(), "end_date": date(year, 12, 15).isoformat(),
         "description": "Thi đua hoàn thành xuất sắc nhiệm vụ chính trị của Văn phòng.\n"
                        "Đăng ký thi đua trước ngày 31/3."},
        {"code": f"PT-{year}-CCHC", "kind": "thematic", "year": year,
         "name": "Thi đua đẩy mạnh cải cách hành chính, chuyển đổi số",
         "launch_level": "province", "scope": "local",
         "start_date": date(year, 3, 1).isoformat(), "end_date": date(year, 11, 30).isoformat(),
         "description": "Phát động theo kế hoạch của UBND tỉnh; "
                        "sơ kết giữa năm, tổng kết cuối năm."},
        {"code": f"PT-{year}-DANVAN", "kind": "thematic", "year": year,
         "name": "Thi đua thực hiện tốt công tác dân vận khéo",
         "launch_level": "office", "scope": "office", "target_units": ["KT", "VX"],
         "start_date": date(year, 5, 19).isoformat(), "end_date": None,
         "description": "Gắn với các ngày lễ lớn của tỉnh."},
    ]


def load_demo_movements(svc: Services, year: int) -> Iterator[str]:
    """Create the demo movements that are missing; yield one line each."""
    with svc.db.write_session() as session:
        for values in demo_movements(year):
            found = session.scalars(select(EmulationMovement.id)
                                    .where(EmulationMovement.code == values["code"])).first()
            if found is None:
                create_movement(session, SYSTEM, dict(values))
                yield f"Phong trào thi đua {values['code']}: {values['name']}"
        session.commit()
