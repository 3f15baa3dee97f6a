"""Characters into text: fake-bold doubles removed, visual lines, words and cell text.

Every source that yields characters (PDF text layers, OCR) hands them through
here, so the stages after it see the same lines and words whatever the input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import attrgetter

from ..model import Char, TextLine, Word
from ..settings import DEFAULT

_SETTINGS = DEFAULT.chars

# Bucket (x, y) as one int: x * _ROW + y is one-to-one while |y| < _ROW / 2 buckets (hundreds of
# thousands of points), and the 3 x 3 neighbours of a bucket are fixed offsets from it.
_ROW = 1 << 20
_NEIGHBOURS = tuple(dx * _ROW + dy for dx in (-1, 0, 1) for dy in (-1, 0, 1))


def _has_twin(buckets: dict[int, list[Char]], char: Char, bucket: int, tolerance: float) -> bool:
    x0, top = char.x0, char.top
    for offset in _NEIGHBOURS:
        for twin in buckets.get(bucket + offset, ()):
            if abs(twin.x0 - x0) < tolerance and abs(twin.top - top) < tolerance:
                return True
    return False


def dedupe_chars(chars: Iterable[Char]) -> list[Char]:
    """Drop fake-bold doubles: Word and WPS draw a bold glyph twice, a fraction of a point apart.

    A character is a double when a kept character of the same text lies less than
    `tolerance` away, looked up in the 3 x 3 buckets of that size around it.
    """
    fraction, least = _SETTINGS.double_fraction, _SETTINGS.double_min
    kept: list[Char] = []
    seen: dict[str, dict[int, list[Char]]] = {}  # text -> bucket -> kept characters
    for char in chars:
        tolerance = char.size * fraction if char.size * fraction >= least else least
        bucket = int(char.x0 // tolerance) * _ROW + int(char.top // tolerance)
        buckets = seen.get(char.text)
        if buckets is None:
            seen[char.text] = {bucket: [char]}
        elif _has_twin(buckets, char, bucket, tolerance):
            continue
        else:
            buckets.setdefault(bucket, []).append(char)
        kept.append(char)
    return kept


def group_lines(chars: Sequence[Char]) -> list[list[Char]]:
    """Cluster characters into visual lines, each sorted left to right.

    A character joins the current line when it overlaps the line's average box
    by half its height. Comparing with the average, not the growing extent of the
    line, keeps apart the staggered lines of neighbouring header cells (自然 / 人
    beside 商业 / 企业), which overlap one another from cell to cell.
    """
    lines: list[list[Char]] = []
    top = bottom = 0.0
    overlap_share = _SETTINGS.line_overlap
    # Runs once per page and once per table cell: the comparisons are spelled out
    # rather than calls to min and max.
    for char in sorted(chars, key=_reading_order):
        char_top, char_bottom = char.top, char.bottom
        if lines:
            overlap = (bottom if bottom <= char_bottom else char_bottom) - (
                top if top >= char_top else char_top
            )
            line_height, char_height = bottom - top, char_bottom - char_top
            if overlap > overlap_share * (line_height if line_height <= char_height else char_height):
                line = lines[-1]
                line.append(char)
                top += (char_top - top) / len(line)
                bottom += (char_bottom - bottom) / len(line)
                continue
        lines.append([char])
        top, bottom = char_top, char_bottom
    return [sorted(line, key=_left) for line in lines]


def _reading_order(char: Char) -> tuple[float, float]:
    return char.y_mid, char.x0


_left = attrgetter("x0")


def line_text(line: Sequence[Char]) -> str:
    """Join a line's characters, putting a space where the gap is wider than a character."""
    parts: list[str] = []
    previous: Char | None = None
    space_gap = _SETTINGS.space_gap
    for char in line:
        if previous is not None and char.x0 - previous.x1 > space_gap * (
            char.size if char.size <= previous.size else previous.size
        ):
            parts.append(" ")
        parts.append(char.text)
        previous = char
    return "".join(parts)


def text_lines(chars: Sequence[Char]) -> list[TextLine]:
    return [
        TextLine(
            text=line_text(line),
            x0=min(c.x0 for c in line),
            top=min(c.top for c in line),
            x1=max(c.x1 for c in line),
            bottom=max(c.bottom for c in line),
            size=max(c.size for c in line),
        )
        for line in group_lines(chars)
    ]


def block_text(chars: Sequence[Char]) -> str:
    """The text of a cell: its lines joined with newlines."""
    return "\n".join(line_text(line) for line in group_lines(chars))


def split_words(line: Sequence[Char], gap: float = _SETTINGS.word_gap) -> list[Word]:
    """Split a line where the gap between characters is wider than `gap` character sizes."""
    words: list[list[Char]] = []
    for char in line:
        if words and char.x0 - words[-1][-1].x1 <= gap * min(char.size, words[-1][-1].size):
            words[-1].append(char)
        else:
            words.append([char])
    return [
        Word(
            "".join(c.text for c in w),
            min(c.x0 for c in w),
            min(c.top for c in w),
            max(c.x1 for c in w),
            max(c.bottom for c in w),
            tuple(w),
        )
        for w in words
    ]
