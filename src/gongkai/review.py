"""Show a person what was read, so that they can check it against the PDF.

`form_tables` lays each table out as the form prints it, with doubtful cells
marked; `render_pages` draws the detected cells and matched rows on the pages.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
from PIL import ImageDraw
from rich.table import Table as RichTable
from rich.text import Text

from .forms import FORMS
from .numbers import format_number
from .report import Report
from .sources.pdf import render_pages as render_pdf_pages

_RENDER_SCALE = 2.0  # 144 dpi: row labels stay legible


def _styled(value: object, note: str, page: object) -> Text:
    shown = format_number(None if pd.isna(value) else float(value))
    if pd.isna(page):
        return Text("·", style="bold red")  # not found
    if note and pd.isna(value):
        return Text(shown or "∅", style="bold yellow")  # blank, n/a or unreadable
    if note:
        return Text(shown, style="yellow")  # read, with a remark
    return Text(shown)


def form_tables(report: Report) -> list[RichTable]:
    """Each table in the form's layout, doubtful cells highlighted; a one-row table is shown turned."""
    out = []
    for table_id, table_cells in report.cells.groupby("table", sort=False):
        table = FORMS[str(table_cells["form"].iloc[0])].table(str(table_id))
        grid = RichTable(title=f"{table.numeral}、{table.title}", header_style="bold", title_justify="left")
        columns = list(dict.fromkeys(table_cells["column"]))
        if len(table.rows) == 1:
            grid.add_column("列")
            grid.add_column("数值", justify="right")
            for r in table_cells.itertuples(index=False):
                grid.add_row(r.column, _styled(r.value, r.note or "", r.page))
            out.append(grid)
            continue
        grid.add_column("行", overflow="ellipsis", no_wrap=True, max_width=30)
        for column in columns:
            grid.add_column(column.replace("/", "\n"), justify="right", no_wrap=True)
        for row_label, row_cells in table_cells.groupby("row", sort=False):
            by_column = {r.column: r for r in row_cells.itertuples(index=False)}
            shown = [
                _styled(by_column[c].value, by_column[c].note or "", by_column[c].page)
                if c in by_column
                else Text("")
                for c in columns
            ]
            grid.add_row(str(row_label), *shown)
        out.append(grid)
    return out


def render_pages(report: Report, out_dir: str | os.PathLike[str]) -> list[Path]:
    """PNG of every table page: detected cells outlined, placed values in green, matched rows labelled."""
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    pages = sorted({g.page for geometry in report.geometry for g in geometry.grids})
    written = []

    def box(b: tuple[float, float, float, float]) -> list[float]:
        return [v * _RENDER_SCALE for v in b]

    for number, image in zip(pages, render_pdf_pages(report.source, pages, _RENDER_SCALE), strict=True):
        draw = ImageDraw.Draw(image)

        for geometry in report.geometry:
            for grid in (g for g in geometry.grids if g.page == number):
                for cell in grid.cells:
                    draw.rectangle(box(cell.bbox), outline=(120, 120, 255), width=1)
            topmost: dict[str, tuple[float, float, float, float]] = {}
            for column_id, page_number, cell_box in geometry.value_boxes:
                if page_number != number:
                    continue
                draw.rectangle(box(cell_box), outline=(0, 170, 0), width=3)
                if column_id not in topmost or cell_box[1] < topmost[column_id][1]:
                    topmost[column_id] = cell_box
            for column_id, cell_box in topmost.items():
                # Tag each column once per page, on its top placed cell.
                x0, top, _, _ = box(cell_box)
                draw.text((x0 + 3, top + 2), column_id, fill=(0, 110, 0))
            for row_id, page_number, label_box in geometry.row_labels:
                if page_number != number:
                    continue
                # Tag the bottom-right corner of the label cell, clear of the printed label.
                _, _, x1, bottom = box(label_box)
                width = 6.2 * len(row_id) + 6
                draw.rectangle([x1 - width, bottom - 14, x1, bottom], fill=(255, 255, 200))
                draw.text((x1 - width + 3, bottom - 13), row_id, fill=(200, 0, 0))
        path = target / f"{Path(report.source).stem}-page{number}.png"
        image.save(path)
        written.append(path)
    return written
