"""Exams, papers, sittings and results.

Revision ID: 0003_exam
Revises: 0002_bank
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_exam"
down_revision = "0002_bank"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exam",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("opens", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes", sa.DateTime(timezone=True), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("pass_mark", sa.Float(), nullable=False),
        sa.Column("makeup_of_id", sa.Integer(), nullable=True),
        sa.Column("blueprint", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("mode IN ('all', 'blueprint')", name="ck_exam_mode"),
        sa.CheckConstraint("pass_mark > 0 AND pass_mark <= 1", name="ck_exam_pass_mark"),
        sa.CheckConstraint("minutes IS NULL OR minutes > 0", name="ck_exam_minutes"),
        sa.ForeignKeyConstraint(["makeup_of_id"], ["exam.id"], name="fk_exam_makeup_of_id_exam"),
        sa.PrimaryKeyConstraint("id", name="pk_exam"),
        sa.UniqueConstraint("name", name="uq_exam_name"),
    )
    op.create_index("ix_exam_makeup_of_id", "exam", ["makeup_of_id"])
    op.create_table(
        "exam_bank",
        sa.Column("exam_id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["bank.id"], name="fk_exam_bank_bank_id_bank"),
        sa.ForeignKeyConstraint(["exam_id"], ["exam.id"], name="fk_exam_bank_exam_id_exam"),
        sa.PrimaryKeyConstraint("exam_id", "bank_id", name="pk_exam_bank"),
    )
    op.create_table(
        "exam_section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exam_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("difficulty", sa.String(length=2), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.CheckConstraint("count > 0", name="ck_exam_section_count"),
        sa.CheckConstraint("points > 0", name="ck_exam_section_points"),
        sa.ForeignKeyConstraint(["exam_id"], ["exam.id"], name="fk_exam_section_exam_id_exam"),
        sa.PrimaryKeyConstraint("id", name="pk_exam_section"),
        sa.UniqueConstraint("exam_id", "position", name="uq_exam_section_exam_position"),
    )
    op.create_index("ix_exam_section_exam_id", "exam_section", ["exam_id"])
    op.create_table(
        "exam_candidate",
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("question_version_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_version_id"],
            ["question_version.id"],
            name="fk_exam_candidate_question_version_id_question_version",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"], ["exam_section.id"], name="fk_exam_candidate_section_id_exam_section"
        ),
        sa.PrimaryKeyConstraint("section_id", "question_version_id", name="pk_exam_candidate"),
    )
    op.create_index(
        "ix_exam_candidate_question_version_id", "exam_candidate", ["question_version_id"]
    )
    op.create_table(
        "paper",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exam_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["exam_id"], ["exam.id"], name="fk_paper_exam_id_exam"),
        sa.ForeignKeyConstraint(["officer_id"], ["officer.id"], name="fk_paper_officer_id_officer"),
        sa.PrimaryKeyConstraint("id", name="pk_paper"),
        sa.UniqueConstraint("exam_id", "officer_id", name="uq_paper_exam_officer"),
    )
    op.create_index("ix_paper_exam_id", "paper", ["exam_id"])
    op.create_index("ix_paper_officer_id", "paper", ["officer_id"])
    op.create_table(
        "exam_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exam_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("max_score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("graded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("attempt > 0", name="ck_exam_result_attempt"),
        sa.ForeignKeyConstraint(["exam_id"], ["exam.id"], name="fk_exam_result_exam_id_exam"),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name="fk_exam_result_officer_id_officer"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_exam_result"),
        sa.UniqueConstraint("exam_id", "officer_id", name="uq_exam_result_exam_officer"),
    )
    op.create_index("ix_exam_result_exam_id", "exam_result", ["exam_id"])
    op.create_index("ix_exam_result_officer_id", "exam_result", ["officer_id"])


def downgrade() -> None:
    op.drop_table("exam_result")
    op.drop_table("paper")
    op.drop_table("exam_candidate")
    op.drop_table("exam_section")
    op.drop_table("exam_bank")
    op.drop_table("exam")
