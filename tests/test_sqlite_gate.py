"""The SQLite writers' gate (courseware/sqlite_gate.py): writers queue on it, every way a
transaction ends gives it back, it holds across processes, and waiting on it is bounded."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from courseware.db import make_engine
from courseware.sqlite_gate import gate_for


@pytest.fixture
def engine(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}").execution_options(sqlite_immediate=True)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))
    yield engine
    engine.dispose()


def gate_is_free(database: Path) -> bool:
    gate = gate_for(database)
    if gate.acquire(timeout=0):
        gate.release()
        return True
    return False


@pytest.mark.parametrize("ending", ["commit", "rollback", "close", "error"])
def test_every_way_a_write_transaction_ends_gives_the_gate_back(engine, tmp_path: Path,
                                                               ending: str) -> None:
    database = tmp_path / "gate.db"
    connection = engine.connect()
    transaction = connection.begin()
    connection.execute(text("UPDATE counter SET n = n + 1"))
    assert not gate_is_free(database), "a write transaction holds the gate"
    if ending == "commit":
        transaction.commit()
    elif ending == "rollback":
        transaction.rollback()
    elif ending == "error":
        with pytest.raises(OperationalError):
            connection.execute(text("UPDATE no_such_table SET n = 1"))
        transaction.rollback()
    connection.close()  # "close": the pool's reset on return rolls back
    assert gate_is_free(database)
    with engine.connect() as check:
        expected = 1 if ending == "commit" else 0
        assert check.execute(text("SELECT n FROM counter")).scalar() == expected


def _hold_in_child(database: str, holding: multiprocessing.Event, done: multiprocessing.Event) -> None:
    gate = gate_for(database)
    assert gate.acquire(timeout=5)
    holding.set()
    done.wait(10)
    gate.release()


def test_another_process_holding_the_gate_makes_writers_here_wait(tmp_path: Path) -> None:
    database = tmp_path / "gate.db"
    context = multiprocessing.get_context("fork")
    holding, done = context.Event(), context.Event()
    child = context.Process(target=_hold_in_child, args=(str(database), holding, done))
    child.start()
    try:
        assert holding.wait(10)
        assert not gate_is_free(database)
        assert not gate_for(database).acquire(timeout=0.05), "the wait is bounded"
        done.set()
        child.join(10)
        assert child.exitcode == 0
        assert gate_is_free(database)
    finally:
        done.set()
        child.join(10)


def test_threads_and_processes_writing_at_once_lose_no_write(engine, tmp_path: Path) -> None:
    """Eight threads in each of two processes, 25 increments each, through the gate."""
    database = tmp_path / "gate.db"

    def increments() -> None:
        local = make_engine(f"sqlite:///{database}").execution_options(sqlite_immediate=True)

        def work() -> None:
            for _ in range(25):
                with local.begin() as connection:
                    value = connection.execute(text("SELECT n FROM counter")).scalar()
                    connection.execute(text("UPDATE counter SET n = :n"), {"n": value + 1})
        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        local.dispose()

    engine.dispose()
    child = multiprocessing.get_context("fork").Process(target=increments)
    child.start()
    increments()
    child.join(60)
    assert child.exitcode == 0
    with engine.connect() as connection:
        # A read then a write in each transaction: any two overlapping would lose one.
        assert connection.execute(text("SELECT n FROM counter")).scalar() == 2 * 8 * 25
    assert gate_is_free(database)
