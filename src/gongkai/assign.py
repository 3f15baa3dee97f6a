"""Stage 4: sort grids into the form's tables, by their content, else by the section they follow.

A continuation page without header rows still carries the table's row labels;
a grid with neither is taken for the table whose section heading precedes it.
"""

from __future__ import annotations

from functools import lru_cache

from .forms import SHARED_TABLE_WORDS, Form, Table
from .labels import compact, label_words
from .model import Grid, Heading, TableRun
from .settings import DEFAULT

_SETTINGS = DEFAULT.grid


@lru_cache(maxsize=16)
def _signature_words(table: Table) -> frozenset[str]:
    words = {label_words(row.label) for row in (*table.rows, *table.alternative_rows)}
    words |= {label_words(part) for column in table.columns for part in column.path}
    words |= {label_words(block.title) for block in table.blocks if block.title}
    words |= {label_words(word) for word in table.header_words}
    return frozenset(w for w in words if w and w not in SHARED_TABLE_WORDS)


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
    """Group grids into the form's tables by their content, falling back on the section headings."""
    runs: dict[str, TableRun] = {}
    for grid in grids:
        hits = {table.id: signature_hits(grid, table) for table in form.tables}
        best = max(form.tables, key=lambda t: hits[t.id])
        filled = sum(1 for cell in grid.cells if cell.text)
        # Two labels of a table mark it; so does a grid of nothing but one (a block title
        # such as 第二十条第（五）项 printed as a table of its own at the foot of a page).
        marked = hits[best.id] >= _SETTINGS.min_signature_hits or 0 < hits[best.id] == filled
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
