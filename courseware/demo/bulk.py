"""Bulk loading for the demo seed: millions of rows in minutes, on SQLite and PostgreSQL.

The ORM (or even Core's executemany with type processing) costs tens of
microseconds a row, which is hours at 1M learners x 12 chapters. Here rows are
plain tuples written through the driver itself:

- SQLite: `executemany` of one prepared INSERT per table, inside ONE
  transaction, with `synchronous=OFF` and a 512 MB page cache for the
  duration of the seed (both restored afterwards). Rows arrive in `user_id`
  order, so the progress indexes grow at their right edge.
- PostgreSQL: `COPY ... FROM STDIN` in text format, also in one transaction.

All or nothing: a seed that fails leaves the database as it was. Timestamps are
written exactly as SQLAlchemy writes `UtcDateTime` on each database (checked by
tests/demo/test_seed.py, which reads them back through the models).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, text

DAY = 86_400
_EPOCH = date(1970, 1, 1)

# Column order of the tuples made by courseware.demo.generate; the positions of
# timestamps (epoch seconds) and booleans, which each database spells its own way.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...]]] = {
    "organisations": (("id", "slug", "name", "contact_name", "contact_email", "created_at"), (5,), ()),
    "tracking_links": (("id", "organisation_id", "code", "label", "utm_source", "utm_campaign",
                        "created_at"), (6,), ()),
    "users": (("id", "email", "name", "password_hash", "role", "locale", "created_at",
               "session_version", "organisation_id", "link_id", "attribution", "share_progress"),
              (6,), (11,)),
    "organisation_managers": (("organisation_id", "user_id", "created_at"), (2,), ()),
    "invitations": (("organisation_id", "email", "name", "created_at", "sent_at", "accepted_at"),
                    (3, 4, 5), ()),
    "chapter_progress": (("user_id", "course_slug", "chapter_slug", "started_at", "completed_at"),
                         (3, 4), ()),
    "certificates": (("public_id", "user_id", "current_key", "course_slug", "course_title",
                      "course_language", "content_version", "duration_minutes", "issuer",
                      "printed_name", "issued_at", "status", "verification_url",
                      "signer_fingerprint"), (10,), ()),
    "funnel_counts": (("day", "organisation_id", "link_id", "course_slug", "chapter_slug", "step",
                       "count"), (), ()),
    "funnel_counts_monthly": (("month", "organisation_id", "link_id", "course_slug", "chapter_slug",
                               "step", "count"), (), ()),
    "analytics_chapter_counts": (("course_slug", "span", "day", "chapter_slug", "language", "step",
                                  "count"), (), ()),
    "analytics_completion_times": (("course_slug", "span", "day", "chapter_slug", "language",
                                    "bucket", "count"), (), ()),
}
# Tables given explicit ids: PostgreSQL's sequences must then move past them.
_EXPLICIT_IDS = ("organisations", "tracking_links", "users")


class _Stamp:
    """Epoch seconds -> 'YYYY-MM-DD HH:MM:SS<suffix>', the day part cached."""

    def __init__(self, suffix: str) -> None:
        self.suffix = suffix
        self.days: dict[int, str] = {}

    def __call__(self, moment: int | None) -> str | None:
        if moment is None:
            return None
        day, second = divmod(moment, DAY)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = self.days[day] = (_EPOCH + timedelta(days=day)).isoformat()
        hour, rest = divmod(second, 3600)
        minute, second = divmod(rest, 60)
        return f"{prefix} {hour:02d}:{minute:02d}:{second:02d}{self.suffix}"


class BulkWriter:
    """One transaction over a raw driver connection; `write` appends rows to a table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        # SQLAlchemy's SQLite DATETIME always writes microseconds; PostgreSQL gets an offset.
        self.stamp = _Stamp(".000000" if self.dialect == "sqlite" else "+00")
        self.connection: Any = None

    def __enter__(self) -> BulkWriter:
        self.raw = self.engine.raw_connection()
        self.connection = self.raw.driver_connection
        if self.dialect == "sqlite":
            cursor = self.connection.cursor()
            cursor.execute("PRAGMA synchronous=OFF")  # restored in __exit__
            cursor.execute("PRAGMA cache_size=-524288")
            cursor.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, kind: object, error: object, _tb: object) -> None:
        try:
            if kind is None:
                if self.dialect == "postgresql":
                    self._move_sequences()
                self.connection.commit() if self.dialect == "postgresql" else \
                    self.connection.execute("COMMIT")
            elif self.dialect == "postgresql":
                self.connection.rollback()
            else:
                self.connection.execute("ROLLBACK")
        finally:
            if self.dialect == "sqlite":
                self.connection.execute("PRAGMA synchronous=NORMAL")
                self.connection.execute("PRAGMA cache_size=-2000")
            self.raw.close()

    def write(self, table: str, rows: Sequence[tuple]) -> None:
        if not rows:
            return
        columns, stamps, booleans = COLUMNS[table]
        if self.dialect == "sqlite":
            rows = self._converted(rows, stamps, booleans, lambda flag: int(flag))
            placeholders = ", ".join("?" * len(columns))
            self.connection.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",  # noqa: S608
                rows)  # (table and column names are the constants above, values are bound)
            return
        rows = self._converted(rows, stamps, booleans, lambda flag: "t" if flag else "f")
        with self.connection.cursor() as cursor, \
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write("".join(_copy_line(row) for row in rows))

    def _converted(self, rows: Sequence[tuple], stamps: tuple[int, ...], booleans: tuple[int, ...],
                   boolean: Any) -> Sequence[tuple]:
        if not stamps and not booleans:
            return rows
        stamp, converted = self.stamp, []
        for row in rows:
            values = list(row)
            for position in stamps:
                values[position] = stamp(values[position])
            for position in booleans:
                values[position] = boolean(values[position])
            converted.append(values)
        return converted

    def _move_sequences(self) -> None:
        with self.connection.cursor() as cursor:
            for table in _EXPLICIT_IDS:
                statement = (f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                             f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)")
                cursor.execute(statement)


def _copy_value(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _copy_line(row: Iterable[object]) -> str:
    return "\t".join(map(_copy_value, row)) + "\n"


def analyse(engine: Engine) -> None:
    """Refresh the planner's statistics after a bulk load (and, on PostgreSQL, the
    visibility map, so counter sums can be index-only scans)."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in COLUMNS:
            connection.execute(text(f"VACUUM ANALYZE {table}"))
