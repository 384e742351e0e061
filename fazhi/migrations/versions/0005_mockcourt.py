"""Mock-court sessions, participants, judges and scores.

Revision ID: 0005_mockcourt
Revises: 0004_study
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_mockcourt"
down_revision = "0004_study"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mockcourt_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("case_title", sa.String(length=200), nullable=False),
        sa.Column("case_summary", sa.Text(), nullable=False),
        sa.Column("case_file", sa.String(length=500), nullable=False),
        sa.Column("drop_extremes_from", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mockcourt_session"),
        sa.UniqueConstraint("code", name="uq_mockcourt_session_code"),
    )
    op.create_table(
        "mockcourt_dimension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("weight", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["mockcourt_session.id"],
            name="fk_mockcourt_dimension_session_id_mockcourt_session",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_mockcourt_dimension"),
        sa.UniqueConstraint("session_id", "name", name="uq_mockcourt_dimension_session_id"),
    )
    op.create_table(
        "mockcourt_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name="fk_mockcourt_participant_officer_id_officer"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["mockcourt_session.id"],
            name="fk_mockcourt_participant_session_id_mockcourt_session",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_mockcourt_participant"),
        sa.UniqueConstraint("session_id", "officer_id", name="uq_mockcourt_participant_session_id"),
    )
    op.create_index("ix_mockcourt_participant_officer_id", "mockcourt_participant", ["officer_id"])
    op.create_table(
        "mockcourt_judge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["mockcourt_session.id"],
            name="fk_mockcourt_judge_session_id_mockcourt_session",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_mockcourt_judge"),
        sa.UniqueConstraint("session_id", "name", name="uq_mockcourt_judge_session_id"),
    )
    op.create_table(
        "mockcourt_sheet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["judge_id"],
            ["mockcourt_judge.id"],
            name="fk_mockcourt_sheet_judge_id_mockcourt_judge",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["mockcourt_participant.id"],
            name="fk_mockcourt_sheet_participant_id_mockcourt_participant",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_mockcourt_sheet"),
        sa.UniqueConstraint("participant_id", "judge_id", name="uq_mockcourt_sheet_participant_id"),
    )
    op.create_index("ix_mockcourt_sheet_judge_id", "mockcourt_sheet", ["judge_id"])
    op.create_table(
        "mockcourt_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("dimension_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.CheckConstraint("score >= 0 AND score <= 100", name="ck_mockcourt_score_score_range"),
        sa.ForeignKeyConstraint(
            ["dimension_id"],
            ["mockcourt_dimension.id"],
            name="fk_mockcourt_score_dimension_id_mockcourt_dimension",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sheet_id"],
            ["mockcourt_sheet.id"],
            name="fk_mockcourt_score_sheet_id_mockcourt_sheet",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_mockcourt_score"),
        sa.UniqueConstraint("sheet_id", "dimension_id", name="uq_mockcourt_score_sheet_id"),
    )
    op.create_index("ix_mockcourt_score_dimension_id", "mockcourt_score", ["dimension_id"])


def downgrade() -> None:
    op.drop_table("mockcourt_score")
    op.drop_table("mockcourt_sheet")
    op.drop_table("mockcourt_judge")
    op.drop_table("mockcourt_participant")
    op.drop_table("mockcourt_dimension")
    op.drop_table("mockcourt_session")
