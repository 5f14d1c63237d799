"""One thread per process and database that LISTENs for changed learners.

PostgreSQL delivers a notification to every session listening on the channel
once the transaction that sent it commits, in commit order, on every server
connected to the database. The payload is a user id, or `*` when a whole table
changed (TRUNCATE). While the connection is down nothing can be heard, so
every cache attached is suspended until it is back (then starts empty).

Delivery itself is checked: the listener sends itself a probe when it starts
and every HEARTBEAT_SECONDS, and counts as down when a probe does not come
back. Behind a pooler in transaction mode (PgBouncer), LISTEN succeeds but
nothing is ever delivered: the cache then stays off instead of going stale.
A server that stops or ends the connection is noticed at once; a network cut
that says nothing, within about 25 s (TCP keepalives, tcp_user_timeout).
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
HEARTBEAT_SECONDS = 10.0
PROBE_SECONDS = 5.0  # how long the first probe may take to come back
RETRY_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)
# Payloads that only say "heard up to here" (settle, probes): nothing to drop.
MARKER_PREFIX = "sync:"


class NotDelivered(Exception):
    """A probe sent on the listening connection never came back."""


class ChangeListener:
    """Hands every notification to the caches attached (weakly: an app that
    is gone takes its cache with it)."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._lock = threading.Lock()
        self._caches: weakref.WeakSet[LoginCache[Any]] = weakref.WeakSet()
        self._listening = False
        self._marker_heard = threading.Condition(self._lock)
        self._awaited: dict[str, bool] = {}  # marker -> heard yet
        self.connections = 0  # times LISTEN was set up and checked (the tests read it)
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
        send a marker from another connection and wait for it (delivery is in
        commit order). A reconnection meanwhile counts too: the caches started
        empty after it. False if neither happened within `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            connections = self.connections
            if not self._listening:
                time.sleep(0.01)
                continue
            marker = self._await_marker()
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as connection:
                    connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, marker))
                if self._wait_for_marker(marker, min(1.0, max(0.0, deadline - time.monotonic()))):
                    return True
            finally:
                with self._lock:
                    self._awaited.pop(marker, None)
            if self.connections != connections and self._listening:
                return True  # reconnected after the marker was sent: nothing older is cached
        return False

    # --- the thread

    def _run(self) -> None:
        failures = 0
        while True:
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5,
                                     application_name=APPLICATION_NAME, keepalives=1,
                                     keepalives_idle=10, keepalives_interval=5,
                                     keepalives_count=3, tcp_user_timeout=10_000) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._probe(connection, PROBE_SECONDS, until_heard=True)
                    self._set_listening(True)
                    failures = 0
                    self.connections += 1
                    while True:
                        self._probe(connection, HEARTBEAT_SECONDS)
            except Exception as error:  # noqa: BLE001 - any failure: suspend, retry
                if self._listening or failures == 0:
                    log.warning("login cache off until PostgreSQL notifications are back: %s",
                                type(error).__name__)
                self._set_listening(False)
                time.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)])
                failures += 1

    def _probe(self, connection: psycopg.Connection[Any], seconds: float, until_heard: bool = False) -> None:
        """Send a marker on the listening connection, then hand on what arrives
        on it for `seconds` (or until the marker, `until_heard`); raise
        NotDelivered if the marker did not come back on this very connection."""
        marker = MARKER_PREFIX + secrets.token_hex(8)
        connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, marker))
        delivered = False
        for notification in connection.notifies(timeout=seconds):
            if notification.payload == marker:
                delivered = True
                if until_heard:
                    break
            else:
                self._heard_one(notification.payload)
        if not delivered:
            raise NotDelivered("a notification sent on the listening connection never arrived")

    def _await_marker(self) -> str:
        marker = MARKER_PREFIX + secrets.token_hex(8)
        with self._lock:
            self._awaited[marker] = False
        return marker

    def _wait_for_marker(self, marker: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._marker_heard:
            while not self._awaited.get(marker):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._marker_heard.wait(left)
            return True

    def _set_listening(self, listening: bool) -> None:
        with self._lock:
            self._listening = listening
            for cache in list(self._caches):
                cache.resume() if listening else cache.suspend()

    def _heard_one(self, payload: str) -> None:
        if payload.startswith(MARKER_PREFIX):  # ours or another process's: nothing changed
            with self._marker_heard:
                if payload in self._awaited:
                    self._awaited[payload] = True
                    self._marker_heard.notify_all()
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
