"""sso_attempts.link_user_id: a provider linked from the account page rather than a sign-in

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sso_attempts") as attempts:
        attempts.add_column(sa.Column("link_user_id", sa.Integer(), nullable=True))
        attempts.create_foreign_key(
            "fk_sso_attempts_link_user_id_users", "users", ["link_user_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("sso_attempts") as attempts:
        attempts.drop_constraint("fk_sso_attempts_link_user_id_users", type_="foreignkey")
        attempts.drop_column("link_user_id")
