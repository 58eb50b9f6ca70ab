"""guests: accounts that read only the rooms they were added to, and the invites that make them

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("is_guest", sa.Boolean(), server_default=sa.text("false"), nullable=False))
        users.add_column(sa.Column("guest_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table("invites") as invites:
        invites.add_column(
            sa.Column("guest_rooms", sqlmodel.sql.sqltypes.AutoString(length=200), server_default="", nullable=False)
        )
        invites.add_column(sa.Column("guest_days", sa.Integer(), server_default=sa.text("0"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("invites") as invites:
        invites.drop_column("guest_days")
        invites.drop_column("guest_rooms")
    with op.batch_alter_table("users") as users:
        users.drop_column("guest_until")
        users.drop_column("is_guest")
