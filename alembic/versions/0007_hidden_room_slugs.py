"""private rooms and direct conversations get unguessable slugs; their names are no longer unique

A private room's slug came from its name (so a public room named alike got "-2", telling its creator the
private room exists) and a direct conversation's was a hash of its two user ids (anyone could compute who
talks to whom). Both become 128 random bits after "p_" / "dm_" (rooms.hidden_slug), which no public
room's slug can take, and their name_key becomes that slug: names are unique among public rooms only.
Old links to private rooms stop working; their members find them in their rooms list.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

rooms = sa.table(
    "rooms",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("slug", sa.String),
    sa.column("name_key", sa.String),
)


def upgrade() -> None:
    connection = op.get_bind()
    hidden = connection.execute(sa.select(rooms.c.id, rooms.c.kind).where(rooms.c.kind != "public")).all()
    for room_id, kind in hidden:
        slug = f"{'dm' if kind == 'dm' else 'p'}_{secrets.token_hex(16)}"
        connection.execute(sa.update(rooms).where(rooms.c.id == room_id).values(slug=slug, name_key=slug))


def downgrade() -> None:
    # The random slugs stay: they are valid slugs for the older code too, and the old ones are gone.
    pass
