from __future__ import annotations

from pathlib import Path

import pytest

from gongkai.locate import find_headings, read_identity, table_pages, table_pages_settled
from gongkai.model import Heading, TextLine


def _lines(*texts: str, size: float = 22.0) -> list[TextLine]:
    return [TextLine(t, 100, 80 + 30 * i, 400, 100 + 30 * i, size) for i, t in enumerate(texts)]


@pytest.mark.parametrize(
    ("title", "agency", "year"),
    [
        (("淮安市人民政府", "2024 年政府信息公开工作年度报告"), "淮安市人民政府", 2024),
        (("达州市经济合作和外事局 2023 年政府信息公开工作年度报告",), "达州市经济合作和外事局", 2023),
        (("2022年清河县人民政府政府信息公开工作年度报告",), "清河县人民政府", 2022),
        (("南山区市场监督管理局", "2021年度政府信息公开工作年度报告"), "南山区市场监督管理局", 2021),
        (
            ("某市人民政府办公室关于印发某市人民政府2020年政府信息公开工作年度报告的通知",),
            "某市人民政府",
            2020,
        ),
    ],
)
def test_identity_from_title(title, agency, year):
    lines = [*_lines(*title), *_lines("本报告根据《条例》编制。", size=16.0)]
    identity = read_identity(lines, "", Path("x.pdf"))
    assert (identity.agency, identity.year, identity.source) == (agency, year, "title")


def test_a_title_s_short_last_line_sized_larger_by_a_scan_keeps_the_lines_above():
    lines = [
        *_lines("凤乐市应急管理局2024年政府信息公开工作年", size=16.4),
        *_lines("度报告", size=19.7),
        *_lines("本报告根据《条例》编制。", size=12.0),
    ]
    identity = read_identity(lines, "", Path("x.pdf"))
    assert (identity.agency, identity.year, identity.source) == ("凤乐市应急管理局", 2024, "title")


def test_identity_falls_back_to_metadata_then_file_name():
    body = _lines("一、总体情况", size=16.0)
    from_metadata = read_identity(body, "某镇人民政府2020年政府信息公开工作年度报告", Path("x.pdf"))
    assert (from_metadata.agency, from_metadata.year, from_metadata.source) == (
        "某镇人民政府",
        2020,
        "metadata",
    )
    from_name = read_identity(body, "", Path("淮安市2024.pdf"))
    assert (from_name.agency, from_name.year, from_name.source) == ("淮安市", 2024, "filename")


def test_reworded_headings_are_found():
    lines = _lines(
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "三、本年度办理结果",  # a table row, not a heading
        "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况",
        "五、政府信息公开工作存在的主要问题及改进情况",
    )
    assert [h.numeral for h in find_headings(3, lines)] == ["二", "三", "四", "五"]


def test_a_speck_before_a_scanned_heading_does_not_hide_it():
    headings = find_headings(3, _lines(".二、主动公开政府信息情况", "·、三、收到和处理政府信息公开申请情况"))
    assert [h.numeral for h in headings] == ["二", "三"]


def test_table_pages_span_from_section_two_to_five():
    headings = find_headings(3, _lines("二、主动公开政府信息情况")) + find_headings(
        5, _lines("五、存在的主要问题及改进情况")
    )
    assert table_pages(headings, 6) == [3, 4, 5]
    assert table_pages([], 4) == [1, 2, 3, 4]


def _headings(*placed: tuple[str, int]) -> list[Heading]:
    return [Heading(numeral, f"{numeral}、…", page, 100.0) for numeral, page in placed]


@pytest.mark.parametrize(
    ("placed", "settled"),
    [
        ((("一", 1), ("二", 1)), False),  # the tables have begun; their end is not known yet
        ((("一", 1), ("二", 1), ("三", 2), ("四", 3), ("五", 3)), True),
        ((("二", 2), ("六", 4)), True),
        ((("三", 2), ("五", 3)), False),  # no 二 heading yet: a later page may still hold one
        ((("五", 1), ("二", 2)), False),  # a 五 before the tables does not end them
        ((("二", 2), ("五", 2)), True),
    ],
)
def test_table_pages_settle_once_two_and_five_are_read(placed, settled):
    headings = _headings(*placed)
    assert table_pages_settled(headings) is settled
    if settled:  # no heading on a later page can change the table pages any more
        later = _headings(("二", 9), ("三", 9), ("五", 10))
        assert table_pages(headings + later, 12) == table_pages(headings, 12)
