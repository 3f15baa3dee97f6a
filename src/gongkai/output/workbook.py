"""The XLSX workbook for journalists: Chinese headers, one sheet per table laid out like the form."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..forms import CURRENT_VERSION, FORMS

HEADERS = {
    "source": "来源文件",
    "agency": "机关",
    "year": "年度",
    "form": "格式版本",
    "table": "表",
    "row": "行",
    "row_id": "行ID",
    "column": "列",
    "column_id": "列ID",
    "value": "数值",
    "page": "页码",
    "raw": "原文",
    "note": "说明",
    "note_code": "说明代码",
    "status": "状态",
    "reason": "原因",
    "pages": "页数",
    "cells_found": "找到单元格",
    "cells_expected": "应有单元格",
    "checks_failed": "未通过校验",
    "seconds": "用时（秒）",
    "rule_id": "规则ID",
    "rule": "规则",
    "cells": "涉及单元格",
    "left": "左边",
    "right": "右边",
}
TABLE_SHEETS = {t.id: f"{t.numeral}、{t.short_title}" for t in FORMS[CURRENT_VERSION].tables}
_BOLD = Font(bold=True)
_BLOCK_FILL = PatternFill("solid", fgColor="DDEBF7")
_FLAG_FILL = PatternFill("solid", fgColor="FCE4D6")


def _cell_value(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _width(text: object) -> float:
    """Display width: a CJK character takes two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _fit_columns(sheet: Worksheet, limit: int = 60) -> None:
    widths: dict[int, float] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 0), _width(cell.value))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, limit)


def _long_sheet(book: Workbook, title: str, df: pd.DataFrame) -> None:
    sheet = book.create_sheet(title)
    sheet.append([HEADERS.get(c, c) for c in df.columns])
    for cell in sheet[1]:
        cell.font = _BOLD
    for row in df.itertuples(index=False):
        sheet.append([_cell_value(v) for v in row])
    sheet.freeze_panes = "A2"
    _fit_columns(sheet)


def _form_sheet(book: Workbook, table_id: str, cells: pd.DataFrame) -> None:
    """One block per report: its rows and columns as the form prints them."""
    sheet = book.create_sheet(TABLE_SHEETS[table_id])
    table_cells = cells[cells["table"] == table_id]
    sheet.freeze_panes = "B1"
    for source, report in table_cells.groupby("source", sort=True):
        first = report.iloc[0]
        version = FORMS.get(str(first["form"]), FORMS[CURRENT_VERSION])
        columns = list(dict.fromkeys(report["column"]))
        title = f"{_cell_value(first['agency']) or ''} {_cell_value(first['year']) or ''}（{source}）".strip()
        sheet.append([title])
        sheet.cell(sheet.max_row, 1).font = _BOLD
        sheet.cell(sheet.max_row, 1).fill = _BLOCK_FILL
        sheet.append([version.table(table_id).title, *columns])
        for cell in sheet[sheet.max_row]:
            cell.font = _BOLD
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        by_row = report.groupby("row", sort=False)
        for label, row_cells in by_row:
            values = dict(zip(row_cells["column"], row_cells["value"], strict=True))
            flagged = set(row_cells.loc[row_cells["note"].fillna("") != "", "column"])
            sheet.append([label, *(_cell_value(values.get(c)) for c in columns)])
            for offset, column in enumerate(columns, start=2):
                if column in flagged:
                    sheet.cell(sheet.max_row, offset).fill = _FLAG_FILL
        sheet.append([])
    _fit_columns(sheet, limit=40)


def write_workbook(
    path: str | os.PathLike[str], cells: pd.DataFrame, files: pd.DataFrame, checks: pd.DataFrame
) -> None:
    """Write the cells, one form-shaped sheet per table, the per-file status and the failed checks."""
    book = Workbook()
    book.remove(book.active)
    _long_sheet(book, "cells", cells)
    for table_id in TABLE_SHEETS:
        _form_sheet(book, table_id, cells)
    _long_sheet(book, "files", files)
    _long_sheet(book, "checks", checks)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.partial")
    book.save(temporary)
    os.replace(temporary, target)
