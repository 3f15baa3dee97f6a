"""Seconds per scanned page: gongkai reading scanned reports end to end, one process.

    python bench/ocr_speed.py [PDF ...]     (default: the committed scans in fixtures/scanned/)

The OCR models are loaded once before timing (a batch worker loads them once too); that
start-up is printed on its own. Each report is read `--repeat` times and the fastest read
counts, as the machine is shared. A report's scanned pages are read `--threads` at a time
(by default one per core, as `read_report` does alone; a batch of two workers on two cores
reads one page at a time in each: `--threads 1`). The CPU seconds (all threads) are printed
beside the wall clock: on a machine shared with other work they are the steadier figure.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import gongkai
from gongkai import pool
from gongkai.report import page_threads
from gongkai.sources import ocr

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--threads", type=int, default=None, help="scanned pages read at once")
    args = parser.parse_args()
    pdfs = args.pdfs or sorted((ROOT / "fixtures" / "scanned").glob("*.pdf"))
    started = time.perf_counter()
    ocr.recogniser()
    threads = args.threads or page_threads(pool.usable_cores())
    print(f"model load: {time.perf_counter() - started:.2f} s; pages read {threads} at a time")
    total_seconds = total_cpu = total_pages = 0.0
    for pdf in pdfs:
        best = best_cpu = float("inf")
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            report = gongkai.read_report(pdf, threads=args.threads)
            best = min(best, time.perf_counter() - started)
            best_cpu = min(best_cpu, time.process_time() - started_cpu)
        pages = report.pages_ocr
        total_seconds += best
        total_cpu += best_cpu
        total_pages += pages
        per_page = best / max(pages, 1)
        print(
            f"{pdf.name}: {report.pages} pages, {pages} read by OCR, {best:.2f} s "
            f"({best_cpu:.2f} s CPU), {per_page:.2f} s/page"
        )
    if total_pages:
        print(
            f"all: {total_seconds / total_pages:.2f} s per scanned page "
            f"({total_cpu / total_pages:.2f} s CPU); a 6-page scan: {6 * total_seconds / total_pages:.1f} s"
        )


if __name__ == "__main__":
    main()
