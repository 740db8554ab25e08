"""Revisions e0009 and w0008 index the tasks that were already open: a database upgraded
from the revisions before finds them by the subjects' names, accents or not."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine.store.migrate import downgrade, upgrade
from workflows.migrations import VERSION_DIRS

ROWS = [
    "INSERT INTO unit (code, name, active, created_at) VALUES ('KT', 'Phòng Kinh tế', true, "
    "'2026-01-01')",
    "INSERT INTO person (code, full_name, unit_code, position, is_leader, active, created_at) "
    "VALUES ('KT02', 'Nguyễn Thị Minh Hằng', 'KT', '', false, true, '2026-01-01')",
    "INSERT INTO process_model_version (id, process_key, version, name, bpmn_xml, sha256, "
    "dependencies, deployed_at) VALUES (1, 'p', 1, 'P', '<x/>', 'h', '{}', '2026-01-01')",
]


def _instance(n: int, business_key: str, data: dict[str, object], state: str) -> list[str]:
    return [
        f"INSERT INTO process_instance (id, model_version_id, process_key, version, status, "
        f"business_key, unit_code, started_at, updated_at, state_json, data, lock_version) "
        f"VALUES ({n}, 1, 'p', 1, 'running', '{business_key}', 'KT', '2026-01-01', "
        f"'2026-01-01', '{{}}', '{json.dumps(data, ensure_ascii=False)}', 1)",
        f"INSERT INTO human_task (id, instance_id, process_key, name, title, state, created_at) "
        f"VALUES ('t{n}', {n}, 'p', 'propose', 'Đề nghị', '{state}', '2026-01-01')",
    ]


def _at_previous_heads(url: str) -> None:
    upgrade(url, VERSION_DIRS, "e0008")
    upgrade(url, VERSION_DIRS, "w0007")


def _check(url: str) -> None:
    eng = create_engine(url)
    with eng.begin() as conn:
        for sql in ROWS + _instance(1, "DN-1", {"subjects": ["KT02"], "year": 2025}, "ready") \
                + _instance(2, "DN-2", {"nominee_name": "Lê Văn Phúc"}, "ready") \
                + _instance(3, "DN-3", {"subjects": ["KT02"]}, "completed"):
            conn.execute(text(sql))
    eng.dispose()
    upgrade(url, VERSION_DIRS)
    eng = create_engine(url)
    with eng.connect() as conn:
        rows = dict((r[0], (r[1], r[2])) for r in conn.execute(text(
            "SELECT id, search_text, period_year FROM human_task")))
        waiting = conn.execute(text("SELECT waiting_for FROM process_instance")).scalars().all()
    eng.dispose()
    assert rows == {"t1": ("dn-1 | kt02 | nguyen thi minh hang", 2025),
                    "t2": ("dn-2 | le van phuc", None),
                    "t3": (None, None)}  # a done task is not searched
    assert waiting == [None, None, None]  # written by each instance's next command


def test_sqlite_backfill(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    _at_previous_heads(url)
    _check(url)


@pytest.fixture
def pg_at_previous_heads(pg_schema_url: str) -> Iterator[str]:
    """The session's schema taken down to the previous heads, empty; at head again after."""
    downgrade(pg_schema_url, VERSION_DIRS)
    _at_previous_heads(pg_schema_url)
    try:
        yield pg_schema_url
    finally:
        downgrade(pg_schema_url, VERSION_DIRS)
        upgrade(pg_schema_url, VERSION_DIRS)


def test_postgres_backfill(pg_at_previous_heads: str) -> None:
    _check(pg_at_previous_heads)
