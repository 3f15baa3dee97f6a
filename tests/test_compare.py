"""Year over year: two reports cell by cell, and every agency a batch holds in consecutive years."""

from __future__ import annotations

import os
import re
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter

import gongkai
from gongkai import batch
from gongkai.cli import main
from gongkai.numbers import format_number
from gongkai.output.compare import LARGE_CHANGE_MINIMUM, LARGE_CHANGE_SHARE

from .conftest import BROKEN_SAMPLE, FIXTURES

COUNTY_2020 = FIXTURES / "docx-county-2020-form-2019.pdf"  # 棠溪县人民政府, the 2019 form
COUNTY_2021 = FIXTURES / "reportlab-county-2021-narrow-review.pdf"  # the same county, the 2021 form


def _cells(values: dict[str, float | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "table": "applications",
            "group": "",
            "row": list(values),
            "row_id": list(values),
            "column": "总计",
            "column_id": "total",
            "value": list(values.values()),
            "note": "",
        }
    )


def test_changes_and_which_are_large():
    before = _cells({"a": 100.0, "b": 4.0, "c": 0.0, "d": 50.0, "e": None})
    after = _cells({"a": 151.0, "b": 9.0, "c": 12.0, "d": 60.0, "e": 3.0})
    pairs = gongkai.compare_cells(before, after).set_index("row_id")
    assert pairs["change"].tolist()[:4] == [51.0, 5.0, 12.0, 10.0]
    assert pd.isna(pairs.loc["e", "change"])  # an empty value is not a zero
    # Large: at least LARGE_CHANGE_SHARE of the earlier value and at least LARGE_CHANGE_MINIMUM.
    assert LARGE_CHANGE_SHARE == 0.5 and LARGE_CHANGE_MINIMUM == 10
    assert pairs["large"].tolist() == [True, False, True, False, False]


def test_two_reports_of_the_two_forms_line_up_by_the_shared_ids():
    pairs = gongkai.compare_cells(
        gongkai.read_report(COUNTY_2020).cells, gongkai.read_report(COUNTY_2021).cells
    )
    row = pairs[(pairs["row_id"] == "new_requests") & (pairs["column_id"] == "total")].iloc[0]
    assert row["value_a"] > 0 and row["value_b"] > 0
    assert row["change"] == row["value_b"] - row["value_a"]
    # Cells of one form only have a value on one side.
    only_2019 = pairs[pairs["column_id"] == "previous_year_items"]
    assert only_2019["value_a"].notna().all() and only_2019["value_b"].isna().all()


def test_year_over_year_finds_the_agencies_held_in_consecutive_years():
    cells = gongkai.read_reports(str(FIXTURES / "*.pdf"))
    pairs = gongkai.year_over_year(cells)
    years = pairs.drop_duplicates(["agency_key", "year_a"])
    assert {"棠溪县人民政府", "鹤鸣市人民政府", "湄岭区人民政府"} <= set(years["agency_key"])
    assert (years["year_b"] == years["year_a"] + 1).all()
    湄岭 = years[years["agency_key"] == "湄岭区人民政府"]
    assert 湄岭["year_a"].tolist() == [2021]  # 2021-2022; 2024 has no 2023 before it


def test_cli_compares_two_reports_and_an_agency_across_a_batch(tmp_path):
    runner = CliRunner()
    two = runner.invoke(main, ["compare", str(COUNTY_2020), str(COUNTY_2021), "-o", str(tmp_path / "c.csv")])
    assert two.exit_code == 0, two.output
    assert f"2020年 {COUNTY_2020} → 2021年 {COUNTY_2021}" in two.stdout and "large change" in two.stdout
    assert two.stderr.startswith("gongkai: wrote")  # the same agency, a later year: no warning
    written = pd.read_csv(tmp_path / "c.csv")
    assert {"value_a", "value_b", "change", "large"} <= set(written.columns)
    # Whole numbers as printed: 449, never 449.0.
    text = pd.read_csv(tmp_path / "c.csv", dtype=str, keep_default_na=False)
    numbers = [v for name in ("value_a", "value_b", "change") for v in text[name] if v]
    assert numbers and not any(v.endswith(".0") for v in numbers)
    as_xlsx = ["compare", str(COUNTY_2020), str(COUNTY_2021), "-o", str(tmp_path / "c.xlsx")]
    assert runner.invoke(main, as_xlsx).exit_code == 0
    from_xlsx = pd.read_excel(tmp_path / "c.xlsx", header=2)  # under a title and the files compared
    assert from_xlsx["2020年数值"].dropna().tolist() == written["value_a"].dropna().tolist()
    refused = runner.invoke(main, [*as_xlsx[:3], "-o", str(tmp_path / "c.pq")])
    assert refused.exit_code == 2 and not (tmp_path / "c.pq").exists()
    heming = [
        "docx-city-2021-tbrl-labels.pdf",
        "reportlab-city-2022-tall-rows.pdf",
        "reportlab-city-2023-reworded.pdf",
    ]
    batch_inputs = [str(FIXTURES / name) for name in heming] + [str(COUNTY_2021)]
    batch = runner.invoke(main, ["compare", *batch_inputs, "--agency", "鹤鸣市政府"])  # 鹤鸣市人民政府
    assert batch.exit_code == 0, batch.output
    assert batch.stdout.count(" → ") == 2  # 2021-2022 and 2022-2023
    missing = runner.invoke(main, ["compare", *batch_inputs, "--agency", "不存在的局"])
    assert missing.exit_code == 2 and "no report of this agency" in missing.output
    one = runner.invoke(main, ["compare", str(COUNTY_2020)])
    assert one.exit_code == 2


def test_an_agency_year_held_twice_is_named_as_the_reason(tmp_path):
    runner = CliRunner()
    for copies, name in enumerate(("a", "b", "c")):  # three reports, not copies of one (warned of)
        (tmp_path / f"{name}.pdf").write_bytes(BROKEN_SAMPLE.read_bytes() + b"\n" * copies)
    out = tmp_path / "cells.csv"
    assert runner.invoke(main, ["extract", str(tmp_path), "-o", str(out), "-w", "1"]).exit_code == 0
    # a.pdf is made the 2023 report: the batch holds 2023 once and 2024 twice.
    for path in (out, tmp_path / "cells.files.csv"):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        table.loc[table["source"].str.endswith("a.pdf"), "year"] = "2023"
        table.to_csv(path, index=False)
    result = runner.invoke(main, ["compare", str(out), "--agency", "云湖区人民政府"])
    assert result.exit_code == 2
    message = result.output.strip()
    assert len(message.splitlines()) == 1 and "np." not in message
    assert "2023, 2024 (2 reports)" in message and "more than one report" in message


def test_the_comparison_fits_the_terminal_and_never_cuts_a_number():
    from rich.cells import cell_len

    result = CliRunner(env={"COLUMNS": "60"}).invoke(main, ["compare", str(COUNTY_2020), str(COUNTY_2021)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(cell_len(line) for line in lines[1:]) <= 60 and "…" not in result.stdout
    pairs = gongkai.compare_cells(
        gongkai.read_report(COUNTY_2020).cells, gongkai.read_report(COUNTY_2021).cells
    )
    tokens = set(re.findall(r"[+-]?[\d.]+", result.stdout))
    for name in ("value_a", "value_b"):
        for value in pairs[name].dropna():
            assert format_number(float(value)) in tokens, (name, value)
    # The group names the row: （四）无法提供's 1. is not （三）不予公开's 1.
    assert re.search(r"（四）无法提供[^\n]*\n\s*1\.本机关不掌握", result.stdout)


def test_the_comparison_workbook_is_laid_out_as_the_workbooks_year_over_year_sheet(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "c.xlsx"
    result = CliRunner().invoke(main, ["compare", str(COUNTY_2020), str(COUNTY_2021), "-o", str(out)])
    assert result.exit_code == 0, result.output
    gongkai.write_workbook(gongkai.read_reports([COUNTY_2020, COUNTY_2021]), tmp_path / "book.xlsx")
    book, main_book = load_workbook(out), load_workbook(tmp_path / "book.xlsx")
    assert book.sheetnames == ["同比"]  # a named sheet, not Sheet1
    sheet, theirs = book["同比"], main_book["同比"]
    header = [c.value for c in sheet[3]]
    # The form's Chinese labels, as the workbook's 同比 sheet has them (its agency and years aside),
    # A and B called by their years where that sheet's consecutive years are 上年 and 本年.
    by_year = {"上年数值": "2020年数值", "本年数值": "2021年数值"}
    by_year |= {"上年说明": "2020年说明", "本年说明": "2021年说明"}
    assert header == [by_year.get(c.value, c.value) for c in theirs[1]][4:]
    assert str(COUNTY_2020) in sheet["A2"].value and str(COUNTY_2021) in sheet["A2"].value
    # Set up to print as every other sheet: header frozen and repeated, landscape, A4, page width.
    assert sheet.freeze_panes == "A4" and sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == int(
        sheet.PAPERSIZE_A4
    )
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.auto_filter.ref.startswith("A3:")
    widths = {c: sheet.column_dimensions[c].width for c in "ABC"}
    assert widths == {"A": 20, "B": 34, "C": 28}
    large = [r for r in sheet.iter_rows(min_row=4) if r[header.index("变化大")].value == "是"]
    assert large and all(cell.fill.fgColor.rgb.endswith("F8CBAD") for cell in large[0])
    shares = [r[header.index("增减比例")] for r in sheet.iter_rows(min_row=4)]
    assert {c.number_format for c in shares} == {"0.0%"}
    values = [r[header.index("2020年数值")].value for r in sheet.iter_rows(min_row=4)]
    assert any(isinstance(v, int) for v in values) and not any(
        isinstance(v, float) and v.is_integer() for v in values
    )


@pytest.mark.parametrize("columns", [30, 40])
def test_a_narrow_terminal_gets_the_comparison_no_wider_than_its_numbers_need(columns):
    from rich.cells import cell_len

    result = CliRunner(env={"COLUMNS": str(columns)}).invoke(
        main, ["compare", str(COUNTY_2020), str(COUNTY_2021)]
    )
    assert result.exit_code == 0
    pairs = gongkai.compare_cells(
        gongkai.read_report(COUNTY_2020).cells, gongkai.read_report(COUNTY_2021).cells
    )
    shown = pairs[pairs["value_a"].notna() | pairs["value_b"].notna()]

    def widest(texts, header):
        return max(cell_len(header), *(cell_len(text) for text in texts))

    def shown_as(values):
        return [format_number(None if v != v else v) for v in values]

    change = [f"+{format_number(v)}" if v > 0 else format_number(v) for v in shown["change"].dropna()]
    shares = [f"{v:+.1%}" for v in shown["change_share"].dropna()]
    numbers = [
        widest(shown_as(shown["value_a"]), "2020年"),
        widest(shown_as(shown["value_b"]), "2021年"),
        widest(change, "增减"),
        widest(shares, "比例"),
        len("large"),
    ]
    # The edges, a label column of 10 (CJK characters two wide) and each number column after a space.
    needed = 2 + 10 + sum(width + 1 for width in numbers)
    lines = result.stdout.splitlines()
    closing = next(i for i, line in enumerate(lines) if "large change" in line)
    table = [line for line in lines[1:closing] if line.strip()]
    # The table as wide as that (its rule, but the edge's space), no line padded with spaces to it.
    assert max(cell_len(line) for line in table) == max(columns, needed) - 1
    assert not any(line.endswith(" ") for line in lines)
    # The title line folded to the width (a file's path where it must), as the labels are.
    title = lines[: next(i for i, line in enumerate(lines) if "行 · 列" in line)]
    assert max(map(cell_len, title)) <= columns and "".join(title).replace(" ", "") == (
        f"2020年{COUNTY_2020}→2021年{COUNTY_2021}".replace(" ", "")
    )
    assert not any(line.startswith("  ") for line in table[2:])  # a folded label starts at its edge


def test_two_reports_are_called_by_their_years_and_an_odd_pair_is_warned_of(tmp_path):
    """compare A B calls A and B by their years (2024年, 2023年; A and B when unknown or the same),
    never 上年 and 本年 whatever their years; one line warns of reports of two agencies or a B
    not later than A. The text has the change's share of A, as the CSV and the workbook have."""
    from openpyxl import load_workbook

    from gongkai.output.compare import pair_doubts, report_labels

    samples = FIXTURES.parent / "samples"
    a, b = samples / "yunhu-district-2024.pdf", samples / "nanping-education-2023.pdf"
    out = tmp_path / "d.xlsx"
    result = CliRunner().invoke(main, ["compare", str(a), str(b), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"2024年 {a} → 2023年 {b}" in result.stdout
    header = next(line for line in result.stdout.splitlines() if "行 · 列" in line).split()
    assert header[-4:] == ["2024年", "2023年", "增减", "比例"]
    assert re.search(r"-167 +-87\.0% large", result.stdout)  # 192 → 25 行政规范性文件 现行有效件数
    warning, _ = result.stderr.splitlines()
    assert warning == (
        "gongkai: warning: A and B are reports of different agencies (云溪市云湖区人民政府, "
        "南屏县教育体育局); B (2023) is not later than A (2024)"
    )
    sheet = load_workbook(out)["同比"]
    assert sheet["A2"].value == f"2024年文件 {a} → 2023年文件 {b}"
    header = [c.value for c in sheet[3]]
    assert {"2024年数值", "2023年数值", "2024年说明", "2023年说明"} <= set(header)
    assert not any("上年" in str(v) or "本年" in str(v) for v in [sheet["A2"].value, *header])
    assert report_labels(2024, None) == report_labels(2023, 2023) == ("A", "B")
    assert report_labels(2023.0, 2024) == ("2023年", "2024年")
    assert pair_doubts("云溪市云湖区人民政府", "云湖区人民政府", 2023, 2024) is None
    assert pair_doubts(None, "x", 2024, 2024) == "A and B are both of 2024"


def test_comparing_a_report_with_itself_says_it_is_the_same_file(tmp_path):
    sample = FIXTURES.parent / "samples" / "yunhu-district-2024.pdf"
    (tmp_path / "link.pdf").symlink_to(sample)
    shutil.copy(sample, tmp_path / "a.pdf")
    os.link(tmp_path / "a.pdf", tmp_path / "hard.pdf")
    ones = [(sample, sample), (sample, tmp_path / "link.pdf"), (tmp_path / "a.pdf", tmp_path / "hard.pdf")]
    for a, b in ones:
        assert batch.same_file(a, b) and batch.same_file(str(b), str(a))
    assert not batch.same_file(sample, tmp_path / "a.pdf") and not batch.same_file(tmp_path, tmp_path)
    assert not batch.same_file(tmp_path / "nothing.pdf", tmp_path / "nothing.pdf")
    for b in (sample, tmp_path / "link.pdf"):
        result = CliRunner().invoke(main, ["compare", str(sample), str(b)])
        assert result.exit_code == 2
        said = f"gongkai: error: A and B are the same file, '{sample}': give two reports A B\n"
        assert result.stderr == said


def test_comparing_a_copy_of_a_report_says_they_are_the_same_file_content(tmp_path):
    """`compare a.pdf copy-of-a.pdf` said only `A and B are both of 2024`: a copy of one report,
    saved twice (under two years' names), is compared all the same, after one line that says so."""
    sample = FIXTURES.parent / "samples" / "yunhu-district-2024.pdf"
    copy = tmp_path / "云湖区2023.pdf"
    shutil.copy(sample, copy)
    out = tmp_path / "yoy.csv"
    result = CliRunner().invoke(main, ["compare", str(sample), str(copy), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "gongkai: warning: A and B are the same file content, byte for byte: every change is 0",
        f"gongkai: wrote {out}",
    ]
    pairs = pd.read_csv(out)
    assert len(pairs) and (pairs["change"].dropna() == 0).all()
    # A file of other content (one byte more) is another report, of the same year.
    copy.write_bytes(sample.read_bytes() + b"\n")
    result = CliRunner().invoke(main, ["compare", str(sample), str(copy)])
    assert result.exit_code == 0
    assert result.stderr == "gongkai: warning: A and B are both of 2024\n"


def test_comparing_an_agency_skips_a_copy_of_a_report_and_says_so(tmp_path):
    """`compare 2020.pdf 2021.pdf copy-of-2021.pdf --agency KEY` counted the copy as a second
    report of 2021 and, as which one to compare could not be told, compared nothing: a copy of
    one report (a download saved twice) is that report once, and a line says it was skipped.
    So from the reports and from their output read back."""
    first, copy = tmp_path / "2021.pdf", tmp_path / "棠溪县 2021 副本.pdf"
    shutil.copy(COUNTY_2020, tmp_path / "2020.pdf")
    shutil.copy(COUNTY_2021, first)
    shutil.copy(first, copy)
    note = f"gongkai: note: '{copy}' is a copy of '{first}' (the same file content, byte for byte): skipped"
    out = tmp_path / "out" / "c.csv"
    assert CliRunner().invoke(main, ["extract", str(tmp_path), "-o", str(out), "-q"]).exit_code == 0
    for inputs in ([str(tmp_path / "2020.pdf"), str(first), str(copy)], [str(out)]):
        result = CliRunner().invoke(main, ["compare", *inputs, "--agency", "棠溪县人民政府"])
        assert result.exit_code == 0, result.output
        assert result.stderr.splitlines() == [note]
        assert result.stdout.startswith(f"2020年 {tmp_path / '2020.pdf'} → 2021年 {first}\n")
    # A year held by a report and its copy is held by one report.
    result = CliRunner().invoke(main, ["compare", str(first), str(copy), "--agency", "棠溪县人民政府"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        note,
        "gongkai: error: 棠溪县人民政府: no two consecutive years in the batch (years held: 2021)",
    ]
    # A file of other content (one byte more) is another report, of the same year: not skipped.
    copy.write_bytes(first.read_bytes() + b"\n")
    result = CliRunner().invoke(main, ["compare", str(first), str(copy), "--agency", "棠溪县人民政府"])
    assert result.exit_code == 2 and "note" not in result.stderr and "2021 (2 reports)" in result.stderr


def test_the_year_over_year_sheet_compares_a_report_and_not_its_copy_as_well(tmp_path):
    """The workbook's 同比 sheet left out an agency-year held by a report and its copy."""
    from openpyxl import load_workbook

    shutil.copy(COUNTY_2020, tmp_path / "2020.pdf")
    shutil.copy(COUNTY_2021, tmp_path / "2021.pdf")
    shutil.copy(COUNTY_2021, tmp_path / "2021-copy.pdf")
    book = tmp_path / "out" / "book.xlsx"
    assert CliRunner().invoke(main, ["extract", str(tmp_path), "-o", str(book), "-q"]).exit_code == 0
    assert "同比" in load_workbook(book, read_only=True).sheetnames


def test_a_number_ocr_could_not_vouch_for_is_awaiting_a_reader_in_the_text_csv_and_workbook(tmp_path):
    """An ocr_doubtful cell (empty: OCR could not vouch for its reading) is 待核 where its value
    would be, as on the workbook's form sheets: never blank, which is what a report printed, and
    shown (without --all) even when neither report has a number there."""
    from openpyxl import load_workbook

    runner = CliRunner()
    heming = [FIXTURES / "docx-city-2021-tbrl-labels.pdf", FIXTURES / "reportlab-city-2022-tall-rows.pdf"]
    out = tmp_path / "cells.csv"
    assert runner.invoke(main, ["extract", *map(str, heming), "-o", str(out), "-w", "1"]).exit_code == 0
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    total = (table["table"] == "applications") & (table["column_id"] == "total")
    not_held = total & (table["row_id"] == "unavailable_not_held") & table["source"].str.contains("2022")
    granted = total & (table["row_id"] == "granted")  # doubtful in both years
    why = "not a plain number as read: '98712'; suspect cell (seal)"
    doubtful = ["", "ocr_doubtful", f"OCR doubtful ({why}): cell read as '98712' (0.91)"]
    doubtful.append('{"cell": "98712", "cell_score": 0.91}')
    table.loc[not_held | granted, ["value", "note_code", "note", "ocr_readings"]] = doubtful
    table.to_csv(out, index=False)
    agency = ["compare", str(out), "--agency", "鹤鸣市人民政府"]
    result = runner.invoke(main, [*agency, "-o", str(tmp_path / "c.csv")])
    assert result.exit_code == 0, result.output
    assert re.search(r"1\.本机关不掌握相关政府信息 · 总计 +\d+ +待核 *\n", result.stdout)
    assert re.search(r"（一）予以公开 · 总计 +待核 +待核 *\n", result.stdout)
    # One line says what 待核 is, and how many cells are: the legend the workbook's sheets print.
    said = re.findall(
        r"^(\d+) cells? 待核: numbers on a scanned page that OCR could not vouch for", result.stdout, re.M
    )
    assert said == ["2"], result.stdout
    # In the CSV the values stay numbers (pandas reads them as such): a doubtful one is empty,
    # and its note_code says why.
    written = pd.read_csv(tmp_path / "c.csv")
    assert all(pd.api.types.is_float_dtype(written[c]) for c in ("value_a", "value_b", "change"))
    written = written[(written["table"] == "applications") & (written["column_id"] == "total")]
    written = written.set_index("row_id")
    assert pd.isna(written.loc["unavailable_not_held", "value_b"])
    assert written.loc["unavailable_not_held", "value_a"] >= 0
    assert written.loc["unavailable_not_held", "note_code_b"] == "ocr_doubtful"
    assert written.loc["granted", ["value_a", "value_b", "change"]].isna().all()
    assert written.loc["granted", ["note_code_a", "note_code_b"]].tolist() == ["ocr_doubtful"] * 2
    assert runner.invoke(main, [*agency, "-o", str(tmp_path / "c.xlsx")]).exit_code == 0
    sheet = load_workbook(tmp_path / "c.xlsx")["同比"]
    assert sheet["A2"].value.startswith("图例：待核")  # what 待核 means, under the title
    header = [c.value for c in sheet[4]]
    assert "说明代码" not in header and "note_code_a" not in header  # the codes are the CSV's
    row, column = header.index("行"), header.index("列")
    rows = {r[row].value: r for r in sheet.iter_rows(min_row=5) if r[column].value == "总计"}
    values = [(c.value, c.alignment.horizontal) for c in rows["1.本机关不掌握相关政府信息"][7:9]]
    assert isinstance(values[0][0], int) and values[1] == ("待核", "right")
    assert [c.value for c in rows["（一）予以公开"][7:9]] == ["待核", "待核"]
    # On paper the note says why in words, never what OCR read (a number beside 待核): that is
    # in the hover note of the 待核, as on the form sheets.
    printed = [c.value for r in sheet.iter_rows() for c in r if c.value is not None]
    assert not any("98712" in str(value) for value in printed)
    said = rows["1.本机关不掌握相关政府信息"][header.index("本年说明")].value
    assert said == "OCR doubtful (not a plain number; suspect cell (seal))"
    assert "98712" in rows["1.本机关不掌握相关政府信息"][8].comment.text
    # So too the 同比 sheet of the batch's workbook.
    frame = pd.read_csv(out)
    gongkai.write_workbook(frame.assign(form=frame["form"].astype(str)), tmp_path / "w.xlsx")
    sheet = load_workbook(tmp_path / "w.xlsx")["同比"]
    printed = [c for r in sheet.iter_rows() for c in r if c.value is not None]
    assert not any("98712" in str(c.value) for c in printed)
    assert any(c.value == "待核" and "98712" in c.comment.text for c in printed)


def test_the_note_codes_come_last_in_both_layouts_of_the_csv(tmp_path):
    """note_code_a and note_code_b were added after the other columns: they come after the files
    compared in a comparison of two reports, as they do after a pair's identity and notes of --agency."""
    runner = CliRunner()
    a, b = tmp_path / "ab.csv", tmp_path / "agency.csv"
    result = runner.invoke(main, ["compare", str(COUNTY_2020), str(COUNTY_2021), "-o", str(a)])
    assert result.exit_code == 0, result.output
    compared = [
        *("table", "group", "row", "row_id", "column", "column_id", "value_a", "value_b", "change"),
        *("change_share", "large", "note_a", "note_b"),
    ]
    codes = ["note_code_a", "note_code_b", "ocr_readings_a", "ocr_readings_b"]
    assert list(pd.read_csv(a, nrows=0).columns) == [*compared, "source_a", "source_b", *codes]
    assert "待核" not in result.stdout  # no cell is: no line about them
    cells = tmp_path / "cells.csv"
    assert (
        runner.invoke(main, ["extract", str(COUNTY_2020), str(COUNTY_2021), "-o", str(cells)]).exit_code == 0
    )
    result = runner.invoke(main, ["compare", str(cells), "--agency", "棠溪县人民政府", "-o", str(b)])
    assert result.exit_code == 0, result.output
    identity = ["agency_key", "agency", "year_a", "year_b", "source_a", "source_b"]
    assert list(pd.read_csv(b, nrows=0).columns) == [*identity, *compared, *codes]


def test_the_year_over_year_sheet_keeps_its_rows_one_line_high_where_nothing_folds(tmp_path):
    """An agency of ten characters (青岚区市场监督管理局) in a column planned for twenty widths made
    every row two lines high; and the year 本年, right against the group's words, ran into them."""
    from openpyxl import load_workbook

    from gongkai.output.workbook import write_comparison_workbook

    cells = gongkai.read_reports([COUNTY_2020, COUNTY_2021]).assign(agency="青岚区市场监督管理局")
    write_comparison_workbook(gongkai.year_over_year(cells), tmp_path / "yoy.xlsx")
    sheet = load_workbook(tmp_path / "yoy.xlsx")["同比"]
    header = {c.value: c.column for c in sheet[3]}
    widths = {name: sheet.column_dimensions[get_column_letter(c)].width for name, c in header.items()}
    assert widths["机关"] >= 20 + 2  # the name and the cell's margins
    words = ("机关", "分组", "行", "列", "上年说明", "本年说明")
    level = [
        r
        for r in range(4, sheet.max_row + 1)
        if all(
            sum(1 + (ord(ch) > 0x2E80) for ch in str(sheet.cell(r, header[n]).value or "")) <= widths[n] - 2
            for n in words
        )
    ]
    assert len(level) > 50 and all(sheet.row_dimensions[r].height is None for r in level)
    rows = {sheet.cell(r, header["行"]).value for r in level}
    assert {"一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量"} <= rows
    for name in ("上年", "本年"):
        assert {sheet.cell(r, header[name]).alignment.horizontal for r in level} == {"center"}


def test_the_comparison_csv_is_written_in_the_encoding_asked_for(tmp_path):
    """--encoding as extract's: utf-8-sig gives the byte-order mark Excel needs; an unknown one is a
    usage error before any reading."""
    out = tmp_path / "c.csv"
    given = ["compare", str(COUNTY_2020), str(COUNTY_2021), "-o", str(out)]
    result = CliRunner().invoke(main, [*given, "--encoding", "utf-8-sig"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbftable,")
    assert "自然人" in out.read_text("utf-8-sig")
    out.unlink()
    result = CliRunner().invoke(main, [*given, "--encoding", "klingon"])
    assert result.exit_code == 2 and "unknown encoding 'klingon'" in result.stderr and not out.exists()


def test_off_a_terminal_without_columns_no_line_of_the_comparison_folds():
    """Folded at 120 columns (a long label on two lines, the 待核 legend too) while the files' line
    stayed one line 136 wide: off a terminal with no COLUMNS, every line is one line, a row each."""
    from rich.cells import cell_len

    result = CliRunner(env={"COLUMNS": None}).invoke(main, ["compare", str(COUNTY_2020), str(COUNTY_2021)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    pairs = gongkai.compare_cells(
        gongkai.read_report(COUNTY_2020).cells, gongkai.read_report(COUNTY_2021).cells
    )
    held = pairs[pairs["value_a"].notna() | pairs["value_b"].notna()]
    labels = [
        f"{g} {r} · {c}" if isinstance(g, str) and g else f"{r} · {c}"
        for g, r, c in zip(held["group"], held["row"], held["column"], strict=True)
    ]
    assert max(map(cell_len, labels)) > 120 - 40  # some label is folded at 120 columns
    for label in labels:
        assert any(line.strip().startswith(label) for line in lines), label
    assert len(lines) == 1 + 3 + len(labels) + 2  # files; blank, header, rule; a row each; blank, count
