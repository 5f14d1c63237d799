"""One thread per process and database that LISTENs for changed learners.

PostgreSQL delivers a notification to every session listening on the channel
once the transaction that sent it commits, in commit order, on every server
connected to the database. The payload is a user id, or `*` when a whole table
changed (TRUNCATE). While the connection is down nothing can be heard, so
every cache attached is suspended until it is back (then starts empty).
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
import weakref
from typing import Any

import psycopg

from .cache import LoginCache

log = logging.getLogger(__name__)

CHANNEL = "courseware_login"
APPLICATION_NAME = "courseware login listener"
# How long a wait for notifications lasts before the connection is checked
# with a query (a server that vanished without closing the socket).
HEARTBEAT_SECONDS = 10.0
RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)
SYNC_PREFIX = "sync:"


class ChangeListener:
    """Hands every notification to the caches attached (weakly: an app that
    is gone takes its cache with it)."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._lock = threading.Lock()
        self._caches: weakref.WeakSet[LoginCache[Any]] = weakref.WeakSet()
        self._listening = False
        self._heard = threading.Condition(self._lock)
        self._syncs_heard: set[str] = set()
        self.connections = 0  # successful LISTENs so far (the tests read it)
        self._thread = threading.Thread(target=self._run, name="courseware-login-listener", daemon=True)
        self._thread.start()

    def attach(self, cache: LoginCache[Any]) -> None:
        with self._lock:
            self._caches.add(cache)
            if self._listening:
                cache.resume()
            else:
                cache.suspend()

    @property
    def listening(self) -> bool:
        return self._listening

    def settle(self, timeout: float = 5.0) -> bool:
        """Wait until every change committed before this call has been heard:
        send a notification of our own and wait for it (delivery is in commit
        order). False if the listener is down or the wait timed out."""
        token = SYNC_PREFIX + secrets.token_hex(8)
        with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as connection:
            connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, token))
        deadline = time.monotonic() + timeout
        with self._heard:
            while token not in self._syncs_heard:
                left = deadline - time.monotonic()
                if left <= 0 or not self._heard.wait(left):
                    return False
            self._syncs_heard.discard(token)
        return True

    # --- the thread

    def _run(self) -> None:
        failures = 0
        while True:
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5,
                                     application_name=APPLICATION_NAME, keepalives=1,
                                     keepalives_idle=10, keepalives_interval=5,
                                     keepalives_count=3) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._set_listening(True)
                    failures = 0
                    self.connections += 1
                    while True:
                        for notification in connection.notifies(timeout=HEARTBEAT_SECONDS):
                            self._heard_one(notification.payload)
                        connection.execute("SELECT 1")
            except Exception as error:  # noqa: BLE001 - any failure: suspend, retry
                if self._listening or failures == 0:
                    log.warning("login cache off until PostgreSQL notifications are back: %s",
                                type(error).__name__)
                self._set_listening(False)
                time.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
                failures += 1

    def _set_listening(self, listening: bool) -> None:
        with self._lock:
            self._listening = listening
            for cache in list(self._caches):
                cache.resume() if listening else cache.suspend()

    def _heard_one(self, payload: str) -> None:
        if payload.startswith(SYNC_PREFIX):
            with self._heard:
                self._syncs_heard.add(payload)
                self._heard.notify_all()
            return
        caches = list(self._caches)
        if payload.isdigit():
            user_id = int(payload)
            for cache in caches:
                cache.drop_user(user_id)
        else:  # "*", or anything unexpected: forget everything rather than guess
            for cache in caches:
                cache.reset()


_listeners: dict[tuple[int, str], ChangeListener] = {}
_listeners_lock = threading.Lock()


def listener_for(conninfo: str) -> ChangeListener:
    """This process's listener on that database, started on first use (and
    again in a forked worker: threads do not survive a fork)."""
    key = (os.getpid(), conninfo)
    with _listeners_lock:
        listener = _listeners.get(key)
        if listener is None:
            listener = _listeners[key] = ChangeListener(conninfo)
        return listener
