"""attachments: files and images in messages, media tickets, avatars

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sqlmodel.sql.sqltypes.UTCDateTime
_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("name", _TEXT(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", _TEXT(length=100), nullable=False),
        sa.Column("kind", _TEXT(length=8), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("thumb_width", sa.Integer(), nullable=True),
        sa.Column("thumb_height", sa.Integer(), nullable=True),
        sa.Column("storage_key", _TEXT(length=64), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("discarded_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("storage_key"),
    )
    # A listing's files by message, and the sweep's abandoned uploads (message_id NULL, oldest first).
    op.create_index("ix_attachments_message_id_created_at", "attachments", ["message_id", "created_at"])
    # A room's Files panel, newest first (and the sweep's files of deleted rooms, room_id NULL).
    op.create_index("ix_attachments_room_id_id", "attachments", ["room_id", "id"])
    # A user's uploads of the last 24 hours (FILE_DAILY_BYTES).
    op.create_index("ix_attachments_owner_id_created_at", "attachments", ["owner_id", "created_at"])
    # The sweep's files of deleted messages.
    op.create_index(op.f("ix_attachments_discarded_at"), "attachments", ["discarded_at"])
    op.create_table(
        "media_tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("purpose", _TEXT(length=8), nullable=False),
        sa.Column("token_hash", _TEXT(length=64), nullable=False),
        sa.Column("expires_at", _TIME(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index(op.f("ix_media_tickets_session_id"), "media_tickets", ["session_id"])
    op.create_index(op.f("ix_media_tickets_expires_at"), "media_tickets", ["expires_at"])
    op.add_column("messages", sa.Column("file_count", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.add_column("users", sa.Column("avatar_key", _TEXT(length=64), nullable=True))


def downgrade() -> None:
    # SQLite rebuilds a table to drop a column; messages keeps its search triggers only through
    # plain DROP COLUMN, which SQLite (3.35+) and PostgreSQL both do in place.
    op.drop_column("users", "avatar_key")
    op.drop_column("messages", "file_count")
    op.drop_index(op.f("ix_media_tickets_expires_at"), table_name="media_tickets")
    op.drop_index(op.f("ix_media_tickets_session_id"), table_name="media_tickets")
    op.drop_table("media_tickets")
    op.drop_index(op.f("ix_attachments_discarded_at"), table_name="attachments")
    op.drop_index("ix_attachments_owner_id_created_at", table_name="attachments")
    op.drop_index("ix_attachments_room_id_id", table_name="attachments")
    op.drop_index("ix_attachments_message_id_created_at", table_name="attachments")
    op.drop_table("attachments")
