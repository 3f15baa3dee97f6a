"""Readings scored below `min_score` on scanned reports that carry their expected cells: are
they as printed, and does a second reading agree?

    python bench/ocr_low_scores.py /tmp/fresh/sN [/tmp/fresh/sM ...] [--details]

The evidence for `settings.ocr.weak_min_score`: a plain reading (digits only, as
verification takes it) of a cell with nothing suspect about it and no seal ink near its
print, scored below `min_score`, is published only where a second reading agrees. For each
such reading this prints whether it is the printed value and whether the second reading
(the one verification makes) agrees, and counts them by score band.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

import gongkai
import gongkai.verify
from gongkai.forms import FORMS
from gongkai.settings import DEFAULT

_BANDS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9)


def _band(score: float) -> str:
    low = max(b for b in _BANDS if b <= score)
    return f"{low:.1f}-{_BANDS[_BANDS.index(low) + 1] if low < _BANDS[-1] else 1.0:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", type=Path, nargs="+")
    parser.add_argument("--details", action="store_true", help="one line per low-scored reading")
    args = parser.parse_args()
    found: list[tuple] = []
    verify = gongkai.verify.verify_ocr_cells  # read_report imports it from there when a page is scanned

    def capture(form, cells, placed, scanned, second):
        for record in cells:
            spot = placed.get(record.key)
            cell = scanned[spot.page].cells.get(spot.bbox) if spot and spot.page in scanned else None
            if cell is None or not cell.has_ink or cell.suspect or cell.under_seal:
                continue
            kind = FORMS[record.form].table(record.table).column(record.column_id).kind
            value = gongkai.verify._number(cell.free, kind, cell.dot_after, cell.specks)
            if value is None or cell.free_score >= DEFAULT.ocr.min_score:
                continue
            again = second(scanned[spot.page], [cell])[0]
            agreed = gongkai.verify.second_number(cell, again, kind) == value
            found.append((record.key, cell.free, cell.free_score, again, value, agreed))
        return verify(form, cells, placed, scanned, second)

    gongkai.verify.verify_ocr_cells = capture
    counts: Counter = Counter()
    for folder in args.folders:
        for pdf in sorted(folder.glob("*.pdf")):
            expected_csv = pdf.with_suffix("").with_suffix(".expected.csv")
            if not expected_csv.exists():
                continue
            with open(expected_csv, encoding="utf-8") as handle:
                expected = {
                    (r["table"], r["row_id"], r["column_id"]): r["value"] for r in csv.DictReader(handle)
                }
            start = len(found)
            gongkai.read_report(pdf)
            for key, free, score, again, value, agreed in found[start:]:
                truth = expected.get(key, "")
                right = truth != "" and float(truth) == value
                counts[(_band(score), right, agreed)] += 1
                if args.details:
                    print(
                        f"{'as printed' if right else 'WRONG'} {pdf.name} {'/'.join(key)}: "
                        f"printed {truth!r}, read {free!r} ({score:.2f}), read again {again!r}"
                    )
    print("score band  as printed (read again alike)  wrong (read again alike)")
    for band in sorted({band for band, _, _ in counts}):
        right = counts[(band, True, True)] + counts[(band, True, False)]
        wrong = counts[(band, False, True)] + counts[(band, False, False)]
        alike, wrong_alike = counts[(band, True, True)], counts[(band, False, True)]
        print(f"{band:>10}  {right:>10} ({alike})  {wrong:>18} ({wrong_alike})")


if __name__ == "__main__":
    main()
