"""threads: replies to a message beside the room's stream, their counts, quotes and follows

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02

A reply has `thread_id` (its parent) and numbers 1, 2, 3… among the thread's replies, so the unique
(room_id, seq) index now covers the room's own stream only, and (thread_id, seq) the threads. The columns
are added in place (no batch rebuild: `messages` keeps its search triggers); SQLite writes the foreign
keys inline.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROOM_STREAM = sa.text("thread_id IS NULL")
_THREADS = sa.text("thread_id IS NOT NULL")


def _add_reference(name: str) -> None:
    """A nullable column of messages naming another message. SQLite takes the foreign key only inline, where
    its reflection reads no ON DELETE: there is none (messages go only with their room, all at once)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE messages ADD COLUMN {name} INTEGER REFERENCES messages (id)")
    else:
        op.add_column("messages", sa.Column(name, sa.Integer(), sa.ForeignKey("messages.id"), nullable=True))


def upgrade() -> None:
    _add_reference("thread_id")
    op.add_column("messages", sa.Column("reply_count", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.add_column("messages", sa.Column("last_reply_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column(
        "messages",
        sa.Column("repliers", sqlmodel.sql.sqltypes.AutoString(length=120), server_default="", nullable=False),
    )
    _add_reference("quote_id")
    op.drop_index("ux_messages_room_id_seq", table_name="messages")
    op.create_index(
        "ux_messages_room_id_seq",
        "messages",
        ["room_id", "seq"],
        unique=True,
        sqlite_where=_ROOM_STREAM,
        postgresql_where=_ROOM_STREAM,
    )
    op.create_index(
        "ux_messages_thread_id_seq",
        "messages",
        ["thread_id", "seq"],
        unique=True,
        sqlite_where=_THREADS,
        postgresql_where=_THREADS,
    )
    op.create_table(
        "thread_follows",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("following", sa.Boolean(), nullable=False),
        sa.Column("read_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "message_id"),
    )
    op.create_index("ix_thread_follows_message_id", "thread_follows", ["message_id"], unique=False)


# SQLite drops a column that has a foreign key only by rebuilding the table, which drops the search triggers
# of 0005 with the old table: they are made again after it (the external-content index keeps the same ids).
_SEARCH_TRIGGERS = {
    "messages_fts_insert": "AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body); END",
    "messages_fts_delete": "AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "messages_fts_update": "AFTER UPDATE OF body ON messages BEGIN "
    "INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body); END",
}
_COLUMNS = ("quote_id", "repliers", "last_reply_at", "reply_count", "thread_id")


def downgrade() -> None:
    op.drop_index("ix_thread_follows_message_id", table_name="thread_follows")
    op.drop_table("thread_follows")
    # Replies have no place in the room's numbering: they go with the thread columns.
    op.execute("DELETE FROM messages WHERE thread_id IS NOT NULL")
    op.drop_index("ux_messages_thread_id_seq", table_name="messages")
    op.drop_index("ux_messages_room_id_seq", table_name="messages")
    op.create_index("ux_messages_room_id_seq", "messages", ["room_id", "seq"], unique=True)
    if op.get_bind().dialect.name != "sqlite":
        for name in _COLUMNS:
            op.drop_column("messages", name)
        return
    for trigger in _SEARCH_TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger}")
    with op.batch_alter_table("messages", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        for name in _COLUMNS:
            batch_op.drop_column(name)
    for trigger, body in _SEARCH_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {trigger} {body}")
