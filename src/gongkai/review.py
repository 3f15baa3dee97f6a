"""Show a person what was read, so that they can check it against the PDF.

`print_report` prints each table as the form lays it out, group rows included,
doubtful cells marked and the cells of failed rules highlighted. A number is
never cut: number columns keep the width of their widest value, and only the
label column shrinks and wraps. `render_pages` draws the detected cells and the
matched rows and columns on the pages.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from PIL import Image, ImageDraw, ImageFont
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from .forms import FORMS, Table
from .model import CheckStatus, NoteCode, cell_key
from .numbers import counted, format_number
from .output.views import failed_rule, form_lines
from .output.writers import name_limit, writing
from .report import Report
from .sources import render_pages as render_pdf_pages
from .sources import shown_as_is

_RENDER_SCALE = 2.0  # 144 dpi: row labels stay legible

LEGEND = (
    "Legend: [bold red]·[/] not found · [yellow]yellow[/] read with a remark (∅: no number, e.g. / or text)"
    " · [dim]∅[/] blank cell · [white on red] red [/] in a failed rule"
)
# Without colour (piped, redirected, NO_COLOR) the styles are marks after the value instead.
PLAIN_LEGEND = (
    "Legend: · not found · * read with a remark (∅*: no number, e.g. / or text) · ∅ blank cell"
    " · ! in a failed rule"
)
_FAILED_MARK, _REMARK_MARK = "!", "*"
_LABEL_MIN_WIDTH = 10
# Under this a label column folds its labels at one space a level rather than two.
_NARROW_LABEL_WIDTH = 16
# Number columns are at least this wide: headers fold to two CJK characters a line on a narrow
# terminal, three from 100 columns on, which leaves the labels more room where there is some.
_NARROW_NUMBER_WIDTH, _NUMBER_WIDTH, _WIDE_TERMINAL = 4, 6, 100
_FAILED_STYLE = "bold white on red"


# A line of a folded label or header never starts with these (the line before gives up its last
# character instead): a comma or a closing bracket alone at the head of a line reads as a new item.
_NO_LINE_START = set("，。、；：？！）】」』”’》〉,.;:?!)]%")


def _fold(text: str, width: int, indent: str = "") -> list[str]:
    """`text` folded into lines of at most `width` terminal columns, counted as a terminal shows
    them (a CJK character is two wide), each line after `indent` (a hanging indent: a folded
    label stays under its own level)."""
    room = max(1, width - cell_len(indent))
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and cell_len(line + ch) > room:
            if ch == " ":  # a space where a line breaks goes with the break
                lines.append(line)
                line = ""
                continue
            if " " in line.lstrip(" "):  # words apart: at the last space, as a word wrap
                cut = line.rindex(" ")
                lines.append(line[:cut].rstrip(" "))
                line = line[cut + 1 :]
            else:
                carried = ""
                if ch in _NO_LINE_START and len(line) > 1:
                    line, carried = line[:-1], line[-1]
                lines.append(line)
                line = carried
        line += ch
    return [indent + part for part in [*lines, line]]


def _indent(depth: int, narrow: bool = False) -> str:
    """A label's hanging indent: two spaces a level; one in a narrow label column, to leave the
    words room."""
    return (" " if narrow else "  ") * depth


def _shown(record: dict) -> str:
    # Not found: neither on a page nor (web pages and Word files have no pages) with its text.
    if pd.isna(record["page"]) and pd.isna(record["raw"]):
        return "·"
    if pd.isna(record["value"]):
        return "∅"
    return format_number(float(record["value"]))


def _styled(record: dict | None, failed: set[tuple[str, str, str]], plain: bool = False) -> Text:
    if record is None:
        return Text("")
    shown = _shown(record)
    key = (record["table"], record["row_id"], record["column_id"])
    note = record["note"] or ""
    if key in failed:
        return Text(shown + _FAILED_MARK) if plain else Text(shown, style=_FAILED_STYLE)
    if shown == "·":
        return Text(shown, style="bold red")
    if record["note_code"] == NoteCode.BLANK:
        return Text(shown, style="dim")
    if note:
        return (
            Text(shown + _REMARK_MARK)
            if plain
            else Text(shown, style="bold yellow" if shown == "∅" else "yellow")
        )
    return Text(shown)


def _failed_cells(report: Report) -> set[tuple[str, str, str]]:
    """(table, row_id, column_id) of every cell in a failed rule."""
    failed = (check for check in report.checks if check.status == CheckStatus.FAILED)
    return {cell_key(cell) for check in failed for cell in check.cells}


class LabelledGrid:
    """A rich table of a label column and number columns, laid out for a terminal `width` wide.

    Every column's width is set here, in terminal columns (CJK characters are two wide): the
    number columns are as wide as their widest value, never less, and the label column takes the
    rest, down to _LABEL_MIN_WIDTH (or its longest label), each label folded to it with a hanging
    indent (`depths`: each label's level, none by default). Columns are one space apart, the table
    one space in from each edge, so every line of the table is exactly as wide as the table:
    `needed` is its width at the narrowest label column, which is the table's width wherever the
    terminal is narrower. The labels are measured at the full indent: the label column is sized
    for it, and folds at the narrow one only where it comes out narrow."""

    def __init__(
        self,
        title: str,
        headers: list[str],
        widths: list[int],
        labels: list[str],
        width: int,
        depths: Sequence[int] | None = None,
    ):
        self.table = RichTable(
            title=title, title_justify="left", header_style="bold", box=box.SIMPLE_HEAD, padding=0
        )
        fixed = (
            2 + sum(widths) + len(widths)
        )  # the two edges, and each number column with the space before it
        longest = _longest_label(labels, [0] * len(labels) if depths is None else depths)
        # As wide as its title where the terminal has room, so that the title does not fold.
        longest = max(longest, max((cell_len(line) for line in title.splitlines()), default=0) - fixed)
        self.needed = fixed + min(longest, _LABEL_MIN_WIDTH)
        self.label_width = min(longest, max(_LABEL_MIN_WIDTH, width - fixed))
        self.table.add_column("", no_wrap=True, width=self.label_width)
        for header, column_width in zip(headers, widths, strict=True):
            folded = "\n".join(_fold(header, column_width))
            self.table.add_column(folded, justify="right", no_wrap=True, width=column_width)

    def add_row(self, label: str, depth: int, cells: list, style: str | None = None) -> None:
        indent = _indent(depth, narrow=self.label_width < _NARROW_LABEL_WIDTH)
        self.table.add_row(Text("\n".join(_fold(label, self.label_width, indent)), style=style or ""), *cells)


def _longest_label(labels: list[str], depths: Sequence[int]) -> int:
    """The widest of `labels` at its full indent, in terminal columns: what a label column is
    sized for (LabelledGrid), and what a run of number columns is fitted beside (_column_runs)."""
    return max(
        (cell_len(_indent(depth) + label) for label, depth in zip(labels, depths, strict=True)), default=1
    )


def _column_widths(columns: list[list[str]], least: int, plain: bool = False) -> list[int]:
    """Each number column as wide as its widest value (and its mark, without colour), and at least `least`."""
    return [max(least, *(cell_len(v) + plain for v in values)) for values in columns]


def form_tables(report: Report, width: int = 80, plain: bool = False) -> list[tuple[RichTable, int]]:
    """Each table in the form's layout for a terminal `width` columns wide, with the least width
    it needs to show every number whole; `plain`: marks for the styles, for output without colour."""
    least = _NUMBER_WIDTH if width >= _WIDE_TERMINAL else _NARROW_NUMBER_WIDTH
    failed = _failed_cells(report)
    out: list[tuple[RichTable, int]] = []
    cells = report.cells
    for table_id, table_cells in cells.groupby("table", sort=False):
        table = FORMS[str(table_cells["form"].iloc[0])].table(str(table_id))
        records = table_cells.to_dict("records")
        by_key = {(r["row_id"], r["column_id"]): r for r in records}
        if len(table.rows) == 1:
            out.extend(_turned(table, by_key, failed, least, plain, width))
            continue
        for block, title in _blocks(table):
            out.extend(_labelled(table, block, title, table_cells, by_key, failed, least, plain, width))
    return out


def _blocks(table: Table):
    """Table 二 shows one grid per block (their columns differ); table 三 is one grid."""
    if len(table.blocks) == 1:
        return [(table.blocks[0], f"{table.numeral}、{table.title}")]
    return [
        (block, f"{table.numeral}、{table.title}\n{block.title}" if i == 0 else block.title)
        for i, block in enumerate(table.blocks)
    ]


def _labelled(
    table: Table,
    block,
    title: str,
    table_cells: pd.DataFrame,
    by_key: dict,
    failed: set,
    least: int,
    plain: bool,
    width: int,
):
    in_block = {row.id for row in block.rows} | {row.id for row in table.alternative_rows}
    row_ids = [r for r in dict.fromkeys(table_cells["row_id"]) if r in in_block]
    lines = form_lines(table, row_ids)
    if len(table.blocks) > 1:
        lines = [line for line in lines if not line.is_group]  # the block's title is the grid's title
    values = [[_shown(by_key[(r, c.id)]) for r in row_ids if (r, c.id) in by_key] for c in block.columns]
    headers = [c.label for c in block.columns]
    widths = _column_widths(values, least, plain)
    depths = [line.depth if len(table.blocks) == 1 else 0 for line in lines]
    rows = [
        (
            line.label,
            depth,
            None
            if line.is_group
            else [_styled(by_key.get((line.row_id, c.id)), failed, plain) for c in block.columns],
        )
        for line, depth in zip(lines, depths, strict=True)
    ]
    return _grids(title, headers, widths, width, rows)


def _grids(title, headers, widths, width, rows) -> list[tuple[RichTable, int]]:
    """One grid, or where its number columns do not fit the terminal beside the narrowest label
    column, as many as it takes, each with the labels and the columns that fit (the title of each
    after the first says 续): at COLUMNS=30, table 三's seven columns printed 47 wide, each line
    wrapped by the terminal into two. `rows`: (label, depth, cells), cells None for a group row."""
    labels, depths = [label for label, _, _ in rows], [depth for _, depth, _ in rows]
    grids = []
    for first, last in _column_runs(widths, labels, depths, width):
        shown = title if not grids else f"{title.splitlines()[-1]}（续）"
        grid = LabelledGrid(shown, headers[first:last], widths[first:last], labels, width, depths)
        for label, depth, cells in rows:
            if cells is None:
                grid.add_row(label, depth, [""] * (last - first), style="bold")
            else:
                grid.add_row(label, depth, cells[first:last])
        grids.append((grid.table, grid.needed))
    return grids


def _column_runs(
    widths: list[int], labels: list[str], depths: list[int], width: int
) -> list[tuple[int, int]]:
    """The number columns in runs that each fit `width` beside the narrowest label column (at
    least one column a run)."""
    label = min(_longest_label(labels, depths), _LABEL_MIN_WIDTH)
    runs, first, used = [], 0, 2 + label
    for index, column in enumerate(widths):
        if index > first and used + column + 1 > width:
            runs.append((first, index))
            first, used = index, 2 + label
        used += column + 1
    runs.append((first, len(widths)))
    return runs


def _turned(table: Table, by_key: dict, failed: set, least: int, plain: bool, width: int):
    """Table 四: its three groups as rows, the five outcomes as columns."""
    row_id = table.rows[0].id
    groups: dict[str, list] = {}
    for column in table.columns:
        groups.setdefault("/".join(column.path[:-1]), []).append(column)
    outcomes = [c.label for c in next(iter(groups.values()))]
    values = [
        [_shown(by_key[(row_id, cols[i].id)]) for cols in groups.values() if (row_id, cols[i].id) in by_key]
        for i in range(len(outcomes))
    ]
    widths = _column_widths(values, least, plain)
    rows = [
        (name, 0, [_styled(by_key.get((row_id, c.id)), failed, plain) for c in columns])
        for name, columns in groups.items()
    ]
    return _grids(f"{table.numeral}、{table.title}", outcomes, widths, width, rows)


def print_report(report: Report, console: Console) -> None:
    """The report's identity, its tables as the form lays them out, a legend, and its rules."""
    console.print(
        f"[bold]{report.agency or '?'}[/bold] {report.year or '?'} · form {report.form} · "
        f"{report.status} · {report.cells_found}/{report.cells_expected} cells"
    )
    if report.reason:
        console.print(f"[yellow]{report.reason}[/yellow]")
    width = console.width
    plain = console.color_system is None or console.no_color  # piped, redirected or NO_COLOR: marks
    for table, needed in form_tables(report, width, plain):
        # Wider than the terminal only when even the narrowest label would cut a number: the
        # terminal then wraps the lines, which keeps every digit.
        console.width = max(width, needed)
        console.print(table, crop=False)
    console.width = width
    console.print(PLAIN_LEGEND if plain else LEGEND)
    failed = [c for c in report.checks if c.status == CheckStatus.FAILED]
    unevaluated = [c for c in report.checks if c.status == CheckStatus.NOT_EVALUATED]
    if not failed and not unevaluated:
        console.print("[green]Every arithmetic rule holds.[/green]")
    for check in failed:
        left, right = (format_number(v) for v in (check.left, check.right))
        where = failed_rule(report.form, check.rule_id)
        # The two sides first: on a narrow terminal the rule's words wrap, never the pair of
        # numbers, which starts a line of its own where it would not fit whole after the rule's id.
        pair = f"{left} ≠ {right}:"
        gap = "\n" if cell_len(f"failed {where}: {pair}") > console.width else " "
        console.print(f"[red]failed[/red] {where}:{gap}{pair} {check.rule}", highlight=False)
    if unevaluated:
        what = counted(len(unevaluated), "rule")
        console.print(f"[yellow]{what} not evaluated: empty cells are involved[/yellow]")


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------

_MARGIN_RIGHT = 420  # pixels beside the page for the row tags
_TAG_HEIGHT = 16
_COLUMN_TAG_LINES = 6  # lines above the page for the column tags
_LEGEND_HEIGHT = 28


def _font(size: int) -> ImageFont.ImageFont:
    for name in ("DejaVuSans.ttf", "NotoSansCJK-Regular.ttc", "LiberationSans-Regular.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()


def _place_rows(wanted: list[tuple[float, str]], height: int, top: float) -> list[tuple[float, float, str]]:
    """Tags at the wanted heights, pushed down just enough that none overlaps the one above."""
    placed: list[tuple[float, float, str]] = []
    floor = top
    for y, text in sorted(wanted):
        at = max(y - height / 2, floor)
        placed.append((y, at, text))
        floor = at + height + 1
    return placed


def _place_columns(wanted: list[tuple[float, str, int]], lines: int) -> list[tuple[float, int, str]]:
    """Column tags over their columns, each on the first line where it overlaps no other tag."""
    used: list[list[tuple[float, float]]] = [[] for _ in range(lines)]
    placed = []
    for x, text, width in sorted(wanted):
        start = x - width / 2
        for line in range(lines):
            if all(start + width + 4 <= a or start >= b + 4 for a, b in used[line]):
                used[line].append((start, start + width))
                placed.append((x, line, text))
                break
    return placed


# The end of a page image's name, with room for a page number of four digits.
_PNG_END = "-page9999.png"


def _kept_in_name(char: str) -> bool:
    """A character a PNG's name keeps: one a message shows as it is (`sources.shown_as_is`), but
    a path separator, and a space other than the plain one (the full-width U+3000 a message keeps):
    it looks like a space and is none to a shell, so that a name typed back would miss the file."""
    return shown_as_is(char) and char not in "/\\" and (char == " " or not char.isspace())


def png_stem(path: str | os.PathLike[str], folder: str | os.PathLike[str] = ".") -> tuple[str, str | None]:
    """The start of the PNG names for the report at `path`: its file name without the extension,
    made a name every file system and shell takes (valid UTF-8, no control character, no path
    separator) and cut where `{stem}-pageN.png` would be longer than a file name in `folder` may
    be, and why it differs from the file's own name, or None.

    A name of bytes that are not UTF-8 (a file unzipped from an archive made on Chinese Windows)
    is read as GB18030, which GBK and GB2312 are subsets of: 桂岭乡2024年报, not the
    \\xb9\\xf0... escapes of its text. Bytes GB18030 cannot read either become `_`."""
    stem = Path(os.fspath(path)).stem
    why = None
    try:
        stem.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(stem)
        try:
            stem, why = raw.decode("gb18030"), "its file name is not UTF-8; read as GB18030 (GBK)"
        except UnicodeDecodeError:
            stem, why = raw.decode("utf-8", "replace").replace("\ufffd", "_"), "its file name is not UTF-8"
    safe = "".join(ch if _kept_in_name(ch) else "_" for ch in stem)
    if safe != stem and why is None:
        why = "its file name holds characters a file name should not"
    room = name_limit(folder) - len(_PNG_END)
    if len(cut := safe.encode("utf-8")[:room].decode("utf-8", "ignore")) < len(safe):
        safe, why = cut, why or "its file name is too long for the page's number beside it"
    return safe or "report", why


def render_pages(
    report: Report, out_dir: str | os.PathLike[str], path: str | os.PathLike[str] | None = None
) -> list[Path]:
    """PNG of every table page: detected cells outlined, placed values in green, cells of failed
    rules filled red; row tags beside the page and column tags above it, none overlapping; a legend.

    The pages are drawn from `path`, the file read (by default the report's source, which for a
    name of bytes that are not UTF-8 is its text, not a path that opens)."""
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    pages = sorted({g.page for geometry in report.geometry for g in geometry.grids})
    # Row ids are unique across the form's tables, so (row, column) names a cell.
    failed = {(row, column) for _, row, column in _failed_cells(report)}
    font = _font(12)
    stem, _ = png_stem(path or report.source, target)
    written = []
    for number, rendered in zip(
        pages, render_pdf_pages(path or report.source, pages, _RENDER_SCALE), strict=True
    ):
        top = _COLUMN_TAG_LINES * _TAG_HEIGHT + 8
        size = (rendered.width + _MARGIN_RIGHT, rendered.height + top + _LEGEND_HEIGHT)
        image = Image.new("RGB", size, "white")
        image.paste(rendered, (0, top))
        draw = ImageDraw.Draw(image, "RGBA")

        def box(b: tuple[float, float, float, float], top: int = top) -> list[float]:
            x0, y0, x1, y1 = (v * _RENDER_SCALE for v in b)
            return [x0, y0 + top, x1, y1 + top]

        row_tags: list[tuple[float, str]] = []
        column_tags: dict[str, tuple[float, float]] = {}  # column id -> x, top of its top cell
        for geometry in report.geometry:
            for grid in (g for g in geometry.grids if g.page == number):
                for cell in grid.cells:
                    draw.rectangle(box(cell.bbox), outline=(120, 120, 255), width=1)
            for row_id, column_id, page_number, cell_box in geometry.value_boxes:
                if page_number != number:
                    continue
                area = box(cell_box)
                if (row_id, column_id) in failed:
                    draw.rectangle(area, fill=(255, 0, 0, 70))
                draw.rectangle(area, outline=(0, 170, 0), width=3)
                x, y = (area[0] + area[2]) / 2, area[1]
                if column_id not in column_tags or y < column_tags[column_id][1]:
                    column_tags[column_id] = (x, y)
            for row_id, page_number, label_box in geometry.row_labels:
                if page_number == number:
                    area = box(label_box)
                    row_tags.append(((area[1] + area[3]) / 2, row_id))
        _draw_tags(draw, font, rendered.width, top, row_tags, column_tags)
        legend = (
            "blue: detected cells   green: cells placed on the form   red fill: cells of a failed rule   "
            "right: row_id of each matched row   top: column_id of each placed column"
        )
        draw.text((10, image.height - _LEGEND_HEIGHT + 6), legend, fill=(40, 40, 40), font=font)
        png = target / f"{stem}-page{number}.png"
        with writing(png):  # a full disk: one line that names the image, not a traceback
            image.save(png)
        written.append(png)
    return written


def _draw_tags(
    draw: ImageDraw.ImageDraw,
    font: ImageFont.ImageFont,
    page_width: int,
    top: int,
    row_tags: list[tuple[float, str]],
    column_tags: dict[str, tuple[float, float]],
) -> None:
    """Row tags in the right margin and column tags above the page, each led to its place."""
    x_tags = page_width + 12
    for y, at, text in _place_rows(row_tags, _TAG_HEIGHT, top):
        draw.line([(page_width - 4, y), (x_tags - 2, at + _TAG_HEIGHT / 2)], fill=(200, 0, 0), width=1)
        right = x_tags + font.getlength(text) + 6
        draw.rectangle([x_tags, at, right, at + _TAG_HEIGHT - 1], fill=(255, 255, 200))
        draw.text((x_tags + 3, at + 1), text, fill=(200, 0, 0), font=font)
    wanted = [(x, text, math.ceil(font.getlength(text)) + 6) for text, (x, _) in column_tags.items()]
    placed = _place_columns(wanted, _COLUMN_TAG_LINES)
    for x, line, text in placed:  # the leader lines first, so that no tag is crossed by one
        y = 4 + line * _TAG_HEIGHT + _TAG_HEIGHT - 2
        draw.line([(x, y), (x, column_tags[text][1])], fill=(0, 110, 0, 120), width=1)
    for x, line, text in placed:
        y = 4 + line * _TAG_HEIGHT
        width = font.getlength(text) + 6
        draw.rectangle([x - width / 2, y, x + width / 2, y + _TAG_HEIGHT - 2], fill=(225, 245, 225))
        draw.text((x - width / 2 + 3, y), text, fill=(0, 110, 0), font=font)
