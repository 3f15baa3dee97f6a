"""Stage 2, ruled tables: ruling lines to cell boxes.

These are pdfplumber's lattice steps (the "lines" table strategy: snap, join,
intersect, find cells, group cells into tables), done on small tuples. pdfplumber
runs them on dicts and copies a dict for every edge it moves; on table pages with
hundreds of rules that was a tenth of all of gongkai's time. Every step here does
the same arithmetic in the same order as pdfplumber's, so the cells are bit for
bit the same (tests/test_lattice.py compares them with pdfplumber's own).
"""

from __future__ import annotations

from itertools import groupby

from ..model import BBox, Edge
from ..settings import DEFAULT

# The tolerances of pdfplumber's default "lines" table strategy, in points.
_SETTINGS = DEFAULT.lattice
_SNAP, _JOIN, _INTERSECT, _MIN_LENGTH = (
    _SETTINGS.snap,
    _SETTINGS.join,
    _SETTINGS.intersect,
    _SETTINGS.min_length,
)

Point = tuple[float, float]


def _position(edge: Edge) -> float:
    """Where an edge lies across its own direction: x of a vertical rule, y of a horizontal one."""
    return edge.x0 if edge.orientation == "v" else edge.top


def _line(edge: Edge) -> tuple[str, float]:
    """The infinite line an edge lies on: pdfplumber's sort and group key."""
    return edge.orientation, _position(edge)


def _snap(edges: list[Edge]) -> list[Edge]:
    """Move rules that lie within the snap tolerance of one another onto their mean position.

    pdfplumber's `snap_objects`: clusters of positions chained within the tolerance,
    members kept in input order, each moved by (mean - own position).
    """
    positions = sorted({_position(e) for e in edges})
    cluster_of: dict[float, int] = {}
    cluster = 0
    for i, value in enumerate(positions):
        if i and value > positions[i - 1] + _SNAP:
            cluster += 1
        cluster_of[value] = cluster

    def cluster_key(edge: Edge) -> int:
        return cluster_of[_position(edge)]

    snapped: list[Edge] = []
    for _, members in groupby(sorted(edges, key=cluster_key), key=cluster_key):
        members = list(members)
        mean = sum(_position(e) for e in members) / len(members)
        for e in members:
            shift = mean - _position(e)
            if e.orientation == "v":
                snapped.append(e._replace(x0=e.x0 + shift, x1=e.x1 + shift))
            else:
                snapped.append(e._replace(top=e.top + shift, bottom=e.bottom + shift))
    return snapped


def _join(edges: list[Edge]) -> list[Edge]:
    """Join the rules of one line that overlap or lie within the join tolerance end to end.

    pdfplumber's `join_edge_group`: a rule's length is kept as pdfplumber keeps it
    (a horizontal rule's width recomputed, a vertical rule's height extended).
    """
    horizontal = edges[0].orientation == "h"
    ordered = sorted(edges, key=lambda e: e.x0 if horizontal else e.top)
    joined = [ordered[0]]
    for e in ordered[1:]:
        last = joined[-1]
        if horizontal:
            if e.x0 <= last.x1 + _JOIN:
                if e.x1 > last.x1:
                    joined[-1] = last._replace(x1=e.x1, length=e.x1 - last.x0)
            else:
                joined.append(e)
        elif e.top <= last.bottom + _JOIN:
            if e.bottom > last.bottom:
                joined[-1] = last._replace(bottom=e.bottom, length=last.length + (e.bottom - last.bottom))
        else:
            joined.append(e)
    return joined


def merge_rules(edges: list[Edge]) -> list[Edge]:
    """pdfplumber's `merge_edges` preceded and followed by its length filters."""
    edges = [e for e in edges if e.length >= 1]
    snapped = _snap([e for e in edges if e.orientation == "v"]) + _snap(
        [e for e in edges if e.orientation == "h"]
    )
    lines = groupby(sorted(snapped, key=_line), key=_line)
    merged = [joined for _, group in lines for joined in _join(list(group))]
    return [e for e in merged if e.length >= _MIN_LENGTH]


def crosses(horizontal: Edge, vertical: Edge, tolerance: float) -> bool:
    """Whether a horizontal and a vertical rule cross, either reaching `tolerance` further."""
    return (
        horizontal.x0 - tolerance <= vertical.x0 <= horizontal.x1 + tolerance
        and vertical.top - tolerance <= horizontal.top <= vertical.bottom + tolerance
    )


def intersections(edges: list[Edge]) -> dict[Point, tuple[set[BBox], set[BBox]]]:
    """Where vertical and horizontal rules cross (within the tolerance), with the rules through each point."""
    vertical = [e for e in edges if e.orientation == "v"]
    horizontal = [e for e in edges if e.orientation == "h"]
    crossings: dict[Point, tuple[set[BBox], set[BBox]]] = {}
    for v in vertical:
        for h in horizontal:
            if crosses(h, v, _INTERSECT):
                through_v, through_h = crossings.setdefault((v.x0, h.top), (set(), set()))
                through_v.add(v.bbox)
                through_h.add(h.bbox)
    return crossings


def cells(crossings: dict[Point, tuple[set[BBox], set[BBox]]]) -> list[BBox]:
    """The cells that rule crossings describe: pdfplumber's `intersections_to_cells`.

    For each crossing, in sorted order, the smallest cell whose four corners are
    crossings joined by a common rule. The points below and to the right come from
    indexes instead of scans of all points.
    """
    points = sorted(crossings)
    same_x: dict[float, list[Point]] = {}
    same_y: dict[float, list[Point]] = {}
    for point in points:  # sorted by x then y, so each list is in the order pdfplumber scans it
        same_x.setdefault(point[0], []).append(point)
        same_y.setdefault(point[1], []).append(point)

    def connects(p1: Point, p2: Point) -> bool:
        return (p1[0] == p2[0] and not crossings[p1][0].isdisjoint(crossings[p2][0])) or (
            p1[1] == p2[1] and not crossings[p1][1].isdisjoint(crossings[p2][1])
        )

    found = []
    for point in points:
        column, row = same_x[point[0]], same_y[point[1]]
        below = column[column.index(point) + 1 :]
        right = [p for p in row[row.index(point) + 1 :] if connects(point, p)]
        for below_point in below:
            if not connects(point, below_point):
                continue
            corner = next(
                (
                    (right_point[0], below_point[1])
                    for right_point in right
                    if (right_point[0], below_point[1]) in crossings
                    and connects((right_point[0], below_point[1]), right_point)
                    and connects((right_point[0], below_point[1]), below_point)
                ),
                None,
            )
            if corner is not None:
                found.append((point[0], point[1], corner[0], corner[1]))
                break
    return found


def cells_to_tables(cells: list[BBox]) -> list[list[BBox]]:
    """Cells grouped into tables: pdfplumber's `cells_to_tables`.

    A table grows from its first cell by every cell that shares a corner with it, in
    passes over the cells left in their order, until a pass adds none; then the next
    table starts. Tables are sorted by their topmost, then leftmost, corner; a table of
    one cell is none. (A cell is never given twice: each crossing starts at most one.)
    """
    remaining = list(cells)
    found: list[list[BBox]] = []
    table: list[BBox] = []
    corners: set[Point] = set()
    while remaining:
        size = len(table)
        left = []
        for cell in remaining:
            x0, top, x1, bottom = cell
            cell_corners = ((x0, top), (x0, bottom), (x1, top), (x1, bottom))
            if not table or not corners.isdisjoint(cell_corners):
                corners.update(cell_corners)
                table.append(cell)
            else:
                left.append(cell)
        remaining = left
        if len(table) == size:
            found.append(table)
            table, corners = [], set()
    if table:
        found.append(table)
    found.sort(key=lambda cells: min((cell[1], cell[0]) for cell in cells))
    return [table for table in found if len(table) > 1]


def find_table_cells(edges: list[Edge]) -> list[list[BBox]]:
    """The cell boxes of each ruled table drawn by these rules."""
    return table_cells(merge_rules(edges))


def table_cells(merged: list[Edge]) -> list[list[BBox]]:
    """The cell boxes of each ruled table drawn by rules that `merge_rules` gave."""
    return cells_to_tables(cells(intersections(merged)))
