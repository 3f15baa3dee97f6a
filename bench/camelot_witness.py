"""Would camelot earn its place as a third witness? What it adds where grid and form readings leave cells.

    python bench/camelot_witness.py DIR [DIR ...]

For every report of DIR (with <name>.expected.csv beside it) that gongkai leaves with missing
cells, camelot reads the table pages (lattice, then stream on pages where lattice finds no table;
pdfium backend). Its cell boxes go through gongkai's own grid builder (grids/ruled.build_grid),
version choice and matcher, the one matcher of the pipeline. Printed: cells still missing after
the grid and form readings, how many of them camelot's reading gives right, how many it gives
wrong (which would need the same settling), and the seconds camelot takes.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import camelot
import pypdfium2

import gongkai
from gongkai.grids.ruled import build_grid
from gongkai.locate import find_headings, read_identity, table_pages
from gongkai.numbers import format_number
from gongkai.sources import open_source
from gongkai.sources.chars import text_lines
from gongkai.values import cell_records
from gongkai.versions import choose_versions, read_every_version

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from accuracy import _expected  # noqa: E402


def camelot_cells(pdf: Path) -> tuple[dict, float]:
    """{cell key: value as text} of camelot's reading through gongkai's matcher, and its seconds."""
    with open_source(pdf) as source:
        pages = {n: source.page(n) for n in range(1, source.page_count + 1)}
        title = source.metadata_title
    document = pypdfium2.PdfDocument(str(pdf))
    heights = {n: document[n - 1].get_height() for n in pages}  # camelot counts y from the foot
    headings = [h for n, page in pages.items() for h in find_headings(n, text_lines(page.chars))]
    identity = read_identity(text_lines(pages[1].chars), title, pdf)
    numbers = table_pages(headings, len(pages))
    started = time.perf_counter()
    grids = []
    for number in numbers:
        tables = camelot.read_pdf(str(pdf), pages=str(number), flavor="lattice", backend="pdfium")
        if not tables.n:
            tables = camelot.read_pdf(str(pdf), pages=str(number), flavor="stream")
        height = heights[number]
        for table in tables:
            boxes = [
                (cell.x1, height - cell.y2, cell.x2, height - cell.y1) for row in table.cells for cell in row
            ]
            grid = build_grid(number, boxes, pages[number].chars)
            if grid is not None:
                grids.append(grid)
    seconds = time.perf_counter() - started
    version, choices = choose_versions(read_every_version(grids, headings))
    records, _ = cell_records(str(pdf), identity, version, choices)
    return {r.key: format_number(r.value) for r in records if r.page is not None}, seconds


def main(folders: list[Path]) -> None:
    warnings.simplefilter("ignore")
    missing_total = right_total = wrong_total = files = 0
    seconds_total = 0.0
    for folder in folders:
        for pdf in sorted(folder.glob("*.pdf")):
            expected_path = pdf.with_suffix("").with_suffix(".expected.csv")
            if not expected_path.exists():
                continue
            expected = _expected(expected_path)
            report = gongkai.read_report(pdf)
            got = {r.key: format_number(r.value) for r in report.records}
            missing = [k for k, v in expected.items() if got.get(k, "") != v and got.get(k, "") == ""]
            if not missing:
                continue
            files += 1
            cells, seconds = camelot_cells(pdf)
            right = sum(1 for k in missing if k in cells and cells[k] == expected[k])
            wrong = sum(1 for k in missing if k in cells and cells[k] != expected[k])
            missing_total, right_total, wrong_total = (
                missing_total + len(missing),
                right_total + right,
                wrong_total + wrong,
            )
            seconds_total += seconds
            gives = f"camelot gives {right} right, {wrong} wrong"
            print(f"{pdf.name}: {len(missing)} missing; {gives} ({seconds:.1f} s)")
    print(
        f"\n{files} files with missing cells, {missing_total} cells missing; camelot's reading gives "
        f"{right_total} of them right and {wrong_total} wrong, in {seconds_total:.1f} s"
    )


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    main([Path(a) for a in sys.argv[1:]])
