"""Every schema change is an Alembic revision: up from empty, down to empty, up again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, text

import workflows.models  # noqa: F401  (the domain tables are part of the metadata)
from engine.store.migrate import downgrade, upgrade
from engine.store.models import Base
from workflows.migrations import VERSION_DIRS


def _tables(url: str) -> set[str]:
    eng = create_engine(url)
    try:
        return set(inspect(eng).get_table_names()) - {"alembic_version"}
    finally:
        eng.dispose()


def test_sqlite_up_down_up(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, VERSION_DIRS)
    assert set(Base.metadata.tables) <= _tables(url)
    downgrade(url, VERSION_DIRS)
    assert _tables(url) == set()
    upgrade(url, VERSION_DIRS)
    assert set(Base.metadata.tables) <= _tables(url)


def test_postgres_up_down_up(pg_url: str) -> None:
    # The session schema is already at head (emptied by pg_url, so no row of an earlier
    # test holds on to the seeded catalogue): go down to empty and back up.
    pg_schema_url = pg_url
    downgrade(pg_schema_url, VERSION_DIRS)
    assert _tables(pg_schema_url) == set()
    upgrade(pg_schema_url, VERSION_DIRS)
    assert set(Base.metadata.tables) <= _tables(pg_schema_url)
    eng = create_engine(pg_schema_url)
    with eng.connect() as conn:
        assert conn.execute(text("SELECT last_id FROM audit_head WHERE id = 1")).scalar() == 0
    eng.dispose()


def test_models_match_migrations(tmp_path: Path) -> None:
    """Autogenerate finds nothing to add: the ORM and the revisions agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    url = f"sqlite:///{tmp_path / 'cmp.db'}"
    upgrade(url, VERSION_DIRS)
    eng = create_engine(url)
    with eng.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    eng.dispose()
    assert diff == [], diff
