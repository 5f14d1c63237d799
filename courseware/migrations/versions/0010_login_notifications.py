"""PostgreSQL tells every server when a learner's log-in, progress or certificate changes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08

Each server process keeps what the chapter page reads about a learner
(courseware/login_cache/) and drops it on these notifications. Triggers, not
the app, send them: every writer is covered, the CLI and psql
included. SQLite has no notifications, and its processes keep no such cache.
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

CHANNEL = "courseware_login"
# table -> (column holding the user id, row events that change what is cached).
# A new account has nothing cached yet. A login session's "last seen" moving
# forward (written every few minutes per session) makes nothing cached wrong:
# the cache only answers for sessions it saw recently, so only a session
# moved back in time or otherwise changed sends a notification.
TRIGGERS = {
    "users": ("id", "UPDATE OR DELETE"),
    "login_sessions": ("user_id", "DELETE"),
    "chapter_progress": ("user_id", "INSERT OR UPDATE OR DELETE"),
    "certificates": ("user_id", "INSERT OR UPDATE OR DELETE"),
}
SESSION_UPDATES = (
    "CREATE TRIGGER courseware_login_login_sessions_update AFTER UPDATE ON login_sessions "
    "FOR EACH ROW WHEN (NEW.last_seen_at < OLD.last_seen_at "
    "OR (NEW.user_id, NEW.key_hash, NEW.remember, NEW.created_at) "
    "IS DISTINCT FROM (OLD.user_id, OLD.key_hash, OLD.remember, OLD.created_at)) "
    "EXECUTE FUNCTION courseware_notify_user_id()"
)


def _function(column: str) -> str:
    return f"""
CREATE FUNCTION courseware_notify_{column}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.{column} IS NOT NULL THEN
        PERFORM pg_notify('{CHANNEL}', OLD.{column}::text);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.{column} IS NOT NULL THEN
        PERFORM pg_notify('{CHANNEL}', NEW.{column}::text);
    END IF;
    RETURN NULL;
END $$"""


TRUNCATED = f"""
CREATE FUNCTION courseware_notify_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '*');
    RETURN NULL;
END $$"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in sorted({column for column, _events in TRIGGERS.values()}):
        op.execute(_function(column))
    op.execute(TRUNCATED)
    for table, (column, events) in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER courseware_login_{table} AFTER {events} ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION courseware_notify_{column}()")
        op.execute(f"CREATE TRIGGER courseware_login_{table}_truncate AFTER TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION courseware_notify_truncate()")
    op.execute(SESSION_UPDATES)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER courseware_login_login_sessions_update ON login_sessions")
    for table in TRIGGERS:
        op.execute(f"DROP TRIGGER courseware_login_{table} ON {table}")
        op.execute(f"DROP TRIGGER courseware_login_{table}_truncate ON {table}")
    for column in sorted({column for column, _events in TRIGGERS.values()}):
        op.execute(f"DROP FUNCTION courseware_notify_{column}()")
    op.execute("DROP FUNCTION courseware_notify_truncate()")
