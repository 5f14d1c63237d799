"""Run one untrusted-input job in a forked child with CPU, memory and wall-clock limits.

Parsing a hostile PDF can take minutes or gigabytes inside pyHanko, where no
timeout can reach. A forked child inherits the loaded libraries (a fork costs
about 5 ms, where a fresh interpreter would spend a second importing pyHanko),
then lowers its own RLIMIT_CPU and RLIMIT_AS before touching the data; the
parent kills it at the wall deadline. The child never returns into the caller's
code: it writes its JSON answer to a pipe and leaves with ``os._exit``.

A few slots (lock files in the instance folder) cap how many checks run at once
across all server processes, so a burst of uploads cannot take every worker.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import resource
import select
import signal
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_MAX_ANSWER = 64 * 1024
_EXIT_OK, _EXIT_OUT_OF_MEMORY, _EXIT_FAILED = 0, 71, 70


@dataclass(frozen=True)
class Outcome:
    """The child's answer, or why there is none (``too_complex``, ``timeout``, or ``busy``
    when no process could be started)."""

    answer: dict[str, Any] | None
    failure: str | None = None
    detail: str = ""


def _address_space() -> int:
    """Bytes of address space this process already maps (its libraries, heap, stacks)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except OSError:
        return 0


def _confine(cpu_seconds: int, memory_bytes: int) -> None:
    """In the child: limits first, then silence (the parent logs the one line)."""
    for number in (signal.SIGXCPU, signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        signal.signal(number, signal.SIG_DFL)
    _lower(resource.RLIMIT_CORE, 0, 0)
    _lower(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1)
    room = _address_space() + memory_bytes
    _lower(resource.RLIMIT_AS, room, room)
    logging.disable(logging.CRITICAL)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def _lower(kind: int, soft: int, hard: int) -> None:
    """Set a limit, never above one already imposed (a container's): raising it would fail."""
    _, current = resource.getrlimit(kind)
    if current != resource.RLIM_INFINITY:
        soft, hard = min(soft, current), min(hard, current)
    resource.setrlimit(kind, (soft, hard))


def _child(write_fd: int, job: Callable[[], dict[str, Any]], cpu_seconds: int, memory_bytes: int) -> None:
    status = _EXIT_FAILED
    try:
        _confine(cpu_seconds, memory_bytes)
        payload = json.dumps(job()).encode()
        view = memoryview(payload)
        while view:
            view = view[os.write(write_fd, view):]
        status = _EXIT_OK
    except MemoryError:
        status = _EXIT_OUT_OF_MEMORY
    except BaseException:  # noqa: BLE001, S110 - the exit status tells the parent
        pass
    finally:
        os._exit(status)


def run_confined(job: Callable[[], dict[str, Any]], *, cpu_seconds: int, memory_bytes: int,
                 wall_seconds: float) -> Outcome:
    """Run ``job`` in a child process; its JSON-able result, or why it was stopped."""
    read_fd, write_fd = os.pipe()
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns about forking a process with threads: the child only
            # computes and exits, it never takes a lock another thread could hold.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError as error:  # out of processes or memory: like every slot being taken
        os.close(read_fd)
        os.close(write_fd)
        return Outcome(None, "busy", f"cannot start the checker: {error.strerror}")
    if pid == 0:
        os.close(read_fd)
        _child(write_fd, job, cpu_seconds, memory_bytes)
    os.close(write_fd)
    started = time.monotonic()
    chunks: list[bytes] = []
    received = 0
    timed_out = False
    try:
        while True:
            remaining = started + wall_seconds - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(read_fd, 65536)
            received += len(chunk)
            if not chunk or received > _MAX_ANSWER:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        if timed_out or received > _MAX_ANSWER:
            _kill(pid)
        status = _reap(pid)
    elapsed = time.monotonic() - started
    if timed_out:
        return Outcome(None, "timeout", f"wall deadline {wall_seconds:g} s")
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number in (signal.SIGXCPU, signal.SIGKILL):
            return Outcome(None, "timeout", f"CPU limit {cpu_seconds} s")
        return Outcome(None, "too_complex", f"checker died of signal {number} after {elapsed:.1f} s")
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
    if code == _EXIT_OUT_OF_MEMORY:
        return Outcome(None, "too_complex", f"memory limit {memory_bytes // (1024 * 1024)} MiB")
    try:
        answer = json.loads(b"".join(chunks)) if code == _EXIT_OK else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        return Outcome(None, "too_complex", f"checker exited with status {code}")
    return Outcome(answer)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _reap(pid: int) -> int:
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:  # already reaped by someone else (SIGCHLD ignored)
        return 0


@contextmanager
def check_slot(folder: Path | None, slots: int, wait_seconds: float) -> Iterator[bool]:
    """Hold one of ``slots`` lock files in ``folder``; yields False when none frees up in time.

    Without a folder (the CLI checks one file) there is no sharing and no wait.
    """
    if folder is None:
        yield True
        return
    folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + max(0.0, wait_seconds)
    while True:
        for index in range(max(1, slots)):
            handle = open(folder / f".certificate-check-{index}.lock", "w")  # noqa: SIM115
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            try:
                yield True
            finally:
                handle.close()  # closing releases the lock
            return
        if time.monotonic() >= deadline:
            yield False
            return
        time.sleep(0.05)

