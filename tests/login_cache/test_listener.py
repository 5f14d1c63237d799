"""The listener thread: it turns the cache on only once notifications really
arrive, and off as soon as they may not."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import text

from courseware.login_cache import LoginCache
from courseware.login_cache.listener import APPLICATION_NAME, ChangeListener, NotDelivered
from tests.conftest import POSTGRESQL_ONLY


def conninfo(engine) -> str:  # type: ignore[no-untyped-def]
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def wait_until(condition, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


@POSTGRESQL_ONLY
def test_a_connection_that_is_not_delivered_to_counts_as_down(engine):
    """What a pooler in transaction mode does: LISTEN ran on some other backend,
    so the probe sent on this connection never comes back."""
    listener = ChangeListener(conninfo(engine))
    with psycopg.connect(conninfo(engine), autocommit=True) as not_listening:
        with pytest.raises(NotDelivered):
            listener._probe(not_listening, 0.3)
        not_listening.execute("LISTEN courseware_login")
        listener._probe(not_listening, 0.3, until_heard=True)  # delivered: no error


@POSTGRESQL_ONLY
def test_the_cache_follows_the_listeners_connection(engine):
    listener = ChangeListener(conninfo(engine))
    cache: LoginCache[str] = LoginCache()
    listener.attach(cache)
    wait_until(lambda: listener.listening)
    assert cache.listening
    late: LoginCache[str] = LoginCache()
    listener.attach(late)  # an app created later starts listening at once
    assert late.listening
    before = listener.connections
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE application_name = :name AND datname = current_database()"),
                           {"name": APPLICATION_NAME})
    wait_until(lambda: not cache.listening or listener.connections > before)
    wait_until(lambda: listener.connections > before and cache.listening)  # back by itself
    assert listener.settle()
