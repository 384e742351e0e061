"""Exam timing as nbgrader records it: submission timestamps and the gradebook's datetimes.

nbgrader's API on the workspace itself lives in the base (``fazhi.nbgrader_api``).
"""

from __future__ import annotations

import datetime as dt

# nbgrader's timestamp.txt format with a numeric offset: nbgrader.utils.parse_utc reads
# "+0800" correctly only when it is attached to the time (a zone *name* such as "CST" for
# Asia/Shanghai would be read as UTC).
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f%z"


def naive_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """nbgrader's gradebook keeps naive UTC datetimes."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)
