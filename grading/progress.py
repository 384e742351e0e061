"""What the grader shows: a progress bar while it runs and a Chinese summary at the end."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from .outcome import SubmissionOutcome
from .regrade import ScoreChange, describe

MODE_NAMES = {
    "declarative": "免内核快速评分",
    "kernel": "内核执行",
    "": "未执行",
    "nbgrader": "nbgrader",
}


class Progress:
    """Officers done / total with rate and ETA (tqdm), on stderr."""

    def __init__(self, total: int, assignment: str, *, enabled: bool) -> None:
        self._bar = tqdm(
            total=total,
            desc=f"评分 {assignment}",
            unit="人",
            file=sys.stderr,
            disable=not enabled or total == 0,
            dynamic_ncols=True,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} 人 "
            "[已用 {elapsed}，剩余 {remaining}，{rate_fmt}]{postfix}",
        )
        self._failed = 0

    def done(self, outcome: SubmissionOutcome) -> None:
        if outcome.error:
            self._failed += 1
            self._bar.set_postfix_str(f"失败 {self._failed}", refresh=False)
        self._bar.update(1)

    def close(self) -> None:
        self._bar.close()


@dataclass
class GradeReport:
    """The result of ``grade``: what was graded, how, and the scores now in the gradebook."""

    assignment: str
    root: Path
    found: int
    skipped: int
    outcomes: list[SubmissionOutcome] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    max_score: float = 0.0
    seconds: float = 0.0
    fast_path: str = ""
    log_path: Path | None = None
    change_log: Path | None = None
    changes: list[ScoreChange] | None = None
    exam_results: int | None = None  # results synced to fazhi's database (a fazhi exam)

    @property
    def failed(self) -> list[SubmissionOutcome]:
        return [o for o in self.outcomes if o.error]

    @property
    def graded(self) -> list[SubmissionOutcome]:
        return [o for o in self.outcomes if not o.error]

    def mode_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for outcome in self.graded:
            counts[outcome.mode] = counts.get(outcome.mode, 0) + 1
        return counts

    def summary(self) -> str:
        lines = [
            f"作业 {self.assignment}：找到 {self.found} 份提交，本次评分 {len(self.outcomes)} 份"
        ]
        if self.skipped:
            lines[0] += f"，{self.skipped} 份已评分而跳过（重新评分请加 --regrade）"
        lines[0] += "。"
        if self.outcomes:
            per = self.seconds / len(self.outcomes)
            lines.append(f"用时 {self.seconds:.1f} 秒（平均每份 {per:.2f} 秒）。")
        modes = "，".join(
            f"{MODE_NAMES.get(mode, mode)} {n} 份" for mode, n in sorted(self.mode_counts().items())
        )
        if modes:
            lines.append(f"评分方式：{modes}。")
        if self.fast_path:
            lines.append(self.fast_path)
        graded = [self.scores[o.student] for o in self.graded if o.student in self.scores]
        if graded and self.max_score:
            mean = sum(graded) / len(graded)
            top, bottom = max(graded), min(graded)
            lines.append(f"平均分 {mean:.2f} / {self.max_score:g}，最高 {top:g}，最低 {bottom:g}。")
        tampered = [o for o in self.graded if o.tampered]
        if tampered:
            lines.append(
                f"{len(tampered)} 名队员的提交有改动或异常（锁定和测试单元已按 nbgrader 规则恢复，"
                "队员添加的代码已删除、未执行）："
            )
            for outcome in tampered[:20]:
                cells = "，".join(e.describe() for e in outcome.tampered[:5])
                lines.append(f"  {outcome.student}：{cells}")
        if self.failed:
            lines.append(f"{len(self.failed)} 份提交评分失败（与 nbgrader 相同，未生成评分副本）：")
            for outcome in self.failed[:20]:
                lines.append(f"  {outcome.student}：{outcome.error[:200]}")
        if self.changes is not None:
            lines.extend(describe(self.changes))
            if self.change_log is not None:
                lines.append(f"  变化明细：{self.change_log}")
        if self.log_path is not None:
            lines.append(f"评分日志：{self.log_path}")
        return "\n".join(lines)
