"""Stage 5: the form's own arithmetic (勾稽关系), checked on the printed numbers.

A check reports; it never changes a value. A rule whose cells are missing is
reported as "not evaluated", never as passed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .forms import Form, Rule

PASSED, FAILED, NOT_EVALUATED = "passed", "failed", "not evaluated"
_TOLERANCE = 1e-6


Key = tuple[str, str, str]  # table, row_id, column_id


@dataclass(frozen=True)
class CheckResult:
    rule_id: str
    rule: str
    status: str
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


def _values(form: Form, cells: pd.DataFrame) -> dict[Key, float | None]:
    out = {}
    for table, row, column, value in zip(
        *(cells[c].tolist() for c in ("table", "row_id", "column_id", "value")), strict=True
    ):
        out[(table, row, column)] = None if pd.isna(value) else float(value)
    return out


def _terms(form: Form, rule: Rule, item: str, present: set[str]) -> list[str]:
    """Row (or column) ids an item stands for: a group is its printed single row, or its sub-rows."""
    table = form.table(rule.table)
    if item in present or rule.axis == "row":
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


def _rows_by_table(cells: pd.DataFrame) -> dict[str, list[str]]:
    """Each table's row ids as printed, in order: what the rules expand over."""
    rows: dict[str, dict[str, None]] = {}
    for table, row in zip(cells["table"].tolist(), cells["row_id"].tolist(), strict=True):
        rows.setdefault(table, {})[row] = None
    return {table: list(ids) for table, ids in rows.items()}


def _expand(form: Form, rule: Rule, rows_by_table: dict[str, list[str]]):
    table_rows = rows_by_table.get(rule.table, [])
    present_rows = set(table_rows)
    if rule.axis == "column":
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
                status = NOT_EVALUATED
            elif math.isclose(left, right, abs_tol=_TOLERANCE):
                status = PASSED
            else:
                status = FAILED
            involved = tuple("/".join(key) for key in (*lhs, *rhs))
            results.append(CheckResult(rule_id, rule.text, status, involved, left, right))
    return results


def run_checks(form: Form, cells: pd.DataFrame) -> list[CheckResult]:
    """Evaluate every rule of the form on one report's cells."""
    return _evaluate(form, _rows_by_table(cells), _values(form, cells))


@dataclass(frozen=True)
class Reading:
    """One way to read an ambiguous printed cell: the values it gives to one or more cells."""

    values: dict[Key, float]
    description: str


def choose_by_arithmetic(
    form: Form, cells: pd.DataFrame, ambiguous: dict[Key, list[Reading]]
) -> pd.DataFrame:
    """Settle ambiguous cells by the form's rules: a reading is taken only when it alone satisfies them.

    Every rule touching the cells a reading sets must be evaluable and pass;
    if no reading or more than one does, the cells stay empty and the note says so.
    """
    if not ambiguous:
        return cells
    cells = cells.copy()
    index = {
        key: i for i, key in enumerate(zip(cells["table"], cells["row_id"], cells["column_id"], strict=True))
    }
    base = _values(form, cells)
    rows_by_table = _rows_by_table(cells)
    for key, readings in ambiguous.items():
        fitting = []
        for reading in readings:
            trial = {**base, **reading.values}
            touched = {"/".join(k) for k in reading.values}
            relevant = [r for r in _evaluate(form, rows_by_table, trial) if touched & set(r.cells)]
            if relevant and all(r.status == PASSED for r in relevant):
                fitting.append((reading, [r.rule_id for r in relevant]))
        position = index[key]
        if len(fitting) == 1:
            reading, rule_ids = fitting[0]
            for cell_key, value in reading.values.items():
                row = index[cell_key]
                cells.iloc[row, cells.columns.get_loc("value")] = value
                cells.iloc[row, cells.columns.get_loc("note")] = (
                    f"{reading.description}: the only reading that satisfies {', '.join(rule_ids[:3])}"
                )
                base[cell_key] = value
        else:
            options = "; ".join(r.description for r in readings)
            verdict = (
                "several readings satisfy the arithmetic"
                if fitting
                else "no reading satisfies the arithmetic"
            )
            cells.iloc[position, cells.columns.get_loc("note")] = (
                f"ambiguous ({options}); {verdict}; left empty"
            )
    return cells
