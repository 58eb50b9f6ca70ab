"""single sign-on: accounts' identities at OIDC providers, and sign-ins on their way through a provider

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sqlmodel.sql.sqltypes.UTCDateTime
_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "sso_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", _TEXT(length=40), nullable=False),
        sa.Column("subject", _TEXT(length=255), nullable=False),
        sa.Column("email", _TEXT(length=254), nullable=False),
        sa.Column("created_at", _TIME(), nullable=False),
        sa.Column("last_used_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ux_sso_links_provider_subject", "sso_links", ["provider", "subject"], unique=True)
    op.create_index(op.f("ix_sso_links_user_id"), "sso_links", ["user_id"], unique=False)
    op.create_table(
        "sso_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", _TEXT(length=64), nullable=False),
        sa.Column("browser_hash", _TEXT(length=64), nullable=False),
        sa.Column("provider", _TEXT(length=40), nullable=False),
        sa.Column("nonce", _TEXT(length=64), nullable=False),
        sa.Column("code_verifier", _TEXT(length=128), nullable=False),
        sa.Column("expires_at", _TIME(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("state_hash"),
    )
    op.create_index(op.f("ix_sso_attempts_expires_at"), "sso_attempts", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sso_attempts_expires_at"), table_name="sso_attempts")
    op.drop_table("sso_attempts")
    op.drop_index(op.f("ix_sso_links_user_id"), table_name="sso_links")
    op.drop_index("ux_sso_links_provider_subject", table_name="sso_links")
    op.drop_table("sso_links")
