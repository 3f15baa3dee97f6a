"""The matcher on hand-built grids: placing, refusing to guess, and explaining misses."""

from __future__ import annotations

from gongkai.forms import FORM_2021
from gongkai.match import read_table
from gongkai.model import TableRun

from .builders import APPLICANT_HEADER, grid


def numbers(start: int) -> list[str]:
    return [str(start + i) for i in range(7)]


def test_rows_and_columns_placed_from_their_text():
    reading = read_table(
        TableRun(
            FORM_2021.table("applications"),
            [grid([["项目", *APPLICANT_HEADER], ["一、本年新收政府信息公开申请数量", *numbers(10)]])],
        )
    )
    placed = {(c.row, c.column): c.raw for c in reading.cells}
    assert placed[("new_requests", "natural_person")] == "10"
    assert placed[("new_requests", "total")] == "16"
    assert not reading.problems


def test_columns_follow_the_header_not_the_position():
    # The printer swapped two columns: the header says so, and the values follow the header.
    header = ["项目", "自然人", "科研机构", "商业企业", "社会公益组织", "法律服务机构", "其他", "总计"]
    reading = read_table(
        TableRun(
            FORM_2021.table("applications"),
            [grid([header, ["二、上年结转政府信息公开申请数量", *numbers(1)]])],
        )
    )
    placed = {c.column: c.raw for c in reading.cells}
    assert set(placed) < {"natural_person", "research", "business", "public_interest", "legal_services",
                          "other_organisation", "total"}  # fmt: skip
    # Out-of-order headers cannot all be aligned in form order; what is placed is placed by its header.
    for column, raw in placed.items():
        assert header[int(raw)] in {
            c.label for c in FORM_2021.table("applications").columns if c.id == column
        }


def test_unknown_row_label_is_reported_not_forced():
    reading = read_table(
        TableRun(
            FORM_2021.table("applications"),
            [
                grid(
                    [
                        ["项目", *APPLICANT_HEADER],
                        ["其中：网上申请", *numbers(5)],
                        ["2.重复申请", *numbers(7)],
                    ]
                )
            ],
        )
    )
    assert {c.row for c in reading.cells} == {"not_processed_repeated"}
    assert [p.kind for p in reading.problems] == ["row"]
    assert "row label unmatched: '其中:网上申请'" in reading.problems[0].message


def test_continuation_page_takes_columns_by_position_and_reports_a_mismatch():
    first = grid([["项目", *APPLICANT_HEADER], ["一、本年新收政府信息公开申请数量", *numbers(10)]], page=4)
    second = grid([["二、上年结转政府信息公开申请数量", *numbers(20)]], page=5)
    shifted = grid([["四、结转下年度继续办理", *numbers(30)]], page=6, x0=50.0 + 200.0)
    reading = read_table(TableRun(FORM_2021.table("applications"), [first, second, shifted]))
    placed = {(c.row, c.column): c.raw for c in reading.cells}
    assert placed[("carried_over", "total")] == "26"
    assert ("carried_forward", "natural_person") not in placed
    assert any("column count mismatch on page 6" in p.message for p in reading.problems)


def test_a_label_split_over_two_lines_is_joined():
    reading = read_table(
        TableRun(
            FORM_2021.table("applications"),
            [
                grid(
                    [
                        ["项目", *APPLICANT_HEADER],
                        ["2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政", *numbers(3)],
                        ["府信息公开申请", "", "", "", "", "", "", ""],
                    ]
                )
            ],
        )
    )
    assert {c.row for c in reading.cells} == {"other_fee_unpaid"}
