"""What the markup sources (web pages, Word files) share: their tables become the same Grids.

A markup table already says which cell spans which rows and columns, so there
is no geometry to rebuild. Its grid is laid out in grid units: column `c` runs
from x = c to c + 1 and row `r` from y = r to r + 1. `Grid.page` holds the
table's ordinal in the document (1 for the first table), and a line of text
between tables k and k + 1 is handed on as a line of page k + 1 at top -1, so
that the stages after the source (locate's headings first) order headings and
tables exactly as they do on paper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from ..model import Grid, GridCell, TextLine
from ..settings import DEFAULT
from .header_columns import align_to_header_columns

_SPACE_RE = re.compile(r"[ \t\r\f\v\xa0\u3000\u200b\ufeff]+")
_MAX_TABLE_SPAN = DEFAULT.markup.max_span


class SpannedCell(NamedTuple):
    """A cell as the markup places it: text and its grid rows/columns (end exclusive).
    A named tuple: a page makes hundreds, and it is built several times faster than a frozen
    dataclass."""

    text: str
    row0: int
    row1: int
    col0: int
    col1: int


def clean_text(pieces: list[str]) -> str:
    """Cell or paragraph text: runs joined (a number split over spans stays one number),
    white space inside a line collapsed, empty lines dropped, lines joined with newlines."""
    text = "".join(pieces)
    # Most cells: blank, or a number or a label without spaces inside, on the line breaks its
    # blocks add. str.strip removes all the white space _SPACE_RE collapses but \u200b and
    # \ufeff, which it keeps and which are not alphanumeric: a stripped text that is empty or
    # alphanumeric is what the full cleaning gives.
    stripped = text.strip()
    if not stripped or stripped.isalnum():
        return stripped
    text = _SPACE_RE.sub(" ", text)
    if "\n" not in text:
        return text.strip()
    return "\n".join(line for line in (part.strip() for part in text.split("\n")) if line)


def place_spans(rows: list[list[tuple[str, int, int]]]) -> tuple[list[SpannedCell], int, int]:
    """HTML's table model: each row's cells (text, rowspan, colspan) fill the next free grid
    positions left to right, skipping positions that a rowspan from above still covers."""
    n_rows = len(rows)
    covered: list[set[int]] = [set() for _ in rows]  # per row, the columns rowspans from above cover
    cells: list[SpannedCell] = []
    for r, row in enumerate(rows):
        col = 0
        for text, rowspan, colspan in row:
            while col in covered[r]:
                col += 1
            if rowspan == colspan == 1:  # most cells: the spans below change nothing
                cells.append(SpannedCell(text, r, r + 1, col, col + 1))
                col += 1
                continue
            row1 = min(r + max(1, min(rowspan, _MAX_TABLE_SPAN)), n_rows)
            col1 = col + max(1, min(colspan, _MAX_TABLE_SPAN))
            for below in range(r + 1, row1):
                covered[below].update(range(col, col1))
            cells.append(SpannedCell(text, r, row1, col, col1))
            col = col1
    n_cols = max((c.col1 for c in cells), default=0)
    return cells, n_rows, n_cols


def grid_from_cells(ordinal: int, cells: list[SpannedCell], n_rows: int, n_cols: int) -> Grid | None:
    """The Grid of one markup table (see the module docstring for its units)."""
    if n_rows < 1 or n_cols < 1 or not cells:
        return None
    edges = [float(i) for i in range(max(n_rows, n_cols) + 1)]  # grid unit i at x or y = i
    grid_cells = [
        GridCell(
            c.text,
            c.row0,
            c.row1,
            c.col0,
            c.col1,
            (edges[c.col0], edges[c.row0], edges[c.col1], edges[c.row1]),
        )
        for c in cells
    ]
    return Grid(
        page=ordinal,
        bbox=(0.0, 0.0, edges[n_cols], edges[n_rows]),
        col_edges=edges[: n_cols + 1],
        row_edges=edges[: n_rows + 1],
        cells=grid_cells,
    )


@dataclass
class MarkupDocument:
    """What a markup source hands to the stages: the same types the PDF source produces."""

    kind: str  # "html" or "docx"
    titles: list[tuple[str, str]] = field(default_factory=list)  # (text, where from), best first
    grids: list[Grid] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)  # links to report files (.pdf, .docx, …)
    # Why the document is no report when no table of the form is found in it, where it says so
    # itself: a saved page that is the server's error response (404 Not Found); else ''.
    not_a_report: str = ""
    # The text outside the tables, line by line in reading order, each with its "page": the
    # ordinal of the table that follows it (see the module docstring).
    lines: list[tuple[int, TextLine]] = field(default_factory=list)

    def add_line(self, text: str) -> None:
        """A paragraph outside the tables: for the title and the section headings."""
        for line in text.split("\n"):
            if line:
                self.lines.append((len(self.grids) + 1, TextLine(line, 0.0, -1.0, 0.0, 0.0, 0.0)))

    def add_table(self, cells: list[SpannedCell], n_rows: int, n_cols: int) -> None:
        # Value rows with colspans of their own go under their headers first.
        aligned = align_to_header_columns(cells, n_rows)
        grid = grid_from_cells(len(self.grids) + 1, aligned, n_rows, n_cols)
        if grid is not None:
            self.grids.append(grid)

    def body_titles(self, limit: int = 12) -> list[tuple[str, str]]:
        """Short lines near the top naming the report: the title when the markup marks none."""
        texts = (line.text for _, line in self.lines[:limit])
        return [(text, "title") for text in texts if "报告" in text and len(text) <= 80]
