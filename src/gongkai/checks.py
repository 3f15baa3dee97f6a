"""Stage 8: the form's own arithmetic (勾稽关系), checked on the printed numbers.

A check reports; it never changes a value. A rule whose cells are missing is
reported as "not evaluated", never as passed.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

from .forms import Axis, Form, Rule
from .model import CellRecord, CheckStatus, Key, NoteCode, cell_name
from .numbers import format_number, spaced_digits
from .settings import DEFAULT

_TOLERANCE = DEFAULT.checks.tolerance


@dataclass(frozen=True)
class CheckResult:
    """One arithmetic identity of a report, evaluated: its two sides and the cells in it."""

    rule_id: str
    rule: str
    status: CheckStatus
    cells: tuple[str, ...]  # table/row_id/column_id of every cell involved
    left: float | None
    right: float | None

    def record(self, source: str) -> dict:
        return {
            "source": source,
            "rule_id": self.rule_id,
            "rule": self.rule,
            "status": self.status,
            "cells": " ".join(self.cells),
            "left": self.left,
            "right": self.right,
        }


def _values(cells: Sequence[CellRecord]) -> dict[Key, float | None]:
    return {cell.key: None if cell.value is None else float(cell.value) for cell in cells}


def _terms(form: Form, rule: Rule, item: str, present: set[str]) -> list[str]:
    """Row (or column) ids an item stands for: a group is its printed single row, or its sub-rows."""
    table = form.table(rule.table)
    if item in present or rule.axis is Axis.ROW:
        return [item]
    if any(g.id == item for g in table.groups):
        rows = [r.id for r in table.rows if r.group == item]
        return rows if all(r in present for r in rows) else [item]
    return [item]


def _sum(keys: list[tuple[str, str, str]], values: dict) -> float | None:
    total = 0.0
    for key in keys:
        value = values.get(key)
        if value is None:
            return None
        total += value
    return total


def _rows_by_table(cells: Sequence[CellRecord]) -> dict[str, list[str]]:
    """Each table's row ids as printed, in order: what the rules expand over."""
    rows: dict[str, dict[str, None]] = {}
    for cell in cells:
        rows.setdefault(cell.table, {})[cell.row_id] = None
    return {table: list(ids) for table, ids in rows.items()}


def _expand(form: Form, rule: Rule, rows_by_table: dict[str, list[str]]):
    table_rows = rows_by_table.get(rule.table, [])
    present_rows = set(table_rows)
    if rule.axis is Axis.COLUMN:
        for column in rule.over:
            lhs = [(rule.table, r, column) for i in rule.lhs for r in _terms(form, rule, i, present_rows)]
            rhs = [(rule.table, r, column) for i in rule.rhs for r in _terms(form, rule, i, present_rows)]
            yield f"{rule.id}[{column}]", lhs, rhs
    else:
        rows = rule.over or tuple(table_rows)
        for row in rows:
            lhs = [(rule.table, row, c) for c in rule.lhs]
            rhs = [(rule.table, row, c) for c in rule.rhs]
            yield f"{rule.id}[{row}]", lhs, rhs


def _evaluate(
    form: Form, rows_by_table: dict[str, list[str]], values: dict[Key, float | None]
) -> list[CheckResult]:
    results = []
    for rule in form.rules:
        for rule_id, lhs, rhs in _expand(form, rule, rows_by_table):
            left, right = _sum(lhs, values), _sum(rhs, values)
            if left is None or right is None:
                status = CheckStatus.NOT_EVALUATED
            elif math.isclose(left, right, abs_tol=_TOLERANCE):
                status = CheckStatus.PASSED
            else:
                status = CheckStatus.FAILED
            involved = tuple(map(cell_name, (*lhs, *rhs)))
            results.append(CheckResult(rule_id, rule.text, status, involved, left, right))
    return results


def run_checks(form: Form, cells: Sequence[CellRecord]) -> list[CheckResult]:
    """Evaluate every rule of the form on one report's cells."""
    return _evaluate(form, _rows_by_table(cells), _values(cells))


@dataclass(frozen=True)
class Reading:
    """One way to read an ambiguous printed cell: the values it gives to one or more cells."""

    values: dict[Key, float]
    description: str


def ambiguous_readings(cells: Sequence[CellRecord]) -> dict[Key, list[Reading]]:
    """Ways to read cells such as '1 2': one number with a stray space, or two numbers of which
    one strayed from an empty neighbouring cell."""
    out: dict[Key, list[Reading]] = {}
    for i, cell in enumerate(cells):
        parts = spaced_digits(cell.raw) if cell.raw else None
        if not parts:
            continue
        joined = float("".join(parts))
        readings = [Reading({cell.key: joined}, f"read {cell.raw!r} as {format_number(joined)}")]
        if len(parts) == 2:
            first, second = float(parts[0]), float(parts[1])
            for j, here, there in ((i + 1, first, second), (i - 1, second, first)):
                neighbour = cells[j] if 0 <= j < len(cells) else None
                same_row = neighbour is not None and neighbour.key[:2] == cell.key[:2]
                if same_row and not neighbour.raw:
                    shown = f"{format_number(here)} here and {format_number(there)} under {neighbour.column}"
                    readings.append(
                        Reading({cell.key: here, neighbour.key: there}, f"read {cell.raw!r} as {shown}")
                    )
        out[cell.key] = readings
    return out


def choose_by_arithmetic(
    form: Form, cells: Sequence[CellRecord], ambiguous: dict[Key, list[Reading]]
) -> list[CellRecord]:
    """Settle ambiguous cells by the form's rules: a reading is taken only when it alone satisfies them.

    Every rule touching the cells a reading sets must be evaluable and pass;
    if no reading or more than one does, the cells stay empty and the note says so.
    Returns new records; the given ones are not changed.
    """
    if not ambiguous:
        return list(cells)
    cells = [dataclasses.replace(cell) for cell in cells]
    index = {cell.key: i for i, cell in enumerate(cells)}
    base = _values(cells)
    rows_by_table = _rows_by_table(cells)
    for key, readings in ambiguous.items():
        fitting = []
        for reading in readings:
            trial = {**base, **reading.values}
            touched = set(map(cell_name, reading.values))
            relevant = [r for r in _evaluate(form, rows_by_table, trial) if touched & set(r.cells)]
            if relevant and all(r.status == CheckStatus.PASSED for r in relevant):
                fitting.append((reading, [r.rule_id for r in relevant]))
        if len(fitting) == 1:
            reading, rule_ids = fitting[0]
            for cell_key, value in reading.values.items():
                cell = cells[index[cell_key]]
                cell.value = value
                cell.note = (
                    f"{reading.description}: the only reading that satisfies {', '.join(rule_ids[:3])}"
                )
                cell.note_code = NoteCode.SETTLED_BY_RULE
                base[cell_key] = value
        else:
            options = "; ".join(r.description for r in readings)
            verdict = (
                "several readings satisfy the arithmetic"
                if fitting
                else "no reading satisfies the arithmetic"
            )
            cell = cells[index[key]]
            cell.note = f"ambiguous ({options}); {verdict}; left empty"
            cell.note_code = NoteCode.AMBIGUOUS_DIGITS
    return cells
