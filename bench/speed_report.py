"""The printed figures of bench/speed.py: the tables, the summary and the targets' verdicts."""

from __future__ import annotations

import operator
from dataclasses import dataclass

from speed_measure import (
    CAMELOT,
    CORPUS_READERS,
    GONGKAI,
    GONGKAI_W1,
    PDFIUM,
    PDFPLUMBER,
    CorpusRow,
    Measured,
    ReferenceRow,
    ScaleRow,
    format_statuses,
)

TARGET_SECONDS_PER_REPORT = 0.15
TARGET_TIMES_FASTER_THAN_CAMELOT = 14.0
TARGET_TIMES_THE_FLOOR = 8.0
TARGET_BATCH_FILES = 2000
TARGET_BATCH_MB = 400.0
LINEAR_GROWTH = 1.2  # how much slower per report the largest batch may be than the smallest

READER_DESCRIPTIONS = {
    GONGKAI: "gongkai.read_report, in process",
    CAMELOT: "camelot lattice, all pages",
    PDFPLUMBER: "pdfplumber extract_tables, all pages",
    PDFIUM: "pypdfium2 text only (floor)",
}


MEMORY_HEADER = f"{'peak RSS':>8} {'tree RSS':>8} {'tree PSS':>8}"


def _mb(value: float | None) -> str:
    return f"{value:>8.0f}" if value is not None else f"{'-':>8}"


def memory_cells(measured: Measured) -> str:
    return f"{_mb(measured.peak_rss_mb)} {_mb(measured.sum_rss_mb)} {_mb(measured.sum_pss_mb)}"


# --- the three parts of the bench ----------------------------------------------------------------


def print_corpus(rows: list[CorpusRow], timings: dict[str, Timing]) -> None:
    print(
        f"\n{'reader':<12} {'files':>5} {'seconds':>7} {'reports/s':>9} {'ms/report':>9} {'cpu ms':>7} "
        f"{MEMORY_HEADER} {'x gongkai':>9}  found"
    )
    for row in rows:
        ratio = f"{timings[row.reader].x:.2f}" if row.reader in timings else "-"
        rate = row.files / row.measured.seconds
        print(
            f"{row.reader:<12} {row.files:>5} {row.measured.seconds:>7.1f} {rate:>9.2f} "
            f"{row.ms_per_report:>9.1f} {row.cpu_ms_per_report:>7.1f} "
            f"{memory_cells(row.measured)} {ratio:>9}  {row.found}"
        )


def print_reference(rows: list[ReferenceRow]) -> None:
    print(
        f"\n{'reader':<38} {'runs':>4} {'median ms':>9} {'min ms':>8} {'cpu ms':>8} {'x gongkai':>9}  found"
    )
    for row in rows:
        print(
            f"{READER_DESCRIPTIONS[row.reader]:<38} {len(row.wall):>4} {row.median_ms:>9.1f} "
            f"{1000 * min(row.wall):>8.1f} {row.median_cpu_ms:>8.1f} {row.x_wall:>9.2f}  {row.found}"
        )


def print_scale(rows: list[ScaleRow]) -> None:
    """One line per batch size; "marginal" is the time per report added since the smaller batch."""
    print(
        f"\n{'files':>5} {'seconds':>8} {'reports/s':>9} {'ms/report':>9} {'marginal':>8} {'cpu ms':>7} "
        f"{MEMORY_HEADER}  statuses"
    )
    previous: ScaleRow | None = None
    for row in rows:
        marginal = "-"
        if previous is not None and row.files > previous.files:
            added = (row.measured.seconds - previous.measured.seconds) / (row.files - previous.files)
            marginal = f"{1000 * added:.1f}"
        print(
            f"{row.files:>5} {row.measured.seconds:>8.1f} {row.files / row.measured.seconds:>9.2f} "
            f"{1000 * row.measured.seconds / row.files:>9.1f} {marginal:>8} "
            f"{1000 * row.measured.cpu_seconds / row.files:>7.1f} "
            f"{memory_cells(row.measured)}  {format_statuses(row.statuses)}"
        )
        previous = row


# --- summary and targets ------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """A reader's time per report, and that time over gongkai's, by the wall clock and by CPU time."""

    ms: float
    cpu_ms: float
    x: float
    x_cpu: float


def corpus_timings(rows: list[CorpusRow]) -> dict[str, Timing]:
    """Each reader's corpus timing against gongkai-w1's; none without gongkai-w1."""
    base = next((r for r in rows if r.reader == GONGKAI_W1), None)
    if base is None:
        return {}
    return {
        r.reader: Timing(
            r.ms_per_report,
            r.cpu_ms_per_report,
            r.ms_per_report / base.ms_per_report,
            r.cpu_ms_per_report / base.cpu_ms_per_report,
        )
        for r in rows
    }


def reference_timings(rows: list[ReferenceRow]) -> dict[str, Timing]:
    """Each reader's reference timing, in-process gongkai's under the key gongkai-w1."""
    return {
        GONGKAI_W1 if r.reader == GONGKAI else r.reader: Timing(
            r.median_ms, r.median_cpu_ms, r.x_wall, r.x_cpu
        )
        for r in rows
    }


def print_summary(
    corpus_rows: list[CorpusRow], corpus: dict[str, Timing], reference: dict[str, Timing]
) -> None:
    """Each reader's corpus and reference figures side by side."""
    rows = {r.reader: r for r in corpus_rows}
    print(f"{'':<12} {'corpus: a fresh process per reader':<39}   reference: warm, paired")
    print(
        f"{'reader':<12} {'files':>5} {'reports/s':>9} {'ms/report':>9} {'peak MB':>7} {'x':>5}   "
        f"{'median ms':>9} {'x':>6}"
    )
    for reader in CORPUS_READERS:
        row, warm = rows.get(reader), reference.get(reader)
        if row is None and warm is None:
            continue
        cold = f"{'-':>5} {'-':>9} {'-':>9} {'-':>7} {'-':>5}"
        if row is not None:
            ratio = f"{corpus[reader].x:.1f}" if reader in corpus else "-"
            cold = (
                f"{row.files:>5} {row.files / row.measured.seconds:>9.2f} {row.ms_per_report:>9.1f} "
                f"{row.measured.peak_rss_mb:>7.0f} {ratio:>5}"
            )
        hot = f"{warm.ms:>9.1f} {warm.x:>6.1f}" if warm is not None else f"{'-':>9} {'-':>6}"
        print(f"{reader:<12} {cold}   {hot}")


COMPARISONS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt}


@dataclass(frozen=True)
class Target:
    where: str
    what: str
    comparison: str  # a key of COMPARISONS
    goal: float
    wall: float  # measured by the wall clock
    cpu: float | None  # the same measured by CPU time; None where that means nothing
    digits: int

    def line(self) -> str:
        def shown(value: float | None) -> str:
            return "-" if value is None else f"{value:.{self.digits}f}"

        def verdict(value: float | None) -> str:
            if value is None:
                return "-"
            return "met" if COMPARISONS[self.comparison](value, self.goal) else "MISSED"

        goal = f"{self.comparison} {self.goal:g}"
        return (
            f"{self.where:<12} {self.what:<36} {goal:>7} {shown(self.wall):>7} {shown(self.cpu):>7}  "
            f"{verdict(self.wall):<6} / {verdict(self.cpu)}"
        )


def speed_targets(where: str, timings: dict[str, Timing]) -> list[Target]:
    """The per-report targets, from gongkai-w1's timing and the others' against it."""
    if GONGKAI_W1 not in timings:
        return []
    gongkai = timings[GONGKAI_W1]
    seconds, cpu_seconds = gongkai.ms / 1000, gongkai.cpu_ms / 1000
    targets = [Target(where, "gongkai s/report", "<=", TARGET_SECONDS_PER_REPORT, seconds, cpu_seconds, 3)]
    if CAMELOT in timings:
        camelot = timings[CAMELOT]
        what, goal = "times faster than camelot lattice", TARGET_TIMES_FASTER_THAN_CAMELOT
        targets.append(Target(where, what, ">=", goal, camelot.x, camelot.x_cpu, 1))
    if PDFIUM in timings:
        floor = timings[PDFIUM]
        what, goal = "times the text-only floor", TARGET_TIMES_THE_FLOOR
        targets.append(Target(where, what, "<=", goal, 1 / floor.x, 1 / floor.x_cpu, 1))
    return targets


def scale_targets(rows: list[ScaleRow], workers: int) -> list[Target]:
    """Linear growth from the smallest batch to the largest; memory of each batch of 2,000 files or more."""
    where = f"scale -w {workers}"
    targets = []
    if len(rows) >= 2:
        first, last = rows[0], rows[-1]
        wall = (last.measured.seconds / last.files) / (first.measured.seconds / first.files)
        cpu = (last.measured.cpu_seconds / last.files) / (first.measured.cpu_seconds / first.files)
        what = f"ms/report at {last.files} / at {first.files} files"
        targets.append(Target(where, what, "<=", LINEAR_GROWTH, wall, cpu, 2))
    for row in rows:
        if row.files < TARGET_BATCH_FILES:
            continue
        for kind, mb in (("tree PSS", row.measured.sum_pss_mb), ("peak RSS", row.measured.peak_rss_mb)):
            if mb is not None:
                targets.append(
                    Target(where, f"{kind} MB, {row.files} files", "<", TARGET_BATCH_MB, mb, None, 0)
                )
    return targets


def print_targets(targets: list[Target]) -> None:
    print(f"\n{'where':<12} {'target':<36} {'goal':>7} {'wall':>7} {'cpu':>7}  verdict wall / cpu")
    for target in targets:
        print(target.line())
