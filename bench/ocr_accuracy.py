"""What gongkai publishes from scanned reports that carry their expected cells.

    python fixtures/generate.py --corpus /tmp/corpus --count 20 --seed S --producers reportlab,docx
    python fixtures/gen_scan.py --from /tmp/corpus --out /tmp/scans --seed S
    python bench/ocr_accuracy.py /tmp/scans [--limit N] [--details]

Over the value cells (the expected value is a number) it counts
  exact     - the number printed was published (`ocr_corrected_by_rule` included);
  wrong     - another number was published (the failure that matters);
  doubtful  - left empty with `ocr_doubtful` (the honest failure: the note says why); of them,
              `for the seal` counts those whose note gives the seal's ink as a reason (a cell
              under the seal is published only where the rules fix it);
  missing   - left empty for another reason (row or table not found, ...); of them, `said
              empty` counts those whose note says nothing is printed there (`blank`, or a
              printed mark, `not_applicable`): a statement as wrong as a wrong number;
and over the cells printed without a number (blank, `/`, `—`) how many got a number
(wrong) or were left `ocr_doubtful`. It also counts the values the arithmetic
corrected (`ocr_corrected_by_rule`) and the seconds per scanned page. `--details`
lists every value cell that is not exact, with its note.

It also gives the ceiling the seal's policy sets (a cell under the seal is published only where
the rules fix it): the value cells under the seal (seal ink near their print, or a stroke of the
seal's own ink), how many of them the rules fix when every other cell of the report is taken as
printed (solved as `verify` solves them), and so the most that can come out exact however well
the OCR reads; and the share exact among the value cells not under the seal.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter
from pathlib import Path

import gongkai
import gongkai.verify as verify
from gongkai.checks import _rows_by_table
from gongkai.forms import FORMS, ValueKind
from gongkai.model import Key, NoteCode
from gongkai.numbers import format_number

_SAYS_EMPTY = (NoteCode.BLANK, NoteCode.NOT_APPLICABLE)


def _expected(pdf: Path) -> dict[Key, str]:
    with open(pdf.with_suffix("").with_suffix(".expected.csv"), encoding="utf-8") as handle:
        return {(r["table"], r["row_id"], r["column_id"]): r["value"] for r in csv.DictReader(handle)}


def _scans(folder: Path, limit: int = 0) -> list[Path]:
    """The scans in `folder` that have their expected values beside them, sorted; the first
    `limit` of them where it is given."""
    pdfs = sorted(p for p in folder.glob("*.pdf") if p.with_suffix("").with_suffix(".expected.csv").exists())
    return pdfs[:limit] if limit else pdfs


def _read_watching_the_seal(pdf: Path) -> tuple[gongkai.Report, dict]:
    """The report, and what verification was given: its form, records, and the cells under the seal."""
    seen: dict = {"sealed": set()}
    original = verify.verify_ocr_cells

    def watching(form, cells, placed, scanned, second_readings):
        for record in cells:
            spot = placed.get(record.key)
            cell = scanned[spot.page].cells.get(spot.bbox) if spot and spot.page in scanned else None
            if cell is not None and (cell.under_seal or "seal" in cell.suspect):
                seen["sealed"].add(record.key)
        seen.update(form=form, cells=list(cells))
        return original(form, cells, placed, scanned, second_readings)

    verify.verify_ocr_cells = watching  # the report stage imports it when it verifies
    try:
        return gongkai.read_report(pdf), seen
    finally:
        verify.verify_ocr_cells = original


def _fixed_under_the_seal(seen: dict, numbers: dict[Key, float]) -> int:
    """How many value cells under the seal the rules fix, every other cell as printed."""
    if "form" not in seen:
        return 0
    form, cells = seen["form"], seen["cells"]
    # A hybrid's table may be printed in the other version's layout: each record names its own.
    kinds = {c.key: FORMS[c.form].table(c.table).column(c.column_id).kind for c in cells}
    sides = verify._sides(form, _rows_by_table(cells))
    whole = {key for key, kind in kinds.items() if kind is not ValueKind.AMOUNT}
    natural = {key for key, kind in kinds.items() if kind is ValueKind.COUNT}
    values = {key: numbers.get(key) for key in kinds}
    unknown = seen["sealed"] & set(numbers)
    solved = verify._solved_by_rules(sides, values, unknown, whole, natural, {})
    return sum(value == numbers[key] for key, (value, _) in solved.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="read only the first N scans")
    parser.add_argument("--details", action="store_true", help="list every value cell not read exactly")
    args = parser.parse_args()
    pdfs = _scans(args.folder, args.limit)
    total: Counter = Counter()
    seconds = 0.0
    for pdf in pdfs:
        started = time.perf_counter()
        report, seen = _read_watching_the_seal(pdf)
        seconds += time.perf_counter() - started
        total["pages"] += report.pages_ocr
        expected = _expected(pdf)
        numbers = {key: float(text) for key, text in expected.items() if text}
        counts: Counter = Counter()
        counts["under the seal"] = len(seen["sealed"] & set(numbers))
        counts["fixed under the seal"] = _fixed_under_the_seal(seen, numbers)
        for record in report.records:
            truth = expected.get(record.key)
            if truth is None:
                continue
            got = format_number(record.value)
            doubtful = record.note_code == NoteCode.OCR_DOUBTFUL
            counts["corrected"] += record.note_code == NoteCode.OCR_CORRECTED_BY_RULE
            if not truth:
                counts["no-number cells"] += 1
                counts["no-number wrong"] += bool(got)
                counts["no-number doubtful"] += doubtful
                if got and args.details:
                    print(f"  WRONG {pdf.name} {'/'.join(record.key)}: {got!r} for no number; {record.note}")
                continue
            counts["value cells"] += 1
            outcome = "exact" if got == truth else "wrong" if got else "doubtful" if doubtful else "missing"
            counts[outcome] += 1
            counts["for the seal"] += doubtful and "seal" in record.note
            counts["exact away from the seal"] += outcome == "exact" and record.key not in seen["sealed"]
            counts["said empty"] += outcome == "missing" and record.note_code in _SAYS_EMPTY
            if outcome != "exact" and args.details:
                where = f"{pdf.name} {'/'.join(record.key)}"
                print(f"  {outcome} {where}: printed {truth}, {got!r}; {record.note}")
        total.update(counts)
        print(
            f"{pdf.name}: {report.status}, {report.pages_ocr} pages by OCR, "
            f"{counts['exact']}/{counts['value cells']} exact, {counts['wrong']} wrong "
            f"(and {counts['no-number wrong']} given a number where none is printed), "
            f"{counts['doubtful']} doubtful ({counts['for the seal']} for the seal), "
            f"{counts['missing']} missing "
            f"({counts['said empty']} said empty), {counts['corrected']} corrected; "
            f"{counts['under the seal']} under the seal, {counts['fixed under the seal']} of them fixable"
        )
    cells = total["value cells"] or 1
    per_page = seconds / max(total["pages"], 1)
    print(f"\n{len(pdfs)} scans, {total['pages']} pages read by OCR, {per_page:.2f} s/page")
    print(
        f"value cells: {total['value cells']}; exact {total['exact']} ({total['exact'] / cells:.2%}), "
        f"wrong {total['wrong']} ({total['wrong'] / cells:.2%}), doubtful {total['doubtful']} "
        f"({total['for the seal']} for the seal), "
        f"missing {total['missing']} (said empty {total['said empty']}); "
        f"corrected by the arithmetic {total['corrected']}"
    )
    print(
        f"cells printed without a number: {total['no-number cells']}; given a number "
        f"{total['no-number wrong']}, doubtful {total['no-number doubtful']}"
    )
    print(f"values written that are not what is printed: {total['wrong'] + total['no-number wrong']}")
    sealed, fixable = total["under the seal"], total["fixed under the seal"]
    ceiling = total["value cells"] - sealed + fixable
    away = max(total["value cells"] - sealed, 1)
    print(
        f"under the seal: {sealed} value cells ({sealed / cells:.2%}), {fixable} of them fixed by the "
        f"rules were every other cell read as printed: at most {ceiling} exact ({ceiling / cells:.2%}); "
        f"exact among the cells not under the seal {total['exact away from the seal']} of {away} "
        f"({total['exact away from the seal'] / away:.2%})"
    )


if __name__ == "__main__":
    main()
