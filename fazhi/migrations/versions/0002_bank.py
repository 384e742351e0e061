"""Question banks and versioned questions.

Revision ID: 0002_bank
Revises: 0001_roster
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_bank"
down_revision = "0001_roster"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("origin IN ('bundled', 'file')", name="ck_bank_origin"),
        sa.PrimaryKeyConstraint("id", name="pk_bank"),
        sa.UniqueConstraint("name", name="uq_bank_name"),
    )
    op.create_table(
        "question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["bank_id"], ["bank.id"], name="fk_question_bank_id_bank"),
        sa.PrimaryKeyConstraint("id", name="pk_question"),
        sa.UniqueConstraint("bank_id", "code", name="uq_question_bank_code"),
    )
    op.create_index("ix_question_bank_id", "question", ["bank_id"])
    op.create_table(
        "question_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("stem", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("difficulty", sa.String(length=2), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "type IN ('single', 'multiple', 'truefalse', 'fill', 'essay')",
            name="ck_question_version_type",
        ),
        sa.CheckConstraint("points > 0", name="ck_question_version_points"),
        sa.ForeignKeyConstraint(
            ["question_id"], ["question.id"], name="fk_question_version_question_id_question"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_question_version"),
        sa.UniqueConstraint("question_id", "version", name="uq_question_version_question_version"),
    )
    op.create_index("ix_question_version_question_id", "question_version", ["question_id"])


def downgrade() -> None:
    op.drop_table("question_version")
    op.drop_table("question")
    op.drop_table("bank")
