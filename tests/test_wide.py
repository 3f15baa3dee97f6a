"""The wide shape: one row per report, one column per cell, shared ids across the two forms."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

import gongkai
from gongkai.cli import main
from gongkai.output.wide import WIDE_ID_COLUMNS, wide_cell_columns

from .conftest import FIXTURES, SAMPLES

FORM_2019_REPORT = FIXTURES / "docx-county-2020-form-2019.pdf"
FORM_2021_REPORT = FIXTURES / "reportlab-county-2021-narrow-review.pdf"  # the same county, a year later


def test_one_row_per_report_with_a_column_per_cell():
    cells = gongkai.read_reports([FORM_2019_REPORT, FORM_2021_REPORT])
    wide = gongkai.to_wide(cells)
    assert list(wide.columns[: len(WIDE_ID_COLUMNS)]) == ["source", "agency", "agency_key", "year", "form"]
    assert list(wide["source"]) == sorted(cells["source"].unique())
    for _, cell in cells.sample(40, random_state=1).iterrows():
        name = f"{cell['table']}.{cell['row_id']}.{cell['column_id']}"
        value = wide.loc[wide["source"] == cell["source"], name].iloc[0]
        assert (pd.isna(value) and pd.isna(cell["value"])) or value == cell["value"]
    # Every value of the long records is in the wide row, and nothing else is.
    assert int(wide[list(wide_cell_columns())].notna().sum().sum()) == int(cells["value"].notna().sum())


def test_the_two_forms_share_columns_where_a_cell_means_the_same():
    wide = gongkai.to_wide(gongkai.read_reports([FORM_2019_REPORT, FORM_2021_REPORT])).set_index("form")
    shared = "applications.unavailable_not_held.natural_person"
    assert wide.loc["2019", shared] >= 0 and wide.loc["2021", shared] >= 0
    assert pd.notna(wide.loc["2019", "active_disclosure.licensing.decisions"])
    assert pd.notna(wide.loc["2021", "active_disclosure.licensing.decisions"])
    # Cells of one form only stay empty in the other form's row.
    assert pd.isna(wide.loc["2021", "active_disclosure.licensing.previous_year_items"])
    assert pd.isna(wide.loc["2019", "active_disclosure.regulations.issued"])


def test_extract_shape_wide_writes_what_to_wide_gives(tmp_path):
    runner = CliRunner()
    for name in ("w.csv", "w.parquet", "w.jsonl"):
        result = runner.invoke(main, ["extract", str(SAMPLES), "-o", str(tmp_path / name), "--shape", "wide"])
        assert result.exit_code == 0, result.output
        # The closing line counts what was written: rows, one per report, as the long shape counts cells.
        assert f"; 6 rows (one per report) written to {tmp_path / name}\n" in result.stderr
    expected = gongkai.to_wide(gongkai.read_reports(SAMPLES))
    from_parquet = pd.read_parquet(tmp_path / "w.parquet")
    from_csv = pd.read_csv(tmp_path / "w.csv")
    from_jsonl = pd.read_json(tmp_path / "w.jsonl", lines=True)
    assert len(from_parquet) == len(from_csv) == len(from_jsonl) == len(expected) == 6
    name = "applications.total_processed.total"
    assert list(from_parquet[name]) == list(from_csv[name]) == list(from_jsonl[name]) == list(expected[name])
    assert str(from_parquet["year"].dtype) == "Int64"


def test_the_workbook_refuses_the_wide_shape(tmp_path):
    result = CliRunner().invoke(
        main, ["extract", str(SAMPLES), "-o", str(tmp_path / "w.xlsx"), "--shape", "wide"]
    )
    assert result.exit_code == 2 and "--shape wide writes CSV, Parquet or JSONL" in result.output
