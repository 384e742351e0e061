"""``fazhi study import``: validate a study-record file, then store it in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from fazhi.analytics.records import read_records
from fazhi.analytics.store import (
    ensure_activities,
    ensure_source,
    insert_intervals,
    last_interval_id,
    lock_intervals,
    officer_ids,
)
from fazhi.analytics.yearstore import refresh_years, stored_intervals, years_touched


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
    names = [str(n) for n in frame["activity"].cat.categories]
    ids = ensure_activities(session, names, modules)
    activity_ids = np.array([ids[n] for n in names], dtype=np.int64)
    frame = frame.assign(activity_id=activity_ids[frame["activity"].cat.codes.to_numpy()])
    source = ensure_source(session, kind="file", digest=records.digest, name=Path(path).name)
    lock_intervals(session)
    before = last_interval_id(session)
    inserted = insert_intervals(session, frame, source)
    if inserted:
        # the file's rows are at hand: read back only what was stored before them
        new = (frame["officer"].to_numpy(), frame["start"].to_numpy(), frame["end"].to_numpy())
        officers, years = np.sort(pd.unique(new[0])), years_touched(new[1], new[2])
        stored = stored_intervals(session, officers=officers, years=years, up_to_id=before)
        refresh_years(session, officers=officers, years=years, new=new, stored=stored)
    return StudyImport(rows=len(frame), inserted=inserted, long_rows=records.long_rows)
