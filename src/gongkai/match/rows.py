"""Stage 5b: walk a table's grids row by row and place each printed row on the form.

A label is placed only when its best candidate is both good enough and clearly
better than the runner-up; anything else is reported, never forced onto the
nearest row. The walker keeps the context a reader keeps in their head: the
current block of table 二, the group cell a row sits under, a label or header
cut by a page break.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from ..forms import Block, Column, Row, Table, ValueKind
from ..labels import (
    Choice,
    best_match,
    block_title,
    compact,
    header_vocabulary,
    reads_as_header,
    split_numbering,
)
from ..model import Grid, GridCell, PlacedCell, Problem, ProblemKind, TableGeometry, TableReading, TableRun
from ..numbers import is_value_text, parse_value
from ..settings import DEFAULT
from .columns import align_columns, map_header_columns

_SETTINGS = DEFAULT.match


def _row_candidates(table: Table, block: Block | None, group_id: str | None):
    rows: Iterable[Row] = block.rows if block is not None else (*table.rows, *table.alternative_rows)
    for row in rows:
        bonus = 0.0
        if group_id is not None:
            bonus = _SETTINGS.group_bonus if row.group == group_id else -_SETTINGS.group_bonus
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
    if not filled:
        return False
    previous_cells = {id(p) for p in previous}
    return all(id(c) in previous_cells for c in filled)


@dataclass
class _PendingRow:
    """A printed row whose label did not match yet: its label may continue on the next line or page."""

    leaf: str
    grid: Grid | None  # where its values are, if it has any
    row: int
    # Grid column -> the form's column in that grid: the next page's grid may have other label
    # columns, and its map read this row's label as its first value.
    column_map: dict[int, Column]


class _TableWalker:
    """Walks a table's grids row by row, keeping the context a reader keeps in their head."""

    def __init__(self, run: TableRun, geometry: TableGeometry):
        self.table = run.table
        self.run = run
        self.reading = TableReading(run.table)
        self.geometry = geometry
        self.block: Block | None = None
        self.form_rows = frozenset(run.table.rows)  # a set: `in` on the tuple compares rows field by field
        self.column_map = {}
        self.mapped_grid: Grid | None = None
        self.group_tail = ""  # text of the group cell still open at the bottom of the previous page
        self.pending: _PendingRow | None = None
        self.vocabulary = header_vocabulary([run.table])
        # A group cell spans its rows, so each of them asks for the same text's group.
        self.group_choices: dict[str, Choice | None] = {}
        self.open_header: tuple[Grid, list[int]] | None = None  # a header band that ended a page
        # Printed value cells and the indices in reading.cells of the form cells placed from
        # each: a cell merged over several rows is one printed number for all of them
        self.printed_cells: dict[int, tuple[GridCell, list[int]]] = {}
        # column id -> value cell placed in the last row of the grid before, which a page break
        # may continue at the top of the next grid
        self.cells_at_page_end: dict[str, tuple[int, GridCell]] = {}
        self.cells_at_grid_end: dict[str, tuple[int, GridCell]] = {}

    @property
    def column_map(self) -> dict[int, Column]:
        """Grid column -> the form's column, for the grid being walked."""
        return self._column_map

    @column_map.setter
    def column_map(self, column_map: dict[int, Column]) -> None:
        # What every row placed under this map needs, worked out once per map. A map is
        # replaced, never changed in place, so this stays true until the next assignment.
        self._column_map = column_map
        self.cols_by_column: dict[str, list[int]] = {}
        for col, column in column_map.items():
            self.cols_by_column.setdefault(column.id, []).append(col)
        self.first_value_col = min(column_map, default=None)

    def problem(self, page: int, message: str, kind: ProblemKind) -> None:
        self.reading.problems.append(Problem(self.table.id, page, message, kind))

    # -- row kinds ---------------------------------------------------------

    def is_header_cell(self, text: str) -> bool:
        return reads_as_header(text, self.vocabulary)

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
        self.geometry.grids = list(self.run.grids)
        for grid in self.run.grids:
            self.cells_at_page_end, self.cells_at_grid_end = self.cells_at_grid_end, {}
            self.walk_grid(grid)
        self.flush_pending()
        self.settle_shared_cells()
        return self.reading

    def settle_shared_cells(self) -> None:
        """A value cell merged over several form rows (（六）其他处理's three sub-rows under one
        cell) prints one number for all of them. Where every value cell of those rows is merged
        alike (one rule missing in a column would merge that column only), a cell printing 0 is
        0 for each row: counts are never negative, so a share of nothing is nothing. Any other
        number cannot be shared out, and is placed in none of them."""
        shared: dict[tuple[str, ...], list[tuple[GridCell, list[int]]]] = {}
        for cell, indices in self.printed_cells.values():
            rows = tuple(dict.fromkeys(self.reading.cells[i].row for i in indices))
            if len(rows) > 1:
                shared.setdefault(rows, []).append((cell, indices))
        by_id = {row.id: row for row in (*self.table.rows, *self.table.alternative_rows)}
        kinds = {column.id: column.kind for column in self.table.columns}
        dropped: set[int] = set()
        for rows, cells in shared.items():
            merged_alike = len(cells) == len(self.row_block(by_id[rows[0]]).columns)
            for cell, indices in cells:
                first = self.reading.cells[indices[0]]
                kind = kinds[first.column]
                if merged_alike and kind is ValueKind.COUNT and parse_value(cell.text, kind).value == 0:
                    for i in indices:
                        self.reading.cells[i] = replace(self.reading.cells[i], raw=cell.text, page=first.page)
                elif cell.text.strip():
                    dropped |= set(indices)
                    labels = " / ".join(by_id[row_id].label for row_id in rows)
                    shown = cell.text.strip()
                    message = f"one value cell {shown!r} spans the rows {labels} (page {first.page})"
                    self.problem(first.page, message, ProblemKind.COLUMN)
                    for i in indices:
                        placed = self.reading.cells[i]
                        self.reading.shared[placed.row, placed.column] = f"not shared out: {message}"
        if dropped:
            self.reading.cells = [c for i, c in enumerate(self.reading.cells) if i not in dropped]

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
            has_values = any(map(is_value_text, filter(None, texts)))
            if not has_values and (
                self.is_header_row(cells) or self.continues_open_header(grid, header_band, r)
            ):
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
                    self.problem(
                        grid.page, f"values without a readable header on page {grid.page}", ProblemKind.COLUMN
                    )
                continue
            last_group_text = self.place_row(grid, r, last_group_text)
        if header_band:
            self.apply_header(grid, header_band)
            self.open_header = (grid, header_band)
        self.group_tail = last_group_text

    def continues_open_header(self, grid: Grid, header_band: list[int], r: int) -> bool:
        """Whether row `r`, at the top of a page after a header band that ended the page before,
        prints the rest of that header's cells: a header row broken by the page break, whose
        pieces (企业 under 商业, 益组织 under 社会公) read as no header on their own. Only when
        reading them on top of the band above names more of the form's columns."""
        if self.open_header is None or header_band != list(range(r)):
            return False
        columns = self.block.columns if self.block is not None else self.table.columns
        before = self.column_map
        if header_band:
            before = map_header_columns(grid, header_band, columns, self.open_header)[0]
        after = map_header_columns(grid, [*header_band, r], columns, self.open_header)[0]
        return len(set(after.values())) > len(set(before.values()))

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
            self.problem(grid.page, f"column count mismatch on page {grid.page}", ProblemKind.COLUMN)
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
                grid.page,
                f"column header {header!r} out of the form's order (page {grid.page})",
                ProblemKind.COLUMN,
            )
        self.mapped_grid = grid
        self.open_header = None

    # -- one row -----------------------------------------------------------

    def label_cells(self, grid: Grid, r: int) -> list[GridCell]:
        first_value_col = self.first_value_col
        return [c for c in grid.row_cells(r) if c.col1 <= first_value_col]

    def group_choice(self, text: str) -> Choice | None:
        if text not in self.group_choices:
            self.group_choices[text] = _group_choice(self.table, text)
        return self.group_choices[text]

    def resolve_group(self, cells: list[GridCell]) -> tuple[str | None, str]:
        """The group (e.g. （三）不予公开) a row sits in, from its label cells but its own
        (`leaf_cell`), joining a group label cut by the page break."""
        group_id = None
        last_text = ""
        for cell in cells:
            text = cell.text
            if cell.row0 == 0 and self.group_tail and text:
                joined = self.group_tail + text
                alone, together = self.group_choice(text), self.group_choice(joined)
                if together and together.confident and (alone is None or together.score > alone.score):
                    text = joined
            choice = self.group_choice(text)
            if choice is not None and choice.confident:
                group = choice.item
                if group.parent is not None or group_id is None:
                    group_id = group.id
            if text:
                last_text = text
        return group_id, last_text

    def leaf_cell(self, grid: Grid, r: int, cells: list[GridCell]) -> GridCell | None:
        """The row's own label cell: the rightmost label cell, else the rightmost one-row cell
        with text; the other label cells are the groups it sits in (`resolve_group`).

        A group cell is no row's own label: where the rightmost label cell spans rows that have
        label cells right of it, the row's own label cell is missing from the label columns (on a
        scan, a rule lost under a seal merged it with its first value), and the group's text
        would place the row wrongly ((六)其他处理 names the 2019 form's row)."""
        if not cells:
            return None
        if cells[-1].text and not self.is_group_cell(grid, r, cells[-1]):
            return cells[-1]
        own = [c for c in cells if c.text and c.row1 - c.row0 == 1]
        return own[-1] if own else None

    def is_group_cell(self, grid: Grid, r: int, cell: GridCell) -> bool:
        """Whether a label cell stands left of the labels of other rows it spans."""
        return any(
            other.col0 >= cell.col1
            for row in range(cell.row0, cell.row1)
            if row != r
            for other in self.label_cells(grid, row)
        )

    def place_row(self, grid: Grid, r: int, last_group_text: str) -> str:
        label_cells = self.label_cells(grid, r)
        has_values = any((c := grid.at(r, col)) is not None and c.text for col in self.column_map)
        leaf_cell = self.leaf_cell(grid, r, label_cells)
        group_id, group_text = self.resolve_group([c for c in label_cells if c is not leaf_cell])
        leaf = leaf_cell.text if leaf_cell is not None else ""
        if not leaf:
            self.place_unlabelled(grid, r, has_values)
            return group_text or last_group_text
        if self.ends_pending_and_starts_a_row(leaf, group_id, grid, r, has_values):
            return group_text or last_group_text
        choice = self.choose_row(leaf, group_id)
        finishes = choice is not None and self.finishes_pending(leaf, r, has_values)
        if finishes and self.continue_pending(leaf, group_id, grid, r, has_values):
            return group_text or last_group_text
        if choice is None:
            if not self.continue_pending(leaf, group_id, grid, r, has_values):
                self.flush_pending()
                self.pending = _PendingRow(leaf, grid if has_values else None, r, self.column_map)
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
            self.problem(grid.page, f"values without a row label on page {grid.page}", ProblemKind.ROW)

    def choose_row(self, leaf: str, group_id: str | None) -> Choice | None:
        return _choose_row(self.table, self.block, leaf, group_id)

    def finishes_pending(self, leaf: str, r: int, has_values: bool) -> bool:
        """Whether an unnumbered label without values at the top of a page ends the numbered
        label, with values, that the page before ended on (6.属于 / 四类过程性信息): read
        alone it may name the row too, but its numbers are the ones above the page break."""
        pending = self.pending
        return (
            r == 0
            and not has_values
            and pending is not None
            and pending.grid is not None
            and bool(split_numbering(pending.leaf)[0])
            and not split_numbering(leaf)[0]
        )

    def continue_pending(self, leaf: str, group_id: str | None, grid: Grid, r: int, has_values: bool) -> bool:
        """Join a label split over two lines or pages (values on either part) and place it."""
        pending = self.pending
        if pending is None or (pending.grid is not None and has_values):
            return False
        choice = self.choose_row(pending.leaf + leaf, group_id)
        if choice is None:
            return False
        self.pending = None
        if pending.grid is not None:
            self.place_pending_values(pending, choice)
        else:
            self.place_values(grid, r, choice.item, choice.score)
        return True

    def ends_pending_and_starts_a_row(
        self, leaf: str, group_id: str | None, grid: Grid, r: int, has_values: bool
    ) -> bool:
        """Place a row the page before ended on, its values there and its label cut by the page
        break, and the row whose label cell at the top of this page holds the rest of that label
        above its own (机关不再处理其政府信息公开申请 / 2.申请人逾期未按收费通知…): where the rule
        between them was not found, they are one cell with this row's values. Only where the
        lines before the numbered one finish the label before and the rest names a row of its own."""
        pending = self.pending
        if (
            r != 0
            or not has_values
            or pending is None
            or pending.grid is None
            or pending.grid.page >= grid.page
        ):
            return False
        lines = [line for line in leaf.splitlines() if line.strip()]
        numbered = next((k for k in range(1, len(lines)) if split_numbering(lines[k])[0]), None)
        if numbered is None:
            return False
        finished = self.choose_row(pending.leaf + "".join(lines[:numbered]), group_id)
        own = self.choose_row("\n".join(lines[numbered:]), group_id)
        if finished is None or own is None or finished.item is own.item:
            return False
        self.pending = None
        self.place_pending_values(pending, finished)
        self.place_values(grid, r, own.item, own.score)
        return True

    def place_pending_values(self, pending: _PendingRow, choice: Choice) -> None:
        """The values of a row whose label matched late, read under the column map of their grid."""
        current = self.column_map
        self.column_map = pending.column_map
        try:
            self.place_values(pending.grid, pending.row, choice.item, choice.score)
        finally:
            self.column_map = current

    def flush_pending(self) -> None:
        """A label that never matched: report it if it carried values."""
        if self.pending is not None and self.pending.grid is not None:
            shown = compact(self.pending.leaf)[:40]
            page = self.pending.grid.page
            self.problem(page, f"row label unmatched: {shown!r} (page {page})", ProblemKind.ROW)
        self.pending = None

    def row_block(self, row: Row) -> Block:
        """The block a row's columns come from; a group printed as one row has the first's."""
        return self.table.block_of(row.id) if row in self.form_rows else self.table.blocks[0]

    def place_values(self, grid: Grid, r: int, row: Row, score: float) -> None:
        block = self.row_block(row)
        wanted = {c.id for c in block.columns}
        self.reading.printed_rows.append(row.id)
        self.reading.row_scores.append(score)
        first_value_col = grid.n_cols if self.first_value_col is None else self.first_value_col
        label_boxes = [c.bbox for c in grid.row_cells(r) if c.col1 <= first_value_col] or [
            (grid.bbox[0], grid.row_edges[r], grid.bbox[0], grid.row_edges[r + 1])
        ]
        label_box = (
            min(b[0] for b in label_boxes),
            grid.row_edges[r],
            max(b[2] for b in label_boxes),
            grid.row_edges[r + 1],
        )
        self.geometry.row_labels.append((row.id, grid.page, label_box))
        for column_id, cols in self.cols_by_column.items():
            if column_id not in wanted:
                continue
            if len(cols) == 1:  # most form columns: one grid column, so at most one cell
                cell = grid.at(r, cols[0])
            else:
                cells = {id(c): c for col in cols if (c := grid.at(r, col)) is not None}
                cell = next(iter(cells.values())) if len(cells) == 1 else None
            if cell is None:
                continue
            # A cell one column wide covers only a column of this form column.
            spans_other = cell.col1 - cell.col0 > 1 and any(
                col in self.column_map and self.column_map[col].id != column_id
                for col in range(cell.col0, cell.col1)
            )
            if spans_other:
                message = f"a value cell of {row.label} spans several columns (page {grid.page})"
                self.problem(grid.page, message, ProblemKind.COLUMN)
                continue
            printed = self.continued_cell(grid, r, column_id, cell)
            self.printed_cells.setdefault(id(printed), (printed, []))[1].append(len(self.reading.cells))
            if cell.row1 == grid.n_rows:
                self.cells_at_grid_end[column_id] = (grid.page, cell)
            self.reading.cells.append(
                PlacedCell(self.table.id, row.id, column_id, cell.text, grid.page, cell.bbox)
            )
            self.geometry.value_boxes.append((row.id, column_id, grid.page, cell.bbox))

    def continued_cell(self, grid: Grid, r: int, column_id: str, cell: GridCell) -> GridCell:
        """The printed cell that `cell` is part of: the one that ended the page before, when
        `cell` starts the page over the rest of a row broken by the page break (grid row 0, placed
        with no row of its own) and reaches down into the row `r` below it. A merged cell is a
        rectangle: whatever covers the rest of a broken row is the cell that covered its start."""
        page, earlier = self.cells_at_page_end.get(column_id, (grid.page, cell))
        if page >= grid.page or cell.row0 != 0 or r == 0 or id(cell) in self.printed_cells:
            return cell
        return earlier


def read_table(run: TableRun, geometry: TableGeometry | None = None) -> TableReading:
    """Match one table's printed rows and columns to the form.

    Where the rows and values were found on the pages goes into `geometry`, when
    one is given (for `review`): the reading itself holds only what was read.
    """
    return _TableWalker(run, geometry if geometry is not None else TableGeometry()).walk()
