"""Settle the witnesses: what the grid reading and the form-driven reading say, cell by cell.

The form-driven reading runs only on a table the grid reading left incomplete or whose printed
numbers, as read, break a rule (or leave one unchecked). Then, for each cell:

- both read the same number (or both saw it blank): the value stands, read by both;
- both read a number and the numbers differ: the cell is left empty, noted `conflict` with both
  readings;
- only one read a number: the grid's number stands as it did before this witness existed; the
  form reading's number is taken only when that reading completes the table, agrees with every
  number the grid read in it, and satisfies every rule the cell takes part in. A grid that saw
  the cell blank and a form reading that saw a number there, unconfirmed, is a conflict too.

Rows are placed by the readings' labels and positions, never by the arithmetic, which cannot
see two whole rows swapped: the arithmetic only confirms a reading, it never moves a number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .checks import run_checks
from .form_reading import CellKey, WitnessCell
from .forms import FORMS, Form, Row, Table
from .records import frame
from .values import parse_value

GRID, FORM, BOTH = "grid", "form", "grid+form"
CONFLICT = "conflict"
PASSED = "passed"
_BLANK = "blank cell"

Reader = Callable[[Table, Sequence[Row]], dict[CellKey, WitnessCell]]


def _key(record: dict) -> CellKey:
    return record["table"], record["row_id"], record["column_id"]


def _doubtful_cells(form: Form, records: list[dict]) -> set[str]:
    """Tables whose grid reading is incomplete or whose numbers break or escape a rule."""
    doubtful = set()
    for record in records:
        note = record["note"] or ""
        if record["page"] is None or note.startswith(("text", "row printed more than once")):
            doubtful.add(record["table"])
    for check in run_checks(form, frame("cells", records)):
        if check.status != PASSED:
            doubtful |= {cell.split("/")[0] for cell in check.cells}
    return doubtful


def _rows(table: Table, records: list[dict]) -> list[Row]:
    by_id = {row.id: row for row in (*table.rows, *table.alternative_rows)}
    return [by_id[row_id] for row_id in dict.fromkeys(r["row_id"] for r in records)]


def _column_kind(table: Table, column_id: str):
    return next(c.kind for c in table.columns if c.id == column_id)


def settle(form: Form, records: list[dict], read: Reader) -> tuple[list[dict], dict[str, int]]:
    """The cell records with the form reading settled in, each with its `read_by`; and counts of
    what the form reading did (cells filled, confirmed, conflicts)."""
    counts = {"tables read": 0, "cells confirmed": 0, "cells filled": 0, "conflicts": 0}
    for record in records:
        record["read_by"] = GRID if record["page"] is not None else ""
    doubtful = _doubtful_cells(form, records)
    for table_id in doubtful:
        in_table = [r for r in records if r["table"] == table_id]
        table = FORMS[in_table[0]["form"]].table(table_id)
        witness = read(table, _rows(table, in_table))
        if not witness:
            continue
        counts["tables read"] += 1
        readings = {
            _key(r): parse_value(witness[_key(r)].raw, _column_kind(table, r["column_id"]))
            for r in in_table
            if _key(r) in witness
        }
        complete = len(readings) == len(in_table)
        agrees = all(
            _key(r) in readings and readings[_key(r)].value == r["value"]
            for r in in_table
            if r["value"] is not None
        )
        confirmed_cells = _rules_hold(form, records, in_table, readings) if complete and agrees else set()
        for record in in_table:
            key = _key(record)
            if key not in readings:
                continue
            mine, grid_value = readings[key], record["value"]
            cell = witness[key]
            if grid_value is not None and mine.value is not None:
                if grid_value == mine.value:
                    record["read_by"] = BOTH
                    counts["cells confirmed"] += 1
                else:
                    _conflict(record, cell)
                    counts["conflicts"] += 1
            elif grid_value is not None:
                continue
            elif mine.value is None and mine.note == record["note"]:
                record["read_by"] = BOTH
                counts["cells confirmed"] += 1
            elif "/".join(key) in confirmed_cells or (complete and agrees and mine.note == _BLANK):
                record.update(value=mine.value, page=cell.page, raw=cell.raw, note=mine.note, read_by=FORM)
                counts["cells filled"] += 1
            elif mine.value is not None and record["page"] is not None:
                _conflict(record, cell)
                counts["conflicts"] += 1
    return records, counts


def _conflict(record: dict, cell: WitnessCell) -> None:
    grid = repr(record["raw"] or "") + (f" ({record['note']})" if record["note"] else "")
    record.update(
        value=None,
        note=f"{CONFLICT}: the grid reading gives {grid}, the form reading {cell.raw!r} (page {cell.page})",
        read_by="",
    )


def _rules_hold(form: Form, records: list[dict], in_table: list[dict], readings: dict) -> set[str]:
    """Cells of the table that take part in no rule failing or left unchecked on the form
    reading's numbers (the other tables as the grid read them)."""
    table_id = in_table[0]["table"]
    trial = [
        {**r, "value": readings[_key(r)].value, "page": 1} if r["table"] == table_id else r for r in records
    ]
    checks = run_checks(form, frame("cells", trial))
    bad = {cell for check in checks if check.status != PASSED for cell in check.cells}
    return {"/".join(_key(r)) for r in in_table} - bad
