"""Settle the witnesses: what the grid reading and the form-driven reading say, cell by cell.

The form-driven reading runs only on a table the grid reading left incomplete or whose printed
numbers, as read, break a rule (or leave one unchecked). Then, for each cell:

- both read the same number (or both saw it blank): the value stands, read by both;
- both read a number and the numbers differ: the cell is left empty, noted `conflict` with both
  readings;
- only one read a number: the grid's number stands where the form reading did not read the cell
  or saw it blank, unless the form reading has a number elsewhere in that row that the grid
  lacks (a row read one column askew) and a rule of the cell fails or stays unchecked on the
  grid's numbers; the form reading's number is taken only when that reading completes the table,
  agrees with every number the grid read in it, and satisfies every rule the cell takes part in.
  Anything else (a blank against an unconfirmed number) is a conflict too.

Rows are placed by the readings' labels and positions, never by the arithmetic, which cannot
see two whole rows swapped: the arithmetic only confirms a reading, it never moves a number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..checks import run_checks
from ..forms import FORMS, Form, Row, Table
from ..model import CellRecord, CheckStatus, Key, NoteCode, cell_key
from ..numbers import parse_value

if TYPE_CHECKING:  # the form reading itself is imported only for a doubtful table (report._read_by_form)
    from .form import WitnessCell

GRID, FORM, BOTH = "grid", "form", "grid+form"

Reader = Callable[[Table, Sequence[Row]], "dict[Key, WitnessCell]"]


def _doubtful_tables(form: Form, records: Sequence[CellRecord]) -> set[str]:
    """Tables whose grid reading is incomplete or whose numbers break or escape a rule."""
    doubtful = {
        r.table
        for r in records
        if not _found(r) or r.note_code in (NoteCode.TEXT_IN_NUMBER_CELL, NoteCode.DUPLICATE_ROW)
    }
    for check in run_checks(form, records):
        if check.status is not CheckStatus.PASSED:
            doubtful |= {cell.split("/")[0] for cell in check.cells}
    return doubtful


def _found(record: CellRecord) -> bool:
    """Found printed: on a page, or (web pages, Word files, which have none) with its text."""
    return record.page is not None or record.raw is not None


def _rows(table: Table, records: Sequence[CellRecord]) -> list[Row]:
    by_id = {row.id: row for row in (*table.rows, *table.alternative_rows)}
    return [by_id[row_id] for row_id in dict.fromkeys(r.row_id for r in records)]


def _offered_rows(table: Table, records: Sequence[CellRecord]) -> list[Row]:
    """The rows the form reading may find: the records' own, and where the grid read none of a
    group's sub-rows, the group printed as one row (（六）其他处理, as hybrids print it)."""
    rows = _rows(table, records)
    read_rows = {r.row_id for r in records if r.page is not None}
    for alternative in table.alternative_rows:
        members = [row for row in rows if row.group == alternative.id]
        if members and not read_rows & {row.id for row in members}:
            rows.insert(rows.index(members[0]), alternative)
    return rows


def _printed_as_one_row(
    table: Table, in_table: Sequence[CellRecord], witness: dict[Key, WitnessCell], records: list[CellRecord]
) -> bool:
    """Where the form reading found a group printed as one row and none of its sub-rows, the
    records of the sub-rows give way to the row's (as values.py does for the grid reading)."""
    changed = False
    for alternative in table.alternative_rows:
        members = {row.id for row in table.rows if row.group == alternative.id}
        found = {key[1] for key in witness}
        if alternative.id not in found or found & members:
            continue
        old = [r for r in in_table if r.row_id in members]
        if not old or any(r.page is not None for r in old):
            continue
        first = old[0].row_id
        new = [replace(r, row=alternative.label, row_id=alternative.id) for r in old if r.row_id == first]
        at = records.index(old[0])
        records[:] = [r for r in records if r not in old]
        records[at:at] = new
        changed = True
    return changed


def settle(form: Form, records: list[CellRecord], read: Reader) -> dict[str, int]:
    """Settle the form reading into the cell records (in place), setting each one's `read_by`;
    return counts of what the form reading did: tables read, cells confirmed, filled, conflicts."""
    counts = {"tables read": 0, "cells confirmed": 0, "cells filled": 0, "conflicts": 0}
    for record in records:
        record.read_by = GRID if _found(record) else ""
    for table_id in sorted(_doubtful_tables(form, records)):
        in_table = [r for r in records if r.table == table_id]
        table = FORMS[in_table[0].form].table(table_id)
        witness = read(table, _offered_rows(table, in_table))
        if not witness:
            continue
        if _printed_as_one_row(table, in_table, witness, records):
            in_table = [r for r in records if r.table == table_id]
        counts["tables read"] += 1
        kinds = {c.id: c.kind for c in table.columns}
        readings = {
            r.key: parse_value(witness[r.key].raw, kinds[r.column_id]) for r in in_table if r.key in witness
        }
        complete = len(readings) == len(in_table)
        agrees = all(
            r.key in readings and readings[r.key].value == r.value for r in in_table if r.value is not None
        )
        trusted = complete and agrees
        confirmed = _rules_hold(form, records, table_id, readings) if trusted else set()
        grid_holds = _rules_hold(form, records, table_id, {r.key: r for r in in_table})
        # Rows where the form reading has a number the grid reading lacks: with a number of the
        # grid's where the form reading saw a blank, the sign of a row read one column askew.
        askew = {
            r.row_id
            for r in in_table
            if r.value is None and r.key in readings and readings[r.key].value is not None
        }
        for record in in_table:
            if record.key not in readings or record.note_code is NoteCode.SHARED_CELL:
                continue  # a number several rows share is no row's, whatever the form reading says
            mine, cell = readings[record.key], witness[record.key]
            if record.value is not None:
                if mine.value == record.value:
                    record.read_by = BOTH
                    counts["cells confirmed"] += 1
                elif mine.value is not None or (record.row_id in askew and record.key not in grid_holds):
                    # A number against another, or against a blank in a row the two read askew
                    # where the grid's own arithmetic does not overrule: neither is taken.
                    _conflict(record, cell)
                    counts["conflicts"] += 1
            elif mine.value is None and mine.code is record.note_code and record.page is not None:
                record.read_by = BOTH
                counts["cells confirmed"] += 1
            elif record.key in confirmed:
                record.value, record.page, record.raw = mine.value, cell.page, cell.raw
                record.note, record.note_code, record.read_by = mine.note, mine.code, FORM
                counts["cells filled"] += 1
            elif mine.value is not None and record.page is not None:
                _conflict(record, cell)
                counts["conflicts"] += 1
    return counts


def _conflict(record: CellRecord, cell: WitnessCell) -> None:
    grid = repr(record.raw or "") + (f" ({record.note})" if record.note else "")
    record.value, record.read_by, record.note_code = None, "", NoteCode.CONFLICT
    record.note = f"conflict: the grid reading gives {grid}, the form reading {cell.raw!r} (page {cell.page})"


def _rules_hold(form: Form, records: Sequence[CellRecord], table_id: str, readings: dict) -> set[Key]:
    """Cells of the table in no rule that fails or stays unchecked on the numbers of `readings`
    (anything with a `value` and a `note_code`, or a `code`; the other tables as the grid read
    them). A cell printed blank counts as 0 here, and only here: a reading whose blanks make
    every sum hold is consistent, and its blanks stay blank in the output."""

    def number(reading) -> float | None:
        code = getattr(reading, "code", None) or getattr(reading, "note_code", None)
        return 0.0 if reading.value is None and code is NoteCode.BLANK else reading.value

    trial = [
        replace(r, value=number(readings[r.key]), page=r.page or 0) if r.table == table_id else r
        for r in records
    ]
    bad = {
        cell_key(cell)
        for check in run_checks(form, trial)
        if check.status is not CheckStatus.PASSED
        for cell in check.cells
    }
    return {r.key for r in records if r.table == table_id} - bad
