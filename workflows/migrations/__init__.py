"""Alembic version folder of the domain's tables: the ``workflows`` branch.

``engine.store.migrate.upgrade(url, VERSION_DIRS)`` takes it beside the
engine's folder; its first revision depends on the engine's tables.
"""

from pathlib import Path

VERSION_DIRS: list[Path] = [Path(__file__).resolve().parent / "versions"]
