"""Every committed fixture PDF is read cell by cell against its expected CSV (fixtures/generate.py)."""

from __future__ import annotations

import csv

import pytest

import gongkai
from gongkai.records import format_number

from .conftest import FIXTURES, expected_cells

PDFS = sorted(p for p in FIXTURES.glob("*.pdf") if p.with_suffix("").with_suffix(".expected.csv").exists())


def _manifest() -> dict[str, dict[str, str]]:
    with open(FIXTURES / "manifest.csv", encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def test_there_are_fixtures():
    assert len(PDFS) >= 10


@pytest.mark.parametrize("pdf", PDFS, ids=[p.stem for p in PDFS])
def test_fixture_cells_exact(pdf):
    expected = expected_cells(pdf.with_suffix("").with_suffix(".expected.csv"))
    report = gongkai.read_report(pdf)
    got = {
        (r.table, r.row_id, r.column_id): format_number(r.value) for r in report.cells.itertuples(index=False)
    }
    wrong = {key: (got.get(key), value) for key, value in expected.items() if got.get(key, "") != value}
    assert not wrong, f"{len(wrong)} cells differ (read, printed): {dict(list(wrong.items())[:8])}"
    info = _manifest()[pdf.name]
    assert (report.agency, str(report.year), report.form) == (info["agency"], info["year"], info["form"])
    assert report.status in ("ok", "partial")
