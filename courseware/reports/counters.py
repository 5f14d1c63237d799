"""Funnel counters: one upsert per event, in the transaction of the event itself.

See `FunnelCount` for why reports read counters rather than scanning learners.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..organisations.models import FunnelCount

_table = FunnelCount.__table__

# The funnel, in order. "opened" and "completed" are per chapter (chapter_slug set);
# "started", "finished" and "certified" per course; "click" and "signup" platform-wide.
STEPS = ("click", "signup", "started", "opened", "completed", "finished", "certified")
_KEY = ["day", "organisation_id", "link_id", "course_slug", "chapter_slug", "step"]


def count_event(executor: Connection | Session, *, step: str, day: date,
                organisation_id: int | None = None, link_id: int | None = None,
                course_slug: str = "", chapter_slug: str = "", amount: int = 1) -> None:
    """Add `amount` to the counter of one funnel step for a day, organisation and link."""
    if step not in STEPS:
        raise ValueError(f"unknown funnel step {step!r}")
    bind = executor if isinstance(executor, Connection) else executor.get_bind()
    insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    statement = insert(_table).values(
        day=day, organisation_id=organisation_id or 0, link_id=link_id or 0,
        course_slug=course_slug, chapter_slug=chapter_slug, step=step, count=amount)
    statement = statement.on_conflict_do_update(
        index_elements=_KEY, set_={"count": _table.c.count + statement.excluded.count})
    executor.execute(statement)
