"""email notices: each user's choice of email about unread mentions and direct messages

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column(
                "email_notices", sqlmodel.sql.sqltypes.AutoString(length=8), server_default="mentions", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("email_delay_minutes", sa.Integer(), server_default=sa.text("10"), nullable=False)
        )
        batch_op.add_column(sa.Column("noticed_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("digest_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("digest_at")
        batch_op.drop_column("noticed_until")
        batch_op.drop_column("email_delay_minutes")
        batch_op.drop_column("email_notices")
