"""Every committed fixture (PDF, and the .docx/.html it was printed from, and the web pages as
served) is read cell by cell against its expected CSV (fixtures/generate.py)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest

import gongkai
from gongkai.numbers import format_number

from .conftest import FIXTURES, expected_cells

SOURCES = sorted(
    p
    for p in FIXTURES.iterdir()
    if p.suffix in (".pdf", ".docx", ".html") and p.with_suffix(".expected.csv").exists()
)
PDFS = [p for p in SOURCES if p.suffix == ".pdf"]


@cache
def _read(pdf: Path) -> gongkai.Report:
    return gongkai.read_report(pdf)


def _manifest() -> dict[str, dict[str, str]]:
    with open(FIXTURES / "manifest.csv", encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def test_there_are_fixtures():
    assert len(PDFS) >= 10
    assert sum(p.suffix == ".docx" for p in SOURCES) >= 10
    assert sum(p.suffix == ".html" for p in SOURCES) >= 8


def _info(path: Path) -> dict[str, str]:
    """A fixture's manifest row: its own, or that of the PDF printed from it."""
    manifest = _manifest()
    return manifest.get(path.name) or manifest[path.with_suffix(".pdf").name]


@pytest.mark.parametrize("pdf", SOURCES, ids=[p.name for p in SOURCES])
def test_fixture_cells_exact(pdf):
    expected = expected_cells(pdf.with_suffix(".expected.csv"))
    report = _read(pdf)
    got = {
        (r.table, r.row_id, r.column_id): format_number(r.value) for r in report.cells.itertuples(index=False)
    }
    wrong = {key: (got.get(key), value) for key, value in expected.items() if got.get(key, "") != value}
    assert not wrong, f"{len(wrong)} cells differ (read, printed): {dict(list(wrong.items())[:8])}"
    info = _info(pdf)
    assert (report.agency, str(report.year), report.form) == (info["agency"], info["year"], info["form"])
    assert report.status in ("ok", "partial")
    assert report.kind == {".pdf": "pdf", ".docx": "docx", ".html": "html"}[pdf.suffix]
    assert report.cells["page"].notna().any() == (pdf.suffix == ".pdf"), "only PDF cells have pages"


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
