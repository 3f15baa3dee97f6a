"""Hand-built pages for the stage tests: text laid out as characters, ruling lines as edges, grids.

Positions are in points from the page's top-left corner, as the sources hand them on.
Each character is one `Char` with a fixed advance (the font size unless told), so a
test says where text stands and the stages see it as a PDF text layer would give it.
"""

from __future__ import annotations

from gongkai.model import Char, Edge, Grid, GridCell

SIZE = 10.0

# Table 三's value columns as printed, left to right.
APPLICANT_HEADER = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def text(string: str, x: float, top: float, size: float = SIZE, advance: float | None = None) -> list[Char]:
    """One character per glyph of `string` from x rightwards; a space advances without a character."""
    step = size if advance is None else advance
    return [
        Char(glyph, x + i * step, top, x + (i + 1) * step, top + size, size)
        for i, glyph in enumerate(string)
        if not glyph.isspace()
    ]


def digits(string: str, x: float, top: float, size: float = SIZE) -> list[Char]:
    """Numbers as printed: half-width glyphs, half the font size wide."""
    return text(string, x, top, size, advance=size / 2)


def row(top: float, *items: tuple[float, str], size: float = SIZE) -> list[Char]:
    """A line of text pieces (x, text) at one height; ASCII pieces (numbers, dashes) get half-width glyphs."""
    chars: list[Char] = []
    for x, piece in items:
        chars += digits(piece, x, top, size) if piece.isascii() else text(piece, x, top, size)
    return chars


def hline(x0: float, x1: float, y: float) -> Edge:
    return Edge("h", x0, y, x1, y, x1 - x0)


def vline(x: float, top: float, bottom: float) -> Edge:
    return Edge("v", x, top, x, bottom, bottom - top)


def grid(
    rows: list[list[str]],
    page: int = 1,
    x0: float = 50.0,
    width: float = 40.0,
    top: float = 100.0,
    ruled: bool = True,
) -> Grid:
    """A grid without merges; row r, column c holds rows[r][c]."""
    n_cols = max(len(r) for r in rows)
    col_edges = [x0 + width * c for c in range(n_cols + 1)]
    row_edges = [top + 20 * r for r in range(len(rows) + 1)]
    cells = [
        GridCell(label, r, r + 1, c, c + 1, (col_edges[c], row_edges[r], col_edges[c + 1], row_edges[r + 1]))
        for r, labels in enumerate(rows)
        for c, label in enumerate(labels)
    ]
    bbox = (col_edges[0], row_edges[0], col_edges[-1], row_edges[-1])
    return Grid(page, bbox, col_edges, row_edges, cells, ruled=ruled)
