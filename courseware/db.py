"""One engine per app, a session per request, and SQLite tuned for concurrency."""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

ENGINE_KEY = "courseware.engine"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 5, "check_same_thread": False})
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy issue BEGIN itself (below): the driver's own transaction
    # handling breaks SAVEPOINTs, which certificate issuing relies on.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers and one writer work at once; busy_timeout makes writers
    # wait instead of failing with "database is locked"; NORMAL is safe in WAL
    # (a power cut can lose the last commits, never corrupt the file).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_sqlite(connection: Any) -> None:
    # A deferred transaction that read first and writes later fails at once with
    # "database is locked" if another writer committed in between. Transactions
    # that may write after reading (ORM sessions) therefore take the write lock up
    # front and wait their turn (busy_timeout); plain reads stay deferred.
    immediate = connection.get_execution_options().get("sqlite_immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions[ENGINE_KEY] = engine
    writer = engine.execution_options(sqlite_immediate=True)
    app.extensions["courseware.sessionmaker"] = sessionmaker(writer, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_engine(app: Flask | None = None) -> Engine:
    from flask import current_app

    return (app or current_app).extensions[ENGINE_KEY]


def get_session() -> Session:
    """The request's ORM session, opened on first use and closed at teardown."""
    from flask import current_app

    if "db_session" not in g:
        g.db_session = current_app.extensions["courseware.sessionmaker"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def database_status(engine: Engine) -> dict[str, object]:
    """What /healthz reports: can we reach the database, and which one is it."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"ok": True, "backend": engine.dialect.name}
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return {"ok": False, "backend": engine.dialect.name, "error": type(exc).__name__}
