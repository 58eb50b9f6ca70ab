"""private rooms and direct messages, profiles, moderation and the audit log

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite batch mode rebuilds the table from reflection, which does not carry AUTOINCREMENT over.
_MESSAGES_TABLE_KWARGS = {"sqlite_autoincrement": True}


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_created_at", "audit_log", ["created_at"], unique=False)

    op.create_table(
        "room_members",
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("joined_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("room_id", "user_id"),
    )
    op.create_index("ix_room_members_user_id", "room_members", ["user_id"], unique=False)

    with op.batch_alter_table("messages", schema=None, table_kwargs=_MESSAGES_TABLE_KWARGS) as batch_op:
        batch_op.add_column(sa.Column("removed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_messages_removed_by_id_users", "users", ["removed_by_id"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), server_default="public", nullable=False)
        )
        batch_op.add_column(sa.Column("archived_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("dm_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
        batch_op.create_index("ux_rooms_dm_key", ["dm_key"], unique=True)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("about", sqlmodel.sql.sqltypes.AutoString(length=200), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("about")
        batch_op.drop_column("display_name")
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.drop_index("ux_rooms_dm_key")
        batch_op.drop_column("dm_key")
        batch_op.drop_column("archived_at")
        batch_op.drop_column("kind")
    with op.batch_alter_table("messages", schema=None, table_kwargs=_MESSAGES_TABLE_KWARGS) as batch_op:
        batch_op.drop_constraint("fk_messages_removed_by_id_users", type_="foreignkey")
        batch_op.drop_column("removed_by_id")
    op.drop_index("ix_room_members_user_id", table_name="room_members")
    op.drop_table("room_members")
    op.drop_index("ix_audit_log_created_at", table_name="audit_log")
    op.drop_table("audit_log")
