"""Shared fixtures: a tiny course, an app on SQLite (and PostgreSQL when
COURSEWARE_TEST_DATABASE_URL is set), a test client and helpers.

Every test that takes `app` runs once per database backend.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from xdist.scheduler import LoadScopeScheduling

from courseware.certificates import SigningIdentity, ensure_signing_identity
from courseware.db import dispose_engines, make_engine
from courseware.migrate import upgrade_database
from tests.helpers import Auth, empty_tables, ensure_schema, prepared_app, start_from_schema, write_course

TEST_DATABASE_ENV = "COURSEWARE_TEST_DATABASE_URL"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(TEST_DATABASE_ENV) else [])
# For a test of PostgreSQL's own behaviour (row locks): it runs only there.
POSTGRESQL_ONLY = pytest.mark.parametrize(
    "database_url", [backend for backend in BACKENDS if backend == "postgresql"], indirect=True)


def _postgres_url_for_worker(worker: str) -> str:
    """The test database (one per xdist worker), created on demand, so workers never collide."""
    from courseware.config import normalise_database_url

    url = make_url(normalise_database_url(os.environ[TEST_DATABASE_ENV]))
    name = url.database if worker == "master" else f"{url.database}_{worker}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> str:
    url = _postgres_url_for_worker(worker_id)
    engine = create_engine(url)
    # Start from an empty schema: a database left by an older checkout must not
    # hide (or cause) a migration problem.
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade_database(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine made as the app makes it, on the current schema, tables empty."""
    start_from_schema(database_url)
    engine = make_engine(database_url)
    ensure_schema(engine)
    empty_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def signing(tmp_path_factory: pytest.TempPathFactory) -> tuple[SigningIdentity, Path]:
    """One signing key for the whole run: generating RSA 3072 takes about a second."""
    folder = tmp_path_factory.mktemp("signing")
    return ensure_signing_identity(folder), folder


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    """A three-chapter course in a temporary content folder."""
    content = tmp_path / "content"
    write_course(content / "basics")
    return content


@pytest.fixture
def app_config(tmp_path: Path, course_dir: Path, database_url: str,
               signing: tuple[SigningIdentity, Path]) -> dict:
    key_folder = signing[1]
    return {
        # One signing key for every app of the run (see `signing`).
        "SIGNING_KEY": str(key_folder / "signing-key.pem"),
        "SIGNING_CERT": str(key_folder / "signing-cert.pem"),
        "TESTING": True,
        "INSTANCE_DIR": str(tmp_path / "instance"),
        "CONTENT_DIR": str(course_dir),
        "DATABASE_URL": database_url,
        "FAST_PASSWORD_HASH": True,
        "RATELIMIT_ENABLED": False,
        "SECRET_KEY": "test-secret-key",
        "BASE_URL": "http://courseware.test",
    }


@pytest.fixture
def app(app_config: dict) -> Iterator[Flask]:
    app = prepared_app(app_config)
    yield app
    dispose_engines(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


class _BrowserTestsTogether(LoadScopeScheduling):
    """xdist's load scheduling, but the browser tests all go to one test process.

    Their server, Chromium and signed-up learners are session fixtures: spread over
    three processes they were made three times (50-75 s each). `--dist loadgroup`
    would do this with a marker, but it no longer groups anything on pytest 9.
    """

    def _split_scope(self, nodeid: str) -> str:
        return "tests/browser" if nodeid.startswith("tests/browser/") else nodeid


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> LoadScopeScheduling | None:
    if config.getvalue("dist") != "load":
        return None  # an explicit --dist choice is kept
    return _BrowserTestsTogether(config, log)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly when PostgreSQL was left out, and how many tests that skipped."""
    if "postgresql" in BACKENDS:
        terminalreporter.write_line("databases: SQLite and PostgreSQL")
        return
    ran_on_sqlite = {
        report.nodeid for reports in terminalreporter.stats.values() for report in reports
        if getattr(report, "when", None) == "call" and _on_sqlite(getattr(report, "nodeid", ""))
    }
    # Tests of PostgreSQL's own concurrency (parametrised over POSTGRESQL_ONLY) have no
    # SQLite twin: pytest reports them as skipped for an empty parameter set.
    postgresql_only = [report for report in terminalreporter.stats.get("skipped", [])
                       if "empty parameter set for (database_url)" in str(report.longrepr)]
    if not ran_on_sqlite and not postgresql_only:
        return
    terminalreporter.write_line(
        f"databases: SQLite only. {TEST_DATABASE_ENV} is not set, so the PostgreSQL runs of "
        f"{len(ran_on_sqlite)} database tests and {len(postgresql_only)} PostgreSQL-only tests "
        "were left out.", yellow=True)


def _on_sqlite(nodeid: str) -> bool:
    """`test_x[sqlite]`, `test_x[admin-sqlite]`: a test that has a PostgreSQL twin."""
    return nodeid.endswith("]") and "sqlite" in nodeid[nodeid.rfind("[") + 1:-1].split("-")
