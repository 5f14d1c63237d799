"""Run the app under gunicorn from the `courseware serve` command.

Slow clients: with sync workers, two sockets sending their headers or body a
byte at a time held both workers until gunicorn's 30 s timeout killed them, and
/healthz waited 31 s. Now each worker runs THREADS threads (gunicorn's gthread
worker: idle keep-alive connections wait in the worker's poller, not in a
thread), and a request's reads are bounded: HEADER_TIMEOUT for the request line
and headers, BODY_TIMEOUT for the body, READ_IDLE_TIMEOUT without any byte.
Measured on 2 workers (tests/test_slow_clients.py): with 6 slow sockets open,
/healthz answers at once; 2 * THREADS slow sockets are needed to fill every
thread, and each is dropped after at most HEADER_TIMEOUT (body: BODY_TIMEOUT).
In production nginx buffers whole requests in front (README, deployment).
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.http.errors import NoMoreData
from gunicorn.workers.gthread import ThreadWorker

THREADS = 8  # per worker; each request holds at most one connection per pool (db.make_engine)
HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 60.0  # a 5 MB upload (MAX_CONTENT_LENGTH) at ~100 KB/s
READ_IDLE_TIMEOUT = 10.0


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


class BoundedReadSocket:
    """A client socket whose reads give up on a client that stalls or dribbles.

    gunicorn reads a request with plain blocking `recv` calls and has no header
    timeout of its own; every other socket call goes to the real socket.
    """

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.deadline: float | None = None

    def start(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def setblocking(self, flag: bool) -> None:
        self._sock.settimeout(READ_IDLE_TIMEOUT if flag else 0.0)

    def recv(self, size: int, *flags: int) -> bytes:
        timeout = READ_IDLE_TIMEOUT
        if self.deadline is not None:
            timeout = min(timeout, self.deadline - time.monotonic())
            if timeout <= 0:
                raise NoMoreData(b"")  # gunicorn drops the connection quietly
        self._sock.settimeout(timeout)
        try:
            return self._sock.recv(size, *flags)
        except TimeoutError:
            raise NoMoreData(b"") from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class BoundedThreadWorker(ThreadWorker):
    """gunicorn's gthread worker with time limits on reading each request, that
    accepts connections only while it has a free thread.

    gthread accepts every connection and queues it for its thread pool: a worker
    whose threads all wait on slow clients would still take /healthz and leave
    it in the queue while the other worker is idle. Not accepting leaves the
    connection in the kernel's backlog for the other worker.
    """

    _in_threads = 0  # connections handed to the pool and not finished (main thread only)

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled and self._in_threads < self.cfg.threads)

    def enqueue_req(self, conn: Any) -> None:
        self._in_threads += 1
        if self._in_threads >= self.cfg.threads:
            self.set_accept_enabled(False)
        super().enqueue_req(conn)

    def finish_request(self, conn: Any, fs: Any) -> None:
        self._in_threads -= 1
        super().finish_request(conn, fs)
        if self.alive:
            self.set_accept_enabled(self.nr_conns < self.worker_connections)

    def handle(self, conn: Any) -> Any:
        if not isinstance(conn.sock, BoundedReadSocket):
            conn.sock = BoundedReadSocket(conn.sock)
        conn.sock.start(HEADER_TIMEOUT)
        return super().handle(conn)

    def handle_request(self, req: Any, conn: Any) -> Any:
        conn.sock.start(BODY_TIMEOUT)  # the headers are in: the body gets its own limit
        return super().handle_request(req, conn)


def _post_fork(_server: Any, worker: Any) -> None:
    # Connections must never be shared across processes: each worker opens its own.
    from .db import ENGINE_KEY, dispose_engines, get_engine
    from .log_buffer import log_through_a_buffer
    from .mail import start_delivery_thread

    app = worker.app.application
    if ENGINE_KEY not in app.extensions:
        return  # not courseware: the benchmark's bare Flask baseline
    dispose_engines(app, close=False)
    # Each worker delivers the outbox: mail goes out while any worker is alive.
    start_delivery_thread(get_engine(app), app.config)
    log_through_a_buffer()  # log_buffer.py: request lines cost no lock


def run_gunicorn(app: Flask, *, host: str, port: int, workers: int) -> None:
    """Content is loaded once in the master and shared by the forked workers."""
    _Gunicorn(app, gunicorn_options(app, host=host, port=port, workers=workers)).run()


def gunicorn_options(app: Flask, *, host: str, port: int, workers: int) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": f"{__name__}.BoundedThreadWorker",
        "threads": THREADS,
        "preload_app": True,
        # No access log: it would hold client addresses and raw paths (reset tokens).
        # courseware logs one line per request itself (web/observability.py).
        "accesslog": None,
        "post_fork": _post_fork,
        "timeout": 30,
        # gunicorn's control socket is one fixed path per user: several servers
        # on a machine would fight over it, and courseware does not use it.
        "control_socket_disable": True,
        # gunicorn believes X-Forwarded-Proto & co from 127.0.0.1 by default, so
        # anything on the machine could claim https. Proxies are trusted only
        # through COURSEWARE_TRUSTED_PROXIES (ProxyFix, in web/__init__.py).
        **({} if app.config.get("TRUSTED_PROXIES") else {"forwarded_allow_ips": ""}),
    }


def prepare_metrics_folder(instance_dir: Path) -> None:
    """Turn on prometheus_client's multiprocess mode in an empty private folder.

    Must run before courseware.metrics is imported (prometheus_client picks its
    storage on import), so `courseware serve` calls it before building the app.
    Samples of a previous run would be added to this one's: the folder starts empty.
    """
    folder = instance_dir / "metrics"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(mode=0o700, parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
