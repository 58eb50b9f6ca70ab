"""forwarded messages and polls: the message a forwarded copy comes from; polls, their options and votes

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The search index's triggers on messages (0019's, unchanged since): a rebuild of the table drops them.
_SEARCH_TRIGGERS = {
    "messages_fts_insert": "AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body); END",
    "messages_fts_delete": "AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "messages_fts_update": "AFTER UPDATE OF body ON messages BEGIN "
    "INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body); END",
}


def upgrade() -> None:
    # SQLite takes a new column's foreign key only inline (no rebuild of the messages table).
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE messages ADD COLUMN forward_of_id INTEGER REFERENCES messages (id) ON DELETE SET NULL")
    else:
        op.add_column(
            "messages",
            sa.Column("forward_of_id", sa.Integer(), sa.ForeignKey("messages.id", ondelete="SET NULL"), nullable=True),
        )
    op.create_table(
        "polls",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("message_id"),
    )
    op.create_table(
        "poll_options",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["polls.message_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("poll_id", "position"),
    )
    op.create_table(
        "poll_votes",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("voted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["polls.message_id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("poll_id", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("poll_votes")
    op.drop_table("poll_options")
    op.drop_table("polls")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_column("messages", "forward_of_id")
        return
    for trigger in _SEARCH_TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger}")
    with op.batch_alter_table("messages", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column("forward_of_id")
    for trigger, body in _SEARCH_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {trigger} {body}")
