"""initial schema: users, chapter progress, certificates

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=19), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("current_key", sa.String(length=140), nullable=True),
        sa.Column("course_slug", sa.String(length=100), nullable=False),
        sa.Column("course_title", sa.String(length=300), nullable=False),
        sa.Column("course_language", sa.String(length=8), nullable=False),
        sa.Column("content_version", sa.String(length=64), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("printed_name", sa.String(length=200), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replaced_by", sa.String(length=19), nullable=True),
        sa.Column("verification_url", sa.String(length=300), nullable=True),
        sa.Column("signer_fingerprint", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_certificates_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("current_key", name=op.f("uq_certificates_current_key")),
        sa.UniqueConstraint("public_id", name=op.f("uq_certificates_public_id")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificates_user_id"), ["user_id"], unique=False)

    op.create_table(
        "chapter_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_slug", sa.String(length=100), nullable=False),
        sa.Column("chapter_slug", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_chapter_progress_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chapter_progress")),
        sa.UniqueConstraint(
            "user_id",
            "course_slug",
            "chapter_slug",
            name=op.f("uq_chapter_progress_user_id_course_slug_chapter_slug"),
        ),
    )
    with op.batch_alter_table("chapter_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chapter_progress_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("chapter_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chapter_progress_user_id"))

    op.drop_table("chapter_progress")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificates_user_id"))

    op.drop_table("certificates")
    op.drop_table("users")
