"""Grids into the form's tables: by the table's own labels, else by the section heading above the grid."""

from __future__ import annotations

from gongkai.assign import assign_tables, signature_hits
from gongkai.forms import FORM_2021
from gongkai.model import Grid, Heading

from .builders import APPLICANT_HEADER, grid

HEADINGS = [
    Heading("二", "二、主动公开政府信息情况", page=3, top=400.0),
    Heading("三", "三、收到和处理政府信息公开申请情况", page=4, top=50.0),
    Heading("四", "四、政府信息公开行政复议、行政诉讼情况", page=4, top=500.0),
]


def applications() -> Grid:
    return grid([["项目", *APPLICANT_HEADER], ["一、本年新收政府信息公开申请数量", *"1234567"]], page=4)


def active_disclosure() -> Grid:
    return grid(
        [
            ["第二十条第（一）项", "", "", ""],
            ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
            ["规章", "0", "0", "3"],
        ],
        page=3,
        top=450.0,
    )


def review_litigation() -> Grid:
    return grid([["行政复议", "", "行政诉讼"], ["结果维持", "结果纠正", "尚未审结"], ["0", "1", "0"]], page=5)


def assigned(grids: list[Grid], headings: list[Heading] = HEADINGS) -> dict[str, list[Grid]]:
    return {run.table.id: run.grids for run in assign_tables(grids, FORM_2021, headings)}


def test_signature_hits_count_a_tables_own_labels():
    table = FORM_2021.table("applications")
    assert signature_hits(applications(), table) == 6  # 自然人, four organisations, the row label
    assert signature_hits(applications(), FORM_2021.table("active_disclosure")) == 0
    # 总计 and 其他 head cells of tables 三 and 四 alike: no evidence for either.
    assert signature_hits(grid([["总计", "其他"]]), table) == 0


def test_grids_go_to_the_table_whose_labels_they_carry_whatever_the_section():
    # Every grid here sits under a heading of another section: the labels decide.
    grids = [review_litigation(), applications(), active_disclosure()]
    wrong_sections = [Heading("五", "五、存在的主要问题及改进情况", page=1, top=0.0)]
    found = assigned(grids, wrong_sections)
    assert list(found) == ["active_disclosure", "applications", "review_litigation"]  # the form's order
    assert found["applications"] == [grids[1]]
    assert found["review_litigation"] == [grids[0]]


def test_a_table_continued_over_pages_is_one_run_in_reading_order():
    # The last rows carried onto the next page: one label of the table, the rest by the section.
    first = applications()
    rest = grid([["（七）总计", *"1234567"], ["四、结转下年度继续办理", *"0000000"]], page=5)
    found = assigned([first, rest], HEADINGS[:2])
    assert found == {"applications": [first, rest]}


def test_a_piece_without_labels_of_its_own_goes_to_the_section_it_follows():
    # Only shared words and numbers: 总计 and 其他 say nothing, the heading above says 三 or 四.
    piece = [["其他", "总计"], ["3", "5"]]
    under_three = grid(piece, page=4, top=300.0)
    under_four = grid(piece, page=4, top=600.0)  # below 四's heading on the same page
    next_page = grid(piece, page=5, top=20.0)
    found = assigned([under_three, under_four, next_page])
    assert found == {"applications": [under_three], "review_litigation": [under_four, next_page]}


def test_a_piece_before_any_heading_or_without_numbers_is_left_out():
    before_headings = grid([["其他", "总计"], ["3", "5"]], page=2)
    words_only = grid([["其他", "总计"]], page=4, top=300.0)
    assert assigned([before_headings, words_only]) == {}


def test_a_text_position_piece_needs_one_label_to_follow_its_section():
    # Prose holds numbers too: a grid rebuilt from text positions must carry a label of the table.
    numbers_only = grid([["其他", "总计"], ["3", "5"]], page=4, top=300.0, ruled=False)
    one_label = grid([["1.属于国家秘密", "0", "0"]], page=4, top=300.0, ruled=False)
    assert assigned([numbers_only]) == {}
    assert assigned([one_label]) == {"applications": [one_label]}


def test_a_block_title_printed_alone_marks_table_two():
    # 第二十条第（五）项 as a one-cell table at the foot of a page, under section 三's heading.
    title_only = grid([["第二十条第（五）项"]], page=4, top=300.0)
    title_and_note = grid([["第二十条第（五）项", "说明"]], page=4, top=300.0)
    assert assigned([title_only]) == {"active_disclosure": [title_only]}
    assert assigned([title_and_note]) == {}
