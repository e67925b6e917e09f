"""The chaos suite's summary: one row per scenario, printed after the run."""

from __future__ import annotations

from dataclasses import dataclass

ROWS: list[Row] = []
HEADER = ("scenario", "published", "stored", "dead", "copies", "pending", "alerts", "seconds")


@dataclass(frozen=True)
class Row:
    scenario: str
    published: int
    stored: int
    dead: int
    copies: int  # dead-letter copies beyond one per refused message
    pending: int
    alerts: str  # found / expected
    seconds: float
    note: str = ""

    def cells(self) -> tuple[str, ...]:
        return (
            self.scenario,
            str(self.published),
            str(self.stored),
            str(self.dead),
            str(self.copies),
            str(self.pending),
            self.alerts,
            f"{self.seconds:.1f}",
        )


def pytest_terminal_summary(terminalreporter):
    if not ROWS:
        return
    rows = [HEADER, *(row.cells() for row in ROWS)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    write = terminalreporter.write_line
    terminalreporter.section("chaos summary")
    for index, row in enumerate(rows):
        write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            write("  ".join("-" * width for width in widths))
    for row in ROWS:
        if row.note:
            write(f"{row.scenario}: {row.note}")
