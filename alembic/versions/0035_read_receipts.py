"""read receipts: whether a person lets others see how far they have read (off by default), a room's markers indexed

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-12
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("share_read_receipts", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )
    op.create_index("ix_room_reads_room_id", "room_reads", ["room_id"])


def downgrade() -> None:
    op.drop_index("ix_room_reads_room_id", table_name="room_reads")
    with op.batch_alter_table("users") as users:
        users.drop_column("share_read_receipts")
