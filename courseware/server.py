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
# A request that has waited this long for its client holds its thread for a slow client.
SLOW_CLIENT_SECONDS = 0.5
# How long a worker with no free thread leaves a new connection to the others: per
# request already waiting in its queue, so the least busy worker takes it first.
ACCEPT_DELAY_PER_QUEUED = 0.001
ACCEPT_DELAY_MAX = 0.1


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
    """A client socket whose reads give up on a client that stalls or dribbles,
    and that counts how long the current request has waited for its client.

    gunicorn reads a request with plain blocking `recv` calls and has no header
    timeout of its own; every other socket call goes to the real socket.
    """

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.deadline: float | None = None
        self.waited = 0.0  # seconds this request spent waiting for its client, so far
        self.waiting_since: float | None = None  # set while waiting (read by the main thread)

    def start(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def begin_request(self) -> None:
        """Waiting for a request line and headers: all of it counts as waiting."""
        self.waited = 0.0
        self.waiting_since = time.monotonic()
        self.start(HEADER_TIMEOUT)

    def headers_read(self) -> None:
        """From here only the body's reads count (the app reads it as it goes)."""
        self._stop_waiting()
        self.start(BODY_TIMEOUT)

    def forget(self) -> None:
        self.waited = 0.0
        self.waiting_since = None

    def client_wait(self, now: float) -> float:
        since = self.waiting_since  # one read: a worker thread may change it meanwhile
        return self.waited + (now - since if since is not None else 0.0)

    def _stop_waiting(self) -> None:
        since = self.waiting_since
        if since is not None:
            self.waited += time.monotonic() - since
            self.waiting_since = None

    def setblocking(self, flag: bool) -> None:
        self._sock.settimeout(READ_IDLE_TIMEOUT if flag else 0.0)

    def recv(self, size: int, *flags: int) -> bytes:
        timeout = READ_IDLE_TIMEOUT
        if self.deadline is not None:
            timeout = min(timeout, self.deadline - time.monotonic())
            if timeout <= 0:
                raise NoMoreData(b"")  # gunicorn drops the connection quietly
        self._sock.settimeout(timeout)
        counting = self.waiting_since is None  # reading the body, not the headers
        if counting:
            self.waiting_since = time.monotonic()
        try:
            return self._sock.recv(size, *flags)
        except TimeoutError:
            raise NoMoreData(b"") from None
        finally:
            if counting:
                self._stop_waiting()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class BoundedThreadWorker(ThreadWorker):
    """gunicorn's gthread worker with time limits on reading each request, that
    shares new connections fairly with the other workers.

    - Slow clients: gthread accepts every connection and queues it for its thread
      pool, so a worker whose threads all wait on slow clients would still take
      /healthz and leave it in the queue while another worker is idle. Such a
      worker does not accept: the connection stays in the kernel's backlog.
    - Busy workers: it used to stop accepting whenever no thread was free, but
      requests on connections already accepted (kept alive) go to the pool
      without asking, so under load no thread was ever free when the worker
      looked, and a new visitor waited in the backlog as long as the load lasted
      (9.6 s behind wrk's 64 connections). A busy worker now leaves a new
      connection to a worker with a free thread, for a moment that grows with its
      own queue (ACCEPT_DELAY_PER_QUEUED), then takes it in turn: without that
      pause one worker took 59 of 64 connections and the other sat idle.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_pool: set[Any] = set()  # connections handed to the pool (main thread only)
        self._defer_until: float | None = None  # leaving new connections to the others until then

    def _has_free_thread(self) -> bool:
        return len(self._in_pool) < self.cfg.threads

    def _threads_held_by_slow_clients(self) -> bool:
        if self._has_free_thread():
            return False
        now = time.monotonic()
        slow = sum(1 for conn in self._in_pool if isinstance(conn.sock, BoundedReadSocket)
                   and conn.sock.client_wait(now) > SLOW_CLIENT_SECONDS)
        return slow >= self.cfg.threads

    def set_accept_enabled(self, enabled: bool) -> None:
        # Also called on every turn of the main loop while not accepting.
        if enabled and not self._accepting:
            if self._threads_held_by_slow_clients():
                return
            if self._defer_until is not None:
                if not self._has_free_thread():
                    return
                self._defer_until = None  # a thread came free: no need to wait
        super().set_accept_enabled(enabled)

    def accept(self, listener: Any) -> None:
        if self._threads_held_by_slow_clients():
            super().set_accept_enabled(False)  # for another worker, or this one later
            return
        if self._has_free_thread():
            super().accept(listener)
            return
        queued = len(self._in_pool) - self.cfg.threads + 1
        self._defer_until = time.monotonic() + min(ACCEPT_DELAY_MAX, ACCEPT_DELAY_PER_QUEUED * queued)
        super().set_accept_enabled(False)

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        if self._defer_until is not None:
            timeout = min(timeout, max(0.0, self._defer_until - time.monotonic()))
        super().wait_for_and_dispatch_events(timeout)
        if self._defer_until is not None and time.monotonic() >= self._defer_until:
            self._defer_until = None
            if (self.alive and self.nr_conns < self.worker_connections
                    and not self._threads_held_by_slow_clients()):
                # What no worker with a free thread took meanwhile is this one's turn:
                # up to a thread's worth at once, so a burst of new connections is not
                # taken one per pause (nothing left gives EAGAIN, which accept ignores).
                super().set_accept_enabled(True)
                for listener in self.sockets:
                    for _ in range(self.cfg.threads):
                        before = self.nr_conns
                        super().accept(listener)
                        if self.nr_conns == before:
                            break

    def enqueue_req(self, conn: Any) -> None:
        self._in_pool.add(conn)
        super().enqueue_req(conn)

    def finish_request(self, conn: Any, fs: Any) -> None:
        self._in_pool.discard(conn)
        if isinstance(conn.sock, BoundedReadSocket):
            conn.sock.forget()  # a kept-alive connection's next request starts afresh
        super().finish_request(conn, fs)
        if self.alive:
            self.set_accept_enabled(self.nr_conns < self.worker_connections)

    def handle(self, conn: Any) -> Any:
        if not isinstance(conn.sock, BoundedReadSocket):
            conn.sock = BoundedReadSocket(conn.sock)
        conn.sock.begin_request()
        return super().handle(conn)

    def handle_request(self, req: Any, conn: Any) -> Any:
        conn.sock.headers_read()  # the headers are in: the body gets its own limit
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
