"""The pipeline end to end: one report file in, one Report out.

    sources -> locate -> grids -> assign -> match -> versions -> values -> checks -> output

Each stage is a module (or package) of its own and passes `model` types to the
next; this module only wires them together. A PDF's pages go through locate and
the grid engines; a web page or a Word file hands over its tables as grids and its
title and headings as text (sources/), and from `assign` on every kind is the same.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING

from . import pool, sources
from .agency import agency_key
from .checks import CheckResult, ambiguous_readings, choose_by_arithmetic, run_checks
from .errors import (
    GongkaiError,
    NotAReportError,
    ScannedReportError,
    UnreadableFileError,
    UnsupportedFormError,
    require_count,
)
from .forms import FIRST_FORM_YEAR, FORMS
from .grids import page_grids
from .grids.ruled import ruled_table_cells
from .locate import find_headings, identity_from_titles, read_identity, table_pages, table_pages_settled
from .model import (
    UNREADABLE_CODES,
    CellRecord,
    Char,
    CheckStatus,
    Grid,
    Heading,
    Identity,
    Key,
    NoteCode,
    Page,
    PlacedCell,
    Problem,
    Status,
    TableGeometry,
)
from .numbers import counted, digits_of
from .output import records
from .settings import DEFAULT
from .sources.chars import text_lines
from .values import cell_records
from .versions import TableChoice, choose_versions, read_every_version
from .witness.settle import FORM, settle

if TYPE_CHECKING:  # the OCR source imports OpenCV: only a report with scanned pages loads it
    from concurrent.futures import Future, ThreadPoolExecutor

    import pandas as pd

    from .forms import Row, Table
    from .sources import ScannedPage
    from .witness.form import WitnessCell


@dataclass
class Report:
    """Everything read from one report file."""

    source: str
    kind: str = "pdf"  # what the file's content is: pdf, html or docx
    status: Status = Status.FAILED
    reason: str = ""
    agency: str | None = None
    year: int | None = None
    form: str | None = None
    pages: int | None = None
    records: list[CellRecord] = field(default_factory=list, repr=False)
    checks: list[CheckResult] = field(default_factory=list, repr=False)
    problems: list[Problem] = field(default_factory=list, repr=False)
    geometry: list[TableGeometry] = field(default_factory=list, repr=False)  # for `review` only
    seconds: float = 0.0
    # What the form-driven reading did: tables read, cells confirmed, cells filled, conflicts
    witness_counts: dict[str, int] = field(default_factory=dict, repr=False)
    sha256: str = ""  # of the file's bytes, so that --resume knows what it has read
    pages_ocr: int = 0  # pages read from their image by OCR
    text_layers_ignored: list[str] = field(default_factory=list)  # e.g. a scanner's invisible OCR layer
    ocr_counts: dict[str, int] = field(default_factory=dict, repr=False)  # OCR-read values, by outcome

    def __post_init__(self) -> None:
        # A name of bytes that are not UTF-8 is no text an output can hold: `source` shows them escaped.
        self.source = sources.path_text(self.source)

    def __repr__(self) -> str:
        identity = f"{self.agency or '?'} {self.year or '?'}, form {self.form or '?'}"
        found = f"{self.cells_found}/{self.cells_expected} cells" if self.form else self.reason
        return f"<Report {self.source!r}: {self.status}, {identity}, {found}>"

    @cached_property
    def cells(self) -> pd.DataFrame:
        """One row per cell of the form, in the columns of the output contract."""
        return records.cells_frame(self.records)

    @property
    def cells_found(self) -> int:
        return sum(1 for cell in self.records if _found(cell))

    @property
    def cells_expected(self) -> int:
        return len(self.records)

    @property
    def checks_failed(self) -> int:
        return sum(1 for c in self.checks if c.status == CheckStatus.FAILED)

    def file_record(self) -> dict:
        return {
            "source": self.source,
            "status": str(self.status),
            "reason": self.reason,
            "agency": self.agency,
            "agency_key": agency_key(self.agency),
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


class _PageReader:
    """The pages of a page source in order, scanned ones read by OCR up to `threads` at a time.

    While a scanned page is read, the pages after it are started too, each in a thread of its
    own (onnxruntime and OpenCV let go of the GIL while they work). PDFium is not thread-safe:
    every call into the source is made here, in the caller's thread, and only page images go to
    the threads. Pages are started ahead of a scanned page only: a report without scans loads
    its pages one by one, as it is asked for them. Closing cancels the pages not yet started and waits for the
    ones being read, so that no thread outlives the report.
    """

    def __init__(self, source: sources.Source, threads: int):
        self._source = source
        self._threads = max(1, threads)
        self._executor: ThreadPoolExecutor | None = None  # started with the first scanned page
        self._started: dict[int, tuple[Page, Future[ScannedPage] | None]] = {}

    def read(self, number: int) -> tuple[Page, ScannedPage | None]:
        """Page `number`, with what OCR read from it if it is a scan."""
        page, scan = self._start(number)
        if scan is not None:
            for ahead in range(number + 1, min(number + self._threads, self._source.page_count + 1)):
                self._start(ahead)
        del self._started[number]
        if scan is None:
            return page, None
        scanned = scan.result()
        return Page(number, scanned.chars, scanned.edges, page.scanned), scanned

    def _start(self, number: int) -> tuple[Page, Future[ScannedPage] | None]:
        if number not in self._started:
            page = self._source.page(number)
            scan = None
            if page.scanned:
                dpi = DEFAULT.scan.dpi
                image = self._source.render(number, dpi)
                read = partial(sources.ocr_source().read_page, number, image, dpi, ruled_table_cells)
                scan = self._submit(read)
            self._started[number] = page, scan
        return self._started[number]

    def _submit(self, read: Callable[[], ScannedPage]) -> Future[ScannedPage]:
        # Here, not at the top: a report without scans never needs threads.
        from concurrent.futures import Future, ThreadPoolExecutor

        if self._threads == 1:
            scan = Future()
            scan.set_result(read())
            return scan
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._threads)
        return self._executor.submit(read)

    def close(self, abandon: bool = False) -> None:
        # Stopped early (Ctrl-C, an error), the pages being read are abandoned: each takes seconds.
        if self._executor is not None:
            self._executor.shutdown(wait=not abandon, cancel_futures=True)


def page_threads(cores: int) -> int:
    """How many scanned pages of one report are read at once on `cores` cores."""
    return max(1, min(cores, DEFAULT.ocr.max_page_threads))


def _read_pages(
    path: str | os.PathLike[str], report: Report, threads: int
) -> tuple[Identity, list[Grid], list[Heading], dict[int, list[Char]], dict[int, ScannedPage]]:
    """A page source (PDF): identity, the grids of the table pages, the section headings, the
    characters of each page read (for the form reading), and the pages read by OCR."""
    with sources.open_source(path, report.kind) as source:
        report.pages = source.page_count
        # Pages are read in order, each loaded once, until the headings show where the tables
        # end (section 五): the prose after that is never loaded. Page 1 gives the title. Only
        # the pages between the headings of sections 二 and 五 are searched for tables.
        pages, headings, scanned = {}, [], {}
        reader = _PageReader(source, threads)
        try:
            for number in range(1, source.page_count + 1):
                pages[number], scanned_page = reader.read(number)
                if scanned_page is not None:
                    scanned[number] = scanned_page
                    report.pages_ocr = len(scanned)  # so far: a later failure still says them
                lines = text_lines(pages[number].chars)
                if number == 1:
                    identity = read_identity(lines, source.metadata_title, source.path)
                headings += find_headings(number, lines)
                if table_pages_settled(headings):
                    break
        except BaseException:
            reader.close(abandon=True)
            raise
        reader.close()
    report.text_layers_ignored = sorted({p.scanned for p in pages.values() if p.scanned} - {"no text layer"})
    if not any(page.chars for page in pages.values()):
        if scanned:  # the reason goes on to say how many pages were read by OCR
            raise ScannedReportError("no text layer, and OCR found no text in the page images")
        raise ScannedReportError("no text layer, and no page is an image to read by OCR")
    grids = [grid for n in table_pages(headings, report.pages) for grid in page_grids(pages[n], headings)]
    return identity, grids, headings, {number: page.chars for number, page in pages.items()}, scanned


def _locate_markup_cells(cells: list[CellRecord], choices: list[TableChoice]) -> None:
    """A web page or Word file has no pages: `page` stays empty and `location` says where the
    cell is, as the table's ordinal in the document and the row within that table (both from 1)."""
    rows = {}
    for choice in choices:
        if choice.candidate is not None:
            for row_id, table_number, label_box in choice.candidate.geometry.row_labels:
                rows.setdefault((choice.table.id, row_id), (table_number, int(label_box[1]) + 1))
    for cell in cells:
        if cell.page is None:
            continue
        table_number, row = rows.get((cell.table, cell.row_id), (cell.page, None))
        where = f"table {table_number}" + (f", row {row}" if row is not None else "")
        cell.page, cell.location = None, where


def read_report(path: str | os.PathLike[str], kind: str = "auto", threads: int | None = None) -> Report:
    """Read one report: a PDF, a web page or a Word file, told apart by content.

    `kind` ("pdf", "html", "docx" or "auto") restricts what is read: a file of another
    kind raises UnreadableFileError. `threads` is how many scanned pages are read by OCR at
    once: by default one per core this process may use (at most `max_page_threads`); another
    count than a whole number of at least 1 raises InvalidOptionError. Raises a GongkaiError
    subclass when the file cannot be read at all (`gongkai.read_report`, `batch.read_report`,
    first refuses a file a run of extract writes).
    """
    report = _new_report(path, kind, threads)
    _read_into(report, path, kind, threads)
    return report


def _new_report(path: str | os.PathLike[str], kind: str, threads: int | None) -> Report:
    """The empty Report that `path` is read into, once `kind` and `threads` are known to be usable."""
    sources.check_kind(kind)
    if threads is not None:
        require_count("threads", threads)
    return Report(source=sources.check_path(path))


def _read_into(report: Report, path: str | os.PathLike[str], kind: str, threads: int | None) -> None:
    """Read `path` into `report` (see read_report). What was learnt before a failure stays in
    it: the pages, and those read by OCR."""
    started = time.perf_counter()
    report.kind, legacy = sources.input_kind(path)
    if kind != "auto" and report.kind != kind:
        raise UnreadableFileError(
            f"the file is {sources.describe(report.kind)}, "
            f"not {sources.describe(kind)} as the input kind asks"
        )
    notes = [note] if (note := sources.kind_mismatch(path, report.kind)) else []
    attachments: list[str] = []
    not_a_report = ""  # why a document says it is no report (a server's error page saved)
    chars: dict[int, list[Char]] = {}  # of the pages read; none in markup, which the form reading skips
    if report.kind in sources.SOURCES:
        threads = page_threads(pool.usable_cores()) if threads is None else threads
        identity, grids, headings, chars, scanned = _read_pages(path, report, threads)
    else:
        scanned = {}
        document = sources.read_markup(path, report.kind, legacy)
        identity = identity_from_titles(document.titles, Path(path))
        headings = [h for page, line in document.lines for h in find_headings(page, [line])]
        grids, attachments, not_a_report = document.grids, document.attachments, document.not_a_report
    report.agency, report.year = identity.agency, identity.year
    version, choices = choose_versions(read_every_version(grids, headings))
    if not any(c.reading is not None and c.reading.cells for c in choices):
        if not_a_report:  # its links and its year are the site's error page's
            raise NotAReportError("; ".join([*notes, not_a_report]))
        if attachments:
            raise NotAReportError(
                "no table of the standard form on the page, which links to the report as an attachment: "
                + ", ".join(attachments[:3])
            )
        if report.year is not None and report.year < FIRST_FORM_YEAR:
            raise UnsupportedFormError(f"unsupported form (pre-{FIRST_FORM_YEAR} free-form report)")
        raise NotAReportError("; ".join([*notes, "no table of the standard form found"]))
    report.form = version
    cells, gaps = cell_records(report.source, identity, version, choices)
    witnessed: dict[Key, WitnessCell] = {}  # what the form reading saw, of the tables it read

    def read_by_form(table: Table, rows: Sequence[Row]) -> dict[Key, WitnessCell]:
        witness = _read_by_form(table, rows, chars, headings)
        witnessed.update(witness)
        return witness

    report.witness_counts = settle(FORMS[version], cells, read_by_form)
    if report.kind not in sources.SOURCES:
        _locate_markup_cells(cells, choices)
    cells = choose_by_arithmetic(FORMS[version], cells, ambiguous_readings(cells))
    if scanned:
        placed = _placed_once(choices)
        from .verify import verify_ocr_cells  # only values read by OCR are verified

        sources.ocr_source().attach_words(scanned, [(spot.page, spot.bbox) for spot in placed.values()])
        printed = {
            (s.table, s.row, s.column) for c in choices if c.reading is not None for s in c.reading.cells
        }
        placed |= _placed_by_form(cells, witnessed, scanned, placed, printed)
        cells, report.ocr_counts = verify_ocr_cells(
            FORMS[version], cells, placed, scanned, sources.ocr_source().second_readings
        )
    report.records = cells
    report.geometry = [c.candidate.geometry for c in choices if c.candidate is not None]
    report.problems = [p for c in choices if c.reading is not None for p in c.reading.problems]
    report.checks = run_checks(FORMS[version], report.records)
    report.status, report.reason = _status(report, [*notes, *gaps])
    report.seconds = time.perf_counter() - started


def _read_by_form(
    table: Table,
    rows: Sequence[Row],
    chars: dict[int, list[Char]],
    headings: list[Heading],
) -> dict[Key, WitnessCell]:
    """The form witness's reading of a doubtful table. Imported here, on the first doubtful
    table, so that a clean report's start-up does not pay for it (about 3 ms)."""
    from .witness import form as form_witness

    return form_witness.read_table(table, rows, chars, headings)


def _placed_once(choices: Sequence[TableChoice]) -> dict[Key, PlacedCell]:
    """Each cell of the form placed on the page, by its key, where it was placed once: a row
    printed more than once is left empty (`values.cell_records`), and no one of its printings is
    the cell's reading to verify, to fill it from or to check its neighbours by."""
    spots = [cell for choice in choices if choice.reading is not None for cell in choice.reading.cells]
    times = Counter((spot.table, spot.row, spot.column) for spot in spots)
    return {key: spot for spot in spots if times[key := (spot.table, spot.row, spot.column)] == 1}


def _placed_by_form(
    cells: Sequence[CellRecord],
    witnessed: dict[Key, WitnessCell],
    scanned: dict[int, ScannedPage],
    placed: dict[Key, PlacedCell],
    printed: set[Key],
) -> dict[Key, PlacedCell]:
    """The cells the form reading filled on a scanned page where the grid placed none (`printed`:
    every cell it placed; `placed`: those it placed once, their words attached), placed where the
    form reading saw their words and given the number read alone there (`ocr.attach_words`): a
    table without rules, its part overleaf that the grid did not place. Each is then verified as
    a grid's cell is, by its own reading and its line's, not by the rules alone. Only where that
    number reads as the form reading's word, and is no other cell's reading too."""
    taken = {
        (spot.page, cell.box)
        for spot in placed.values()
        if spot.page in scanned and (cell := scanned[spot.page].cells.get(spot.bbox)) is not None
    }
    spots = {}
    for record in cells:
        seen = witnessed.get(record.key)
        if (
            record.read_by == FORM
            and record.key not in printed
            and seen is not None
            and seen.bbox is not None
            and (seen.page, seen.raw) == (record.page, record.raw)
            and seen.page in scanned
        ):
            spots[record.key] = PlacedCell(
                record.table, record.row_id, record.column_id, seen.raw, seen.page, seen.bbox
            )
    sources.ocr_source().attach_words(scanned, [(spot.page, spot.bbox) for spot in spots.values()])
    read = {key: scanned[spot.page].cells.get(spot.bbox) for key, spot in spots.items()}
    words = Counter((spot.page, cell.box) for key, spot in spots.items() if (cell := read[key]) is not None)
    return {
        key: spot
        for key, spot in spots.items()
        if (cell := read[key]) is not None
        and digits_of(cell.free) == digits_of(spot.raw)
        and (spot.page, cell.box) not in taken
        and words[spot.page, cell.box] == 1
    }


def _found(cell: CellRecord) -> bool:
    """Whether the cell was found printed: on a page, or (web pages, Word files) with its text."""
    return cell.page is not None or cell.raw is not None


def _status(report: Report, gaps: list[str]) -> tuple[Status, str]:
    """Partial when a cell was not found or holds no readable number; the reasons in plain words."""
    missing = sum(1 for cell in report.records if not _found(cell))
    unreadable = Counter(
        cell.note_code
        for cell in report.records
        if _found(cell) and cell.value is None and cell.note_code in UNREADABLE_CODES
    )
    blank = sum(1 for cell in report.records if cell.note_code is NoteCode.BLANK)
    reasons = [*dict.fromkeys(gaps), *_ocr_reasons(report)]
    if missing:
        reasons.append(f"{missing} of {len(report.records)} cells not found")
    if unreadable[NoteCode.TEXT_IN_NUMBER_CELL]:
        reasons.append(
            counted(unreadable[NoteCode.TEXT_IN_NUMBER_CELL], "cell holds", "cells hold")
            + " text instead of a number"
        )
    if unreadable[NoteCode.OCR_DOUBTFUL]:
        reasons.append(
            counted(unreadable[NoteCode.OCR_DOUBTFUL], "value") + " read from images left empty as doubtful"
        )
    if corrected := report.ocr_counts.get("corrected"):
        reasons.append(counted(corrected, "value") + " read from images settled by the arithmetic")
    shown = (NoteCode.TEXT_IN_NUMBER_CELL, NoteCode.OCR_DOUBTFUL)
    if doubtful := unreadable.total() - sum(unreadable[code] for code in shown):
        reasons.append(
            counted(doubtful, "cell holds", "cells hold") + " a number that cannot be taken as printed"
        )
    reasons += [p.message for p in report.problems][:3]
    if blank:
        reasons.append(counted(blank, "blank cell") + " left empty")
    return (Status.PARTIAL if missing or unreadable else Status.OK), "; ".join(dict.fromkeys(reasons))


def _ocr_reasons(report: Report) -> list[str]:
    """What the reason of a report with scanned pages says of them, whatever its status:
    `3 of 5 pages read by OCR`, and each text layer ignored."""
    if not report.pages_ocr:
        return []
    return [
        f"{report.pages_ocr} of {counted(report.pages, 'page')} read by OCR",
        *(f"{why} ignored" for why in report.text_layers_ignored),
    ]


def read_report_safely(
    path: str | os.PathLike[str], kind: str = "auto", threads: int | None = None
) -> Report:
    """Like read_report, but a file that cannot be read gives a failed Report instead of an
    exception; it keeps what was learnt before the failure (its pages, and those read by OCR,
    which its reason says as a partial report's does)."""
    started = time.perf_counter()
    report = None
    try:
        report = _new_report(path, kind, threads)
        _read_into(report, path, kind, threads)
        return report
    except GongkaiError as error:
        reason = str(error)
    except Exception as error:  # a batch must survive any broken file; the reason names the failure
        reason = f"internal error while reading ({type(error).__name__}: {error})"
    failed = Report(source=str(path), seconds=time.perf_counter() - started)
    if report is not None:
        failed.kind, failed.pages, failed.pages_ocr = report.kind, report.pages, report.pages_ocr
        failed.text_layers_ignored = report.text_layers_ignored
    failed.reason = "; ".join([reason, *_ocr_reasons(failed)])
    return failed
