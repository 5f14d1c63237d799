"""One engine per app, a session per request, and SQLite tuned for concurrency."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Flask, g
from sqlalchemy import Connection, Engine, Select, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from .sqlite_gate import GatedConnection, WriterGate, gate_for

ENGINE_KEY = "courseware.engine"
READER_KEY = "courseware.reader"
# Connections kept open per pool and per worker process (two pools: db.init_app),
# and how many more a burst may open; see make_engine.
# How long a writer waits for SQLite's write lock before "database is locked".
SQLITE_BUSY_SECONDS = 5
POOL_SIZE = 8
POOL_OVERFLOW = 7


def make_engine(url: str, autocommit: bool = False) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys."""
    options: dict[str, Any] = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS,
                                                  "check_same_thread": False,
                                                  "factory": GatedConnection}, **options)
        event.listen(engine, "connect", _configure_sqlite)
        if not autocommit:
            database = engine.url.database
            gate = gate_for(database) if database and database != ":memory:" else None
            event.listen(engine, "begin", partial(_begin_sqlite, gate))
        return engine
    # The read pool skips the ping (one round trip per page view): its first
    # query on a dead connection reconnects and retries instead (HotQuery).
    # Each thread of a worker (server.THREADS) holds at most one connection per
    # pool, so the pool keeps that many open: with 5, the 3 others were opened
    # and closed on every request under load (a PostgreSQL backend forked each
    # time: the chapter page's p99 went past 2 s in benchmarks/chapter_page.py).
    return create_engine(url, pool_pre_ping=not autocommit, pool_size=POOL_SIZE,
                         max_overflow=POOL_OVERFLOW, **options)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy issue BEGIN itself (below): the driver's own transaction
    # handling breaks SAVEPOINTs, which certificate issuing relies on.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers and one writer work at once; busy_timeout makes writers
    # wait instead of failing with "database is locked"; NORMAL is safe in WAL
    # (a power cut can lose the last commits, never corrupt the file).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_sqlite(gate: WriterGate | None, connection: Any) -> None:
    # A deferred transaction that read first and writes later fails at once with
    # "database is locked" if another writer committed in between. Transactions
    # that may write after reading (ORM sessions) therefore take the write lock up
    # front and wait their turn; plain reads stay deferred. The turn is taken at
    # the writers' gate first (sqlite_gate.py: woken at once, not after SQLite's
    # naps); the connection gives it back when the transaction ends.
    if not connection.get_execution_options().get("sqlite_immediate", False):
        connection.exec_driver_sql("BEGIN")
        return
    dbapi_connection = connection.connection.dbapi_connection
    if (gate is not None and isinstance(dbapi_connection, GatedConnection)
            and gate.acquire(SQLITE_BUSY_SECONDS)):
        dbapi_connection.hold_gate(gate)
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if isinstance(dbapi_connection, GatedConnection):
            dbapi_connection.give_back_gate()
        raise


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions[ENGINE_KEY] = engine
    # Reads on the hot path use one autocommit connection per request: no
    # BEGIN/ROLLBACK round trips, and each single-statement write commits itself.
    # A pool of its own, so connections are not switched in and out of autocommit
    # (on SQLite each switch is a PRAGMA).
    app.extensions[READER_KEY] = make_engine(app.config["DATABASE_URL"], autocommit=True)
    writer = engine.execution_options(sqlite_immediate=True)
    app.extensions["courseware.sessionmaker"] = sessionmaker(writer, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def dispose_engines(app: Flask, close: bool = True) -> None:
    """Drop pooled connections (after fork, a worker must open its own)."""
    for key in (ENGINE_KEY, READER_KEY):
        engine = app.extensions.get(key)
        if engine is not None:
            engine.dispose(close=close)


def get_engine(app: Flask | None = None) -> Engine:
    from flask import current_app

    return (app or current_app).extensions[ENGINE_KEY]


def get_session() -> Session:
    """The request's ORM session, opened on first use and closed at teardown."""
    from flask import current_app

    if "db_session" not in g:
        g.db_session = current_app.extensions["courseware.sessionmaker"]()
    return g.db_session


def request_connection() -> Connection:
    """The request's autocommit connection, for reads and single-statement writes."""
    from flask import current_app

    if "db_connection" not in g:
        g.db_connection = current_app.extensions[READER_KEY].connect()
    return g.db_connection


def read_session() -> Session:
    """An ORM session for a request that only reads, on its autocommit connection.

    The request's ORM session is a writer: on SQLite it takes the write lock
    (BEGIN IMMEDIATE) at its first query, so a public page that only looks up a
    record queued behind every write of the site; on PostgreSQL it costs a ping,
    a BEGIN and a ROLLBACK around the one SELECT. Measured in
    benchmarks/launch_day.py, where verification pages and PDF downloads waited
    tens of ms for a few ms of work. Never write through it.
    """
    if "db_read_session" not in g:
        g.db_read_session = Session(bind=request_connection(), expire_on_commit=False)
    return g.db_read_session


def _close_session(_exc: BaseException | None) -> None:
    for key in ("db_read_session", "db_session"):
        session = g.pop(key, None)
        if session is not None:
            session.close()
    connection = g.pop("db_connection", None)
    if connection is not None:
        connection.close()


class HotQuery:
    """A read run on every page view: compiled once per dialect, executed on the
    driver's cursor. SQLAlchemy's per-execution bookkeeping costs several times
    the query itself on SQLite (~25 µs against ~4 µs); rows come back as plain
    tuples with the driver's types."""

    def __init__(self, statement: Select) -> None:
        self.statement = statement
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None]] = {}

    def rows(self, connection: Connection, params: dict[str, Any]) -> list[tuple]:
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            sql = self.statement.compile(dialect=dialect)
            positions = tuple(sql.positiontup) if sql.positiontup else None
            compiled = self._compiled[dialect.name] = (str(sql), positions)
        sql_text, positions = compiled
        arguments = tuple(params[name] for name in positions) if positions else params
        try:
            return self._fetch(connection, sql_text, arguments)
        except Exception as error:
            raw = connection.connection.dbapi_connection
            if not dialect.is_disconnect(error, raw, None):  # type: ignore[arg-type]
                raise
            # The server restarted or dropped an idle connection: this is the
            # request's first query, so reconnect and ask again, once.
            connection.invalidate()
            return self._fetch(connection, sql_text, arguments)

    @staticmethod
    def _fetch(connection: Connection, sql_text: str, arguments: Any) -> list[tuple]:
        cursor = connection.connection.driver_connection.cursor()
        try:
            cursor.execute(sql_text, arguments)
            return cursor.fetchall()
        finally:
            cursor.close()


def database_status(engine: Engine) -> dict[str, object]:
    """What /healthz reports: can we reach the database, and which one is it."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"ok": True, "backend": engine.dialect.name}
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return {"ok": False, "backend": engine.dialect.name, "error": type(exc).__name__}
