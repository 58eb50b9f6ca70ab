"""time and attention: each person's time zone, status, do-not-disturb and working hours

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Columns added one by one, with server defaults: SQLite adds them in place (no table rebuild).
    text = sqlmodel.sql.sqltypes.AutoString
    moment = sqlmodel.sql.sqltypes.UTCDateTime
    for column in (
        sa.Column("time_zone", text(length=64), nullable=False, server_default=""),
        sa.Column("status_emoji", text(length=32), nullable=False, server_default=""),
        sa.Column("status_text", text(length=100), nullable=False, server_default=""),
        sa.Column("status_until", moment(), nullable=True),
        sa.Column("dnd_until", moment(), nullable=True),
        sa.Column("work_days", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("work_start", sa.Integer(), nullable=False, server_default="540"),
        sa.Column("work_end", sa.Integer(), nullable=False, server_default="1080"),
        sa.Column("held_since", moment(), nullable=True),
    ):
        op.add_column("users", column)


def downgrade() -> None:
    for column in (
        "held_since",
        "work_end",
        "work_start",
        "work_days",
        "dnd_until",
        "status_until",
        "status_text",
        "status_emoji",
        "time_zone",
    ):
        op.drop_column("users", column)
