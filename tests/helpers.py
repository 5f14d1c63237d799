"""Small factories and helpers that make tests read like scenarios."""

from __future__ import annotations

import atexit
import re
import shutil
import sqlite3
import tempfile
import textwrap
from contextlib import closing
from email import message_from_bytes, policy
from email.message import EmailMessage
from functools import cache
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from werkzeug.test import TestResponse

from courseware import create_app
from courseware.db import get_engine, make_engine
from courseware.mail import deliver_due
from courseware.migrate import pending_revisions, upgrade_database
from courseware.models import Base

CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"'
                          r'|name="csrf_token" value="([^"]+)"')

COURSE_YAML = """\
slug: basics
title: Les bases
language: fr
summary: Un petit cours de test.
issuer: Académie de test
"""

CHAPTERS = {
    "01-welcome.md": ("Bienvenue", "## Premiers pas\n\nBonjour et bienvenue.\n\n"
                      "Voir [la suite](02-data.md).\n"),
    "02-data.md": ("Les données", "## Données\n\n![Un schéma](images/diagram.svg)\n\n"
                   "::: tip\nUne astuce.\n:::\n"),
    "03-next.md": ("Et ensuite", "## Ensuite\n\nFin du cours.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"),
}

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>x</title></svg>\n'


def write_course(folder: Path, course_yaml: str = COURSE_YAML,
                 chapters: dict[str, tuple[str, str]] | None = None) -> Path:
    """Write a course folder: course.yaml, chapters with front matter, one image."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.yaml").write_text(course_yaml, encoding="utf-8")
    (folder / "images").mkdir(exist_ok=True)
    (folder / "images" / "diagram.svg").write_text(SVG, encoding="utf-8")
    for name, (title, body) in (chapters or CHAPTERS).items():
        (folder / name).write_text(f"---\ntitle: {title}\n---\n{textwrap.dedent(body)}",
                                   encoding="utf-8")
    return folder


def empty_tables(engine: Engine) -> None:
    """PostgreSQL databases outlive a test (SQLite files do not): start each test empty.

    DELETE in foreign-key order and a restart of the sequences in use: 3 ms, where one
    TRUNCATE of every table took 31 ms per test (it makes new files for each table).
    Every table of the models is emptied, so a new table cannot leak between tests.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        used = connection.scalars(text(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() "
            "AND last_value IS NOT NULL")).all()
        for sequence in used:
            connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))


@cache
def _migrated_sqlite() -> Path:
    """One SQLite file migrated to the head, made once per test process."""
    folder = Path(tempfile.mkdtemp(prefix="courseware-schema-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    engine = make_engine(f"sqlite:///{folder / 'migrated.db'}")
    upgrade_database(engine)
    engine.dispose()
    return folder / "migrated.db"


def start_from_schema(database_url: str) -> None:
    """Give a test's new SQLite file the migrated schema by copying a migrated one.

    Running the migrations takes ~100 ms a test on SQLite (each batch operation
    rebuilds a table); a copy made with SQLite's backup API takes ~1 ms.
    """
    if not database_url.startswith("sqlite:///"):
        return
    target = Path(database_url.removeprefix("sqlite:///"))
    if target.exists():
        return
    with closing(sqlite3.connect(_migrated_sqlite())) as source, \
            closing(sqlite3.connect(target)) as copy:
        source.backup(copy)


def ensure_schema(engine: Engine) -> None:
    """upgrade_database, skipped when the schema is already at the head (one query,
    where Alembic's no-op upgrade reads every migration file: 15-20 ms a test)."""
    if pending_revisions(engine):
        upgrade_database(engine)


def prepared_app(config: dict) -> Flask:
    """create_app on a database at the newest schema, its tables empty: what a test starts from."""
    if config.get("DATABASE_URL"):
        start_from_schema(config["DATABASE_URL"])
    app = create_app(config)
    engine = get_engine(app)
    ensure_schema(engine)
    empty_tables(engine)
    return app


def settle_login_cache(app: Flask) -> None:
    """After a change made outside a request (as another server or psql would make it):
    wait until this process's login cache has heard of it (PostgreSQL; no-op otherwise)."""
    from courseware.web.login_cache import settle

    assert settle(app), "the login cache's listener did not hear its own notification"


def cut_login_listener(app: Flask, timeout: float = 10.0) -> None:
    """End the login cache's PostgreSQL connection, as a database restart would, and
    wait until the listener is back (nothing is cached then). No-op without a cache."""
    from courseware.login_cache.listener import APPLICATION_NAME, listener_for
    from courseware.web.login_cache import CACHE_KEY, login_cache

    if login_cache(app) is None:
        return
    listener = listener_for(app.extensions[CACHE_KEY].conninfo)
    _wait_for(lambda: listener.listening, timeout, "the login listener to connect")
    before = listener.connections
    with get_engine(app).connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE application_name = :name AND datname = current_database()"),
                           {"name": APPLICATION_NAME})
    _wait_for(lambda: listener.connections > before and listener.listening, timeout,
              "the login listener to reconnect")


def _wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(0.01)


def mails_to(app: Flask, address: str) -> list[EmailMessage]:
    """Mail the app sent to `address`, oldest first (the outbox is delivered to files first)."""
    deliver_due(get_engine(app), app.config)
    folder = Path(app.config["INSTANCE_DIR"]) / "mail"
    messages = [message_from_bytes(path.read_bytes(), policy=policy.default)
                for path in sorted(folder.glob("*.eml"))] if folder.is_dir() else []
    return [m for m in messages if m["To"] == address.strip().lower()]


def confirmation_link(app: Flask, address: str) -> str | None:
    """The path of the newest sign-up link mailed to `address`, if any."""
    for message in reversed(mails_to(app, address)):
        match = re.search(r"https?://[^/\s]+(/signup/confirm/\S+)", message.get_body().get_content())
        if match:
            return match.group(1)
    return None


def csrf_token(response: TestResponse) -> str:
    return csrf_token_from_html(response.get_data(as_text=True))


def csrf_token_from_html(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1) or match.group(2)


class Auth:
    """Sign up, log in and out through the real forms (CSRF included)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def token(self, url: str = "/login") -> str:
        return csrf_token(self.client.get(url))

    def signup(self, email: str = "ana@example.org", name: str = "Ana Dupont",
               password: str = "un mot de passe solide", next: str = "") -> TestResponse:
        """Sign up, then open the link of the confirmation mail (as a learner does)."""
        response = self.client.post("/signup", data={
            "csrf_token": self.token("/signup"), "email": email, "name": name,
            "password": password, "next": next,
        })
        link = confirmation_link(self.client.application, email) if response.status_code == 302 else None
        return self.client.get(link) if link else response  # no link: the address was taken

    def login(self, email: str = "ana@example.org", password: str = "un mot de passe solide",
              remember: bool = False) -> TestResponse:
        data = {"csrf_token": self.token("/login"), "email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self.client.post("/login", data=data)

    def logout(self) -> TestResponse:
        return self.client.post("/logout", data={"csrf_token": self.token("/")})

    def post(self, url: str, data: dict | None = None, token_from: str = "/") -> TestResponse:
        """POST a form the way a browser would, with the page's CSRF token."""
        return self.client.post(url, data={"csrf_token": self.token(token_from), **(data or {})})

    def complete(self, chapter_url: str) -> TestResponse:
        return self.post(chapter_url + "complete", token_from=chapter_url)


def cli_environment(app: Flask, app_config: dict, **extra: str) -> dict[str, str]:
    """COURSEWARE_* variables for a `courseware` process sharing the instance, content,
    database and keys of the web app under test (plus `extra` settings)."""
    return {
        "PATH": "/usr/bin:/bin",
        "COURSEWARE_INSTANCE_DIR": app_config["INSTANCE_DIR"],
        "COURSEWARE_CONTENT_DIR": app_config["CONTENT_DIR"],
        "COURSEWARE_DATABASE_URL": app.config["DATABASE_URL"],
        "COURSEWARE_SECRET_KEY": "cli-test-key",
        "COURSEWARE_BASE_URL": app_config["BASE_URL"],
        "COURSEWARE_SIGNING_KEY": app_config["SIGNING_KEY"],
        "COURSEWARE_SIGNING_CERT": app_config["SIGNING_CERT"],
        **extra,
    }

