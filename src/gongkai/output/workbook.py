"""The XLSX workbook for journalists: the form as they know it, and the records behind it.

Sheets: 概览 (headline figures per report), one sheet per table laid out as the
form prints it (merged multi-level headers, group rows, borders, wrapped labels;
table 四 as its three groups of five columns), 同比 when the batch holds an agency
in consecutive years, then the records: cells (with an autofilter), files, checks.
Every sheet is set up to print: fit to the page width (cells: its key columns on a page, the
rest on the next), header rows repeated, landscape where the table is wide.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..checks import run_checks
from ..forms import CURRENT_VERSION, FORMS, Table
from ..model import NoteCode, cell_key
from ..sources import check_path
from . import records
from .compare import READINGS_COLUMNS as _READINGS_COLUMNS
from .compare import shown_values, without_copies, year_over_year
from .views import DOUBTFUL, form_lines, headlines, hover_note, note_on_paper, plain
from .wide import report_form
from .writers import replacing

HEADERS = {
    "source": "来源文件",
    "agency": "机关",
    "agency_key": "机关键",
    "year": "年度",
    "form": "格式版本",
    "table": "表",
    "table_id": "表ID",
    "group": "分组",
    "group_id": "分组ID",
    "row": "行",
    "row_id": "行ID",
    "column": "列",
    "column_id": "列ID",
    "value": "数值",
    "page": "页码",
    "location": "位置",
    "raw": "原文",
    "note": "说明",
    "note_code": "说明代码",
    "read_by": "读取方式",
    "ocr_confidence": "OCR置信度",
    "ocr_readings": "OCR识别结果",
    "status": "状态",
    "reason": "原因",
    "pages": "页数",
    "cells_found": "找到单元格",
    "cells_expected": "应有单元格",
    "checks_failed": "未通过校验",
    # Half-width brackets: 用时（秒） folded as 用时（ and 秒） over a column as wide as its numbers.
    "seconds": "用时(秒)",
    "sha256": "SHA-256",
    "duplicate_of": "与之相同的文件",
    "pages_ocr": "OCR页数",
    "rule_id": "规则ID",
    "rule": "规则",
    "cells": "涉及单元格",
    "left": "左边",
    "right": "右边",
    "year_a": "上年",
    "year_b": "本年",
    "source_a": "上年文件",
    "source_b": "本年文件",
    "value_a": "上年数值",
    "value_b": "本年数值",
    "change": "增减",
    "change_share": "增减比例",
    "large": "变化大",
    "note_a": "上年说明",
    "note_b": "本年说明",
    # The summary's (gongkai summary -o summary.xlsx).
    "reports": "报告数",
    "sources": "来源文件",
    "rules": "未通过的规则",
    "reasons": "缺失原因",
    "total": "合计",
}
TABLE_SHEETS = {t.id: f"{t.numeral}、{t.short_title}" for t in FORMS[CURRENT_VERSION].tables}
# Sheets printed landscape: the wide ones. Tables 二 and 三 are portrait: 二's blocks are
# narrow, and 三 fitted to a portrait page's width holds a whole report on that page.
LANDSCAPE_SHEETS = {TABLE_SHEETS["review_litigation"], "cells", "files", "checks", "同比", "概览"}
# The summary's sheets of long text (gongkai summary -o summary.xlsx), landscape too.
LANDSCAPE_SHEETS |= {"重复的机关年度", "相同的文件", "不合勾稽关系", "最常缺的行"}

_THIN = Side(style="thin", color="7F7F7F")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
# Every font names the body's (Calibri 11, openpyxl's default): a font without a name or size
# printed in LibreOffice's default instead, a serif at 10 points (the titles' and headers' digits
# and file names in DejaVu Serif beside the values' DejaVu Sans).
_BODY_FONT = {"name": "Calibri", "size": 11}
_BOLD = Font(**_BODY_FONT, bold=True)
_TITLE_FONT = Font(**{**_BODY_FONT, "size": 12}, bold=True)
_SMALL_PRINT = Font(**{**_BODY_FONT, "size": 9}, color="595959")  # the notes under a sheet's title
_MISSING_FONT = Font(**_BODY_FONT, color="A6A6A6")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
_NOTE_FILL = PatternFill("solid", fgColor="FFF2CC")
_FAILED_FILL = PatternFill("solid", fgColor="F8CBAD")
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
_NUMBER = Alignment(vertical="center", horizontal="right")
_MIDDLE = Alignment(vertical="center")

# What 待核 means, in the form sheets' legend and in the 同比 sheets' (which has it alone).
_DOUBTFUL_LEGEND = f"{DOUBTFUL} = 扫描件上未能可靠识别的数字，须对照原件填写（悬停看识别结果）"
LEGEND = (
    "图例：黄色 = 读出时有说明（不适用、带注释、非数字），鼠标悬停看说明；红色 = 未通过勾稽校验的单元格；"
    f"灰色 · = 未找到；{_DOUBTFUL_LEGEND}；"
    "空白 = 报告中此格为空（不作 0 计）。"
)
# The 同比 sheets' legend, when a cell of theirs is 待核.
COMPARISON_LEGEND = f"图例：{_DOUBTFUL_LEGEND}。"

# Widths in Excel's units (about one Latin character; a CJK character takes two).
_LABEL_WIDTH = 46
_VALUE_WIDTH = 11
_POINTS_PER_LINE = 14.5
_DEFAULT_ROW_POINTS = 15.0
# A4 in points, and the margins of every sheet in inches (set in _print_setup).
_A4_POINTS = (595.3, 841.9)
_SIDE_MARGIN, _TOP_MARGIN = 0.4, 0.5
# Share of a printed page that the form sheets plan to fill: the column widths and row
# heights are estimates of what Excel or LibreOffice draws, so a page is never planned full.
_PAGE_FILL = 0.9


def _width(text: object) -> float:
    """Display width: a CJK character takes two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _lines(text: object, width: float) -> int:
    """The lines a text takes folded in a column `width` wide (about a character of its own less)."""
    room = max(1.0, width - 1)
    return max(1, *(_folded(part, room) for part in str(text).split("\n")))


# How Excel and LibreOffice fold a cell's text: at a space, or between two CJK characters (not
# before a closing mark: 。，、）” stay with the character before them), a word longer than the
# line on a line of its own, cut at its end. A list of ids (applications/new_requests/total ...)
# folds an id a line, whatever room the line has left: counted as if it filled its lines, it was
# planned a line short every three or four ids and printed cut at the bottom (LibreOffice).
_TOKENS = re.compile(r"\s+|[\u2e80-\uffff][，。、；：？！）》」』】〕”’]*|[^\s\u2e80-\uffff]+")


def _folded(text: str, room: float) -> int:
    lines, used, space = 1, 0.0, False
    for token in _TOKENS.findall(text):
        if token.isspace():
            space = used > 0
            continue
        need = _width(token)
        if used + space + need <= room:
            used += space + need
        elif need <= room:
            lines, used = lines + 1, need
        else:  # on a line of its own, cut at its end, on as many lines as it takes
            whole = math.ceil(need / room)
            lines, used = lines + (1 if used else 0) + whole - 1, need - (whole - 1) * room
        space = False
    return lines


def _fit_columns(sheet: Worksheet, limit: int = 60, first_row: int = 2) -> None:
    """Each column as wide as its widest value from `first_row` on (at most `limit`)."""
    widths: dict[int, float] = {}
    for row in sheet.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 0), _width(cell.value))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, limit)


def _print_setup(sheet: Worksheet, title_rows: str | None = None) -> None:
    """Fit the page width, repeat the header rows, landscape where the table is wide."""
    sheet.page_setup.orientation = "landscape" if sheet.title in LANDSCAPE_SHEETS else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = _SIDE_MARGIN
    sheet.page_margins.top = sheet.page_margins.bottom = _TOP_MARGIN
    if title_rows:
        sheet.print_title_rows = title_rows


# A column's width counts digits of the default font (Calibri 11: 7 pixels at 96 pixels per inch,
# 0.75 points a pixel). On paper at 100%, Excel draws a column of width w as 7w + 5 of those
# pixels; LibreOffice a third wider, as 7w points, 9.33w pixels (measured through soffice: a
# column of width 10 prints 70.0 points wide, one of width 30 210.0), planned as 9.4w + 5. Neither
# is wrong; a page is planned to hold in either: by the narrower where rows fill its height (the
# larger the scale, the fewer rows a page holds), by the wider where columns fit its width.
_PIXELS_PER_WIDTH = {"Excel": 7, "LibreOffice": 9.4}


def _printed_width(sheet: Worksheet, last_column: int) -> tuple[float, float, float]:
    """The width of the sheet's printed page, less its margins, and the points that its columns
    up to `last_column` take on it at 100%: as the narrower and as the wider of Excel and
    LibreOffice draws them (_PIXELS_PER_WIDTH)."""
    page = _A4_POINTS[0] if sheet.page_setup.orientation == "portrait" else _A4_POINTS[1]
    widths = [
        sheet.column_dimensions[get_column_letter(c)].width or _VALUE_WIDTH for c in range(1, last_column + 1)
    ]
    narrow, wide = (
        sum((pixels * width + 5) * 0.75 for width in widths) for pixels in sorted(_PIXELS_PER_WIDTH.values())
    )
    return page - 2 * 72 * _SIDE_MARGIN, narrow, wide


def _page_rows_points(sheet: Worksheet, last_column: int) -> float:
    """How many points of rows one printed page holds, once the columns are fitted to its width."""
    height = _A4_POINTS[1] if sheet.page_setup.orientation == "portrait" else _A4_POINTS[0]
    page, narrow, _ = _printed_width(sheet, last_column)
    scale = min(1.0, page / narrow)
    return (height - 2 * 72 * _TOP_MARGIN) / scale * _PAGE_FILL


# ---------------------------------------------------------------------------
# The form's tables
# ---------------------------------------------------------------------------


# A header's brackets half-width, as 用时(秒)'s: LibreOffice folds a full-width bracket as it folds
# a CJK character, before a closing one too, and 本年收费金额（单位：万元） over a value column
# printed its ） alone on the third line (DejaVu Sans: six characters a line); ( and ) stay with
# what they hold, the bracketed words fold as a whole, on a line of their own, in either program.
_HALF_WIDTH_BRACKETS = str.maketrans("（）", "()")


def _header_words(label: str) -> str:
    return label.translate(_HALF_WIDTH_BRACKETS)


class _FormSheet:
    """Writes report blocks, one under the other, on one sheet laid out like the form."""

    def __init__(self, sheet: Worksheet, first_value_column: int, value_columns: int):
        self.sheet = sheet
        self.first = first_value_column
        self.last = first_value_column + value_columns - 1
        self.row = 1
        self.header_rows: tuple[int, int] | None = None  # the first header's, to repeat when printed
        # Page planning: the rows one page holds, the rows repeated on every page, and the
        # first row of the page being filled.
        self.page_points = 0.0
        self.title_rows: tuple[int, int] | None = None
        self.page_start = 1

    def repeat_on_every_page(self, first: int, last: int) -> None:
        """Print rows first..last at the top of every page, and plan the pages with them."""
        self.title_rows = (first, last)
        self.sheet.print_title_rows = f"{first}:{last}"
        _print_setup(self.sheet)
        self.page_points = _page_rows_points(self.sheet, self.last)

    def _points(self, first: int, last: int) -> float:
        dimensions = self.sheet.row_dimensions
        return sum(dimensions[r].height or _DEFAULT_ROW_POINTS for r in range(first, last + 1))

    def new_page(self) -> None:
        """Start a page at the next row."""
        self.sheet.row_breaks.append(Break(id=self.row - 1))
        self.page_start = self.row

    def keep_together(self, first: int) -> None:
        """Rows first.. were just written as one unit (a report, a block with its header): when the
        page they start on cannot hold them all, they start the next page instead."""
        used = self._points(self.page_start, self.row - 1)
        if self.title_rows and self.page_start > self.title_rows[1]:
            used += self._points(*self.title_rows)
        if used > self.page_points and first > self.page_start:
            self.sheet.row_breaks.append(Break(id=first - 1))
            self.page_start = first

    def merged(self, top: int, left: int, bottom: int, right: int, value: object, **style) -> None:
        cell = self.sheet.cell(top, left, value)
        for name, setting in style.items():
            setattr(cell, name, setting)
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                self.sheet.cell(r, c).border = _BORDER
                if "fill" in style:
                    self.sheet.cell(r, c).fill = style["fill"]
        if (top, left) != (bottom, right):
            self.sheet.merge_cells(start_row=top, start_column=left, end_row=bottom, end_column=right)

    def line(
        self,
        text: str,
        font: Font = _BOLD,
        fill: PatternFill | None = None,
        border: bool = True,
        depth: int = 0,
    ) -> None:
        """A line across the whole table: a report's title, a legend, a group row."""
        style = {"font": font, "alignment": Alignment(wrap_text=True, vertical="center", indent=depth)}
        if fill is not None:
            style["fill"] = fill
        if border:
            self.merged(self.row, 1, self.row, self.last, text, **style)
        else:
            cell = self.sheet.cell(self.row, 1, text)
            cell.font, cell.alignment = font, _WRAP
            self.sheet.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=self.last)
        total_width = sum(
            self.sheet.column_dimensions[get_column_letter(c)].width or _VALUE_WIDTH
            for c in range(1, self.last + 1)
        )
        self.sheet.row_dimensions[self.row].height = _POINTS_PER_LINE * _lines(text, total_width) + 4
        self.row += 1

    def header(self, paths: list[tuple[str, ...]], stub: str | None) -> None:
        """Multi-level column headers: equal labels merged across, a path's last label merged down,
        their brackets half-width (`_header_words`)."""
        depth = max(len(p) for p in paths)
        top = self.row
        if stub is not None:
            self.merged(top, 1, top + depth - 1, 1, stub, font=_BOLD, alignment=_CENTER, fill=_HEADER_FILL)
        for level in range(depth):
            index = 0
            while index < len(paths):
                path = paths[index]
                if level >= len(path):
                    index += 1
                    continue
                end = index
                while end + 1 < len(paths) and paths[end + 1][: level + 1] == path[: level + 1]:
                    end += 1
                bottom = top + (level if level < len(path) - 1 else depth - 1)
                column = self.first + index
                style = {"font": _BOLD, "alignment": _CENTER, "fill": _HEADER_FILL}
                label = _header_words(path[level])
                self.merged(top + level, column, bottom, self.first + end, label, **style)
                index = end + 1
        for level in range(depth):
            tallest = max(
                (
                    _lines(
                        _header_words(p[level]),
                        _VALUE_WIDTH * (1 + sum(1 for q in paths if q[: level + 1] == p[: level + 1]) - 1),
                    )
                    for p in paths
                    if level < len(p)
                ),
                default=1,
            )
            self.sheet.row_dimensions[top + level].height = _POINTS_PER_LINE * tallest + 4
        if stub is not None:
            need = _lines(stub, _LABEL_WIDTH) * _POINTS_PER_LINE + 4
            have = sum(self.sheet.row_dimensions[top + level].height for level in range(depth))
            if need > have:
                self.sheet.row_dimensions[top + depth - 1].height += need - have
        if self.header_rows is None:
            self.header_rows = (top, top + depth - 1)
        self.row += depth

    def values(self, label: str | None, depth: int, cells: list[dict | None], failed: set[tuple]) -> None:
        """One row of numbers, with its label (indented by its depth in the form's groups)."""
        height = 1
        if label is not None:
            cell = self.sheet.cell(self.row, 1, label)
            cell.alignment = Alignment(wrap_text=True, vertical="center", indent=depth)
            cell.border = _BORDER
            height = _lines(label, _LABEL_WIDTH - 2 * depth)
        for offset, record in enumerate(cells):
            cell = self.sheet.cell(self.row, self.first + offset)
            cell.border = _BORDER
            cell.alignment = _NUMBER
            if record is None:
                continue
            _place_value(cell, record, failed)
        self.sheet.row_dimensions[self.row].height = _POINTS_PER_LINE * height + 4
        self.row += 1

    def gap(self) -> None:
        self.row += 1


def _place_value(cell, record: dict, failed: set[tuple]) -> None:
    value, note = plain(record["value"]), record["note"] or ""
    readings = record.get("ocr_readings")  # none in an output written before the column
    key = (record["table"], record["row_id"], record["column_id"])
    found = not (pd.isna(record["page"]) and pd.isna(record["raw"]))  # web pages have no page numbers
    if not found:
        cell.value, cell.font = "·", _MISSING_FONT
        cell.comment = Comment(hover_note(note, record["note_code"], readings=readings), "gongkai")
    elif value is not None:
        cell.value = value
    elif record["note_code"] == NoteCode.OCR_DOUBTFUL:
        cell.value = DOUBTFUL
    else:
        raw = plain(record["raw"])
        cell.value = str(raw).strip() if raw is not None else None
    if note and record["note_code"] != NoteCode.BLANK and found:
        cell.fill = _NOTE_FILL
        cell.comment = Comment(hover_note(note, record["note_code"], record["raw"], readings), "gongkai")
    if key in failed:
        cell.fill = _FAILED_FILL


def _failed_cells(checks: pd.DataFrame) -> dict[str, set[tuple]]:
    """Per source, the (table, row_id, column_id) of every cell in a failed rule."""
    out: dict[str, set[tuple]] = {}
    for source, cells in zip(
        checks["source"], checks["cells"].where(checks["status"] == "failed"), strict=True
    ):
        if isinstance(cells, str):
            out.setdefault(source, set()).update(map(cell_key, cells.split()))
    return out


def _report_title(report: pd.DataFrame, source: str) -> str:
    first = report.iloc[0]
    agency, year = plain(first["agency"]) or "？", plain(first["year"])
    return f"{agency} {year or '？'}年度 · {report_form(report) or '？'}版格式 · {source}"


def _table_sheet(book: Workbook, table_id: str, cells: pd.DataFrame, failed: dict[str, set]) -> None:
    """One table of every report, laid out as the form prints it.

    Tables 三 and 四 have the same header in both forms: it is printed once at the top
    and repeated on every printed page, and each report follows under its title line.
    Table 二's blocks each have their own header, so each block stays on one page with
    its header (the table's title repeats on every page). Each report of 二 and 三
    starts a page; table 四's one-row reports share pages.
    """
    table = FORMS[CURRENT_VERSION].table(table_id)
    widest = max(len(b.columns) for f in FORMS.values() for b in f.table(table_id).blocks)
    turned = len(table.rows) == 1  # table 四: no label column, its columns side by side
    shared_header = len(table.blocks) == 1
    sheet = book.create_sheet(TABLE_SHEETS[table_id])
    form = _FormSheet(sheet, 1 if turned else 2, widest)
    if not turned:
        sheet.column_dimensions["A"].width = _LABEL_WIDTH
    for column in range(form.first, form.last + 1):
        sheet.column_dimensions[get_column_letter(column)].width = _VALUE_WIDTH
    form.line(f"{table.numeral}、{table.title}", font=_TITLE_FONT, border=False)
    form.line(LEGEND, font=_SMALL_PRINT, border=False)
    if shared_header:
        block = table.blocks[0]
        paths = [(table.top_header, *c.path) if table.top_header else c.path for c in block.columns]
        form.header(paths, None if turned else table.stub_header or None)
        form.repeat_on_every_page(*form.header_rows)
        sheet.freeze_panes = f"{'A' if turned else 'B'}{form.row}"
    else:
        form.repeat_on_every_page(1, 1)
        sheet.freeze_panes = "B1"
    sources = sorted(cells.loc[cells["table"] == table_id, "source"].unique())
    for index, source in enumerate(sources):
        report = cells[(cells["source"] == source) & (cells["table"] == table_id)]
        printed = FORMS.get(str(report["form"].iloc[0]), FORMS[CURRENT_VERSION]).table(table_id)
        by_key = {(r["row_id"], r["column_id"]): r for r in report.to_dict("records")}
        report_failed = failed.get(source, set())
        if index and not turned:
            form.new_page()
        first = form.row
        form.line(_report_title(report, source), fill=_GROUP_FILL)
        if turned:
            row_id = printed.rows[0].id
            form.values(None, 0, [by_key.get((row_id, c.id)) for c in printed.columns], report_failed)
            form.keep_together(first)
            form.gap()
        elif shared_header:
            _table_rows(form, printed, report, by_key, report_failed)
            form.keep_together(first)
        else:
            _table_blocks(form, printed, report, by_key, report_failed)


def _table_rows(form: _FormSheet, table: Table, report: pd.DataFrame, by_key: dict, failed: set) -> None:
    """The rows of a one-block table (三) with its group rows, under the header already printed."""
    columns = table.blocks[0].columns
    for line in form_lines(table, report["row_id"]):
        if line.is_group:
            form.line(line.label, fill=_GROUP_FILL, depth=line.depth)
        else:
            form.values(line.label, line.depth, [by_key.get((line.row_id, c.id)) for c in columns], failed)


def _table_blocks(form: _FormSheet, table: Table, report: pd.DataFrame, by_key: dict, failed: set) -> None:
    """Table 二: each block under its title and its own columns, kept on one page."""
    first = form.row - 1  # the report's title line goes with its first block
    opened = False
    for line in form_lines(table, report["row_id"]):
        if line.is_group:
            if opened:
                form.keep_together(first)
                first = form.row
            opened = True
            block = next(b for b in table.blocks if b.id == line.group_id)
            form.line(line.label, fill=_HEADER_FILL)
            form.header([c.path for c in block.columns], table.stub_header or None)
            continue
        block = table.block_of(line.row_id)
        form.values(line.label, 0, [by_key.get((line.row_id, c.id)) for c in block.columns], failed)
    form.keep_together(first)


# ---------------------------------------------------------------------------
# Other sheets
# ---------------------------------------------------------------------------


def _long_sheet(
    book: Workbook,
    title: str,
    df: pd.DataFrame,
    autofilter: bool = True,
    widest: int = 30,
    folded: dict[str, int | None] | None = None,
    headers: dict[str, str] | None = None,
    titles: Iterable[str] = (),
    widths: dict[str, float] | None = None,
) -> Worksheet:
    """A sheet of records under Chinese headers, set up to print; the columns of `folded`
    ({name: width}) are that wide (None: as wide as their values, up to `widest`), their longer
    text folded within them, not cut on paper.
    `headers` ({name: header}): headers other than HEADERS'; `titles`: lines above the header,
    a title and then notes in small print (the header, frozen, filtered and printed on every
    page, under them); `widths` ({name: width}): columns narrower or wider than their values,
    whose header folds when it is wider (the header row as high as its tallest)."""
    sheet = book.create_sheet(title)
    titles = list(titles)
    top = len(titles) + 1  # the header's row
    named = {**HEADERS, **(headers or {})}
    for column, name in enumerate(df.columns, start=1):
        sheet.cell(top, column, named.get(name, name))
    for cell in sheet[top]:
        cell.font, cell.fill, cell.alignment = _BOLD, _HEADER_FILL, _CENTER
    for row, line in enumerate(titles, start=1):
        sheet.cell(row, 1, line).font = _TITLE_FONT if row == 1 else _SMALL_PRINT
    for row in df.itertuples(index=False):
        sheet.append([plain(v) for v in row])
    sheet.freeze_panes = f"A{top + 1}"
    _fit_columns(sheet, limit=widest, first_row=top + 1)
    for column in range(1, len(df.columns) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = max(
            sheet.column_dimensions[get_column_letter(column)].width or 0,
            _width(sheet.cell(top, column).value) + 3,
        )
    for name, width in {**(folded or {}), **(widths or {})}.items():
        if name in df.columns and width is not None:
            sheet.column_dimensions[get_column_letter(df.columns.get_loc(name) + 1)].width = width
    _fit_header(sheet, top)
    if columns := [df.columns.get_loc(name) + 1 for name in folded or {} if name in df.columns]:
        _fold(sheet, columns, first_row=top + 1)
    last = f"{get_column_letter(max(1, len(df.columns)))}{sheet.max_row}"
    if autofilter and len(df.columns):
        sheet.auto_filter.ref = f"A{top}:{last}"
    # Long text overflowing past the last column would otherwise widen every printed page.
    sheet.print_area = f"A1:{last}"
    _print_setup(sheet, title_rows=f"{top}:{top}")
    return sheet


def _fit_header(sheet: Worksheet, row: int) -> None:
    """The header row as high as its most folded header: without a height of its own, a header
    folded to two lines printed over the first row of values (LibreOffice)."""
    lines = max(
        (
            _lines(cell.value, sheet.column_dimensions[get_column_letter(cell.column)].width or _VALUE_WIDTH)
            for cell in sheet[row]
            if cell.value is not None
        ),
        default=1,
    )
    if lines > 1:
        sheet.row_dimensions[row].height = _POINTS_PER_LINE * lines + 4


def _fold(sheet: Worksheet, columns: list[int] | None = None, first_row: int = 2) -> None:
    """Text longer than its column (of `columns`, by default every one) folds within it from
    `first_row` on, the row as high as its lines: past the print area it would be cut off on paper."""
    columns = list(range(1, sheet.max_column + 1)) if columns is None else columns
    widths = {c: sheet.column_dimensions[get_column_letter(c)].width for c in columns}
    for row in sheet.iter_rows(min_row=first_row):
        cells = [row[c - 1] for c in columns if c <= len(row) and row[c - 1].value is not None]
        lines = max((_lines(cell.value, widths[cell.column]) for cell in cells), default=1)
        if lines > 1:
            for cell in row:
                cell.alignment = _WRAP if cell.column in widths else _MIDDLE
            sheet.row_dimensions[row[0].row].height = _POINTS_PER_LINE * lines + 2


# The cells sheet on paper: the columns up to 页码 on one page, at the scale that fits them to
# its width, the rest (the remarks and the ids of agency and group) on the next page, which
# prints beside it (across, then down). Its columns are narrower than on the other sheets: the
# file (whose agency and year are beside it), the table (its numeral first) and the ids are cut
# on paper, the row and column labels, the value and the page are whole.
_CELLS_ON_THE_FIRST_PAGE = "page"
# The form's column, as wide as its number (2021): its header folds two characters a line (格式 and
# 版本) in Excel and in LibreOffice, with Calibri or its stand-ins (Carlito, DejaVu Sans, wider). At
# 6, a third character fitted in DejaVu Sans' wider column, and the header folded as 格式版 and 本;
# the numbers of 用时(秒), at 8 as wide, fold it no more (it fits whole at 9).
_FORM_WIDTH = 5
# The labels fold within their columns (a row's label wider than 30 was cut on paper), as wide as
# the 同比 sheet's: table 三's labels of one line (一、本年新收政府信息公开申请数量) on one line.
_CELLS_FOLDED = {"group": None, "row": 34, "column": 28}
_CELLS_WIDTHS = {
    "source": 16,
    "agency": 20,
    "year": 6,
    "form": _FORM_WIDTH,
    "table": 14,
    "table_id": 12,
    "row_id": 14,
    "column_id": 12,
    "page": 6,
}


# The files sheet on paper: fitted to the page width, its rows flowing over the pages under its
# header. Its counts are as narrow as their numbers (the header folds above them) and the hash is
# cut to about the 16 characters the summary shows: at their headers' widths the sheet was a
# fifth wider, and printed at two fifths of the size (LibreOffice), not half.
_FILES_WIDTHS = {
    "year": 6,
    "form": _FORM_WIDTH,
    "pages": 6,
    "cells_found": 7,
    "cells_expected": 7,
    "checks_failed": 7,
    "seconds": 9,
    "sha256": 17,
    "pages_ocr": 6,  # at 5, Carlito's bold OCR is wider than it, cut as OC and R页
}


# A hash longer than its column, cut at its edge: text overflows into the empty cells beside it,
# and a failed file's, beside no count, printed in full across them. "fill" cuts it there in Excel
# and LibreOffice (it would repeat a text shorter than the column: a SHA-256 never is).
_CUT = Alignment(horizontal="fill", vertical="center")


def _cut_hashes(sheet: Worksheet, files: pd.DataFrame) -> None:
    if "sha256" not in files.columns:
        return
    column = files.columns.get_loc("sha256") + 1
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row, column)
        if (
            isinstance(cell.value, str)
            and _width(cell.value) > sheet.column_dimensions[cell.column_letter].width
        ):
            cell.alignment = _CUT


# The checks sheet on paper: the rule's words and the cells it takes fold in their columns (the
# cells, a list of ids, a line each: spilled over the empty 左边 and 右边 of a rule not evaluated,
# they were cut at the page's edge), the rule's id whole, as wide as the longest (up to _RULE_ID_WIDEST),
# and so the cells' ids, each whole on its line: at 46, ids longer than it were cut in two
# (applications/withheld_administrative_query/natural_perso|n), planned as two lines each (most of
# a rule of 23 cells printed blank) or, folded by LibreOffice after all, cut at the row's foot. The
# rule's words fold to two lines at 40 as at 50, a column narrower on a page that prints larger.
# The file's name folds as the files sheet's does, its column as wide as the names (up to
# _long_sheet's widest): reports/2024/…/a-very-long-name….pdf was cut at 30.
_CHECKS_FOLDED = {"source": None, "rule": 40, "cells": 46}
_RULE_ID_WIDEST = 64


def _checks_widths(checks: pd.DataFrame) -> dict[str, float]:
    def widest(name: str, words: Callable[[str], Iterable[str]]) -> float:
        texts = checks[name].dropna() if name in checks.columns else []
        return max((_width(w) + 2 for t in texts for w in words(t)), default=_VALUE_WIDTH)

    rule_id = min(_RULE_ID_WIDEST, widest("rule_id", lambda i: [i]))
    cells = min(_RULE_ID_WIDEST, max(_CHECKS_FOLDED["cells"], widest("cells", str.split)))
    return {"rule_id": rule_id, "cells": cells}


def _print_across_two_pages(sheet: Worksheet, last_first_page_column: int) -> None:
    """Print the columns up to `last_first_page_column` on a page, the rest on the one beside
    it, at the scale that fits the first page's columns to its width (not the whole width
    fitted to one page, at a third of the size). A sheet of no records keeps its header on one
    page, fitted to its width: two pages of a header alone say no more."""
    if sheet.max_row < 2:
        return
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
    page, _, wide = _printed_width(sheet, last_first_page_column)  # to fit in Excel and LibreOffice
    sheet.page_setup.scale = min(100, int(100 * page / wide * 0.97))
    sheet.col_breaks.append(Break(id=last_first_page_column))
    sheet.page_setup.pageOrder = "overThenDown"
    sheet.print_options.horizontalCentered = False


def _form_as_number(frame: pd.DataFrame) -> pd.DataFrame:
    """The form version (text in the records: "2021") as the number a sheet shows and sorts."""
    if "form" not in frame.columns:
        return frame
    return frame.assign(form=pd.to_numeric(frame["form"], errors="coerce").astype("Int64"))


def _cells_for_people(cells: pd.DataFrame) -> pd.DataFrame:
    """The records with the tables' Chinese names (the ids beside them) and the form as a number."""
    names = {t.id: f"{t.numeral}、{t.title}" for t in FORMS[CURRENT_VERSION].tables}
    out = cells.copy()
    out.insert(out.columns.get_loc("table") + 1, "table_id", out["table"])
    out["table"] = out["table"].map(names).fillna(out["table"])
    return _form_as_number(out)


_OVERVIEW_CENTRED = ("year", "form", "status")


def _overview_sheet(book: Workbook, cells: pd.DataFrame, files: pd.DataFrame, checks: pd.DataFrame) -> None:
    # No report read: its header alone, as wide as a batch's (the title was cut to one column).
    figures = headlines(cells, checks)
    # One agency's years one under the other.
    figures = figures.sort_values(["agency", "year", "source"], kind="stable", ignore_index=True)
    status = files.drop_duplicates("source").set_index("source")["status"]
    figures.insert(4, "status", figures["source"].map(status))
    figures = _form_as_number(figures)
    figures = figures[[c for c in figures.columns if c != "source"] + ["source"]]
    note = (
        "数字为“总计”列；不予公开为其八项之和；行政诉讼结果纠正为未经复议直接起诉与复议后起诉之和。"
        "所涉单元格有空白、“/”、未找到或待核（扫描件上未能可靠识别）时，该数留空（不把空白当作 0）。"
    )
    titles = ["政府信息公开工作年度报告 · 概览", note]
    sheet = _long_sheet(book, "概览", figures, autofilter=False, titles=titles)
    widths = {"agency": 24, "未通过的校验": 40, "source": 34}
    widths = [widths.get(name, 10) for name in figures.columns]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    # The year, the form and the status centred, as the 同比 sheet's years: the form's number, right
    # against the status's word, printed as one (2021ok).
    centred = {index for index, name in enumerate(figures.columns) if name in _OVERVIEW_CENTRED}
    header = len(titles) + 1  # the header's row, under the titles (_long_sheet)
    for row in sheet.iter_rows(min_row=header, max_row=sheet.max_row):
        lines = 1
        for index, (cell, width) in enumerate(zip(row, widths, strict=False)):
            cell.border = _BORDER
            plain = Alignment(wrap_text=True, vertical="center")
            cell.alignment = _CENTER if cell.row == header or index in centred else plain
            if cell.value is not None:
                lines = max(lines, _lines(cell.value, width))
        sheet.row_dimensions[row[0].row].height = _POINTS_PER_LINE * lines + 4


def _year_over_year_sheet(book: Workbook, cells: pd.DataFrame, files: pd.DataFrame) -> None:
    pairs = year_over_year(without_copies(cells, files)[0])  # the files sheet names the copies
    if pairs.empty:
        return
    # The files sheet names each report's file: here the agency and the years say which.
    _comparison_sheet(book, pairs.drop(columns=["source_a", "source_b"]))


# The comparison's columns of words, folded to these widths (Excel's units) rather than cut in
# print; the share as a percentage needs no more than this.
# The agency is as wide as its name (up to _long_sheet's widest), the row as table 三's labels of
# one line (一、本年新收政府信息公开申请数量) and the column as its longest path
# (法人或其他组织/社会公益组织): at 20, 30 and 24, a name of ten characters, those labels and paths
# were planned as two lines, and most rows of a comparison printed twice as high.
_COMPARISON_WIDTHS = {"agency": None, "group": 20, "row": 34, "column": 28, "note_a": 22, "note_b": 22}
_COMPARISON_YEARS = ("year_a", "year_b")  # centred: a year right against the group's words ran into them
_SHARE_WIDTH = 10


_YEARS = ("上年", "本年")  # what the two reports of consecutive years are called


def _comparison_sheet(
    book: Workbook, pairs: pd.DataFrame, titles: list[str] | None = None, labels: tuple[str, str] = _YEARS
) -> Worksheet:
    """同比: every compared cell under the form's Chinese labels (the ids left out), both values, the
    change and its share (as a percentage); a large change's row red. Set up to print as the other
    sheets are: the header frozen and printed on every page, landscape, fitted to the page width,
    the labels folded within their columns. `titles`: lines above the header (the files compared);
    `labels`: what the two reports' columns are called (2024年数值), 上年 and 本年 by default."""
    # A number OCR could not vouch for shows 待核 where its value would be, as on the form sheets,
    # its note in words (why), and what OCR read only in the hover note of its 待核.
    ids = ("table", "row_id", "column_id", "note_code_a", "note_code_b", *_READINGS_COLUMNS)
    # A comparison written before the readings columns has none: its notes are as they are.
    readings = {side: pairs.get(f"ocr_readings_{side}", pd.Series(None, pairs.index)) for side in "ab"}
    notes = {
        f"note_{side}": [
            note_on_paper(note, code, read)
            for note, code, read in zip(
                pairs[f"note_{side}"], pairs[f"note_code_{side}"], readings[side], strict=True
            )
        ]
        for side in "ab"
    }
    shown = pairs.assign(**shown_values(pairs), **notes).drop(columns=[c for c in ids if c in pairs])
    a, b = labels
    named = {"value_a": f"{a}数值", "value_b": f"{b}数值", "note_a": f"{a}说明", "note_b": f"{b}说明"}
    titles = list(titles or [])
    # What 待核 means, under the title, in small print (a line of its own where there is no title).
    legend = (shown["value_a"].eq(DOUBTFUL) | shown["value_b"].eq(DOUBTFUL)).any()
    if legend:
        titles.insert(1, COMPARISON_LEGEND)
    sheet = _long_sheet(
        book,
        "同比",
        shown,
        folded=_COMPARISON_WIDTHS,
        headers=named if labels != _YEARS else None,
        titles=titles,
        widths={"change_share": _SHARE_WIDTH},
    )
    if legend:
        sheet.cell(titles.index(COMPARISON_LEGEND) + 1, 1).font = _SMALL_PRINT
    names = list(shown.columns)
    first = len(titles) + 2  # the first row of values
    large, share = names.index("large") + 1, names.index("change_share") + 1
    folded = {names.index(name) + 1 for name in _COMPARISON_WIDTHS if name in names}
    years = {names.index(name) + 1 for name in _COMPARISON_YEARS if name in names}
    for row in range(first, sheet.max_row + 1):
        if sheet.cell(row, large).value:
            for column in range(1, len(names) + 1):
                sheet.cell(row, column).fill = _FAILED_FILL
        sheet.cell(row, large).value = "是" if sheet.cell(row, large).value else ""
        sheet.cell(row, share).number_format = "0.0%"
        for side in "ab":  # the whole note, what OCR read too, where the value is 待核
            cell = sheet.cell(row, names.index(f"value_{side}") + 1)
            if cell.value == DOUBTFUL and isinstance(note := pairs[f"note_{side}"].iloc[row - first], str):
                read = readings[side].iloc[row - first]
                cell.comment = Comment(hover_note(note, NoteCode.OCR_DOUBTFUL, readings=read), "gongkai")
        for column in range(1, len(names) + 1):  # the labels folded (_long_sheet), the numbers right
            cell = sheet.cell(row, column)
            if column in folded:
                cell.alignment = _WRAP
            elif column in years:
                cell.alignment = _CENTER
            else:
                number = isinstance(cell.value, int | float) or cell.value == DOUBTFUL
                cell.alignment = _NUMBER if number else _MIDDLE
    return sheet


@contextmanager
def _saved_workbook(path: str | os.PathLike[str]) -> Iterator[Workbook]:
    """A workbook of no sheet to add sheets to, saved to `path` once they are added (in its place
    at once: no half workbook is left by Ctrl-C or a full disk; OutputWriteError if it cannot be
    written). An error while the sheets are added saves nothing."""
    book = Workbook()
    book.remove(book.active)
    yield book
    with replacing(path) as temporary:
        book.save(temporary)


def write_tables(
    tables: dict[str, pd.DataFrame],
    path: str | os.PathLike[str],
    notes: dict[str, dict[tuple[int, str], str]] | None = None,
) -> None:
    """One sheet per table, named by its key, laid out as the records sheets are (Chinese
    headers, numbers as numbers, the header frozen, an autofilter, the columns fitted) and set
    up to print as every sheet of the workbook: `gongkai summary -o summary.xlsx`. `notes`:
    per sheet, {(row, column name): text} hover notes of cells (row: the table's position)."""
    with _saved_workbook(path) as book:
        for name, table in tables.items():
            sheet = _long_sheet(book, name, table)
            # Text longer than its column (the rules a report breaks, the reasons) folds within it.
            _fold(sheet)
            for (row, column), text in (notes or {}).get(name, {}).items():
                cell = sheet.cell(row + 2, table.columns.get_loc(column) + 1)
                cell.comment = Comment(text, "gongkai")


def write_comparison_workbook(
    pairs: pd.DataFrame, path: str | os.PathLike[str], labels: tuple[str, str] = _YEARS
) -> None:
    """The comparison (`compare_cells` with source_a and source_b, or `year_over_year`) as a
    workbook of one sheet, 同比, laid out and set up to print as `write_workbook`'s 同比 sheet; the
    files compared are named above the header, each pair once, not on every row. `labels`: what
    the two reports are called (their years, or A and B), 上年 and 本年 by default."""
    titles = None
    a, b = labels
    if {"source_a", "source_b"} <= set(pairs.columns):
        files = list(dict.fromkeys(zip(pairs["source_a"], pairs["source_b"], strict=True)))
        titles = ["政府信息公开工作年度报告 · 同比", *(f"{a}文件 {x} → {b}文件 {y}" for x, y in files)]
        pairs = pairs.drop(columns=["source_a", "source_b"])
    with _saved_workbook(path) as book:
        _comparison_sheet(book, pairs, titles, labels)


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def _gather(
    reports_or_cells: object,
    files: pd.DataFrame | None,
    checks: pd.DataFrame | None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    if isinstance(reports_or_cells, pd.DataFrame):
        records.require_cells(reports_or_cells, "reports_or_cells")
        cells = reports_or_cells
        if checks is None:
            checks = records.frame(
                "checks",
                (
                    result.record(str(source))
                    for source, report in cells.groupby("source", sort=True)
                    for result in run_checks(
                        FORMS.get(report_form(report) or CURRENT_VERSION, FORMS[CURRENT_VERSION]),
                        records.cell_records_of(report),
                    )
                    if result.status != "passed"
                ),
            )
        if files is None:
            files = records.frame("files", _file_rows(cells, checks))
        return cells, files, checks
    # One Report or many; duck-typed (records.require_reports), as reports come from a later stage.
    reports = records.require_reports(reports_or_cells)
    reports.sort(key=lambda r: r.source)
    cell_frames = [r.cells for r in reports if len(r.cells)]
    cells = pd.concat(cell_frames, ignore_index=True) if cell_frames else records.empty_frame("cells")
    if files is None:
        files = records.frame("files", (r.file_record() for r in reports))
    if checks is None:
        frames = [r.checks_frame[r.checks_frame["status"] != "passed"] for r in reports]
        checks = pd.concat(frames, ignore_index=True) if frames else records.empty_frame("checks")
    return cells, files, checks


def _file_rows(cells: pd.DataFrame, checks: pd.DataFrame) -> Iterable[dict]:
    failed = checks[checks["status"] == "failed"].groupby("source").size()
    for source, report in cells.groupby("source", sort=True):
        first = report.iloc[0]
        found = int((report["page"].notna() | report["raw"].notna()).sum())
        yield {
            "source": source,
            "status": "ok" if found == len(report) else "partial",
            "agency": first["agency"],
            "agency_key": first["agency_key"],
            "year": first["year"],
            "form": report_form(report),
            "cells_found": found,
            "cells_expected": len(report),
            "checks_failed": int(failed.get(source, 0)),
        }


def write_workbook(
    reports_or_cells: object,
    path: str | os.PathLike[str],
    files: pd.DataFrame | None = None,
    checks: pd.DataFrame | None = None,
) -> None:
    """Write the workbook for one Report, an iterable of Reports, or the cells (DataFrame) of a batch.

    With cells only, the per-file table and the checks are worked out from them.
    """
    # Before the reports: `iter_reports(...)` reads every file as they are gathered.
    path = check_path(path)
    cells, files, checks = _gather(reports_or_cells, files, checks)
    failed = _failed_cells(checks)
    with _saved_workbook(path) as book:
        _overview_sheet(book, cells, files, checks)
        for table_id in TABLE_SHEETS:
            _table_sheet(book, table_id, cells, failed)
        _year_over_year_sheet(book, cells, files)
        people = _cells_for_people(cells)
        sheet = _long_sheet(book, "cells", people, folded=_CELLS_FOLDED, widths=_CELLS_WIDTHS)
        _print_across_two_pages(sheet, people.columns.get_loc(_CELLS_ON_THE_FIRST_PAGE) + 1)
        # The words of a reason and of a rule fold in their column, and so do a file's name and
        # path (cut, samples/tingchuan-environment-2022 lost its .pdf); the ids and hashes are cut.
        folded = {"reason": 40, "source": None, "duplicate_of": None}
        sheet = _long_sheet(book, "files", _form_as_number(files), folded=folded, widths=_FILES_WIDTHS)
        _cut_hashes(sheet, files)
        _long_sheet(book, "checks", checks, folded=_CHECKS_FOLDED, widths=_checks_widths(checks))
