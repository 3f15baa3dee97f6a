"""Grid engine for tables drawn without full rules: rebuild the grid from where the text sits.

Some reports print table lines only between rows, or none at all, and web
pages printed to PDF often lose them. Here the grid comes from the text:

* a data line is one with standalone numbers; its numbers, stacked over all
  data lines, give the value columns;
* label words left of the numbers give the label columns, by where they start;
* header lines above the data give each value column its header text, taking
  every header word that stands over the column (wide headers such as
  法人或其他组织 stand over several);
* a label line without numbers (a wrapped label) joins the nearest data line.

The result is an ordinary `Grid`, so matching works the same on both kinds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from ..forms import ValueKind
from ..labels import block_title, is_header_text, split_numbering
from ..model import Char, Grid, GridCell, Heading, Page, Word
from ..numbers import SPECK, is_value_text, parse_value
from ..settings import DEFAULT, TextEngineSettings
from ..sources.chars import block_text, group_lines, split_words


class _Kind(StrEnum):
    """What a line of a rule-less table is."""

    DATA = "data"  # a row's numbers, with or without its label
    HEADER = "header"  # column headers
    TITLE = "title"  # a block caption of table 二 (第二十条第（一）项)
    LABEL = "label"  # words only: a wrapped row label


@dataclass
class _Line:
    """One line of a rule-less table, and what kind of line it is."""

    words: list[Word]
    kind: _Kind
    top: float
    bottom: float

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def _is_number(text: str) -> bool:
    return parse_value(text, ValueKind.AMOUNT).value is not None


def _classify(words: list[Word], settings: TextEngineSettings) -> _Kind:
    text = "".join(w.text for w in words)
    numbers = [w for w in words if _is_number(w.text)]
    labels = [w for w in words if not is_value_text(w.text)]
    marks = len(words) - len(numbers) - len(labels)
    # A lone number between dashes is a page number (- 4 -); a lone number alone is a value
    # centred beside a wrapped label.
    if numbers and (labels or len(numbers) >= settings.min_numbers_without_label or not marks):
        return _Kind.DATA
    if not numbers and block_title(text):
        return _Kind.TITLE
    if not numbers and any(is_header_text(w.text) for w in words):
        return _Kind.HEADER
    return _Kind.LABEL


# A number with a speck before it, as a scan reads dust (.0, ·12): its place is a value column's,
# whatever the verification later makes of its text.
_SPECKED_NUMBER_RE = re.compile(rf"^{SPECK}+\d+$")


def _is_value_word(text: str) -> bool:
    return is_value_text(text) or bool(_SPECKED_NUMBER_RE.match(text))


# A number with a speck or a stray mark after it (0., 0+): a scan's reading of a value, in a value
# column when it stands right of where the plain values start (a label's numbering 1. stands left).
_MARKED_NUMBER_RE = re.compile(rf"^{SPECK}*\d+(?:{SPECK}|[+*])+$")


def _value_columns(lines: Sequence[_Line], settings: TextEngineSettings) -> list[tuple[float, float]]:
    """Horizontal extents of the value columns: overlapping value words across data lines merged.
    A table of one data row (table 四) has one word per column: a value read with a mark after it
    still makes its column, else its neighbour's header took the column's place."""
    words = [w for line in lines if line.kind == _Kind.DATA for w in line.words]
    spans = sorted((w.x0, w.x1) for w in words if _is_value_word(w.text))
    if not spans:
        return []
    spans = sorted(
        spans + [(w.x0, w.x1) for w in words if w.x0 > spans[0][0] and _MARKED_NUMBER_RE.match(w.text)]
    )
    columns: list[list[float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1] + settings.value_column_join:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    return [(a, b) for a, b in columns]


def _label_starts(lines: Sequence[_Line], right: float, settings: TextEngineSettings) -> list[float]:
    starts = sorted(w.x0 for line in lines if line.kind != _Kind.HEADER for w in line.words if w.x1 <= right)
    if not starts:
        return []
    clusters: list[list[float]] = []
    for x in starts:
        if clusters and x - clusters[-1][-1] <= settings.label_column_tolerance:
            clusters[-1].append(x)
        else:
            clusters.append([x])
    kept = [c[0] for c in clusters if len(c) >= settings.min_label_column_support]
    return sorted({starts[0], *kept})


def _filled_columns(line: _Line, columns: Sequence[tuple[float, float]], slack: float) -> set[int]:
    return {
        i
        for w in line.words
        if _is_value_word(w.text)
        for i, (x0, x1) in enumerate(columns)
        if w.x0 <= x1 + slack and w.x1 >= x0 - slack
    }


def _continues(previous: _Line, line: _Line, columns: Sequence[tuple[float, float]], slack: float) -> bool:
    """A data line that is the second half of the row above: a top-aligned 总计 printed on the
    first line of a wrapped row, the other numbers centred on the next."""
    if previous.kind != _Kind.DATA or line.kind != _Kind.DATA:
        return False
    if line.top - previous.bottom > previous.bottom - previous.top:
        return False
    if _numbered(line):
        return False  # a numbered label opens a row of its own
    return not (_filled_columns(previous, columns, slack) & _filled_columns(line, columns, slack))


def _numbered(line: _Line) -> bool:
    label = "".join(w.text for w in line.words if not is_value_text(w.text))
    return bool(label) and bool(split_numbering(label)[0])


def _bands(lines: Sequence[_Line], columns: Sequence[tuple[float, float]], slack: float) -> list[list[_Line]]:
    """Group lines into grid rows: each data line with its wrapped label lines; headers merged."""
    bands: list[list[_Line]] = []
    kinds: list[_Kind] = []
    for line in lines:
        # The row above, looking past label-only lines (a wrapped group label between the two).
        above = next((i for i in range(len(kinds) - 1, -1, -1) if kinds[i] != _Kind.LABEL), None)
        if line.kind == _Kind.HEADER and kinds and kinds[-1] == _Kind.HEADER:
            bands[-1].append(line)
        elif (
            above is not None
            and kinds[above] == _Kind.DATA
            and _continues(bands[above][0], line, columns, slack)
        ):
            bands[above].append(line)
        elif line.kind in (_Kind.HEADER, _Kind.TITLE, _Kind.DATA):
            bands.append([line])
            kinds.append(line.kind)
        else:
            bands.append([line])
            kinds.append(_Kind.LABEL)
    # A label-only line belongs to a data line that no header or title separates it from: a
    # numbered one opens the row below; an unnumbered one continues the row above when the row
    # below opens with its own number; otherwise the nearer row takes it.
    for index, kind in enumerate(kinds):
        if kind != _Kind.LABEL:
            continue
        line = bands[index][0]
        reach: dict[int, int] = {}
        for step in (-1, 1):
            j = index + step
            while 0 <= j < len(kinds) and kinds[j] == _Kind.LABEL:
                j += step
            if 0 <= j < len(kinds) and kinds[j] == _Kind.DATA:
                reach[step] = j
        if not reach:
            continue
        if _numbered(line) and 1 in reach:
            target = reach[1]
        elif -1 in reach and 1 in reach and _numbered(bands[reach[1]][0]) and not _numbered(line):
            target = reach[-1]
        else:
            target = min(reach.values(), key=lambda j: abs(_values_middle(bands[j][0]) - line.middle))
        bands[target].append(line)
        bands[index] = []
    return [sorted(b, key=lambda line: line.top) for b in bands if b]


def _values_middle(line: _Line) -> float:
    """Where a data line's numbers stand, half-way down: the height of the row they are the values
    of. The line's own height is no such measure: a character of a label printed downwards beside
    it (度 of 本/年/度, in the group label's column) may reach into it from the row below."""
    values = [w for w in line.words if _is_value_word(w.text)]
    if not values:
        return line.middle
    return (min(w.top for w in values) + max(w.bottom for w in values)) / 2


def _stands_over(word: Word, x0: float, x1: float) -> bool:
    """A header word stands over a column when it covers half of the column or half of itself."""
    overlap = min(word.x1, x1) - max(word.x0, x0)
    return overlap > 0.5 * min(word.x1 - word.x0, x1 - x0)


def _chars_in(band: Sequence[_Line], x0: float, x1: float) -> list[Char]:
    return [c for line in band for w in line.words for c in w.chars if x0 <= c.x_mid < x1]


def _adjacent(above: _Line, below: _Line) -> bool:
    """Two lines of one table row: no wider gap between them than a line's height."""
    return above.kind == _Kind.LABEL and below.top - above.bottom <= above.bottom - above.top


def _segment_grid(page: int, lines: list[_Line], settings: TextEngineSettings) -> Grid | None:
    data = [i for i, line in enumerate(lines) if line.kind == _Kind.DATA]
    if not data:
        return None
    structural = [i for i, line in enumerate(lines) if line.kind in (_Kind.DATA, _Kind.HEADER, _Kind.TITLE)]
    start = structural[0]
    # On a page that opens with the table, the first label line of a wrapped row sits
    # above the row's numbers: it belongs to the table, not to the prose before it.
    while start > 0 and lines[start].kind == _Kind.DATA and _adjacent(lines[start - 1], lines[start]):
        start -= 1
    # A trailing block title or header belongs to the table that continues on the next page.
    table_lines = lines[start : structural[-1] + 1]
    columns = _value_columns(table_lines, settings)
    if not columns:
        return None
    numbers_start = columns[0][0]
    first_data = data[0] - start
    for line in table_lines[:first_data]:
        # Between the header and the numbers, a line reaching over the value columns is part
        # of a wrapped header (商业 / 企业); one wholly in the label area opens the first row.
        if line.kind == _Kind.LABEL and any(
            w.x0 >= numbers_start - settings.header_reach for w in line.words
        ):
            line.kind = _Kind.HEADER
    label_starts = _label_starts(table_lines, numbers_start, settings)
    value_edges = [numbers_start - settings.header_reach]
    value_edges += [(a[1] + b[0]) / 2 for a, b in pairwise(columns)]
    value_edges.append(
        max(columns[-1][1], *(w.x1 for line in table_lines for w in line.words)) + settings.margin
    )
    col_edges = [*label_starts, *value_edges] if label_starts else value_edges
    n_label = len(label_starts)
    bands = _bands(table_lines, columns, settings.margin)
    row_edges = [bands[0][0].top - settings.margin]
    row_edges += [(a[-1].bottom + b[0].top) / 2 for a, b in pairwise(bands)]
    row_edges.append(bands[-1][-1].bottom + settings.margin)
    cells: list[GridCell] = []
    right = col_edges[-1]
    for r, band in enumerate(bands):
        top, bottom = row_edges[r], row_edges[r + 1]
        kind = band[0].kind
        if kind == _Kind.TITLE:
            text = block_text([c for line in band for w in line.words for c in w.chars])
            cells.append(GridCell(text, r, r + 1, 0, len(col_edges) - 1, (col_edges[0], top, right, bottom)))
            continue
        if kind == _Kind.HEADER:
            if n_label:
                corner = block_text(_chars_in(band, col_edges[0], numbers_start - settings.header_reach))
                cells.append(
                    GridCell(corner, r, r + 1, 0, n_label, (col_edges[0], top, numbers_start, bottom))
                )
            for c in range(n_label, len(col_edges) - 1):
                x0, x1 = col_edges[c], col_edges[c + 1]
                stack = ["".join(w.text for w in line.words if _stands_over(w, x0, x1)) for line in band]
                text = "\n".join(s for s in stack if s)
                cells.append(GridCell(text, r, r + 1, c, c + 1, (x0, top, x1, bottom)))
            continue
        label_chars: list[list[Char]] = [[] for _ in range(n_label)]
        for line in band:
            for word in line.words:
                if n_label and word.x1 <= numbers_start:
                    # A label word stays whole in the label column where it starts.
                    c = max(
                        i
                        for i in range(n_label)
                        if col_edges[i] <= word.x0 + settings.label_column_tolerance or i == 0
                    )
                    label_chars[c].extend(word.chars)
        for c in range(len(col_edges) - 1):
            x0, x1 = col_edges[c], col_edges[c + 1]
            chars = label_chars[c] if c < n_label else _chars_in(band, x0, x1)
            cells.append(GridCell(block_text(chars).strip(), r, r + 1, c, c + 1, (x0, top, x1, bottom)))
    return Grid(
        page, (col_edges[0], row_edges[0], right, row_edges[-1]), col_edges, row_edges, cells, ruled=False
    )


def text_grids(
    page: Page,
    found: Sequence[Grid],
    headings: Sequence[Heading],
    settings: TextEngineSettings = DEFAULT.text_engine,
) -> list[Grid]:
    """Grids rebuilt from text positions, for the text on a page that no grid `found` so far holds."""
    loose = [c for c in page.chars if not any(c.centred_in(g.bbox) for g in found)]
    heading_tops = [h.top for h in headings if h.page == page.number]
    segments: list[list[_Line]] = [[]]
    for chars_of_line in group_lines(loose):
        top = min(c.top for c in chars_of_line)
        bottom = max(c.bottom for c in chars_of_line)
        if any(abs(top - t) < settings.heading_slack for t in heading_tops):
            segments.append([])
            continue
        if segments[-1] and top - segments[-1][-1].bottom > settings.table_gap * (bottom - top):
            # Far below the line above: not the same table. A page number (- 4 -, read off a scan
            # as -4) was a row of its own, and its number a value column that cut the labels.
            segments.append([])
        words = split_words(chars_of_line, gap=settings.word_gap)
        segments[-1].append(_Line(words, _classify(words, settings), top, bottom))
    grids = (_segment_grid(page.number, segment, settings) for segment in segments if segment)
    return [g for g in grids if g is not None]
