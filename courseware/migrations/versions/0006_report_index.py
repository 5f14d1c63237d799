"""a covering index on funnel_counts for the platform report

The platform report sums every counter row of the period grouped by
organisation, step and chapter (about 1.5 million rows for six months at
1M learners, 100 organisations, 3 links each, 12 chapters). On SQLite, this
index lets it read the index alone, already in group order: 0.26 s of CPU
instead of 1.3 s for a table scan and a sort. PostgreSQL's parallel scan
does not need it.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("funnel_counts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_funnel_counts_step_totals",
            ["step", "organisation_id", "chapter_slug", "day", "course_slug", "count"],
            unique=False)


def downgrade() -> None:
    with op.batch_alter_table("funnel_counts", schema=None) as batch_op:
        batch_op.drop_index("ix_funnel_counts_step_totals")
