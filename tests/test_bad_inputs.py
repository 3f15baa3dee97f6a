"""Every bad input gets a failed status row with a plain reason, and the batch goes on."""

from __future__ import annotations

import pytest

import gongkai
from gongkai.report import read_report_safely

from .conftest import FIXTURES

BAD = FIXTURES / "bad"

REASONS = {
    "not-a-pdf.pdf": "not a PDF file",
    "truncated.pdf": "corrupt PDF",
    "encrypted.pdf": "encrypted",
    "no-tables.pdf": "no table of the standard form found",
    "pre-2019-free-form.pdf": "unsupported form (pre-2019 free-form report)",
    "scanned.pdf": "no text layer",
    "no-pages.pdf": "the PDF has no pages",
}


@pytest.mark.parametrize("name", sorted(REASONS))
def test_failed_row_with_reason(name):
    report = read_report_safely(BAD / name)
    assert report.status == "failed"
    assert REASONS[name] in report.reason
    assert report.cells.empty
    assert report.file_record()["status"] == "failed"


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("not-a-pdf.pdf", gongkai.UnreadablePDFError),
        ("encrypted.pdf", gongkai.UnreadablePDFError),
        ("no-tables.pdf", gongkai.NotAReportError),
        ("pre-2019-free-form.pdf", gongkai.UnsupportedFormError),
        ("scanned.pdf", gongkai.ScannedReportError),
    ],
)
def test_library_raises_specific_errors(name, error):
    with pytest.raises(error):
        gongkai.read_report(BAD / name)


def test_reasons_do_not_depend_on_the_file_read_before():
    """PDFium keeps its last error code across documents; each file must be judged on its own."""
    order = ["encrypted.pdf", "no-pages.pdf", "truncated.pdf", "no-pages.pdf", "encrypted.pdf"]
    reasons = [read_report_safely(BAD / name).reason for name in order]
    assert reasons[1] == reasons[3] == "the PDF has no pages"
    assert reasons[0] == reasons[4] == "the PDF is encrypted and needs a password"
    assert reasons[2].startswith("corrupt PDF")


def test_missing_file():
    report = read_report_safely(BAD / "does-not-exist.pdf")
    assert (report.status, report.reason) == (
        "failed",
        f"no such file or directory: '{BAD}/does-not-exist.pdf'",
    )
