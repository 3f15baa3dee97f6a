"""The text-position grid engine on hand-laid characters: rows, columns and headers from where text sits."""

from __future__ import annotations

from gongkai.forms import FORM_2021
from gongkai.grids.text import text_grids
from gongkai.match import read_table
from gongkai.model import Char, Grid, Heading, Page, TableRun

from .builders import grid, row

# The value columns of the rule-less table 三 below: left-aligned numbers under left-aligned headers.
VALUE_X = (300, 350, 400, 450)


def numbers(top: float, *values: str) -> list[Char]:
    return row(top, *zip(VALUE_X, values, strict=True))


def rows_of(found: Grid) -> list[list[str]]:
    return [[cell.text for cell in found.row_cells(r)] for r in range(found.n_rows)]


def applications_page() -> list[Char]:
    """Table 三 without rules: a two-line header, two label columns, a wrapped label, a page number."""
    chars = row(100, (345, "法人或其他组织"))
    chars += row(115, (50, "项目"), (300, "自然人"), (350, "商业企业"), (400, "科研机构"), (450, "总计"))
    chars += row(135, (50, "一、本年新收政府信息公开申请数量")) + numbers(135, "10", "2", "3", "15")
    chars += row(155, (50, "三、本年度办理结果"), (150, "（一）予以公开")) + numbers(155, "4", "1", "0", "5")
    chars += row(175, (150, "（二）部分公开（区分处理的，")) + numbers(175, "1", "0", "1", "2")
    chars += row(190, (150, "只计这一情形，不计其他情形）"))
    chars += row(210, (150, "（七）总计")) + numbers(210, "5", "1", "1", "7")
    chars += row(260, (250, "-"), (265, "4"), (280, "-"))
    return chars


def test_a_rule_less_table_becomes_rows_and_columns():
    [found] = text_grids(Page(4, applications_page(), []), [], [])
    assert not found.ruled
    assert found.page == 4
    # Two label columns (where the labels start) and one column per stack of numbers.
    assert found.col_edges[:3] == [50.0, 150.0, 298.0]
    assert found.n_cols == 6
    assert rows_of(found) == [
        ["项目", "自然人", "法人或其他组织\n商业企业", "法人或其他组织\n科研机构", "总计"],
        ["一、本年新收政府信息公开申请数量", "", "10", "2", "3", "15"],
        ["三、本年度办理结果", "（一）予以公开", "4", "1", "0", "5"],
        ["", "（二）部分公开（区分处理的，\n只计这一情形，不计其他情形）", "1", "0", "1", "2"],
        ["", "（七）总计", "5", "1", "1", "7"],
    ]


def test_the_header_corner_spans_the_label_columns_and_the_page_number_stays_out():
    [found] = text_grids(Page(4, applications_page(), []), [], [])
    corner = found.at(0, 0)
    assert (corner.text, corner.col0, corner.col1) == ("项目", 0, 2)
    # The page number (- 4 -) below the table is no row of it.
    assert found.row_edges[-1] == 221.0
    assert "4" not in {cell.text for cell in found.cells if cell.row0 == found.n_rows - 1}


def test_a_page_number_read_as_a_lone_number_far_below_stays_out():
    """A scan's page number loses its dashes (- 4 - read as -4) and is a number: it stands far
    below the table, so it is no row of it, nor a value column that cuts the labels."""
    chars = [c for c in applications_page() if c.top < 250] + row(260, (250, "-4"))
    found = text_grids(Page(4, chars, []), [], [])[0]
    assert found.col_edges[:3] == [50.0, 150.0, 298.0]
    assert found.row_edges[-1] == 221.0
    assert rows_of(found)[1] == ["一、本年新收政府信息公开申请数量", "", "10", "2", "3", "15"]


def test_a_number_with_a_speck_before_it_keeps_its_value_column():
    """A scan reads dust before a digit as a point (.0). In a table of one row of numbers (table
    四) the column stands on that word alone: without it the row had a column too few."""
    chars = row(115, (300, "维持"), (350, "纠正"), (400, "其他"), (450, "总计"))
    chars += row(135, (300, "0"), (350, ".0"), (400, "1"), (450, "1"))
    [found] = text_grids(Page(5, chars, []), [], [])
    assert rows_of(found) == [["维持", "纠正", "其他", "总计"], ["0", ".0", "1", "1"]]


def test_a_text_grid_reads_like_a_ruled_one():
    [found] = text_grids(Page(4, applications_page(), []), [], [])
    reading = read_table(TableRun(FORM_2021.table("applications"), [found]))
    placed = {(c.row, c.column): c.raw for c in reading.cells}
    assert placed[("new_requests", "natural_person")] == "10"
    assert placed[("new_requests", "research")] == "3"
    assert placed[("partially_granted", "total")] == "2"
    assert placed[("total_processed", "business")] == "1"
    assert reading.printed_rows == ["new_requests", "granted", "partially_granted", "total_processed"]


def active_disclosure_block(top: float) -> list[Char]:
    """Table 二's first block: its title line, a header line, two rows, and the next block's title."""
    chars = row(top, (50, "第二十条第（一）项"))
    header = (50, "信息内容"), (220, "本年制发件数"), (300, "本年废止件数"), (380, "现行有效件数")
    chars += row(top + 20, *header)
    chars += row(top + 40, (50, "规章"), (220, "1"), (300, "0"), (380, "12"))
    chars += row(top + 60, (50, "行政规范性文件"), (220, "3"), (300, "2"), (380, "45"))
    chars += row(top + 80, (50, "第二十条第（五）项"))
    return chars


def test_block_titles_span_the_table_and_a_trailing_one_is_kept():
    [found] = text_grids(Page(3, active_disclosure_block(80), []), [], [])
    first, last = found.row_cells(0), found.row_cells(found.n_rows - 1)
    assert [(c.text, c.col0, c.col1) for c in first] == [("第二十条第（一）项", 0, 4)]
    # The title at the foot belongs to the block continuing on the next page.
    assert [(c.text, c.col0, c.col1) for c in last] == [("第二十条第（五）项", 0, 4)]
    assert rows_of(found)[1:4] == [
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "1", "0", "12"],
        ["行政规范性文件", "3", "2", "45"],
    ]


def test_a_section_heading_splits_the_page_into_two_tables():
    chars = active_disclosure_block(80)
    chars += row(200, (50, "三、收到和处理政府信息公开申请情况"))
    chars += row(220, (50, "项目"), (220, "自然人"), (300, "总计"))
    chars += row(240, (50, "一、本年新收政府信息公开申请数量"), (220, "7"), (300, "9"))
    heading = Heading("三", "三、收到和处理政府信息公开申请情况", 3, 200.0)
    # A heading of another page at the height of a row here splits nothing.
    elsewhere = Heading("四", "四、政府信息公开行政复议、行政诉讼情况", 4, 240.0)
    grids = text_grids(Page(3, chars, []), [], [heading, elsewhere])
    assert [g.n_rows for g in grids] == [5, 2]
    second = grids[1]
    assert rows_of(second) == [["项目", "自然人", "总计"], ["一、本年新收政府信息公开申请数量", "7", "9"]]
    # The heading line itself is in neither table.
    assert second.row_edges[0] == 219.0
    assert all("收到和处理" not in cell.text for g in grids for cell in g.cells)


def test_text_inside_a_grid_already_found_is_left_to_it():
    chars = active_disclosure_block(80)
    ruled = grid([["x"]], page=3, x0=40.0, width=400.0, top=75.0)  # covers 75..95: the title line
    [found] = text_grids(Page(3, chars, []), [ruled], [])
    assert rows_of(found)[0] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert found.n_rows == 4


def test_a_page_without_numbers_has_no_table():
    chars = row(100, (50, "本机关全年主动公开政府信息，")) + row(120, (50, "第二十条第（一）项"))
    assert text_grids(Page(2, chars, []), [], []) == []


def test_a_row_printed_over_two_lines_is_one_row():
    # 总计 top-aligned on the first line of a wrapped row, the other numbers centred on the next.
    chars = row(100, (50, "项目"), (300, "自然人"), (350, "商业企业"), (400, "科研机构"), (450, "总计"))
    chars += row(120, (50, "（二）部分公开（区分处理的，")) + row(120, (450, "2"))
    chars += row(135, (50, "只计这一情形，不计其他情形）")) + row(135, (300, "1"), (350, "0"), (400, "1"))
    chars += row(155, (50, "（三）不予公开")) + numbers(155, "0", "0", "0", "0")
    [found] = text_grids(Page(5, chars, []), [], [])
    assert rows_of(found)[1:] == [
        ["（二）部分公开（区分处理的，\n只计这一情形，不计其他情形）", "1", "0", "1", "2"],
        ["（三）不予公开", "0", "0", "0", "0"],
    ]


def test_a_numbered_label_line_opens_the_row_below():
    # 4.无正当理由… wraps with its first line nearer the row above: its number says where it belongs.
    chars = row(100, (50, "项目"), (300, "自然人"), (350, "商业企业"), (400, "科研机构"), (450, "总计"))
    chars += row(120, (50, "3.要求提供公开出版物")) + numbers(120, "1", "0", "0", "1")
    chars += row(134, (50, "4.无正当理由大量反复申"))
    chars += row(151, (50, "请")) + numbers(151, "0", "2", "0", "2")
    [found] = text_grids(Page(5, chars, []), [], [])
    assert rows_of(found)[1:] == [
        ["3.要求提供公开出版物", "1", "0", "0", "1"],
        ["4.无正当理由大量反复申\n请", "0", "2", "0", "2"],
    ]


def test_a_page_opening_inside_a_wrapped_row_keeps_its_first_line():
    # A continuation page: no header, and the first row's label starts a line above its numbers.
    chars = row(40, (50, "（二）部分公开（区分处理的，"))
    chars += row(55, (50, "只计这一情形，不计其他情形）")) + numbers(55, "1", "0", "1", "2")
    chars += row(75, (50, "（三）不予公开")) + numbers(75, "0", "0", "0", "0")
    [found] = text_grids(Page(5, chars, []), [], [])
    assert rows_of(found) == [
        ["（二）部分公开（区分处理的，\n只计这一情形，不计其他情形）", "1", "0", "1", "2"],
        ["（三）不予公开", "0", "0", "0", "0"],
    ]
    assert found.row_edges[0] == 39.0


def test_a_header_wrapped_over_the_value_columns_stays_in_the_header():
    # 商业 / 企业 printed on two lines: the second line holds no header word, but stands over the values.
    chars = row(100, (50, "项目"), (300, "自然人"), (350, "商业"), (400, "科研"), (450, "总计"))
    chars += row(115, (350, "企业"), (400, "机构"))
    chars += row(135, (50, "一、本年新收政府信息公开申请数量")) + numbers(135, "10", "2", "3", "15")
    [found] = text_grids(Page(4, chars, []), [], [])
    assert rows_of(found) == [
        ["项目", "自然人", "商业\n企业", "科研\n机构", "总计"],
        ["一、本年新收政府信息公开申请数量", "10", "2", "3", "15"],
    ]


def test_an_unnumbered_wrapped_label_joins_the_nearer_row():
    chars = row(100, (50, "信息内容"), (220, "本年处理决定数量"))
    chars += row(120, (50, "行政处")) + row(120, (240, "6"))
    chars += row(132, (50, "罚"))  # the end of 行政处罚, just under its numbers
    chars += row(158, (50, "行政"))  # the start of 行政强制, just over its numbers
    chars += row(170, (50, "强制")) + row(170, (240, "2"))
    [found] = text_grids(Page(3, chars, []), [], [])
    assert rows_of(found)[1:] == [["行政处\n罚", "6"], ["行政\n强制", "2"]]


def test_label_lines_after_a_row_stay_with_it_when_the_next_row_is_numbered():
    chars = row(100, (50, "项目"), (300, "自然人"), (350, "商业企业"), (400, "科研机构"), (450, "总计"))
    chars += row(120, (50, "（二）部分公开（区分处理的，")) + numbers(120, "1", "0", "1", "2")
    chars += row(135, (50, "只计这一情形，"))
    chars += row(150, (50, "不计其他情形）"))
    chars += row(165, (50, "（三）不予公开")) + numbers(165, "0", "0", "0", "0")
    [found] = text_grids(Page(5, chars, []), [], [])
    assert rows_of(found)[1:] == [
        ["（二）部分公开（区分处理的，\n只计这一情形，\n不计其他情形）", "1", "0", "1", "2"],
        ["（三）不予公开", "0", "0", "0", "0"],
    ]


def test_a_number_with_a_mark_after_it_keeps_its_value_column_and_a_numbering_makes_none():
    """A scan reads a stray mark after a digit (0+, 0.): in table 四 the column stood on that
    word alone, and without it the next column's header took its place (two columns lost). A
    label's numbering (1.) read apart from its words is left of the values: no value column."""
    chars = row(115, (300, "维持"), (350, "纠正"), (400, "其他"), (450, "总计"))
    chars += row(135, (300, "0"), (350, "0+"), (400, "1."), (450, "1"))
    [found] = text_grids(Page(5, chars, []), [], [])
    assert rows_of(found) == [["维持", "纠正", "其他", "总计"], ["0", "0+", "1.", "1"]]
    labelled = row(100, (50, "1."), (70, "属于国家秘密")) + numbers(100, "0", "1", "0", "1")
    labelled += row(120, (50, "2."), (70, "其他法律行政法规禁止公开")) + numbers(120, "1", "1", "0", "2")
    [found] = text_grids(Page(5, labelled, []), [], [])
    assert found.col_edges[-5] == 298.0  # the first value column's left edge: the numberings are labels


def test_numbers_without_labels_give_value_columns_only():
    chars = numbers(100, "1", "2", "3", "6") + numbers(120, "0", "1", "0", "1")
    [found] = text_grids(Page(6, chars, []), [], [])
    assert found.col_edges[0] == 298.0
    assert rows_of(found) == [["1", "2", "3", "6"], ["0", "1", "0", "1"]]


def test_one_indented_label_is_no_label_column():
    # Labels start at 50 and, once, at 70: a column needs two rows starting at it.
    chars = row(100, (50, "项目"), (300, "自然人"), (350, "商业企业"), (400, "科研机构"), (450, "总计"))
    chars += row(120, (50, "（一）予以公开")) + numbers(120, "4", "1", "0", "5")
    chars += row(140, (70, "其中：网上申请")) + numbers(140, "2", "0", "0", "2")
    chars += row(160, (50, "（七）总计")) + numbers(160, "4", "1", "0", "5")
    [found] = text_grids(Page(5, chars, []), [], [])
    assert found.col_edges[:2] == [50.0, 298.0]
    assert [r[0] for r in rows_of(found)] == ["项目", "（一）予以公开", "其中：网上申请", "（七）总计"]


def test_sparse_rows_close_together_stay_apart_when_numbered_or_spaced():
    # Each row prints numbers in columns of its own, as the second half of a wrapped row would.
    chars = row(100, (50, "项目"), (300, "自然人"), (350, "商业企业"), (400, "科研机构"), (450, "总计"))
    chars += row(120, (50, "1.属于国家秘密")) + row(120, (300, "1"))
    chars += row(135, (50, "2.其他法律行政法规禁止公开")) + row(135, (450, "1"))
    chars += row(160, (50, "其他事项")) + row(160, (350, "3"), (400, "0"))  # unnumbered, but farther
    [found] = text_grids(Page(5, chars, []), [], [])
    assert rows_of(found)[1:] == [
        ["1.属于国家秘密", "1", "", "", ""],
        ["2.其他法律行政法规禁止公开", "", "", "", "1"],
        ["其他事项", "", "3", "0", ""],
    ]


def test_a_line_well_above_a_headerless_table_is_not_its_first_row():
    chars = row(20, (50, "淮安市人民政府办公室"))  # a running head, 25 pt above the numbers
    chars += row(55, (50, "（三）不予公开")) + numbers(55, "0", "0", "0", "0")
    chars += row(75, (50, "（四）无法提供")) + numbers(75, "1", "0", "0", "1")
    [found] = text_grids(Page(5, chars, []), [], [])
    assert found.row_edges[0] == 54.0
    assert [r[0] for r in rows_of(found)] == ["（三）不予公开", "（四）无法提供"]


def test_a_wrapped_label_line_joins_the_row_whose_numbers_stand_nearer():
    """A character of a group label printed downwards (度 of 本/年/度, on a scan) reaches into the
    line of the row below from above: that line's own middle moves up, its numbers' does not."""
    chars = row(100, (50, "项目"), (300, "自然人"), (350, "商业企业"), (400, "科研机构"), (450, "总计"))
    chars += row(120, (80, "（二）部分公开（区分处理的，")) + numbers(124, "1", "0", "1", "2")
    chars += row(138, (80, "只计这一情形，不计其他情形）"))
    chars += row(150, (50, "度"))
    chars += row(154, (80, "（三）不予公开")) + numbers(154, "0", "0", "0", "0")
    [found] = text_grids(Page(5, chars, []), [], [])
    partly, withheld = (" ".join(texts[:-4]) for texts in rows_of(found)[1:])
    assert "只计这一情形，不计其他情形）" in partly
    assert "只计这一情形" not in withheld
