"""Shared fixtures: a migrated database on SQLite and, when configured, PostgreSQL.

Set ``TDKT_TEST_POSTGRES_URL`` (``.ci/run`` does) to run every test that uses
``db_url`` on PostgreSQL as well; without it that half is skipped with a reason.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, text

from engine.store.migrate import upgrade

PG_URL = os.environ.get("TDKT_TEST_POSTGRES_URL")
FIXTURES = Path(__file__).parent / "fixtures"
PG_SKIP = "PostgreSQL not configured: set TDKT_TEST_POSTGRES_URL (CI sets it) to run this half"


def _extra_version_dirs() -> list[Path]:
    try:
        from workflows.migrations import VERSION_DIRS
    except ImportError:
        return []
    return list(VERSION_DIRS)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}", _extra_version_dirs())
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    return path


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    if not PG_URL:
        pytest.skip(PG_SKIP)
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    upgrade(url, _extra_version_dirs())
    _pg_snapshot_seeds(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


# Rows the migrations seed (the award catalogue, settings): restored after each truncation.
SEEDED_TABLES = ("award_type", "setting")
_PG_SEEDS: dict[str, list[dict[str, object]]] = {}


def _pg_snapshot_seeds(url: str) -> None:
    eng = create_engine(url)
    meta = MetaData()
    meta.reflect(eng, only=[t for t in SEEDED_TABLES])
    with eng.connect() as conn:
        for name in SEEDED_TABLES:
            _PG_SEEDS[name] = [dict(r._mapping) for r in conn.execute(meta.tables[name].select())]
    eng.dispose()


def _pg_reset(url: str) -> None:
    eng = create_engine(url)
    meta = MetaData()
    meta.reflect(eng, only=list(SEEDED_TABLES))
    with eng.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename NOT IN ('alembic_version', 'audit_head')"))]
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                              + " RESTART IDENTITY CASCADE"))
        for name in SEEDED_TABLES:
            if _PG_SEEDS.get(name):
                conn.execute(meta.tables[name].insert(), _PG_SEEDS[name])
        conn.execute(text("UPDATE audit_head SET last_id = 0, last_hash = :h"), {"h": "0" * 64})
    eng.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A freshly migrated, empty database URL (runs each test on both databases)."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_schema_url")
    _pg_reset(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """SQLite only, for tests about one machine (e.g. the CLI)."""
    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def pg_url(pg_schema_url: str) -> str:
    """PostgreSQL only (skips without it), for tests of several writers at once."""
    _pg_reset(pg_schema_url)
    return pg_schema_url


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()
