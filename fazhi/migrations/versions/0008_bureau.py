"""Audiences (with recorded sample draws), 执法证 records and 年检, banner notices, 邮箱.

Revision ID: 0008_bureau
Revises: 0007_bank_version
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_bureau"
down_revision = "0007_bank_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE, not a batch: rebuilding ``officer`` on SQLite would trip the foreign
    # keys that point at it
    op.add_column("officer", sa.Column("email", sa.String(length=200), nullable=True))
    op.create_table(
        "audience",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=10), nullable=False),
        sa.Column("target_name", sa.String(length=100), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("units", sa.JSON(), nullable=False),
        sa.Column("officers", sa.JSON(), nullable=False),
        sa.Column("new_hire_days", sa.Integer(), nullable=True),
        sa.Column("sample_size", sa.Integer(), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("target IN ('exam', 'module')", name="ck_audience_target"),
        sa.CheckConstraint(
            "new_hire_days IS NULL OR new_hire_days > 0", name="ck_audience_new_hire_days"
        ),
        sa.CheckConstraint(
            "sample_size IS NULL OR sample_size > 0", name="ck_audience_sample_size"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audience"),
        sa.UniqueConstraint("target", "target_name", name="uq_audience_target_name"),
    )
    op.create_table(
        "audience_draw",
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audience_id"],
            ["audience.id"],
            name="fk_audience_draw_audience_id_audience",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name="fk_audience_draw_officer_id_officer"
        ),
        sa.PrimaryKeyConstraint("audience_id", "officer_id", name="pk_audience_draw"),
    )
    op.create_index("ix_audience_draw_officer_id", "audience_draw", ["officer_id"])
    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("issued", sa.Date(), nullable=False),
        sa.Column("expires", sa.Date(), nullable=False),
        sa.Column("revoked", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name="fk_certificate_officer_id_officer"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_certificate"),
        sa.UniqueConstraint("number", name="uq_certificate_number"),
    )
    op.create_index("ix_certificate_officer_id", "certificate", ["officer_id"])
    op.create_table(
        "certificate_inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificate.id"],
            name="fk_certificate_inspection_certificate_id_certificate",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_certificate_inspection"),
        sa.UniqueConstraint("certificate_id", "date", name="uq_certificate_inspection"),
    )
    op.create_index(
        "ix_certificate_inspection_certificate_id", "certificate_inspection", ["certificate_id"]
    )
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name="fk_notice_officer_id_officer"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_notice"),
    )
    op.create_index("ix_notice_officer_id", "notice", ["officer_id"])


def downgrade() -> None:
    op.drop_index("ix_notice_officer_id", table_name="notice")
    op.drop_table("notice")
    op.drop_index("ix_certificate_inspection_certificate_id", table_name="certificate_inspection")
    op.drop_table("certificate_inspection")
    op.drop_index("ix_certificate_officer_id", table_name="certificate")
    op.drop_table("certificate")
    op.drop_index("ix_audience_draw_officer_id", table_name="audience_draw")
    op.drop_table("audience_draw")
    op.drop_table("audience")
    op.drop_column("officer", "email")  # SQLite ≥ 3.35 drops a column in place
