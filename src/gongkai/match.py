"""Stage 3: match printed rows and columns to the form's rows and columns.

Labels are compared after normalisation (NFKC, whitespace, numbering and
quote styles), by a blend of character overlap and jieba token overlap. A
label is placed only when its best candidate is both good enough and clearly
better than the runner-up; anything else is reported, never forced onto the
nearest row. Columns are assigned from their header text; a continuation page
without headers inherits the columns of the page before by position on the page.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

import jieba

from .document import BBox
from .forms import FORMS, Block, Column, Row, Table
from .tables import Grid, GridCell, TableRun
from .text import compact, label_words, split_numbering
from .values import is_value_text

jieba.setLogLevel(logging.WARNING)

ROW_THRESHOLD = 0.72
COLUMN_THRESHOLD = 0.75
MARGIN = 0.08
_MAX_HEADER_LINES = 8  # 结/果/维/持: one character per line in a narrow column
_BLOCK_TITLE_RE = re.compile(r"第二十条第?\(?([一二三四五六七八九十]+)\)?项")


@dataclass(frozen=True)
class PlacedCell:
    """A printed cell placed on the form."""

    table: str
    row: str
    column: str
    raw: str
    page: int
    bbox: BBox  # where the cell is printed, for `gongkai inspect`


@dataclass(frozen=True)
class Problem:
    table: str
    page: int
    message: str
    kind: str  # "row" (a printed row not placed) or "column" (a printed column not placed)


@dataclass
class TableReading:
    """What the matcher made of one table: placed cells, problems, and the rows as printed."""

    table: Table
    cells: list[PlacedCell] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    printed_rows: list[str] = field(default_factory=list)  # matched row ids, in print order
    label_scores: list[float] = field(default_factory=list)
    row_labels: list[tuple[str, int, BBox]] = field(default_factory=list)  # row id, page, label box
    grids: list[Grid] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _tokens(words: str) -> tuple[str, ...]:
    return tuple(t for t in jieba.lcut(words) if t.strip())


def _token_dice(a: str, b: str) -> float:
    ta, tb = list(_tokens(a)), list(_tokens(b))
    if not ta or not tb:
        return 0.0
    common = 0
    remaining = list(tb)
    for token in ta:
        if token in remaining:
            remaining.remove(token)
            common += 1
    return 2 * common / (len(ta) + len(tb))


@lru_cache(maxsize=16384)
def similarity(printed: str, official: str) -> float:
    """0..1 likeness of two labels, ignoring numbering, quotes, punctuation and spacing."""
    a, b = label_words(printed), label_words(official)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ratio = SequenceMatcher(None, a, b, autojunk=False).ratio()
    return 0.6 * ratio + 0.4 * _token_dice(a, b)


@lru_cache(maxsize=16384)
def _numeral(text: str) -> str:
    numbering = split_numbering(text)[0]
    return re.sub(r"[^0-9一二三四五六七八九十]", "", numbering)


@dataclass(frozen=True)
class Choice:
    item: object
    score: float
    runner_up: float

    @property
    def confident(self) -> bool:
        return self.score >= ROW_THRESHOLD and self.score - self.runner_up >= MARGIN


def best_match(printed: str, candidates: Iterable[tuple[object, str, float]]) -> Choice | None:
    """Best of (item, official label, bonus) candidates for a printed label, with its runner-up score."""
    scored: list[tuple[float, object]] = []
    numeral = _numeral(printed)
    for item, label, bonus in candidates:
        score = similarity(printed, label)
        if score > 0 and numeral and numeral == _numeral(label):
            score += 0.03
        scored.append((min(score + bonus, 1.0), item))
    if not scored:
        return None
    scored.sort(key=lambda pair: pair[0], reverse=True)
    best_score, best = scored[0]
    runner_up = next((s for s, item in scored[1:] if item is not best), 0.0)
    return Choice(best, best_score, runner_up)


# ---------------------------------------------------------------------------
# Cell texts
# ---------------------------------------------------------------------------


def _header_vocabulary(tables: Iterable[Table]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Header words, and every label that can head a column (leaves and the groups over them)."""
    words = tuple(dict.fromkeys(label_words(w) for t in tables for w in t.header_words))
    labels = tuple(dict.fromkeys(part for t in tables for c in t.columns for part in c.path))
    return words, labels


def _reads_as_header(text: str, vocabulary: tuple[tuple[str, ...], tuple[str, ...]]) -> bool:
    """Header text names a column or carries a header word; a numbered label is a row, never a header."""
    numbering, words = split_numbering(text)
    if numbering or not words:
        return False
    header_words, labels = vocabulary
    words = label_words(text)
    if any(w in words for w in header_words):
        return True
    candidates = [*text.splitlines(), text]
    return any(similarity(c, label) >= COLUMN_THRESHOLD for c in candidates for label in labels)


@lru_cache(maxsize=4096)
def is_header_text(text: str) -> bool:
    """Whether text reads as a column header of any table of any form version."""
    return _reads_as_header(text, _header_vocabulary(t for form in FORMS.values() for t in form.tables))


def block_title(text: str) -> str | None:
    match = _BLOCK_TITLE_RE.search(compact(text))
    return f"第二十条第（{match.group(1)}）项" if match else None


# ---------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------


def _header_stack(grid: Grid, rows: Sequence[int], col: int) -> list[GridCell]:
    """The header cells over one grid column, outermost first, merged cells counted once."""
    stack: list[GridCell] = []
    for r in rows:
        cell = grid.at(r, col)
        if cell is not None and cell.text and not any(cell is s for s in stack):
            stack.append(cell)
    return stack


def _leaf_score(texts: list[str], column: Column) -> tuple[float, int]:
    """How well the bottom of a header stack names a column; a narrow header wraps onto several lines."""
    best, depth = 0.0, 1
    for k in range(1, min(_MAX_HEADER_LINES, len(texts)) + 1):
        score = similarity("".join(texts[-k:]), column.label)
        if score > best:
            best, depth = score, k
    return best, depth


def _column_score(texts: list[str], column: Column, parents: set[str]) -> float:
    """Leaf match, nudged by the outer headers: agreeing parents add, a rival parent subtracts."""
    leaf, depth = _leaf_score(texts, column)
    if leaf < COLUMN_THRESHOLD:
        return 0.0
    outer = texts[:-depth]
    adjustment = 0.0
    for text in outer:
        fits = {parent: similarity(text, parent) for parent in parents}
        best_parent = max(fits, key=fits.get, default=None)
        if best_parent is None or fits[best_parent] < COLUMN_THRESHOLD:
            continue
        adjustment += 0.1 if best_parent in column.path else -0.3
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
    units: list[tuple[list[int], list[str]]] = []
    previous_leaf: GridCell | None = None
    for col in range(grid.n_cols):
        stack = _header_stack(grid, header_rows, col)
        lines = _lines(stack)
        if above is not None:
            previous_col = _aligned_col(grid, col, above[0])
            if previous_col is not None:
                lines = _lines(_header_stack(above[0], above[1], previous_col)) + lines
        if not lines:
            previous_leaf = None
            continue
        leaf = stack[-1] if stack else None
        if units and leaf is not None and leaf is previous_leaf:
            units[-1][0].append(col)
        else:
            units.append(([col], lines))
        previous_leaf = leaf
    score = _score_matrix(tuple(tuple(lines) for _, lines in units), tuple(columns))
    assignment = align_header(score)
    mapped = {
        col: columns[j]
        for (cols, _), j in zip(units, assignment, strict=True)
        if j is not None
        for col in cols
    }
    left_out = [
        "".join(lines[-2:])
        for (_, lines), j, unit_scores in zip(units, assignment, score, strict=True)
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


# ---------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------


def _row_candidates(table: Table, block: Block | None, group_id: str | None):
    rows: Iterable[Row] = block.rows if block is not None else (*table.rows, *table.alternative_rows)
    for row in rows:
        bonus = 0.0
        if group_id is not None:
            bonus = 0.05 if row.group == group_id else -0.05
        yield row, row.label, bonus


@lru_cache(maxsize=16384)
def _choose_row(table: Table, block: Block | None, leaf: str, group_id: str | None) -> Choice | None:
    """The form row a printed label names, if confidently; within the current block first."""
    choice = best_match(leaf, _row_candidates(table, block, group_id))
    if block is not None and (choice is None or not choice.confident):
        choice = best_match(leaf, _row_candidates(table, None, group_id))
    return choice if choice is not None and choice.confident else None


def _group_choice(table: Table, text: str) -> Choice | None:
    return best_match(text, ((g, g.label, 0.0) for g in table.groups))


def _repeats(cells: list[GridCell], previous: list[GridCell]) -> bool:
    """A sliver row: every cell with text in it is a cell of the row above.

    Tables printed from web pages draw each cell's border apart (cellspacing), and
    the gap between two borders can open a thin grid row that merged cells span.
    """
    filled = [c for c in cells if c.text]
    return bool(filled) and all(any(c is p for p in previous) for c in filled)


@dataclass
class _PendingRow:
    """A printed row whose label did not match yet: its label may continue on the next line or page."""

    leaf: str
    grid: Grid | None  # where its values are, if it has any
    row: int


class _TableWalker:
    """Walks a table's grids row by row, keeping the context a reader keeps in their head."""

    def __init__(self, run: TableRun):
        self.table = run.table
        self.run = run
        self.reading = TableReading(run.table)
        self.block: Block | None = None
        self.column_map: dict[int, Column] = {}
        self.mapped_grid: Grid | None = None
        self.group_tail = ""  # text of the group cell still open at the bottom of the previous page
        self.pending: _PendingRow | None = None
        self.vocabulary = _header_vocabulary([run.table])
        self.open_header: tuple[Grid, list[int]] | None = None  # a header band that ended a page

    def problem(self, page: int, message: str, kind: str) -> None:
        self.reading.problems.append(Problem(self.table.id, page, message, kind))

    # -- row kinds ---------------------------------------------------------

    def is_header_cell(self, text: str) -> bool:
        return _reads_as_header(text, self.vocabulary)

    def is_header_row(self, cells: list[GridCell]) -> bool:
        if not any(self.is_header_cell(c.text) for c in cells):
            return False
        first = cells[0] if cells and cells[0].col0 == 0 else None
        if first is None or self.is_header_cell(first.text):
            return True
        choice = best_match(first.text, _row_candidates(self.table, None, None))
        return choice is None or not choice.confident

    # -- walking -----------------------------------------------------------

    def walk(self) -> TableReading:
        self.reading.grids = list(self.run.grids)
        for grid in self.run.grids:
            self.walk_grid(grid)
        self.flush_pending()
        return self.reading

    def walk_grid(self, grid: Grid) -> None:
        header_band: list[int] = []
        carried_over = self.mapped_grid is not None  # columns may continue from the previous page
        last_group_text = ""
        previous_cells: list[GridCell] = []
        for r in range(grid.n_rows):
            cells = grid.row_cells(r)
            if _repeats(cells, previous_cells):
                continue
            previous_cells = cells
            texts = [c.text for c in cells]
            title = next((t for t in map(block_title, texts) if t), None)
            if title is not None and all(block_title(t) or not t for t in texts):
                self.flush_pending()
                self.start_block(title)
                carried_over = False
                continue
            has_values = any(is_value_text(t) for t in texts if t)
            if not has_values and self.is_header_row(cells):
                header_band.append(r)
                continue
            if header_band:
                self.apply_header(grid, header_band)
                header_band = []
            elif carried_over and self.mapped_grid is not grid:
                self.continue_columns(grid)
            carried_over = False
            if not self.column_map:
                if has_values:
                    self.problem(grid.page, f"values without a readable header on page {grid.page}", "column")
                continue
            last_group_text = self.place_row(grid, r, last_group_text)
        if header_band:
            self.apply_header(grid, header_band)
            self.open_header = (grid, header_band)
        self.group_tail = last_group_text

    def continue_columns(self, grid: Grid) -> None:
        """A grid on a new page takes the columns of the one before, unless it repeats the header."""
        assert self.mapped_grid is not None
        self.column_map = align_columns(grid, self.mapped_grid, self.column_map)
        value_cols = {
            c
            for r in range(grid.n_rows)
            for cell in grid.row_cells(r)
            if cell.text and is_value_text(cell.text) and cell.col1 - cell.col0 == 1
            for c in range(cell.col0, cell.col1)
        }
        if value_cols - set(self.column_map):
            self.problem(grid.page, f"column count mismatch on page {grid.page}", "column")
            self.column_map = {c: col for c, col in self.column_map.items() if c in value_cols}
        self.mapped_grid = grid

    def start_block(self, title: str) -> None:
        self.block = next((b for b in self.table.blocks if compact(b.title) == compact(title)), None)
        self.column_map = {}
        self.mapped_grid = None
        self.open_header = None

    def apply_header(self, grid: Grid, header_rows: list[int]) -> None:
        columns = self.block.columns if self.block is not None else self.table.columns
        above = self.open_header if header_rows[0] == 0 and self.open_header is not None else None
        self.column_map, left_out = map_header_columns(grid, header_rows, columns, above)
        if not self.column_map and self.block is not None:
            # A header that fits none of the current block's columns starts another block
            # whose title was lost (or printed where it could not be read).
            self.block = None
            self.column_map, left_out = map_header_columns(grid, header_rows, self.table.columns, above)
        for header in left_out:
            self.problem(
                grid.page, f"column header {header!r} out of the form's order (page {grid.page})", "column"
            )
        self.mapped_grid = grid
        self.open_header = None

    # -- one row -----------------------------------------------------------

    def label_cells(self, grid: Grid, r: int) -> list[GridCell]:
        first_value_col = min(self.column_map)
        return [c for c in grid.row_cells(r) if c.col1 <= first_value_col]

    def resolve_group(self, cells: list[GridCell]) -> tuple[str | None, str]:
        """The group (e.g. （三）不予公开) a row sits in, joining a group label cut by the page break."""
        group_id = None
        last_text = ""
        for cell in cells[:-1]:
            text = cell.text
            if cell.row0 == 0 and self.group_tail and text:
                joined = self.group_tail + text
                alone, together = _group_choice(self.table, text), _group_choice(self.table, joined)
                if together and together.confident and (alone is None or together.score > alone.score):
                    text = joined
            choice = _group_choice(self.table, text)
            if choice is not None and choice.confident:
                group = choice.item
                if group.parent is not None or group_id is None:
                    group_id = group.id
            if text:
                last_text = text
        return group_id, last_text

    @staticmethod
    def leaf_text(cells: list[GridCell]) -> str:
        """The row's own label: the rightmost label cell, else the rightmost one-row cell with text."""
        if not cells:
            return ""
        if cells[-1].text:
            return cells[-1].text
        own = [c for c in cells if c.text and c.row1 - c.row0 == 1]
        return own[-1].text if own else ""

    def place_row(self, grid: Grid, r: int, last_group_text: str) -> str:
        label_cells = self.label_cells(grid, r)
        has_values = any((c := grid.at(r, col)) is not None and c.text for col in self.column_map)
        group_id, group_text = self.resolve_group(label_cells)
        leaf = self.leaf_text(label_cells)
        if not leaf:
            self.place_unlabelled(grid, r, has_values)
            return group_text or last_group_text
        choice = self.choose_row(leaf, group_id)
        if choice is None:
            if not self.continue_pending(leaf, group_id, grid, r, has_values):
                self.flush_pending()
                self.pending = _PendingRow(leaf, grid if has_values else None, r)
        else:
            self.flush_pending()
            self.place_values(grid, r, choice.item, choice.score)
        return group_text or last_group_text

    def place_unlabelled(self, grid: Grid, r: int, has_values: bool) -> None:
        """Table 四 has one row and no label column; elsewhere values without a label are reported."""
        if len(self.table.rows) == 1 and not self.label_cells(grid, r):
            if has_values or not self.reading.printed_rows:
                self.place_values(grid, r, self.table.rows[0], 1.0)
        elif has_values:
            self.problem(grid.page, f"values without a row label on page {grid.page}", "row")

    def choose_row(self, leaf: str, group_id: str | None) -> Choice | None:
        return _choose_row(self.table, self.block, leaf, group_id)

    def continue_pending(self, leaf: str, group_id: str | None, grid: Grid, r: int, has_values: bool) -> bool:
        """Join a label split over two lines or pages (values on either part) and place it."""
        pending = self.pending
        if pending is None or (pending.grid is not None and has_values):
            return False
        choice = self.choose_row(pending.leaf + leaf, group_id)
        if choice is None:
            return False
        self.pending = None
        values_grid, values_row = (pending.grid, pending.row) if pending.grid is not None else (grid, r)
        self.place_values(values_grid, values_row, choice.item, choice.score)
        return True

    def flush_pending(self) -> None:
        """A label that never matched: report it if it carried values."""
        if self.pending is not None and self.pending.grid is not None:
            shown = compact(self.pending.leaf)[:40]
            page = self.pending.grid.page
            self.problem(page, f"row label unmatched: {shown!r} (page {page})", "row")
        self.pending = None

    def place_values(self, grid: Grid, r: int, row: Row, score: float) -> None:
        block = self.table.block_of(row.id) if row in self.table.rows else self.table.blocks[0]
        wanted = {c.id for c in block.columns}
        cols_by_column: dict[str, list[int]] = {}
        for col, column in self.column_map.items():
            cols_by_column.setdefault(column.id, []).append(col)
        self.reading.printed_rows.append(row.id)
        self.reading.label_scores.append(score)
        first_value_col = min(self.column_map, default=grid.n_cols)
        label_boxes = [c.bbox for c in grid.row_cells(r) if c.col1 <= first_value_col] or [
            (grid.bbox[0], grid.row_edges[r], grid.bbox[0], grid.row_edges[r + 1])
        ]
        label_box = (
            min(b[0] for b in label_boxes),
            grid.row_edges[r],
            max(b[2] for b in label_boxes),
            grid.row_edges[r + 1],
        )
        self.reading.row_labels.append((row.id, grid.page, label_box))
        for column_id, cols in cols_by_column.items():
            if column_id not in wanted:
                continue
            cells = {id(c): c for c in (grid.at(r, col) for col in cols) if c is not None}
            if len(cells) != 1:
                continue
            cell = next(iter(cells.values()))
            spans_other = any(
                col in self.column_map and self.column_map[col].id != column_id
                for col in range(cell.col0, cell.col1)
            )
            if spans_other:
                message = f"a value cell of {row.label} spans several columns (page {grid.page})"
                self.problem(grid.page, message, "column")
                continue
            self.reading.cells.append(
                PlacedCell(self.table.id, row.id, column_id, cell.text, grid.page, cell.bbox)
            )


def read_table(run: TableRun) -> TableReading:
    """Match one table's printed rows and columns to the form."""
    return _TableWalker(run).walk()
