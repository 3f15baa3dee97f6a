"""The form-driven reading (witness/form.py), and how witness/settle.py settles it with the grid's."""

from __future__ import annotations

import csv
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

import gongkai
from gongkai.forms import FORMS
from gongkai.locate import find_headings
from gongkai.model import NoteCode
from gongkai.numbers import format_number, parse_value
from gongkai.sources import open_source
from gongkai.sources.chars import text_lines
from gongkai.witness import form as form_witness
from gongkai.witness.form import WitnessCell
from gongkai.witness.settle import BOTH, FORM, GRID, settle

from .conftest import FIXTURES, expected_cells

# One fixture per layout family that the grid reading alone got wrong (issue 10).
FAMILY_FIXTURES = {
    "row-split": "wps-district-2024-row-split",
    "header-split": "wps-township-2022-header-split",
    "review-split": "wps-department-2022-review-split",
    "horizontal-rules": "wps-district-2023-horizontal-rules-only",
    "web-colspans": "html-soffice-department-2021-web-colspans",
}
CLEAN = FIXTURES / "reportlab-city-2023-fake-bold.pdf"


@cache
def _pages(pdf: Path):
    chars, headings = {}, []
    with open_source(pdf) as source:
        for number in range(1, source.page_count + 1):
            chars[number] = source.page(number).chars
            headings += find_headings(number, text_lines(chars[number]))
    return chars, headings


def _manifest() -> dict[str, dict[str, str]]:
    with open(FIXTURES / "manifest.csv", encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


@pytest.mark.parametrize("family", sorted(FAMILY_FIXTURES))
def test_family_fixture_is_in_the_manifest(family):
    info = _manifest()[FAMILY_FIXTURES[family] + ".pdf"]
    assert family in info["families"].split()


@pytest.mark.parametrize("family", sorted(FAMILY_FIXTURES))
def test_form_reading_places_every_number_where_it_is_printed(family):
    """On its own, from words and positions: every cell it reads is the printed one, and it reads
    tables 三 and 四 whole (table 二 too where its blocks share a header)."""
    pdf = FIXTURES / f"{FAMILY_FIXTURES[family]}.pdf"
    expected = expected_cells(pdf.with_suffix("").with_suffix(".expected.csv"))
    chars, headings = _pages(pdf)
    form = FORMS[_manifest()[pdf.name]["form"]]
    for table in form.tables:
        read = form_witness.read_table(table, table.rows, chars, headings)
        kinds = {c.id: c.kind for c in table.columns}
        for key, cell in read.items():
            value = format_number(parse_value(cell.raw, kinds[key[2]]).value)
            assert value == expected[key], (key, cell.raw, expected[key])
        if table.id != "active_disclosure":
            assert len(read) == sum(1 for key in expected if key[0] == table.id), table.id


@pytest.mark.parametrize("family", sorted(FAMILY_FIXTURES))
def test_family_fixture_is_read_whole_with_the_form_reading(family):
    report = gongkai.read_report(FIXTURES / f"{FAMILY_FIXTURES[family]}.pdf")
    assert report.status == "ok", report.reason
    assert report.witness_counts["tables read"] >= 1
    assert set(report.cells["read_by"]) <= {GRID, BOTH, FORM}


def test_a_clean_report_never_runs_the_form_reading():
    report = gongkai.read_report(CLEAN)
    assert report.status == "ok"
    assert report.witness_counts["tables read"] == 0
    assert set(report.cells["read_by"]) == {GRID}


# -- settle, on a clean report's cells and a stand-in form reading ---------------------------


@cache
def _clean_records():
    return gongkai.read_report(CLEAN).records


def _records():
    return [replace(r) for r in _clean_records()]


def _lose(records, row_id: str) -> None:
    """What the grid reading leaves of a row it could not place."""
    for r in records:
        if r.row_id == row_id:
            r.value, r.page, r.raw, r.note, r.note_code = (
                None,
                None,
                None,
                "row not found",
                NoteCode.ROW_NOT_FOUND,
            )


def _reader(truth, change=None):
    """A form reading that reads every cell of the table as `truth` has it, then `change`s it."""

    def read(table, rows):
        cells = {r.key: WitnessCell(r.raw or "", r.page or 1) for r in truth if r.table == table.id}
        return change(cells) if change else cells

    return read


def test_settle_fills_a_lost_row_that_the_arithmetic_confirms():
    truth = _clean_records()
    records = _records()
    _lose(records, "granted")
    counts = settle(FORMS["2021"], records, _reader(truth))
    got = {r.key: r for r in records}
    for r in truth:
        if r.row_id == "granted":
            assert got[r.key].value == r.value and got[r.key].read_by == FORM
    assert counts["cells filled"] == 7
    assert all(r.read_by == BOTH for r in records if r.table == "applications" and r.row_id != "granted")


def test_settle_leaves_a_lost_row_when_its_rule_fails():
    truth = _clean_records()
    records = _records()
    _lose(records, "granted")
    key = ("applications", "granted", "natural_person")

    def off_by_one(cells):
        raw = cells[key].raw
        cells[key] = WitnessCell(str(int(raw) + 1), cells[key].page)
        return cells

    settle(FORMS["2021"], records, _reader(truth, off_by_one))
    cell = next(r for r in records if r.key == key)
    assert cell.value is None and cell.read_by == ""


def test_settle_never_trusts_a_reading_that_contradicts_the_grid():
    """Two values of another row swapped: the rows still add up, but the grid read them otherwise."""
    truth = _clean_records()
    records = _records()
    _lose(records, "granted")
    a, b = ("applications", "new_requests", "natural_person"), ("applications", "new_requests", "total")

    def swap(cells):
        cells[a], cells[b] = cells[b], cells[a]
        return cells

    settle(FORMS["2021"], records, _reader(truth, swap))
    got = {r.key: r for r in records}
    assert all(r.value is None for r in records if r.row_id == "granted")
    assert got[a].note_code is NoteCode.CONFLICT and got[a].value is None
    assert "grid reading" in got[a].note and "form reading" in got[a].note
