"""The real report in ../shared/reference must come out exact, cell by cell."""

from __future__ import annotations

import csv

import pytest

import gongkai
from gongkai.forms import FORM_2021
from gongkai.numbers import format_number

from .conftest import DATA


def _transcribed() -> dict[tuple[str, str, str], str]:
    """The hand transcription: one line per printed row, values in the form's column order."""
    expected = {}
    with open(DATA / "huaian-city-2024.expected.csv", encoding="utf-8") as handle:
        for line in csv.reader(row for row in handle if not row.startswith("#")):
            table_id, row_id, *values = line
            table = FORM_2021.table(table_id)
            columns = table.block_of(row_id).columns
            assert len(columns) == len(values), f"transcription of {row_id} has the wrong length"
            for column, value in zip(columns, values, strict=True):
                expected[(table_id, row_id, column.id)] = value
    return expected


@pytest.fixture(scope="module")
def huaian(request):
    path = request.getfixturevalue("reference_pdf")
    return gongkai.read_report(path)


def test_every_cell_exact(huaian):
    expected = _transcribed()
    assert len(expected) == 200
    got = {
        (r.table, r.row_id, r.column_id): format_number(r.value) for r in huaian.cells.itertuples(index=False)
    }
    wrong = {key: (got.get(key), value) for key, value in expected.items() if got.get(key) != value}
    assert not wrong, f"{len(wrong)} cells differ (got, expected): {dict(list(wrong.items())[:10])}"
    assert len(huaian.cells) == 200


def test_identity_and_status(huaian):
    assert (huaian.agency, huaian.year, huaian.form) == ("淮安市人民政府", 2024, "2021")
    assert huaian.status == "ok", huaian.reason
    assert huaian.cells_found == huaian.cells_expected == 200


def test_pages_of_the_split_table(huaian):
    cells = huaian.cells.set_index(["row_id", "column_id"])
    assert cells.loc[("unavailable_not_held", "total"), "page"] == 4
    # The group cell （四）无法提供 is cut by the page break: its second row sits on page 5.
    assert cells.loc[("unavailable_needs_creation", "total"), "page"] == 5
    assert cells.loc[("review_litigation", "litigation_after_review_total"), "page"] == 5


def test_reference_passes_every_rule(huaian):
    assert huaian.checks, "no rule was evaluated"
    failing = [c for c in huaian.checks if c.status != "passed"]
    assert not failing, failing[:3]


def test_identity_holds(huaian):
    value = huaian.cells.set_index(["row_id", "column_id"])["value"]
    assert value[("new_requests", "total")] + value[("carried_over", "total")] == 3119 + 34
    assert value[("total_processed", "total")] + value[("carried_forward", "total")] == 3050 + 103


def _strip_rules(source, target, keep_horizontal: bool) -> None:
    """Remove the table rules from the real report, as web-page and 'three-line' layouts do."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(source)
    for page in pdf:
        for obj in list(page.get_objects(max_depth=1)):
            if obj.type != pdfium_c.FPDF_PAGEOBJ_PATH:
                continue
            left, bottom, right, top = obj.get_bounds()
            if not keep_horizontal or (right - left) < (top - bottom):
                page.remove_obj(obj)
        page.gen_content()
    pdf.save(target)
    pdf.close()


@pytest.mark.parametrize("keep_horizontal", [False, True], ids=["no-rules", "horizontal-rules-only"])
def test_every_cell_exact_without_table_rules(reference_pdf, tmp_path, keep_horizontal):
    variant = tmp_path / "variant.pdf"
    _strip_rules(reference_pdf, variant, keep_horizontal)
    report = gongkai.read_report(variant)
    expected = _transcribed()
    got = {
        (r.table, r.row_id, r.column_id): format_number(r.value) for r in report.cells.itertuples(index=False)
    }
    wrong = {key: (got.get(key), value) for key, value in expected.items() if got.get(key) != value}
    assert not wrong, f"{len(wrong)} cells differ (got, expected): {dict(list(wrong.items())[:10])}"
    assert report.status == "ok", report.reason
