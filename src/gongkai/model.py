"""The types that cross stages, in pipeline order.

Each stage takes some of these and hands on others; none of them knows which
engine or input kind produced it. Positions are in points from the page's
top-left corner.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, field
from enum import StrEnum
from typing import NamedTuple

from .forms import Table
from .readings import OcrReading, Why
from .settings import DEFAULT

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom

_ANCHOR = DEFAULT.chars.anchor_fraction


# ---------------------------------------------------------------------------
# Sources: what a page holds
# ---------------------------------------------------------------------------


class Edge(NamedTuple):
    """A straight ruling line, axis-aligned."""

    orientation: str  # "h" or "v"
    x0: float
    top: float
    x1: float
    bottom: float
    length: float  # a horizontal rule's width or a vertical rule's height, as pdfplumber keeps it

    @property
    def bbox(self) -> BBox:
        return self.x0, self.top, self.x1, self.bottom


class Char(NamedTuple):
    """One printed character, its box and its font size.

    A named tuple rather than a dataclass: pages hold thousands, and a tuple is
    built several times faster.
    """

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float

    @property
    def x_mid(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def x_anchor(self) -> float:
        """Where a character belongs horizontally: a glyph that overflows a cell border
        (a trailing 、 squeezed past the rule) still starts inside its own cell."""
        return self.x0 + _ANCHOR * (self.x1 - self.x0)

    def centred_in(self, bbox: BBox) -> bool:
        """Whether the character's middle lies inside the box (x0, top, x1, bottom)."""
        # x_mid and y_mid spelled out: this runs for every character against every table box.
        x_mid, y_mid = (self.x0 + self.x1) / 2, (self.top + self.bottom) / 2
        return bbox[0] <= x_mid <= bbox[2] and bbox[1] <= y_mid <= bbox[3]

    @property
    def y_mid(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True, slots=True)
class TextLine:
    """A line of text on a page, with its box and font size."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float


@dataclass(frozen=True, slots=True)
class Word:
    """A run of characters on one line without a wide gap: one cell's worth of text on that line."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    chars: tuple[Char, ...]


@dataclass(frozen=True)
class Page:
    """One page as a source hands it on: its characters (fake-bold doubles removed) and its rules."""

    number: int  # 1-based
    chars: list[Char]
    edges: list[Edge]
    # Why the page is a scan to read by OCR ("no text layer", "invisible text layer (a scanner's
    # OCR)", "text without Unicode"); empty for a page whose text is its own.
    scanned: str = ""


# ---------------------------------------------------------------------------
# Locate: who reports, and where the sections are
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """A numbered section heading (二、...) and where it is printed."""

    numeral: str
    text: str
    page: int
    top: float


@dataclass(frozen=True)
class Identity:
    """Who published a report and for which year, and where that was read."""

    agency: str | None
    year: int | None
    source: str  # where it came from: title, metadata, filename, or none


# ---------------------------------------------------------------------------
# Grid engines: tables as rows and columns of cells
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GridCell:
    """A cell of a grid, merged cells rebuilt: the grid rows and columns it spans."""

    text: str
    row0: int  # first grid row covered
    row1: int  # one past the last
    col0: int
    col1: int
    bbox: BBox


@dataclass
class Grid:
    """One table (or piece of one) on one page, with merged cells rebuilt."""

    page: int
    bbox: BBox
    col_edges: list[float]
    row_edges: list[float]
    cells: list[GridCell]
    ruled: bool = True  # False when rebuilt from text positions
    _cover: list[list[GridCell | None]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._cover = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row0, cell.row1):
                for c in range(cell.col0, cell.col1):
                    self._cover[r][c] = cell

    @property
    def n_rows(self) -> int:
        return len(self.row_edges) - 1

    @property
    def n_cols(self) -> int:
        return len(self.col_edges) - 1

    def at(self, row: int, col: int) -> GridCell | None:
        """The cell covering grid position (row, col), merged or not."""
        return self._cover[row][col]

    def row_cells(self, row: int) -> list[GridCell]:
        """The distinct cells covering a grid row, left to right."""
        seen: list[GridCell] = []
        for cell in self._cover[row]:
            if cell is not None and (not seen or seen[-1] is not cell):
                seen.append(cell)
        return seen

    def col_center(self, col: int) -> float:
        return (self.col_edges[col] + self.col_edges[col + 1]) / 2


@dataclass
class TableRun:
    """The pieces of one form table in reading order; usually one grid per page."""

    table: Table
    grids: list[Grid]


# ---------------------------------------------------------------------------
# Match: printed cells placed on the form
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlacedCell:
    """A printed cell placed on the form."""

    table: str
    row: str
    column: str
    raw: str
    page: int
    bbox: BBox | None = None  # where the cell is printed: a scanned cell's readings are looked up by it


class ProblemKind(StrEnum):
    ROW = "row"  # a printed row not placed
    COLUMN = "column"  # a printed column not placed


@dataclass(frozen=True)
class Problem:
    """Something the matcher could not place, and why."""

    table: str
    page: int
    message: str
    kind: ProblemKind


@dataclass
class TableReading:
    """What the matcher made of one table: placed cells, problems, and the rows as printed."""

    table: Table
    cells: list[PlacedCell] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    printed_rows: list[str] = field(default_factory=list)  # matched row ids, in print order
    row_scores: list[float] = field(default_factory=list)  # how well each printed row's label matched
    # (row, column) -> why: cells under one printed number that several rows share
    shared: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class TableGeometry:
    """Where one table was found on the pages: for `review`, never for the records."""

    grids: list[Grid] = field(default_factory=list)
    row_labels: list[tuple[str, int, BBox]] = field(default_factory=list)  # row id, page, label box
    # row id, column id, page, cell box
    value_boxes: list[tuple[str, str, int, BBox]] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Values, checks and records
# ---------------------------------------------------------------------------


class NoteCode(StrEnum):
    """Why a cell's value is empty or was qualified: the stable code beside the plain-words `note`."""

    BLANK = "blank"
    NOT_APPLICABLE = "not_applicable"
    ANNOTATED = "annotated"
    CONVERTED_UNIT = "converted_unit"
    UNIT_DROPPED = "unit_dropped"
    TEXT_IN_NUMBER_CELL = "text_in_number_cell"
    NEGATIVE_COUNT = "negative_count"
    DECIMAL_COUNT = "decimal_count"
    AMBIGUOUS_DIGITS = "ambiguous_digits"
    SETTLED_BY_RULE = "settled_by_rule"
    ROW_NOT_FOUND = "row_not_found"
    COLUMN_NOT_FOUND = "column_not_found"
    TABLE_NOT_FOUND = "table_not_found"
    DUPLICATE_ROW = "duplicate_row"
    CONFLICT = "conflict"
    SHARED_CELL = "shared_cell"
    OCR_DOUBTFUL = "ocr_doubtful"
    OCR_CORRECTED_BY_RULE = "ocr_corrected_by_rule"


# Codes of a cell that is printed but gives no value: they make a report partial.
UNREADABLE_CODES = frozenset(
    {
        NoteCode.TEXT_IN_NUMBER_CELL,
        NoteCode.NEGATIVE_COUNT,
        NoteCode.DECIMAL_COUNT,
        NoteCode.AMBIGUOUS_DIGITS,
        NoteCode.CONFLICT,
        NoteCode.OCR_DOUBTFUL,
    }
)


class Status(StrEnum):
    """A report's status: every cell found and read, some missing or unreadable, or nothing read."""

    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"


class CheckStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_EVALUATED = "not evaluated"


Key = tuple[str, str, str]  # table, row_id, column_id


def cell_name(key: Key) -> str:
    """A cell as the checks name it: table/row_id/column_id."""
    return "/".join(key)


def cell_key(name: str) -> Key:
    """The cell a check's name stands for (`cell_name` reversed)."""
    table, row_id, column_id = name.split("/")
    return table, row_id, column_id


# The metadata key of a CellRecord field held in another field's column, not a column of its own.
IN_COLUMN = "in_column"


@dataclass(slots=True)
class CellRecord:
    """One cell of the form as the output contract has it (see the README)."""

    source: str
    agency: str | None
    year: int | None
    form: str
    table: str
    row: str
    row_id: str
    column: str
    column_id: str
    _: KW_ONLY  # what was read is named, so that a new column cannot shift the others
    value: float | None = None
    page: int | None = None
    location: str | None = None  # where a web page or Word file prints it: "table 2, row 5"
    raw: str | None = None
    note: str = ""
    note_code: NoteCode | None = None
    # Added after the first contract, so they come last: the body's key across years (agency.py),
    # and the printed group the row sits under (forms.Table.row_group); "" for none.
    agency_key: str = ""
    group: str = ""
    group_id: str = ""
    read_by: str = ""  # which readings gave the value: grid, form, grid+form (see the README)
    ocr_confidence: float | None = None  # for a value read by OCR: the recogniser's mean score
    # For a value OCR could not vouch for or the rules corrected: what OCR read (readings.py), in the
    # output's `ocr_readings` column; none otherwise. The note names them in words, for a person.
    ocr_readings: tuple[OcrReading, ...] = ()
    # For a value OCR could not vouch for: why (readings.Why), which the note says in words. No
    # column of its own: the `ocr_readings` column holds it, beside the readings (`IN_COLUMN`).
    ocr_why: tuple[Why, ...] = field(default=(), metadata={IN_COLUMN: "ocr_readings"})

    @property
    def key(self) -> Key:
        return self.table, self.row_id, self.column_id
