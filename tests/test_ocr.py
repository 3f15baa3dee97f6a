"""Scanned reports: which pages are scans, what OCR may publish, and what a scan reads to."""

from __future__ import annotations

import csv
import dataclasses
import importlib.util
import itertools
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import gongkai
from gongkai.forms import FORM_2021
from gongkai.model import NoteCode, PlacedCell
from gongkai.numbers import format_number
from gongkai.report import read_report_safely
from gongkai.sources.pdf import PdfSource

from .conftest import FIXTURES, SAMPLES

SCANNED = FIXTURES / "scanned"
# Scanned at 150 dpi, skewed, with a red seal and an invisible text layer of junk (gen_scan.py).
JUNK_LAYER = SCANNED / "scan-docx-department-2021-blank-zeros.pdf"
NO_LAYER = SCANNED / "scan-reportlab-city-2024-cut-unavailable.pdf"
HAS_OCR = importlib.util.find_spec("rapidocr") is not None and importlib.util.find_spec("cv2") is not None
needs_ocr = pytest.mark.skipif(
    not HAS_OCR, reason='the OCR extra is not installed: pip install "gongkai[ocr]"'
)
ROOT = Path(__file__).resolve().parents[1]


def test_scanned_pages_are_told_from_text_pages():
    with PdfSource(JUNK_LAYER) as source:
        reasons = {source.page(n).scanned for n in range(1, source.page_count + 1)}
    assert reasons == {"invisible text layer (a scanner's OCR)"}
    with PdfSource(NO_LAYER) as source:
        pages = [source.page(n) for n in range(1, source.page_count + 1)]
    assert {p.scanned for p in pages} == {"no text layer"}
    assert all(not p.chars and not p.edges for p in pages)  # a scan's text layer is never used
    with PdfSource(FIXTURES / "docx-department-2021-blank-zeros.pdf") as source:
        assert not any(source.page(n).scanned for n in range(1, source.page_count + 1))


def test_a_page_without_text_or_image_is_not_read_by_ocr():
    report = read_report_safely(FIXTURES / "bad" / "scanned.pdf")  # grey marks, no image
    assert report.status == "failed"
    assert report.reason == "no text layer, and no page is an image to read by OCR"


@needs_ocr
@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript (gs) outlines the sample's text")
def test_a_report_whose_text_is_drawn_as_outlines_is_read_by_ocr(tmp_path):
    """Text saved as shapes (`gs -dNoOutputFonts`, as some printers save a document): no text
    layer and no image, so the report failed with `no page is an image to read by OCR`."""
    sample = SAMPLES / "guiling-township-2024.pdf"
    outlined = tmp_path / "outlined.pdf"
    command = ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", "-dNoOutputFonts"]
    subprocess.run([*command, f"-sOutputFile={outlined}", str(sample)], check=True, timeout=120)
    with PdfSource(outlined) as source:
        assert {source.page(n).scanned for n in range(1, source.page_count + 1)} == {"no text layer"}
    report, printed = gongkai.read_report(outlined), gongkai.read_report(sample)
    assert (report.status, report.agency, report.year) == ("ok", printed.agency, printed.year)
    assert report.pages_ocr >= 1 and set(report.cells["read_by"]) == {"ocr"}
    assert report.cells["value"].equals(printed.cells["value"])


@pytest.mark.parametrize(
    ("text", "unusable"),
    [
        ("!!\"#$%&'#()*+,-./012345467!8!9:45467!48;", True),  # a font's glyph codes taken as Latin
        ("一、总体情况 2024年，本机关主动公开政府信息 1,234 条。", False),
        ("（一）予以公开 35 12 0 0 1 0 48 " * 2, False),
        ("- 3 -", False),  # a page number alone is not judged
    ],
)
def test_text_of_no_chinese_on_a_page_of_a_report_is_text_without_unicode(text, unusable):
    from gongkai.model import Char
    from gongkai.sources.pdf import _unusable_text

    chars = [Char(ch, 0, 0, 1, 1, 10) for ch in text.replace(" ", "")] * 3
    assert (_unusable_text(chars, False) == "text without Unicode") is unusable


@needs_ocr
def test_a_report_whose_fonts_have_no_unicode_map_is_read_by_ocr(tmp_path):
    """Without their ToUnicode maps a Word export's fonts give glyph codes PDFium takes as Latin
    (!"#$%&'): the text layer passed as readable, no table was found, and the report failed."""
    sample = SAMPLES / "huaichuan-market-2023.pdf"
    data = sample.read_bytes()
    assert b"/ToUnicode" in data
    unmapped = tmp_path / "no-unicode.pdf"
    unmapped.write_bytes(data.replace(b"/ToUnicode", b"/ToUnicodX"))  # same length: the offsets hold
    with PdfSource(unmapped) as source:
        assert {source.page(n).scanned for n in range(1, source.page_count + 1)} == {"text without Unicode"}
    report, printed = gongkai.read_report(unmapped), gongkai.read_report(sample)
    assert report.pages_ocr >= 1 and set(report.cells["read_by"]) == {"ocr"}
    assert report.cells["value"].equals(printed.cells["value"])


@needs_ocr
def test_a_scan_that_fails_says_its_pages_read_by_ocr_as_one_read_does(tmp_path):
    """Whatever its status, a scanned report's status row says how many pages OCR read."""
    from PIL import Image

    blank = tmp_path / "blank-scan.pdf"
    Image.new("L", (600, 840), 255).save(blank, resolution=72)  # one page, an image of nothing
    report = read_report_safely(blank)
    assert report.status == "failed"
    assert report.reason == "no text layer, and OCR found no text in the page images; 1 of 1 page read by OCR"
    row = report.file_record()
    assert (row["pages"], row["pages_ocr"]) == (1, 1)
    from click.testing import CliRunner

    from gongkai.cli import main

    shown = CliRunner().invoke(main, ["inspect", str(blank)])  # says so as extract's row does
    assert shown.exit_code == 1
    assert shown.stderr == f"gongkai: failed: {blank}: {report.reason}\n"


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120, check=True
    )


def test_a_text_report_does_no_ocr_work():
    code = (
        "import sys, gongkai\n"
        f"report = gongkai.read_report({str(FIXTURES / 'docx-city-2024-template.pdf')!r})\n"
        "ocr = ('gongkai.sources.ocr', 'rapidocr', 'onnxruntime', 'cv2')\n"
        "loaded = [m for m in ocr if m in sys.modules]\n"
        "print(report.status, report.pages_ocr, loaded)\n"
    )
    assert _python(code).stdout.split() == ["ok", "0", "[]"]


@pytest.mark.parametrize("missing", ["rapidocr", "onnxruntime", "cv2"])
def test_without_the_extra_the_status_says_what_to_install(missing):
    code = (
        "import sys\n"
        f"sys.modules[{missing!r}] = None  # as if the extra were not installed\n"
        "from gongkai.report import read_report_safely\n"
        f"print(read_report_safely({str(NO_LAYER)!r}).reason)\n"
    )
    reason = _python(code).stdout.strip()
    assert reason.endswith('pip install "gongkai[ocr]"')
    assert "scanned" in reason
    assert gongkai.OcrUnavailableError.__mro__[1] is gongkai.ScannedReportError  # catchable by name


# --- verify: what may be published from an image, on hand-made readings -------------------


def _records(values: dict[tuple[str, str], float]):
    """Table 四's records, every cell printed with the given value (or blank)."""
    pytest.importorskip("cv2")
    from gongkai.sources.ocr import OcrCell, ScannedPage

    table = FORM_2021.table("review_litigation")
    row = table.rows[0]
    records, placed, cells = [], {}, {}
    for i, column in enumerate(table.block_of(row.id).columns):
        value = values.get((row.id, column.id))
        key = (table.id, row.id, column.id)
        records.append(
            gongkai.model.CellRecord(
                "scan.pdf", None, None, "2021", table.id, row.label, row.id, column.name, column.id,
                value=value, page=1, raw=format_number(value),
            )
        )  # fmt: skip
        box = (float(i), 0.0, i + 1.0, 1.0)
        placed[key] = PlacedCell(table.id, row.id, column.id, format_number(value), 1, box)
        text = format_number(value)
        cells[box] = OcrCell(1, box, text, 0.99, text, 0.99, (0, 0, 1, 1), bool(text), ())
    page = ScannedPage(1, None, [], [], cells)
    return records, placed, {1: page}


def _review_values():
    """A table 四 that satisfies its rules: each group's total is the sum of its four outcomes."""
    values = {}
    for group, numbers in (("review", (3, 1, 0, 2)), ("litigation_direct", (1, 0, 0, 1))):
        for outcome, number in zip(("upheld", "corrected", "other", "pending"), numbers, strict=True):
            values[("review_litigation", f"{group}_{outcome}")] = float(number)
        values[("review_litigation", f"{group}_total")] = float(sum(numbers))
    for outcome in ("upheld", "corrected", "other", "pending", "total"):
        values[("review_litigation", f"litigation_after_review_{outcome}")] = 0.0
    return values


def _verify(records, placed, scanned, second=lambda page, cells: [cell.free for cell in cells]):
    from gongkai.verify import verify_ocr_cells

    out, counts = verify_ocr_cells(FORM_2021, records, placed, scanned, second)
    return {r.column_id: r for r in out}, counts


def _replace_cell(scanned, placed, column_id, **changes):
    import dataclasses

    key = next(k for k in placed if k[2] == column_id)
    box = placed[key].bbox
    scanned[1].cells[box] = dataclasses.replace(scanned[1].cells[box], **changes)


def test_values_that_satisfy_every_rule_are_published_and_marked_as_ocr():
    records, placed, scanned = _records(_review_values())
    out, counts = _verify(records, placed, scanned)
    assert counts["published"] == 15 and counts["doubtful"] == 0
    assert out["review_total"].value == 6 and out["review_total"].read_by == "ocr"
    assert out["review_total"].ocr_confidence == pytest.approx(0.99)


def test_a_reading_that_breaks_a_rule_is_withheld_with_its_candidates():
    values = _review_values()
    records, placed, scanned = _records(values)
    # 3 misread as 8 with digits-only agreeing: the rule breaks, and no candidate repairs it
    _replace_cell(scanned, placed, "review_upheld", free="8", digits="8")
    out, counts = _verify(records, placed, scanned)
    for column in ("review_upheld", "review_corrected", "review_other", "review_pending", "review_total"):
        assert out[column].value is None
        assert out[column].note_code is NoteCode.OCR_DOUBTFUL
    assert "breaks review_total[review_litigation]" in out["review_upheld"].note
    assert out["litigation_direct_total"].value == 2  # the other groups' rules still hold
    assert counts["doubtful"] == 5


def test_the_one_candidate_that_satisfies_the_rule_is_taken_and_marked():
    records, placed, scanned = _records(_review_values())
    # read freely as 8 at a low score; the digits-only pass read 3, which makes the rule hold
    _replace_cell(scanned, placed, "review_upheld", free="8", free_score=0.7, digits="3")
    out, counts = _verify(records, placed, scanned)
    assert out["review_upheld"].value == 3
    assert out["review_upheld"].note_code is NoteCode.OCR_CORRECTED_BY_RULE
    assert "'8'" in out["review_upheld"].note and "'3'" in out["review_upheld"].note
    assert counts["corrected"] == 1 and counts["doubtful"] == 0


def test_what_ocr_read_is_the_records_data_and_the_outputs_read_it_there_not_in_the_note():
    """The readings are kept apart from the note (`ocr_readings`): the hover note and the note on
    paper are the same whatever the note's words."""
    from gongkai.output.records import cells_frame
    from gongkai.output.views import hover_note, note_on_paper
    from gongkai.readings import OcrReading, ReadingKind, Why, from_column

    records, placed, scanned = _records(_review_values())
    _replace_cell(scanned, placed, "review_upheld", free="8", free_score=0.7, digits="3")
    _replace_cell(scanned, placed, "litigation_after_review_total", free="1O", digits="10")
    out, _ = _verify(records, placed, scanned)
    corrected, doubtful = out["review_upheld"], out["litigation_after_review_total"]
    assert corrected.ocr_readings == (
        OcrReading(ReadingKind.CELL, "8", 0.7),
        OcrReading(ReadingKind.DIGITS, "3", 0.99),
    )
    assert doubtful.note_code is NoteCode.OCR_DOUBTFUL
    assert [r.kind for r in doubtful.ocr_readings] == [ReadingKind.CELL, ReadingKind.DIGITS]
    assert out["review_total"].ocr_readings == ()  # published: the value is what was read
    frame = cells_frame(list(out.values())).set_index("column_id")
    column = frame.loc["litigation_after_review_total", "ocr_readings"]
    assert column == (
        '{"cell": "1O", "cell_score": 0.99, "digits": "10", "digits_score": 0.99, '
        '"why": ["not_a_number", "rules_leave_another"]}'
    )
    assert from_column(column) == tuple(
        dataclasses.replace(r, score=round(r.score, 2)) for r in doubtful.ocr_readings
    )
    assert pd_isna(frame.loc["review_total", "ocr_readings"])
    said = "；单元格识别为“1O”（置信度 0.99），只认数字为“10”"
    on_paper = (
        "OCR doubtful (not a plain number; litigation_after_review_total[review_litigation] leave only 0)"
    )
    assert note_on_paper(doubtful.note, "ocr_doubtful", column) == on_paper
    assert hover_note(doubtful.note, "ocr_doubtful", readings=column).endswith(said)
    # Why, in Chinese, from the record's data (`ocr_why`, the column's `why`), not the note's words.
    assert doubtful.ocr_why == (Why.NOT_A_NUMBER, Why.RULES_LEAVE_ANOTHER)
    why = "；原因：识别所得不是单纯的数，按勾稽关系此格应为识别所得以外的数；"
    assert why in hover_note(doubtful.note, "ocr_doubtful", readings=column) and corrected.ocr_why == ()
    assert hover_note("", "ocr_doubtful", readings=column) == hover_note(
        doubtful.note, "ocr_doubtful", readings=column
    )
    # verify's words changed: the hover note's readings are as they were.
    reworded = doubtful.note.replace("cell read as", "the cell alone read").replace("digits only", "digits:")
    assert hover_note(reworded, "ocr_doubtful", readings=column).endswith(said)
    assert hover_note(doubtful.note, "ocr_doubtful").endswith("须对照原件填写")  # no readings: none said


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"free": "1O", "digits": "10"}, "not a plain number as read: '1O'"),  # never repaired
        ({"suspect": ("seal",)}, "suspect cell (seal)"),
        ({"suspect": ("smudge",)}, "suspect cell (smudge)"),
        ({"free_score": 0.45}, "low OCR confidence 0.45"),
    ],
)
def test_doubtful_readings_are_never_published(changes, why):
    records, placed, scanned = _records(_review_values())
    _replace_cell(scanned, placed, "litigation_after_review_total", **changes)
    out, _ = _verify(records, placed, scanned)
    cell = out["litigation_after_review_total"]
    assert cell.note_code in (NoteCode.OCR_DOUBTFUL, NoteCode.OCR_CORRECTED_BY_RULE)
    assert why in cell.note
    if cell.note_code is NoteCode.OCR_CORRECTED_BY_RULE:
        assert cell.value == 0  # the rule's other cells are verified and 0 is the only candidate that fits


def test_a_cell_no_rule_covers_needs_two_readings_that_agree():
    values = _review_values()
    records, placed, scanned = _records(values)
    # Blank the outcomes of one group: its rule cannot be evaluated, so the total stands alone.
    for outcome in ("upheld", "corrected", "other", "pending"):
        _replace_cell(scanned, placed, f"litigation_direct_{outcome}", free="", digits="", has_ink=False)
    for record in records:
        if (
            record.column_id.startswith("litigation_direct_")
            and record.column_id != "litigation_direct_total"
        ):
            record.value, record.raw = None, ""
    agreeing, _ = _verify(records, placed, scanned)
    assert agreeing["litigation_direct_total"].value == 2
    disagreeing, _ = _verify(records, placed, scanned, second=lambda page, cells: ["7"] * len(cells))
    assert disagreeing["litigation_direct_total"].value is None
    assert "the two readings disagree" in disagreeing["litigation_direct_total"].note


def _lone_total():
    """Table 四 with one group's outcomes blank: its total is covered by no rule that can be evaluated."""
    records, placed, scanned = _records(_review_values())
    for outcome in ("upheld", "corrected", "other", "pending"):
        _replace_cell(scanned, placed, f"litigation_direct_{outcome}", free="", digits="", has_ink=False)
    for record in records:
        outcome_cell = record.column_id.startswith("litigation_direct_")
        if outcome_cell and record.column_id != "litigation_direct_total":
            record.value, record.raw = None, ""
    return records, placed, scanned


def test_two_readings_under_the_seal_are_not_enough():
    # A faded seal over a digit misled every reading of those pixels alike (44255 read as 44355).
    records, placed, scanned = _lone_total()
    _replace_cell(scanned, placed, "litigation_direct_total", under_seal=True)
    out, _ = _verify(records, placed, scanned)
    assert out["litigation_direct_total"].value is None
    assert "under the seal" in out["litigation_direct_total"].note
    # where the rules vouch for it, a cell under the seal is published
    records, placed, scanned = _records(_review_values())
    _replace_cell(scanned, placed, "review_total", under_seal=True)
    out, _ = _verify(records, placed, scanned)
    assert out["review_total"].value == 6


def _applications_records(sealed=(), doubtful=(), read=None, faded=()):
    """Table 三 of the 2021 form, its rules all holding; the cells `sealed` (row, column) have seal
    ink in them, those `doubtful` were read as no number at all (no candidate to correct them),
    those in `read` as given there (free text, score), and in those `faded` the seal's fade left
    no ink at all."""
    pytest.importorskip("cv2")
    from gongkai.sources.ocr import OcrCell, ScannedPage

    table = FORM_2021.table("applications")
    values = {row.id: [0] * 6 for row in table.rows}
    values["granted"] = [5, 2, 0, 0, 0, 0]
    values["partially_granted"] = [1, 1, 0, 0, 0, 0]
    values["withheld_third_party"] = [1, 1, 0, 0, 0, 0]
    values["carried_over"] = [1, 0, 0, 0, 0, 0]
    values["carried_forward"] = [2, 1, 0, 0, 0, 0]
    outcomes = table.rows[2 : [r.id for r in table.rows].index("total_processed")]
    values["total_processed"] = [sum(values[r.id][i] for r in outcomes) for i in range(6)]
    values["new_requests"] = [
        values["total_processed"][i] + values["carried_forward"][i] - values["carried_over"][i]
        for i in range(6)
    ]
    records, placed, cells = [], {}, {}
    for y, row in enumerate(table.rows):
        row_values = [*values[row.id], sum(values[row.id])]
        for x, column in enumerate(table.block_of(row.id).columns):
            value = float(row_values[x])
            records.append(
                gongkai.model.CellRecord(
                    "scan.pdf", None, None, "2021", table.id, row.label, row.id, column.name, column.id,
                    value=value, page=1, raw=format_number(value),
                )
            )  # fmt: skip
            box = (float(x), float(y), x + 1.0, y + 1.0)
            placed[records[-1].key] = PlacedCell(table.id, row.id, column.id, format_number(value), 1, box)
            free, digits = ("?", "") if (row.id, column.id) in doubtful else (format_number(value),) * 2
            if (row.id, column.id) in (read or {}):
                free, score = digits, _ = read[(row.id, column.id)]
            else:
                score = 0.99
            inked = (row.id, column.id) not in faded
            if not inked:
                free, digits = "", ""
            cells[box] = OcrCell(
                1, box, free, score, digits, 0.99, (0, 0, 1, 1), inked, (),
                under_seal=(row.id, column.id) in sealed,
            )  # fmt: skip
    return records, placed, {1: ScannedPage(1, None, [], [], cells)}


def _verify_applications(sealed=(), doubtful=(), read=None, faded=()):
    from gongkai.checks import run_checks
    from gongkai.model import CheckStatus
    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _applications_records(sealed, doubtful, read, faded)
    mine = [r for r in run_checks(FORM_2021, records) if r.rule_id.startswith("applications")]
    assert {r.status for r in mine} == {CheckStatus.PASSED}
    out, counts = verify_ocr_cells(
        FORM_2021, records, placed, scanned, lambda page, cells: [c.free for c in cells]
    )
    return {(r.row_id, r.column_id): r for r in out}, counts


_SEAL_BLOCK = [
    (row, column) for row in ("granted", "partially_granted") for column in ("natural_person", "business")
]


def test_under_a_seal_the_only_cell_a_holding_rule_leaves_to_verify_is_published():
    # the column's rules cannot be evaluated (a doubtful cell), but the row's holds
    out, counts = _verify_applications(
        sealed=[("granted", "business")], doubtful=[("other_other", "business")]
    )
    assert out[("granted", "business")].value == 2 and counts["by_arithmetic"] == 1


def test_under_a_seal_zeros_a_holding_rule_leaves_0_for_are_published():
    rows, columns = ("withheld_state_secret", "withheld_third_party"), ("research", "public_interest")
    sealed = [(row, column) for row in rows for column in columns]
    doubtful = [
        ("other_other", "research"),
        ("other_other", "public_interest"),
    ]  # the columns' rules cannot be evaluated
    out, counts = _verify_applications(sealed, doubtful)
    assert all(out[cell].value == 0 and out[cell].note_code is None for cell in sealed)
    assert counts["by_arithmetic"] == 4


def test_a_cell_the_seal_s_fade_left_no_ink_in_does_not_keep_the_rules_from_fixing_its_block():
    """Scan 00004 of seed 6464: a block of 0s under the seal, one of which the fade took whole.
    Read as no number, it sums as 0: it agrees with the 0 the rules leave it, and the block's other
    cells are fixed. It is not published itself (no ink is no reading), but its note says what the
    rules leave."""
    rows, columns = ("withheld_state_secret", "withheld_third_party"), ("research", "public_interest")
    sealed = [(row, column) for row in rows for column in columns]
    faded = [sealed[0]]
    doubtful = [("other_other", "research"), ("other_other", "public_interest")]
    out, counts = _verify_applications(sealed, doubtful, faded=faded)
    assert all(out[cell].value == 0 and out[cell].note_code is None for cell in sealed[1:])
    assert counts["by_arithmetic"] == 3
    gone = out[faded[0]]
    assert gone.value is None and gone.note_code is NoteCode.OCR_DOUBTFUL
    assert "no ink found" in gone.note and "leave only 0" in gone.note


def test_under_a_seal_two_cells_left_non_zero_in_one_rule_stay_doubtful():
    # two misreadings could cancel in each row's sum, and no column sum can be evaluated
    doubtful = [("other_other", "natural_person"), ("other_other", "business")]
    out, _ = _verify_applications(sealed=_SEAL_BLOCK, doubtful=doubtful)
    for cell in _SEAL_BLOCK:
        assert out[cell].value is None and "under the seal" in out[cell].note


def _applications_as_read(readings: dict[tuple[str, str], str]):
    """Table 三 as `_applications_records` builds it, with the cells of `readings` (row, column)
    read as given there: their records take the number read, as the value parser would."""
    import dataclasses

    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _applications_records()
    for i, record in enumerate(records):
        text = readings.get((record.row_id, record.column_id))
        if text is None:
            continue
        records[i] = dataclasses.replace(record, value=float(text), raw=text)
        box = placed[record.key].bbox
        placed[record.key] = dataclasses.replace(placed[record.key], raw=text)
        scanned[1].cells[box] = dataclasses.replace(scanned[1].cells[box], free=text, digits=text)
    out, _ = verify_ocr_cells(
        FORM_2021, records, placed, scanned, lambda page, cells: [c.free for c in cells]
    )
    return {(r.row_id, r.column_id): r for r in out}


def test_printed_arithmetic_that_does_not_hold_is_published_as_printed():
    # One application counted under granted instead of partially granted, in the natural person
    # column but not in the total: both rows' sums fail as printed, every column's sum holds.
    out = _applications_as_read(
        {("granted", "natural_person"): "6", ("partially_granted", "natural_person"): "0"}
    )
    for row, column, value in (
        ("granted", "natural_person", 6),
        ("partially_granted", "natural_person", 0),
        ("granted", "total", 7),
        ("partially_granted", "total", 2),
    ):
        assert out[(row, column)].value == value and out[(row, column)].note_code is None


def test_a_misreading_that_breaks_its_row_and_column_is_withheld_and_only_it():
    # 5 misread as 6: the row's sum and the column's both fail. Its neighbours' other rules hold.
    out = _applications_as_read({("granted", "natural_person"): "6"})
    misread = out[("granted", "natural_person")]
    assert misread.value is None and misread.note_code is NoteCode.OCR_DOUBTFUL
    assert "breaks applications_outcomes_total[natural_person]" in misread.note
    assert out[("granted", "business")].value == 2 and out[("granted", "business")].note_code is None
    assert out[("granted", "total")].value == 7


_X, _Y, _Z = (("t", "r", c) for c in "xyz")


@pytest.mark.parametrize(
    ("equations", "natural", "fixed"),
    [
        ([({_X: 1, _Y: 1}, 1), ({_X: 1, _Y: 1}, 2)], set(), None),  # they contradict: no bound shows it
        ([({_X: 1, _Y: -1}, 0), ({_X: 1, _Y: 1}, 4)], set(), {_X: 2, _Y: 2}),  # eliminated
        ([({_X: 1, _Y: 1}, 0)], {_X, _Y}, {_X: 0, _Y: 0}),  # 0 for a sum of counts
        ([({_X: 1, _Y: 1}, 0)], set(), {}),  # -d and +d: signed numbers
        ([({_X: 1, _Y: 1}, 3)], {_X, _Y}, {}),  # any split of 3
        ([({_X: 1, _Y: 1}, 5), ({_Y: 1, _Z: 1}, 0)], {_X, _Y, _Z}, {_X: 5, _Y: 0, _Z: 0}),  # bounds carried
        ([({_X: 1, _Y: 1}, -1)], {_X, _Y}, None),  # counts cannot sum to -1
        ([({_X: 2}, 3)], set(), None),  # no whole number solves it
    ],
)
def test_the_rules_fix_a_cell_only_where_every_whole_solution_agrees(equations, natural, fixed):
    from fractions import Fraction

    from gongkai.verify import _fixed

    got = _fixed([(c, Fraction(b), f"rule{i}") for i, (c, b) in enumerate(equations)], natural)
    assert got == fixed


def test_the_rules_together_fix_cells_that_no_rule_leaves_alone():
    # Each row's sum is blocked by a cell read as no number, so neither cell of the research
    # column's balance is the only one a rule leaves; but the rule leaves 0 for the two together,
    # and a count is never negative. Then the first row's sum leaves one value for its blocked cell.
    blocked = [("new_requests", "natural_person"), ("carried_over", "natural_person")]
    out, counts = _verify_applications(
        sealed=[("carried_over", "research")],
        doubtful=blocked,
        read={("new_requests", "research"): ("0", 0.4)},  # too low a score to take on two readings
    )
    sealed = out[("carried_over", "research")]
    assert sealed.value == 0 and sealed.note_code is None
    low = out[("new_requests", "research")]
    assert low.value == 0 and low.note_code is NoteCode.OCR_CORRECTED_BY_RULE
    assert "low OCR confidence 0.40" in low.note and "applications_balance[research]" in low.note
    # read as no number: the value the rules leave (7 processed + 2 carried forward - 1 carried
    # over) is in the note, never published
    assert out[blocked[0]].value is None and out[blocked[0]].note_code is NoteCode.OCR_DOUBTFUL
    assert "leave only 8" in out[blocked[0]].note
    assert counts["by_arithmetic"] == 1


@pytest.mark.parametrize("low_score", [False, True])
def test_misreadings_under_a_seal_that_cancel_in_every_sum_are_not_published(low_score):
    # granted 5 2 and partially granted 1 1 read as 6 1 and 0 2: every row and column sum holds.
    # With the last read at a low score, 2 is the one candidate that makes its rules hold: wrong.
    read = {
        ("granted", "natural_person"): ("6", 0.99),
        ("granted", "business"): ("1", 0.99),
        ("partially_granted", "natural_person"): ("0", 0.99),
        ("partially_granted", "business"): ("2", 0.7 if low_score else 0.99),
    }
    out, counts = _verify_applications(sealed=_SEAL_BLOCK, read=read)
    for cell in _SEAL_BLOCK:
        assert out[cell].value is None and out[cell].note_code is NoteCode.OCR_DOUBTFUL
    held = "the rules hold but do not fix it" if not low_score else "no rule can check it"
    assert f"under the seal, and {held}" in out[("granted", "business")].note
    assert counts["corrected"] == 0


def test_a_clean_reading_the_rules_contradict_fixes_nothing_linked_to_it():
    # As in the first case, but the sealed cell was read cleanly as 3 where the rules leave 0: a
    # misreading, or printed arithmetic that does not hold. Either way the 0 the rules leave for its
    # neighbour rests on premises that cannot be trusted.
    blocked = [("new_requests", "natural_person"), ("carried_over", "natural_person")]
    read = {("new_requests", "research"): ("0", 0.7), ("carried_over", "research"): ("3", 0.99)}
    out, counts = _verify_applications(sealed=[("carried_over", "research")], doubtful=blocked, read=read)
    for cell in (("new_requests", "research"), ("carried_over", "research")):
        assert out[cell].value is None and out[cell].note_code is NoteCode.OCR_DOUBTFUL
    assert counts["corrected"] == 0 and counts["by_arithmetic"] == 0


def _lone_cell_records(
    text: str,
    version: str = "2019",
    column_id: str = "change",
    lead: str = "?",
    dot_after: bool = False,
    specks: int = 0,
):
    """One cell of table 二 in the layout of `version`, read as `text`, with the ink showing `lead`
    before the digits, `dot_after` and `specks` beside them; by default a 2019 licensing row's
    本年增/减, a column no rule covers. The record holds what the value parser made of `text`."""
    from gongkai.forms import FORMS
    from gongkai.numbers import parse_value
    from gongkai.sources.ocr import OcrCell, ScannedPage

    table = FORMS[version].table("active_disclosure")
    row = next(r for r in table.rows if any(c.id == column_id for c in table.block_of(r.id).columns))
    column = table.column(column_id)
    parsed = parse_value(text, column.kind)
    record = gongkai.model.CellRecord(
        "scan.pdf", None, None, version, table.id, row.label, row.id, column.name, column.id,
        value=parsed.value, page=1, raw=text, note=parsed.note, note_code=parsed.code,
    )  # fmt: skip
    box = (0.0, 0.0, 1.0, 1.0)
    placed = {record.key: PlacedCell(table.id, row.id, column.id, text, 1, box)}
    digits = "".join(ch for ch in text if ch.isdigit())
    cell = OcrCell(
        1,
        box,
        text,
        0.99,
        digits,
        0.99,
        (0, 0, 1, 1),
        True,
        (),
        lead=lead,
        dot_after=dot_after,
        specks=specks,
    )
    return [record], placed, {1: ScannedPage(1, None, [], [], {box: cell})}


def _lone_cell_verified(
    text: str, second: str, version: str = "2019", column_id: str = "published_total", **cell
):
    """The record of one lone cell read as `text` (`_lone_cell_records`), its reading changed by
    `cell` (OcrCell's fields), once verified with `second` as its second reading."""
    pytest.importorskip("cv2")
    import dataclasses

    from gongkai.forms import FORMS
    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _lone_cell_records(text, version=version, column_id=column_id)
    box = next(iter(scanned[1].cells))
    scanned[1].cells[box] = dataclasses.replace(scanned[1].cells[box], **cell)
    out, _ = verify_ocr_cells(FORMS[version], records, placed, scanned, lambda page, cells: [second])
    return out[0]


@pytest.mark.parametrize(("text", "published"), [("4", None), ("0", 0)])
def test_a_signed_number_no_rule_checks_is_not_published_on_agreement(text, published):
    pytest.importorskip("cv2")
    from gongkai.forms import FORM_2019
    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _lone_cell_records(text)
    read_again = lambda page, cells: [c.free for c in cells]  # noqa: E731 - the readings agree
    out, _ = verify_ocr_cells(FORM_2019, records, placed, scanned, read_again)
    assert out[0].value == published
    if published is None:
        assert out[0].note_code is NoteCode.OCR_DOUBTFUL and "minus sign" in out[0].note


@pytest.mark.parametrize(
    ("text", "lead", "second", "published", "why"),
    [
        ("-4", "-", "-4", -4, None),  # read with its minus, and the ink shows one
        ("-25", "-", "25", -25, None),  # the second reading lost the minus: the digits agree
        ("4", "", "4", 4, None),  # no ink at all before the digits
        ("4", "?", "4", None, "the ink does not show whether one stands before"),
        ("-4", "", "-4", None, "the ink shows no minus sign"),
        ("4", "-", "4", None, "the ink shows a minus sign"),  # -4 read twice as 4
        ("-4", "-", "-7", None, "the two readings disagree"),
    ],
)
def test_a_signed_number_is_published_when_the_ink_shows_its_sign(text, lead, second, published, why):
    pytest.importorskip("cv2")
    from gongkai.forms import FORM_2019
    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _lone_cell_records(text, lead=lead)
    out, _ = verify_ocr_cells(FORM_2019, records, placed, scanned, lambda page, cells: [second])
    assert out[0].value == published
    if why:
        assert out[0].note_code is NoteCode.OCR_DOUBTFUL and why in out[0].note
    else:
        assert out[0].note_code is None and out[0].read_by == "ocr"


@pytest.mark.parametrize(("dot_after", "published"), [(True, 2), (False, None)])
def test_a_point_after_a_count_is_a_speck_only_where_the_ink_holds_one_dot(dot_after, published):
    pytest.importorskip("cv2")
    from gongkai.forms import FORM_2019
    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _lone_cell_records("2.", column_id="published_total", dot_after=dot_after)
    assert records[0].value is None  # the parser reads no number in '2.'
    out, _ = verify_ocr_cells(FORM_2019, records, placed, scanned, lambda page, cells: ["2."])
    assert out[0].value == published
    if published is None:
        assert "not a plain number as read: '2.'" in out[0].note
    else:
        assert out[0].note_code is None and out[0].note == ""


@pytest.mark.parametrize(
    ("text", "second", "published", "why"),
    [
        ("0.", "0", 0, None),  # a point after a signed count's digits, one dot-sized blob in the ink
        ("0`", "0", None, "not a plain number as read: '0`'"),  # other specks only after a count
        ("0，", "0", None, "not a plain number as read: '0，'"),
        ("4", "4.", 4, None),  # the second reading's line reaches a speck the ink test left out
        ("4", "4`", None, "the two readings disagree"),
    ],
)
def test_a_signed_count_takes_only_a_point_after_its_digits_for_a_speck(text, second, published, why):
    pytest.importorskip("cv2")
    from gongkai.forms import FORM_2019
    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _lone_cell_records(text, lead="", dot_after=True)
    out, _ = verify_ocr_cells(FORM_2019, records, placed, scanned, lambda page, cells: [second])
    assert out[0].value == published
    if why:
        assert out[0].note_code is NoteCode.OCR_DOUBTFUL and why in out[0].note
    else:
        assert out[0].note_code is None and out[0].read_by == "ocr"


@pytest.mark.parametrize(
    ("text", "digits", "second", "published", "code"),
    [
        ("18件", "18", "18件", 18, NoteCode.UNIT_DROPPED),
        ("18 件", "18", "18 件", 18, NoteCode.UNIT_DROPPED),
        ("1O件", "10", "1O件", None, None),  # a letter before the unit is still never repaired
        ("18件", "16", "18件", None, None),  # the digits-only reading must agree
        ("4（其中修订1件）", "41", "4（其中修订1件）", 4, NoteCode.ANNOTATED),  # remark's digits and all
        ("4(其中修订1件)", "41", "4（其中修订1件）", 4, NoteCode.ANNOTATED),
        ("4（其中修订1件）", "41", "14（其中修订1件）", None, None),  # the second reading disagrees
        ("4（其中修订1件）", "4", "4（其中修订1件）", None, None),
        ("4（其中修订1件", "41", "4（其中修订1件", None, None),  # no remark as the parser knows one
    ],
)
def test_what_the_value_parser_drops_after_a_count_is_dropped_from_a_scans_reading(
    text, digits, second, published, code
):
    # 18件 in a text PDF is 18 with its unit dropped, 4（其中修订1件）4 with its remark kept in raw:
    # read from a scan they are the same numbers.
    out = _lone_cell_verified(text, second, digits=digits)
    assert out.value == published
    if published is None:
        assert out.note_code is NoteCode.OCR_DOUBTFUL
    else:
        assert out.note_code is code and out.read_by == "ocr"


@pytest.mark.parametrize(
    ("second", "published"), [("4.", 4), ("4", 4), ("4.5", None), ("47", None), (".4", None)]
)
def test_a_point_the_second_reading_sees_after_a_count_is_not_a_digit(second, published):
    # The second reading's line reaches past the ink test's crop, to a speck it left out.
    pytest.importorskip("cv2")
    from gongkai.forms import FORM_2019
    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _lone_cell_records("4", column_id="published_total")
    out, _ = verify_ocr_cells(FORM_2019, records, placed, scanned, lambda page, cells: [second])
    assert out[0].value == published
    if published is None:
        assert "the two readings disagree" in out[0].note


@pytest.mark.parametrize(
    ("grid_text", "own", "has_ink", "published", "why"),
    [
        ("6", "0", True, 0, None),  # the cell's own reading, verified, not its line's
        (
            "6",
            "—",
            True,
            None,
            "the page's line read it otherwise: '6'",
        ),  # a mark where the line read a number
        (
            "6",
            "",
            False,
            None,
            "the page's line read it otherwise: '6'",
        ),  # no ink where the line read a number
        ("0", "0", True, 0, None),
    ],
)
def test_a_cell_read_alone_apart_from_the_grids_text_publishes_its_own_reading_or_none(
    grid_text, own, has_ink, published, why
):
    # Seed 4949, scan 00012, a table without rules: a 0 under a seal's faint edge, read alone as
    # 0 (verified) and by the page's line as 6, which the grid's text and so the record held.
    pytest.importorskip("cv2")
    import dataclasses

    from gongkai.forms import FORM_2019
    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _lone_cell_records(grid_text, column_id="published_total")
    box = next(iter(scanned[1].cells))
    scanned[1].cells[box] = dataclasses.replace(
        scanned[1].cells[box], free=own, digits=own if own.isdigit() else "", has_ink=has_ink
    )
    out, _ = verify_ocr_cells(FORM_2019, records, placed, scanned, lambda page, cells: [own])
    assert out[0].value == published
    if why:
        assert out[0].note_code is NoteCode.OCR_DOUBTFUL and why in out[0].note
    else:
        assert out[0].note_code is None and out[0].raw == own


@pytest.mark.parametrize(
    ("grid_text", "own", "column_id", "code"),
    [
        ("1800元", "1800", "procurement_amount", NoteCode.CONVERTED_UNIT),  # not 1800 万元
        ("1800元", "1600", "procurement_amount", NoteCode.CONVERTED_UNIT),
        ("4（其中修订1件）", "41", "published_total", NoteCode.ANNOTATED),
        ("18件", "18", "procurement_amount", NoteCode.TEXT_IN_NUMBER_CELL),  # a count's unit in an amount
    ],
)
def test_a_cell_read_alone_apart_from_grid_text_that_says_more_than_a_number_is_doubtful(
    grid_text, own, column_id, code
):
    # The grid's text 1800元 is 0.18 万元: the cell's own reading 1800, without the 元, is a number
    # of 元 or of 万元, which no rule of a procurement amount tells; a remark or a unit the cell's
    # reading lacks leaves as little known of what is printed.
    pytest.importorskip("cv2")
    import dataclasses

    from gongkai.forms import FORM_2019
    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _lone_cell_records(grid_text, column_id=column_id)
    assert records[0].note_code is code
    box = next(iter(scanned[1].cells))
    scanned[1].cells[box] = dataclasses.replace(scanned[1].cells[box], free=own, digits=own)
    out, _ = verify_ocr_cells(FORM_2019, records, placed, scanned, lambda page, cells: [own])
    assert out[0].value is None and out[0].note_code is NoteCode.OCR_DOUBTFUL
    assert f"the page's line read it otherwise: {grid_text!r}" in out[0].note


@pytest.mark.parametrize(
    ("free", "score", "ring", "published"),
    [
        ("0", 0.99, True, 0),  # the page's line found nothing, the ink's shape is a 0's ring
        ("0", 0.99, False, None),
        ("0", 0.63, True, 0),  # a low score the shape agrees with
        ("0", 0.63, False, None),
        ("6", 0.99, True, None),
    ],
)
def test_a_zero_whose_ink_is_one_ring_needs_no_second_reading(free, score, ring, published):
    out = _lone_cell_verified(free, "", free_score=score, ring=ring)
    assert out.value == published
    if published is None:
        assert out.note_code is NoteCode.OCR_DOUBTFUL


@pytest.mark.parametrize(
    ("grid_text", "specks", "published"),
    [
        ("32.", 0, 32),  # a point after a count's digits, as a second reading may read it
        (".32", 1, 32),  # a speck the cell's ink holds
        (".32", 0, None),  # one it does not: what the line read there is not known
    ],
)
def test_grid_text_that_is_the_cells_digits_with_specks_beside_them_agrees(grid_text, specks, published):
    # Rules across only (4949 scan 00012): the grid's text is the page's line, which reached
    # specks the cell's own reading left out; they say no more than the number.
    out = _lone_cell_verified(grid_text, "32", free="32", digits="32", specks=specks)
    assert out.value == published
    if published is None:
        assert f"the page's line read it otherwise: {grid_text!r}" in out.note


@pytest.mark.parametrize(
    ("first", "second", "specks", "published"),
    [
        ("216.4", "216.4.", 0, 216.4),  # a second point after the fraction is no decimal point
        ("342.33", "•342.33", 1, 342.33),  # the ink holds one dot apart from the digits
        ("342.33", "•342.33", 0, None),  # it does not: what the line read there is not known
        ("1,342.5", "1,342.5.", 0, 1342.5),
        ("216.4", "216.4`", 0, None),  # another speck after them only where the ink shows a dot
        ("216.4", "216.4*", 1, 216.4),
        ("342", "342.", 0, None),  # beside digits without one, a dot may be the decimal point
        ("5", ".5", 1, None),
        ("216.4", "216.47", 0, None),
    ],
)
def test_an_amount_read_again_with_a_speck_beside_its_fraction_agrees(first, second, specks, published):
    # The page's line reaches past the ink test's crop, to specks it left out (fees: no rule checks them).
    pytest.importorskip("cv2")
    from gongkai.forms import FORM_2021
    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _lone_cell_records(
        first, version="2021", column_id="fee_amount", specks=specks
    )
    out, _ = verify_ocr_cells(FORM_2021, records, placed, scanned, lambda page, cells: [second])
    assert out[0].value == published
    if published is None:
        assert out[0].note_code is NoteCode.OCR_DOUBTFUL and "the two readings disagree" in out[0].note
    else:
        assert out[0].note_code is None and out[0].read_by == "ocr"


@pytest.mark.parametrize(
    ("digits", "lead", "published"),
    [
        ("131", "-", -31),  # the digits-only reading gave one digit for the minus the ink shows
        ("31", "-", -31),
        ("131", "?", None),  # the ink does not show a minus: 131 may be what is printed
        ("311", "-", None),  # the extra digit is not where the minus stands
        ("1131", "-", None),
    ],
)
def test_a_digits_only_reading_may_give_a_digit_for_the_minus_the_ink_shows(digits, lead, published):
    out = _lone_cell_verified("-31", "-31", column_id="change", lead=lead, digits=digits)
    assert out.value == published
    if published is None:
        assert out.note_code is NoteCode.OCR_DOUBTFUL


@pytest.mark.parametrize(
    ("free", "digits", "published"),
    [
        ("7951.98", "7951198", 7951.98),  # the digits-only reading gave a digit for the point
        ("7951.98", "795198", 7951.98),
        ("7951.98", "7951980", None),  # the extra digit is not where the point stands
        ("7951.98", "79511198", None),
        ("795198", "7951198", None),  # no point was read: the extra digit may be printed
    ],
)
def test_a_digits_only_reading_may_give_a_digit_for_the_decimal_point(free, digits, published):
    out = _lone_cell_verified(free, free, version="2021", column_id="fee_amount", digits=digits)
    assert out.value == published
    if published is None:
        assert out.note_code is NoteCode.OCR_DOUBTFUL


@pytest.mark.parametrize(
    ("text", "column_id", "specks", "published"),
    [
        (".14470", "published_total", 1, 14470),  # one speck before a count's digits
        ("·0", "published_total", 1, 0),
        ("0*", "published_total", 1, 0),  # a speck above the digits, read as a star beside them
        ("*0", "published_total", 1, 0),
        ("0°", "published_total", 1, 0),
        ("+0", "published_total", 1, 0),
        ("+0", "published_total", 0, None),
        (". 0 .", "published_total", 2, 0),  # two specks, one on each side
        (".14470", "published_total", 0, None),  # the ink shows no such speck
        ("0*", "published_total", 0, None),
        (". .0", "published_total", 1, None),  # two specks read for one blob
        ("-0", "published_total", 1, None),  # a minus is never a speck
        ("0。", "published_total", 1, None),  # a small ring may be a digit: never dust
        (".4", "change", 1, None),  # before a signed count's digits a small blob may be its minus
    ],
)
def test_specks_beside_a_count_are_taken_out_only_as_many_as_the_ink_holds(
    text, column_id, specks, published
):
    pytest.importorskip("cv2")
    from gongkai.forms import FORM_2019
    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _lone_cell_records(text, column_id=column_id, specks=specks)
    out, _ = verify_ocr_cells(FORM_2019, records, placed, scanned, lambda page, cells: [text])
    assert out[0].value == published
    if published is None:
        assert (
            out[0].note_code is NoteCode.OCR_DOUBTFUL
            and f"not a plain number as read: {text!r}" in out[0].note
        )
    else:
        assert out[0].note_code is None and out[0].read_by == "ocr"


@pytest.mark.parametrize(
    ("specks", "lead", "second", "published"),
    [
        (1, "?", "• 2", 2),  # the ink holds one dot apart from the digits
        (0, "", "• 2", 2),  # the ink holds nothing before them: the speck lies beyond the print
        (0, "?", "• 2", None),  # something stands before the digits that is no dot
        (1, "?", ",2", 2),  # a speck below the digits' line, read before them
        (1, "?", ", 2.", 2),  # and a point after them, which a count never has
        (0, "?", "2*", None),
    ],
)
def test_a_speck_the_second_reading_sees_beside_a_count_is_taken_out_where_the_ink_shows_it(
    specks, lead, second, published
):
    # The page's line reaches a speck the ink test's crop left out: the cell read 2, its line • 2.
    pytest.importorskip("cv2")
    from gongkai.forms import FORM_2019
    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _lone_cell_records("2", column_id="published_total", specks=specks, lead=lead)
    out, _ = verify_ocr_cells(FORM_2019, records, placed, scanned, lambda page, cells: [second])
    assert out[0].value == published
    if published is None:
        assert "the two readings disagree" in out[0].note


@pytest.mark.parametrize(
    ("first", "second", "published"),
    [
        ("0", "o", 0),  # the page's recogniser gave the printed ring as the letter
        ("0", "O", 0),
        ("6", "o", None),  # the first reading saw more than a ring
        ("0", "oo", None),
        ("o", "0", None),  # the letter is never the value published
    ],
)
def test_a_lone_zero_read_again_as_the_letter_o_agrees(first, second, published):
    pytest.importorskip("cv2")
    from gongkai.forms import FORM_2019
    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _lone_cell_records(first, column_id="published_total")
    out, _ = verify_ocr_cells(FORM_2019, records, placed, scanned, lambda page, cells: [second])
    assert out[0].value == published
    if published is None:
        assert out[0].note_code is NoteCode.OCR_DOUBTFUL


@pytest.mark.parametrize(
    ("placed_text", "blank_page", "second", "filled"),
    [
        (".0", 1, "0", True),  # the placed cell's own reading, verified by a second reading
        (".0", 2, "0", False),  # the form reading saw its blank on another page
        ("0 .0", 1, "0", False),  # the grid's text of the cell is not this reading alone
        (".0", 1, "8", False),  # the readings disagree: not verified
    ],
)
def test_a_verified_speck_reading_fills_the_cell_the_forms_reader_left_blank(
    placed_text, blank_page, second, filled
):
    pytest.importorskip("cv2")
    import dataclasses

    from gongkai.forms import FORM_2019
    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _lone_cell_records(".0", column_id="published_total", specks=1)
    placed = {key: dataclasses.replace(spot, raw=placed_text) for key, spot in placed.items()}
    blank = dataclasses.replace(
        records[0], raw="", page=blank_page, note="blank cell", note_code=NoteCode.BLANK
    )
    out, _ = verify_ocr_cells(FORM_2019, [blank], placed, scanned, lambda page, cells: [second])
    if filled:
        assert (out[0].value, out[0].note_code, out[0].raw) == (0, None, ".0")
    else:
        assert out[0].value is None and out[0].note_code in (NoteCode.BLANK, NoteCode.OCR_DOUBTFUL)


def test_no_printing_of_a_row_printed_twice_is_the_cell_verification_reads():
    # values.cell_records leaves such a row empty: none of its printings may fill it or vouch.
    from types import SimpleNamespace

    from gongkai.report import _placed_once

    box = (0.0, 0.0, 1.0, 1.0)
    once = PlacedCell("active_disclosure", "licensing", "published_total", "3", 1, box)
    twice = [
        PlacedCell("active_disclosure", "penalties", "published_total", ".0", 1, box),
        PlacedCell("active_disclosure", "penalties", "published_total", "7", 2, box),
    ]
    choices = [SimpleNamespace(reading=SimpleNamespace(cells=[once, *twice])), SimpleNamespace(reading=None)]
    assert _placed_once(choices) == {("active_disclosure", "licensing", "published_total"): once}


def test_a_hybrid_table_is_verified_in_the_layout_it_was_printed_in():
    """A 2019 report whose table 二 is printed in the 2021 layout: its columns (现行有效件数)
    are not the 2019 form's, and reading them must not stop the report."""
    pytest.importorskip("cv2")
    from gongkai.forms import FORM_2019
    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _lone_cell_records("12", version="2021", column_id="in_force")
    read_again = lambda page, cells: [c.free for c in cells]  # noqa: E731 - the readings agree
    out, counts = verify_ocr_cells(FORM_2019, records, placed, scanned, read_again)
    assert out[0].value == 12 and out[0].read_by == "ocr"
    assert counts["published"] == 1


# --- a committed scan, end to end (needs the OCR extra) ------------------------------------


def _expected(pdf: Path) -> dict[tuple[str, str, str], str]:
    with open(pdf.with_suffix("").with_suffix(".expected.csv"), encoding="utf-8") as handle:
        return {(r["table"], r["row_id"], r["column_id"]): r["value"] for r in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def junk_layer_report():
    """The committed scan read once for the tests below (OCR takes seconds a page)."""
    return gongkai.read_report(JUNK_LAYER)


def _placed_rows(report) -> set[tuple[str, str]]:
    unplaced = (NoteCode.ROW_NOT_FOUND, NoteCode.TABLE_NOT_FOUND)
    return {(cell.table, cell.row_id) for cell in report.records if cell.note_code not in unplaced}


@needs_ocr
def test_the_labels_of_a_scan_place_every_row_its_text_pdf_places(junk_layer_report):
    text = gongkai.read_report(FIXTURES / "docx-department-2021-blank-zeros.pdf")
    assert text.pages_ocr == 0 and len(_placed_rows(text)) == 32  # every row of the 2021 form
    assert _placed_rows(text) - _placed_rows(junk_layer_report) == set()


@needs_ocr
def test_a_scanned_report_reads_with_no_wrong_value(junk_layer_report):
    report = junk_layer_report
    expected = _expected(JUNK_LAYER)
    got = {cell.key: format_number(cell.value) for cell in report.records}
    wrong = {k: (got[k], v) for k, v in expected.items() if got.get(k, "") not in ("", v)}
    exact = sum(1 for k, v in expected.items() if got.get(k, "") == v)
    assert wrong == {}
    # Blank rows leave table 三's rules unevaluable: faint single digits that the second reading
    # cannot confirm stay empty (187 of 200 exact when measured; before the seal's ink was faded
    # out and the second reading taken from the page's lines, 162).
    assert exact >= 0.9 * len(expected)
    for cell in report.records:
        if got[cell.key] != expected[cell.key]:
            assert cell.note  # every cell left empty says why
    assert report.pages_ocr == report.pages == 4
    assert {cell.read_by for cell in report.records if cell.page is not None} == {"ocr"}
    assert "4 of 4 pages read by OCR" in report.reason
    assert "invisible text layer (a scanner's OCR) ignored" in report.reason
    with open(FIXTURES / "manifest.csv", encoding="utf-8") as handle:
        printed = next(
            r for r in csv.DictReader(handle) if r["file"] == "docx-department-2021-blank-zeros.pdf"
        )
    assert (report.agency, report.year) == (printed["agency"], int(printed["year"]))  # from page 1's image
    row = report.file_record()
    assert row["pages_ocr"] == 4


@needs_ocr
def test_what_ocr_read_of_a_doubtful_cell_of_a_scan_is_in_a_column_of_its_own(junk_layer_report, tmp_path):
    """A researcher filling in the cells OCR could not vouch for reads what it read in
    `ocr_readings`, written and read back as the note is; the note names the same readings."""
    import json

    from gongkai.output.records import cell_rows
    from gongkai.output.summary import read_output
    from gongkai.output.views import note_on_paper
    from gongkai.output.writers import BatchOutput
    from gongkai.readings import ReadingKind, described, from_column

    cells = junk_layer_report.cells
    doubtful = cells[cells["note_code"] == "ocr_doubtful"]
    read = doubtful[doubtful["ocr_readings"].map(lambda column: bool(from_column(column)))]
    assert len(read) >= 5
    for note, column in zip(read["note"], read["ocr_readings"], strict=True):
        readings = from_column(column)
        assert readings[0].kind is ReadingKind.CELL and json.loads(column)["cell"] == readings[0].text
        assert json.loads(column)["cell_score"] == pytest.approx(readings[0].score)
        assert note.endswith(f": {described(readings)}")  # the note names the same, in words
        on_paper = note_on_paper(note, "ocr_doubtful", column)
        assert on_paper.startswith("OCR doubtful") and not any(repr(r.text) in on_paper for r in readings)
    # No ink, no reading: the note says so, and the column why; a value published has none either.
    unread = doubtful[~doubtful.index.isin(read.index)]
    assert len(unread) and unread["note"].str.contains("no ink found").all()
    assert all(json.loads(column)["why"][0] == "no_ink" for column in unread["ocr_readings"])
    assert cells.loc[cells["note_code"].isna(), "ocr_readings"].isna().all()
    # Written and read back alike in every format summary reads.
    for fmt in ("csv", "parquet", "jsonl"):
        out = str(tmp_path / f"cells.{fmt}")
        with BatchOutput(out, fmt) as written:
            rows = {"cells": cell_rows(junk_layer_report.records), "checks": []}
            written.add_records({**rows, "files": [junk_layer_report.file_record()]})
        back = read_output(out)[0]
        assert back["ocr_readings"].tolist() == cells["ocr_readings"].tolist(), fmt


@needs_ocr
def test_a_scan_reads_the_same_whatever_the_page_threads(junk_layer_report):
    """The same file gives the same records, status and reason however many of its pages are read
    side by side (the fixture's read used the default: one thread per core): page threads share
    the process's recogniser, and a reading must not depend on which page's call ran first."""
    from gongkai.pool import usable_cores
    from gongkai.report import page_threads

    threads = 1 if page_threads(usable_cores()) > 1 else 4
    again = gongkai.read_report(JUNK_LAYER, threads=threads)
    assert again.records == junk_layer_report.records
    assert (again.status, again.reason) == (junk_layer_report.status, junk_layer_report.reason)
    assert again.ocr_counts == junk_layer_report.ocr_counts


# --- the ink of a cell, on a drawn page (OpenCV only) ---------------------------------------


def _drawn_cell(draw):
    """The ink test of the middle cell of a drawn ruled row at 200 dpi, after `draw(image, box)`."""
    return _drawn_page(draw)[1]


def _drawn_page(draw):
    """`_drawn_cell`'s page, and the ink test of its middle cell."""
    cv2 = pytest.importorskip("cv2")
    import numpy as np

    from gongkai.sources import scan

    image = np.full((300, 1654), 235, np.uint8)  # an A4 page's width
    columns = (50, 300, 550, 800, 1600)
    for x in columns:
        cv2.line(image, (x, 80), (x, 220), 30, 3)
    for y in (80, 220):
        cv2.line(image, (columns[0], y), (columns[-1], y), 30, 3)
    cv2.putText(image, "12", (120, 170), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 40, 3)
    box = (300, 80, 550, 220)
    draw(image, box)
    page = scan.prepare(cv2.GaussianBlur(image, (0, 0), 1.0), 200)
    return page, scan.cell_ink(page, tuple(v * 72 / 200 for v in box))


def _digits(image, box, text="37"):
    import cv2

    cv2.putText(image, text, (box[0] + 80, box[1] + 90), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 40, 3)


def _sealed_cell(seal, printed=True):
    """The ink test of `_drawn_cell`'s middle cell, 37 printed in it (unless not `printed`) over
    a red seal's ink that `seal(image, box)` draws on the colour page first."""
    cv2 = pytest.importorskip("cv2")
    import numpy as np

    from gongkai.sources import scan

    def coloured(grey, box):
        image = cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)
        seal(image, box)
        if printed:
            _digits(image, box)
        return image

    image = np.full((300, 1654), 235, np.uint8)
    columns = (50, 300, 550, 800, 1600)
    for x in columns:
        cv2.line(image, (x, 80), (x, 220), 30, 3)
    for y in (80, 220):
        cv2.line(image, (columns[0], y), (columns[-1], y), 30, 3)
    box = (300, 80, 550, 220)
    page = scan.prepare(cv2.GaussianBlur(coloured(image, box), (0, 0), 1.0), 200)
    return scan.cell_ink(page, tuple(v * 72 / 200 for v in box))


_SEAL_RED = (200, 45, 45)  # a seal's ink: light in the red channel, far redder than green or blue


def test_a_cell_the_seal_s_fade_left_no_stroke_in_is_no_blank_to_trust():
    """A 2 under the seal's ring came out blank: the fade may take all of a cell's print."""
    import cv2

    from gongkai.sources.ocr import OcrCell
    from gongkai.verify import _outcome, _reading

    def ring(image, box):
        cv2.circle(image, (box[0] + 125, box[1] + 70), 60, _SEAL_RED, 6)

    ink = _sealed_cell(ring, printed=False)
    assert not ink.has_ink and ink.under_seal
    assert not _sealed_cell(lambda image, box: None, printed=False).under_seal
    cell = OcrCell(1, (0, 0, 1, 1), "", 1.0, "", 1.0, (0, 0, 1, 1), False, (), under_seal=True)
    record = gongkai.model.CellRecord(
        "scan.pdf", None, None, "2021", "applications", "（一）予以公开", "granted", "科研机构", "research",
        page=1, raw="",
    )  # fmt: skip
    reading = _reading(0, record.key, "", None, cell, gongkai.forms.ValueKind.COUNT)
    assert _outcome(record, reading, gongkai.forms.ValueKind.COUNT, None, False, [], set()) == "doubtful"
    assert record.note_code is NoteCode.OCR_DOUBTFUL and "the seal's ink over it" in record.note


def test_seal_ink_away_from_the_digits_leaves_the_cell_as_any_other():
    """The seal's ring crosses the cell 75 px right of 37 (its digits 33 px tall): it cannot have
    faded a digit, so the cell is not under the seal, and its rules or two readings vouch for it."""
    import cv2

    def ring(image, box):
        cv2.circle(image, (box[0] + 300, box[1] + 70), 85, _SEAL_RED, 6)

    ink, unsealed = _sealed_cell(ring), _sealed_cell(lambda image, box: None)
    assert ink.has_ink and not ink.under_seal and not ink.sealed
    assert ink.crop.shape == unsealed.crop.shape and ink.strokes_box == unsealed.strokes_box


@pytest.mark.parametrize(
    "where",
    [
        (180, 70),  # the ring runs through the digits
        (211, 155),  # it runs past their lower right corner, within the fade's reach
    ],
)
def test_seal_ink_over_or_beside_the_digits_puts_the_cell_under_the_seal(where):
    import cv2

    def ring(image, box):
        cv2.circle(image, (box[0] + where[0], box[1] + where[1]), 85, _SEAL_RED, 6)

    assert _sealed_cell(ring).under_seal


@pytest.mark.parametrize(
    ("top", "under"),
    [
        (58, True),  # in the digits' line, 24 px after them: a third digit faded whole would be there
        (104, False),  # as far after them, but below their line, beyond the fade's reach
    ],
)
def test_seal_ink_beside_the_digits_is_a_doubt_only_in_their_line(top, under):
    import cv2

    def blot(image, box):
        cv2.rectangle(image, (box[0] + 170, box[1] + top), (box[0] + 190, box[1] + top + 30), _SEAL_RED, -1)

    assert _sealed_cell(blot).under_seal is under


def test_printed_digits_are_plain_ink():
    ink = _drawn_cell(_digits)
    assert ink.has_ink and not ink.smudged and not ink.mark


def test_an_ink_blot_over_a_value_makes_its_cell_suspect():
    import cv2

    def blotted(image, box):
        _digits(image, box)
        cv2.ellipse(image, (box[0] + 110, box[1] + 75), (22, 14), 20, 0, 360, 50, -1)

    assert _drawn_cell(blotted).smudged


@pytest.mark.parametrize(
    ("text", "mark"), [("-", "—"), ("/", "/"), ("1", ""), ("|", ""), ("0", ""), ("7", ""), ("4", "")]
)
def test_a_lone_straight_stroke_is_a_mark_and_no_digit_is(text, mark):
    import cv2

    def printed(image, box):
        x, y = box[0] + 100, box[1] + 70
        if text == "-":
            cv2.line(image, (x, y), (x + 28, y), 40, 2)
        elif text == "/":
            cv2.line(image, (x, y + 12), (x + 10, y - 12), 40, 2)
        elif text == "|":  # a sans-serif 1
            cv2.line(image, (x, y + 12), (x + 1, y - 12), 40, 2)
        else:
            _digits(image, box, text)

    assert _drawn_cell(printed).mark == mark


@pytest.mark.parametrize(
    ("speck", "mark"),
    [
        ((14, 9), "/"),  # a speck of dust after a printed /: both readings read 1. and 1 was published
        ((-6, 9), "/"),  # and one before it (read . 1)
        ((14, 0), "/"),  # beside it at mid-height
    ],
)
def test_a_mark_with_a_speck_beside_it_is_still_a_mark(speck, mark):
    import cv2

    def printed(image, box):
        x, y = box[0] + 100, box[1] + 70
        cv2.line(image, (x, y + 12), (x + 10, y - 12), 40, 2)
        cv2.circle(image, (x + speck[0], y + speck[1]), 1, 40, -1)

    assert _drawn_cell(printed).mark == mark


def test_a_stroke_beside_a_mark_is_no_speck():
    import cv2

    def printed(image, box):  # a / and a second stroke half its length: no mark, something else
        x, y = box[0] + 100, box[1] + 70
        cv2.line(image, (x, y + 12), (x + 10, y - 12), 40, 2)
        cv2.line(image, (x + 18, y + 12), (x + 23, y), 40, 2)  # (the test page is too short for upright)

    assert _drawn_cell(printed).mark == ""


@pytest.mark.parametrize(
    ("text", "lead", "dot_after"),
    [
        ("- 37", "-", False),  # a flat bar at mid-height before the digits
        ("37", "", False),  # nothing before them, not even faint ink
        ("-37", "?", False),  # the bar joined to the 3: no digit is that wide
        ("37.", "", True),  # one dot-sized blob after the digits
    ],
)
def test_the_ink_tells_a_minus_before_the_digits_and_a_dot_after_them(text, lead, dot_after):
    import cv2

    def printed(image, box):  # 13 px tall digits, as a scan's at 200 dpi
        cv2.putText(
            image, text, (box[0] + 80, box[1] + 80), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 40, 1, cv2.LINE_AA
        )

    ink = _drawn_cell(printed)
    assert (ink.lead, ink.dot_after) == (lead, dot_after)


@pytest.mark.parametrize(("text", "lead"), [("- 22", "-"), ("22", "")])
def test_the_ink_tells_the_sign_of_digits_whose_feet_the_ink_test_broke_off(text, lead):
    # Seed 3737, scan 00003: -22 in 本年增/减, the foot of each 2 a blob of its own under a thin
    # join. Those pieces are the digits' strokes: the sign before them is still told.
    import cv2

    def printed(image, box):  # 13 px tall digits, as a scan's at 200 dpi
        x, y = box[0] + 80, box[1] + 80
        cv2.putText(image, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 40, 1, cv2.LINE_AA)
        cv2.line(image, (x + 12, y - 3), (x + 40, y - 3), 235, 2)  # the joins above the feet, thinned away

    assert _drawn_cell(printed).lead == lead


@pytest.mark.parametrize(
    ("specks", "count"),
    [
        ([(70, 76)], 1),  # one round speck on the digits' line, apart from them
        ([(20, 76)], 1),  # further left than the ink test keeps: the page's line reaches it
        ([], 0),  # nothing beside the digits
        ([(60, 76), (70, 76)], 2),
        ([(70, 60)], 1),  # above the digits' line, before them
        ([(88, 58)], 1),  # above the digits themselves
        ([(110, 88)], 1),  # below the line, after them
        ([(110, 88, 5)], 1),  # a speck the blur spread to near half a digit's height
        ([(110, 88, 9)], 0),  # a blob two thirds of it: not dust
        ("bar", 0),  # a minus or a dash is flat
    ],
)
def test_the_ink_counts_the_specks_apart_from_the_digits(specks, count):
    import cv2

    def printed(image, box):  # 13 px tall digits, as a scan's at 200 dpi
        cv2.putText(
            image, "37", (box[0] + 80, box[1] + 80), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 40, 1, cv2.LINE_AA
        )
        if specks == "bar":
            cv2.line(image, (box[0] + 66, box[1] + 74), (box[0] + 76, box[1] + 74), 40, 2)
        for x, y, *side in specks if specks != "bar" else ():
            if side:
                cv2.rectangle(
                    image,
                    (box[0] + x, box[1] + y),
                    (box[0] + x + side[0] - 1, box[1] + y + side[0] - 1),
                    40,
                    -1,
                )
            else:
                cv2.circle(image, (box[0] + x, box[1] + y), 1, 40, -1)

    assert _drawn_cell(printed).specks == count


@pytest.mark.parametrize("text", ["17", "11", "1"])
@pytest.mark.parametrize("grey", [180, 190])
def test_the_soft_edge_of_faint_digits_is_not_ink_before_them(text, grey):
    # Faint print (45 to 55 darker than the paper): the first digit's blurred edge, which the
    # ink test leaves out, was taken for faint ink before it, and no sign was ever clear.
    import cv2

    def printed(image, box):
        cv2.putText(
            image, text, (box[0] + 80, box[1] + 82), cv2.FONT_HERSHEY_SIMPLEX, 0.7, grey, 2, cv2.LINE_AA
        )

    assert _drawn_cell(printed).lead == ""


@pytest.mark.parametrize(
    ("text", "lead"),
    [
        ("-9", "-"),  # the bar the blur joined to the 9: one blob, its left edge a flat bar at mid-height
        ("-86", "-"),
        ("-41", "-"),
        ("41", ""),  # a 4's left edge is no flat bar: no minus
        ("47", ""),
    ],
)
def test_a_minus_the_blur_joined_to_the_first_digit_is_told_by_its_shape(text, lead):
    import cv2

    def printed(image, box):  # 13 px tall digits, as a scan's at 200 dpi, printed tight
        cv2.putText(
            image, text, (box[0] + 80, box[1] + 80), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 40, 1, cv2.LINE_AA
        )

    assert _drawn_cell(printed).lead == lead


def test_faint_ink_before_the_digits_leaves_the_sign_unclear():
    import cv2

    def printed(image, box):  # a minus too faint for the ink test
        cv2.putText(
            image, "37", (box[0] + 80, box[1] + 80), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 40, 1, cv2.LINE_AA
        )
        cv2.line(image, (box[0] + 68, box[1] + 74), (box[0] + 76, box[1] + 74), 215, 2)

    assert _drawn_cell(printed).lead == "?"


def _hand_made_page(grey, ink, horizontal, vertical):
    """A page whose ink and rule masks are drawn as given, not found: the ink test alone."""
    import numpy as np

    from gongkai.sources import scan

    seal = np.zeros(grey.shape, dtype=bool)
    return scan.PageImage(
        grey, ink | horizontal | vertical, horizontal, vertical, horizontal | vertical, seal, 200, 0.0
    )


@pytest.mark.parametrize("digit_reaches_the_rule", [False, True])
def test_the_blurred_edge_of_a_rule_just_outside_a_cell_is_the_rules(digit_reaches_the_rule):
    """A cell's box is its rules' mean lines; where the deskew left a rule a pixel crooked, the rule
    runs just outside the box and its broken edge (ink too ragged for the rule mask) inside. That
    edge is the rule's: grown within the box alone it stayed ink that touched the crossing rule,
    and every clean cell of the column was suspect. A digit that reaches the rule still is."""
    cv2 = pytest.importorskip("cv2")
    import numpy as np

    from gongkai.sources import scan

    grey = np.full((300, 400), 235, np.uint8)
    horizontal = np.zeros(grey.shape, dtype=bool)
    vertical = np.zeros(grey.shape, dtype=bool)
    horizontal[50:54, 20:380] = horizontal[250:254, 20:380] = True
    vertical[50:254, 20:23] = vertical[50:254, 200:203] = True
    grey[horizontal | vertical] = 40
    grey[54, 24:44] = grey[54, 90:100] = 190  # the rule's edge, just inside the box
    cv2.putText(grey, "37", (80, 180), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 40, 3)
    if digit_reaches_the_rule:
        cv2.line(grey, (150, 54), (150, 120), 40, 3)
    ink = grey < 200
    page = _hand_made_page(grey, ink, horizontal, vertical)
    box = tuple(v * 72 / 200 for v in (21, 54, 201, 251))  # the top rule ends a pixel above it
    cell = scan.cell_ink(page, box)
    assert cell.has_ink and cell.touches_rule is digit_reaches_the_rule


def test_a_ruled_page_is_turned_back_by_its_rules_own_slope():
    """The ink's projection search compares the page turned by steps of 0.05°, and every turn but
    by 0 blurs it a little: a page scanned 0.27° askew was left as it was, and its table ran 6 px
    higher at one end than at the other. The rules' slope sets the angle to a hundredth."""
    cv2 = pytest.importorskip("cv2")
    import numpy as np

    from gongkai.sources import scan

    image = np.full((2339, 1654), 235, np.uint8)  # an A4 page at 200 dpi
    for k in range(12):
        cv2.line(image, (150, 400 + 60 * k), (1500, 400 + 60 * k), 30, 3)
        cv2.putText(image, f"{k * 37} 1{k}2", (200, 440 + 60 * k), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 40, 2)
    for x in (150, 600, 1050, 1500):
        cv2.line(image, (x, 400), (x, 400 + 60 * 11), 30, 3)
    h, w = image.shape
    scanned = cv2.warpAffine(
        image, cv2.getRotationMatrix2D((w / 2, h / 2), 0.275, 1.0), (w, h), borderValue=235
    )
    page = scan.prepare(cv2.GaussianBlur(scanned, (0, 0), 1.0), 200)
    assert page.skew == pytest.approx(-0.275, abs=0.015)


def _sealed_table_cells(ring_centre):
    """The cell boxes (pixels) of a drawn table of three rows at 200 dpi, a label column and two
    value columns, after a red seal's ring is stamped over it at `ring_centre`."""
    cv2 = pytest.importorskip("cv2")
    import numpy as np

    from gongkai.grids.lattice import find_table_cells
    from gongkai.sources import scan

    image = np.full((2339, 1654, 3), 235, np.uint8)  # an A4 page at 200 dpi
    columns, rows = (150, 600, 700, 800), (400, 467, 534, 601)  # rows 24 pt tall
    for x in columns:
        cv2.line(image, (x, rows[0]), (x, rows[-1]), (30, 30, 30), 3)
    for y in rows:
        cv2.line(image, (columns[0], y), (columns[-1], y), (30, 30, 30), 3)
    cv2.circle(image, ring_centre, 85, _SEAL_RED, 6)
    page = scan.prepare(cv2.GaussianBlur(image, (0, 0), 1.0), 200)
    [table] = find_table_cells(scan.rule_edges(page))
    return {tuple(round(v * 200 / 72) for v in box) for box in table}, columns, rows


def test_a_rule_the_seal_s_ring_crosses_still_parts_its_cells():
    """The ring crosses the rule between the label and the first value of the last row 25 px
    below its top: the seal's ink faded to paper cuts the rule there, and the 40 px left below
    the cut are shorter than a rule's least length (46 px on an A4 page). The label and the
    value stay cells of their own (seed 5151: the label merged with its first value, and the row
    was read by its group cell's text, （三）不予公开)."""
    found, columns, rows = _sealed_table_cells((540, 499))
    assert len(found) == 9
    label = (columns[0], rows[2], columns[1], rows[3])
    assert any(all(abs(a - b) <= 3 for a, b in zip(box, label, strict=True)) for box in found)


def test_a_rule_under_the_seal_s_ink_is_carried_through_the_fade_around_it():
    """Under a seal's star a thin rule is as light in red as the seal's ink (seed 5353, scan
    00005: red 160 under the star, seal ink 160-220), so its pixels are the seal's or faded to
    paper; at the star's edge the fade left 1-3 px that are neither seal nor ink. The rule still
    runs through: the cells above and below it stay apart (three rows had merged into one cell,
    whose values were not shared out)."""
    pytest.importorskip("cv2")
    import numpy as np

    from gongkai.sources import scan

    ink = np.zeros((400, 1654), bool)
    seal = np.zeros_like(ink)
    ink[200:203, 100:1500] = True
    ink[200:203, 700:900] = False  # the rule's print under the star, faded
    seal[120:280, 703:897] = True  # the star's ink over it, short of the fade at its edges
    horizontal, _ = scan._rules(ink, seal)
    assert horizontal[200:203, 110:1490].all()
    assert not horizontal[120:190].any() and not horizontal[210:280].any()  # the star is no rule


def test_a_seal_s_ring_inside_a_cell_draws_no_rule():
    """A ring inside the label cells, crossing no vertical rule, adds none: its arcs are as
    long as a rule where they run upright, but no rule carries on through them."""
    found, _, _ = _sealed_table_cells((375, 500))
    assert len(found) == 9


@needs_ocr
def test_a_cell_holding_two_lines_is_read_line_by_line():
    """A wrapped label whose second line the page's detector missed (a seal over 自然 / 人) was
    read as one line, a jumble (自人然), and its table's columns were not found."""
    import cv2

    from gongkai.sources.ocr import _stacked_lines, recogniser

    def stacked(image, box):
        cv2.putText(image, "123", (box[0] + 70, box[1] + 55), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 40, 3)
        cv2.putText(image, "45", (box[0] + 85, box[1] + 110), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 40, 3)

    engine = recogniser()
    line_box_height = 45.0  # pixels: a detected line of such digits, padded by the detector
    lines = _stacked_lines(engine, *_drawn_page(stacked), line_box_height)
    assert [text for text, _ in engine.lines([crop for _, crop in lines])] == ["123", "45"]
    tops = [box[1] for box, _ in lines]
    assert tops == sorted(tops) and all(box[1] > 80 and box[3] < 220 for box, _ in lines)  # page pixels
    assert _stacked_lines(engine, *_drawn_page(_digits), line_box_height) == []  # one line: read alone


def _speck_below(image, box):
    """37 in a tall cell, and below it a speck of dust 9 px across, as a scan has under 总计."""
    import cv2

    cv2.putText(image, "37", (box[0] + 80, box[1] + 70), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 40, 3)
    cv2.circle(image, (box[0] + 140, box[1] + 115), 4, 40, -1)


@needs_ocr
def test_a_speck_below_a_cell_s_line_is_no_line_of_its_own():
    """The cell's own image, detected alone, showed the speck as a second line, read as a
    character of its own (+, ●) below the cell's text."""
    from gongkai.sources.ocr import _stacked_lines, recogniser

    engine = recogniser()
    lines = _stacked_lines(engine, *_drawn_page(_speck_below), 45.0)
    assert [text for text, _ in engine.lines([crop for _, crop in lines])] == ["37"]


@needs_ocr
def test_a_speck_the_page_s_detector_took_for_a_line_leaves_its_cell_one_line(monkeypatch):
    """The page's detector found a line around a speck of dust under a cell's text, read as a
    character (+ under 总计 on a scan): the header read 总计+, named no column of the form, and
    the whole 总计 column of table 三 was lost on both its pages."""
    import cv2
    import numpy as np

    from gongkai.grids.lattice import find_table_cells
    from gongkai.sources import ocr

    image = np.full((2339, 1654), 235, np.uint8)  # an A4 page at 200 dpi
    columns = [100 + 95 * i for i in range(4)]  # 34 pt wide, 72 pt tall: a header row of table 三
    for x in columns:
        cv2.line(image, (x, 100), (x, 300), 30, 3)
    for y in (100, 300):
        cv2.line(image, (columns[0], y), (columns[-1], y), 30, 3)
    for x, digit in zip(columns, "123", strict=False):
        cv2.putText(image, digit, (x + 32, 170), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 40, 3)
    cv2.circle(image, (columns[1] + 30, 260), 4, 40, -1)  # 9 px across, 90 px below the 2
    speck = (columns[1] + 20, 249, columns[1] + 41, 271)  # the detector's box: half a line tall
    engine = ocr.recogniser()
    detect = engine.detect
    monkeypatch.setattr(
        engine, "detect", lambda grey: [*detect(grey), speck] if grey.shape[0] > 2000 else detect(grey)
    )
    page = ocr.read_page(1, cv2.GaussianBlur(image, (0, 0), 1.0), 200, find_table_cells)
    assert sorted(char.text for char in page.chars) == ["1", "2", "3"]
    two = next(char for char in page.chars if char.text == "2")
    assert columns[1] * 72 / 200 < two.x0 < two.x1 < columns[2] * 72 / 200 and two.bottom < 200 * 72 / 200


@needs_ocr
@pytest.mark.parametrize(
    "boxes",
    [
        [(20, 120, 75, 370)],
        [(20, 120, 75, 285), (20, 305, 75, 370)],
    ],
    ids=["one line", "cut in two"],
)
def test_a_ruled_cell_printed_downwards_is_read_a_character_at_a_time(monkeypatch, boxes):
    """A header printed downwards in a narrow column (自/然/人), which the detector takes for one
    line, both on the page and in the cell's own image: read as one line it came out as 百款, no
    column of table 三 was placed, and the whole table was lost (seed 3131). The detector may
    also cut the stack in two lines, the upper of several characters (社会公益 / 织): read as a
    line that came out as 试验 (seed 5353)."""
    import cv2
    import numpy as np

    from gongkai.grids.lattice import find_table_cells
    from gongkai.sources import ocr

    image = np.full((2339, 1654), 235, np.uint8)  # an A4 page at 200 dpi
    columns = [100 + 95 * i for i in range(4)]  # 34 pt wide, as table 三's
    rows = (100, 420, 520)  # a header row 115 pt tall, and a row of numbers
    for x in columns:
        cv2.line(image, (x, rows[0]), (x, rows[-1]), 30, 3)
    for y in rows:
        cv2.line(image, (columns[0], y), (columns[-1], y), 30, 3)
    for top, digit in zip((170, 260, 350), "472", strict=True):  # downwards in the first column
        cv2.putText(image, digit, (columns[0] + 32, top), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 40, 3)
    for x, digit in zip(columns, "135", strict=False):
        cv2.putText(image, digit, (x + 32, 490), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 40, 3)
    stack = (columns[0] + 20, 120, columns[0] + 75, 370)
    # the detector's boxes over the stack
    found_over_stack = [(columns[0] + x0, top, columns[0] + x1, bottom) for x0, top, x1, bottom in boxes]
    engine = ocr.recogniser()
    detect = engine.detect

    def one_line(grey):
        found = detect(grey)
        if grey.shape[0] < 2000:  # the cell's own image: one box over all its ink
            return (
                [tuple(f(box[i] for box in found) for i, f in enumerate((min, min, max, max)))]
                if found
                else []
            )
        inside = [
            b
            for b in found
            if stack[0] <= b[0] and b[2] <= stack[2] and stack[1] <= b[1] and b[3] <= stack[3]
        ]
        return [b for b in found if b not in inside] + found_over_stack

    monkeypatch.setattr(engine, "detect", one_line)
    page = ocr.read_page(1, cv2.GaussianBlur(image, (0, 0), 1.0), 200, find_table_cells)
    in_stack = [c for c in page.chars if c.x1 < columns[1] * 72 / 200 and c.bottom < rows[1] * 72 / 200]
    assert [c.text for c in sorted(in_stack, key=lambda c: c.top)] == ["4", "7", "2"]


@needs_ocr
def test_the_numbers_of_a_tall_row_stay_words_of_their_own():
    """Characters read from a cell stand where its ink is, as tall as it. Sized by the cell, the
    digits of a row three label lines tall were so large that the gaps between the cells looked
    like spaces, and the words of the row ran 1 0 0 0 0 0 1 together as 1000001."""
    import cv2
    import numpy as np

    from gongkai.grids.lattice import find_table_cells
    from gongkai.sources.chars import group_lines, split_words
    from gongkai.sources.ocr import read_page

    image = np.full((2339, 1654), 235, np.uint8)  # an A4 page at 200 dpi
    columns = [100 + 95 * i for i in range(8)]  # 34 pt wide at 200 dpi, as table 三's
    top, bottom = 100, 300  # 72 pt tall
    for x in columns:
        cv2.line(image, (x, top), (x, bottom), 30, 3)
    for y in (top, bottom):
        cv2.line(image, (columns[0], y), (columns[-1], y), 30, 3)
    printed = "1052841"
    for x, digit in zip(columns, printed, strict=False):
        cv2.putText(image, digit, (x + 32, 218), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 40, 3)
    page = read_page(1, cv2.GaussianBlur(image, (0, 0), 1.0), 200, find_table_cells)
    lines = group_lines([c for c in page.chars if c.text.isdigit()])
    assert [[word.text for word in split_words(line)] for line in lines] == [list(printed)]
    for char, x in zip(lines[0], columns, strict=False):
        assert x * 72 / 200 < char.x0 < char.x1 < (x + 95) * 72 / 200
        assert 8 < char.size < 15  # points: the digits are 32 px tall


@needs_ocr
def test_every_cell_of_a_ruled_table_cut_by_a_page_break_is_read_alone():
    """A table cut by a page break: its last rule drawn under part of it only, the printer's
    closing rule left out. The grid closes the table with that rule (`ruled._closing_rules`),
    which snaps with the rule drawn beside it; the page's cells were cut from the drawn rules
    alone, a fraction of a point off the grid's boxes or not found at all, so that no cell of
    the row had a reading of its own: each waited for the rules ("one reading only"), and one
    printed 0 with a speck after it could not be verified."""
    import cv2
    import numpy as np

    from gongkai.grids.ruled import ruled_grids
    from gongkai.report import _PageReader

    image = np.full((2339, 1654), 235, np.uint8)  # an A4 page at 200 dpi
    columns = [100 + 95 * i for i in range(5)]
    for x in columns:
        cv2.line(image, (x, 100), (x, 302), 30, 3)  # the table goes on overleaf
    for y in (100, 200):
        cv2.line(image, (columns[0], y), (columns[-1], y), 30, 3)
    cv2.line(image, (columns[0], 300), (columns[2], 300), 30, 3)  # under two of its four columns
    printed = {100: "4", 200: "7", 300: "0", 400: "16"}
    for x, text in printed.items():
        cv2.putText(image, text, (x + 30, 170), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 40, 3)
        cv2.putText(image, text, (x + 30, 270), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 40, 3)
    image = cv2.GaussianBlur(image, (0, 0), 1.0)

    class Scan:
        page_count = 1

        def page(self, number):
            return gongkai.model.Page(number, [], [], scanned="no text layer")

        def render(self, number, dpi):
            return image

    reader = _PageReader(Scan(), 1)
    try:
        page, scanned = reader.read(1)
    finally:
        reader.close()
    (grid,) = ruled_grids(page)
    values = [cell for cell in grid.cells if cell.text]
    assert len(values) == 8 and {cell.row0 for cell in values} == {0, 1}
    for cell in values:
        assert scanned.cells[cell.bbox].free == printed[round(cell.bbox[0] * 200 / 72, -2)]


def test_ink_no_detected_line_covers_is_read_as_words_and_dust_is_not():
    """The page's detector misses some lone small digits; in a table without rules nothing else
    reads them (a row's first and last numbers were lost)."""
    cv2 = pytest.importorskip("cv2")
    import numpy as np

    from gongkai.sources import scan
    from gongkai.sources.ocr import _undetected_words

    image = np.full((2339, 1654), 235, np.uint8)  # an A4 page at 200 dpi
    cv2.putText(image, "12", (300, 500), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 40, 2)  # detected
    cv2.putText(image, "7", (700, 500), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 40, 2)  # missed
    cv2.putText(image, "30", (900, 800), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 40, 2)  # missed
    cv2.circle(image, (1100, 500), 2, 40, -1)  # a speck of dust
    cv2.rectangle(image, (1300, 300), (1400, 700), 60, 3)  # a frame, far larger than print
    cv2.line(image, (100, 1200), (1500, 1200), 40, 3)  # a rule, with a stub hanging from it
    cv2.line(image, (800, 1200), (800, 1225), 40, 3)
    page = scan.prepare(image, 200)
    detected = [(290, 470, 350, 510)]
    height = 40.0  # the detected line's
    words = _undetected_words(page, detected, [], height)
    assert len(words) == 2
    (x0, top, x1, bottom), (x2, top2, x3, bottom2) = sorted(words)
    assert x0 < 700 < 720 < x1 and top < 480 < 500 < bottom
    assert x2 < 900 < 940 < x3 and top2 < 780 < 800 < bottom2
    ruled_cell = (900 * 72 / 200, 700 * 72 / 200, 1000 * 72 / 200, 850 * 72 / 200)
    assert len(_undetected_words(page, detected, [ruled_cell], height)) == 1  # read by the cell itself


def test_a_thin_1_smaller_than_the_page_s_lines_is_read_as_a_word():
    """Table 二's first row below a page of prose: its 1s, 19 px tall against a median line box
    of 56 px, were not read, and its cells were left to the rules alone."""
    cv2 = pytest.importorskip("cv2")
    import numpy as np

    from gongkai.sources import scan
    from gongkai.sources.ocr import _undetected_words

    image = np.full((2339, 1654), 235, np.uint8)
    cv2.putText(image, "1", (700, 500), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 40, 1)  # 12 px tall
    page = scan.prepare(image, 200)
    words = _undetected_words(page, [(290, 470, 350, 510)], [], 38.0)
    assert len(words) == 1 and words[0][0] < 700 < words[0][2]


def test_the_lines_that_fill_a_narrow_text_column_are_prose_and_a_title_is_not():
    from gongkai.sources.ocr import _prose

    column = [(100, 200 + 40 * i, 100 + width, 230 + 40 * i) for i, width in enumerate((600, 610, 590, 605))]
    last_line = (100, 360, 300, 390)  # a paragraph's short last line
    title = (150, 100, 700, 140)  # as wide as the column, set larger
    assert _prose([title, *column, last_line], line_height=30, title_page=False) == set(column)
    # Two lines of that width are no column: a title of the page's size spread over two lines.
    assert _prose([*column[:2], last_line], line_height=30, title_page=False) == set()
    # On the title page a title of the body's size may fill the column: only very long lines are prose.
    assert _prose([*column, (100, 500, 800, 530)], line_height=30, title_page=True) == {(100, 500, 800, 530)}


def test_a_cell_of_a_table_without_rules_takes_the_one_number_read_alone_inside_it():
    """Rebuilt from text positions, a table's cells had no reading of their own: every value
    waited for the rules alone ("one reading only"), and a fee no rule covers was never published."""
    pytest.importorskip("cv2")
    from gongkai.sources.ocr import OcrCell, ScannedPage, attach_words

    def word(x0, text):
        return OcrCell(5, (x0, 100, x0 + 8, 112), text, 0.99, text, 0.99, (0, 0, 1, 1), True, ())

    page = ScannedPage(5, None, [], [], words=[word(300, "7"), word(350, "1"), word(362, "2")])
    ruled_box = (100, 100, 200, 120)
    page.cells[ruled_box] = word(120, "9")
    one, two, none = (290, 95, 320, 118), (340, 95, 380, 118), (400, 95, 430, 118)
    attach_words({5: page}, [(5, one), (5, two), (5, none), (5, ruled_box), (4, one)])
    assert page.cells[one].free == "7" and page.cells[one].bbox == one
    assert two not in page.cells and none not in page.cells  # two numbers, or none: no reading
    assert page.cells[ruled_box].free == "9"  # a ruled cell keeps its own


def test_a_word_the_form_reading_placed_in_a_ruled_cell_takes_that_cell_s_reading():
    """A seal hid the header of table 二's part 第二十条第（五）项, and the grid placed none of its
    cells: the form reading filled 行政许可 with 812, the whole page's reading of 26812 whose 26 the
    seal had faded, and only the rules' silence kept it from being published ("one reading only").
    The ruled cell had been read alone, under the seal: its own reading is verified instead."""
    pytest.importorskip("cv2")
    from gongkai.sources.ocr import OcrCell, ScannedPage, attach_words

    def cell(box, text):
        return OcrCell(4, box, text, 0.98, text, 0.98, (0, 0, 1, 1), True, ("seal",))

    sealed, pair, other = (
        (178.7, 326.0, 544.2, 346.0),
        (178.7, 346.0, 544.2, 366.0),
        (56.9, 326.0, 178.7, 346.0),
    )
    page = ScannedPage(4, None, [], [], ruled=[sealed, pair, other, (56.9, 366.0, 178.7, 386.0)])
    page.cells = {sealed: cell(sealed, "812"), pair: cell(pair, "5 7"), other: cell(other, "行政许可")}
    word = (298.4, 332.3, 374.8, 345.2)  # where the form reading saw 812
    two = [(200.0, 350.0, 220.0, 362.0), (400.0, 350.0, 420.0, 362.0)]  # two words in one cell
    across = (170.0, 330.0, 200.0, 342.0)  # over the rule between two cells
    unread = (60.0, 370.0, 100.0, 382.0)  # in a ruled cell not read alone (several lines)
    attach_words({4: page}, [(4, word), *((4, box) for box in two), (4, across), (4, unread)])
    assert page.cells[word].free == "812" and page.cells[word].suspect == ("seal",)
    assert page.cells[word].bbox == word and page.cells[sealed].bbox == sealed
    assert not {*two, across, unread} & set(page.cells)


def test_a_space_read_between_header_words_leaves_a_gap_and_no_character():
    """The page's recogniser read the header 社会　法律 of two unruled columns as one line; with
    the space kept as a character the line was one word, standing over both columns, and both
    columns of the table took the same header (50 of 200 values lost on a scan)."""
    pytest.importorskip("cv2")
    from gongkai.settings import DEFAULT
    from gongkai.sources.chars import split_words
    from gongkai.sources.ocr import _placed

    text = "社会\u3000法律"
    shares = [0.1, 0.28, 0.5, 0.72, 0.9]
    chars = _placed(text, shares, 400.0, 240.0, 450.0, 254.0)
    assert "".join(c.text for c in chars) == "社会法律"
    words = split_words(chars, gap=DEFAULT.text_engine.word_gap)  # as the text-position engine splits
    assert [w.text for w in words] == ["社会", "法律"]


def test_a_group_label_read_on_one_line_with_its_rows_label_stays_a_word_of_its_own():
    """The page's detector took the group label (四)无 and its row's label 2.没有 as one line. Each
    character was as wide as half the line's box each side and sized as 0.9 of it, so the gap
    between the two labels was narrower than half a size: one word, and the row went unmatched.
    The places are the recogniser's, read off a scan of a table without rules."""
    pytest.importorskip("cv2")
    from gongkai.settings import DEFAULT
    from gongkai.sources.chars import split_words
    from gongkai.sources.ocr import _placed

    middles = [96, 104.5, 113, 126.5, 141.5, 144.5, 153.5, 163]
    x0, x1 = 90.0, 280.0
    chars = _placed("(四)无2.没有", [(m - x0) / (x1 - x0) for m in middles], x0, 630.0, x1, 646.6)
    words = split_words(chars, gap=DEFAULT.text_engine.word_gap)
    assert [w.text for w in words] == ["(四)无", "2.没有"]
    assert words[0].x1 < 135 and words[1].x0 > 138  # the ink of 无 ends at 133, 2's starts at 140


def test_a_label_printed_downwards_is_cut_into_its_characters_and_a_line_is_not():
    """The page's detector takes 本/年/度, printed downwards beside a row's label, for one line;
    read as a line it came out as 本使, one word with the label of the row beside it."""
    cv2 = pytest.importorskip("cv2")
    import numpy as np

    from gongkai.sources import scan
    from gongkai.sources.ocr import _unstacked

    image = np.full((2339, 1654), 235, np.uint8)  # an A4 page at 200 dpi
    for top in (1000, 1042):  # two characters, 30 pixels tall, 12 apart
        cv2.rectangle(image, (200, top), (230, top + 30), 40, 3)
    for top in (1084, 1097, 1110):  # 三: three strokes 13 apart, one character
        cv2.line(image, (200, top), (230, top), 40, 3)
    page = scan.prepare(image, 200)
    column = (190, 990, 240, 1125)
    parts = _unstacked(page, column, 45.0)
    assert len(parts) == 3
    characters = ((1000, 1030), (1042, 1072), (1084, 1110))  # first and last row of each
    for (_, top, _, bottom), (first, last) in zip(parts, characters, strict=True):
        assert top < first and last < bottom and first <= (top + bottom) / 2 <= last
    assert all(x0 < 200 and x1 > 230 for x0, _, x1, _ in parts)
    assert _unstacked(page, (190, 990, 1400, 1125), 45.0) == [(190, 990, 1400, 1125)]  # wider than tall
    assert _unstacked(page, (190, 990, 240, 1050), 45.0) == [(190, 990, 240, 1050)]  # one line's height


def _numbers_apart():
    """A drawn page at 200 dpi with 17, 12 and 176 on one line, 400 px apart (unruled columns),
    and the box of that line as a detector that ran them together would find it."""
    cv2 = pytest.importorskip("cv2")
    import numpy as np

    image = np.full((2339, 1654), 235, np.uint8)
    for x, text in ((300, "17"), (700, "12"), (1100, "176")):
        cv2.putText(image, text, (x, 500), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 40, 2)
    return cv2.GaussianBlur(image, (0, 0), 1.0), (280, 465, 1180, 512)


def test_a_line_of_numbers_standing_apart_is_cut_where_its_ink_and_its_reading_agree():
    pytest.importorskip("cv2")
    from gongkai.sources import scan
    from gongkai.sources.ocr import _number_parts

    image, line = _numbers_apart()
    page = scan.prepare(image, 200)
    width = line[2] - line[0]
    middles = [30, 44, 427, 444, 836, 851, 867]  # of 1 7 1 2 1 7 6, in the line (pixels)
    shares = [m / width for m in middles]
    parts = _number_parts(page, line, "1712176", shares, 45.0)
    assert [text for _, text in parts] == ["17", "12", "176"]
    for ((x0, top, x1, bottom), _), ink in zip(parts, ((300, 345), (700, 746), (1100, 1165)), strict=True):
        assert x0 < ink[0] < ink[1] < x1 and (top, bottom) == (465, 512)
    for (_, _, x1, _), (x2, _, _, _) in itertools.pairwise([box for box, _ in parts]):
        assert x1 <= x2  # the boxes do not overlap: no digit is read twice
    # A reading that places a character in the gap, or more pieces than the ink shows, or a piece
    # that is no number: the line is not cut, and stays one word (all digits) or none.
    astray = [*shares[:3], 560 / width, *shares[4:]]
    assert _number_parts(page, line, "1712176", astray, 45.0) == [(line, "1712176")]
    assert _number_parts(page, line, "17 12 176", [*shares[:2], 0.3, *shares[2:4], 0.7, *shares[4:]], 45.0)[
        1
    ] == ((691, 465, 748, 512), "12")
    assert _number_parts(page, line, "17a2176", shares, 45.0) == []
    # Apart by less than half a line's height, the ink is one number.
    assert _number_parts(page, (280, 465, 380, 512), "17", [0.3, 0.5], 45.0) == [((280, 465, 380, 512), "17")]


def test_a_cell_the_page_s_detector_missed_is_read_again_in_a_band_cut_to_its_ink(monkeypatch):
    """Where the page's detector found no line in a cell, the second reading read the band of the
    cell's rows that hold ink across the cell's whole width: on a scan a lone faint 1 with a speck
    beside it, in a band 302 px wide, came out as nothing, and two cells of table 二 no rule can
    check were left doubtful (seed 3131). Where the band reads nothing it is read again, cut to
    the columns that hold ink; a band that reads something is not."""
    cv2 = pytest.importorskip("cv2")
    import numpy as np

    from gongkai.sources import ocr, scan

    image = np.full((300, 1654), 235, np.uint8)
    for x in (100, 430, 760):
        cv2.putText(image, "1", (x + 160, 148), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 40, 2)
    page = scan.prepare(image, 200)
    cells = [
        ocr.OcrCell(1, (0, 0, 0, 0), "1", 1.0, "1", 1.0, (x, 100, x + 330, 170), True, ())
        for x in (100, 430, 760)
    ]
    cells[2] = dataclasses.replace(cells[2], line=(760, 110, 1090, 160))  # a line found: read as it is
    widths = []

    class Recogniser:
        def read(self, crops):
            widths.append([crop.shape[1] for crop in crops])
            return [("" if crop.shape[1] > 200 else "1", 0.9) for crop in crops]

    monkeypatch.setattr(ocr, "recogniser", Recogniser)
    assert ocr.second_readings(ocr.ScannedPage(1, page, [], []), cells) == ["1", "1", ""]
    first, again = widths
    assert first[0] > 300 and first[2] == 330 and len(again) == 2 and max(again) < 60


@needs_ocr
def test_each_number_of_a_line_running_across_unruled_columns_is_read_alone(monkeypatch):
    """A line the page's detector ran across a table's unruled columns was read as one number
    (1712176) or, with gaps, as none: its columns' cells had no reading of their own, and one
    number's reading could stand for a cell that holds another part of it."""
    import numpy as np

    from gongkai.grids.lattice import find_table_cells
    from gongkai.sources import ocr

    image, line = _numbers_apart()
    engine = ocr.recogniser()
    detect = engine.detect
    monkeypatch.setattr(
        engine, "detect", lambda grey: [line] if grey.shape[0] > 2000 else detect(grey), raising=False
    )
    page = ocr.read_page(1, image, 200, find_table_cells)
    words = sorted(page.words, key=lambda word: word.bbox[0])
    assert [word.free for word in words] == ["17", "12", "176"]
    assert all(word.line[2] - word.line[0] < 100 for word in words)  # each read again alone
    assert ocr.second_readings(page, words) == ["17", "12", "176"]
    # Where the line's reading has another number in a part than the part read alone, that part
    # gives no word: the cut, not the digits, may be wrong.
    lines = engine.lines
    monkeypatch.setattr(
        engine,
        "lines",
        lambda crops: [(text.replace("12", "13"), shares) for text, shares in lines(crops)],
        raising=False,
    )
    page = ocr.read_page(1, image, 200, find_table_cells)
    assert sorted(word.free for word in page.words) == ["17", "176"]
    assert np.all([word.has_ink for word in page.words])


def test_a_cell_the_form_reading_filled_takes_the_number_read_alone_where_it_saw_its_word():
    """Table 二's part overleaf, without rules, that the grid did not place: the form reading
    filled its cells (17, 12, 176), and each waited for the rules alone ("one reading only"),
    though each number had been read alone where the form reading saw it."""
    pytest.importorskip("cv2")
    from gongkai.model import CellRecord, PlacedCell
    from gongkai.report import _placed_by_form
    from gongkai.sources.ocr import OcrCell, ScannedPage
    from gongkai.witness.form import WitnessCell

    def word(x0, text):
        pixels = (int(x0 / 0.36), 100, int(x0 / 0.36) + 40, 140)
        return OcrCell(4, (x0, 100, x0 + 16, 112), text, 0.99, text, 0.99, pixels, True, ())

    def record(row, column, raw, read_by="form"):
        return CellRecord(
            "x.pdf", None, None, "2021", "active_disclosure", row, row, column, column,
            value=float(raw), page=4, raw=raw, read_by=read_by,
        )  # fmt: skip

    page = ScannedPage(
        4, None, [], [], words=[word(229, "17"), word(351, "12"), word(471, "176"), word(600, "9")]
    )
    grid_box = (590, 98, 620, 114)
    page.cells[grid_box] = dataclasses.replace(page.words[3], bbox=grid_box)
    cells = [
        record("normative_documents", "issued", "17"),
        record("normative_documents", "repealed", "12"),
        record("normative_documents", "in_force", "176"),
        record("licensing", "decisions", "9"),  # the number read alone is a grid cell's reading
        record("penalties", "decisions", "18", read_by="grid"),  # the grid's own reading
    ]
    seen = {
        cells[0].key: WitnessCell("17", 4, (231, 100, 242, 112)),
        cells[1].key: WitnessCell("13", 4, (353, 100, 364, 112)),  # another number than read alone
        cells[2].key: WitnessCell("176", 4, (473, 100, 490, 112)),
        cells[3].key: WitnessCell("9", 4, (602, 100, 610, 112)),
    }
    cells[1].raw = "13"
    placed = {
        ("active_disclosure", "licensing", "decisions"): PlacedCell(
            "active_disclosure", "x", "y", "9", 4, grid_box
        )
    }
    spots = _placed_by_form(cells, seen, {4: page}, placed, set(placed))
    assert set(spots) == {cells[0].key, cells[2].key}
    assert page.cells[spots[cells[0].key].bbox].free == "17" and spots[cells[2].key].raw == "176"
    # A cell the grid placed, once or more, is the grid's to read.
    assert _placed_by_form(cells, seen, {4: page}, {}, {cells[0].key, cells[2].key, cells[3].key}) == {}


def test_a_short_misreading_of_a_number_outside_the_ruled_cells_is_read_alone_and_prose_is_not():
    """0 read from the page as U, ó or .o: not read alone, its cell of a table without rules had
    no digits-only reading, and the rules that leave it only 0 had no candidate to take."""
    pytest.importorskip("cv2")
    from gongkai.sources import scan
    from gongkai.sources.ocr import _number_parts

    image, _ = _numbers_apart()
    page = scan.prepare(image, 200)
    line = (290, 465, 350, 512)  # 17 alone
    for text in ("U", "ó", ".o", "(1"):
        assert _number_parts(page, line, text, [0.5] * len(text), 45.0) == [(line, text)]
    for text in ("规章", "GDPR", "o o"):
        assert _number_parts(page, line, text, [0.5] * len(text), 45.0) == []


def test_a_number_read_from_the_whole_page_only_that_is_no_plain_number_says_so():
    # A cell the grid placed no box for, read only within the page's line as 0 with a speck
    records, placed, scanned = _records(_review_values())
    key = next(k for k in placed if k[2] == "litigation_direct_other")
    del placed[key]
    for record in records:
        if record.column_id == "litigation_direct_other":
            record.value, record.raw = None, "0°"
    out, _ = _verify(records, placed, scanned)
    note = out["litigation_direct_other"].note
    assert out["litigation_direct_other"].value is None
    assert note.startswith("OCR doubtful (not a plain number as read: '0°'"), note


def test_notes_of_corrections_and_low_scores_say_no_more_than_there_is():
    pytest.importorskip("cv2")
    from gongkai.sources.ocr import OcrCell
    from gongkai.verify import _Doubt, _outcome, _reading

    record = gongkai.model.CellRecord(
        "scan.pdf", None, None, "2021", "applications", "（一）予以公开", "granted", "科研机构", "research",
        page=1, raw="7",
    )  # fmt: skip
    clean = OcrCell(1, (0, 0, 1, 1), "7", 0.99, "7", 0.99, (0, 0, 1, 1), True, ())
    reading = _reading(0, record.key, "7", 7.0, clean, gongkai.forms.ValueKind.COUNT)
    reading.doubts.append(_Doubt("the only value applications_row_total[granted] leave"))
    assert _outcome(record, reading, gongkai.forms.ValueKind.COUNT, 1.0, False, [], set()) == "corrected"
    assert record.note.startswith("OCR corrected: cell read as '7' (0.99)"), record.note
    unsure = OcrCell(1, (0, 0, 1, 1), "7", 0.449, "7", 0.99, (0, 0, 1, 1), True, ())
    doubts = _reading(0, record.key, "7", 7.0, unsure, gongkai.forms.ValueKind.COUNT).doubts
    assert [doubt.words for doubt in doubts] == ["low OCR confidence 0.44"]


@pytest.mark.parametrize(("text", "confidence"), [("/", None), ("—", None), ("4", 0.99)])
def test_a_mark_told_by_its_shape_has_no_recogniser_score(text, confidence):
    pytest.importorskip("cv2")
    from gongkai.forms import FORM_2019
    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _lone_cell_records(text, column_id="published_total")
    out, _ = verify_ocr_cells(FORM_2019, records, placed, scanned, lambda page, cells: [text])
    assert out[0].read_by == "ocr" and out[0].ocr_confidence == confidence


@pytest.mark.parametrize(
    ("score", "second", "under_seal", "published"),
    [
        (0.7, "4", False, 4),  # scored low, read again alike
        (0.7, "7", False, None),  # read again otherwise
        (0.55, "4", False, None),  # scored too low to take on two readings
        (0.7, "4", True, None),  # under the seal both readings share the faded pixels
    ],
)
def test_a_reading_scored_low_is_taken_only_where_it_is_read_again_alike(
    score, second, under_seal, published
):
    pytest.importorskip("cv2")
    from gongkai.forms import FORM_2019
    from gongkai.verify import verify_ocr_cells

    records, placed, scanned = _lone_cell_records("4", column_id="published_total")
    box = next(iter(scanned[1].cells))
    scanned[1].cells[box] = dataclasses.replace(
        scanned[1].cells[box], free_score=score, under_seal=under_seal
    )
    out, _ = verify_ocr_cells(FORM_2019, records, placed, scanned, lambda page, cells: [second])
    assert out[0].value == published
    if published is None:
        assert out[0].note_code is NoteCode.OCR_DOUBTFUL
        assert f"low OCR confidence {math.floor(score * 100) / 100:.2f}" in out[0].note
    else:
        assert out[0].note_code is None and out[0].ocr_confidence == score


def _outcome_rows():
    table = FORM_2021.table("applications")
    ids = [r.id for r in table.rows]
    return ids[2 : ids.index("total_processed")]


@pytest.mark.parametrize(
    ("misread", "convicted"),
    [
        ({("withheld_third_party", "total"): "3"}, True),  # 2 read as 3: its row and its column fail
        # two misreadings in the total column: each row's rule leaves its own cell another value
        # than the column's rule does, and nothing is convicted
        ({("withheld_third_party", "total"): "3", ("granted", "total"): "8"}, False),
    ],
)
def test_one_misreading_two_failing_rules_agree_on_leaves_the_cells_of_those_rules_as_read(
    misread, convicted
):
    # Every outcome row but one has a cell read as no number: only the total column's rule can
    # check its total, and one misread total breaks it.
    doubtful = [(row, "natural_person") for row in _outcome_rows() if row != "withheld_third_party"]
    read = {cell: (text, 0.99) for cell, text in misread.items()}
    out, _ = _verify_applications(doubtful=doubtful, read=read)
    culprit = out[("withheld_third_party", "total")]
    assert culprit.value is None and culprit.note_code is NoteCode.OCR_DOUBTFUL
    row_rule, column_rule = (
        "applications_row_total[withheld_third_party]",
        "applications_outcomes_total[total]",
    )
    untouched = [row for row in _outcome_rows() if (row, "total") not in misread]
    if convicted:
        assert f"breaks {column_rule} and {row_rule}, which both leave 2" in culprit.note or (
            f"breaks {row_rule} and {column_rule}, which both leave 2" in culprit.note
        )
        assert all(out[(row, "total")].value is not None for row in untouched)
        assert out[("partially_granted", "total")].value == 2
    else:
        assert "both leave" not in culprit.note
        assert all(out[(row, "total")].value is None for row in untouched if row != "withheld_third_party")


@pytest.mark.parametrize(("ring", "published"), [(True, 0), (False, None)])
def test_a_zero_misread_is_taken_where_its_ink_is_a_ring_and_the_rules_leave_zero(ring, published):
    # A speck at the foot of a printed 0 read as 9: the rules leave 0, which only the ink's
    # shape offers.
    records, placed, scanned = _records(_review_values())
    _replace_cell(
        scanned, placed, "litigation_after_review_total", free="9", digits="9", free_score=0.38, ring=ring
    )
    out, counts = _verify(records, placed, scanned)
    cell = out["litigation_after_review_total"]
    assert cell.value == published
    if ring:
        assert cell.note_code is NoteCode.OCR_CORRECTED_BY_RULE and "its ink's shape '0'" in cell.note
        assert counts["corrected"] == 1
    else:
        assert cell.note_code is NoteCode.OCR_DOUBTFUL and "leave only 0" in cell.note


@pytest.mark.parametrize(("text", "ring", "published"), [("6", True, None), ("6", False, 6), ("0", True, 0)])
def test_a_number_read_where_the_ink_is_one_ring_is_doubtful(text, ring, published):
    # Table 二 (no rule): two readings agreeing on 6 are not enough where the ink is a 0's ring.
    from gongkai.readings import Why

    out = _lone_cell_verified(text, text, ring=ring)
    assert out.value == published
    if published is None:
        assert out.note_code is NoteCode.OCR_DOUBTFUL and Why.SHAPE_OF_ZERO in out.ocr_why


@pytest.mark.parametrize(
    ("shape", "ring"),
    [
        ("0", True),
        ("6", False),  # its loop stands low
        ("9", False),  # high
        ("8", False),  # two loops
        ("4", False),
        ("00", False),  # two digits
        ("0.", True),  # a speck beside the ring is dust
        ("ring+bar", False),  # a stroke of print beside it is not
        ("wide", False),  # a ring wider than tall is no 0
    ],
)
def test_the_print_of_a_zero_is_one_ring(shape, ring):
    # Strokes as the ink test leaves a 0 of the scans: 20 px tall, 2 px strokes.
    cv2 = pytest.importorskip("cv2")
    import numpy as np

    from gongkai.sources import scan

    strokes = np.zeros((40, 80), np.uint8)
    if shape in ("0", "0.", "ring+bar"):
        cv2.ellipse(strokes, (30, 20), (6, 10), 0, 0, 360, 1, 2)
    if shape == "0.":
        cv2.circle(strokes, (42, 29), 1, 1, -1)
    if shape == "ring+bar":
        cv2.line(strokes, (44, 12), (44, 29), 1, 2)
    if shape == "wide":
        cv2.ellipse(strokes, (30, 20), (12, 8), 0, 0, 360, 1, 2)
    if shape in ("6", "9", "8", "4", "00"):
        cv2.putText(strokes, shape, (20, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 1, 2)
    assert scan._ring(strokes.astype(bool), np.zeros_like(strokes, bool)) is ring


@pytest.mark.parametrize(
    ("failing", "fixed"), [(frozenset(), {}), (frozenset({"row"}), {"x": 0.0, "y": 0.0})]
)
def test_the_rules_that_hold_still_fix_cells_where_the_print_breaks_another(failing, fixed):
    # A report whose row total is off (2 + x = 1 as printed, x never negative) contradicts every
    # solution of its group; without the rule that fails as read, its column (x + y = total 0)
    # still leaves x and y only 0.
    from gongkai.verify import _solved_by_rules

    a, x, y, total, row_total = (("t", name, "c") for name in ("a", "x", "y", "total", "row_total"))
    sides = {"row": ((row_total,), (a, x)), "column": ((total,), (x, y))}
    values = {a: 2.0, row_total: 1.0, total: 0.0, x: None, y: None}
    cells = {x, y}
    solved = _solved_by_rules(sides, values, cells, cells | {a, total, row_total}, cells, {}, failing)
    assert {key[1]: value for key, (value, _) in solved.items()} == fixed
