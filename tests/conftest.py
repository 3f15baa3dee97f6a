from __future__ import annotations

import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference"
FIXTURES = ROOT / "fixtures"
SAMPLES = ROOT / "samples"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def reference_pdf() -> Path:
    path = REFERENCE / "huaian-city-2024.pdf"
    if not path.exists():
        pytest.skip(f"the reference report is not here ({path}); CI always has ../shared/reference/")
    return path


def expected_cells(path: Path) -> dict[tuple[str, str, str], str]:
    """(table, row_id, column_id) -> value as printed, from a fixture's expected CSV."""
    with open(path, encoding="utf-8") as handle:
        return {(r["table"], r["row_id"], r["column_id"]): r["value"] for r in csv.DictReader(handle)}


BROKEN_SAMPLE = SAMPLES / "yunhu-district-2024.pdf"  # blank cells, a /, notes, a broken rule
BAD_INPUTS = FIXTURES / "bad"


@pytest.fixture
def partial_pdf(tmp_path) -> Path:
    """A real report without its last page, so that table 四 is missing: a partial read."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(BROKEN_SAMPLE)
    pdf.del_page(len(pdf) - 1)
    path = tmp_path / "partial.pdf"
    pdf.save(path)
    pdf.close()
    return path
