"""Alembic migrations found through the package, not the working directory.

The engine's revisions live in ``engine/migrations/versions``; other packages
(the domain in ``workflows``) add their own version folders as separate
branches, and ``upgrade`` brings every branch to its head.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str, extra_version_dirs: Sequence[Path] = (),
                   model_modules: Sequence[str] = ()) -> Config:
    cfg = Config()
    cfg.set_main_option("tdkt_model_modules", " ".join(model_modules))
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    dirs = [MIGRATIONS_DIR / "versions", *extra_version_dirs]
    cfg.set_main_option("version_locations", " ".join(str(d) for d in dirs))
    cfg.set_main_option("path_separator", "space")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, extra_version_dirs: Sequence[Path] = (), revision: str = "heads") -> None:
    command.upgrade(alembic_config(url, extra_version_dirs), revision)


def downgrade(url: str, extra_version_dirs: Sequence[Path] = (), revision: str = "base") -> None:
    command.downgrade(alembic_config(url, extra_version_dirs), revision)
