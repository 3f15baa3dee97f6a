"""Cell accuracy of gongkai on fixtures (PDFs, web pages, Word files) that carry their expected cells.

    python bench/accuracy.py [DIR ...]      (default: fixtures/)

For every <name>.pdf, <name>.html or <name>.docx with a <name>.expected.csv beside
it, each cell of the form is compared with the expected value. A cell is
  exact   - the value read equals the value printed (both empty counts too);
  missing - left empty although a value is printed (the honest failure);
  wrong   - a value that differs from the one printed (the failure that matters).
Figures are printed per input kind and layout, per producer and per layout family
(from manifest.csv, if there is one: its `producer`, `layout` and `families`
columns), per kind and overall, with agency/year correctness and the share of
files read `ok`.
"""

from __future__ import annotations

import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

import gongkai
from gongkai.numbers import format_number

ROOT = Path(__file__).resolve().parents[1]
KINDS = {".pdf": "pdf", ".html": "html", ".docx": "docx"}


def _expected(path: Path) -> dict[tuple[str, str, str], str]:
    with open(path, encoding="utf-8") as handle:
        return {(r["table"], r["row_id"], r["column_id"]): r["value"] for r in csv.DictReader(handle)}


def _manifest(folder: Path) -> dict[str, dict[str, str]]:
    path = folder / "manifest.csv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as handle:
        return {row["file"]: row for row in csv.DictReader(handle)}


def compare(pdf: Path) -> dict:
    """Compare one fixture with its expected cells."""
    expected = _expected(pdf.with_suffix(".expected.csv"))
    report = gongkai.read_report(pdf)
    got = {
        (r.table, r.row_id, r.column_id): format_number(r.value) for r in report.cells.itertuples(index=False)
    }
    exact = missing = wrong = 0
    wrong_cells = []
    for key, value in expected.items():
        mine = got.get(key, "")
        if mine == value:
            exact += 1
        elif mine == "":
            missing += 1
        else:
            wrong += 1
            wrong_cells.append((key, mine, value))
    return {"report": report, "cells": len(expected), "exact": exact, "missing": missing, "wrong": wrong,
            "wrong_cells": wrong_cells}  # fmt: skip


def main(folders: list[Path]) -> int:
    totals: dict[str, list[int]] = defaultdict(
        lambda: [0, 0, 0, 0, 0, 0, 0]
    )  # files cells exact missing wrong id_ok status_ok
    started = time.perf_counter()
    for folder in folders:
        manifest = _manifest(folder)
        files = sorted(p for p in folder.iterdir() if p.suffix in KINDS)
        for pdf in files:
            if not pdf.with_suffix(".expected.csv").exists():
                continue
            result = compare(pdf)
            # A .docx or .html printed to PDF shares the PDF's manifest row.
            info = manifest.get(pdf.name) or manifest.get(pdf.with_suffix(".pdf").name, {})
            kind = KINDS[pdf.suffix]
            report = result["report"]
            identity_ok = (
                (report.agency, str(report.year)) == (info.get("agency"), info.get("year")) if info else True
            )
            layout = info.get("producer", "") + ": " + info.get("layout", pdf.stem) if info else pdf.stem
            groups = [f"{kind} {layout}", f"ALL {kind}", "ALL"]
            if info:
                groups.append(f"producer {info['producer']}")
                groups += [f"family {family}" for family in info.get("families", "").split()]
            for key in groups:
                t = totals[key]
                t[0] += 1
                t[1] += result["cells"]
                t[2] += result["exact"]
                t[3] += result["missing"]
                t[4] += result["wrong"]
                t[5] += identity_ok
                t[6] += report.status == "ok"
            mark = "ok " if result["exact"] == result["cells"] else "!! "
            exact, cells, missing, wrong = (result[k] for k in ("exact", "cells", "missing", "wrong"))
            who = "ok" if identity_ok else "WRONG"
            print(
                f"{mark}{pdf.name}: {exact}/{cells} exact, {missing} missing, {wrong} wrong; identity {who}"
            )
            for key, mine, value in result["wrong_cells"][:5]:
                print(f"     wrong {'/'.join(key)}: read {mine!r}, printed {value!r}")
    print()
    print(
        f"{'layout':<60} {'files':>5} {'cells':>6} {'exact %':>8} {'missing':>7} {'wrong':>5} {'id ok':>5}"
        f" {'ok %':>6}"
    )

    sections = (
        sorted(k for k in totals if not k.startswith(("producer ", "family ", "ALL"))),
        sorted(k for k in totals if k.startswith("producer ")),
        sorted(k for k in totals if k.startswith("family ")),
        [*sorted(k for k in totals if k.startswith("ALL ")), "ALL"],
    )
    for section in sections:
        for key in section:
            files, cells, exact, missing, wrong, identity_ok, status_ok = totals[key]
            share, ok_share = 100 * exact / max(cells, 1), 100 * status_ok / max(files, 1)
            print(
                f"{key[:60]:<60} {files:>5} {cells:>6} {share:>8.2f} {missing:>7} {wrong:>5} {identity_ok:>5}"
                f" {ok_share:>6.1f}"
            )
        print()
    print(f"\n{totals['ALL'][0]} files in {time.perf_counter() - started:.1f} s")
    return 0 if totals["ALL"][4] == 0 else 1


if __name__ == "__main__":
    arguments = [Path(a) for a in sys.argv[1:]] or [ROOT / "fixtures"]
    sys.exit(main(arguments))
