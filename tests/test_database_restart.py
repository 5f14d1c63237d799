"""A PostgreSQL restart (or a dropped idle connection) never shows learners an error.

Only meaningful against a database server, so it is collected on the
PostgreSQL pass alone (COURSEWARE_TEST_DATABASE_URL set, as in CI).
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from courseware.db import get_engine
from tests.conftest import BACKENDS


def _drop_every_other_connection(app) -> int:
    with get_engine(app).connect() as connection:
        dropped = connection.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
        connection.commit()
    return int(dropped)


if "postgresql" in BACKENDS:

    @pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
    def test_pages_survive_dropped_database_connections(app, client, auth):
        auth.signup()
        chapter = "/courses/basics/welcome/"
        assert client.get(chapter).status_code == 200  # the pools now hold open connections
        assert _drop_every_other_connection(app) >= 1
        for _ in range(3):  # each pooled connection is found dead and replaced
            response = client.get(chapter)
            assert response.status_code == 200
            assert "<progress" in response.get_data(as_text=True)  # still signed in
        assert auth.complete(chapter).status_code == 302
