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
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache

import jieba

from .forms import Block, Column, Row, Table
from .tables import Grid, GridCell, TableRun
from .text import compact, label_words, split_numbering

jieba.setLogLevel(logging.WARNING)

ROW_THRESHOLD = 0.72
COLUMN_THRESHOLD = 0.75
MARGIN = 0.08
_BLOCK_TITLE_RE = re.compile(r"第二十条第?\(?([一二三四五六七八九十]+)\)?项")
_VALUE_RE = re.compile(r"^[-−+]?[\d,，.．]+")
_NOT_APPLICABLE = {"/", "—", "-", "——", "－", "―", "\\", "无", "×"}


@dataclass(frozen=True)
class PlacedCell:
    """A printed cell placed on the form."""

    table: str
    row: str
    column: str
    raw: str
    page: int
    note: str = ""


@dataclass(frozen=True)
class Problem:
    table: str
    page: int
    message: str


@dataclass
class TableReading:
    """What the matcher made of one table: placed cells, problems, and the rows as printed."""

    table: Table
    cells: list[PlacedCell] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    printed_rows: list[str] = field(default_factory=list)  # matched row ids, in print order
    label_scores: list[float] = field(default_factory=list)


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


def looks_like_value(text: str) -> bool:
    """Digits, or a mark that stands for 'not applicable'."""
    text = compact(text)
    return bool(_VALUE_RE.match(text)) or text in _NOT_APPLICABLE


def block_title(text: str) -> str | None:
    match = _BLOCK_TITLE_RE.search(compact(text))
    return f"第二十条第（{match.group(1)}）项" if match else None


# ---------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------


def _header_stack(grid: Grid, rows: Sequence[int], col: int) -> list[str]:
    """The header texts over one grid column, outermost first, merged cells counted once."""
    stack: list[str] = []
    seen: list[GridCell] = []
    for r in rows:
        cell = grid.at(r, col)
        if cell is None or any(cell is s for s in seen):
            continue
        seen.append(cell)
        if cell.text:
            stack.append(cell.text)
    return stack


def _column_score(stack: list[str], column: Column) -> float:
    if not stack:
        return 0.0
    leaf = similarity(stack[-1], column.label)
    if leaf < COLUMN_THRESHOLD:
        return 0.0
    parents = column.path[:-1]
    if not parents:
        return leaf
    outer = stack[:-1]
    parent_scores = [max((similarity(text, parent) for text in outer), default=0.0) for parent in parents]
    return (leaf + sum(parent_scores)) / (1 + len(parents))


def map_header_columns(
    grid: Grid, header_rows: Sequence[int], columns: Sequence[Column]
) -> tuple[dict[int, Column], list[str]]:
    """Assign grid columns to form columns from the header band's text."""
    assigned: dict[int, Column] = {}
    leaf_cells: dict[int, GridCell | None] = {}
    problems: list[str] = []
    for col in range(grid.n_cols):
        stack = _header_stack(grid, header_rows, col)
        scores = sorted(((_column_score(stack, c), i) for i, c in enumerate(columns)), reverse=True)
        if not scores or scores[0][0] < COLUMN_THRESHOLD:
            continue
        best_score, best_index = scores[0]
        runner_up = scores[1][0] if len(scores) > 1 else 0.0
        if best_score - runner_up < MARGIN / 2:
            problems.append(f"header {stack[-1]!r} fits several columns")
            continue
        assigned[col] = columns[best_index]
        leaf_cells[col] = grid.at(header_rows[-1], col)
    # One form column may span several grid columns only through one merged header cell.
    by_column: dict[str, list[int]] = {}
    for col, column in assigned.items():
        by_column.setdefault(column.id, []).append(col)
    for column_id, cols in by_column.items():
        if len({id(leaf_cells[c]) for c in cols}) > 1:
            problems.append(f"column {column_id} found under several headers")
            for col in cols:
                del assigned[col]
    return assigned, problems


def align_columns(grid: Grid, previous: Grid, previous_map: dict[int, Column]) -> dict[int, Column]:
    """Carry a header mapping onto a continuation grid by where its columns sit on the page."""
    mapped: dict[int, Column] = {}
    for col in range(grid.n_cols):
        center = grid.col_center(col)
        for prev_col, column in previous_map.items():
            half_width = (previous.col_edges[prev_col + 1] - previous.col_edges[prev_col]) / 2
            if abs(previous.col_center(prev_col) - center) < half_width:
                mapped[col] = column
                break
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


def _group_choice(table: Table, text: str) -> Choice | None:
    return best_match(text, ((g, g.label, 0.0) for g in table.groups))


class _TableWalker:
    """Walks a table's grids row by row, keeping the context a reader keeps in their head."""

    def __init__(self, run: TableRun):
        self.table = run.table
        self.run = run
        self.reading = TableReading(run.table)
        self.block: Block | None = None
        self.column_map: dict[int, Column] = {}
        self.mapped_grid: Grid | None = None
        self.group_tail: str = ""  # text of the group cell open at the bottom of the previous page

    def problem(self, page: int, message: str) -> None:
        self.reading.problems.append(Problem(self.table.id, page, message))

    def is_header_cell(self, text: str) -> bool:
        """Header text names a column or carries a header word; a numbered label is a row, never a header."""
        numbering, words = split_numbering(text)
        if numbering or not words:
            return False
        words = label_words(text)
        if any(label_words(w) in words for w in self.table.header_words):
            return True
        return any(similarity(text, c.label) >= COLUMN_THRESHOLD for c in self.table.columns)

    def is_header_row(self, cells: list[GridCell]) -> bool:
        if not any(self.is_header_cell(c.text) for c in cells):
            return False
        first = cells[0] if cells and cells[0].col0 == 0 else None
        if first is None or self.is_header_cell(first.text):
            return True
        choice = best_match(first.text, _row_candidates(self.table, None, None))
        return choice is None or not choice.confident

    def walk(self) -> TableReading:
        for grid in self.run.grids:
            self.walk_grid(grid)
        return self.reading

    def walk_grid(self, grid: Grid) -> None:
        header_band: list[int] = []
        inherited = False
        if self.mapped_grid is not None:
            self.column_map = align_columns(grid, self.mapped_grid, self.column_map)
            inherited = True
        last_group_text = ""
        for r in range(grid.n_rows):
            cells = grid.row_cells(r)
            texts = [c.text for c in cells]
            title = next((t for t in map(block_title, texts) if t), None)
            if title is not None and all(block_title(t) or not t for t in texts):
                self.start_block(title)
                continue
            has_values = any(looks_like_value(t) for t in texts if t)
            if not has_values and self.is_header_row(cells):
                header_band.append(r)
                continue
            if header_band:
                self.apply_header(grid, header_band)
                header_band = []
                inherited = False
            if not self.column_map:
                if has_values:
                    self.problem(grid.page, f"values without a readable header in row {r + 1}")
                continue
            if inherited and r == 0 and not self.column_map:
                self.problem(grid.page, f"column count mismatch on page {grid.page}")
            last_group_text = self.place_row(grid, r, last_group_text)
        if header_band:
            self.apply_header(grid, header_band)
        self.group_tail = last_group_text

    def start_block(self, title: str) -> None:
        self.block = next((b for b in self.table.blocks if compact(b.title) == compact(title)), None)
        self.column_map = {}
        self.mapped_grid = None

    def apply_header(self, grid: Grid, header_rows: list[int]) -> None:
        columns = self.block.columns if self.block is not None else self.table.columns
        self.column_map, problems = map_header_columns(grid, header_rows, columns)
        for message in problems:
            self.problem(grid.page, message)
        self.mapped_grid = grid

    def label_cells(self, grid: Grid, r: int) -> list[GridCell]:
        first_value_col = min(self.column_map)
        return [c for c in grid.row_cells(r) if c.col1 <= first_value_col]

    def resolve_group(self, grid: Grid, r: int, cells: list[GridCell]) -> tuple[str | None, str]:
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

    def place_row(self, grid: Grid, r: int, last_group_text: str) -> str:
        label_cells = self.label_cells(grid, r)
        value_cols = sorted(self.column_map)
        value_cells = {col: grid.at(r, col) for col in value_cols}
        has_values = any(c is not None and c.text for c in value_cells.values())
        group_id, group_text = self.resolve_group(grid, r, label_cells)
        leaf = label_cells[-1].text if label_cells else ""
        if leaf and not has_values and r > 0 and compact(leaf) == compact(group_text):
            return group_text or last_group_text
        row = self.match_row(leaf, group_id, grid, r, has_values)
        if row is not None:
            self.place_values(grid, r, row)
        return group_text or last_group_text

    def match_row(self, leaf: str, group_id: str | None, grid: Grid, r: int, has_values: bool) -> Row | None:
        rows_here = self.block.rows if self.block is not None else self.table.rows
        if not leaf:
            if len(self.table.rows) == 1 and not self.label_cells(grid, r):
                return self.table.rows[0] if has_values or not self.reading.printed_rows else None
            if has_values:
                self.problem(grid.page, f"row {r + 1} on page {grid.page} has values but no label")
            return None
        block = self.block if self.block is not None and len(rows_here) else None
        choice = best_match(leaf, _row_candidates(self.table, block, group_id))
        if block is not None and (choice is None or not choice.confident):
            choice = best_match(leaf, _row_candidates(self.table, None, group_id))
        if choice is None or not choice.confident:
            if has_values:
                shown = compact(leaf)[:40]
                self.problem(grid.page, f"row label unmatched: {shown!r} (page {grid.page})")
            return None
        self.reading.label_scores.append(choice.score)
        return choice.item

    def place_values(self, grid: Grid, r: int, row: Row) -> None:
        block = self.table.block_of(row.id) if row in self.table.rows else self.table.blocks[0]
        wanted = {c.id for c in block.columns}
        cells_by_column: dict[str, list[int]] = {}
        for col, column in self.column_map.items():
            cells_by_column.setdefault(column.id, []).append(col)
        self.reading.printed_rows.append(row.id)
        for column_id, cols in cells_by_column.items():
            if column_id not in wanted:
                continue
            cells = {id(c): c for c in (grid.at(r, col) for col in cols) if c is not None}
            if len(cells) != 1:
                continue
            cell = next(iter(cells.values()))
            spans_other = any(
                self.column_map.get(col) is not None and self.column_map[col].id != column_id
                for col in range(cell.col0, cell.col1)
            )
            if spans_other:
                self.problem(grid.page, f"a value cell of row {row.id} spans several columns")
                continue
            self.reading.cells.append(PlacedCell(self.table.id, row.id, column_id, cell.text, grid.page))


def read_table(run: TableRun) -> TableReading:
    """Match one table's printed rows and columns to the form."""
    return _TableWalker(run).walk()
