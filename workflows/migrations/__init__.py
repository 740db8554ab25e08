"""Alembic version folders of the domain's tables (a branch of their own).

Empty until the domain tables land; ``engine.store.migrate.upgrade`` takes
these folders beside the engine's.
"""

from pathlib import Path

VERSION_DIRS: list[Path] = []
