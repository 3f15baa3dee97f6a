"""Cell accuracy on the real web reports of ../shared/reference/real-web/, printed to PDF.

    python bench/real_web.py PDF_DIR [EXPECTED_CSV]

PDF_DIR holds prints of the pages named <stem>-<printer>.pdf (S01-soffice.pdf, S01-chromium.pdf),
made outside the repository, for example:

    soffice --headless --infilter="HTML (StarWriter)" --convert-to pdf --outdir DIR S01.html
    chromium --headless --no-pdf-header-footer --print-to-pdf=DIR/S01-chromium.pdf S01.html

expected.csv names cells by their official labels (`file,table,row,column,value,note`); a blank
printed cell is `0` with the note `value_blank=true`, which gongkai must give as an empty value
noted blank. A cell is exact, missing (empty although printed) or wrong (any other value).
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

import gongkai
from gongkai.forms import FORMS
from gongkai.numbers import format_number

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EXPECTED = ROOT.parent / "shared" / "reference" / "real-web" / "expected.csv"
TABLE_IDS = {
    "active": "active_disclosure",
    "applications": "applications",
    "review_litigation": "review_litigation",
}
BLANK = "value_blank=true"


def _ids(table_id: str, row_label: str, column_name: str) -> tuple[str, str, str] | None:
    """The cell's (table, row_id, column_id) in whichever form version has these labels."""
    for form in FORMS.values():
        table = form.table(table_id)
        rows = table.rows if row_label else table.rows[:1]
        for row in rows:
            if row_label and row.label != row_label:
                continue
            for column in table.block_of(row.id).columns:
                if column.name == column_name or column.label == column_name:
                    return table_id, row.id, column.id
    return None


def expected_cells(path: Path) -> dict[str, dict[tuple[str, str, str], tuple[str, bool]]]:
    """{file stem: {cell key: (value, printed blank)}}."""
    out: dict[str, dict[tuple[str, str, str], tuple[str, bool]]] = defaultdict(dict)
    with open(path, encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            key = _ids(TABLE_IDS[record["table"]], record["row"], record["column"])
            if key is None:
                raise SystemExit(f"unknown cell in {path}: {record}")
            out[Path(record["file"]).stem][key] = (record["value"], BLANK in record["note"])
    return out


def main(pdf_dir: Path, expected_path: Path) -> int:
    expected = expected_cells(expected_path)
    totals = [0, 0, 0, 0, 0, 0]  # files ok cells exact missing wrong
    for pdf in sorted(pdf_dir.glob("*.pdf")):
        stem = pdf.stem.split("-")[0]
        if stem not in expected:
            continue
        report = gongkai.read_report(pdf)
        got = {(r.table, r.row_id, r.column_id): r for r in report.cells.itertuples(index=False)}
        exact = missing = wrong = 0
        wrong_cells, missing_cells = [], []
        for key, (value, blank) in expected[stem].items():
            record = got.get(key)
            mine = format_number(record.value) if record is not None else ""
            if blank:
                good = mine == "" and record is not None and record.note_code == "blank"
                if good:
                    exact += 1
                elif mine == "":
                    missing += 1
                    missing_cells.append((key, record.note if record is not None else "no record"))
                else:
                    wrong += 1
                    wrong_cells.append((key, mine, "blank"))
            elif mine == value:
                exact += 1
            elif mine == "":
                missing += 1
                missing_cells.append((key, record.note if record is not None else "no record"))
            else:
                wrong += 1
                wrong_cells.append((key, mine, value))
        cells = len(expected[stem])
        counts = [1, report.status == "ok", cells, exact, missing, wrong]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        print(f"{pdf.name}: {report.status}, {exact}/{cells} exact, {missing} missing, {wrong} wrong")
        for key, mine, value in wrong_cells[:5]:
            print(f"     wrong {'/'.join(key)}: read {mine!r}, printed {value!r}")
        for key, note in missing_cells[:3]:
            print(f"     missing {'/'.join(key)}: {note}")
    files, ok, cells, exact, missing, wrong = totals
    print(f"\n{files} files, {ok} ok; {exact}/{cells} cells exact ({100 * exact / max(cells, 1):.2f} %), "
          f"{missing} missing, {wrong} wrong")  # fmt: skip
    return 0 if wrong == 0 else 1


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_EXPECTED))
