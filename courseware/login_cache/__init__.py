"""A server process's memory of the log-ins its chapter pages read, kept true
by PostgreSQL notifications. No Flask here.

On PostgreSQL the chapter page of a returning reader cost one query per view
(the learner, their log-in session and progress: accounts.load_login), and that
query's round trip, driver and backend CPU held the page at 0.30-0.38x a bare
Flask app on 2 cores (benchmarks/chapter_page.py). Each process now keeps what
that query returned (cache.py) and drops a learner's entries when PostgreSQL
says their rows changed: triggers on the tables the query reads send
`NOTIFY courseware_login, '<user id>'` in the writing transaction (migration
0010), so every writer is covered (the app, the CLI, psql), and
every server on the database hears it (listener.py).

What it never does:
- decide access: only the chapter fast path reads it, for a page the learner
  may see anyway; every view still loads the learner from the database;
- outlive the listener: while its connection is down (or was never up) the
  cache answers nothing, and it starts empty when the connection is back;
- answer for a changed session cookie: entries are keyed by the cookie, and a
  learner's own POSTs change it (web/login_cache.py), so the page after a form
  never waits for a notification.
"""

from .cache import CachedLogin, LoginCache
from .listener import CHANNEL, ChangeListener, listener_for

__all__ = ["CHANNEL", "CachedLogin", "ChangeListener", "LoginCache", "listener_for"]
