"""edit history and saved messages: each earlier version of an edited message, each message a person saved

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_message_edits_message_id_until", "message_edits", ["message_id", "until"], unique=False)
    op.create_table(
        "saved_messages",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("saved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "message_id"),
    )
    op.create_index("ix_saved_messages_user_id_saved_at", "saved_messages", ["user_id", "saved_at"], unique=False)
    op.create_index(op.f("ix_saved_messages_message_id"), "saved_messages", ["message_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_saved_messages_message_id"), table_name="saved_messages")
    op.drop_index("ix_saved_messages_user_id_saved_at", table_name="saved_messages")
    op.drop_table("saved_messages")
    op.drop_index("ix_message_edits_message_id_until", table_name="message_edits")
    op.drop_table("message_edits")
