"""The matcher on hand-built grids: placing, refusing to guess, and explaining misses."""

from __future__ import annotations

from gongkai.forms import FORM_2021
from gongkai.match import read_table
from gongkai.match.columns import map_header_columns
from gongkai.model import Grid, GridCell, TableRun

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


def spanned_grid(rows: list[list[str]], spans: dict[tuple[int, int], int], page: int = 1) -> Grid:
    """Like builders.grid, with value cells merged downwards: spans[(r, c)] is the row the cell
    starting at (r, c) ends before; the positions it covers hold no cell of their own."""
    base = grid(rows, page=page)
    covered = {(rr, c) for (r, c), end in spans.items() for rr in range(r + 1, end)}
    cells = []
    for cell in base.cells:
        if (cell.row0, cell.col0) in covered:
            continue
        end = spans.get((cell.row0, cell.col0), cell.row1)
        x0, y0, x1, _ = cell.bbox
        box = (x0, y0, x1, base.row_edges[end])
        cells.append(GridCell(cell.text, cell.row0, end, cell.col0, cell.col1, box))
    return Grid(page, base.bbox, base.col_edges, base.row_edges, cells, ruled=True)


def placed_cells(reading) -> dict[tuple[str, str], str]:
    return {(c.row, c.column): c.raw for c in reading.cells}


def test_a_header_row_broken_by_the_page_break_joins_its_lower_pieces():
    # The header's last row starts at the foot of page 1 (商业, 社会公) and ends atop page 2
    # (企业, 益组织): the lower pieces read as no header alone, only on top of the upper ones.
    top = grid([["项目", "自然人", "商业", "科研", "社会公", "法律服务", "其他", "总计"]])
    lower_pieces = ["", "", "企业", "机构", "益组织", "机构", "", ""]
    rest = grid([lower_pieces, ["一、本年新收政府信息公开申请数量", *numbers(10)]], page=2)
    placed = placed_cells(read_table(TableRun(FORM_2021.table("applications"), [top, rest])))
    columns = [c.id for c in FORM_2021.table("applications").columns]
    assert [placed.get(("new_requests", column)) for column in columns] == numbers(10)


def test_a_numbered_label_broken_by_the_page_break_keeps_the_numbers_above_the_break():
    # 6.属于 with its numbers ends page 1; the rest of its label (四类过程性信息, which alone
    # names the row too) starts page 2 over empty cells.
    first = grid([["项目", *APPLICANT_HEADER], ["6.属于", *numbers(20)]])
    second = grid([["四类过程性信息", *[""] * 7], ["7.属于行政执法案卷", *numbers(30)]], page=2)
    reading = read_table(TableRun(FORM_2021.table("applications"), [first, second]))
    placed = placed_cells(reading)
    assert placed[("withheld_process_info", "natural_person")] == "20"
    assert placed[("withheld_process_info", "total")] == "26"
    assert placed[("withheld_enforcement_files", "total")] == "36"
    assert not reading.problems


OTHER_PROCESSING = [
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
]
OTHER_ROWS = ["other_no_correction", "other_fee_unpaid", "other_other"]
COLUMNS = [column.id for column in FORM_2021.table("applications").columns]


def test_a_zero_shared_by_three_sub_rows_is_zero_in_each():
    rows = [["项目", *APPLICANT_HEADER], [OTHER_PROCESSING[0], *["0"] * 7]]
    rows += [[label, *[""] * 7] for label in OTHER_PROCESSING[1:]]
    shared = spanned_grid(rows, {(1, c): 4 for c in range(1, 8)})
    placed = placed_cells(read_table(TableRun(FORM_2021.table("applications"), [shared])))
    assert {placed[row, "total"] for row in OTHER_ROWS} == {"0"}
    assert len([key for key in placed if key[0] in OTHER_ROWS]) == 21


def test_a_zero_shared_over_a_page_break_is_zero_in_the_rows_overleaf():
    # The merged cell covers sub-rows 1 and 2 on page 1 and, overleaf, the rest of sub-row 2's
    # label and sub-row 3: one printed 0 for all three.
    rows = [["项目", *APPLICANT_HEADER], [OTHER_PROCESSING[0], *["0"] * 7]]
    rows.append(["2.申请人逾期未按收费", *[""] * 7])
    first = spanned_grid(rows, {(1, c): 3 for c in range(1, 8)})
    second = spanned_grid(
        [["通知要求缴纳费用、行政机关不再处理其政府信息公开申请", *[""] * 7], ["3.其他", *[""] * 7]],
        {(0, c): 2 for c in range(1, 8)},
        page=2,
    )
    placed = placed_cells(read_table(TableRun(FORM_2021.table("applications"), [first, second])))
    assert placed[("other_other", "natural_person")] == "0"
    assert placed[("other_other", "total")] == "0"


def test_another_number_shared_by_sub_rows_is_placed_in_none_and_reported():
    rows = [["项目", *APPLICANT_HEADER], [OTHER_PROCESSING[0], *["3"] * 7]]
    rows += [[label, *[""] * 7] for label in OTHER_PROCESSING[1:]]
    shared = spanned_grid(rows, {(1, c): 4 for c in range(1, 8)})
    reading = read_table(TableRun(FORM_2021.table("applications"), [shared]))
    assert not [c for c in reading.cells if c.row in OTHER_ROWS]
    assert any("spans the rows" in p.message for p in reading.problems)
    assert set(reading.shared) == {(row, column) for row in OTHER_ROWS for column in COLUMNS}


def test_a_zero_merged_down_in_one_column_only_is_not_shared_out():
    # One rule missing under a 0 in one column, the other columns ruled: the 0 may be sub-row 1's
    # alone, the cell below it blank; nothing says it is each row's.
    rows = [["项目", *APPLICANT_HEADER], [OTHER_PROCESSING[0], *["0"] * 7]]
    rows += [[label, *["1"] * 7] for label in OTHER_PROCESSING[1:2]]
    shared = spanned_grid(rows, {(1, 1): 3})
    placed = placed_cells(read_table(TableRun(FORM_2021.table("applications"), [shared])))
    assert ("other_no_correction", "natural_person") not in placed
    assert placed[("other_fee_unpaid", "total")] == "1"


def test_a_header_a_seal_cut_short_places_its_column_when_its_neighbours_leave_it_one():
    """A seal on a scan took 商 of 商业企业: 业企业 names no column on its own (0.71), but between
    自然人 and 科研机构 the form's order leaves it one, which it still names. A header naming
    nothing like it is left out, and so is its column."""

    def placed_columns(business_header: str) -> set[str]:
        header = [
            "项目",
            "自然人",
            business_header,
            "科研机构",
            "社会公益组织",
            "法律服务机构",
            "其他",
            "总计",
        ]
        reading = read_table(
            TableRun(
                FORM_2021.table("applications"),
                [grid([header, ["二、上年结转政府信息公开申请数量", *numbers(1)]])],
            )
        )
        return {c.column for c in reading.cells if c.raw}

    assert "business" in placed_columns("业企业")
    assert "business" not in placed_columns("备注")


def applicant_grid(leaves: list[str], values: list[str], page: int = 1) -> Grid:
    """Table 三 under its two-row header: 法人或其他组织 merged over the leaves given (the form has
    five; a leaf may be several lines), 自然人 and 总计 in the upper row; one row of values."""
    end = 2 + len(leaves)
    upper = ["项目", "自然人", "法人或其他组织", *[""] * (len(leaves) - 1), "总计"]
    base = grid([upper, ["", "", *leaves, ""], values], page)
    cells = [c for c in base.cells if not (c.row0 == 0 and 3 <= c.col0 < end)]
    parent = next(c for c in cells if c.row0 == 0 and c.col0 == 2)
    x0, y0, _, y1 = parent.bbox
    merged = GridCell(parent.text, 0, 1, 2, end, (x0, y0, base.col_edges[end], y1))
    cells = [merged if c is parent else c for c in cells]
    return Grid(page, base.bbox, base.col_edges, base.row_edges, cells, ruled=True)


def test_headers_a_seal_faded_side_by_side_place_the_columns_their_neighbours_leave_them():
    """A seal over three headers side by side (scan 00012 of seed 5151): 科研机构, 社会公益组织
    and 法律服务机构 read 科研期树, 社会公金 and 法律张机构, and none reached a column alone;
    between 商业企业 and 其他 the form's order leaves them the three columns they are likest.
    Their columns are placed, on this page and on the next by position: no 'column count
    mismatch' there, which the columns left out of this page's map made."""
    table = FORM_2021.table("applications")
    columns = [c.id for c in table.columns]
    faded = ["商业企业", "科研期\n树", "社会公\n金", "法律张\n机构", "其他"]
    first = applicant_grid(faded, ["二、上年结转政府信息公开申请数量", *numbers(1)], page=4)
    second = grid([["四、结转下年度继续办理", *numbers(30)]], page=5)
    reading = read_table(TableRun(table, [first, second]))
    placed = placed_cells(reading)
    assert [placed.get(("carried_over", column)) for column in columns] == numbers(1)
    assert [placed.get(("carried_forward", column)) for column in columns] == numbers(30)
    assert not reading.problems
    # 社会公益组织 faded to 社会/公/结胡 and 其他 to 其物, each the one column left between two
    # placed ones (scan 00002): 其物 is like 其他 (0.3) and no other column's label.
    faded = ["商业企业", "科研机构", "社会\n公\n结胡", "法律服务机构", "其物"]
    placed = placed_cells(
        read_table(
            TableRun(table, [applicant_grid(faded, ["二、上年结转政府信息公开申请数量", *numbers(1)])])
        )
    )
    assert [placed.get(("carried_over", column)) for column in columns] == numbers(1)


def test_headers_left_out_are_not_placed_where_their_text_or_their_count_says_otherwise():
    """The order places the headers left out between two placed ones only when they are as many as
    the columns it leaves there, and each names its own column more than any other: 备注 names
    nothing (the 其他 of 法人或其他组织 over it is no text of its own); 机构 is liker 法律服务机构
    than 科研机构; two headers cannot tell which of three columns is not printed."""
    table = FORM_2021.table("applications")

    def placed_columns(leaves: list[str]) -> set[str]:
        values = ["二、上年结转政府信息公开申请数量", *numbers(1)][: len(leaves) + 3]
        reading = read_table(TableRun(table, [applicant_grid(leaves, values)]))
        return {column for (_, column), raw in placed_cells(reading).items() if raw}

    assert "other_organisation" not in placed_columns(
        ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "备注"]
    )
    assert "research" not in placed_columns(["商业企业", "机构", "社会公益组织", "法律服务机构", "其他"])
    run_of_two = placed_columns(["商业企业", "社会公\n金", "法律张\n机构", "其他"])
    assert not run_of_two & {"research", "public_interest", "legal_services"}


def test_a_row_whose_label_merged_with_its_first_value_is_not_named_by_its_group_cell():
    """On a scan the rule between sub-row 2's label and its first value was lost (under a seal):
    the label cell reaches into the values, and the label columns hold only the group cell
    (六)其他处理, which names the 2019 form's single row. The row is reported, not placed there."""
    rows = [["", "项目", *APPLICANT_HEADER]]
    rows += [["(六)其他处理", label, *numbers(10 * i)] for i, label in enumerate(OTHER_PROCESSING, 1)]
    base = grid(rows)
    edges = base.row_edges
    cells = []
    for cell in base.cells:
        x0, y0, x1, y1 = cell.bbox
        if cell.col0 == 0 and cell.row0 >= 1:
            if cell.row0 == 1:  # the group cell over the three sub-rows
                cells.append(GridCell(cell.text, 1, 4, 0, 1, (x0, y0, x1, edges[4])))
        elif cell.row0 == 2 and cell.col0 == 1:  # the label and its first value, one cell
            cells.append(GridCell(f"{cell.text} 20", 2, 3, 1, 3, (x0, y0, base.col_edges[3], y1)))
        elif not (cell.row0 == 2 and cell.col0 == 2):
            cells.append(cell)
    merged = Grid(1, base.bbox, base.col_edges, edges, cells, ruled=True)
    reading = read_table(TableRun(FORM_2021.table("applications"), [merged]))
    placed = placed_cells(reading)
    assert {row for row, _ in placed} == {"other_no_correction", "other_other"}
    assert placed[("other_other", "total")] == "36"
    assert any("values without a row label" in p.message for p in reading.problems)


def test_headers_a_seal_faded_beside_the_label_column_place_the_columns_the_order_leaves_them():
    """A seal over table 三's first headers (scan 00007 of seed 6161): 自然人 read 白然人, which
    names no column alone (0.4), and its column was taken for a label column: 35, the first value
    of 一、本年新收…, was read as the row's label, and the row was lost. Between the label column
    and 商业企业 the form's order leaves it one column, which it still names; between the label
    column and 科研机构 two headers faded, 白然人 and 业企业, take the two the order leaves them.
    The stub header may be blank: the label column is told by its labels below the header."""
    table = FORM_2021.table("applications")
    columns = [c.id for c in table.columns]
    rows = [
        ["一、本年新收政府信息公开申请数量", *numbers(35)],
        ["二、上年结转政府信息公开申请数量", *numbers(2)],
    ]

    def placed(header: list[str]):
        reading = read_table(TableRun(table, [grid([header, *rows], page=4)]))
        return placed_cells(reading), reading.problems

    for stub in ("项目", ""):
        for faded in (["白然\n人", "商业企业"], ["白然\n人", "业企业"]):
            cells, problems = placed([stub, *faded, *APPLICANT_HEADER[2:]])
            assert [cells.get(("new_requests", column)) for column in columns] == numbers(35)
            assert [cells.get(("carried_over", column)) for column in columns] == numbers(2)
            assert not problems


def test_headers_beside_the_label_column_are_not_placed_where_their_text_or_their_count_says_otherwise():
    """Between the label column and the first placed header, the order places the headers left
    out only when they are as many as the columns it leaves, each likest its own: 备注 names no
    column; two headers cannot share one column; and a column without a header between the
    label column and 白然人 leaves the count unknown (its numbers are no labels)."""
    table = FORM_2021.table("applications")

    def placed_columns(header: list[str], width: int = 7) -> set[str]:
        values = ["二、上年结转政府信息公开申请数量", *[str(2 + i) for i in range(width)]]
        reading = read_table(TableRun(table, [grid([header, values])]))
        return {column for (_, column), raw in placed_cells(reading).items() if raw}

    assert "natural_person" not in placed_columns(["项目", "备注", *APPLICANT_HEADER[1:]])
    assert "natural_person" not in placed_columns(["项目", "白然人", "备注", *APPLICANT_HEADER[1:]], 8)
    assert "natural_person" not in placed_columns(["项目", "", "白然人", *APPLICANT_HEADER[1:]], 8)


def test_headers_a_seal_faded_at_the_right_edge_place_the_columns_the_order_leaves_them():
    """A seal over table 三's last headers: 其他 read 其物 and 总计 总讣, which name no column alone
    (0.3); after 法律服务机构, the last placed, the table's right edge leaves them the form's last
    two columns, which each is likest. One faded header alone takes the one column left."""
    table = FORM_2021.table("applications")
    columns = [c.id for c in table.columns]
    rows = [
        ["一、本年新收政府信息公开申请数量", *numbers(35)],
        ["二、上年结转政府信息公开申请数量", *numbers(2)],
    ]
    for faded in (["其物", "总讣"], ["其他", "总讣"], ["其物", "总计"]):
        reading = read_table(TableRun(table, [grid([["项目", *APPLICANT_HEADER[:5], *faded], *rows])]))
        cells = placed_cells(reading)
        assert [cells.get(("new_requests", column)) for column in columns] == numbers(35)
        assert [cells.get(("carried_over", column)) for column in columns] == numbers(2)
        assert not reading.problems


def test_headers_at_the_right_edge_are_not_placed_where_their_text_or_their_count_says_otherwise():
    """After the last placed header, the order places the headers left out only when they run to
    the table's edge as many as the columns it leaves, each likest its own: 备注 names no column;
    one column more than the form leaves, or one without a header at the edge, leaves the count
    unknown; two headers cannot share one column; and a band no header of which is placed is not
    known to be this table's header."""
    table = FORM_2021.table("applications")

    def placed_columns(header: list[str], width: int = 7) -> set[str]:
        values = ["二、上年结转政府信息公开申请数量", *[str(2 + i) for i in range(width)]]
        reading = read_table(TableRun(table, [grid([["项目", *header], values])]))
        return {column for (_, column), raw in placed_cells(reading).items() if raw}

    last_two = {"other_organisation", "total"}
    assert "total" not in placed_columns([*APPLICANT_HEADER[:6], "备注"])
    assert not last_two & placed_columns([*APPLICANT_HEADER[:5], "其物", "总讣", "备注"], 8)
    assert not last_two & placed_columns([*APPLICANT_HEADER[:5], "其物", "总讣", ""], 8)
    assert not last_two & placed_columns([*APPLICANT_HEADER[:5], "其物", "共他"])
    faded = ["白然人", "业企业", "科研期树", "社会公金", "法律张机构", "其物", "总讣"]
    band = grid([["项目", *faded], ["二、上年结转政府信息公开申请数量", *numbers(2)]])
    assert map_header_columns(band, [0], table.columns) == ({}, [])


def test_a_misread_header_repeated_in_the_form_places_the_one_column_its_neighbours_leave():
    """On a scan 尚未审结 under 行政复议 read 尚来审结 (seed 3737, scan 00002): as like (0.65) the
    尚未审结 under 行政诉讼 twice, which the form's order tells apart, it is liker no other label;
    between 其他结果 and 总计 the order leaves it its own. A header naming nothing, or naming
    another column there, is left out."""
    table = FORM_2021.table("review_litigation")
    upper = ["行政复议"] * 5 + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5
    values = [str(i) for i in range(1, 16)]

    def placed_at_pending(leaf: str) -> str | None:
        leaves = ["结果维持", "结果纠正", "其他结果", leaf, "总计"]
        leaves += ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2
        reading = read_table(TableRun(table, [grid([upper, leaves, values])]))
        return {c.column: c.raw for c in reading.cells}.get("review_pending")

    assert placed_at_pending("尚来审结") == "4"
    assert placed_at_pending("备注") is None
    assert placed_at_pending("结果维持") is None


def _cut_label_pages(top_of_next_page: list[str]) -> dict[tuple[str, str], str]:
    """Table 三 ending a page on 1.申请人无正当理由逾期不补正、行政 with its values, under three
    label columns; the next page, under two, starting with `top_of_next_page`'s label cell and
    the values given after it. Columns placed on the next page by where they sit."""
    cut = "1.申请人无正当理由逾期不补正、行政"
    first = grid([["", "", "项目", *APPLICANT_HEADER], ["", "（六）其", cut, *numbers(1)]], page=4, x0=50.0)
    # One label column fewer, the values where the first page's are.
    second = grid([["他处理", *top_of_next_page]], page=5, x0=90.0)
    return placed_cells(read_table(TableRun(FORM_2021.table("applications"), [first, second])))


def test_a_label_cut_by_the_page_break_is_finished_atop_the_next_page_under_its_own_columns():
    # Seed 4949, scan 00012 and its text PDF (rules across only): the rest of the label,
    # 机关不再处理其政府信息公开申请, and the next row's label were one cell with that row's values.
    rest = "机关不再处理其政府信息公开申请"
    placed = _cut_label_pages([f"{rest}\n{OTHER_PROCESSING[1]}", *numbers(30)])
    assert [placed.get(("other_no_correction", c)) for c in COLUMNS] == numbers(1)
    assert [placed.get(("other_fee_unpaid", c)) for c in COLUMNS] == numbers(30)
    # The rest alone atop the page, no values of its own: the values above the page break are
    # read under their own page's columns, not the next page's, whose first would be the label.
    placed = _cut_label_pages([rest, *[""] * 7])
    assert [placed.get(("other_no_correction", c)) for c in COLUMNS] == numbers(1)
    # Lines that finish no label: nothing is placed from them.
    placed = _cut_label_pages([f"其他内容\n{OTHER_PROCESSING[1]}", *numbers(30)])
    assert ("other_no_correction", "natural_person") not in placed


def test_a_misread_header_liker_a_column_placed_beside_it_by_its_words_places_its_own():
    """A seal over 科研机构 read it 科出/机构 (seed 5757, scan 00010): by its words liker
    法律服务机构 (0.5) than 科研机构 (0.45), so the column went unplaced and 25 cells were lost.
    法律服务机构 is printed two columns on, and 科出机构 shares more characters with 科研机构;
    机构 alone, as like both by its characters, still names neither (the test above)."""
    table = FORM_2021.table("applications")
    leaves = ["商业企业", "科出\n机构", "社会公益组织", "法律服务机构", "其他"]
    reading = read_table(
        TableRun(table, [applicant_grid(leaves, ["二、上年结转政府信息公开申请数量", *numbers(1)])])
    )
    placed = placed_cells(reading)
    assert [placed.get(("carried_over", c.id)) for c in table.columns] == numbers(1)
