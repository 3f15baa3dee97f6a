"""The workbook looks like the form: headers, group rows, table 四's layout, print setup, other sheets."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

import gongkai
from gongkai.model import NoteCode
from gongkai.readings import Why

from .conftest import BAD_INPUTS, BROKEN_SAMPLE, FIXTURES


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("book") / "one.xlsx"
    gongkai.write_workbook(gongkai.read_report(BROKEN_SAMPLE), path)
    return load_workbook(path)


def _find(sheet, text):
    return next(c for row in sheet.iter_rows() for c in row if c.value == text)


def _merged(sheet, cell) -> tuple[int, int]:
    """(rows, columns) that a cell's merged range covers."""
    for merged in sheet.merged_cells.ranges:
        if cell.coordinate in merged:
            return merged.max_row - merged.min_row + 1, merged.max_col - merged.min_col + 1
    return 1, 1


def test_sheets(book):
    assert book.sheetnames == [
        "概览",
        "二、主动公开",
        "三、依申请公开",
        "四、复议诉讼",
        "cells",
        "files",
        "checks",
    ]


def test_table_three_has_merged_multi_level_headers_group_rows_and_borders(book):
    sheet = book["三、依申请公开"]
    assert _merged(sheet, _find(sheet, "申请人情况")) == (1, 7)
    assert _merged(sheet, _find(sheet, "法人或其他组织")) == (1, 5)
    assert _merged(sheet, _find(sheet, "自然人")) == (2, 1)
    assert _merged(sheet, _find(sheet, "总计")) == (2, 1)
    assert (
        _merged(sheet, _find(sheet, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"))[
            0
        ]
        == 3
    )
    labels = [sheet.cell(r, 1).value for r in range(1, sheet.max_row + 1)]
    withheld = labels.index("（三）不予公开")
    assert labels[withheld + 1] == "1.属于国家秘密" and labels[withheld - 1].startswith("（二）部分公开")
    assert {"三、本年度办理结果", "（四）无法提供", "（五）不予处理", "（六）其他处理"} <= set(labels)
    label = _find(sheet, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")
    assert label.alignment.wrap_text and sheet.column_dimensions["A"].width >= 40
    assert sheet.row_dimensions[label.row].height > 20  # tall enough for its two lines
    row = labels.index("一、本年新收政府信息公开申请数量") + 1
    values = [sheet.cell(row, c).value for c in range(2, 9)]
    assert values == [371, 43, 1, 5, 24, 5, 449] and all(isinstance(v, int) for v in values)
    assert all(sheet.cell(row, c).border.left.style == "thin" for c in range(1, 9))


def test_failed_rule_cells_are_red_and_noted_cells_yellow(book):
    sheet = book["三、依申请公开"]
    labels = [sheet.cell(r, 1).value for r in range(1, sheet.max_row + 1)]
    row = labels.index("四、结转下年度继续办理") + 1
    assert sheet.cell(row, 2).fill.fgColor.rgb.endswith("F8CBAD")  # 自然人 is in the failed balance
    assert sheet.cell(row, 3).fill.fgColor.rgb in ("00000000", None)  # 商业企业 is not
    two = book["二、主动公开"]
    slash = next(c for r in two.iter_rows() for c in r if c.value == "/")
    assert slash.fill.fgColor.rgb.endswith("FFF2CC") and slash.comment.text == "不适用：报告中此格为“/”"
    assert any("图例" in str(c.value) for c in two["A"])


def _in_chinese(text: str) -> bool:
    """Words in Chinese: English only in what is quoted (“…”, what the report printed or OCR read)."""
    import re

    return bool(re.match("[\u4e00-\u9fff]", text)) and not re.search("[A-Za-z]", re.sub("“[^”]*”", "", text))


def test_the_hover_notes_are_in_the_sheets_words_and_the_records_note_as_it_is(batch_book):
    notes = [c.comment.text for s in batch_book for r in s.iter_rows() for c in r if c.comment]
    assert len(notes) > 10 and all(map(_in_chinese, notes)), [n for n in notes if not _in_chinese(n)]
    assert "去掉了单位：报告中此格为“34001件”" in notes
    cells = batch_book["cells"]
    header = [c.value for c in cells[1]]
    said = {r[header.index("说明")].value for r in cells.iter_rows(min_row=2)}
    assert "unit 件 dropped" in said  # the output's contract: the record's note, unchanged


@pytest.mark.parametrize("code", list(NoteCode))
def test_every_note_code_has_a_hover_note_in_chinese(code):
    from gongkai.output.views import hover_note

    note = "OCR doubtful (low score): cell read as '2*' (0.75); digits only '2'; read again '3'"
    readings = '{"cell": "2*", "cell_score": 0.75, "digits": "2", "digits_score": 0.9, "again": "3"}'
    words = hover_note(note, code, raw="2*", readings=readings)
    assert _in_chinese(words), words
    if code in (NoteCode.OCR_DOUBTFUL, NoteCode.OCR_CORRECTED_BY_RULE):
        assert words.endswith("；单元格识别为“2*”（置信度 0.75），只认数字为“2”，再次识别为“3”")


def test_a_doubtful_cells_hover_note_says_why_in_chinese_from_the_data_whatever_the_note_says():
    """The hover note of a 待核 said it was doubtful and what OCR read, never why: the why was in
    the English note alone. It says why in Chinese, from the `why` of its `ocr_readings`."""
    from gongkai.output.views import hover_note

    readings = (
        '{"cell": "7229", "cell_score": 0.7, "digits": "686998", "digits_score": 0.8, '
        '"why": ["low_score", "digits_differ", "breaks_rules"]}'
    )
    why = "；原因：识别置信度偏低，只认数字时读出的数字不同，不符合勾稽关系；"
    for note in (
        "OCR doubtful (low OCR confidence 0.70; breaks x): cell read as '7229' (0.70)",
        "OCR: 细胞",
        "",
    ):
        words = hover_note(note, NoteCode.OCR_DOUBTFUL, readings=readings)
        assert why in words and _in_chinese(words), words
        assert words.endswith("单元格识别为“7229”（置信度 0.70），只认数字为“686998”")
    # No ink, no reading: why alone; a code of a later version is passed over; none is said without.
    no_ink = hover_note("", NoteCode.OCR_DOUBTFUL, readings='{"why": ["no_ink", "under_seal", "later"]}')
    assert no_ink.endswith("须对照原件填写；原因：未见墨迹但此格可疑，此格在印章下")
    assert "原因" not in hover_note(
        "OCR doubtful: no ink found, but the cell is suspect (seal)", NoteCode.OCR_DOUBTFUL
    )


@pytest.mark.parametrize("why", list(Why))
def test_every_reason_ocr_could_not_vouch_for_a_cell_has_its_words_in_chinese(why):
    from gongkai.output.views import hover_note

    words = hover_note("", NoteCode.OCR_DOUBTFUL, readings=f'{{"why": ["{why}"]}}')
    assert "；原因：" in words and _in_chinese(words), words


def test_the_hover_notes_readings_are_the_records_readings_whatever_the_note_says():
    """What OCR read is data (`ocr_readings`): a note worded otherwise changes no hover note."""
    from gongkai.output.views import hover_note

    readings = '{"cell": "7229", "cell_score": 1.0, "digits": "686998", "digits_score": 0.8, "again": ":70"}'
    said = "；单元格识别为“7229”（置信度 1.00），只认数字为“686998”，再次识别为“:70”"
    for note in ("OCR doubtful (under the seal): cell read as '7229' (1.00)", "OCR: 细胞 7229", ""):
        assert hover_note(note, NoteCode.OCR_DOUBTFUL, readings=readings).endswith(said)
    # A digits-only reading alike the cell's, or none, and a second reading alike, are not named.
    alike = '{"cell": "12", "cell_score": 0.899, "digits": "12", "again": "12"}'
    assert hover_note("", NoteCode.OCR_DOUBTFUL, readings=alike).endswith("；单元格识别为“12”（置信度 0.90）")
    page = '{"page": "16*"}'
    assert hover_note("", NoteCode.OCR_DOUBTFUL, readings=page).endswith("；从整页识别为“16*”")
    assert hover_note("OCR doubtful: cell read as '1'", NoteCode.OCR_DOUBTFUL).endswith("填写")  # no readings


def test_table_four_is_laid_out_as_printed(book):
    sheet = book["四、复议诉讼"]
    assert _merged(sheet, _find(sheet, "行政复议")) == (1, 5)
    assert _merged(sheet, _find(sheet, "行政诉讼")) == (1, 10)
    assert _merged(sheet, _find(sheet, "未经复议直接起诉")) == (1, 5)
    assert _merged(sheet, _find(sheet, "复议后起诉")) == (1, 5)
    second = _find(sheet, "复议后起诉").row  # the second header row
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    # 行政复议's outcomes stand over the last two header rows; 行政诉讼's in the last one.
    assert [sheet.cell(second, c).value for c in range(1, 6)] == outcomes
    assert all(_merged(sheet, sheet.cell(second, c)) == (2, 1) for c in range(1, 6))
    assert [sheet.cell(second + 1, c).value for c in range(6, 16)] == outcomes * 2
    # Under the header, the report's title line, then its numbers.
    assert "yunhu-district-2024.pdf" in sheet.cell(second + 2, 1).value
    assert [sheet.cell(second + 3, c).value for c in range(1, 16)] == [
        3,
        2,
        1,
        2,
        8,
        2,
        None,
        1,
        1,
        4,
        2,
        1,
        3,
        1,
        7,
    ]


def test_print_setup(book):
    for name in ("二、主动公开", "三、依申请公开", "四、复议诉讼", "files", "checks"):
        sheet = book[name]
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.fitToHeight == 0
    assert book["四、复议诉讼"].page_setup.orientation == "landscape"
    assert book["cells"].page_setup.orientation == "landscape"
    # Fitted to a portrait page's width, a whole table 三 fits on that page.
    assert book["二、主动公开"].page_setup.orientation == "portrait"
    assert book["三、依申请公开"].page_setup.orientation == "portrait"
    assert book["cells"].print_title_rows == "$1:$1"


def test_the_cells_sheet_prints_its_key_columns_on_a_page_at_a_readable_size(book):
    """Not its 21 columns fitted to one page (a third of the size): the columns up to 页码 on a
    page, at the scale that fits them, the rest on the page beside it, across then down."""
    sheet = book["cells"]
    header = [c.value for c in sheet[1]]
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.scale >= 50
    assert [b.id for b in sheet.col_breaks.brk] == [header.index("页码") + 1]
    assert sheet.page_setup.pageOrder == "overThenDown"
    columns = header.index("页码") + 1
    widths = sum(sheet.column_dimensions[get_column_letter(c)].width for c in range(1, columns + 1))
    # A landscape A4 page (less its margins) holds them at that scale, drawn as LibreOffice draws.
    assert (9.4 * widths + 5 * columns) * 0.75 * sheet.page_setup.scale / 100 <= 784


def test_the_files_sheet_prints_its_rows_across_pages_at_a_readable_size(book):
    """Fitted to the page width only (its rows flow over pages, under its header), and its counts
    and hash no wider than their values: their headers made it print at two fifths of the size."""
    sheet = book["files"]
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0 and sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation == "landscape"
    widths = [sheet.column_dimensions[get_column_letter(c)].width for c in range(1, sheet.max_column + 1)]
    # The scale that fits them to a landscape A4 page (less its margins), drawn as LibreOffice draws.
    assert 784 / sum((9.4 * width + 5) * 0.75 for width in widths) >= 0.5
    header = [c.value for c in sheet[1]]
    for name in ("年度", "页数", "找到单元格", "应有单元格", "未通过校验"):
        value = sheet.cell(2, header.index(name) + 1).value
        assert len(str(value)) + 1 <= widths[header.index(name)], name  # the number shown whole


# Points of text a column of width w holds, less about 3 points of margins: Excel draws it 7w + 5
# pixels wide (Calibri), LibreOffice 7w points with DejaVu Sans for Calibri, 5.58w with Carlito.
_DRAWN = {
    "Excel": lambda w: (7 * w + 5) * 0.75 - 3,
    "DejaVu": lambda w: 7 * w - 3,
    "Carlito": lambda w: 5.58 * w - 3,
}


def test_the_form_header_folds_evenly_however_its_column_is_drawn(book):
    """格式版本 folds as 格式 and 版本 (at 6, LibreOffice with DejaVu Sans folded 格式版 and 本), and
    用时(秒) is whole on a line: a CJK character 11 points wide, a bracket 3.5."""
    for name in ("files", "cells"):
        sheet = book[name]
        header = [c.value for c in sheet[1]]
        width = sheet.column_dimensions[get_column_letter(header.index("格式版本") + 1)].width
        assert all(2 * 11 <= room(width) < 3 * 11 for room in _DRAWN.values()), (name, width)
    files = book["files"]
    header = [c.value for c in files[1]]
    width = files.column_dimensions[get_column_letter(header.index("用时(秒)") + 1)].width
    assert all(room(width) >= 3 * 11 + 2 * 3.5 for room in _DRAWN.values())


def _folded_as_libreoffice_folds(text: str, room: float) -> list[str]:
    """`text` folded greedily in `room` points as LibreOffice folds a cell: a full-width character
    (11 points) is a piece of its own, closing brackets and marks too; half-width characters are
    one piece with the full-width character an opening ( precedes or a closing ) follows."""
    pieces = re.findall(r"\(*[^\x00-\x7f]\)*|\(*[\x21-\x7e]+\)*| ", text)
    lines, line, used = [], "", 0.0
    for piece in pieces:
        need = sum(11 if ord(ch) > 0x7F else 3.5 for ch in piece)
        if line and used + need > room:
            lines, line, used = [*lines, line], "", 0.0
        line, used = line + piece, used + need
    return [*lines, line]


def test_no_line_of_a_form_sheets_header_begins_with_a_closing_bracket(book):
    """Table 二's 本年收费金额（单位：万元） printed its ） alone on the third line (LibreOffice,
    DejaVu Sans: six full-width characters a line): however the column is drawn, no line of a
    header on a form sheet begins with a closing bracket or mark."""
    checked = 0
    for name in ("二、主动公开", "三、依申请公开", "四、复议诉讼"):
        sheet = book[name]
        spans = {r.start_cell.coordinate: (r.min_col, r.max_col) for r in sheet.merged_cells.ranges}
        for row in sheet.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.fill.fgColor.rgb.endswith("DDEBF7")):
                    continue
                first, last = spans.get(cell.coordinate, (cell.column, cell.column))
                width = sum(
                    sheet.column_dimensions[get_column_letter(c)].width or 13 for c in range(first, last + 1)
                )
                for room in _DRAWN.values():
                    lines = _folded_as_libreoffice_folds(cell.value, room(width))
                    assert not any(line[0] in "）)：，。、" for line in lines[1:]), (cell.value, lines)
                checked += 1
    assert checked > 20


def test_a_header_folded_in_a_narrow_column_has_a_row_as_high_as_its_lines(book):
    """格式版本 or 找到单元格 over a column narrower than it folds to two lines: the header row is
    as high as them (with no height of its own it printed over the first row of values)."""
    for name in ("files", "cells"):
        sheet = book[name]
        widths = {c.column: sheet.column_dimensions[get_column_letter(c.column)].width for c in sheet[1]}
        folded = [
            c.value for c in sheet[1] if sum(1 + (ord(ch) > 0x2E80) for ch in c.value) > widths[c.column]
        ]
        assert "格式版本" in folded, name
        assert sheet[1][0].alignment.wrap_text and sheet.row_dimensions[1].height >= 2 * 14, name


def test_a_file_name_longer_than_its_column_folds_in_the_files_sheet(tmp_path):
    """samples/tingchuan-environment-2022.pdf printed without its .pdf: the name folds instead."""
    long = "samples/" + "a-very-long-name-of-a-report-file-2022" * 2 + ".pdf"
    cells = gongkai.read_report(BROKEN_SAMPLE).cells.assign(source=long)
    gongkai.write_workbook(cells, tmp_path / "long.xlsx")
    sheet = load_workbook(tmp_path / "long.xlsx")["files"]
    assert sheet["A2"].value == long and sheet["A2"].alignment.wrap_text
    width = sheet.column_dimensions["A"].width
    assert width <= 30 and sheet.row_dimensions[2].height >= 14 * -(-len(long) // width)


def test_a_file_name_longer_than_its_column_folds_in_the_checks_sheet(tmp_path):
    """The checks sheet cut a long file name at its column's edge (30), as the files sheet did
    before: it folds there too, its column as wide as the names, up to the same 30."""
    long = "reports/2024/some-province/a-very-long-name-of-a-report-file-2024.pdf"
    cells = gongkai.read_report(BROKEN_SAMPLE).cells
    gongkai.write_workbook(cells.assign(source=long), tmp_path / "long.xlsx")
    sheet = load_workbook(tmp_path / "long.xlsx")["checks"]
    assert sheet["A1"].value == "来源文件" and sheet["A2"].value == long
    width = sheet.column_dimensions["A"].width
    assert sheet["A2"].alignment.wrap_text and width <= 30
    assert sheet.row_dimensions[2].height >= 14 * -(-len(long) // (width - 1))
    gongkai.write_workbook(cells.assign(source="a.pdf"), tmp_path / "short.xlsx")
    assert load_workbook(tmp_path / "short.xlsx")["checks"].column_dimensions["A"].width < 15  # as its names


def test_an_empty_batch_prints_its_cells_header_on_one_page(tmp_path):
    """No records: the header fitted to one page's width, not split over two pages of a header."""
    from gongkai.output.records import empty_frame

    gongkai.write_workbook(empty_frame("cells"), tmp_path / "empty.xlsx")
    sheet = load_workbook(tmp_path / "empty.xlsx")["cells"]
    assert sheet.max_row == 1 and not sheet.col_breaks.brk
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1


def test_an_empty_batch_prints_its_overview_title_across_its_header(tmp_path):
    """No report read: 概览 keeps its header, so its title prints across it (the print area was
    column A alone, a narrow strip that cut the title)."""
    from gongkai.output.records import empty_frame

    gongkai.write_workbook(empty_frame("cells"), tmp_path / "empty.xlsx")
    sheet = load_workbook(tmp_path / "empty.xlsx")["概览"]
    header = [c.value for c in sheet[3]]
    assert header[0] == "机关" and "本年新收申请" in header and header[-1] == "来源文件"
    assert sheet.print_area == f"'概览'!$A$1:${get_column_letter(len(header))}$3"


def test_long_rule_and_reason_text_folds_in_its_column(book):
    for name, column in (("checks", "规则"), ("files", "原因")):
        sheet = book[name]
        index = [c.value for c in sheet[1]].index(column) + 1
        width = sheet.column_dimensions[get_column_letter(index)].width
        texts = {r: str(sheet.cell(r, index).value or "") for r in range(2, sheet.max_row + 1)}
        long = [r for r, text in texts.items() if sum(1 + (ord(c) > 0x2E80) for c in text) > width]
        for row in long:
            assert sheet.cell(row, index).alignment.wrap_text, (name, row)
            assert sheet.row_dimensions[row].height > 15
        assert long or name == "files", name


def _title_rows(sheet) -> range:
    first, last = (int(part.strip("$")) for part in sheet.print_title_rows.split(":"))
    return range(first, last + 1)


def _texts(sheet, rows) -> set:
    return {sheet.cell(r, c).value for r in rows for c in range(1, sheet.max_column + 1)} - {None}


@pytest.fixture(scope="module")
def batch_book(tmp_path_factory):
    """Twelve reports (the broken sample, the 2019 form, （六）其他处理 as one row, ...)."""
    names = [
        "docx-county-2020-form-2019",
        "reportlab-department-2021-other-one-row",
        "docx-department-2021-blank-zeros",
    ]
    cells = gongkai.read_reports([BROKEN_SAMPLE, *(FIXTURES / f"{name}.pdf" for name in names)])
    # More reports than one page of table 四 holds: copies under other names.
    copies = [cells.assign(source=cells["source"] + f"#{n}") for n in range(3)]
    path = tmp_path_factory.mktemp("batch") / "batch.xlsx"
    gongkai.write_workbook(pd.concat(copies, ignore_index=True), path)
    return load_workbook(path)


def _report_title_rows(sheet) -> list[int]:
    return [r for r in range(1, sheet.max_row + 1) if "版格式 · " in str(sheet.cell(r, 1).value)]


def test_tables_three_and_four_print_their_header_on_every_page(batch_book):
    three, four = batch_book["三、依申请公开"], batch_book["四、复议诉讼"]
    assert {"申请人情况", "自然人", "法人或其他组织", "总计"} <= _texts(three, _title_rows(three))
    assert {"行政复议", "行政诉讼", "复议后起诉", "结果维持"} <= _texts(four, _title_rows(four))
    # One header, above every report: no report repeats it under its own title.
    assert sum(1 for row in three.iter_rows() for c in row if c.value == "申请人情况") == 1
    assert sum(1 for row in four.iter_rows() for c in row if c.value == "行政复议") == 1
    # Each report of table 三 starts a page; a break never falls inside a report of table 四.
    starts = _report_title_rows(three)
    assert len(starts) == 12 and [b.id + 1 for b in three.row_breaks.brk] == starts[1:]
    breaks = [b.id + 1 for b in four.row_breaks.brk]
    assert breaks and set(breaks) <= set(_report_title_rows(four))


def test_table_two_keeps_each_block_with_its_header_on_one_page(batch_book):
    sheet = batch_book["二、主动公开"]
    assert _texts(sheet, _title_rows(sheet)) == {"二、主动公开政府信息情况"}
    starts = set(_report_title_rows(sheet))
    blocks = {r for r in range(1, sheet.max_row + 1) if str(sheet.cell(r, 1).value).startswith("第二十条")}
    breaks = [b.id + 1 for b in sheet.row_breaks.brk]
    assert len(breaks) >= 11 and set(breaks) <= starts | blocks
    assert set(breaks) >= starts - {min(starts)}  # each report starts a page


def test_overview_cells_files_and_checks(book):
    overview = book["概览"]
    header = [c.value for c in overview[3]]
    assert header[:4] == ["机关", "年度", "格式版本", "状态"]
    row = dict(zip(header, [c.value for c in overview[4]], strict=True))
    assert row["本年新收申请"] == 449 and row["予以公开"] == 232 and row["行政复议结果纠正"] == 2
    # 1.属于国家秘密 and 未经复议直接起诉/结果纠正 are printed blank: no sum is made of them.
    assert row["不予公开"] is None and row["行政诉讼结果纠正"] is None
    assert "applications_balance (自然人)" in row["未通过的校验"] and row["格式版本"] == 2021
    cells = book["cells"]
    assert cells.auto_filter.ref.startswith("A1:")
    header = [c.value for c in cells[1]]
    first = dict(zip(header, [c.value for c in cells[2]], strict=True))
    assert first["表"] == "二、主动公开政府信息情况" and first["表ID"] == "active_disclosure"
    assert first["格式版本"] == 2021 and first["年度"] == 2024
    assert {"分组", "分组ID", "机关键"} <= set(header)
    assert book["checks"].max_row > 1 and book["files"]["A2"].value == str(BROKEN_SAMPLE)
    files = book["files"]
    header = [c.value for c in files[1]]
    assert files.cell(2, header.index("格式版本") + 1).value == 2021  # a number, as in cells and 概览
    # Every column under a Chinese header, the ones added last too.
    assert {"与之相同的文件", "OCR页数"} <= set(header) and {"读取方式", "OCR置信度"} <= set(
        c.value for c in cells[1]
    )


def test_a_batch_with_consecutive_years_gets_a_year_over_year_sheet(tmp_path):
    cells = gongkai.read_reports(
        [FIXTURES / "docx-county-2020-form-2019.pdf", FIXTURES / "reportlab-county-2021-narrow-review.pdf"]
    )
    gongkai.write_workbook(cells, tmp_path / "two.xlsx")  # from cells alone: files and checks are worked out
    book = load_workbook(tmp_path / "two.xlsx")
    assert "同比" in book.sheetnames
    header = [c.value for c in book["同比"][1]]
    assert {"上年", "本年", "上年数值", "本年数值", "增减", "变化大"} <= set(header)
    assert book["files"].max_row == 3
    overview = book["概览"]
    assert overview.max_row == 5  # title, note, header and both reports, all in the print area
    assert overview.print_area.endswith("$5")


def test_headline_figures_sum_printed_numbers_only():
    from gongkai.output.views import headlines

    cells = gongkai.read_report(FIXTURES / "docx-city-2022-broken-balance.pdf").cells
    figures = headlines(cells)
    total = cells[(cells["column_id"] == "total") & cells["row_id"].str.startswith("withheld_")]["value"]
    assert total.notna().all() and figures["不予公开"].iloc[0] == total.sum()
    litigation = cells[
        cells["column_id"].isin(["litigation_direct_corrected", "litigation_after_review_corrected"])
    ]
    assert figures["行政诉讼结果纠正"].iloc[0] == litigation["value"].sum()


def test_a_save_interrupted_halfway_leaves_no_half_workbook(tmp_path, monkeypatch):
    from openpyxl import Workbook

    save = Workbook.save

    def interrupted(self, filename):
        save(self, filename)  # the temporary file is on disk when Ctrl-C arrives
        raise KeyboardInterrupt

    monkeypatch.setattr(Workbook, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        gongkai.write_workbook(gongkai.read_report(BROKEN_SAMPLE), tmp_path / "one.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_a_number_ocr_could_not_vouch_for_is_shown_as_awaiting_a_reader_never_as_read(tmp_path):
    # 42 read as 12: the reading stays out of the printed form; the note still gives it
    cells = gongkai.read_report(BROKEN_SAMPLE).cells.copy()
    row = cells.index[(cells["table"] == "applications") & (cells["row_id"] == "unavailable_not_held")][-1]
    cells.loc[row, ["value", "raw", "note_code", "read_by"]] = [None, "98712", "ocr_doubtful", "ocr"]
    cells.loc[row, "note"] = (
        "OCR doubtful (breaks applications_row_total[unavailable_not_held]): cell read as '98712'"
    )
    cells.loc[row, "ocr_readings"] = '{"cell": "98712"}'  # no score: none said
    gongkai.write_workbook(cells, tmp_path / "ocr.xlsx")
    book = load_workbook(tmp_path / "ocr.xlsx")
    assert "待核" in book["概览"]["A2"].value  # its headline figures are left empty for it too
    sheet = book["三、依申请公开"]
    shown = [c for r in sheet.iter_rows() for c in r if c.value is not None]
    assert not any("98712" in str(c.value) for c in shown)
    doubtful = [c for c in shown if c.value == "待核"]
    assert len(doubtful) == 1 and "98712" in doubtful[0].comment.text
    assert doubtful[0].comment.text == "待核：扫描件上未能可靠识别，须对照原件填写；单元格识别为“98712”"
    assert any("待核" in str(c.value) and "图例" in str(c.value) for c in shown)


def _two_years_one_doubtful():
    """A report and a copy of it a year later, one of whose numbers OCR could not vouch for."""
    earlier = gongkai.read_report(BROKEN_SAMPLE).cells
    later = earlier.assign(source="later.pdf", year=earlier["year"] + 1)
    row = later.index[(later["table"] == "applications") & (later["row_id"] == "granted")][-1]
    doubtful = [None, "ocr_doubtful", "OCR doubtful: cell read as '2357'", '{"cell": "2357"}']
    later.loc[row, ["value", "note_code", "note", "ocr_readings"]] = doubtful
    return earlier, later


def test_a_year_over_year_sheet_with_a_cell_awaiting_a_reader_says_what_that_means(tmp_path):
    from gongkai.output.compare import compare_reports
    from gongkai.output.workbook import COMPARISON_LEGEND, LEGEND, write_comparison_workbook

    earlier, later = _two_years_one_doubtful()
    assert COMPARISON_LEGEND.removeprefix("图例：").rstrip("。") in LEGEND  # one definition of 待核
    gongkai.write_workbook(pd.concat([earlier, later], ignore_index=True), tmp_path / "w.xlsx")
    write_comparison_workbook(compare_reports(earlier, later, "a.pdf", "b.pdf"), tmp_path / "c.xlsx")
    for path in ("w.xlsx", "c.xlsx"):
        sheet = load_workbook(tmp_path / path)["同比"]
        said = [c for r in sheet.iter_rows(max_row=4) for c in r if c.value == COMPARISON_LEGEND]
        assert len(said) == 1 and said[0].font.sz == 9, path
    # None is: no legend.
    write_comparison_workbook(compare_reports(earlier, earlier, "a.pdf", "b.pdf"), tmp_path / "n.xlsx")
    sheet = load_workbook(tmp_path / "n.xlsx")["同比"]
    assert not any("图例" in str(c.value) for r in sheet.iter_rows() for c in r)


def test_the_cells_sheet_folds_a_long_row_or_column_label_in_its_column(book):
    """README: on paper the labels are whole. A row's label wider than its column folds in it,
    its row as high as its lines, rather than being cut at the next column."""
    from gongkai.output.workbook import _width

    sheet = book["cells"]
    header = [c.value for c in sheet[1]]
    for name in ("行", "列"):
        column = header.index(name) + 1
        width = sheet.column_dimensions[get_column_letter(column)].width
        long = [r for r in range(2, sheet.max_row + 1) if _width(sheet.cell(r, column).value) > width]
        assert long, name
        for row in long:
            assert sheet.cell(row, column).alignment.wrap_text, (name, sheet.cell(row, column).value)
            assert sheet.row_dimensions[row].height >= 2 * 14.5, name


def test_a_failed_files_hash_is_cut_at_its_column_as_an_ok_files_is(tmp_path):
    """Beside no count, a failed file's SHA-256 printed in full across the empty columns: cut at its
    column's edge ("fill" alignment) whatever is beside it."""
    from click.testing import CliRunner

    from gongkai.cli import main

    bad = BAD_INPUTS
    out = tmp_path / "empty.xlsx"
    CliRunner().invoke(
        main, ["extract", str(bad / "not-a-pdf.pdf"), str(bad / "encrypted.pdf"), "-o", str(out)]
    )
    sheet = load_workbook(out)["files"]
    column = [c.value for c in sheet[1]].index("SHA-256") + 1
    hashes = [sheet.cell(r, column) for r in range(2, sheet.max_row + 1)]
    assert len(hashes) == 2 and all(len(c.value) == 64 for c in hashes)  # the whole hash is in the cell
    assert all(c.alignment.horizontal == "fill" for c in hashes)


def test_the_checks_sheet_prints_a_rule_id_whole_and_folds_the_cells_it_takes(tmp_path):
    """applications_row_total[withheld_prohibited_by_law] was cut at 30; a rule not evaluated, beside
    empty 左边 and 右边, printed its list of cells across them and was cut at the page's edge."""
    from gongkai.output.workbook import _width

    cells = gongkai.read_report(BROKEN_SAMPLE).cells.copy()
    blank = (cells["table"] == "applications") & cells["row_id"].str.startswith("withheld_")
    cells.loc[blank, "value"] = None  # their rules are not evaluated
    gongkai.write_workbook(cells, tmp_path / "w.xlsx")
    sheet = load_workbook(tmp_path / "w.xlsx")["checks"]
    header = [c.value for c in sheet[1]]
    rule_id, taken = header.index("规则ID") + 1, header.index("涉及单元格") + 1
    ids = [sheet.cell(r, rule_id).value for r in range(2, sheet.max_row + 1)]
    width = sheet.column_dimensions[get_column_letter(rule_id)].width
    assert max(map(_width, ids)) > 30 and all(_width(i) < width for i in ids)
    taken_width = sheet.column_dimensions[get_column_letter(taken)].width
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row, taken)
        assert _width(cell.value) > taken_width and cell.alignment.wrap_text
        assert sheet.row_dimensions[row].height >= 2 * 14.5


def _lines_of_words(words: list[int], room: int) -> int:
    """The lines that words of these widths take folded at their spaces in lines of `room`."""
    lines, used = 1, 0
    for width in words:
        if used and used + 1 + width > room:
            lines, used = lines + 1, width
        else:
            used += width + (1 if used else 0)
    return lines


def test_the_checks_sheet_prints_each_cell_id_whole_on_rows_as_high_as_its_lines(tmp_path):
    """The ids fold at their spaces, an id a line where the line has no room for the next one:
    counted as if they filled their lines, a rule's cells were planned a line short every three or
    four ids (cut at the row's foot in LibreOffice); and an id longer than its column was cut in two."""
    from gongkai.output.workbook import _width

    cells = gongkai.read_report(BROKEN_SAMPLE).cells.copy()
    cells.loc[cells["table"] == "applications", "value"] = None  # their rules are not evaluated
    gongkai.write_workbook(cells, tmp_path / "w.xlsx")
    sheet = load_workbook(tmp_path / "w.xlsx")["checks"]
    taken = [c.value for c in sheet[1]].index("涉及单元格") + 1
    width = sheet.column_dimensions[get_column_letter(taken)].width
    lists = [sheet.cell(r, taken).value.split() for r in range(2, sheet.max_row + 1)]
    assert max(_width(i) for ids in lists for i in ids) + 1 <= width  # every id whole on its line
    short = 0
    for row, ids in enumerate(lists, start=2):
        lines = _lines_of_words([_width(i) for i in ids], int(width) - 1)
        assert sheet.row_dimensions[row].height >= 14.5 * lines, (row, ids)
        short += lines > -(-_width(" ".join(ids)) // (width - 1))
    assert short  # there are lists whose words leave room at the lines' ends


def test_the_overview_centres_the_year_form_and_status_so_that_they_do_not_run_together(book):
    """The form's number, right-aligned against the left-aligned status, printed as 2021ok."""
    sheet = book["概览"]
    header = [c.value for c in sheet[3]]
    for name in ("年度", "格式版本", "状态"):
        assert sheet.cell(4, header.index(name) + 1).alignment.horizontal == "center", name


def test_every_cell_names_its_font_and_size_so_that_libreoffice_prints_no_serif(book, tmp_path):
    """The titles, headers, legends and the grey `·` had a font with no name nor size (openpyxl's
    `Font(bold=True)`): LibreOffice printed them in its default, a serif at 10 points, so a title's
    year and file name were DejaVu Serif beside the values' DejaVu Sans. Each names Calibri, as the
    values do, in the form's sheets, a comparison's and a summary's."""
    from click.testing import CliRunner

    from gongkai.cli import main

    compared, summary = tmp_path / "yoy.xlsx", tmp_path / "summary.xlsx"
    a, b = str(BROKEN_SAMPLE), str(BROKEN_SAMPLE.with_name("guiling-township-2024.pdf"))
    assert CliRunner().invoke(main, ["compare", a, b, "-o", str(compared)]).exit_code == 0
    assert CliRunner().invoke(main, ["summary", a, b, "-o", str(summary)]).exit_code == 0
    for workbook in (book, load_workbook(compared), load_workbook(summary)):
        for sheet in workbook:
            unnamed = [
                c.coordinate
                for row in sheet.iter_rows()
                for c in row
                if c.value is not None and (c.font.name is None or c.font.sz is None)
            ]
            assert not unnamed, (sheet.title, unnamed[:5])
