"""The pipeline end to end: one PDF in, one Report out.

    locate -> tables -> match -> values -> checks -> records

Each stage is a module of its own and passes plain data to the next.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from . import records
from .checks import CheckResult, Key, Reading, choose_by_arithmetic, run_checks
from .document import Document
from .errors import (
    OCR_MISSING,
    GongkaiError,
    NotAReportError,
    OcrUnavailableError,
    ScannedReportError,
    UnsupportedFormError,
)
from .forms import FORMS, Form, Row, Table
from .lattice import find_table_cells
from .layout import Char, Edge, text_lines
from .locate import Heading, Identity, find_headings, read_identity, table_pages, table_pages_settled
from .match import PlacedCell, Problem, TableReading, block_title, is_header_text, read_table
from .records import format_number
from .tables import Grid, assign_tables, page_grids
from .tables_text import text_grids
from .values import parse_value, spaced_digits
from .verify import verify_ocr_cells

if TYPE_CHECKING:
    from .sources.ocr import ScannedPage

OK, PARTIAL, FAILED = "ok", "partial", "failed"


@dataclass
class Report:
    """Everything read from one report file."""

    source: str
    status: str = FAILED
    reason: str = ""
    agency: str | None = None
    year: int | None = None
    form: str | None = None
    pages: int | None = None
    cells: pd.DataFrame = field(default_factory=lambda: records.empty_frame("cells"))
    checks: list[CheckResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    readings: list[TableReading] = field(default_factory=list, repr=False)  # the geometry, for inspection
    seconds: float = 0.0
    sha256: str = ""
    pages_ocr: int = 0  # pages read from their image by OCR
    ocr_counts: dict[str, int] = field(default_factory=dict)  # OCR-read values published, corrected, doubtful  # of the file's bytes, so that --resume knows what it has read

    @property
    def cells_found(self) -> int:
        return int((self.cells["page"].notna()).sum()) if len(self.cells) else 0

    @property
    def cells_expected(self) -> int:
        return len(self.cells)

    @property
    def checks_failed(self) -> int:
        return sum(1 for c in self.checks if c.status == "failed")

    def file_record(self) -> dict:
        return {
            "source": self.source,
            "status": self.status,
            "reason": self.reason,
            "agency": self.agency,
            "year": self.year,
            "form": self.form,
            "pages": self.pages,
            "pages_ocr": self.pages_ocr,
            "cells_found": self.cells_found if self.form else None,
            "cells_expected": self.cells_expected if self.form else None,
            "checks_failed": self.checks_failed if self.form else None,
            "seconds": round(self.seconds, 3),
            "sha256": self.sha256,
        }

    @property
    def checks_frame(self) -> pd.DataFrame:
        return records.frame("checks", (c.record(self.source) for c in self.checks))


def _expected_rows(table: Table, printed: set[str]) -> list[Row]:
    """The form's rows, with a group's single printed row standing in for its sub-rows (hybrids)."""
    rows = list(table.rows)
    for alternative in table.alternative_rows:
        if alternative.id in printed:
            group_rows = [r for r in rows if r.group == alternative.id]
            if group_rows and not any(r.id in printed for r in group_rows):
                at = rows.index(group_rows[0])
                rows = [r for r in rows if r.group != alternative.id]
                rows.insert(at, alternative)
    return rows


def _readings(form: Form, grids: list[Grid], headings: list[Heading]) -> dict[str, TableReading]:
    return {run.table.id: read_table(run) for run in assign_tables(grids, form, headings)}


def _evidence(reading: TableReading | None) -> float:
    """How much of a table a form version explains: cells placed plus the quality of the row matches."""
    return len(reading.cells) + sum(reading.label_scores) if reading is not None else 0.0


@dataclass(frozen=True)
class _TableChoice:
    version: str
    table: Table
    reading: TableReading | None


def choose_versions(candidates: dict[str, dict[str, TableReading]]) -> tuple[str, list[_TableChoice]]:
    """The report's form version, and for each table the version whose labels it was printed with.

    The version is read off the tables themselves (the labels of table 二, the
    sub-rows under （六）), never off the year. A hybrid keeps, per table, the
    version that explains it best; ties go to the report's own version.
    """

    def weight(version: str) -> tuple[float, float, bool]:
        # Table 三 decides (its （六） sub-rows); a tie there (（六） printed as one row) goes to
        # table 二's labels; a tie there too goes to the current form.
        readings = candidates[version]
        return (
            round(_evidence(readings.get("applications")), 3),
            round(_evidence(readings.get("active_disclosure")), 3),
            version == "2021",
        )

    report_version = max(candidates, key=weight)
    choices = []
    for table in FORMS[report_version].tables:
        version = max(candidates, key=lambda v: (_evidence(candidates[v].get(table.id)), v == report_version))
        reading = candidates[version].get(table.id)
        choices.append(_TableChoice(version, FORMS[version].table(table.id), reading))
    return report_version, choices


def _why(what: str, reading: TableReading | None, kind: str) -> str:
    """'row not found (row label unmatched: …)': the reader's own account of a miss."""
    problems = list(dict.fromkeys(p.message for p in (reading.problems if reading else []) if p.kind == kind))
    return what + (f" ({'; '.join(problems[:3])})" if problems else "")


def _cell_records(report: Report, choices: list[_TableChoice]) -> tuple[list[dict], list[str]]:
    """One record per cell of the form, placed or not; and the reasons for what is missing."""
    out: list[dict] = []
    gaps: list[str] = []
    for choice in choices:
        table, reading = choice.table, choice.reading
        if choice.version != report.form:
            gaps.append(f"hybrid: table {table.numeral} printed in the {choice.version} layout")
        placed: dict[tuple[str, str], list[PlacedCell]] = {}
        for cell in reading.cells if reading else []:
            placed.setdefault((cell.row, cell.column), []).append(cell)
        printed = set(reading.printed_rows) if reading else set()
        why_missing = {kind: _why(f"{kind} not found", reading, kind) for kind in ("row", "column")}
        for row in _expected_rows(table, printed):
            block = table.block_of(row.id) if row in table.rows else table.blocks[0]
            for column in block.columns:
                found = placed.get((row.id, column.id), [])
                record = {
                    "source": report.source,
                    "agency": report.agency,
                    "year": report.year,
                    "form": choice.version,
                    "table": table.id,
                    "row": row.label,
                    "row_id": row.id,
                    "column": column.name,
                    "column_id": column.id,
                    "value": None,
                    "page": None,
                    "raw": None,
                    "note": "",
                }
                if len(found) == 1:
                    parsed = parse_value(found[0].raw, column.kind)
                    record.update(value=parsed.value, page=found[0].page, raw=found[0].raw, note=parsed.note)
                elif len(found) > 1:
                    pages = ", ".join(str(c.page) for c in found)
                    record["note"] = f"row printed more than once (pages {pages}); left empty"
                    gaps.append(f"{table.id}/{row.id} printed more than once")
                elif reading is None:
                    record["note"] = f"table {table.numeral} not found"
                else:
                    record["note"] = why_missing["column" if row.id in printed else "row"]
                out.append(record)
        if reading is None:
            gaps.append(f"table {table.numeral} not found")
    return out, gaps


def _ambiguous_readings(cells: pd.DataFrame) -> dict[Key, list[Reading]]:
    """Ways to read cells such as '1 2': one number with a stray space, or two numbers of which
    one strayed from an empty neighbouring cell."""
    out: dict[Key, list[Reading]] = {}
    keys = list(zip(*(cells[c].tolist() for c in ("table", "row_id", "column_id")), strict=True))
    raws = [None if pd.isna(r) else str(r) for r in cells["raw"].tolist()]
    names = cells["column"].tolist()
    for i, raw in enumerate(raws):
        parts = spaced_digits(raw) if raw else None
        if not parts:
            continue
        joined = float("".join(parts))
        readings = [Reading({keys[i]: joined}, f"read {raw!r} as {format_number(joined)}")]
        if len(parts) == 2:
            first, second = float(parts[0]), float(parts[1])
            for j, here, there in ((i + 1, first, second), (i - 1, second, first)):
                same_row = 0 <= j < len(keys) and keys[j][:2] == keys[i][:2]
                if same_row and not raws[j]:
                    shown = f"{format_number(here)} here and {format_number(there)} under {names[j]}"
                    description = f"read {raw!r} as {shown}"
                    readings.append(Reading({keys[i]: here, keys[j]: there}, description))
        out[keys[i]] = readings
    return out


def _ocr():
    """The OCR source, imported on the first scanned page: a report without one never loads it."""
    try:
        from .sources import ocr
    except ImportError:  # OpenCV or rapidocr missing: the extra is not installed
        raise OcrUnavailableError(OCR_MISSING) from None
    return ocr


def read_report(path: str | os.PathLike[str]) -> Report:
    """Read one report PDF. Raises a GongkaiError subclass when the file cannot be read at all."""
    started = time.perf_counter()
    report = Report(source=str(path))
    with Document(path) as document:
        report.pages = document.page_count
        # Pages are read in order, each loaded once for its characters and rules, until the
        # headings show where the tables end (section 五): the pages after that (the prose
        # of sections 五 and 六) are never loaded. Page 1 gives the title. Only the pages
        # between the headings of sections 二 and 五 have their rules turned into tables.
        pages: dict[int, tuple[list[Char], list[Edge]]] = {}
        scanned: dict[int, ScannedPage] = {}
        headings: list[Heading] = []
        for number in range(1, document.page_count + 1):
            pages[number] = document.page(number)
            if number in document.scanned_pages:
                scanned[number] = _ocr().read_page(number, document.render(number, _ocr().OCR_DPI))
                pages[number] = (scanned[number].chars, scanned[number].edges)
            page_lines = text_lines(pages[number][0])
            if number == 1:
                identity: Identity = read_identity(page_lines, document.metadata_title, Path(path))
            headings += find_headings(number, page_lines)
            if table_pages_settled(headings):
                break
        report.agency, report.year = identity.agency, identity.year
        chars = {n: page_chars for n, (page_chars, _) in pages.items()}
        grids: list[Grid] = []
        for number in table_pages(headings, document.page_count):
            ruled = page_grids(number, find_table_cells(pages[number][1]), chars[number])
            loose = text_grids(number, chars[number], ruled, headings, is_header_text, block_title)
            grids += sorted([*ruled, *loose], key=lambda g: g.bbox[1])
    report.pages_ocr = len(scanned)
    if not any(chars.values()):
        raise ScannedReportError("no text layer, and no page is an image to read by OCR")
    candidates = {version: _readings(form, grids, headings) for version, form in FORMS.items()}
    version, choices = choose_versions(candidates)
    if not any(c.reading is not None and c.reading.cells for c in choices):
        if report.year is not None and report.year < 2019:
            raise UnsupportedFormError("unsupported form (pre-2019 free-form report)")
        raise NotAReportError("no table of the standard form found")
    report.form = version
    cell_records, gaps = _cell_records(report, choices)
    cells = records.frame("cells", cell_records)
    cells = choose_by_arithmetic(FORMS[version], cells, _ambiguous_readings(cells))
    if scanned:
        placed = {
            (cell.table, cell.row, cell.column): cell
            for choice in choices
            if choice.reading is not None
            for cell in choice.reading.cells
        }
        cells, report.ocr_counts = verify_ocr_cells(FORMS[version], cells, placed, scanned, _ocr().second_reading)
    report.cells = cells
    report.readings = [c.reading for c in choices if c.reading is not None]
    report.problems = [p for r in report.readings for p in r.problems]
    report.checks = run_checks(FORMS[version], report.cells)
    _set_status(report, gaps)
    report.seconds = time.perf_counter() - started
    return report


def _set_status(report: Report, gaps: list[str]) -> None:
    cells = report.cells
    missing = int(cells["page"].isna().sum())
    unreadable = int(
        (cells["page"].notna() & cells["value"].isna() & cells["note"].str.startswith("text")).sum()
    )
    blank = int((cells["note"] == "blank cell").sum())
    reasons = list(dict.fromkeys(gaps))
    if missing:
        reasons.append(f"{missing} of {len(cells)} cells not found")
    if unreadable:
        reasons.append(f"{unreadable} cells hold text instead of a number")
    reasons += [p.message for p in report.problems][:3]
    counts = report.ocr_counts
    if report.pages_ocr:
        reasons.insert(0, f"{report.pages_ocr} of {report.pages} pages read by OCR")
    if counts.get("doubtful"):
        reasons.append(f"{counts['doubtful']} values read from images left empty as doubtful (ocr_doubtful)")
    if counts.get("corrected"):
        reasons.append(f"{counts['corrected']} values read from images settled by the arithmetic")
    report.status = PARTIAL if (missing or unreadable or counts.get("doubtful")) else OK
    if blank:
        reasons.append(f"{blank} blank cells left empty")
    report.reason = "; ".join(dict.fromkeys(reasons))


def read_report_safely(path: str | os.PathLike[str]) -> Report:
    """Like read_report, but a file that cannot be read gives a failed Report instead of an exception."""
    started = time.perf_counter()
    try:
        return read_report(path)
    except GongkaiError as error:
        return Report(
            source=str(path), status=FAILED, reason=str(error), seconds=time.perf_counter() - started
        )
    except Exception as error:  # a batch must survive any broken file; the reason names the failure
        reason = f"internal error while reading ({type(error).__name__}: {error})"
        return Report(source=str(path), status=FAILED, reason=reason, seconds=time.perf_counter() - started)
