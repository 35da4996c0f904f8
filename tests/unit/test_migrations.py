"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from datadeed import migrations
from datadeed.db import make_engine
from datadeed.models import metadata


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


def test_database_is_at_head(database_url):
    assert migrations.current_revision(database_url) == migrations.head_revision()


def test_downgrade_to_base_and_back(fresh_database_url):
    migrations.upgrade(fresh_database_url)
    from alembic import command

    command.downgrade(migrations.alembic_config(fresh_database_url), "base")
    engine = make_engine(fresh_database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    migrations.upgrade(fresh_database_url)
    assert migrations.current_revision(fresh_database_url) == migrations.head_revision()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
