"""Errors that reach users: the CLI prints their (Chinese) message, never a traceback."""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """Something the user can fix; ``str(err)`` is the message shown to them (Chinese)."""

    exit_code = 2


class InputError(UserError):
    """A problem in one cell of an input file, located by file, row and column."""

    def __init__(
        self, path: Path | str, message: str, *, row: int | None = None, column: str | None = None
    ) -> None:
        self.path = Path(path)
        self.row = row
        self.column = column
        self.message = message
        super().__init__(self.describe())

    def describe(self) -> str:
        where = [f"文件 {self.path.name}"]
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column is not None:
            where.append(f"列“{self.column}”")
        return "，".join(where) + f"：{self.message}"


class InputErrors(UserError):
    """Several located problems found in one pass over a file (reported together)."""

    def __init__(self, errors: list[InputError], *, stopped: bool = False) -> None:
        self.errors = errors
        self.stopped = stopped  # the reader gave up at its error cap: more may follow
        shown = [e.describe() for e in errors[:20]]
        more = f"\n……另有 {len(errors) - 20} 处错误" if len(errors) > 20 else ""
        if stopped:
            more += f"\n错误过多，已在第 {len(errors)} 处后停止检查"
        header = f"输入有 {len(errors)} 处错误，未写入任何数据：\n" if len(errors) > 1 else ""
        super().__init__(header + "\n".join(shown) + more)


class DatabaseOutOfDate(UserError):
    """The database schema is behind the code's Alembic revision."""
