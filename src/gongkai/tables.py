"""Stage 2: find the form's tables, rebuild their grids and stitch them across pages.

A ruled table arrives as cell boxes. The boxes' edges give the grid lines; a
box that spans several grid columns or rows is a merged cell, kept once with
its span, so a header such as 法人或其他组织 knows which columns it stands
over and a group label such as 三、本年度办理结果 knows which rows it covers.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .document import BBox
from .forms import Form, Table
from .layout import Char, block_text
from .locate import Heading
from .text import compact, label_words

_EDGE_TOLERANCE = 2.5  # points: cell borders closer than this are one grid line
_MIN_SIGNATURE_HITS = 2


@dataclass(frozen=True)
class GridCell:
    text: str
    row0: int  # first grid row covered
    row1: int  # one past the last
    col0: int
    col1: int
    bbox: BBox


@dataclass
class Grid:
    """One ruled table on one page, with merged cells rebuilt."""

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


def _cluster(values: Sequence[float]) -> list[float]:
    edges: list[float] = []
    for value in sorted(values):
        if edges and value - edges[-1] <= _EDGE_TOLERANCE:
            continue
        edges.append(value)
    return edges


def _index(edges: list[float], value: float) -> int:
    """Index of the grid line nearest to `value`."""
    i = bisect_right(edges, value)
    if i == 0:
        return 0
    if i == len(edges) or value - edges[i - 1] <= edges[i] - value:
        return i - 1
    return i


def build_grid(page: int, boxes: list[BBox], chars: list[Char]) -> Grid | None:
    """Rebuild one table's grid from its cell boxes and fill each cell with its text."""
    if not boxes:
        return None
    col_edges = _cluster([x for b in boxes for x in (b[0], b[2])])
    row_edges = _cluster([y for b in boxes for y in (b[1], b[3])])
    if len(col_edges) < 2 or len(row_edges) < 2:
        return None
    spans = []
    for box in boxes:
        c0, c1 = _index(col_edges, box[0]), _index(col_edges, box[2])
        r0, r1 = _index(row_edges, box[1]), _index(row_edges, box[3])
        if c1 > c0 and r1 > r0:
            spans.append((r0, r1, c0, c1, box))
    bbox = (col_edges[0], row_edges[0], col_edges[-1], row_edges[-1])
    owner: dict[tuple[int, int], int] = {}
    for i, (r0, r1, c0, c1, _) in enumerate(spans):
        for r in range(r0, r1):
            for c in range(c0, c1):
                owner.setdefault((r, c), i)
    texts: list[list[Char]] = [[] for _ in spans]
    for char in chars:
        if not char.centred_in(bbox):
            continue
        r = min(max(bisect_right(row_edges, char.y_mid) - 1, 0), len(row_edges) - 2)
        c = min(max(bisect_right(col_edges, char.x_anchor) - 1, 0), len(col_edges) - 2)
        if (r, c) in owner:
            texts[owner[(r, c)]].append(char)
    cells = [
        GridCell(block_text(texts[i]).strip(), r0, r1, c0, c1, box)
        for i, (r0, r1, c0, c1, box) in enumerate(spans)
    ]
    return Grid(page, bbox, col_edges, row_edges, cells)


def page_grids(page: int, tables: list[list[BBox]], chars: list[Char]) -> list[Grid]:
    """The grids of one page's ruled tables, top to bottom."""
    grids = (build_grid(page, boxes, chars) for boxes in tables)
    return sorted((g for g in grids if g is not None), key=lambda g: g.bbox[1])


@lru_cache(maxsize=16)
def _signature_words(table: Table) -> frozenset[str]:
    words = {label_words(row.label) for row in (*table.rows, *table.alternative_rows)}
    words |= {label_words(part) for column in table.columns for part in column.path}
    words |= {label_words(block.title) for block in table.blocks if block.title}
    words |= {label_words(word) for word in table.header_words}
    words.discard("总计")  # shared by tables 三 and 四
    words.discard("其他")
    return frozenset(w for w in words if w)


def signature_hits(grid: Grid, table: Table) -> int:
    """How many of a table's own labels appear in a grid: its evidence of being that table."""
    words = _signature_words(table)
    return sum(1 for cell in grid.cells if label_words(cell.text) in words)


def _section_at(headings: list[Heading], page: int, top: float) -> str | None:
    current = None
    for heading in headings:
        if (heading.page, heading.top) <= (page, top):
            current = heading.numeral
    return current


def _has_digits(grid: Grid) -> bool:
    return any(any(ch.isdigit() for ch in compact(cell.text)) for cell in grid.cells)


def assign_tables(grids: list[Grid], form: Form, headings: list[Heading]) -> list[TableRun]:
    """Group grids into the form's tables by their content, falling back on the section headings.

    A continuation page without header rows still carries the table's row labels;
    a grid with neither is taken for the table whose section heading precedes it.
    """
    runs: dict[str, TableRun] = {}
    for grid in grids:
        hits = {table.id: signature_hits(grid, table) for table in form.tables}
        best = max(form.tables, key=lambda t: hits[t.id])
        filled = sum(1 for cell in grid.cells if cell.text)
        # Two labels of a table mark it; so does a grid of nothing but one (a block title
        # such as 第二十条第（五）项 printed as a table of its own at the foot of a page).
        marked = hits[best.id] >= _MIN_SIGNATURE_HITS or 0 < hits[best.id] == filled
        table: Table | None = best if marked else None
        if table is None and _has_digits(grid) and (grid.ruled or hits[best.id]):
            # A piece without enough labels of its own (the last rows of a table carried onto
            # the next page) goes to the table of its section. Text-position pieces must carry
            # at least one label, since prose can also hold numbers.
            numeral = _section_at(headings, grid.page, grid.bbox[1])
            table = next((t for t in form.tables if t.numeral == numeral), None)
        if table is not None:
            runs.setdefault(table.id, TableRun(table, [])).grids.append(grid)
    return [runs[t.id] for t in form.tables if t.id in runs]
