"""Reading stops at the heading of section 五: the prose after it is never loaded, and nothing is lost."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

import gongkai
from gongkai import report as report_module
from gongkai.model import Page
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


class _Scans:
    """A page source of `count` scanned pages, and an OCR source whose page reads wait for each
    other: a read returns only once `together` reads are under way (or after a second)."""

    def __init__(self, count: int, together: int):
        self.page_count = count
        self.loaded: list[int] = []
        self.reading = self.most_at_once = 0
        self.lock = threading.Condition()
        self.together = together

    def page(self, number: int) -> Page:
        self.loaded.append(number)
        return Page(number, [], [], scanned="no text layer")

    def render(self, number: int, dpi: float) -> int:
        return number

    def read_page(self, number, image, dpi, table_cells):
        with self.lock:
            self.reading += 1
            self.most_at_once = max(self.most_at_once, self.reading)
            self.lock.notify_all()
            self.lock.wait_for(lambda: self.reading >= self.together, timeout=1.0)
            self.reading -= 1
        return SimpleNamespace(chars=[], edges=[], number=image)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_scanned_pages_are_read_side_by_side_and_handed_on_in_order(threads, monkeypatch):
    scans = _Scans(count=5, together=threads)
    monkeypatch.setattr(report_module.sources, "ocr_source", lambda: scans)
    reader = report_module._PageReader(scans, threads)
    try:
        read = [reader.read(n) for n in (1, 2)]  # then section 五's heading: reading stops
    finally:
        reader.close()
    assert [(page.number, scanned.number) for page, scanned in read] == [(1, 1), (2, 2)]
    assert scans.most_at_once == threads
    assert scans.loaded == list(range(1, 2 + threads))  # started ahead of page 2: threads - 1 pages
    assert scans.reading == 0  # closing waited for the pages being read
