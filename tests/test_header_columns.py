"""Markup tables whose value rows carry colspans of their own: each number read under its header."""

from __future__ import annotations

from gongkai.forms import FORM_2021
from gongkai.match import read_table
from gongkai.model import TableRun
from gongkai.sources.header_columns import align_to_header_columns
from gongkai.sources.html import read_html_bytes
from gongkai.sources.markup import place_spans

HEADER = (
    [("第二十条第（一）项", 1, 13)],
    [
        ("信息内容", 1, 1),
        ("本年制发件数", 1, 4),
        ("本年废止件数", 1, 4),
        ("现行有效件数", 1, 4),
    ],
)


def _last_row(rows: list[list[tuple[str, int, int]]]) -> list[tuple[str, int, int]]:
    """The last row's cells once aligned: (text, first column, end column), left to right."""
    cells, n_rows, _ = place_spans(rows)
    aligned = align_to_header_columns(cells, n_rows)
    return sorted(((c.text, c.col0, c.col1) for c in aligned if c.row0 == n_rows - 1), key=lambda c: c[1])


def _reading(rows: list[list[tuple[str, int, int]]]):
    """Table 二 read from a web page whose table has these rows of (text, rowspan, colspan)."""
    cells = "".join(
        "<tr>" + "".join(f'<td rowspan="{r}" colspan="{c}">{t}</td>' for t, r, c in row) + "</tr>"
        for row in rows
    )
    page = f'<html><head><meta charset="utf-8"></head><body><table>{cells}</table></body></html>'
    [grid] = read_html_bytes(page.encode()).grids
    reading = read_table(TableRun(FORM_2021.table("active_disclosure"), [grid]))
    return {(c.row, c.column): c.raw for c in reading.cells}, [p.message for p in reading.problems]


def test_value_cells_off_the_header_edges_go_under_the_header_they_sit_mostly_under():
    # Header columns 1-4, 5-8, 9-12; the values' own boundaries moved by one narrow column.
    rows = [*HEADER, [("规章", 1, 1), ("7", 1, 3), ("8", 1, 6), ("9", 1, 3)]]
    assert _last_row(rows) == [("规章", 0, 1), ("7", 1, 5), ("8", 5, 9), ("9", 9, 13)]
    placed, problems = _reading(rows)
    assert placed == {("regulations", "issued"): "7", ("regulations", "repealed"): "8",
                      ("regulations", "in_force"): "9"}  # fmt: skip
    assert not problems


def test_a_blank_beside_a_number_under_one_header_is_its_margin():
    rows = [
        [("第二十条第（五）项", 1, 13)],
        [("信息内容", 1, 1), ("本年处理决定数量", 1, 12)],
        [("行政许可", 1, 1), ("24308", 1, 10), ("", 1, 2)],
    ]
    assert _last_row(rows) == [("行政许可", 0, 1), ("24308", 1, 13)]
    placed, _ = _reading(rows)
    assert placed == {("licensing", "decisions"): "24308"}


def test_a_value_cell_lying_equally_under_two_headers_stays_unplaced_and_the_rest_is_read():
    # "8" covers 本年制发件数 and 本年废止件数 alike: never guessed. "9" is off the edges, and read.
    rows = [*HEADER, [("规章", 1, 1), ("8", 1, 8), ("9", 1, 3), ("", 1, 1)]]
    assert _last_row(rows) == [("规章", 0, 1), ("8", 1, 9), ("9", 9, 13)]
    placed, problems = _reading(rows)
    assert placed == {("regulations", "in_force"): "9"}
    assert set(problems) == {"a value cell of 规章 spans several columns (page 1)"}


def test_a_cell_straddling_two_headers_half_and_half_moves_nothing():
    # "8" lies two columns under 本年制发件数 and two under 本年废止件数.
    rows = [*HEADER, [("规章", 1, 1), ("", 1, 2), ("8", 1, 4), ("9", 1, 6)]]
    cells, n_rows, _ = place_spans(rows)
    assert align_to_header_columns(cells, n_rows) == cells
    placed, problems = _reading(rows)
    assert ("regulations", "issued") not in placed
    assert ("regulations", "repealed") not in placed
    assert problems


def test_two_numbers_under_one_header_leave_the_row_as_the_markup_says():
    rows = [*HEADER, [("规章", 1, 1), ("7", 1, 2), ("1", 1, 1), ("8", 1, 5), ("9", 1, 4)]]
    cells, n_rows, _ = place_spans(rows)
    assert align_to_header_columns(cells, n_rows) == cells
    placed, _ = _reading(rows)
    assert ("regulations", "issued") not in placed


def test_a_header_column_no_cell_covers_most_of_leaves_the_row_as_it_is():
    # 本年废止件数 (columns 5-8) is half under "7" and half under "8": neither is its cell.
    rows = [*HEADER, [("规章", 1, 1), ("7", 1, 6), ("8", 1, 6)]]
    cells, n_rows, _ = place_spans(rows)
    assert align_to_header_columns(cells, n_rows) == cells


def test_a_table_whose_rows_share_their_edges_is_returned_as_it_is():
    rows = [*HEADER, [("规章", 1, 1), ("7", 1, 4), ("8", 1, 4), ("9", 1, 4)]]
    cells, n_rows, _ = place_spans(rows)
    assert align_to_header_columns(cells, n_rows) is cells


def test_a_cell_spanning_rows_off_the_header_edges_is_never_moved():
    rows = [
        *HEADER,
        [("规章", 1, 1), ("7", 2, 3), ("8", 1, 5), ("9", 1, 4)],
        [("行政规范性文件", 1, 1), ("1", 1, 5), ("2", 1, 4)],
    ]
    cells, n_rows, _ = place_spans(rows)
    assert align_to_header_columns(cells, n_rows) == cells


def test_each_block_is_read_against_its_own_header():
    # Block (五)'s one header column, not block (一)'s three, is what its value row is read against.
    rows = [
        *HEADER,
        [("规章", 1, 1), ("7", 1, 3), ("8", 1, 6), ("9", 1, 3)],
        [("第二十条第（五）项", 1, 13)],
        [("信息内容", 1, 1), ("本年处理决定数量", 1, 12)],
        [("行政许可", 1, 1), ("5", 1, 7), ("", 1, 5)],
    ]
    placed, problems = _reading(rows)
    assert placed[("licensing", "decisions")] == "5"
    assert placed[("regulations", "repealed")] == "8"
    assert not problems
