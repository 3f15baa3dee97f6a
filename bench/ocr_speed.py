"""Seconds per scanned page: gongkai reading scanned reports end to end, one process.

    python bench/ocr_speed.py [PDF ...]     (default: the committed scans in fixtures/scanned/)

The OCR models are loaded once before timing (a batch worker loads them once too); that
start-up is printed on its own. Each report is read `--repeat` times and the fastest read
counts, as the machine is shared. onnxruntime runs one thread per process: `--workers`
processes in a batch use that many cores.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import gongkai
from gongkai.sources import ocr

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    pdfs = args.pdfs or sorted((ROOT / "fixtures" / "scanned").glob("*.pdf"))
    started = time.perf_counter()
    ocr.recogniser()
    print(f"model load: {time.perf_counter() - started:.2f} s")
    total_seconds = total_pages = 0.0
    for pdf in pdfs:
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            report = gongkai.read_report(pdf)
            best = min(best, time.perf_counter() - started)
        pages = report.pages_ocr
        total_seconds += best
        total_pages += pages
        per_page = best / max(pages, 1)
        print(f"{pdf.name}: {report.pages} pages, {pages} read by OCR, {best:.2f} s, {per_page:.2f} s/page")
    if total_pages:
        print(f"all: {total_seconds / total_pages:.2f} s per scanned page")


if __name__ == "__main__":
    main()
