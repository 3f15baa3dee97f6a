"""OCR engines on the ruled value cells of scanned reports that carry their expected cells.

    python fixtures/gen_scan.py --all --seed 2026 --out /tmp/scans     # scans of every fixture
    python bench/ocr_engines.py /tmp/scans [--limit 6] [--no-tesseract]

Cells are placed by gongkai's own reading of the scan (labels and positions), so each
engine reads exactly the same cells. For each engine it prints, over the cells whose
printed value is a number: how many it read exactly, how many it read as another number
(wrong), and over the blank cells how many it read a number into; and the seconds per
scanned page on this machine. Engines:

- rapidocr cell: rapidocr (pinned, PP-OCR models from its wheel), each cell cut out and
  recognised alone, any character allowed; `digits only` is the same network output
  decoded with digits only allowed. Its s/page is gongkai's whole page reading.
- rapidocr page: rapidocr's own detection and recognition of the whole page, its lines
  placed into the cells by their centres.
- tesseract: `tesseract --psm 7 -l chi_sim` with a digits whitelist, cell by cell (Debian's
  tesseract-ocr-chi-sim), when installed.
- gongkai published: what gongkai writes after verification (bench for the honesty rules).
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import subprocess
import time
from collections import Counter
from pathlib import Path

import numpy as np

import gongkai
import gongkai.verify
from gongkai.numbers import format_number
from gongkai.sources import ocr

_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


def _expected(pdf: Path) -> dict[tuple[str, str, str], str]:
    with open(pdf.with_suffix("").with_suffix(".expected.csv"), encoding="utf-8") as handle:
        return {(r["table"], r["row_id"], r["column_id"]): r["value"] for r in csv.DictReader(handle)}


def _canonical(text: str) -> str:
    text = text.strip().replace(",", "")
    return format_number(float(text)) if _NUMBER.match(text) else ""


def _tesseract(crop: np.ndarray) -> str:
    import cv2

    _, png = cv2.imencode(".png", np.pad(crop, 10, constant_values=255))
    digits_only = ["-c", "tessedit_char_whitelist=0123456789."]
    command = ["tesseract", "stdin", "stdout", "--psm", "7", "-l", "chi_sim", *digits_only]
    run = subprocess.run(command, input=png.tobytes(), capture_output=True, check=False)
    return run.stdout.decode("utf-8", "replace").strip()


def _page_reading(page: ocr.ScannedPage, boxes) -> dict:
    """rapidocr's whole-page reading, each line placed in the cell holding its centre."""
    engine = ocr.recogniser()._engine
    result = engine(np.dstack([page.image.grey] * 3), use_det=True, use_cls=False, use_rec=True)
    out: dict = {}
    for quad, text in zip(result.boxes if result.boxes is not None else (), result.txts or (), strict=False):
        cx, cy = quad[:, 0].mean() * page.image.scale, quad[:, 1].mean() * page.image.scale
        for box in boxes:
            if box[0] <= cx <= box[2] and box[1] <= cy <= box[3]:
                out[box] = out.get(box, "") + text
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="read only the first N scans")
    parser.add_argument("--no-tesseract", action="store_true")
    args = parser.parse_args()
    tesseract = not args.no_tesseract and shutil.which("tesseract") is not None
    pdfs = sorted(
        p for p in args.folder.glob("*.pdf") if p.with_suffix("").with_suffix(".expected.csv").exists()
    )
    pdfs = pdfs[: args.limit] if args.limit else pdfs
    captured: dict = {}
    verify = gongkai.verify.verify_ocr_cells  # read_report imports it from there when a page is scanned

    def capture(form, cells, placed, scanned, second):
        captured.update(placed=placed, scanned=scanned)
        return verify(form, cells, placed, scanned, second)

    gongkai.verify.verify_ocr_cells = capture
    engines = ["rapidocr cell", "rapidocr digits only", "rapidocr page", "gongkai published"]
    engines += ["tesseract chi_sim cell"] if tesseract else []
    printed, blank = Counter(), Counter()
    seconds, pages = Counter(), 0
    for pdf in pdfs:
        started = time.perf_counter()
        report = gongkai.read_report(pdf)
        seconds["rapidocr cell"] += time.perf_counter() - started
        seconds["gongkai published"] += time.perf_counter() - started
        pages += report.pages_ocr
        expected = _expected(pdf)
        published = {cell.key: format_number(cell.value) for cell in report.records}
        placed, scanned = captured["placed"], captured["scanned"]
        whole: dict = {}
        for number, page in scanned.items():
            started = time.perf_counter()
            whole[number] = _page_reading(page, list(page.cells))
            seconds["rapidocr page"] += time.perf_counter() - started
        for key, spot in placed.items():
            cell = scanned.get(spot.page) and scanned[spot.page].cells.get(spot.bbox)
            if not cell or key not in expected:
                continue
            readings = {
                "rapidocr cell": _canonical(cell.free),
                "rapidocr digits only": _canonical(cell.digits),
                "rapidocr page": _canonical(whole[spot.page].get(spot.bbox, "")),
                "gongkai published": published.get(key, ""),
            }
            if tesseract:
                started = time.perf_counter()
                crop = ocr.scan.cell_ink(scanned[spot.page].image, spot.bbox).crop
                readings["tesseract chi_sim cell"] = _canonical(_tesseract(crop)) if crop.size else ""
                seconds["tesseract chi_sim cell"] += time.perf_counter() - started
            truth = expected[key]
            for engine, got in readings.items():
                if truth:
                    printed[engine, "cells"] += 1
                    printed[engine, "exact"] += got == truth
                    printed[engine, "wrong"] += bool(got) and got != truth
                else:
                    blank[engine, "cells"] += 1
                    blank[engine, "wrong"] += bool(got)
        print(f"{pdf.name}: {report.status}, {report.ocr_counts}")
    print(f"\n{len(pdfs)} scans, {pages} pages read by OCR\n")
    print("| engine | printed cells exact | wrong | blank cells read as a number | s/page |")
    print("|---|---|---|---|---|")
    for engine in engines:
        per_page = seconds[engine] / pages if pages and seconds[engine] else float("nan")
        note = " (gongkai's whole reading)" if engine in ("rapidocr cell", "gongkai published") else ""
        exact = f"{printed[engine, 'exact']}/{printed[engine, 'cells']}"
        into_blank = f"{blank[engine, 'wrong']}/{blank[engine, 'cells']}"
        print(f"| {engine} | {exact} | {printed[engine, 'wrong']} | {into_blank} | {per_page:.2f}{note} |")


if __name__ == "__main__":
    main()
