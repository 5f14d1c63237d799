"""Fixtures for the command-line tests: a fresh instance the commands configure themselves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from tests.helpers import empty_tables, write_course


@pytest.fixture
def environment(tmp_path: Path, database_url: str) -> Iterator[dict[str, str]]:
    """COURSEWARE_* variables for a fresh instance, content folder and empty database."""
    content = tmp_path / "content"
    write_course(content / "basics")
    if database_url.startswith("postgresql"):
        engine = create_engine(database_url)
        empty_tables(engine)
        engine.dispose()
    yield {
        "COURSEWARE_INSTANCE_DIR": str(tmp_path / "instance"),
        "COURSEWARE_CONTENT_DIR": str(content),
        "COURSEWARE_DATABASE_URL": database_url,
        "COURSEWARE_SECRET_KEY": "cli-test-key",
    }
