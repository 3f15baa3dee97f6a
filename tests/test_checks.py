"""The form's arithmetic: reported, never used to change a printed number, and used to settle doubt."""

from __future__ import annotations

import pytest

import gongkai
from gongkai.checks import FAILED, NOT_EVALUATED, PASSED, choose_by_arithmetic, run_checks
from gongkai.forms import FORM_2021
from gongkai.report import _ambiguous_readings


@pytest.fixture(scope="module")
def cells(request):
    return gongkai.read_report(request.getfixturevalue("reference_pdf")).cells


def _set(cells, row_id, column_id, value, raw=None):
    changed = cells.copy()
    at = (changed["row_id"] == row_id) & (changed["column_id"] == column_id)
    changed.loc[at, "value"] = value
    if raw is not None:
        changed.loc[at, "raw"] = raw
    return changed


def _status(results, rule_id):
    return next(r.status for r in results if r.rule_id == rule_id)


def test_every_rule_family_is_checked(cells):
    ids = {r.rule_id.split("[")[0] for r in run_checks(FORM_2021, cells)}
    assert ids == {rule.id for rule in FORM_2021.rules}


def test_a_broken_total_is_reported_not_repaired(cells):
    broken = _set(cells, "total_processed", "natural_person", 2933.0)
    results = run_checks(FORM_2021, broken)
    assert _status(results, "applications_balance[natural_person]") == FAILED
    assert _status(results, "applications_outcomes_total[natural_person]") == FAILED
    assert _status(results, "applications_row_total[total_processed]") == FAILED
    failed = next(r for r in results if r.rule_id == "applications_balance[natural_person]")
    assert (failed.left, failed.right) == (3001 + 34, 2933 + 103)
    assert (
        broken.loc[
            broken["row_id"].eq("total_processed") & broken["column_id"].eq("natural_person"), "value"
        ].item()
        == 2933
    )


def test_review_group_rule(cells):
    results = run_checks(FORM_2021, _set(cells, "review_litigation", "review_total", 350.0))
    assert _status(results, "review_total[review_litigation]") == FAILED
    assert _status(results, "litigation_direct_total[review_litigation]") == PASSED


def test_missing_cells_mean_not_evaluated(cells):
    results = run_checks(FORM_2021, _set(cells, "carried_forward", "total", None))
    assert _status(results, "applications_balance[total]") == NOT_EVALUATED


def test_group_row_stands_for_its_sub_rows(cells):
    """A hybrid prints （六）其他处理 as one row; the outcome total still adds up."""
    other = cells[cells["row_id"].str.startswith("other_")]
    merged = cells[~cells["row_id"].str.startswith("other_")].copy()
    sums = other.groupby("column_id")["value"].sum()
    single = other[other["row_id"] == "other_no_correction"].copy()
    single["row_id"] = "other_processing"
    single["value"] = single["column_id"].map(sums)
    merged = gongkai.records.frame("cells", [*merged.to_dict("records"), *single.to_dict("records")])
    results = run_checks(FORM_2021, merged)
    assert _status(results, "applications_outcomes_total[natural_person]") == PASSED


def test_spaced_digits_settled_by_the_arithmetic(cells):
    # 3001 printed as '30 01': only the joined reading makes the totals add up.
    doubtful = _set(cells, "new_requests", "natural_person", None, raw="30 01")
    settled = choose_by_arithmetic(FORM_2021, doubtful, _ambiguous_readings(doubtful))
    row = settled[(settled["row_id"] == "new_requests") & (settled["column_id"] == "natural_person")].iloc[0]
    assert row["value"] == 3001
    assert "the only reading that satisfies" in row["note"]


def test_a_number_strayed_into_the_neighbouring_cell(cells):
    # '61 4' printed in 法律服务机构 with 其他 empty: the 4 belongs to the next column.
    doubtful = _set(cells, "new_requests", "legal_services", None, raw="61 4")
    doubtful = _set(doubtful, "new_requests", "other_organisation", None, raw="")
    settled = choose_by_arithmetic(FORM_2021, doubtful, _ambiguous_readings(doubtful)).set_index(
        ["row_id", "column_id"]
    )
    assert settled.loc[("new_requests", "legal_services"), "value"] == 61
    assert settled.loc[("new_requests", "other_organisation"), "value"] == 4


def test_unsettled_doubt_stays_empty(cells):
    # Blank the row total too: now no rule can tell '30 01' apart, so nothing is guessed.
    doubtful = _set(cells, "new_requests", "natural_person", None, raw="30 01")
    for column in ("total",):
        doubtful = _set(doubtful, "new_requests", column, None)
    doubtful = _set(doubtful, "total_processed", "natural_person", None)
    settled = choose_by_arithmetic(FORM_2021, doubtful, _ambiguous_readings(doubtful))
    row = settled[(settled["row_id"] == "new_requests") & (settled["column_id"] == "natural_person")].iloc[0]
    assert row["value"] != row["value"]  # NaN: left empty
    assert "left empty" in row["note"]
