"""Scanned pages: OCR turns a page image into the characters and ruling lines a text PDF gives.

Only pages that `Document` found to be scans come here; the engine is imported on the
first such page, so a report without images does no OCR work at all.

A page is deskewed and its ruling lines found (`scan`); `lattice` turns them into cell
boxes as it does for a text PDF. The text detector (PP-OCR models shipped inside the
`rapidocr` wheel) finds the lines of text. A ruled cell holding one line is cut out and
recognised alone, once freely and once with digits only allowed, from the same network
output: cell by cell reading reads digits best. Lines outside the tables (title,
headings) and the lines of cells holding several lines (long labels) are recognised
from the page. Each single-line cell keeps its readings (`OcrCell`), so that `verify`
can tell a value it may publish from one it must not; when no rule of the form can vouch
for a value, `second_readings` reads the cell again the other way: the line the page's
detector found in it, cut from the page.

The orientation classifier is never run: on short numbers it turns 108 into 801 at a
score of 0.999.
"""

from __future__ import annotations

import dataclasses
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

import cv2
import numpy as np

from ..errors import OCR_MISSING, OcrUnavailableError
from ..model import BBox, Char, Edge
from ..numbers import digits_of
from ..readings import Why
from ..settings import DEFAULT
from . import scan

_SETTINGS = DEFAULT.ocr
_DIGITS = "0123456789"
# A word of a line that may be a table's number: digits and what a scan makes of their marks.
_NUMBER_WORD_RE = re.compile(r"^[-—.,·`'/0-9]*[0-9][-—.,·`'/0-9]*$")
_HEADING_START_RE = re.compile(r"^\s*([一二三四五六七八九十]+[、.．，]|[（(][一二三四五六七八九十]+[）)])")


@dataclass(frozen=True)
class OcrCell:
    """Everything read from one ruled cell of a scanned table."""

    page: int
    bbox: BBox
    free: str  # the cell read alone, any character allowed: what is printed, as the engine sees it
    free_score: float
    digits: str  # the same cell read with digits only allowed (a candidate, never published as such)
    digits_score: float
    box: tuple[int, int, int, int]  # the cell in the page image's pixels
    has_ink: bool
    suspect: tuple[Why, ...]  # why its pixels cannot be trusted: Why.SEAL, Why.INK_TOUCHING_RULES
    line: tuple[int, int, int, int] | None = None  # the one line the page's text detector found in it
    under_seal: bool = False  # seal ink near its print (scan.CellInk): its readings share the faded pixels
    lead: str = "?"  # what the ink shows before the digits: "-" a minus, "" nothing (scan.CellInk)
    dot_after: bool = False  # one dot-sized blob after the digits and nothing else
    specks: int = 0  # round dot-sized blobs apart from the digits, on any side: dust
    ring: bool = False  # the print is one ring, as a 0 is printed (scan.CellInk)

    @property
    def blank(self) -> bool:
        """No ink, and nothing about its pixels to doubt that: no suspect stroke, no seal ink over
        it (whose fade may have taken all its print)."""
        return not self.has_ink and not self.suspect and not self.under_seal


@dataclass
class ScannedPage:
    """A scanned page: its image, the characters and rules read from it, and its cells."""

    number: int
    image: scan.PageImage
    chars: list[Char]
    edges: list[Edge]
    cells: dict[BBox, OcrCell] = field(default_factory=dict)
    # Numbers outside ruled cells, each read alone: the cells of a table without rules, once the
    # grid rebuilt from text positions places them (`attach_words`).
    words: list[OcrCell] = field(default_factory=list)
    # The boxes of the page's ruled cells (points); those read alone are keys of `cells`.
    ruled: list[BBox] = field(default_factory=list)


class Recogniser:
    """The PP-OCR detector and recogniser of rapidocr, loaded once per process."""

    def __init__(self) -> None:
        try:
            from rapidocr import RapidOCR
        except ImportError:
            raise OcrUnavailableError(OCR_MISSING) from None
        params = {
            "Global.use_cls": False,
            "Global.log_level": "error",
            "Det.limit_side_len": _SETTINGS.det_side,
            "Det.limit_type": "max",
            # One thread per call: the cores are used by reading pages side by side (`report`)
            # and reports in worker processes (`batch`); onnxruntime's own pool of threads meets
            # after every layer and spins while it waits, which a shared core makes costly.
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            # Memory kept between calls: without it each call maps and zeroes its buffers afresh
            # (5% of a report's CPU time, 13.1 against 12.4 s on a 5-page scan), for 190 MB more
            # at the peak of a 6-page scan read two pages at a time (1.04 GB against 0.85).
            "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
        }
        try:  # rapidocr imports its inference engine (onnxruntime) only here
            self._engine = RapidOCR(params=params)
            self._engine._load_det_model()  # now, not on the first page: pages may ask at once
            self._rec = self._engine._load_rec_model()
        except ImportError:
            raise OcrUnavailableError(OCR_MISSING) from None
        characters = self._rec.postprocess_op.character
        self._characters = np.array(characters, dtype=object)
        self._digit_indices = np.array([0, *(characters.index(d) for d in _DIGITS)])

    def detect(self, image: np.ndarray) -> list[tuple[int, int, int, int]]:
        """Boxes (pixels) of the lines of text in a grey image."""
        detected = self._engine(np.dstack([image] * 3), use_cls=False, use_rec=False)
        boxes = []
        for quad in detected.boxes if detected.boxes is not None else ():
            x0, top = (max(0, int(v)) for v in quad.min(axis=0))
            x1, bottom = (int(v) + 1 for v in quad.max(axis=0))
            if x1 - x0 > 2 and bottom - top > 2:
                boxes.append((x0, top, x1, bottom))
        return boxes

    def not_prose(
        self, image: np.ndarray, lines: list[tuple[int, int, int, int]], line_height: float, title_page: bool
    ) -> list[tuple[int, int, int, int]]:
        """The lines outside the tables worth reading: not prose, unless a line opens with a
        heading's numbering (二、, （三）). Headings and the title are short; recognising full
        prose lines would double the time per page, and nothing is taken from prose (`_prose`:
        `line_height` is the page's median line box)."""
        long = _prose(lines, line_height, title_page)
        prose = [line for line in lines if line in long]
        heads = self.read([image[t:b, x0 : x0 + _SETTINGS.head_heights * (b - t)] for x0, t, _, b in prose])
        headings = {
            line for line, (head, _) in zip(prose, heads, strict=True) if _HEADING_START_RE.match(head)
        }
        return [line for line in lines if line not in long or line in headings]

    def read(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Each crop (grey) recognised freely: its text and mean score."""
        return [(free, score) for free, score, _, _ in self.cells(crops)]

    def lines(self, crops: list[np.ndarray]) -> list[tuple[str, list[float]]]:
        """Each crop (grey) recognised freely: its text, and where each character stands, as the
        share of the crop's width at its middle (from the network's time steps), so that the
        numbers of a line that runs across unruled columns keep their places."""
        out: list[tuple[str, list[float]]] = [("", [])] * len(crops)
        for i, pred, step_share in self._forward(crops):
            text, _, steps = self._decode(pred, None)
            out[i] = (text, [min(1.0, (step + 0.5) * step_share) for step in steps])
        return out

    def cells(self, crops: list[np.ndarray]) -> list[tuple[str, float, str, float]]:
        """Each crop (grey) read alone: (free text, its score, digits-only text, its score)."""
        out: list[tuple[str, float, str, float]] = [("", 0.0, "", 0.0)] * len(crops)
        for i, pred, _ in self._forward(crops):
            free, free_score, _ = self._decode(pred, None)
            digits, digits_score, _ = self._decode(pred[:, self._digit_indices], self._digit_indices)
            out[i] = (free, free_score, digits, digits_score)
        return out

    def _forward(self, crops: list[np.ndarray]):
        """(index, network output, share of the crop's width per time step) for each crop.

        Crops of similar shape share a batch, as rapidocr batches them: one batch is padded
        to its widest member, and each crop fills the left of it at the network's height.
        """
        rec = self._rec
        height = rec.rec_image_shape[1]
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / crops[i].shape[0])
        for chunk in _batches(order, [crops[i].shape[1] / crops[i].shape[0] for i in order]):
            ratio = max(_SETTINGS.rec_min_ratio, crops[chunk[-1]].shape[1] / crops[chunk[-1]].shape[0])
            padded = int(height * ratio)
            norm = np.stack([rec.resize_norm_img(np.dstack([crops[i]] * 3), ratio) for i in chunk])
            for i, pred in zip(chunk, rec.session(norm.astype(np.float32)), strict=True):
                h, w = crops[i].shape[:2]
                filled = min(padded, math.ceil(height * w / h))
                yield i, pred, padded / len(pred) / filled

    def _decode(self, pred: np.ndarray, indices: np.ndarray | None) -> tuple[str, float, np.ndarray]:
        """Greedy CTC decoding: best class per step, repeats collapsed, blanks (class 0) dropped;
        the text, its mean score, and the time step of each character."""
        best = pred.argmax(axis=1)
        probs = pred[np.arange(len(best)), best]
        keep = best != 0
        keep[1:] &= best[1:] != best[:-1]
        classes = best[keep] if indices is None else indices[best[keep]]
        text = "".join(self._characters[classes])
        return text, float(probs[keep].mean()) if keep.any() else 0.0, np.nonzero(keep)[0]


def _batches(order: list[int], ratios: list[float]) -> list[list[int]]:
    """Crops sorted by width per height, cut into batches of at most `batch`, each new batch
    started where a crop is `batch_growth` times wider than the batch's first: a batch is padded
    to its widest, and a short line padded to a long one costs the long one's time."""
    out: list[list[int]] = []
    widest = 0.0  # the batch may grow to this width per height
    for index, ratio in zip(order, ratios, strict=True):
        if not out or len(out[-1]) >= _SETTINGS.batch or ratio > widest:
            out.append([])
            widest = _SETTINGS.batch_growth * max(ratio, _SETTINGS.rec_min_ratio)
        out[-1].append(index)
    return out


def _prose(
    lines: list[tuple[int, int, int, int]], line_height: float, title_page: bool
) -> set[tuple[int, int, int, int]]:
    """The lines (pixels) that are prose: very long, or, but on the title page, filling the
    page's text column with others, at the size of the page's lines (`line_height`, the median
    line box). A title set at the body's size that wraps fills the column too, and the report's
    agency and year are read from it."""
    prose = {line for line in lines if line[2] - line[0] > _SETTINGS.prose_line_heights * (line[3] - line[1])}
    if title_page:
        return prose
    column = [
        line
        for line in lines
        if line[2] - line[0] > _SETTINGS.column_line_heights * (line[3] - line[1])
        and line[3] - line[1] <= _SETTINGS.column_line_size * line_height
    ]
    if column:
        widest = max(x1 - x0 for x0, _, x1, _ in column)
        full = [line for line in column if line[2] - line[0] >= _SETTINGS.column_width_share * widest]
        if len(full) >= _SETTINGS.column_lines:
            prose.update(full)
    return prose


_LOADING = threading.Lock()


@cache
def _loaded() -> Recogniser:
    return Recogniser()


def recogniser() -> Recogniser:
    """The process's recogniser, loaded once even when pages read side by side ask at once."""
    with _LOADING:
        return _loaded()


def _spread(text: str, x0: float, top: float, x1: float, bottom: float) -> list[Char]:
    """Characters for a word read as one box: the box shared out evenly."""
    if not text:
        return []
    step = (x1 - x0) / len(text)
    size = bottom - top
    return [Char(ch, x0 + i * step, top, x0 + (i + 1) * step, bottom, size) for i, ch in enumerate(text)]


def _placed(text: str, shares: list[float], x0: float, top: float, x1: float, bottom: float) -> list[Char]:
    """Characters of a line at the places the recogniser read them, each as wide as the gap to its
    neighbours allows and at most as wide as such a glyph prints (`glyph_half_widths`), sized as
    the font the line's box holds (`line_font_size`). A space read between words is left out, as
    a text PDF's source leaves it out: its place stays a gap, so that the words of a header
    (社会　法律) read as one line split where the columns do."""
    width = x1 - x0
    middles = [x0 + share * width for share in shares]
    wide_half, narrow_half = ((bottom - top) * share for share in _SETTINGS.glyph_half_widths)
    size = (bottom - top) * _SETTINGS.line_font_size
    chars = []
    for k, (ch, middle) in enumerate(zip(text, middles, strict=True)):
        if ch.isspace():
            continue
        half = wide_half if unicodedata.east_asian_width(ch) in "WF" else narrow_half
        left = middles[k - 1] if k else middle - 2 * half
        right = middles[k + 1] if k + 1 < len(middles) else middle + 2 * half
        reach = min(half, (middle - left) / 2, (right - middle) / 2)
        chars.append(Char(ch, middle - reach, top, middle + reach, bottom, size))
    return chars


def read_page(
    number: int, rgb: np.ndarray, dpi: float, table_cells: Callable[[list[Edge]], list[list[BBox]]]
) -> ScannedPage:
    """A scanned page's characters and ruling lines, in points, and its single-line cells read alone.

    `table_cells` turns ruling lines into cell boxes (`grids.ruled.ruled_table_cells`, handed
    in by the wiring: a source does not reach forward into the grid engines)."""
    image = scan.prepare(rgb, dpi)
    edges = scan.rule_edges(image)
    boxes = [box for table in table_cells(edges) for box in table]
    engine = recogniser()
    lines = engine.detect(image.grey)
    scale = image.scale
    in_cell: dict[BBox, list[tuple[int, int, int, int]]] = {}
    loose: list[tuple[int, int, int, int]] = []
    for line in lines:
        centre_x, centre_y = (line[0] + line[2]) / 2 * scale, (line[1] + line[3]) / 2 * scale
        home = next((b for b in boxes if b[0] <= centre_x <= b[2] and b[1] <= centre_y <= b[3]), None)
        if home is None:
            loose.append(line)
        else:
            in_cell.setdefault(home, []).append(line)
    page = ScannedPage(number, image, [], edges, ruled=boxes)
    line_height = float(np.median([b - t for _, t, _, b in lines])) if lines else math.inf
    loose = [part for line in loose for part in _unstacked(image, line, line_height)]
    from_page = engine.not_prose(image.grey, loose, line_height, title_page=number == 1)
    from_page += _undetected_words(image, lines, boxes, line_height)

    def cut(line: tuple[int, int, int, int]) -> np.ndarray:
        return image.grey[line[1] : line[3], line[0] : line[2]]

    # Each line read as a line: its box in the page's pixels and the image it is cut from.
    line_crops = [(line, cut(line)) for line in from_page]
    # Each box read alone: its box, its ink, the detected line (or the line's part) it stands in.
    alone: list[tuple[BBox, scan.CellInk, tuple[int, int, int, int] | None]] = []
    for box in boxes:
        found = in_cell.get(box, [])
        if len(found) > 1:
            # A header printed downwards that the detector cut in two (社会公益 / 织), each part
            # read as a line: the taller part came out as 试验, and its column was not placed.
            line_crops += [
                (part, cut(part))
                for line in _without_specks(image, found, line_height)
                for part in _unstacked(image, line, line_height)
            ]
            continue
        ink = scan.cell_ink(image, box)
        stacked = _stacked_lines(engine, image, ink, line_height)
        if stacked:
            line_crops += stacked
            continue
        # A header printed downwards in a narrow column (自/然/人, 商/业/企/业), which the detector
        # takes for one line: read as one it came out as 百款 and 试验, no column was placed, and
        # the numbers beside the labels were taken for the labels (a whole table 三 lost).
        downwards = _unstacked(image, ink.strokes_box, line_height) if ink.has_ink and not ink.mark else []
        if len(downwards) > 1:
            line_crops += [(line, cut(line)) for line in downwards]
            continue
        alone.append((box, ink, found[0] if found else None))
    cells_alone = len(alone)
    expected: list[str | None] = [None] * cells_alone  # the line's reading of a part, to agree with
    for index, ((x0, top, x1, bottom), (text, shares)) in enumerate(
        zip((box for box, _ in line_crops), engine.lines([crop for _, crop in line_crops]), strict=True)
    ):
        page.chars += _placed(text, shares, x0 * scale, top * scale, x1 * scale, bottom * scale)
        if index >= len(from_page):
            continue
        # A number outside ruled cells (a table without rules) is read alone too, as a cell is,
        # so that the grid rebuilt from text positions has its cells' readings; a line of several
        # numbers standing apart (one per unruled column), each number alone.
        parts = _number_parts(image, (x0, top, x1, bottom), text, shares, line_height)
        for part, part_text in parts:
            word = (part[0] * scale, part[1] * scale, part[2] * scale, part[3] * scale)
            alone.append((word, scan.cell_ink(image, word), part))
            expected.append(part_text if len(parts) > 1 else None)
    inked = [ink.crop for _, ink, _ in alone if ink.has_ink and not ink.mark]
    readings = iter(engine.cells(inked))
    for index, (box, ink, line) in enumerate(alone):
        if ink.mark:  # told by its shape: the recogniser reads a lone / as 1, a lone — as 一 or -
            free, free_score, digits, digits_score = ink.mark, 1.0, "", 1.0
        elif ink.has_ink:
            free, free_score, digits, digits_score = next(readings)
        else:
            free, free_score, digits, digits_score = "", 1.0, "", 1.0
        if expected[index] is not None and digits_of(free) != digits_of(expected[index]):
            # A part of a line read alone must read as the line's reading had it there: else the
            # cut may have split a number or joined two, and its grid cell gets no reading.
            continue
        flags = (
            (Why.SEAL, ink.sealed),
            (Why.SMUDGE, ink.smudged),
            (Why.INK_TOUCHING_RULES, ink.touches_rule),
            (Why.TEXT_WITHOUT_INK, line is not None and not ink.has_ink),
        )
        suspect = tuple(why for why, flag in flags if flag)
        pixels = (int(box[0] / scale), int(box[1] / scale), int(box[2] / scale) + 1, int(box[3] / scale) + 1)
        cell = OcrCell(
            number,
            box,
            free,
            free_score,
            digits,
            digits_score,
            pixels,
            ink.has_ink,
            suspect,
            line,
            ink.under_seal,
            ink.lead,
            ink.dot_after,
            ink.specks,
            ink.ring,
        )
        if index >= cells_alone:
            page.words.append(cell)  # its characters were placed by the line's reading
            continue
        page.cells[box] = cell
        # The characters stand where the ink is, as tall as it: sized by the cell instead, the
        # digits of a tall row (a label of three lines) were so large that the gaps between
        # cells looked like spaces between digits, and a row read by words ran 1 0 0 0 0 0 1
        # together as 1000001.
        if free:
            x0, top, x1, bottom = (v * scale for v in ink.strokes_box)
            page.chars += _spread(free, x0, top, x1, bottom)
    return page


def _misread_word(text: str) -> bool:
    """Whether a line's reading may be a short number the page's reading got wrong (0 read as U,
    ó or .o): a few characters, none a hanzi, no space. Read alone, its cell has candidates (the
    digits-only reading) for the rules to choose from; it is never published as read."""
    return 0 < len(text) <= _SETTINGS.misread_word_chars and not any(
        ch.isspace() or unicodedata.east_asian_width(ch) in "WF" for ch in text
    )


def _number_parts(
    image: scan.PageImage, line: tuple[int, int, int, int], text: str, shares: list[float], height: float
) -> list[tuple[tuple[int, int, int, int], str]]:
    """The numbers of a line outside the ruled cells, each with its box (pixels) and its text as
    the line's reading has it: the line itself for one number, none for a line that is not
    numbers only.

    A line of a table without rules may run across its columns (17  12  176). Its ink is cut
    where no ink stands for `lone_ink_gap` of the page's line height (`height`, the gap that
    keeps the blobs of one word together in `_undetected_words`), and each character the line's
    reading placed (`shares`) goes to the piece its middle stands in. The line is cut only where
    both agree: every piece holds characters, every character stands in a piece, and each piece
    reads as a number; else a line of numbers is one word as before, and any other line none."""
    whole = [(line, text)] if _NUMBER_WORD_RE.match(text) or _misread_word(text) else []
    x0, top, x1, bottom = line
    ink = image.ink[top:bottom, x0:x1] & ~image.rules[top:bottom, x0:x1]
    columns = ink.any(axis=0)
    gap = _SETTINGS.lone_ink_gap * height
    pieces: list[list[int]] = []  # first and last ink column of each piece, in the line
    for column in np.flatnonzero(columns):
        if pieces and column - pieces[-1][1] <= gap:
            pieces[-1][1] = int(column)
        else:
            pieces.append([int(column), int(column)])
    # Too little ink to be a character (dust) is no piece; a character read there spoils the cut.
    rows_tall = [np.flatnonzero(ink[:, a : b + 1].any(axis=1)) for a, b in pieces]
    pieces = [
        piece
        for piece, rows in zip(pieces, rows_tall, strict=True)
        if _character_sized(rows[-1] - rows[0] + 1, height)
    ]
    if len(pieces) < 2:
        return whole
    texts = [""] * len(pieces)
    width = x1 - x0
    for ch, share in zip(text, shares, strict=True):
        if ch.isspace():
            continue
        middle = share * width
        home = next((k for k, (a, b) in enumerate(pieces) if a - gap / 2 <= middle <= b + gap / 2), None)
        if home is None:
            return whole
        texts[home] += ch
    if not all(_NUMBER_WORD_RE.match(t) for t in texts):
        return whole
    margin = int(height / 4)
    out = []
    for k, (a, b) in enumerate(pieces):
        left = a - margin if k == 0 else max(a - margin, (pieces[k - 1][1] + a) // 2)
        right = b + 1 + margin if k == len(pieces) - 1 else min(b + 1 + margin, (b + pieces[k + 1][0]) // 2)
        out.append(((x0 + max(0, left), top, x0 + min(width, right), bottom), texts[k]))
    return out


def _undetected_words(
    image: scan.PageImage, lines: list[tuple[int, int, int, int]], boxes: list[BBox], height: float
) -> list[tuple[int, int, int, int]]:
    """Boxes (pixels) of ink the size of characters that no detected line covers, outside the
    ruled cells (which are read cell by cell): the page's detector misses some lone small digits,
    and in a table without rules nothing else would read them (a row's first and last numbers
    were lost). Neighbouring blobs on one line make one word; dust and specks are too small to
    count, a shadow or a rule too large, and ink touching a rule is the rule's."""
    if not lines:  # no line to size characters by (`height`, the median line's)
        return []
    free = image.ink & ~image.rules
    for x0, top, x1, bottom in lines:
        free[top:bottom, x0:x1] = False
    scale = image.scale
    for x0, top, x1, bottom in boxes:
        free[int(top / scale) : int(bottom / scale) + 1, int(x0 / scale) : int(x1 / scale) + 1] = False
    count, labels, stats, _ = cv2.connectedComponentsWithStats(free.astype(np.uint8), connectivity=8)
    # Ink running into a rule is a piece of the rule (a stub the rule mask missed reads as 1).
    near_rules = cv2.dilate(image.rules.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    on_rules = set(np.unique(labels[near_rules]).tolist())
    blobs = sorted(
        (int(x), int(y), int(x + w), int(y + h))
        for index, (x, y, w, h, _) in enumerate(stats[1:count], start=1)
        if _character_sized(h, height)
        and h <= _SETTINGS.lone_ink_heights[1] * height
        and w <= _SETTINGS.lone_ink_heights[1] * height
        and index not in on_rules
    )
    words: list[list[int]] = []
    for x0, top, x1, bottom in blobs:  # left to right: a blob joins the word it continues
        word = next(
            (
                w
                for w in words
                if x0 - w[2] <= _SETTINGS.lone_ink_gap * height and min(bottom, w[3]) - max(top, w[1]) > 0
            ),
            None,
        )
        if word is None:
            words.append([x0, top, x1, bottom])
        else:
            word[:] = [word[0], min(top, word[1]), max(x1, word[2]), max(bottom, word[3])]
    h, w = free.shape
    margin = int(height / 4)
    return [
        (max(0, x0 - margin), max(0, top - margin), min(w, x1 + margin), min(h, bottom + margin))
        for x0, top, x1, bottom in words
    ]


def _unstacked(
    image: scan.PageImage, line: tuple[int, int, int, int], height: float
) -> list[tuple[int, int, int, int]]:
    """A line the page's detector found outside the ruled cells (or a ruled cell's ink), as the
    lines its ink stands in.

    A box taller than it is wide and than `merged_line_heights` of the page's lines (`height`, the
    median box) is a label printed downwards (本/年/度, the group label of a table without rules), which the
    detector takes for one line: read as a line it came out as 本使, placed on the row beside it
    as one word with that row's label, and the label's wrapped second line became a row of its own.
    Its ink is cut where no ink crosses a band of rows, and the bands are joined again while they
    fit in one character (`stacked_char_height` of a line's box, and no taller than the ink is
    wide): the strokes of 三 stay one character. Each band is a line of its own."""
    x0, top, x1, bottom = line
    if bottom - top <= max(_SETTINGS.merged_line_heights * height, x1 - x0):
        return [line]  # a line, or a title in a large font: wider than tall
    ink = image.ink[top:bottom, x0:x1] & ~image.rules[top:bottom, x0:x1]
    rows = np.flatnonzero(ink.any(axis=1))
    if not len(rows):
        return [line]
    columns = np.flatnonzero(ink.any(axis=0))
    limit = min(_SETTINGS.stacked_char_height * height, columns[-1] - columns[0] + 1)
    bands: list[list[int]] = []  # first and last ink row of each band
    for row in rows:
        if bands and (row == bands[-1][1] + 1 or row - bands[-1][0] < limit):  # touching, or in one character
            bands[-1][1] = row
        else:
            bands.append([row, row])
    if len(bands) < 2:
        return [line]
    margin = int(height / 4)
    out = []
    for first, last in bands:
        across = np.flatnonzero(ink[first : last + 1].any(axis=0))
        out.append(
            (
                x0 + max(0, across[0] - margin),
                top + max(0, first - margin),
                x0 + min(x1 - x0, across[-1] + 1 + margin),
                top + min(bottom - top, last + 1 + margin),
            )
        )
    return out


def _without_specks(
    image: scan.PageImage, lines: list[tuple[int, int, int, int]], height: float
) -> list[tuple[int, int, int, int]]:
    """The lines of a cell (pixels) but those a speck of dust made (`_speck`): read as a line, a
    speck under 总计 came out as +, the header as 总计+, which names no column of the form, and
    the whole 总计 column of table 三 was lost on both its pages. Where every line is a speck,
    all stay: the cell is read as before, not left blank."""
    return [line for line in lines if not _speck(image, line, height)] or lines


def _speck(image: scan.PageImage, line: tuple[int, int, int, int], height: float) -> bool:
    """Whether a line the detector found (pixels) holds only dust: its ink, the rules and their
    blurred edges left out, stands less than `lone_ink_heights[0]` of the page's lines (`height`,
    the median line box) both tall and wide, as the ink no line covers must to be read
    (`_undetected_words`). A digit's ink is about 0.5 of its line box, a small 1 0.34, a speck of
    dust 0.1-0.2; a dash or 一 is flat but long. A line without any ink is no speck: the
    detector may see print too faint for the ink test."""
    x0, top, x1, bottom = line
    rules = cv2.dilate(image.rules[top:bottom, x0:x1].astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    ink = image.ink[top:bottom, x0:x1] & ~rules
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return False
    return not _character_sized(rows[-1] - rows[0] + 1, height) and not _character_sized(
        columns[-1] - columns[0] + 1, height
    )


def _character_sized(extent: float, height: float) -> bool:
    """Whether ink this long one way (pixels) may be a character of lines `height` tall, and not
    dust: at least `lone_ink_heights[0]` of it (the one measure of dust for the OCR's lines)."""
    return extent >= _SETTINGS.lone_ink_heights[0] * height


def _stacked_lines(
    engine: Recogniser, image: scan.PageImage, ink: scan.CellInk, line_height: float
) -> list[tuple[tuple[int, int, int, int], np.ndarray]]:
    """The lines of a cell whose ink stands taller than a line of the page, when the cell's own
    image shows several (a wrapped label, 自然 over 人, where a seal hid one line from the page's
    detector): each line's box in the page's pixels and its crop. Read as one line, the stack
    comes out as one jumble (自人然). Empty for a cell of one line. A speck of dust the detector
    took for a line is not read (`_without_specks`): a line and a speck are one line, read from
    its own box as the lines of several are, without the speck."""
    if not ink.has_ink or ink.mark or ink.crop.shape[0] <= _SETTINGS.stacked_line_heights * line_height:
        return []
    pad = _SETTINGS.cell_detect_pad
    found = engine.detect(np.pad(ink.crop, pad, constant_values=255))
    if len(found) < 2:
        return []
    height, width = ink.crop.shape
    left, top = ink.origin
    out = []
    for x0, t, x1, b in sorted(found, key=lambda line: line[1]):
        x0, t, x1, b = max(0, x0 - pad), max(0, t - pad), min(width, x1 - pad), min(height, b - pad)
        if x1 - x0 > 2 and b - t > 2:
            out.append(((left + x0, top + t, left + x1, top + b), ink.crop[t:b, x0:x1]))
    if len(out) < 2:
        return []
    kept = _without_specks(image, [box for box, _ in out], line_height)
    return [(box, crop) for box, crop in out if box in kept]


def attach_words(pages: dict[int, ScannedPage], placed: Iterable[tuple[int, BBox]]) -> None:
    """Give each placed cell (page, box) of a grid rebuilt from text positions the reading of the
    one number read alone inside it, so that it is verified as a ruled cell is: its own reading,
    and the page's line read again. A cell holding no such number, or several, gets none.

    A box that lies inside one ruled cell read alone (the words the form reading placed where the
    grid placed nothing: a part of a table whose header a seal hid) gets that cell's reading:
    read from the whole page only, 26812 under a seal came out as 812, and nothing but the
    rules' silence kept it from being published. Only where no other box placed lies in that cell:
    one reading stands for one cell of the form."""
    in_ruled: dict[tuple[int, BBox], list[BBox]] = {}
    for number, box in placed:
        page = pages.get(number)
        if page is None or box in page.cells:
            continue
        inside = [
            word
            for word in page.words
            if box[0] <= (word.bbox[0] + word.bbox[2]) / 2 <= box[2]
            and box[1] <= (word.bbox[1] + word.bbox[3]) / 2 <= box[3]
        ]
        if len(inside) == 1:
            page.cells[box] = dataclasses.replace(inside[0], bbox=box)
        elif not inside:
            around = [cell for cell in page.ruled if cell in page.cells and _within(box, cell)]
            if len(around) == 1:
                in_ruled.setdefault((number, around[0]), []).append(box)
    for (number, cell), boxes in in_ruled.items():
        if len(set(boxes)) == 1:
            pages[number].cells[boxes[0]] = dataclasses.replace(pages[number].cells[cell], bbox=boxes[0])


def _within(box: BBox, cell: BBox) -> bool:
    """Whether a box (points) lies inside a ruled cell, but for `within_cell` of a point."""
    reach = _SETTINGS.within_cell
    return (
        cell[0] - reach <= box[0]
        and cell[1] - reach <= box[1]
        and box[2] <= cell[2] + reach
        and box[3] <= cell[3] + reach
    )


def second_readings(page: ScannedPage, cells: list[OcrCell]) -> list[str]:
    """The cells read the other way, as a whole-page reading does: the line the page's text
    detector found in each, cut from the page and recognised. It shares neither the ink test nor
    the crop with the first reading, so a stray blob that one kept or lost does not sway both.
    Where the page's detector found no line in a cell (it misses some lone small digits), the
    band of the cell's rows that hold ink is read, across the cell's whole width; where that
    reads nothing, the band again, cut to the columns that hold ink with a margin as a line's box
    has: a lone 1 in a band as wide as its cell came out as nothing."""
    crops: list[np.ndarray] = []
    narrowed: list[np.ndarray | None] = []  # the band cut to its ink's columns, to read again
    for cell in cells:
        x0, top, x1, bottom = cell.line or cell.box
        crop = page.image.grey[top:bottom, x0:x1].copy()
        rules = page.image.rules[top:bottom, x0:x1].astype(np.uint8)
        near_rules = cv2.dilate(rules, np.ones((5, 5), np.uint8)) > 0  # a line's box reaches over them
        crop[near_rules] = 255
        band, narrow = (
            (crop, None) if cell.line else _ink_band(crop, page.image.ink[top:bottom, x0:x1] & ~near_rules)
        )
        crops.append(band)
        narrowed.append(narrow)
    texts = [text for text, _ in recogniser().read(crops)]
    again = [i for i, text in enumerate(texts) if not text.strip() and narrowed[i] is not None]
    for i, (text, _) in zip(again, recogniser().read([narrowed[i] for i in again]), strict=True):
        texts[i] = text
    return texts


def _ink_band(crop: np.ndarray, ink: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The rows of a cell that hold ink, with a margin of a quarter of their height; and the same
    rows cut to the columns that hold ink, with a margin of half their height (None when no row
    holds ink)."""
    rows = np.nonzero(ink.sum(axis=1) >= 2)[0]
    if not len(rows):
        return crop, None
    height = rows.max() - rows.min() + 1
    margin = max(4, height // 4)
    first, last = max(0, rows.min() - margin), rows.max() + margin + 1
    band = crop[first:last, 3:-3]
    columns = np.nonzero(ink[first:last, 3:-3].any(axis=0))[0]
    if not len(columns):
        return band, None
    side = max(4, height // 2)
    return band, band[:, max(0, columns.min() - side) : columns.max() + side + 1]
