"""Roster: units (tree) and officers.

Revision ID: 0001_roster
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_roster"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["unit.id"], name="fk_unit_parent_id_unit"),
        sa.PrimaryKeyConstraint("id", name="pk_unit"),
        sa.UniqueConstraint("path", name="uq_unit_path"),
    )
    op.create_index("ix_unit_parent_id", "unit", ["parent_id"])
    op.create_table(
        "officer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("enforcement", sa.Boolean(), nullable=False),
        sa.Column("cert_expiry", sa.Date(), nullable=True),
        sa.Column("active_from", sa.Date(), nullable=True),
        sa.Column("active_to", sa.Date(), nullable=True),
        sa.CheckConstraint("role IN ('leader', 'staff')", name="ck_officer_role"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name="fk_officer_unit_id_unit"),
        sa.PrimaryKeyConstraint("id", name="pk_officer"),
        sa.UniqueConstraint("officer_id", name="uq_officer_officer_id"),
    )
    op.create_index("ix_officer_unit_id", "officer", ["unit_id"])


def downgrade() -> None:
    op.drop_table("officer")
    op.drop_table("unit")
