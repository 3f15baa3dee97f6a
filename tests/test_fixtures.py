"""Every committed fixture PDF is read cell by cell against its expected CSV (fixtures/generate.py)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest

import gongkai
from gongkai.numbers import format_number

from .conftest import FIXTURES, expected_cells

PDFS = sorted(p for p in FIXTURES.glob("*.pdf") if p.with_suffix("").with_suffix(".expected.csv").exists())


@cache
def _read(pdf: Path) -> gongkai.Report:
    return gongkai.read_report(pdf)


def _manifest() -> dict[str, dict[str, str]]:
    with open(FIXTURES / "manifest.csv", encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def test_there_are_fixtures():
    assert len(PDFS) >= 10


@pytest.mark.parametrize("pdf", PDFS, ids=[p.stem for p in PDFS])
def test_fixture_cells_exact(pdf):
    expected = expected_cells(pdf.with_suffix("").with_suffix(".expected.csv"))
    report = _read(pdf)
    got = {
        (r.table, r.row_id, r.column_id): format_number(r.value) for r in report.cells.itertuples(index=False)
    }
    wrong = {key: (got.get(key), value) for key, value in expected.items() if got.get(key, "") != value}
    assert not wrong, f"{len(wrong)} cells differ (read, printed): {dict(list(wrong.items())[:8])}"
    info = _manifest()[pdf.name]
    assert (report.agency, str(report.year), report.form) == (info["agency"], info["year"], info["form"])
    assert report.status in ("ok", "partial")


def test_flagged_files_are_exactly_the_broken_ones():
    """Reports that break their own arithmetic are flagged, with the broken rule; no false alarms."""
    manifest = _manifest()
    assert any(info["broken_rule"] for info in manifest.values()), "the fixtures include broken reports"
    for name, info in manifest.items():
        report = _read(FIXTURES / name)
        failed = {c.rule_id.split("[")[0] for c in report.checks if c.status == "failed"}
        if info["broken_rule"]:
            assert info["broken_rule"] in failed, name
        else:
            assert not failed, (name, failed)
