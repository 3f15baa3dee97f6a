"""The second witness: the form-driven reading of a table, from words and their positions alone.

The grid reading (ruled lattice or text columns, then the matcher) trusts cell boxes and page
breaks, and that is where it fails on layouts it was not tuned on: a row broken across pages, a
header cut in two, table 四's value row overleaf, value rows whose rules miss the header's. This
reading uses neither. The form fixes the order of the rows, the order of the columns and how many
numbers a row holds; so it

1. takes the words of the table's section, in reading order across its pages (page furniture
   such as "- 3 -" left out);
2. finds the row labels among the words left of the numbers, and places them on the form's rows
   by their text, in the form's order (a monotone alignment, so that two rows can never swap);
3. gives each label the numbers printed from its top down to the next label, wherever the page
   breaks in between;
4. puts each number in the column whose position it shares: by order when the row holds all its
   numbers, else by x-alignment with the rows that do.

What it cannot place it does not read. It runs only where the grid reading is incomplete or
breaks a rule, and `witness.settle` decides what its reading is worth.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..forms import Column, Row, Table, ValueKind
from ..labels import best_match, block_title, compact, is_header_text, score_bound, split_numbering
from ..model import BBox, Char, Heading, Key, Word
from ..numbers import parse_value
from ..settings import DEFAULT
from ..sources.chars import group_lines, line_text, split_words

_SETTINGS = DEFAULT.form_reading

# A page number or a browser's page counter: "- 3 -", "第3页", "3/7", "3".
_PAGE_FURNITURE_RE = re.compile(r"^(?:[-—–]*\d+[-—–]*|第\d+页(?:共\d+页)?|\d+/\d+)$")


@dataclass(frozen=True)
class WitnessCell:
    """A number as the form reading saw it printed, its page, and where it stands there."""

    raw: str  # "" for a cell the reading saw blank
    page: int
    bbox: BBox | None = None  # the number's word on the page (None for a blank)


@dataclass(frozen=True)
class _Line:
    """One line of text of a page, split into words two ways."""

    page: int
    top: float
    bottom: float
    size: float
    words: tuple[Word, ...]
    # Split at any gap wider than half a character: the label column of table 三 ends with the
    # padding of its cell, which a wide-gap split would join to the group label beside it
    narrow_words: tuple[Word, ...]

    @property
    def y_mid(self) -> float:
        return (self.top + self.bottom) / 2


def _box(word: Word) -> BBox:
    return word.x0, word.top, word.x1, word.bottom


def _is_value(text: str) -> bool:
    parsed = parse_value(text, ValueKind.AMOUNT)
    return parsed.value is not None or parsed.note.startswith("not applicable")


def _section_lines(
    chars: Mapping[int, Sequence[Char]], headings: Sequence[Heading], numeral: str
) -> list[_Line]:
    """The lines between the table's section heading and the next heading, in reading order."""
    ordered = sorted(headings, key=lambda h: (h.page, h.top))
    start = next((h for h in ordered if h.numeral == numeral), None)
    if start is None:
        return []
    after = [h for h in ordered if (h.page, h.top) > (start.page, start.top) and h.numeral != numeral]
    end = after[0] if after else None
    lines = []
    for page in sorted(chars):
        if page < start.page or (end is not None and page > end.page):
            continue
        for line in group_lines(chars[page]):
            top, bottom = min(c.top for c in line), max(c.bottom for c in line)
            if (page, top) <= (start.page, start.top) or (
                end is not None and (page, top) >= (end.page, end.top)
            ):
                continue
            if _is_page_furniture(line):
                continue
            size = max(c.size for c in line)
            narrow = tuple(split_words(line, _SETTINGS.label_gap))
            lines.append(_Line(page, top, bottom, size, _numbers_apart(split_words(line)), narrow))
    return lines


def _numbers_apart(words: Sequence[Word]) -> tuple[Word, ...]:
    """Words split at wide gaps, except that a number a narrower gap away from the end of a
    label that fills its cell (2.其他法律行政法规 0) is a word of its own."""
    out: list[Word] = []
    for word in words:
        if _is_value(word.text):
            out.append(word)
            continue
        parts: list[list[Word]] = []
        for part in split_words(word.chars, _SETTINGS.label_gap):
            if parts and not _is_value(part.text) and not _is_value(parts[-1][-1].text):
                parts[-1].append(part)
            else:
                parts.append([part])
        out += [_join(group) for group in parts]
    return tuple(out)


def _join(parts: Sequence[Word]) -> Word:
    if len(parts) == 1:
        return parts[0]
    return _join_chars([c for part in parts for c in part.chars])


def _is_page_furniture(line: Sequence[Char]) -> bool:
    """A page number line ("- 3 -", "第3页", "3/7"); a row of numbers keeps the gaps between them."""
    text = re.sub(r"\s*([-—–/第页共])\s*", r"\1", line_text(line).strip())
    return bool(_PAGE_FURNITURE_RE.match(text))


@dataclass(frozen=True)
class _Label:
    """A row label's text and where it starts."""

    text: str
    page: int
    top: float
    x0: float


def _label_fragments(
    lines: Sequence[_Line], boundary: dict[int, float], narrow: bool
) -> list[tuple[_Line, Word]]:
    """Words left of the numbers on their page: row labels, group labels, block titles."""
    out = []
    for line in lines:
        edge = boundary.get(line.page)
        if edge is None:
            continue
        for word in line.narrow_words if narrow else line.words:
            if word.x0 < edge - 1 and not _is_value(word.text):
                out.append((line, word))
    return out


def _numbered(text: str) -> bool:
    return bool(split_numbering(text)[0])


def _labels(fragments: Sequence[tuple[_Line, Word]], table: Table, numbered_rows: bool) -> list[_Label]:
    """Printed row labels with their wrapped lines joined.

    Where the form numbers every row (table 三), each numbered fragment opens a label and the
    fragments under it that start no further left continue it (group labels stand further left
    or read as groups). Where it does not (table 二), each fragment is a label of its own.
    """
    group_labels = [g.label for g in table.groups]
    labels: list[_Label] = []
    pieces = [
        (line, piece)
        for line, word in fragments
        for piece in (_group_piece_apart(word, group_labels) if numbered_rows else [word])
    ]
    for line, word in pieces:
        text = compact(word.text)
        if numbered_rows:
            if _numbered(text):
                group = best_match(text, [(g, g, 0.0) for g in group_labels])
                row = best_match(text, [(r.id, r.label, 0.0) for r in (*table.rows, *table.alternative_rows)])
                if group is not None and row is not None and group.score > row.score:
                    continue  # （三）不予公开 and its kin: they open no row
                labels.append(_Label(text, line.page, line.top, word.x0))
            elif (
                labels
                and word.x0 >= labels[-1].x0 - _SETTINGS.continuation_slack
                and not _reads_as_group_piece(text, group_labels)
            ):
                last = labels[-1]
                labels[-1] = _Label(last.text + text, last.page, last.top, last.x0)
        else:
            labels.append(_Label(text, line.page, line.top, word.x0))
    return labels


# Numbering inside a word: where a row label starts after a piece of a group label that its
# narrow cell printed close beside it (三、本年 （一）予以公开, （三） 1.属于国家秘密).
_INNER_NUMBERING_RE = re.compile(
    r"[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.、．]|[一二三四五六七八九十]+、"
)


def _group_piece_apart(word: Word, group_labels: Sequence[str]) -> list[Word]:
    """The word split where a row label's numbering follows a piece of a group label."""
    groups = [compact(label) for label in group_labels]
    for match in _INNER_NUMBERING_RE.finditer(word.text):
        at = match.start()
        head = compact(word.text[:at])
        if at and head and any(head in group for group in groups):
            return [
                _join_chars(word.chars[:at]),
                *_group_piece_apart(_join_chars(word.chars[at:]), group_labels),
            ]
    return [word]


def _join_chars(chars: Sequence[Char]) -> Word:
    text = "".join(c.text for c in chars)
    top, bottom = min(c.top for c in chars), max(c.bottom for c in chars)
    return Word(text, chars[0].x0, top, max(c.x1 for c in chars), bottom, tuple(chars))


def _reads_as_group_piece(text: str, group_labels: Sequence[str]) -> bool:
    return any(text in compact(label) for label in group_labels) and len(text) <= 4


def _align(labels: Sequence[_Label], rows: Sequence[Row], table: Table) -> dict[int, Row]:
    """Pair printed labels with the form's rows, both in order, maximising their likeness. A
    group printed as one row (an alternative row) loses a tie to its sub-rows: the group label
    of the sub-rows reads the same."""
    alternatives = {row.id for row in table.alternative_rows}
    n, m = len(labels), len(rows)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = [[0] * (m + 1) for _ in range(n + 1)]
    likeness = {}
    for i in range(n):
        for j in range(m):
            discount = _SETTINGS.alternative_row_discount if rows[j].id in alternatives else 1
            # A likeness below the threshold pairs nothing, whatever it is: where the score's
            # bound is below, the pair is not scored (most pairs: the alignment of jiangyuan-city-2021
            # 10.7 -> 1.7 ms).
            if score_bound(labels[i].text, rows[j].label) * discount < _SETTINGS.pair_threshold:
                likeness[i, j] = 0.0
                continue
            choice = best_match(labels[i].text, [(rows[j].id, rows[j].label, 0.0)])
            score_ij = choice.score if choice is not None else 0.0
            likeness[i, j] = score_ij * discount
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            options = []
            if i > 0:
                options.append((score[i - 1][j], 1))
            if j > 0:
                options.append((score[i][j - 1], 2))
            if i > 0 and j > 0 and likeness[i - 1, j - 1] >= _SETTINGS.pair_threshold:
                options.append((score[i - 1][j - 1] + likeness[i - 1, j - 1], 3))
            score[i][j], move[i][j] = max(options)
    pairs: dict[int, Row] = {}
    i, j = n, m
    while i > 0 or j > 0:
        step = move[i][j]
        if step == 3:
            pairs[i - 1] = rows[j - 1]
            i, j = i - 1, j - 1
        elif step == 1:
            i -= 1
        else:
            j -= 1
    return pairs


def _value_words(line: _Line, edge: float) -> list[Word]:
    return [w for w in line.words if w.x0 >= edge - 1 and _is_value(w.text)]


def _x_mid(word: Word) -> float:
    return (word.x0 + word.x1) / 2


def _assign_columns(
    rows: Sequence[tuple[Row, list[tuple[int, Word]]]],
    columns_of: Mapping[str, int],
    header: Mapping[int, list[float]],
) -> dict[str, list[tuple[int, Word] | None]]:
    """Each row's numbers by column: in order where a row holds all of them, else by nearness to
    the middles of the full rows' columns (on the same page if any there, else on any page), or
    failing those to the middles of the header words (`header`, by count of columns)."""
    full: dict[int, dict[int, list[float]]] = {}  # columns count -> column -> x middles
    by_page: dict[tuple[int, int], list[list[float]]] = {}
    for row, words in rows:
        count = columns_of[row.id]
        if len(words) == count:
            for index, (page, word) in enumerate(sorted(words, key=lambda pw: pw[1].x0)):
                full.setdefault(count, {}).setdefault(index, []).append(_x_mid(word))
                by_page.setdefault((count, page), [[] for _ in range(count)])[index].append(_x_mid(word))
    out: dict[str, list[tuple[int, Word] | None]] = {}
    for row, words in rows:
        count = columns_of[row.id]
        if len(words) == count:
            placed = sorted(words, key=lambda pw: pw[1].x0)
            middles = _middles(full.get(count, {}), count)
            if middles is not None and not all(
                _near(_x_mid(w), middles, i) for i, (_, w) in enumerate(placed)
            ):
                continue  # the numbers of this row do not stand under the other rows' columns
            out[row.id] = list(placed)
            continue
        if len(words) > count:
            continue
        pages = {page for page, _ in words}
        page_middles = [
            _middles(dict(enumerate(by_page[count, p])), count) for p in pages if (count, p) in by_page
        ]
        middles = page_middles[0] if len(page_middles) == 1 else _middles(full.get(count, {}), count)
        middles = middles or header.get(count)
        if middles is None:
            continue
        slots = _by_nearness(words, middles)
        if slots is not None:
            out[row.id] = slots
    return out


def _by_nearness(
    words: Sequence[tuple[int, Word]], middles: Sequence[float]
) -> list[tuple[int, Word] | None] | None:
    """Each (page, word) in the column whose middle it stands under; None if one stands under
    none, or two under the same."""
    slots: list[tuple[int, Word] | None] = [None] * len(middles)
    for page, word in words:
        index = min(range(len(middles)), key=lambda i: abs(_x_mid(word) - middles[i]))
        if slots[index] is not None or not _near(_x_mid(word), middles, index):
            return None
        slots[index] = (page, word)
    return slots


@dataclass(frozen=True)
class _Segment:
    """A run of neighbouring words on one header line."""

    line: int  # index of the line
    text: str
    x0: float
    x1: float


def _segments(lines: Sequence[_Line], edge: float | None) -> list[_Segment]:
    """Every run of up to four neighbouring narrow words of each header line, right of `edge`:
    justified text in a narrow cell spreads one label's characters as far apart as two cells."""
    out = []
    for index, line in enumerate(lines):
        words = [w for w in line.narrow_words if edge is None or w.x1 > edge]
        for i in range(len(words)):
            for j in range(i + 1, min(i + 4, len(words)) + 1):
                text = "".join(compact(w.text) for w in words[i:j])
                out.append(_Segment(index, text, words[i].x0, words[j - 1].x1))
    return out


def _stacked(upper: _Segment, lower: _Segment, lines: Sequence[_Line]) -> bool:
    """Whether `lower` continues `upper` on the next line of the same header cell: on the same
    page, just below, and aligned left or centred with it."""
    above, below = lines[upper.line], lines[lower.line]
    shift = _SETTINGS.header_stack_shift * below.size
    aligned = (
        abs(upper.x0 - lower.x0) < shift or abs((upper.x0 + upper.x1) - (lower.x0 + lower.x1)) / 2 < shift
    )
    gap = below.top - above.bottom
    return above.page == below.page and 0 <= gap < _SETTINGS.header_stack_gap * below.size and aligned


def _label_places(label: str, segments: Sequence[_Segment], lines: Sequence[_Line]) -> list[float]:
    """x middles of the places where `label` is printed: on one line, or read downwards over
    the lines of its cell (自然 / 人, 结 / 果 / 维持)."""
    places = []

    def extend(stack: list[_Segment], rest: str) -> None:
        if not rest:
            places.append((min(s.x0 for s in stack) + max(s.x1 for s in stack)) / 2)
            return
        for segment in segments:
            if (
                segment.line > stack[-1].line
                and rest.startswith(segment.text)
                and _stacked(stack[-1], segment, lines)
            ):
                extend([*stack, segment], rest[len(segment.text) :])

    for segment in segments:
        if label.startswith(segment.text):
            extend([segment], label[len(segment.text) :])
    merged: list[float] = []
    for x in sorted(places):
        if not merged or x - merged[-1] > 2:
            merged.append(x)
    return merged


def header_middles(
    lines: Sequence[_Line], columns: Sequence[Column], edge: float | None = None
) -> list[float] | None:
    """The x middle of each column's header label, when the header prints every leaf label of
    the columns, in the columns' order, once each time the form has it."""
    segments = _segments(lines, edge)
    wanted = [compact(c.label) for c in columns]
    places = sorted((x, label) for label in set(wanted) for x in _label_places(label, segments, lines))
    if [label for _, label in places] != wanted:
        return None
    return [x for x, _ in places]


def _middles(columns: Mapping[int, list[float]], count: int) -> list[float] | None:
    if len(columns) < count or any(not columns.get(i) for i in range(count)):
        return None
    return [sum(columns[i]) / len(columns[i]) for i in range(count)]


def _near(x: float, middles: Sequence[float], index: int) -> bool:
    if len(middles) == 1:
        return True
    gaps = [b - a for a, b in itertools.pairwise(middles)]
    return abs(x - middles[index]) <= _SETTINGS.column_reach * min(gaps)


def read_rows_table(
    table: Table, rows: Sequence[Row], chars: Mapping[int, Sequence[Char]], headings: Sequence[Heading]
) -> dict[Key, WitnessCell]:
    """Tables 二 and 三: rows placed by their labels, numbers by their columns."""
    lines = _section_lines(chars, headings, table.numeral)
    boundary: dict[int, float] = {}
    for line in lines:
        numbers = [w for w in line.words if _is_value(w.text)]
        # Numbers right of some text, or several numbers in a row (a row whose label wrapped
        # onto other lines): where the label column ends on this page.
        if (numbers and any(not _is_value(w.text) for w in line.words)) or len(numbers) > 1:
            left = min(w.x0 for w in numbers)
            boundary[line.page] = min(boundary.get(line.page, left), left)
    # A page of labels without numbers (the first part of a row broken across pages) keeps
    # the label column of the page before it, or failing that of the page after it.
    for page in sorted({line.page for line in lines} - set(boundary)):
        near = [p for p in sorted(boundary) if p < page] or [p for p in sorted(boundary) if p > page]
        if near:
            boundary[page] = boundary[near[-1] if near[0] < page else near[0]]
    numbered = table.id == "applications"
    fragments = [
        (line, word)
        for line, word in _label_fragments(lines, boundary, numbered)
        if not is_header_text(word.text) or not numbered
    ]
    labels = _labels(fragments, table, numbered)
    pairs = _align(labels, rows, table)
    if not pairs:
        return {}
    ends = _slot_ends([labels[i] for i in sorted(pairs)], fragments, numbered)
    columns_of = {row.id: len(table.block_of(row.id).columns) for row in rows if row in table.rows}
    for row in rows:
        columns_of.setdefault(row.id, len(table.blocks[0].columns))
    row_words: list[tuple[Row, list[tuple[int, Word]]]] = []
    for (index, row), end in zip(sorted(pairs.items()), ends, strict=True):
        label = labels[index]
        start = (label.page, label.top)
        words: list[tuple[int, Word]] = []
        for line in lines:
            position = (line.page, line.top + _SETTINGS.label_below_numbers * line.size)
            if position < start or (end is not None and position >= end):
                continue
            edge = boundary.get(line.page)
            if edge is not None:
                words += [(line.page, w) for w in _value_words(line, edge)]
        row_words.append((row, words))
    label_pages = {row.id: labels[index].page for index, row in pairs.items()}
    first_label = min((labels[i].page, labels[i].top) for i in pairs)
    header_lines = [line for line in lines if (line.page, line.bottom) <= first_label]
    header = {}
    if len({len(b.columns) for b in table.blocks}) == 1:  # one header over every row (table 三)
        edges = [boundary[p] for p in {line.page for line in header_lines} if p in boundary]
        middles = header_middles(header_lines, table.blocks[0].columns, min(edges) if edges else None)
        if middles is not None:
            header[len(middles)] = middles
    placed = _assign_columns(row_words, columns_of, header)
    out: dict[Key, WitnessCell] = {}
    for row, _ in row_words:
        if row.id not in placed:
            continue
        block_columns = table.block_of(row.id).columns if row in table.rows else table.blocks[0].columns
        pages = [pw[0] for pw in placed[row.id] if pw is not None] or [label_pages[row.id]]
        for column, item in zip(block_columns, placed[row.id], strict=True):
            if item is None:
                out[table.id, row.id, column.id] = WitnessCell("", pages[0])
            else:
                out[table.id, row.id, column.id] = WitnessCell(item[1].text, item[0], _box(item[1]))
    return out


def _slot_ends(
    labels: Sequence[_Label], fragments: Sequence[tuple[_Line, Word]], numbered: bool
) -> list[tuple[int, float] | None]:
    """Where each label's numbers end: at the next label; in table 二 also at a block title or
    the header row of the next block."""
    stops = [(label.page, label.top) for label in labels]
    if not numbered:
        stops += [
            (line.page, line.top)
            for line, word in fragments
            if block_title(word.text) is not None or is_header_text(word.text)
        ]
    stops.sort()
    out = []
    for label in labels:
        later = [s for s in stops if s > (label.page, label.top)]
        out.append(later[0] if later else None)
    return out


def read_single_row_table(
    table: Table, chars: Mapping[int, Sequence[Char]], headings: Sequence[Heading]
) -> dict[Key, WitnessCell]:
    """Table 四: its one line of numbers, by order when every number is printed, else by the
    header labels above it."""
    lines = _section_lines(chars, headings, table.numeral)
    row = table.rows[0]
    columns = table.blocks[0].columns
    value_lines = [line for line in lines if line.words and all(_is_value(w.text) for w in line.words)]
    if len(value_lines) != 1:
        return {}
    line = value_lines[0]
    words = sorted(line.words, key=lambda w: w.x0)
    if len(words) == len(columns):
        return {
            (table.id, row.id, c.id): WitnessCell(w.text, line.page, _box(w))
            for c, w in zip(columns, words, strict=True)
        }
    middles = header_middles([h for h in lines if (h.page, h.top) < (line.page, line.top)], columns)
    if middles is None or len(words) > len(columns):
        return {}
    slots = _by_nearness([(line.page, w) for w in words], middles)
    if slots is None:
        return {}
    return {
        (table.id, row.id, c.id): (
            WitnessCell(item[1].text, line.page, _box(item[1])) if item else WitnessCell("", line.page)
        )
        for c, item in zip(columns, slots, strict=True)
    }


def read_table(
    table: Table, rows: Sequence[Row], chars: Mapping[int, Sequence[Char]], headings: Sequence[Heading]
) -> dict[Key, WitnessCell]:
    """The form-driven reading of one table: {cell: what is printed there}, for the cells it placed."""
    if len(table.rows) == 1:
        return read_single_row_table(table, chars, headings)
    return read_rows_table(table, rows, chars, headings)
