"""Grid engine for ruled tables: cell boxes (from `lattice`) into a grid with merged cells.

A ruled table arrives as cell boxes. The boxes' edges give the grid lines; a
box that spans several grid columns or rows is a merged cell, kept once with
its span, so a header such as 法人或其他组织 knows which columns it stands
over and a group label such as 三、本年度办理结果 knows which rows it covers.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from ..model import BBox, Char, Edge, Grid, GridCell, Heading, Page
from ..settings import DEFAULT
from ..sources.chars import block_text
from .lattice import crosses, find_table_cells, merge_rules, table_cells

_SETTINGS = DEFAULT.grid


def _cluster(values: Sequence[float]) -> list[float]:
    edges: list[float] = []
    for value in sorted(values):
        if edges and value - edges[-1] <= _SETTINGS.edge_tolerance:
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


def _closing_rules(merged: list[Edge]) -> list[Edge]:
    """Horizontal rules across the open top or bottom of a table cut by a page break, from
    the page's merged rules.

    Where several vertical rules start (or end) at one height and no horizontal rule runs
    there, the printer left the cut edge of the table undrawn: without a rule the lattice has
    no cells in the row it cut, and its labels and numbers would be lost. Only where a drawn
    horizontal rule crosses several of them (the table's other rows): the upright strokes of a
    scanned title's large characters end at the heights of its lines too, and closed, they made
    cells of the title that the page's OCR read piece by piece (its agency was lost).
    """
    vertical = [e for e in merged if e.orientation == "v"]
    horizontal = [e for e in merged if e.orientation == "h"]
    tolerance = _SETTINGS.edge_tolerance
    out = []
    for end in ("top", "bottom"):
        heights = _cluster([getattr(e, end) for e in vertical])
        for y in heights:
            rules = [e for e in vertical if abs(getattr(e, end) - y) <= tolerance]
            if len(rules) < _SETTINGS.open_edge_rules or not any(
                sum(crosses(h, v, tolerance) for v in rules) >= _SETTINGS.open_edge_rules for h in horizontal
            ):
                continue
            x0, x1 = min(e.x0 for e in rules), max(e.x0 for e in rules)
            drawn = any(
                abs(h.top - y) <= tolerance and h.x0 <= x0 + tolerance and h.x1 >= x1 - tolerance
                for h in horizontal
            )
            if not drawn:
                out.append(Edge("h", x0, y, x1, y, x1 - x0))
    return out


def ruled_table_cells(edges: list[Edge]) -> list[list[BBox]]:
    """The cell boxes of each ruled table drawn by a page's rules, a table cut by a page break
    closed by the rule its printer left undrawn (`_closing_rules`). The boxes of the grids
    (`ruled_grids`), and of the cells a scanned page reads alone (`ocr.read_page`): the closing
    rule snaps with the rules near it, and a cell cut from the rules alone was a fraction of a
    point off its grid cell's box, so that no grid cell found its own reading."""
    merged = merge_rules(edges)
    closing = _closing_rules(merged)
    return find_table_cells(edges + closing) if closing else table_cells(merged)


def ruled_grids(page: Page, found: Sequence[Grid] = (), headings: Sequence[Heading] = ()) -> list[Grid]:
    """The grids of one page's ruled tables, top to bottom."""
    tables = ruled_table_cells(page.edges)
    grids = (build_grid(page.number, boxes, page.chars) for boxes in tables)
    return sorted((g for g in grids if g is not None), key=lambda g: g.bbox[1])
