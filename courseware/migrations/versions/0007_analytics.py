"""analytics counters for the instructor dashboard: chapters, completion times, first answers

Small counter tables, per day and per month, added to in the transaction of each
event (see courseware/analytics/models.py); the dashboard reads only these.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _counter(name: str, *columns: sa.Column, key: list[str], grouped: list[str]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_slug", sa.String(length=100), nullable=False),
        sa.Column("span", sa.String(length=5), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("chapter_slug", sa.String(length=100), nullable=False),
        *columns,
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint(*key, name=op.f(f"uq_{name}_key")),
    )
    # Covering: the dashboard reads a range of days from the index alone (models.py).
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(f"ix_{name}_read", ["course_slug", "span", "day", "chapter_slug",
                                                  *grouped, "language", "count"], unique=False)


def upgrade() -> None:
    _counter("analytics_chapter_counts", sa.Column("step", sa.String(length=16), nullable=False),
             key=["course_slug", "span", "day", "chapter_slug", "language", "step"], grouped=["step"])
    _counter("analytics_completion_times", sa.Column("bucket", sa.Integer(), nullable=False),
             key=["course_slug", "span", "day", "chapter_slug", "language", "bucket"], grouped=["bucket"])
    _counter("analytics_answer_counts",
             sa.Column("quiz_index", sa.Integer(), nullable=False),
             sa.Column("question_index", sa.Integer(), nullable=False),
             sa.Column("key_version", sa.String(length=16), nullable=False),
             sa.Column("option_index", sa.Integer(), nullable=False),
             key=["course_slug", "span", "day", "chapter_slug", "quiz_index", "question_index",
                  "key_version", "language", "option_index"],
             grouped=["quiz_index", "question_index", "key_version", "option_index"])


def downgrade() -> None:
    op.drop_table("analytics_answer_counts")
    op.drop_table("analytics_completion_times")
    op.drop_table("analytics_chapter_counts")
