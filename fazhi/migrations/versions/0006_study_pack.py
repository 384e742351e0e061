"""Study intervals packed per (source, officer) instead of one row each.

Existing rows of ``study_interval`` are packed into ``study_pack`` and the table is dropped;
the downgrade unpacks them again. The record layout is written out here, not imported, so
that this migration keeps meaning what it meant when later code changes.

Revision ID: 0006_study_pack
Revises: 0005_mockcourt
"""

import numpy as np
import sqlalchemy as sa
from alembic import op

revision = "0006_study_pack"
down_revision = "0005_mockcourt"
branch_labels = None
depends_on = None

RECORD = np.dtype(
    [("start", "<i8"), ("end", "<i8"), ("activity", "<i4"), ("row", "<i4"), ("online", "u1")]
)
_BATCH = 1000  # packs per INSERT


def _create_pack_table() -> None:
    op.create_table(
        "study_pack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_ts", sa.BigInteger(), nullable=False),
        sa.Column("last_ts", sa.BigInteger(), nullable=False),
        sa.Column("records", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("last_ts >= first_ts", name="ck_study_pack_ordered"),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name="fk_study_pack_officer_id_officer"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["study_source.id"], name="fk_study_pack_source_id_study_source"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_study_pack"),
        sa.UniqueConstraint("source_id", "officer_id", name="uq_study_pack_source_id"),
    )
    op.create_index("ix_study_pack_officer_id", "study_pack", ["officer_id"])
    if op.get_bind().dialect.name == "postgresql":
        # packs are dense binary that barely compresses: storing them uncompressed makes
        # writing a year of records about four times faster
        op.execute("ALTER TABLE study_pack ALTER COLUMN records SET STORAGE EXTERNAL")


def _create_interval_table() -> None:
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


def upgrade() -> None:
    _create_pack_table()
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT source_id, officer_id, start_ts, end_ts, activity_id, source_row, "
            "CASE WHEN kind = 'online' THEN 1 ELSE 0 END FROM study_interval "
            "ORDER BY source_id, officer_id, start_ts, end_ts, activity_id, kind"
        ),
        execution_options={"yield_per": 100_000},  # streamed: millions of rows
    )
    packs: list[dict[str, object]] = []
    group: list[tuple[int, ...]] = []
    key = (0, 0)
    for source, officer, *fields in rows:
        if (source, officer) != key and group:
            packs.append(_pack_row(key, group))
            group = []
        key = (source, officer)
        group.append(tuple(fields))
    if group:
        packs.append(_pack_row(key, group))
    insert = sa.text(
        "INSERT INTO study_pack (source_id, officer_id, count, first_ts, last_ts, records) "
        "VALUES (:source_id, :officer_id, :count, :first_ts, :last_ts, :records)"
    )
    for i in range(0, len(packs), _BATCH):
        connection.execute(insert, packs[i : i + _BATCH])
    op.drop_table("study_interval")


def _pack_row(key: tuple[int, int], group: list[tuple[int, ...]]) -> dict[str, object]:
    records = np.array(group, dtype=RECORD)
    return {
        "source_id": key[0],
        "officer_id": key[1],
        "count": len(records),
        "first_ts": int(records["start"].min()),
        "last_ts": int(records["end"].max()),
        "records": records.tobytes(),
    }


def downgrade() -> None:
    _create_interval_table()
    connection = op.get_bind()
    packs = connection.execute(
        sa.text("SELECT source_id, officer_id, records FROM study_pack ORDER BY id")
    ).all()
    insert = sa.text(
        "INSERT INTO study_interval (officer_id, start_ts, end_ts, kind, activity_id, "
        "source_id, source_row) VALUES (:officer_id, :start_ts, :end_ts, :kind, "
        ":activity_id, :source_id, :source_row)"
    )
    rows = [
        {
            "officer_id": officer,
            "start_ts": int(record["start"]),
            "end_ts": int(record["end"]),
            "kind": "online" if record["online"] else "offline",
            "activity_id": int(record["activity"]),
            "source_id": source,
            "source_row": int(record["row"]),
        }
        for source, officer, blob in packs
        for record in np.frombuffer(bytes(blob), dtype=RECORD)
    ]
    for i in range(0, len(rows), _BATCH):
        connection.execute(insert, rows[i : i + _BATCH])
    op.drop_index("ix_study_pack_officer_id", table_name="study_pack")
    op.drop_table("study_pack")
