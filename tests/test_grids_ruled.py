"""Ruled tables on hand-drawn rules: cell boxes into a grid with merged cells and their text."""

from __future__ import annotations

from gongkai.grids.ruled import build_grid, ruled_grids
from gongkai.model import Char, Edge, Grid, Page

from .builders import digits, hline, row, text, vline


def applications_rules(top: float = 100.0) -> list[Edge]:
    """A 3 x 3 table: 项目 merged over the two header rows, 法人或其他组织 over two columns."""
    y0, y1, y2, y3 = top, top + 20, top + 40, top + 60
    return [
        hline(50, 350, y0),
        hline(150, 350, y1),  # not under 项目: it covers both header rows
        hline(50, 350, y2),
        hline(50, 350, y3),
        vline(50, y0, y3),
        vline(150, y0, y3),
        vline(250, y1, y3),  # not through 法人或其他组织: it covers both columns
        vline(350, y0, y3),
    ]


def applications_text(top: float = 100.0, new_requests: str = "3") -> list[Char]:
    chars = row(top + 15, (60, "项目"))
    chars += row(top + 5, (160, "法人或其他组织"))
    chars += row(top + 25, (160, "商业企业"), (260, "科研机构"))
    chars += row(top + 45, (60, "一、本年新收"), (180, new_requests), (280, "12"))
    return chars


def spans(found: Grid) -> dict[str, tuple[int, int, int, int]]:
    return {cell.text: (cell.row0, cell.row1, cell.col0, cell.col1) for cell in found.cells}


def test_a_ruled_table_with_merged_cells_becomes_a_grid_with_spans():
    [found] = ruled_grids(Page(2, applications_text(), applications_rules()))
    assert found.ruled
    assert found.page == 2
    assert (found.n_rows, found.n_cols) == (3, 3)
    assert found.col_edges == [50.0, 150.0, 250.0, 350.0]
    assert found.row_edges == [100.0, 120.0, 140.0, 160.0]
    assert spans(found) == {
        "项目": (0, 2, 0, 1),
        "法人或其他组织": (0, 1, 1, 3),
        "商业企业": (1, 2, 1, 2),
        "科研机构": (1, 2, 2, 3),
        "一、本年新收": (2, 3, 0, 1),
        "3": (2, 3, 1, 2),
        "12": (2, 3, 2, 3),
    }
    # A merged cell is one cell wherever it is looked up, and once per row.
    assert found.at(0, 1) is found.at(0, 2)
    assert found.at(0, 0) is found.at(1, 0)
    assert [c.text for c in found.row_cells(0)] == ["项目", "法人或其他组织"]
    assert [c.text for c in found.row_cells(1)] == ["项目", "商业企业", "科研机构"]


def test_tables_of_a_page_come_top_to_bottom():
    lower, upper = applications_rules(400.0), applications_rules(100.0)
    chars = applications_text(400.0, new_requests="7") + applications_text(100.0)
    grids = ruled_grids(Page(3, chars, lower + upper))
    assert [g.bbox for g in grids] == [(50.0, 100.0, 350.0, 160.0), (50.0, 400.0, 350.0, 460.0)]
    assert [g.at(2, 1).text for g in grids] == ["3", "7"]


def test_a_page_without_rules_has_no_ruled_grid():
    assert ruled_grids(Page(1, applications_text(), [])) == []


def test_no_boxes_no_grid():
    assert build_grid(1, [], text("项目", 60, 100)) is None


def test_cell_borders_a_little_apart_are_one_grid_line():
    # Web-page prints draw each cell's own border: 2 pt apart they are one line, 3 pt apart two.
    boxes = [(50.0, 100.0, 150.0, 120.0), (152.0, 100.0, 250.0, 121.5)]
    found = build_grid(1, boxes, [])
    assert found.col_edges == [50.0, 150.0, 250.0]
    assert found.row_edges == [100.0, 120.0]
    assert [(c.col0, c.col1) for c in found.cells] == [(0, 1), (1, 2)]
    apart = build_grid(1, [(50.0, 100.0, 150.0, 120.0), (153.0, 100.0, 250.0, 120.0)], [])
    assert apart.col_edges == [50.0, 150.0, 153.0, 250.0]
    assert [(c.col0, c.col1) for c in apart.cells] == [(0, 1), (2, 3)]


def test_a_sliver_box_between_merged_lines_is_no_cell():
    # A double rule draws a 1 pt box between two cells: its two edges are one grid line.
    boxes = [(50.0, 100.0, 150.0, 120.0), (150.0, 100.0, 151.0, 120.0), (151.0, 100.0, 250.0, 120.0)]
    found = build_grid(1, boxes, [])
    assert len(found.cells) == 2
    assert [c.bbox for c in found.cells] == [boxes[0], boxes[2]]


def test_text_goes_to_the_cell_it_starts_in():
    boxes = [(50.0, 100.0, 150.0, 130.0), (150.0, 100.0, 250.0, 130.0)]
    # A trailing 、 squeezed past the rule (x 146..156, its middle right of it) starts in the left cell.
    chars = text("国家秘密", 110, 105) + text("、", 146, 105)
    chars += digits("5", 195, 105)
    chars += text("外", 20, 105)  # outside the table
    found = build_grid(1, boxes, chars)
    assert [c.text for c in found.cells] == ["国家秘密、", "5"]


def test_a_cell_of_several_lines_keeps_its_line_breaks():
    boxes = [(50.0, 100.0, 250.0, 140.0)]
    chars = text("（二）部分公开", 55, 105) + text("（区分处理的）", 55, 120)
    [cell] = build_grid(1, boxes, chars).cells
    assert cell.text == "（二）部分公开\n（区分处理的）"


def test_boxes_too_thin_for_a_column_give_no_grid():
    assert build_grid(1, [(50.0, 100.0, 51.0, 160.0)], text("一", 45, 120)) is None


def test_where_boxes_overlap_the_first_box_keeps_the_text():
    wide, narrow = (50.0, 100.0, 250.0, 120.0), (150.0, 100.0, 250.0, 120.0)
    found = build_grid(1, [wide, narrow], text("总计", 190, 105))
    assert [(c.text, c.col0, c.col1) for c in found.cells] == [("总计", 0, 2), ("", 1, 2)]


def test_a_row_cut_by_the_page_break_without_a_rule_keeps_its_cells():
    # A browser's print of a table broken by a page break: the vertical rules of the cut row run
    # up from the first rule to the top margin, and no rule closes them there.
    rules = [
        hline(50, 350, 60),
        hline(50, 350, 80),
        vline(50, 30, 80),
        vline(150, 30, 80),
        vline(250, 30, 80),
        vline(350, 30, 80),
    ]
    chars = row(40, (60, "1.本机关不掌握"), (180, "1"), (280, "1"))
    chars += row(65, (60, "2.没有现成信息"), (180, "0"), (280, "0"))
    [found] = ruled_grids(Page(4, chars, rules))
    assert [[cell.text for cell in found.row_cells(r)] for r in range(found.n_rows)] == [
        ["1.本机关不掌握", "1", "1"],
        ["2.没有现成信息", "0", "0"],
    ]


def test_rules_that_end_at_a_drawn_rule_add_no_row():
    [found] = ruled_grids(Page(2, applications_text(), applications_rules()))
    assert found.n_rows == 3
    assert found.bbox[1] == 100.0


def test_upright_strokes_that_no_drawn_rule_crosses_are_no_table():
    # The upright strokes of a scanned title's large characters: rules the page's scan found,
    # ending at the heights of the title's line. Closed at both ends, they made a table of the
    # title, which the page's OCR read cell by cell, and the report lost its agency.
    strokes = [vline(x, 92 + (x % 3), 112 - (x % 2)) for x in (214, 226, 235, 264, 325, 378, 390)]
    assert ruled_grids(Page(1, row(100, (214, "青岚区市场监督管理局")), strokes)) == []
