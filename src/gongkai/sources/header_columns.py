"""Value rows whose own colspans miss the header's columns, put back under their headers.

A table pasted from Word into a web editor often gives every row colspans of its own: the
header row splits the width one way, a value row another, so the markup's grid columns do
not line up and a number's cell covers parts of two header columns. A person still reads each
number under the header it sits mostly under; this does the same, in the table's own column
units, before the table becomes a Grid.

A header is a row of two or more cells that all hold words; a row of one cell (a block's title)
ends the header above it. A value row (a number or a blank cell in it) is read against the
header above it. Where the value row's cell edges are all edges of the header, nothing
changes. Otherwise the row is rebuilt on the header's columns when every part of the reading
is unambiguous:

- a cell lying more than half under one header column takes exactly that column; a cell lying
  under none by more than half takes every header column it touches, so that the matcher
  leaves it unplaced and says that it spans several columns;
- no two cells with text take the same header column (a blank cell beside a number under the
  same header is that number's margin, and goes);
- every header column is taken, by the one cell that covers most of it;
- a cell spanning rows is already on the header's edges (moving it would move it in rows read
  against another header).

Else the row stays exactly as the markup says. A cell moves only into a header column that
holds more than half of it, so a number never lands under a header it is not mostly under.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..numbers import is_value_text

if TYPE_CHECKING:  # markup.py calls this module as it builds a table's Grid
    from .markup import SpannedCell

Span = tuple[int, int]  # grid columns, end exclusive


def _rows(cells: Sequence[SpannedCell], n_rows: int) -> list[list[SpannedCell]]:
    """The cells covering each grid row, left to right."""
    rows: list[list[SpannedCell]] = [[] for _ in range(n_rows)]
    spanned = set()  # rows that cells from above reach into: their cells come out of order
    for cell in cells:
        rows[cell.row0].append(cell)
        for r in range(cell.row0 + 1, min(cell.row1, n_rows)):
            rows[r].append(cell)
            spanned.add(r)
    for r in spanned:
        rows[r].sort(key=lambda c: c.col0)
    return rows


def _is_words(cell: SpannedCell) -> bool:
    return bool(cell.text) and not is_value_text(cell.text)


def _overlap(cell: SpannedCell, span: Span) -> int:
    return min(cell.col1, span[1]) - max(cell.col0, span[0])


def _header_columns_of(cell: SpannedCell, header: Sequence[Span]) -> range | None:
    """The header columns a cell is read under: the one holding more than half of it, else
    every one it touches; None when it touches none."""
    touched = [(j, o) for j, span in enumerate(header) if (o := _overlap(cell, span)) > 0]
    if not touched:
        return None
    width = cell.col1 - cell.col0
    for j, covered in touched:
        if 2 * covered > width:
            return range(j, j + 1)
    return range(touched[0][0], touched[-1][0] + 1)


def _on_header_columns(row: Sequence[SpannedCell], header: Sequence[Span]) -> dict[SpannedCell, Span] | None:
    """Where each cell of the row goes on the header's columns (a blank that yields its column
    to a number is left out), or None when the reading is ambiguous."""
    owner: dict[int, SpannedCell] = {}
    placed: dict[SpannedCell, Span] = {}
    for cell in sorted(row, key=lambda c: not c.text):  # cells with text take their columns first
        columns = _header_columns_of(cell, header)
        if columns is None:
            return None
        if any(j in owner for j in columns):
            if cell.text or cell.row1 - cell.row0 > 1:
                return None  # two cells with text under one header column, or a blank kept below
            continue
        span = (header[columns[0]][0], header[columns[-1]][1])
        if cell.row1 - cell.row0 > 1 and span != (cell.col0, cell.col1):
            return None
        owner.update((j, cell) for j in columns)
        placed[cell] = span
    for j, span in enumerate(header):
        covers = sorted((_overlap(c, span) for c in row), reverse=True)
        if j not in owner or _overlap(owner[j], span) != covers[0] or covers[1:2] == covers[:1]:
            return None
    return placed


def align_to_header_columns(cells: list[SpannedCell], n_rows: int) -> list[SpannedCell]:
    """The table's cells, each value row whose edges miss its header's rebuilt on the header's
    columns where that reading is unambiguous (see the module docstring)."""
    header: list[Span] | None = None
    edges: set[int] = set()  # the header's cell edges
    moved: dict[SpannedCell, Span | None] = {}  # None: a blank that goes
    for row in _rows(cells, n_rows):
        if len(row) == 1 and row[0].text:
            header = None  # a block's title: the header of the block comes next
            continue
        values = [c for c in row if not _is_words(c)]
        if len(row) > 1 and not values:
            header = [(c.col0, c.col1) for c in row]
            edges = {edge for span in header for edge in span}
            continue
        # Label cells off the header's edges are the label columns' own layout (table 三's
        # group and row labels under one header cell): only values missing the edges move a row.
        if header is None or all(c.col0 in edges and c.col1 in edges for c in values):
            continue
        placed = _on_header_columns(row, header)
        if placed is not None:
            moved.update((c, placed.get(c)) for c in row if c.row1 - c.row0 == 1)
    if not moved:
        return cells
    out = []
    for cell in cells:
        if cell not in moved:
            out.append(cell)
        elif (span := moved[cell]) is not None:
            out.append(type(cell)(cell.text, cell.row0, cell.row1, *span))
    return out
