"""gongkai's own PDFium binding (sources/pdfium.py) beside pypdfium2, which ships the library.

A text PDF is read without importing pypdfium2 (test_startup checks the imports), but a
caller may import it too: both then share one library, initialised by whichever comes
first and destroyed by pypdfium2 at exit. Pages are rendered as pypdfium2 renders them.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from gongkai.sources.pdf import PdfSource

from .conftest import FIXTURES, ROOT

ROTATED = FIXTURES / "reportlab-department-2022-rotated-review.pdf"  # pages 1 and 5 are turned by /Rotate 90
SCANNED = FIXTURES / "scanned" / "scan-reportlab-city-2024-cut-unavailable.pdf"
COLOURED = FIXTURES / "html-chromium-city-2023-web-page.pdf"  # the others are grey: R, G, B in any order

# Reads a page with gongkai and with pypdfium2, in the order given, and leaves one of each
# document open at exit: neither library's end may touch what the other closed.
_BOTH = """
import sys
def gongkai_reads():
    from gongkai.sources.pdf import PdfSource
    kept.append(PdfSource(sys.argv[1]))
    return len(kept[-1].page(1).chars)
def pypdfium2_reads():
    import pypdfium2
    kept.append(pypdfium2.PdfDocument(sys.argv[1]))
    return kept[-1][0].get_textpage().count_chars()
kept = []
readers = {"gongkai": gongkai_reads, "pypdfium2": pypdfium2_reads}
counts = [readers[name]() for name in sys.argv[2:]]
print(" ".join(map(str, counts)))
"""


ORDERS = [("gongkai", "pypdfium2", "gongkai"), ("pypdfium2", "gongkai", "pypdfium2")]


@pytest.mark.parametrize("order", ORDERS)
def test_gongkai_and_pypdfium2_share_the_library_in_either_order(order):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-c", _BOTH, str(ROTATED), *order]
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    counts = [int(count) for count in run.stdout.split()]
    assert len(counts) == 3 and counts[0] == counts[2] > 0  # the same page read the same after the other


@pytest.mark.parametrize(("path", "number"), [(ROTATED, 1), (ROTATED, 2), (SCANNED, 1), (COLOURED, 1)])
def test_pages_render_as_pypdfium2_renders_them(path, number):
    import numpy as np
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        page = document[number - 1]
        expected_array = page.render(scale=200 / 72, rev_byteorder=True).to_numpy()
        expected_image = page.render(scale=2.0).to_pil().convert("RGB")
        page.close()
    finally:
        document.close()
    with PdfSource(path) as source:
        array = source.render(number, 200)
        image = source.render_image(number, 2.0)
    assert array.shape == expected_array.shape and np.array_equal(array, expected_array)
    assert image.size == expected_image.size and image.tobytes() == expected_image.tobytes()
