"""Reading stops at the heading of section 五: the prose after it is never loaded, and nothing is lost."""

from __future__ import annotations

import pytest

import gongkai
from gongkai import report as report_module
from gongkai.sources.pdf import PdfSource

from .conftest import FIXTURES, SAMPLES


@pytest.mark.parametrize(
    "path",
    [SAMPLES / "nanping-education-2023.pdf", FIXTURES / "docx-county-2021-long-prose.pdf"],
    ids=lambda p: p.name,
)
def test_pages_after_section_five_are_not_loaded(path, monkeypatch):
    loaded: list[int] = []
    original_page = PdfSource.page

    def recording_page(document: PdfSource, number: int):
        loaded.append(number)
        return original_page(document, number)

    monkeypatch.setattr(PdfSource, "page", recording_page)
    early = gongkai.read_report(path)
    assert loaded == list(range(1, max(loaded) + 1))
    assert max(loaded) < early.pages

    monkeypatch.setattr(report_module, "table_pages_settled", lambda headings: False)
    loaded.clear()
    every_page = gongkai.read_report(path)
    assert loaded == list(range(1, every_page.pages + 1))
    assert (early.status, early.reason, early.agency, early.year) == (
        every_page.status,
        every_page.reason,
        every_page.agency,
        every_page.year,
    )
    assert early.cells.equals(every_page.cells)
    assert early.cells_found == early.cells_expected == 200
