"""full-text search over message bodies

SQLite: an external-content FTS5 table `messages_fts` over messages(body), kept in step by triggers.
PostgreSQL: a stored generated tsvector column `messages.search_vector` with a GIN index.
Both are filled from the existing messages here. The SQLModel tables do not declare either
(djangochat_rx.domain.search.in_models keeps autogenerate away from them).

A later revision that rebuilds `messages` in SQLite batch mode drops these triggers with the old
table and must create them again (tests/unit/test_search.py fails if new messages stop being found).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Porter stemming over unicode61 ("deploying" finds "deployed"; accents folded: "cafe" finds "café"),
# like Postgres's 'english' configuration below (which keeps accents).
_SQLITE = [
    "CREATE VIRTUAL TABLE messages_fts USING fts5("
    "body, content='messages', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    # An external-content index must be told the old text to forget, exactly as it was indexed.
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN "
    "INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body); END",
    "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')",
]

_POSTGRES = [
    # Adding a stored generated column rewrites the table, computing it for every existing row.
    "ALTER TABLE messages ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, body)) STORED",
    "CREATE INDEX ix_messages_search_vector ON messages USING gin (search_vector)",
]


def upgrade() -> None:
    for statement in _SQLITE if op.get_bind().dialect.name == "sqlite" else _POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("messages_fts_insert", "messages_fts_delete", "messages_fts_update"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE messages_fts")
    else:
        op.execute("DROP INDEX ix_messages_search_vector")
        op.execute("ALTER TABLE messages DROP COLUMN search_vector")
