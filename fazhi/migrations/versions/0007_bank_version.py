"""法规版本 on question versions: the date of the local regulation's text an item rests on.

Existing rows get "" (no version recorded); bundled banks fill it on their next import.

Revision ID: 0007_bank_version
Revises: 0006_study_pack
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_bank_version"
down_revision = "0006_study_pack"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("question_version") as batch:
        batch.add_column(
            sa.Column("law_version", sa.String(length=100), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("question_version") as batch:
        batch.drop_column("law_version")
