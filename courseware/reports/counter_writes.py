"""Writing counter rows: one upsert per table, and additions held until the commit.

Counter rows are the hottest rows of the database: every learner who completes
chapter 1 today adds to the same row, every first answer to a quiz to the same
few dozen. An upsert locks its row until its transaction ends, so an addition
written in the middle of a transaction makes every other learner's event wait for
the rest of that transaction (on PostgreSQL under a launch-day load, the answers to
one quiz queued behind each other: p95 0.7-0.9 s; figures in the README).
Additions made in a Session's transaction are therefore summed per row and written
just before its commit, after the ORM's flush: one statement per table, its rows in
key order, so the hot rows are held for the commit only and two transactions
always lock them in the same order (no deadlock between them). A rollback drops them
with the rest of the transaction.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, SessionTransaction

_PENDING = "courseware.pending_counters"
# {table: {key as sorted (column, value) pairs: amount}}
Pending = dict[Table, dict[tuple[tuple[str, object], ...], int]]


def upsert_counts(executor: Connection | Session, table: Table,
                  additions: list[tuple[dict[str, object], int]]) -> None:
    """Add to counter rows of `table` in one INSERT ... ON CONFLICT DO UPDATE on its unique
    key (the columns of the keys, the same for every row, and each key once)."""
    bind = executor if isinstance(executor, Connection) else executor.get_bind()
    insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values([{**key, "count": amount} for key, amount in additions])
    statement = statement.on_conflict_do_update(
        index_elements=list(additions[0][0]),
        set_={"count": table.c.count + statement.excluded.count})
    executor.execute(statement)


def defer_until_commit(session: Session, table: Table, key: dict[str, object], amount: int) -> None:
    """Add `amount` to `key`'s row of `table` when `session` commits its transaction."""
    if session.get_transaction() is None:
        # Begin it now (as a statement would), so a rollback before any statement
        # still drops this addition.
        session.connection()
    pending: Pending = session.info.setdefault(_PENDING, defaultdict(lambda: defaultdict(int)))
    pending[table][tuple(sorted(key.items()))] += amount


def _in_lock_order(rows: dict[tuple[tuple[str, object], ...], int]
                   ) -> list[tuple[dict[str, object], int]]:
    # Any fixed order will do, as long as every transaction uses it.
    ordered = sorted(rows.items(), key=lambda item: tuple(repr(value) for _, value in item[0]))
    return [(dict(key), amount) for key, amount in ordered if amount]


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    pending: Pending | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()
    for table in sorted(pending, key=lambda table: table.name):
        additions = _in_lock_order(pending[table])
        if additions:
            upsert_counts(session, table, additions)


@event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction: SessionTransaction) -> None:
    # The session's transaction ended without its commit (rolled back, or the session
    # closed): its additions go with it. The end of a savepoint or of a flush's inner
    # transaction (both have a parent) keeps them: they are only held outside savepoints.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
