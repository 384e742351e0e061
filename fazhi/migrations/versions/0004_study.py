"""Study intervals, online and offline.

Revision ID: 0004_study
Revises: 0003_exam
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_study"
down_revision = "0003_exam"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "study_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('file', 'tracker')", name="ck_study_source_kind"),
        sa.PrimaryKeyConstraint("id", name="pk_study_source"),
        sa.UniqueConstraint("digest", name="uq_study_source_digest"),
    )
    op.create_table(
        "study_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("module_id", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_study_activity"),
        sa.UniqueConstraint("name", name="uq_study_activity_name"),
    )
    op.create_table(
        "study_interval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("start_ts", sa.BigInteger(), nullable=False),
        sa.Column("end_ts", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('online', 'offline')", name="ck_study_interval_kind"),
        sa.CheckConstraint("end_ts >= start_ts", name="ck_study_interval_ordered"),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name="fk_study_interval_officer_id_officer"
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["study_activity.id"],
            name="fk_study_interval_activity_id_study_activity",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["study_source.id"], name="fk_study_interval_source_id_study_source"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_study_interval"),
        sa.UniqueConstraint(
            "officer_id",
            "start_ts",
            "end_ts",
            "kind",
            "activity_id",
            name="uq_study_interval_officer_id",
        ),
    )
    op.create_table(
        "study_year",
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seconds", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name="fk_study_year_officer_id_officer"
        ),
        sa.PrimaryKeyConstraint("officer_id", "year", name="pk_study_year"),
    )


def downgrade() -> None:
    op.drop_table("study_year")
    op.drop_table("study_interval")
    op.drop_table("study_activity")
    op.drop_table("study_source")
