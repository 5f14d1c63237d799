"""The migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from courseware.db import make_engine
from courseware.migrate import alembic_config, pending_revisions, upgrade_database
from courseware.models import Base


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def schema_differences(engine: Engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_upgraded_schema_matches_the_models(engine):
    upgrade_database(engine)
    assert schema_differences(engine) == []


def test_upgrade_is_idempotent_and_reaches_the_head(engine):
    upgrade_database(engine)
    upgrade_database(engine)
    assert not pending_revisions(engine)
    heads = ScriptDirectory.from_config(alembic_config(engine)).get_heads()
    with engine.connect() as connection:
        assert set(MigrationContext.configure(connection).get_current_heads()) == set(heads)
    assert schema_differences(engine) == []


def test_there_is_a_single_head():
    engine = make_engine("sqlite://")
    try:
        assert len(ScriptDirectory.from_config(alembic_config(engine)).get_heads()) == 1
    finally:
        engine.dispose()


def test_a_new_database_starts_behind_and_ends_complete(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        assert pending_revisions(engine)
        upgrade_database(engine)
        assert not pending_revisions(engine)
        assert {"users", "chapter_progress", "certificates"} <= set(inspect(engine).get_table_names())
        unique = inspect(engine).get_unique_constraints("chapter_progress")
        assert [sorted(c["column_names"]) for c in unique] == [
            ["chapter_slug", "course_slug", "user_id"]]
    finally:
        engine.dispose()
