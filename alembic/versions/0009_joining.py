"""joining: who may sign up, invite links, one-time account links, verified email addresses

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sqlmodel.sql.sqltypes.UTCDateTime
_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "site_settings",
        sa.Column("key", _TEXT(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", _TIME(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", _TEXT(length=64), nullable=False),
        sa.Column("note", _TEXT(length=100), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("expires_at", _TIME(), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("revoked_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_invites_created_at"), "invites", ["created_at"], unique=False)
    op.create_table(
        "account_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", _TEXT(length=8), nullable=False),
        sa.Column("token_hash", _TEXT(length=64), nullable=False),
        sa.Column("email", _TEXT(length=254), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("expires_at", _TIME(), nullable=False),
        sa.Column("used_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_account_links_user_id_purpose", "account_links", ["user_id", "purpose"], unique=False)
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("email", _TEXT(length=254), nullable=True))
        batch_op.add_column(sa.Column("email_key", _TEXT(length=254), nullable=True))
    op.create_index("ux_users_email_key", "users", ["email_key"], unique=True)
    # Instances from before this revision let anyone register: they keep doing so until an admin
    # chooses otherwise. An empty database gets no row, and so the "create the first administrator" page.
    op.execute(
        "INSERT INTO site_settings (key, value, updated_at) "
        "SELECT 'signup_mode', 'open', CURRENT_TIMESTAMP WHERE EXISTS (SELECT 1 FROM users)"
    )


def downgrade() -> None:
    op.drop_index("ux_users_email_key", table_name="users")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("email_key")
        batch_op.drop_column("email")
    op.drop_index("ix_account_links_user_id_purpose", table_name="account_links")
    op.drop_table("account_links")
    op.drop_index(op.f("ix_invites_created_at"), table_name="invites")
    op.drop_table("invites")
    op.drop_table("site_settings")
