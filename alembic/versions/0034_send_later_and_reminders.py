"""send later and reminders: scheduled messages and reminders, durable jobs carried out once when due

Revision ID: 0034
Revises: 0031
Create Date: 2026-12-09
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0034"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    moment = sqlmodel.sql.sqltypes.UTCDateTime
    op.create_table(
        "scheduled_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("due_at", moment(), nullable=False),
        sa.Column("state", text(length=10), nullable=False),
        sa.Column("reason", text(length=200), nullable=False),
        sa.Column("created_at", moment(), nullable=False),
        sa.Column("done_at", moment(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_scheduled_messages_state_due_at", "scheduled_messages", ["state", "due_at"], unique=False)
    op.create_index("ix_scheduled_messages_author_id_state", "scheduled_messages", ["author_id", "state"], unique=False)
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("note", text(length=200), nullable=False),
        sa.Column("due_at", moment(), nullable=False),
        sa.Column("state", text(length=10), nullable=False),
        sa.Column("reason", text(length=200), nullable=False),
        sa.Column("created_at", moment(), nullable=False),
        sa.Column("done_at", moment(), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reminders_state_due_at", "reminders", ["state", "due_at"], unique=False)
    op.create_index("ix_reminders_user_id_state", "reminders", ["user_id", "state"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_reminders_user_id_state", table_name="reminders")
    op.drop_index("ix_reminders_state_due_at", table_name="reminders")
    op.drop_table("reminders")
    op.drop_index("ix_scheduled_messages_author_id_state", table_name="scheduled_messages")
    op.drop_index("ix_scheduled_messages_state_due_at", table_name="scheduled_messages")
    op.drop_table("scheduled_messages")
