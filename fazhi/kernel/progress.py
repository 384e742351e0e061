"""How far along an exam sitting is, as the paper shows it: the countdown and 已答 n/N.

Pure text (HTML spans) plus the clock thread that keeps a countdown widget current while
the kernel runs; ``fazhi.kernel.sheet`` displays them (``sheet.countdown``, ``sheet.summary``).
"""

from __future__ import annotations

import datetime as dt
import html
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")  # officers read Beijing time
COUNTDOWN_TICK_SECONDS = 20.0  # whole minutes are shown: a refresh every 20 s is plenty
CORRECT_COLOUR, PARTIAL_COLOUR, WRONG_COLOUR = "#1b7a2f", "#b06d00", "#b3261e"
_CLOCKS: dict[Path, threading.Event] = {}  # one running countdown per answer sheet


def status_html(text: str, colour: str, *, size: str = "90%") -> str:
    return f'<span style="color:{colour};font-size:{size}">{html.escape(text)}</span>'


def local_time(moment: dt.datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%H:%M")


def started_at(data: Mapping[str, Any]) -> dt.datetime | None:
    """The sheet's ``started_at`` as an aware datetime (naive means UTC); None if unreadable."""
    try:
        moment = dt.datetime.fromisoformat(str(data.get("started_at")))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def countdown_text(started: dt.datetime, minutes: float, now: dt.datetime) -> str:
    """剩余时间 of a timed exam as the officer reads it (whole minutes, Beijing time)."""
    ends = started + dt.timedelta(minutes=minutes)
    left = (ends - now).total_seconds()
    if left <= 0:
        return status_html(
            f"答题时间已到（{local_time(ends)} 截止），此后的作答不计分。请保存并提交。",
            WRONG_COLOUR,
            size="110%",
        )
    whole = int(-(-left // 60))  # round up: "1 分钟" until the very end
    colour = WRONG_COLOUR if left <= 300 else CORRECT_COLOUR
    return status_html(
        f"剩余时间：约 {whole} 分钟（{local_time(started)} 开始计时，{local_time(ends)} 截止）",
        colour,
        size="110%",
    )


def summary_text(
    answered: Sequence[int], unanswered: Sequence[int], written: Sequence[int] = ()
) -> str:
    """已答 n/N, the numbers still unanswered, and a reminder of the written questions."""
    total = len(answered) + len(unanswered)
    essays = ""
    if written:
        listed = "、".join(str(number) for number in written)
        essays = f"简答题（第 {listed} 题）在题目下方的单元格中作答，不计入以上统计。"
    if not unanswered:
        text, colour = f"已答 {total}/{total} 题，全部作答完毕。", CORRECT_COLOUR
    else:
        missing = "、".join(str(number) for number in unanswered)
        text, colour = f"已答 {len(answered)}/{total} 题。未答：第 {missing} 题。", PARTIAL_COLOUR
    return status_html(text + essays, colour, size="110%")


def run_clock(clock: Any, *, sheet: Path, started: dt.datetime, minutes: float) -> None:
    """Keep ``clock.value`` (an HTML widget) at the time left until it runs out.

    Running the countdown cell again stops the sheet's earlier clock: only the newest ticks.
    """
    previous = _CLOCKS.pop(sheet, None)
    if previous is not None:
        previous.set()
    stop = _CLOCKS[sheet] = threading.Event()
    ends = started + dt.timedelta(minutes=minutes)

    def tick() -> None:
        while not stop.wait(COUNTDOWN_TICK_SECONDS):
            now = dt.datetime.now(dt.UTC)
            clock.value = countdown_text(started, minutes, now)
            if now >= ends:
                return

    threading.Thread(target=tick, name=f"fazhi-countdown-{sheet.name}", daemon=True).start()
