"""Stage 5a: which form column each grid column is, from the header text above it.

Columns are always printed in the form's order, so header units are aligned to
the form's columns monotonically; a continuation page without headers inherits
the columns of the page before by where its columns sit on the page.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise

from ..forms import Column
from ..labels import compact, similarity, similarity_bound
from ..model import Grid, GridCell
from ..numbers import is_value_text
from ..settings import DEFAULT

_SETTINGS = DEFAULT.match


def _header_stack(grid: Grid, rows: Sequence[int], col: int) -> list[GridCell]:
    """The header cells over one grid column, outermost first, merged cells counted once."""
    stack: list[GridCell] = []
    for r in rows:
        cell = grid.at(r, col)
        if cell is not None and cell.text and not any(cell is s for s in stack):
            stack.append(cell)
    return stack


def _leaf_score(texts: Sequence[str], column: Column, threshold: float | None = None) -> tuple[float, int]:
    """How well the bottom of a header stack names a column, and how many lines name it (a
    narrow header wraps onto several); 0 when no bottom of the stack reaches `threshold` (by
    default the column threshold).

    A bottom whose bound (`similarity_bound`) is below the threshold, or no more than the best
    so far, is not scored: it can change neither the score nor the depth.
    """
    threshold = _SETTINGS.column_threshold if threshold is None else threshold
    best, depth = 0.0, 1
    for k in range(1, min(_SETTINGS.max_header_lines, len(texts)) + 1):
        text = "".join(texts[-k:])
        bound = similarity_bound(text, column.label)
        if bound < threshold or bound <= best:
            continue
        score = similarity(text, column.label)
        if score > best:
            best, depth = score, k
    return (best, depth) if best >= threshold else (0.0, 1)


def _column_score(texts: list[str], column: Column, parents: set[str]) -> float:
    """Leaf match, nudged by the outer headers: agreeing parents add, a rival parent subtracts."""
    leaf, depth = _leaf_score(texts, column)
    if leaf < _SETTINGS.column_threshold:
        return 0.0
    outer = texts[:-depth]
    adjustment = 0.0
    for text in outer:
        fits = {parent: similarity(text, parent) for parent in parents}
        best_parent = max(fits, key=fits.get, default=None)
        if best_parent is None or fits[best_parent] < _SETTINGS.column_threshold:
            continue
        adjustment += _SETTINGS.parent_agrees if best_parent in column.path else _SETTINGS.parent_disagrees
    return leaf + adjustment


@lru_cache(maxsize=1024)
def _score_matrix(
    units: tuple[tuple[str, ...], ...], columns: tuple[Column, ...]
) -> tuple[tuple[float, ...], ...]:
    """How well each header unit names each form column; 0 where it does not.

    Cached: a batch's reports print the same few headers over and over.
    """
    parents = {p for c in columns for p in c.path[:-1]}
    return tuple(tuple(_column_score(list(u), c, parents) for c in columns) for u in units)


def align_header(score: Sequence[Sequence[float]]) -> list[int | None]:
    """Match header units (left to right) to form columns (in form order), keeping both orders.

    Columns are always printed in the form's order, so a monotonic alignment
    settles repeated leaf labels (结果维持 under 行政复议 and twice under 行政诉讼)
    while every pairing still has to be justified by its header text.
    `score[i][j]` is how well unit i names column j.
    """
    n, m = len(score), len(score[0]) if score else 0
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = score[i][j] + best[i + 1][j + 1] if score[i][j] > 0 else 0.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    assigned: list[int | None] = [None] * n
    i = j = 0
    while i < n and j < m:
        if score[i][j] > 0 and math.isclose(best[i][j], score[i][j] + best[i + 1][j + 1]):
            assigned[i] = j
            i, j = i + 1, j + 1
        elif math.isclose(best[i][j], best[i + 1][j]):
            i += 1
        else:
            j += 1
    return assigned


def _fill_gaps(
    assigned: list[int | None],
    score: Sequence[Sequence[float]],
    own_lines: Sequence[Sequence[str]],
    columns: Sequence[Column],
    first_value: int | None = None,
    edge_run: int | None = None,
) -> list[int | None]:
    """The header units left out between two placed ones that leave them as many form columns,
    each placed on the column the order leaves it: columns are printed in the form's order, so
    no other column can stand there. Only when each names no column out of that order (`score`)
    and its own cell's text (`own_lines`, not the outer headers over it) is likest that column's
    of all the form's, at `column_gap_threshold` at least. A seal on a scan took 商 of 商业企业,
    and 业企业 (0.71) placed no value of the column; another faded 科研机构, 社会公益组织 and
    法律服务机构 side by side to 科研期树, 社会公金 and 法律张机构 (0.3, 0.52, 0.7), and 其他
    beside them to 其物 (0.3): none of the four placed.

    The label column bounds the value columns as a placed header does: `first_value`, when
    known, is the unit that begins right after the label columns, and the units from it to the
    first placed one are the form's first columns, as many as the order leaves before that one.
    A seal over 自然人 read it 白然人 (0.4): its column was taken for a label column.

    The table's right edge bounds them too: `edge_run`, when known, is the first unit of the run
    that meets side by side up to the grid's last column, and the units after the last placed
    one, when that one is in the run, are the form's last columns, as many as the order leaves
    after it. Only after a placed header: a band no header of which names a column is not
    known to be this table's."""
    filled = list(assigned)
    # (unit, form column) of the placed units, of the label column's edge before column 0 and
    # of the table's edge after the last column
    anchors = [(k, j) for k, j in enumerate(assigned) if j is not None]
    if anchors and edge_run is not None and anchors[-1][0] >= edge_run:
        anchors.append((len(assigned), len(columns)))
    if first_value is not None and all(j is None for j in assigned[:first_value]):
        anchors.insert(0, (first_value - 1, -1))
    for (start, before), (end, after) in pairwise(anchors):
        i = start + 1
        if end == i or after - before != end - i + 1:
            continue
        likeness = [_likeness(own_lines[k], columns) for k in range(i, end)]
        named = any(s > 0 for k in range(i, end) for s in score[k])
        placed = {j for j in assigned if j is not None}
        if not named and all(
            _names_only(scores, before + 1 + t, columns, own_lines[i + t], placed)
            for t, scores in enumerate(likeness)
        ):
            filled[i:end] = range(before + 1, after)
    return filled


def _first_value_unit(grid: Grid, header_rows: Sequence[int], units: Sequence[Sequence[int]]) -> int | None:
    """The header unit (given by its grid columns) that begins right after the label columns:
    the leftmost grid columns that hold row labels below the header, text in some of their cells
    and a number in none. None when no column holds labels (table 四), or when a column without
    header text stands between them and the next unit: what it is cannot be counted."""
    body = range(max(header_rows, default=-1) + 1, grid.n_rows)
    labels_end = 0
    for col in range(grid.n_cols):
        texts = [cell.text for r in body if (cell := grid.at(r, col)) is not None and cell.text.strip()]
        if not texts or any(map(is_value_text, texts)):
            break
        labels_end = col + 1
    if labels_end == 0:
        return None
    first = next((k for k, cols in enumerate(units) if cols[0] >= labels_end), None)
    return first if first is not None and units[first][0] == labels_end else None


def _edge_run(grid: Grid, units: Sequence[Sequence[int]]) -> int | None:
    """The first header unit (given by its grid columns) of the run that meets side by side up to
    the grid's last column; None when the last unit does not reach it: a column without header
    text at the edge cannot be counted."""
    if not units or units[-1][-1] != grid.n_cols - 1:
        return None
    first = len(units) - 1
    while first > 0 and units[first - 1][-1] + 1 == units[first][0]:
        first -= 1
    return first


def _likeness(lines: Sequence[str], columns: Sequence[Column]) -> list[float]:
    """How like each form column's label the bottom lines of a header cell read, at best; 0 below
    `column_gap_threshold`, where it names no column (`_names_only`)."""
    return [_leaf_score(lines, column, _SETTINGS.column_gap_threshold)[0] for column in columns]


def _names_only(
    likeness: Sequence[float], j: int, columns: Sequence[Column], lines: Sequence[str], placed: set[int]
) -> bool:
    """Whether a header unit's text (`lines`) names column `j` and is less like every other
    column's label. A column of the same label is no rival: the form's order tells those apart
    (尚未审结 under 行政复议 and twice under 行政诉讼; 尚来审结 on a scan, 0.65, is as like all
    three). Nor is a column another header of the table names (`placed`) where the text shares
    more of its characters with column `j`'s label than with that one's: 科出机构 under a seal is
    liker 法律服务机构 by its words (0.5 against 0.45 for 科研机构), which stands beside it; 机构
    alone, as like both by its characters, names neither."""
    label = columns[j].label
    text = compact("".join(lines))

    def rival(k: int) -> bool:
        if columns[k].label == label or likeness[k] < likeness[j]:
            return False
        return k not in placed or _shared_characters(text, label) <= _shared_characters(
            text, columns[k].label
        )

    return likeness[j] >= _SETTINGS.column_gap_threshold and not any(map(rival, range(len(columns))))


def _shared_characters(text: str, label: str) -> int:
    """How many of `text`'s characters `label` has too, each as often as both have it."""
    return sum((Counter(text) & Counter(label)).values())


def _lines(stack: Sequence[GridCell]) -> list[str]:
    return [line for cell in stack for line in cell.text.splitlines() if line.strip()]


def _aligned_col(grid: Grid, col: int, other: Grid) -> int | None:
    """The column of `other` that sits where `col` of `grid` sits on the page."""
    center = grid.col_center(col)
    for candidate in range(other.n_cols):
        half_width = (other.col_edges[candidate + 1] - other.col_edges[candidate]) / 2
        if abs(other.col_center(candidate) - center) < half_width:
            return candidate
    return None


def map_header_columns(
    grid: Grid,
    header_rows: Sequence[int],
    columns: Sequence[Column],
    above: tuple[Grid, Sequence[int]] | None = None,
) -> tuple[dict[int, Column], list[str]]:
    """Assign grid columns to form columns from the header band's text; also the headers left out.

    A header that names a column but cannot be placed in the form's order is
    left out rather than guessed, and reported.

    Grid columns under one merged leaf header (本年处理决定数量 over three
    columns) form one unit and map together. `above` is the first part of a
    header that a page break cut in two: its text is read on top of this one's.
    """
    # Each unit: its grid columns, the lines of its header stack, the lines of its own (leaf) cell.
    units: list[tuple[list[int], list[str], list[str]]] = []
    previous_leaf: GridCell | None = None
    for col in range(grid.n_cols):
        stack = _header_stack(grid, header_rows, col)
        lines = _lines(stack)
        own = _lines(stack[-1:])
        if above is not None:
            previous_col = _aligned_col(grid, col, above[0])
            if previous_col is not None:
                stack_above = _header_stack(above[0], above[1], previous_col)
                lines = _lines(stack_above) + lines
                own = own or _lines(stack_above[-1:])
        if not lines:
            previous_leaf = None
            continue
        leaf = stack[-1] if stack else None
        if units and leaf is not None and leaf is previous_leaf:
            units[-1][0].append(col)
        else:
            units.append(([col], lines, own))
        previous_leaf = leaf
    score = _score_matrix(tuple(tuple(lines) for _, lines, _ in units), tuple(columns))
    unit_cols = [cols for cols, _, _ in units]
    first_value = _first_value_unit(grid, header_rows, unit_cols)
    own_lines = [own for _, _, own in units]
    assignment = _fill_gaps(
        align_header(score), score, own_lines, columns, first_value, _edge_run(grid, unit_cols)
    )
    mapped = {
        col: columns[j]
        for (cols, _, _), j in zip(units, assignment, strict=True)
        if j is not None
        for col in cols
    }
    left_out = [
        "".join(lines[-2:])
        for (_, lines, _), j, unit_scores in zip(units, assignment, score, strict=True)
        if j is None and any(s > 0 for s in unit_scores)
    ]
    return mapped, left_out


def align_columns(grid: Grid, previous: Grid, previous_map: dict[int, Column]) -> dict[int, Column]:
    """Carry a header mapping onto a continuation grid by where its columns sit on the page."""
    mapped: dict[int, Column] = {}
    for col in range(grid.n_cols):
        previous_col = _aligned_col(grid, col, previous)
        if previous_col in previous_map:
            mapped[col] = previous_map[previous_col]
    return mapped
