"""``fazhi study import``: validate a study-record file, then store it in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from fazhi.analytics.study.packs import Intervals, new_in
from fazhi.analytics.study.packs import records as packed_records
from fazhi.analytics.study.records import read_records
from fazhi.analytics.study.store import (
    ensure_activities,
    ensure_source,
    find_source,
    lock_packs,
    officer_ids,
    read_packs,
    write_packs,
)
from fazhi.analytics.study.yearstore import refresh_years, years_touched


@dataclass(frozen=True)
class StudyImport:
    rows: int
    inserted: int
    long_rows: list[int]

    @property
    def skipped(self) -> int:
        return self.rows - self.inserted

    def message(self, name: str) -> str:
        text = (
            f"学习记录导入完成（{name}）：共 {self.rows} 条，新增 {self.inserted} 条，"
            f"已存在 {self.skipped} 条（重复导入不重复计时）。"
        )
        if self.long_rows:
            shown = "、".join(str(r) for r in self.long_rows[:10])
            more = " 等" if len(self.long_rows) > 10 else ""
            text += f"\n注意：第 {shown}{more} 行的学习时长超过 12 小时，请核对。"
        return text


def import_study_file(session: Session, *, path: Path, modules: set[str]) -> StudyImport:
    """Import ``path``: every row valid or nothing written; rows already stored are skipped.

    ``modules`` are the module ids an activity links to when it names one exactly.
    """
    records = read_records(path, officer_ids(session))
    frame = records.frame
    if find_source(session, records.digest) is not None:
        # these very bytes were imported before, all or nothing: every row is stored already
        return StudyImport(rows=len(frame), inserted=0, long_rows=records.long_rows)
    names = [str(n) for n in frame["activity"].cat.categories]
    ids = ensure_activities(session, names, modules)
    activity_ids = np.array([ids[n] for n in names], dtype=np.int32)
    incoming = Intervals(
        frame["officer"].to_numpy(dtype=np.int64),
        packed_records(
            frame["start"].to_numpy(),
            frame["end"].to_numpy(),
            activity_ids[frame["activity"].cat.codes.to_numpy()],
            frame["row"].to_numpy(),
            (frame["kind"] == "online").to_numpy(),
        ),
    )
    source = ensure_source(session, kind="file", digest=records.digest, name=Path(path).name)
    lock_packs(session)
    stored = read_packs(session, officers=np.unique(incoming.officer))
    fresh = incoming.take(new_in(stored, incoming))
    if len(fresh):
        write_packs(session, source, fresh)
        new = fresh.triple()
        refresh_years(
            session,
            officers=np.unique(new[0]),
            years=years_touched(new[1], new[2]),
            new=new,
            stored=stored.triple(),
        )
    return StudyImport(rows=len(frame), inserted=len(fresh), long_rows=records.long_rows)
