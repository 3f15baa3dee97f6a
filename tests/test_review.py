"""gongkai inspect: numbers never cut at any width, group rows, failed rules named, tags apart."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from click.testing import CliRunner
from rich.console import Console

import gongkai
from gongkai.cli import main
from gongkai.numbers import format_number
from gongkai.review import _place_columns, _place_rows, print_report

from .conftest import BROKEN_SAMPLE, FIXTURES

CITY = FIXTURES / "docx-city-2023-thousands-notes.pdf"  # four-digit numbers


@pytest.fixture(scope="module")
def reports():
    return [gongkai.read_report(BROKEN_SAMPLE), gongkai.read_report(CITY)]


def _printed(report, width: int) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"), color_system=None)  # noqa: SIM115
    print_report(report, console)
    return console.export_text()


@pytest.mark.parametrize("width", [40, 60, 80, 100, 160])
def test_every_number_is_shown_whole(reports, width):
    for report in reports:
        text = _printed(report, width)
        assert "…" not in text
        tokens = re.findall(r"[\d.]+", text)
        for value in report.cells["value"].dropna():
            assert format_number(float(value)) in tokens, (report.source, width, value)


@pytest.mark.parametrize("width", [60, 80])
def test_every_line_fits_a_terminal_of_60_columns_and_more(reports, width):
    from rich.cells import cell_len

    text = _printed(reports[0], width)
    assert max(cell_len(line) for line in text.splitlines()) <= width
    # The two sides of a failed rule stay together, before the rule's words.
    assert "failed applications_balance (自然人): 390 ≠ 391: " in text


@pytest.mark.parametrize("width", [30, 36, 40, 46])
def test_on_a_narrow_terminal_the_two_sides_of_a_failed_rule_are_never_parted(reports, width):
    """At 40 columns `failed applications_balance (总计): 471` ended a line and `≠ 472:` began the
    next: the pair now starts a line of its own where it does not fit after the rule's id."""
    lines = _printed(reports[0], width).splitlines()
    for pair in ("390 ≠ 391:", "471 ≠ 472:"):
        assert any(pair in line for line in lines), (width, pair)


@pytest.mark.parametrize("width", [20, 30, 40, 50, 60, 80, 120])
def test_each_table_is_one_width_that_fits_when_it_can(reports, width):
    # Terminal columns, not characters: a CJK character is two wide. Every line of a table is as
    # wide as the table, which is never wider than the terminal unless its numbers need more.
    from rich.cells import cell_len

    from gongkai.review import form_tables

    for report in reports:
        for table, needed in form_tables(report, width, plain=True):
            console = Console(width=max(width, needed), record=True, file=open("/dev/null", "w"))  # noqa: SIM115
            title, table.title = table.title, None
            console.print(table, crop=False)
            lines = console.export_text().splitlines()
            assert {cell_len(line) for line in lines} == {cell_len(lines[0])}, (title, lines)
            assert cell_len(lines[0]) <= max(width, needed), (title, width, needed)
    if width >= 40:  # a title shows whole, above a table at least as wide
        assert any(line.strip() == "第二十条第（五）项" for line in _printed(reports[0], width).splitlines())


@pytest.mark.parametrize("width", [30, 40])
def test_a_table_wider_than_the_terminal_prints_its_columns_in_runs_that_fit(reports, width):
    """At COLUMNS=30 table 三's seven columns printed 47 wide, each line wrapped into two by the
    terminal: its columns come in runs, each under the labels (the next run's title says 续),
    every line within the terminal, every number whole, the columns in the form's order."""
    from rich.cells import cell_len

    for report in reports:
        text = _printed(report, width)
        assert max(cell_len(line) for line in text.splitlines() if "failed" not in line) <= width
        tokens = re.findall(r"[\d.]+", text)
        for value in report.cells["value"].dropna():
            assert format_number(float(value)) in tokens, (report.source, width, value)
    joined = "".join(_printed(reports[0], width).split())
    three = joined.index("三、收到和处理政府信息公开申请情况")
    assert three < joined.index("三、收到和处理政府信息公开申请情况（续）")


def test_a_folded_label_stays_under_its_own_level(reports):
    text = _printed(reports[0], 60)
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if "（二）部分" in line)
    indent = len(lines[first]) - len(lines[first].lstrip())
    assert lines[first + 1].startswith(" " * indent) and lines[first + 1][indent] != " "
    # A comma or a closing bracket never starts a folded line.
    assert not any(line.strip()[:1] in "，）、" for line in lines if line.strip())


def test_group_rows_and_failed_rules_named_by_their_column(reports):
    text = _printed(reports[0], 80)
    for group in (
        "三、本年度办理结果",
        "（三）不予公开",
        "（四）无法提供",
        "（五）不予处理",
        "（六）其他处理",
    ):
        assert group in text
    assert text.index("（三）不予公开") < text.index("1.属于国家秘密") < text.index("（四）无法提供")
    assert "failed applications_balance (自然人):" in text
    assert "failed applications_balance (总计):" in text
    assert "Legend:" in text and "in a failed rule" in text
    assert "行政诉讼/复议后起诉" in text  # table 四 as three rows of five outcomes


def test_failed_rule_cells_are_highlighted(reports):
    console = Console(width=100, record=True, file=open("/dev/null", "w"), force_terminal=True)  # noqa: SIM115
    print_report(reports[0], console)
    styled = console.export_text(styles=True)
    # Bold white on red marks the cells of the failed balance (（七）总计 of 自然人 is 389), only those.
    assert re.search(r"\x1b\[1;37;41m\s*389\b", styled)
    assert not re.search(r"\x1b\[1;37;41m\s*232\b", styled)  # （一）予以公开 总计 is in no failed rule


def test_without_colour_marks_stand_for_the_styles(reports):
    # Piped or redirected (`inspect r.pdf > r.txt`), a failed rule's cells and a remark's must
    # still differ from a plain number: a mark follows the value, and the legend names the marks.
    text = _printed(reports[0], 100)
    assert re.search(r"\b389!", text) and not re.search(r"\b232[!*]", text)
    legend = " ".join(text.split("Legend:")[1].split("\n\n")[0].split())
    assert "* read with a remark" in legend and "! in a failed rule" in legend
    remarked = reports[1].cells.dropna(subset=["value"])
    remarked = remarked[remarked["note"].fillna("") != ""]
    assert len(remarked) and f"{format_number(float(remarked['value'].iloc[0]))}*" in _printed(
        reports[1], 160
    )


def test_no_color_on_a_terminal_marks_too(reports):
    console = Console(width=100, record=True, file=open("/dev/null", "w"), force_terminal=True, no_color=True)  # noqa: SIM115
    print_report(reports[0], console)
    assert re.search(r"\b389!", console.export_text())


def test_inspect_takes_its_width_from_columns(tmp_path):
    result = CliRunner(env={"COLUMNS": "80"}).invoke(main, ["inspect", str(BROKEN_SAMPLE)])
    assert result.exit_code == 0
    table_lines = [line for line in result.stdout.splitlines() if "449" in line]
    assert table_lines and all(len(line) <= 80 for line in table_lines)


def test_row_tags_never_overlap():
    placed = _place_rows([(100.0, "a"), (104.0, "b"), (106.0, "c"), (300.0, "d")], height=16, top=0)
    spans = sorted((at, at + 16) for _, at, _ in placed)
    assert all(end < start for (_, end), (start, _) in pairwise(spans))
    assert placed[-1][1] == 300 - 8  # a tag with room stays beside its row


def test_column_tags_never_overlap():
    wanted = [(x, f"column_{x}", 90) for x in range(100, 1600, 60)]
    placed = _place_columns(wanted, lines=6)
    assert len(placed) == len(wanted)
    for line in range(6):
        spans = sorted((x - 45, x + 45) for x, at, _ in placed if at == line)
        assert all(end <= start for (_, end), (start, _) in pairwise(spans))


def test_png_pages_show_the_failed_cells(tmp_path):
    import numpy as np
    from PIL import Image

    result = CliRunner().invoke(main, ["inspect", str(BROKEN_SAMPLE), "--png", str(tmp_path)])
    assert result.exit_code == 0
    pngs = sorted(tmp_path.glob("*.png"))
    assert len(pngs) == 3
    reddish = 0
    for path in pngs:
        pixels = np.asarray(Image.open(path).convert("RGB")).astype(int)
        red, green, blue = pixels[..., 0], pixels[..., 1], pixels[..., 2]
        reddish += int(((red > 230) & (green > 150) & (green < 215) & (blue > 150) & (blue < 215)).sum())
    assert reddish > 0  # the cells of the broken balance are filled red
