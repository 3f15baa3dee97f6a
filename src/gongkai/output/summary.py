"""What a batch holds, at a glance: `gongkai summary` and `gongkai.summarize`.

- counts by status, form and year;
- the agencies × years matrix (by `agency_key`);
- agency-years held by more than one report, and identical files;
- the reports that break their own arithmetic, with where;
- the rows most often missing, with the reasons the notes give.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table as RichTable
from rich.text import Text

from .. import sources
from ..errors import GongkaiError
from ..numbers import counted, format_number
from . import records
from .views import failed_rule, hover_note, note_on_paper, prints_no_number
from .writers import replacing

# The narrowest a column of words folds to on a narrow terminal: four CJK characters, or `partial`.
_LEAST_WORDS = 8
# As narrow, where that keeps every id's and path's parts whole (_PIECES): words that fold anywhere
# (CJK) may take three characters, not four, for ids to keep their parts.
_LEAST_WHOLE_PARTS = 6
# The rows listed under "most often missing".
MISSING_ROWS_SHOWN = 15
# Marks of the agencies × years matrix.
MARKS = {"ok": "●", "partial": "◐"}


class NotAnOutputError(GongkaiError, ValueError):
    """A file that is not the long cells output of `gongkai extract`."""


@dataclass
class Summary:
    """The tables of `gongkai summary`, one frame per section."""

    by_status: pd.DataFrame  # status × year, with totals
    by_form: pd.DataFrame  # form × year
    matrix: pd.DataFrame  # agency_key × year: one mark per report
    duplicates: pd.DataFrame  # agency_key, year, reports, sources
    identical: pd.DataFrame  # sha256, reports, sources
    broken: pd.DataFrame  # source, agency, year, rules
    missing: pd.DataFrame  # table, row_id, row, reports, cells, reasons
    # The reasons of `missing` as a sheet prints them, row by row: an OCR doubtful cell's why in
    # words, without what OCR read (views.note_on_paper), which is in the hover note of its reasons.
    missing_on_paper: list[str] = field(default_factory=list)
    # The hover notes of those reasons, row by row: each cell's as the workbook's (views.hover_note),
    # in Chinese as the sheet's headers are, what OCR read too.
    missing_hovers: list[str] = field(default_factory=list)

    def sections(self) -> dict[str, pd.DataFrame]:
        return {
            "按状态": self.by_status,
            "按格式": self.by_form,
            "机关×年度": self.matrix,
            "重复的机关年度": self.duplicates,
            "相同的文件": self.identical,
            "不合勾稽关系": self.broken,
            "最常缺的行": self.missing,
        }

    def to_text(self, width: int | None = None) -> str:
        """The summary as text; `width`: fitted to a terminal that many columns wide (the words of
        a table fold, its numbers never), else every row on one line."""
        titles = {
            "按状态": "Reports by status and year",
            "按格式": "Reports by form and year",
            "机关×年度": f"Agencies × years ({MARKS['ok']} ok, {MARKS['partial']} partial, 2 = two reports)",
            "重复的机关年度": "Agency-years held by more than one report",
            "相同的文件": "Identical files (same SHA-256)",
            "不合勾稽关系": "Reports that break their own arithmetic",
            "最常缺的行": "Rows most often missing (not found or unreadable), with the reasons",
        }
        parts = []
        for key, table in self.sections().items():
            parts.append(_plain_text(f"## {titles[key]}", width))
            parts.append(_plain_table(table, width) if len(table) else "(none)")
            parts.append("")
        return "\n".join(parts)

    def write(self, path: str | os.PathLike[str]) -> None:
        """.xlsx: one sheet per section, laid out and set up to print as the workbook's sheets;
        any other name: the text."""
        if Path(path).suffix.lower() == ".xlsx":
            from .workbook import write_tables

            tables = {name: _numbers_as_numbers(t) for name, t in self.sections().items()}
            for name in ("按状态", "按格式"):  # the totals row in Chinese, as its column's header 合计
                tables[name] = _totals_in_chinese(tables[name])
            notes = {}
            rows = len(self.missing)
            if rows and len(self.missing_on_paper) == len(self.missing_hovers) == rows:
                # On paper the reasons in words; on hover in Chinese, OCR's readings too.
                missing = self.missing.reset_index(drop=True)
                tables["最常缺的行"] = missing.assign(reasons=self.missing_on_paper)
                notes["最常缺的行"] = {
                    (row, "reasons"): hover for row, hover in enumerate(self.missing_hovers)
                }
            write_tables(tables, path, notes)
            return
        with replacing(path) as temporary:  # OutputWriteError if it cannot be written
            temporary.write_text(self.to_text(), encoding="utf-8")


def _totals_in_chinese(table: pd.DataFrame) -> pd.DataFrame:
    """A count by year (_by_year) with its totals row named 合计, not "total", for a sheet."""
    if table.empty:
        return table
    first = table.columns[0]
    return table.assign(**{first: table[first].replace({"total": "合计"})})


def _numbers_as_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """The form version as a number in a sheet, as in the workbook (the totals row stays a word)."""
    if "form" not in table.columns:
        return table
    return table.assign(form=[int(v) if str(v).isdigit() else v for v in table["form"]])


def _plain_table(table: pd.DataFrame, width: int | None = None) -> str:
    """A table as plain text: numbers right, words left, CJK characters two columns wide (rich).
    Within `width` columns the words fold (at spaces where they can) down to _LEAST_WORDS (or
    their header), the numbers keep their width, and columns close up from three spaces apart to
    one; wider than `width` only where even that does not fit (rich would squeeze a column to
    nothing: the status column vanished at COLUMNS=30). A file's name with a newline or another
    control character shows it escaped (\\n), as messages do, so that a row stays its lines."""
    table = table.map(lambda v: sources.printable(v) if isinstance(v, str) else v)
    names = [str(name) for name in table.columns]
    numeric = [pd.api.types.is_numeric_dtype(table[name]) for name in table.columns]
    least, whole, widests = [], [], []  # the least widths, those keeping ids' parts whole, the widest
    for name, column, is_number in zip(names, table.columns, numeric, strict=True):
        texts = [name, *("" if pd.isna(v) else str(v) for v in table[column])]
        widest = max(map(cell_len, texts))
        widests.append(widest)
        least.append(widest if is_number else min(widest, max(_LEAST_WORDS, cell_len(name))))
        parts = map(_widest_piece, texts)
        whole.append(widest if is_number else min(widest, max(_LEAST_WHOLE_PARTS, cell_len(name), *parts)))
    for gap, narrowest in ((3, whole), (1, whole), (3, least), (1, least)):
        if width is None or sum(narrowest) + gap * (len(narrowest) - 1) <= width:
            least = narrowest
            break
    widths = _shared_out(least, widests, None if width is None else width - gap * (len(least) - 1))
    grid = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, (gap - 1) // 2))
    for name, is_number, given in zip(names, numeric, widths, strict=True):
        if is_number:
            grid.add_column(name, justify="right", no_wrap=True, width=given)
        else:
            grid.add_column(name, justify="left", overflow="fold", width=given)
    for row in table.itertuples(index=False):
        cells = ("" if pd.isna(v) else str(v) for v in row)
        grid.add_row(*(c if n else _Folded(c) for c, n in zip(cells, numeric, strict=True)))
    return _plain_text(grid, None if width is None else max(width, sum(least) + gap * (len(least) - 1)))


# Where a table's words fold: at spaces, between CJK characters, and after the marks that join
# an id's or a path's parts (applications_ | balance, samples/ | yunhu-district-2024.pdf); a part
# wider than its column, only there, where the column ends. rich folded ids and paths wherever
# the column ended: unavaila | ble_need | s_creati | on, /work/wt/printou | t/fixtures. A closing
# mark stays with what it closes, as inspect folds a label (`(总计 | ): 1339` began a line with it),
# and an opening one with what it opens (`outcomes_total ( | 自然人)` ended a line with it).
_CLOSING = "，。、；：？！）】」』”’》〉,;:?!)\\]%"
_OPENING = "（【「『“‘《〈(\\["
_PIECES = re.compile(
    rf"\s+|[{_OPENING}]*[\u2e80-\uffff][{_CLOSING}]*"
    rf"|[{_OPENING}]*[/_\-.]*[^\s\u2e80-\uffff/_\-.]+[/_\-.]*[{_CLOSING}]*|[/_\-.]+"
)


def _widest_piece(text: str) -> int:
    """The width of the widest of `text`'s pieces (_PIECES, spaces aside): the least it folds to whole."""
    return max((cell_len(p) for p in _PIECES.findall(text) if not p.isspace()), default=0)


class _Folded:
    """A table cell's words, folded at _PIECES' joints to the column rich gives them."""

    def __init__(self, text: str):
        self.text = text

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        least = _widest_piece(self.text)
        most = max((cell_len(line) for line in self.text.split("\n")), default=0)
        return Measurement(least, most).clamp(max_width=options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.text.split("\n"):
            for folded in _fold(line, max(1, options.max_width)):
                yield Text(folded, no_wrap=True, overflow="crop")


def _fold(line: str, width: int) -> list[str]:
    lines, current = [], ""
    for piece in _PIECES.findall(line):
        if piece.isspace():
            current += " " if current else ""
            continue
        if cell_len(current + piece) <= width:
            current += piece
            continue
        if current.strip():
            lines.append(current.rstrip())
        current = ""
        while cell_len(piece) > width:  # a part wider than the column, cut where it ends
            cut = next(i for i in range(len(piece), 0, -1) if cell_len(piece[:i]) <= width or i == 1)
            lines.append(piece[:cut])
            piece = piece[cut:]
        current = piece
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


def _shared_out(least: list[int], widest: list[int], room: int | None) -> list[int | None]:
    """Columns' widths within `room`: each its least, then what is left given to those narrower than
    their widest (rich's own sharing took a column of ids below its least, then gave it back, past
    the terminal's edge). No room: each as wide as its values."""
    if room is None:
        return [None] * len(least)
    widths = list(least)
    left = room - sum(widths)
    # The columns that want least first, each made whole while there is room: an agency's name
    # on one line before a file's path gets a few more characters a line.
    for index in sorted(range(len(widths)), key=lambda i: widest[i] - least[i]):
        given = max(0, min(left, widest[index] - widths[index]))
        widths[index] += given
        left -= given
    return widths


def _plain_text(renderable, width: int | None) -> str:
    """What rich prints of `renderable` without colour in `width` columns (or a page wide enough
    for any line), trailing spaces dropped."""
    console = Console(file=io.StringIO(), width=width or 10_000, color_system=None)
    with console.capture() as captured:
        console.print(renderable, crop=False)
    return "\n".join(line.rstrip() for line in captured.get().splitlines())


def _joined(values: Iterable[object], limit: int = 3, sep: str = "; ") -> str:
    items = [str(v) for v in values]
    more = f" … (+{len(items) - limit})" if len(items) > limit else ""
    return sep.join(items[:limit]) + more


def _by_year(files: pd.DataFrame, column: str) -> pd.DataFrame:
    if files.empty:
        return pd.DataFrame()
    years = files["year"].astype("Int64").astype("string").fillna("?")
    table = pd.crosstab(files[column].fillna("?"), years, margins=True, margins_name="total")
    return table.reset_index().rename_axis(columns=None)


def _matrix(files: pd.DataFrame) -> pd.DataFrame:
    read = files[files["status"].isin(MARKS) & files["agency_key"].fillna("").ne("")]
    if read.empty:
        return pd.DataFrame(columns=["agency_key"])

    def mark(statuses: pd.Series) -> str:
        return MARKS[statuses.iloc[0]] if len(statuses) == 1 else str(len(statuses))

    table = read.assign(year=read["year"].astype("Int64")).pivot_table(
        index="agency_key", columns="year", values="status", aggfunc=mark, fill_value=""
    )
    table.columns = [str(c) for c in table.columns]
    return table.reset_index().rename_axis(columns=None)


def _duplicates(files: pd.DataFrame) -> pd.DataFrame:
    read = files[files["status"].isin(MARKS) & files["agency_key"].fillna("").ne("")]
    groups = read.groupby(["agency_key", "year"], sort=True)["source"]
    rows = [
        {"agency_key": key, "year": int(year), "reports": len(sources), "sources": _joined(sources)}
        for (key, year), sources in groups
        if len(sources) > 1
    ]
    return pd.DataFrame(rows, columns=["agency_key", "year", "reports", "sources"])


def _identical(files: pd.DataFrame) -> pd.DataFrame:
    hashed = files[files["sha256"].fillna("") != ""]
    rows = [
        {"sha256": digest[:16], "reports": len(sources), "sources": _joined(sources)}
        for digest, sources in hashed.groupby("sha256", sort=True)["source"]
        if len(sources) > 1
    ]
    return pd.DataFrame(rows, columns=["sha256", "reports", "sources"])


def _broken(files: pd.DataFrame, checks: pd.DataFrame) -> pd.DataFrame:
    failed = checks[checks["status"] == "failed"]
    forms = files.set_index("source")["form"].to_dict()
    rows = []
    for source, rules in failed.groupby("source", sort=True):
        identity = files[files["source"] == source].iloc[0] if (files["source"] == source).any() else None
        places = [
            f"{failed_rule(forms.get(source), rule_id)}: {_number(left)} ≠ {_number(right)}"
            for rule_id, left, right in zip(rules["rule_id"], rules["left"], rules["right"], strict=True)
        ]
        rows.append(
            {
                "source": source,
                "agency": None if identity is None else identity["agency"],
                "year": None if identity is None else identity["year"],
                "rules": _joined(places, limit=4),
            }
        )
    return pd.DataFrame(rows, columns=["source", "agency", "year", "rules"])


def _number(value: object) -> str:
    return format_number(None if pd.isna(value) else float(value))


def _missing(cells: pd.DataFrame) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Rows with a cell not found or unreadable, by the number of reports they are missing from;
    their reasons on paper (`Summary.missing_on_paper`) and on hover (`Summary.missing_hovers`)."""
    columns = ["table", "row_id", "row", "reports", "cells", "reasons"]
    if cells.empty:
        return pd.DataFrame(columns=columns), [], []
    gone = cells[cells["value"].isna() & ~prints_no_number(cells["note_code"])]
    rows = []
    for (table, row_id), group in gone.groupby(["table", "row_id"], sort=False):
        reasons = group["note"].fillna("").replace("", "no note").value_counts()
        read = group["ocr_readings"] if "ocr_readings" in group else [None] * len(group)
        held = list(zip(group["note"], group["note_code"], group["raw"], read, strict=True))
        on_paper = [note_on_paper(note, code, readings) for note, code, _, readings in held]
        words = pd.Series(on_paper, dtype=object).fillna("").replace("", "no note").value_counts()
        hovers = pd.Series([hover_note(*cell) for cell in held], dtype=object).value_counts()
        rows.append(
            {
                "table": table,
                "row_id": row_id,
                "row": group["row"].iloc[0],
                "reports": group["source"].nunique(),
                "cells": len(group),
                "reasons": _joined((f"{n}× {reason}" for reason, n in reasons.items()), limit=2),
                "on_paper": _joined((f"{n}× {reason}" for reason, n in words.items()), limit=2),
                "hover": _joined((f"{n}× {hover}" for hover, n in hovers.items()), limit=2, sep="\n"),
            }
        )
    out = pd.DataFrame(rows, columns=[*columns, "on_paper", "hover"])
    out = out.sort_values(["reports", "cells"], ascending=False, kind="stable").head(MISSING_ROWS_SHOWN)
    return out[columns], out["on_paper"].tolist(), out["hover"].tolist()


def summarize(cells: pd.DataFrame, files: pd.DataFrame, checks: pd.DataFrame) -> Summary:
    """The summary of a batch from its records (cells, per-file status and checks)."""
    records.require_cells(cells)
    records.require_batch_tables(files, checks)
    files = files.drop_duplicates("source")
    missing, on_paper, hovers = _missing(cells)
    return Summary(
        by_status=_by_year(files, "status"),
        by_form=_by_year(files[files["status"] != "failed"], "form"),
        matrix=_matrix(files),
        duplicates=_duplicates(files),
        identical=_identical(files),
        broken=_broken(files, checks),
        missing=missing,
        missing_on_paper=on_paper,
        missing_hovers=hovers,
    )


def _read_table(path: str) -> pd.DataFrame:
    """A CSV table gongkai wrote, in whichever of `records.TABLE_ENCODINGS` it was written in."""
    for encoding in records.TABLE_ENCODINGS:
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:  # pandas said only "No columns to parse from file"
            raise NotAnOutputError(
                f"{sources.message_path(path)} is empty: no table gongkai extract wrote"
            ) from None
    raise NotAnOutputError(
        f"{sources.message_path(path)} is neither UTF-8 nor GB18030 text: "
        "write it again with --encoding utf-8"
    )


def read_output(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The cells, files and checks that `gongkai extract -o PATH` wrote (`gongkai.read_output`,
    `batch.read_output`, first refuses a file beside an output)."""
    path = str(path)
    shown = sources.message_path(path)
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        raise NotAnOutputError("summarise the CSV, Parquet or JSONL output, or the reports themselves")
    if sources.kind_of_name(path) is not None:
        raise NotAnOutputError(
            f"{shown} is a report, not an output of gongkai extract: read it with read_report"
        )
    if not Path(path).is_file():
        raise NotAnOutputError(f"{shown} is no file: give the cells output of gongkai extract")
    if suffix == ".parquet":
        cells = pq.read_table(path).to_pandas()
    elif suffix == ".jsonl":
        # A batch whose every file failed writes no line, and no line tells no shape: pandas read
        # it as a table of no column, refused as a wide output's.
        empty = os.path.getsize(path) == 0
        cells = (
            records.empty_frame("cells")
            if empty
            else pd.read_json(path, lines=True, dtype=False, encoding="utf-8")
        )
    else:
        cells = _read_table(path)
    if "row_id" not in cells.columns:
        raise NotAnOutputError(
            f"{shown} holds no long cell records (a --shape wide output cannot be summarised)"
        )
    files_path = records.companion_path(path, "files")
    if not Path(files_path).exists():
        raise NotAnOutputError(
            f"{sources.message_path(files_path)} is missing: "
            "it is written beside the cells by gongkai extract"
        )
    checks_path = records.companion_path(path, "checks")

    def table(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
        return records.frame(kind, frame.replace({"": None}).to_dict("records"))

    status = _read_table(files_path)
    if missing := [column for column in ("source", "status") if column not in status.columns]:
        raise NotAnOutputError(
            f"{sources.message_path(files_path)} is no status table of gongkai extract: "
            f"it has no {missing[0]!r} column"
        )
    files = table("files", status)
    _require_one_run(cells, files, shown, files_path)
    checks = (
        table("checks", _read_table(checks_path))
        if Path(checks_path).exists()
        else records.empty_frame("checks")
    )
    return table("cells", cells), files, checks


def _require_one_run(cells: pd.DataFrame, files: pd.DataFrame, shown: str, files_path: str) -> None:
    """The cells and the status table beside them are of one run: the cells' reports are those
    the table says were read. `cells.csv` and `cells.parquet` share `cells.files.csv`, so a later
    run into the other name leaves the first output beside a table of other reports, which a
    summary would count as if they were its own (NotAnOutputError)."""
    read = set(files.loc[files["status"] != "failed", "source"])
    held = set(cells["source"])
    if read != held:
        odd = sorted(read ^ held)
        raise NotAnOutputError(
            f"{shown} and {sources.message_path(files_path)} beside it are not of one run: "
            f"{counted(len(odd), 'report')} in one and not the other, such as "
            f"{sources.message_path(odd[0])}; write them again with gongkai extract"
        )


def is_output(path: str) -> bool:
    """Whether `path` names the output of a batch (and not a report to read)."""
    return records.is_output_name(path) and Path(path).is_file()


def batch_frames(reports: Iterable) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The cells, per-file status and checks of reports (Report objects), failed ones included."""
    cells, files, checks = [], [], []
    for report in records.require_reports(reports):
        files.append(report.file_record())
        if len(report.cells):
            cells.append(report.cells)
        checks.append(report.checks_frame)
    return (
        pd.concat(cells, ignore_index=True) if cells else records.empty_frame("cells"),
        records.frame("files", files),
        pd.concat(checks, ignore_index=True) if checks else records.empty_frame("checks"),
    )


def summarize_reports(reports: Iterable) -> Summary:
    """The summary of reports as they are read (`iter_reports`), failed ones included."""
    return summarize(*batch_frames(reports))
