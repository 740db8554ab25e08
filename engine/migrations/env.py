"""Alembic environment: runs with the URL given by engine.store.migrate."""

import importlib

from alembic import context

from engine.store.db import make_engine
from engine.store.models import Base

config = context.config
# Other packages' models share Base.metadata; name them so autogenerate sees their tables
# (the engine itself imports nothing from those packages).
for module in (config.get_main_option("tdkt_model_modules") or "").split():
    importlib.import_module(module)
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
