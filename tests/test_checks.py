"""The form's arithmetic: reported, never used to change a printed number, and used to settle doubt.

The records are built here, consistent with every rule, so these tests need no PDF.
"""

from __future__ import annotations

import dataclasses

import pytest

from gongkai.checks import ambiguous_readings, choose_by_arithmetic, run_checks
from gongkai.forms import FORM_2021
from gongkai.model import CellRecord, CheckStatus, NoteCode

APPLICANTS = (
    "natural_person",
    "business",
    "research",
    "public_interest",
    "legal_services",
    "other_organisation",
)


def _consistent_values() -> dict[tuple[str, str, str], float]:
    """Every cell of table 三 and 四 with numbers that satisfy every rule of the form."""
    table = FORM_2021.table("applications")
    values: dict[tuple[str, str, str], float] = {}
    outcome_rows = [r.id for r in table.rows if r.group is not None and r.id != "total_processed"]
    for i, column in enumerate(APPLICANTS):
        per_row = {row: float((i + 1) * (k + 1)) for k, row in enumerate(outcome_rows)}
        total = sum(per_row.values())
        per_row["total_processed"] = total
        per_row["carried_forward"] = float(i + 2)
        per_row["carried_over"] = float(i + 1)
        per_row["new_requests"] = total + per_row["carried_forward"] - per_row["carried_over"]
        for row, value in per_row.items():
            values[("applications", row, column)] = value
    for row in table.rows:
        values[("applications", row.id, "total")] = sum(
            values[("applications", row.id, c)] for c in APPLICANTS
        )
    for group in ("review", "litigation_direct", "litigation_after_review"):
        parts = {"upheld": 3.0, "corrected": 1.0, "other": 2.0, "pending": 4.0}
        for name, value in parts.items():
            values[("review_litigation", "review_litigation", f"{group}_{name}")] = value
        values[("review_litigation", "review_litigation", f"{group}_total")] = sum(parts.values())
    return values


@pytest.fixture
def cells() -> list[CellRecord]:
    out = []
    for (table_id, row_id, column_id), value in _consistent_values().items():
        table = FORM_2021.table(table_id)
        row = next(r for r in table.rows if r.id == row_id)
        column = next(c for c in table.columns if c.id == column_id)
        raw = str(int(value))
        out.append(
            CellRecord(
                "built.pdf",
                "某局",
                2024,
                "2021",
                table_id,
                row.label,
                row_id,
                column.name,
                column_id,
                value=value,
                page=1,
                raw=raw,
            )
        )
    order = {(t.id, r.id): i for t in FORM_2021.tables for i, r in enumerate(t.rows)}
    columns = {(t.id, c.id): i for t in FORM_2021.tables for i, c in enumerate(t.columns)}
    return sorted(out, key=lambda c: (c.table, order[(c.table, c.row_id)], columns[(c.table, c.column_id)]))


def _set(cells, row_id, column_id, value, raw=None):
    changed = [dataclasses.replace(c) for c in cells]
    for cell in changed:
        if (cell.row_id, cell.column_id) == (row_id, column_id):
            cell.value = value
            if raw is not None:
                cell.raw = raw
    return changed


def _get(cells, row_id, column_id) -> CellRecord:
    return next(c for c in cells if (c.row_id, c.column_id) == (row_id, column_id))


def _status(results, rule_id):
    return next(r.status for r in results if r.rule_id == rule_id)


def test_built_records_satisfy_every_rule(cells):
    results = run_checks(FORM_2021, cells)
    assert {r.rule_id.split("[")[0] for r in results} == {rule.id for rule in FORM_2021.rules}
    assert all(r.status == CheckStatus.PASSED for r in results)


def test_a_broken_total_is_reported_not_repaired(cells):
    printed = _get(cells, "total_processed", "natural_person").value
    broken = _set(cells, "total_processed", "natural_person", printed - 68)
    results = run_checks(FORM_2021, broken)
    assert _status(results, "applications_balance[natural_person]") == CheckStatus.FAILED
    assert _status(results, "applications_outcomes_total[natural_person]") == CheckStatus.FAILED
    assert _status(results, "applications_row_total[total_processed]") == CheckStatus.FAILED
    assert _status(results, "applications_balance[business]") == CheckStatus.PASSED
    failed = next(r for r in results if r.rule_id == "applications_balance[natural_person]")
    assert failed.left - failed.right == 68
    assert _get(broken, "total_processed", "natural_person").value == printed - 68


def test_review_group_rule(cells):
    results = run_checks(FORM_2021, _set(cells, "review_litigation", "review_total", 350.0))
    assert _status(results, "review_total[review_litigation]") == CheckStatus.FAILED
    assert _status(results, "litigation_direct_total[review_litigation]") == CheckStatus.PASSED


def test_missing_cells_mean_not_evaluated(cells):
    results = run_checks(FORM_2021, _set(cells, "carried_forward", "total", None))
    assert _status(results, "applications_balance[total]") == CheckStatus.NOT_EVALUATED
    assert _status(results, "applications_balance[natural_person]") == CheckStatus.PASSED


def test_group_row_stands_for_its_sub_rows(cells):
    """A hybrid prints （六）其他处理 as one row; the outcome total still adds up."""
    others = [c for c in cells if c.row_id.startswith("other_")]
    merged = [c for c in cells if not c.row_id.startswith("other_")]
    for column in (*APPLICANTS, "total"):
        total = sum(c.value for c in others if c.column_id == column)
        single = dataclasses.replace(_get(others, "other_no_correction", column), row_id="other_processing")
        single.value = total
        merged.append(single)
    results = run_checks(FORM_2021, merged)
    assert _status(results, "applications_outcomes_total[natural_person]") == CheckStatus.PASSED
    short = [c for c in merged if not (c.row_id == "other_processing" and c.column_id == "business")]
    assert (
        _status(run_checks(FORM_2021, short), "applications_outcomes_total[business]") != CheckStatus.PASSED
    )


def test_spaced_digits_settled_by_the_arithmetic(cells):
    printed = _get(cells, "new_requests", "natural_person").value  # e.g. 3001 printed as '30 01'
    text = str(int(printed))
    spaced = f"{text[:-1]} {text[-1]}"
    doubtful = _set(cells, "new_requests", "natural_person", None, raw=spaced)
    settled = _get(
        choose_by_arithmetic(FORM_2021, doubtful, ambiguous_readings(doubtful)),
        "new_requests",
        "natural_person",
    )
    assert settled.value == printed
    assert settled.note_code is NoteCode.SETTLED_BY_RULE
    assert "the only reading that satisfies" in settled.note
    assert _get(doubtful, "new_requests", "natural_person").value is None  # the input is not changed


def test_a_number_strayed_into_the_neighbouring_cell(cells):
    # '61 4' printed in 法律服务机构 with 其他 empty: the 4 belongs to the next column.
    here = int(_get(cells, "new_requests", "legal_services").value)
    there = int(_get(cells, "new_requests", "other_organisation").value)
    doubtful = _set(cells, "new_requests", "legal_services", None, raw=f"{here} {there}")
    doubtful = _set(doubtful, "new_requests", "other_organisation", None, raw="")
    settled = choose_by_arithmetic(FORM_2021, doubtful, ambiguous_readings(doubtful))
    assert _get(settled, "new_requests", "legal_services").value == here
    assert _get(settled, "new_requests", "other_organisation").value == there


def test_unsettled_doubt_stays_empty(cells):
    # Blank the row and column totals too: no rule can tell the readings apart, so nothing is guessed.
    printed = str(int(_get(cells, "new_requests", "natural_person").value))
    doubtful = _set(cells, "new_requests", "natural_person", None, raw=f"{printed[:-1]} {printed[-1]}")
    doubtful = _set(doubtful, "new_requests", "total", None)
    doubtful = _set(doubtful, "total_processed", "natural_person", None)
    settled = _get(
        choose_by_arithmetic(FORM_2021, doubtful, ambiguous_readings(doubtful)),
        "new_requests",
        "natural_person",
    )
    assert settled.value is None
    assert "left empty" in settled.note
    assert settled.note_code is NoteCode.AMBIGUOUS_DIGITS
