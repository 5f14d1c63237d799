"""monthly funnel counters (platform reports over long ranges read 30 times fewer
rows) and an index on funnel_counts (step, day) for sign-ups per week

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_KEY = ("organisation_id", "link_id", "course_slug", "chapter_slug", "step")


def upgrade() -> None:
    op.create_table(
        "funnel_counts_monthly",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("course_slug", sa.String(length=100), nullable=False),
        sa.Column("chapter_slug", sa.String(length=100), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funnel_counts_monthly")),
        sa.UniqueConstraint(
            "month", *_KEY,
            name=op.f("uq_funnel_counts_monthly_month_organisation_id_link_id_course_slug_chapter_slug_step"),
        ),
    )
    with op.batch_alter_table("funnel_counts", schema=None) as batch_op:
        batch_op.create_index("ix_funnel_counts_step_day", ["step", "day"], unique=False)
    # Counters already recorded: their monthly sums, so reports agree from the start.
    if op.get_bind().dialect.name == "postgresql":
        month = "CAST(date_trunc('month', day) AS date)"
    else:
        month = "date(day, 'start of month')"
    columns = ", ".join(_KEY)
    op.execute(
        f"INSERT INTO funnel_counts_monthly (month, {columns}, count) "  # noqa: S608 - constants
        f"SELECT {month}, {columns}, sum(count) FROM funnel_counts GROUP BY {month}, {columns}")


def downgrade() -> None:
    with op.batch_alter_table("funnel_counts", schema=None) as batch_op:
        batch_op.drop_index("ix_funnel_counts_step_day")
    op.drop_table("funnel_counts_monthly")
