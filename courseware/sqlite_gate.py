"""Writers of one SQLite file take turns on an OS file lock, not on SQLite's retries.

SQLite lets one writer in at a time. The others, with a busy timeout, sleep and
retry with growing naps (1, 2, 5, 10, ... up to 100 ms): a write of 3 ms waited
for 10 to 50 ms while the cores sat idle. Under benchmarks/launch_day.py quiz
answers spent 40 % of their time in those naps and their p95 reached 470 ms.

A `WriterGate` puts the writers of one file in a queue the kernel wakes at once:
a thread lock between the threads of a process, then `flock` on a small file
beside the database between processes (released by the kernel if a process
dies). The gate is taken just before `BEGIN IMMEDIATE` and given back as soon as
the transaction commits or rolls back (`GatedConnection`), so SQLite's own lock is
free by the time the next writer asks for it. Waiting is bounded: past the busy
timeout a writer goes on without the gate, and SQLite's own timeout decides.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from pathlib import Path

# Between two tries of the file lock while another process holds it.
_POLL_SECONDS = 0.0002

_gates: dict[str, WriterGate] = {}
_gates_lock = threading.Lock()


class WriterGate:
    """One queue for the writers of one database file, in this process and across them."""

    def __init__(self, lock_path: Path) -> None:
        self.lock_path = lock_path
        self._thread_lock = threading.Lock()
        self._fd: int | None = None

    def _forget_parent(self) -> None:
        # After fork: a descriptor inherited from the parent shares the parent's lock, and
        # the thread lock may have been held by a thread that does not exist here.
        self._thread_lock = threading.Lock()
        self._fd = None

    def acquire(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the gate; False if it could not be had."""
        deadline = time.monotonic() + timeout
        if not self._thread_lock.acquire(timeout=timeout):
            return False
        try:
            fd = self._file()
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        break
                    time.sleep(_POLL_SECONDS)
        except OSError:
            pass  # no lock file (read-only folder): SQLite's busy timeout alone, as before
        self._thread_lock.release()
        return False

    def release(self) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def _file(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._fd


def gate_for(database: str | os.PathLike[str]) -> WriterGate:
    """The gate of a database file, shared by every engine of this process that opens it."""
    lock_path = Path(os.fspath(database) + "-writers.lock")
    key = str(lock_path.resolve())
    with _gates_lock:
        gate = _gates.get(key)
        if gate is None:
            gate = _gates[key] = WriterGate(lock_path)
        return gate


def _forget_parents_gates() -> None:
    global _gates_lock
    _gates_lock = threading.Lock()
    for gate in _gates.values():
        gate._forget_parent()


# gunicorn forks its workers from a master that built the engines (and their gates).
os.register_at_fork(after_in_child=_forget_parents_gates)


class GatedConnection(sqlite3.Connection):
    """A DB-API connection that gives its gate back when its transaction ends."""

    gate: WriterGate | None = None  # set by hold_gate while a write transaction is open

    def hold_gate(self, gate: WriterGate) -> None:
        self.gate = gate

    def give_back_gate(self) -> None:
        gate, self.gate = self.gate, None
        if gate is not None:
            gate.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.give_back_gate()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.give_back_gate()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.give_back_gate()
