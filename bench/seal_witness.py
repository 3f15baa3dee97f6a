"""What a second witness of other pixels would publish under the seal, and how often it is wrong.

    python bench/seal_witness.py /tmp/scans [--witness luma|red] [--limit N] [--details]

A value cell under the seal is published today only where the rules fix it: the cell is read in
the red channel, where the seal's ink is faded out, and a seal's fade can take part of a digit
with it (a 2 read as 3), alike for every reading of those pixels. This measures a candidate
witness of other pixels (option (b) of #13's closing notes): the same cell read in the scan's
luma, or in its red channel as scanned (`--witness red`), where the seal's ink is not faded and
the print is whole. For each value cell under the seal read as a plain number, it reads the cell
again so and counts

  agree     - both readings give the same number;
  of them wrong   - that number is not what is printed (what the witness would publish wrongly);
  of them held    - every rule the cell takes part in holds with the report as published plus
                    the agreeing cells (the further condition the witness would need);
  of them held and wrong - the cells that witness and rules together would publish wrongly;
and how many of the agreeing and holding cells are not exact in the published records today
(what the witness would gain). It changes nothing the reader publishes.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

import gongkai
import gongkai.report as report_stage
import gongkai.verify as verify
from gongkai.checks import _evaluate, _rows_by_table
from gongkai.forms import FORMS
from gongkai.model import CheckStatus, cell_name
from gongkai.numbers import format_number
from gongkai.sources import scan

sys.path.insert(0, str(Path(__file__).parent))
from ocr_accuracy import _expected, _scans  # a bench script beside this one

_WITNESSES = {
    "luma": lambda rgb: cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY),
    "red": lambda rgb: rgb[:, :, 0].copy(),  # the red channel as scanned, the seal's ink not faded
}


def _witness_page(rgb: np.ndarray, red_page: scan.PageImage, witness: str) -> scan.PageImage:
    """The page as the witness sees it, turned as the read page was, its rules that page's, no seal."""
    grey = _WITNESSES[witness](rgb)
    if red_page.skew:
        h, w = grey.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), red_page.skew, 1.0)
        grey = cv2.warpAffine(grey, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    return dataclasses.replace(
        red_page, grey=grey, ink=scan._ink(grey), seal=np.zeros(grey.shape, dtype=bool)
    )


def _read(pdf: Path, witness: str):
    """The report, and for each value cell under the seal read as a number: that number, and the
    witness's reading (text, score, number)."""
    images: dict[int, np.ndarray] = {}
    seen: dict = {}
    original_read_page = report_stage.sources.ocr_source().read_page
    original_verify = verify.verify_ocr_cells

    def keeping(number, rgb, dpi, table_cells):
        images[number] = rgb
        return original_read_page(number, rgb, dpi, table_cells)

    def watching(form, cells, placed, scanned, second_readings):
        seen.update(form=form, cells=list(cells), placed=placed, scanned=scanned)
        return original_verify(form, cells, placed, scanned, second_readings)

    source = report_stage.sources.ocr_source()
    source.read_page = keeping
    verify.verify_ocr_cells = watching
    try:
        report = gongkai.read_report(pdf, threads=1)
    finally:
        source.read_page = original_read_page
        verify.verify_ocr_cells = original_verify
    if "form" not in seen:
        return report, seen, {}
    engine = source.recogniser()
    kinds = {c.key: FORMS[c.form].table(c.table).column(c.column_id).kind for c in seen["cells"]}
    witness_pages: dict[int, scan.PageImage] = {}
    wanted = []
    for record in seen["cells"]:
        spot = seen["placed"].get(record.key)
        if spot is None or spot.page not in seen["scanned"] or spot.page not in images:
            continue
        page = seen["scanned"][spot.page]
        cell = page.cells.get(spot.bbox)
        if cell is None or not cell.has_ink or not (cell.under_seal or "seal" in cell.suspect):
            continue
        red = verify._number(cell.free, kinds[record.key], cell.dot_after, cell.specks)
        if red is None:
            continue
        if spot.page not in witness_pages:
            witness_pages[spot.page] = _witness_page(images[spot.page], page.image, witness)
        ink = scan.cell_ink(witness_pages[spot.page], spot.bbox)
        if ink.has_ink:
            wanted.append((record.key, red, ink.crop))
    readings = engine.cells([crop for _, _, crop in wanted]) if wanted else []
    out = {}
    for (key, red, _), (free, score, _digits, _) in zip(wanted, readings, strict=True):
        out[key] = (red, free, score, verify._number(free, kinds[key]))
    return report, seen, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="read only the first N scans")
    parser.add_argument("--details", action="store_true", help="list every agreeing cell not as printed")
    parser.add_argument(
        "--witness", choices=sorted(_WITNESSES), default="luma", help="the pixels read again (default luma)"
    )
    args = parser.parse_args()
    pdfs = _scans(args.folder, args.limit)
    total: Counter = Counter()
    for pdf in pdfs:
        report, seen, witnessed = _read(pdf, args.witness)
        expected = _expected(pdf)
        published = {r.key: r.value for r in report.records}
        agreeing = {key: red for key, (red, _, _, again) in witnessed.items() if again == red}
        values = {**published, **agreeing}
        held = set()
        if agreeing:
            results = _evaluate(seen["form"], _rows_by_table(seen["cells"]), values)
            for key in agreeing:
                mine = {r.status for r in results if cell_name(key) in r.cells}
                if mine == {CheckStatus.PASSED}:
                    held.add(key)
        counts: Counter = Counter()
        for key, (red, free, score, _) in witnessed.items():
            truth = expected.get(key)
            printed = float(truth) if truth else None
            counts["read"] += 1
            if key not in agreeing:
                continue
            counts["agree"] += 1
            wrong = printed != red
            counts["agree wrong"] += wrong
            counts["held"] += key in held
            counts["held wrong"] += wrong and key in held
            counts["gain"] += key in held and not wrong and published.get(key) != printed
            if wrong and args.details:
                print(
                    f"  wrong {pdf.name} {key[1]}/{key[2]}: printed {truth!r}, read {format_number(red)},"
                    f" {args.witness} {free!r} ({score:.2f}){', rules hold' if key in held else ''}"
                )
        print(
            f"{pdf.name}: {counts['read']} read under the seal, {counts['agree']} agree"
            f" ({counts['agree wrong']} wrong), {counts['held']} with the rules holding"
            f" ({counts['held wrong']} wrong), {counts['gain']} not exact today"
        )
        total += counts
    print(
        f"\n{len(pdfs)} scans: value cells under the seal read as a number: {total['read']};"
        f" {args.witness} agrees on {total['agree']} ({total['agree wrong']} of them not as printed);"
        f" with every rule of the cell holding {total['held']} ({total['held wrong']} not as printed);"
        f" of those, {total['gain']} are not exact today"
    )


if __name__ == "__main__":
    main()
