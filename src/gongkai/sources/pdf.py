"""Source: a PDF's pages as plain characters and ruling lines (PDFium, via pypdfium2).

This is the only module that touches a PDF engine. PDFium (which pdfplumber
itself depends on) supplies the characters and the ruling lines about twenty
times faster than pdfminer's interpreter; `grids.lattice` then turns the lines
into cell boxes. Everything returned is a `model` type, so the stages after
this one do not know the engine.
"""

from __future__ import annotations

import ctypes
import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..errors import UnreadablePDFError
from ..model import BBox, Char, Edge, Page
from ..settings import DEFAULT
from .chars import dedupe_chars

if TYPE_CHECKING:  # only a scanned page is rendered: a text PDF loads neither
    import numpy as np
    from PIL.Image import Image as PILImage

Matrix = tuple[float, float, float, float, float, float]

_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_SETTINGS = DEFAULT.pdf


def _plain_c(function, restype, *argtypes):
    """The same PDFium entry point, declared with plain C types.

    pypdfium2 declares pointer arguments with their struct types, and ctypes checks
    and converts each of them on every call; in the per-character and per-segment
    loops that costs more than the call itself. These take addresses as ints.
    """
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(function, ctypes.c_void_p).value)


_VOID, _INT = ctypes.c_void_p, ctypes.c_int
_char_unicode = _plain_c(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint, _VOID, _INT)
_char_loose_box = _plain_c(pdfium_c.FPDFText_GetLooseCharBox, _INT, _VOID, _INT, _VOID)
_char_matrix = _plain_c(pdfium_c.FPDFText_GetMatrix, _INT, _VOID, _INT, _VOID)
_char_origin = _plain_c(pdfium_c.FPDFText_GetCharOrigin, _INT, _VOID, _INT, _VOID, _VOID)
_char_font_size = _plain_c(pdfium_c.FPDFText_GetFontSize, ctypes.c_double, _VOID, _INT)
_page_object_count = _plain_c(pdfium_c.FPDFPage_CountObjects, _INT, _VOID)
_page_object = _plain_c(pdfium_c.FPDFPage_GetObject, _VOID, _VOID, _INT)
_form_object_count = _plain_c(pdfium_c.FPDFFormObj_CountObjects, _INT, _VOID)
_form_object = _plain_c(pdfium_c.FPDFFormObj_GetObject, _VOID, _VOID, ctypes.c_ulong)
_object_type = _plain_c(pdfium_c.FPDFPageObj_GetType, _INT, _VOID)
_object_matrix = _plain_c(pdfium_c.FPDFPageObj_GetMatrix, _INT, _VOID, _VOID)
_path_draw_mode = _plain_c(pdfium_c.FPDFPath_GetDrawMode, _INT, _VOID, _VOID, _VOID)
_path_segment_count = _plain_c(pdfium_c.FPDFPath_CountSegments, _INT, _VOID)
_path_segment = _plain_c(pdfium_c.FPDFPath_GetPathSegment, _VOID, _VOID, _INT)
_segment_point = _plain_c(pdfium_c.FPDFPathSegment_GetPoint, _INT, _VOID, _VOID, _VOID)
_segment_type = _plain_c(pdfium_c.FPDFPathSegment_GetType, _INT, _VOID)
_segment_close = _plain_c(pdfium_c.FPDFPathSegment_GetClose, _INT, _VOID)
_char_text_object = _plain_c(pdfium_c.FPDFText_GetTextObject, _VOID, _VOID, _INT)
_text_render_mode = _plain_c(pdfium_c.FPDFTextObj_GetTextRenderMode, _INT, _VOID)
_object_bounds = _plain_c(pdfium_c.FPDFPageObj_GetBounds, _INT, _VOID, _VOID, _VOID, _VOID, _VOID)
_INVISIBLE = 3  # PDF text render mode 3: neither filled nor stroked, as scanners' OCR layers are


def _address(handle) -> int:
    return ctypes.cast(handle, ctypes.c_void_p).value


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _matrix(obj: int) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not _object_matrix(obj, ctypes.addressof(m)):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _path_objects(container: int, count, get, outer: Matrix) -> Iterator[tuple[int, Matrix]]:
    """Path objects (as handles) with their page transform, descending into form XObjects."""
    for index in range(count(container)):
        obj = get(container, index)
        if obj is None:
            continue
        kind = _object_type(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            yield obj, _compose(_matrix(obj), outer)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            inner = _compose(_matrix(obj), outer)
            yield from _path_objects(obj, _form_object_count, _form_object, inner)


def _segments(path: int, matrix: Matrix) -> Iterator[tuple[float, float, float, float]]:
    """Straight segments of a path in PDF user space."""
    a, b, c, d, e, f = matrix
    x, y = ctypes.c_float(), ctypes.c_float()
    x_at, y_at = ctypes.addressof(x), ctypes.addressof(y)
    moveto, lineto = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO
    start = previous = None
    for index in range(_path_segment_count(path)):
        segment = _path_segment(path, index)
        _segment_point(segment, x_at, y_at)
        px, py = x.value, y.value
        point = (a * px + c * py + e, b * px + d * py + f)
        kind = _segment_type(segment)
        if kind == moveto:
            start = previous = point
            continue
        if kind == lineto and previous is not None:
            yield (*previous, *point)
        previous = point
        if _segment_close(segment) and start is not None and previous != start:
            yield (*previous, *start)
            previous = start


@dataclass(frozen=True)
class _Frame:
    """Maps PDF user space (y up) to the page as a reader sees it (y down), /Rotate included.

    A landscape table is often a portrait page turned by /Rotate 90; read in user
    space its text would run down the page.
    """

    rotation: int
    width: float  # of the unrotated page
    height: float

    def point(self, x: float, y: float) -> tuple[float, float]:
        if self.rotation == 90:
            return y, x
        if self.rotation == 180:
            return self.width - x, y
        if self.rotation == 270:
            return self.height - y, self.width - x
        return x, self.height - y

    def box(self, left: float, bottom: float, right: float, top: float) -> BBox:
        if self.rotation == 0 and left <= right and bottom <= top:  # nearly every character
            return left, self.height - top, right, self.height - bottom
        (ax, ay), (bx, by) = self.point(left, bottom), self.point(right, top)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def _frame(page) -> _Frame:
    left, bottom, right, top = page.get_mediabox()
    return _Frame(page.get_rotation() % 360, right - left, top - bottom)


def _edge(x0: float, y0: float, x1: float, y1: float) -> Edge | None:
    """A ruling line for an axis-aligned segment given in reading coordinates (y down)."""
    if abs(y1 - y0) <= _SETTINGS.axis_slack:
        left, right, top = min(x0, x1), max(x0, x1), (y0 + y1) / 2
        return Edge("h", left, top, right, top, right - left)
    if abs(x1 - x0) <= _SETTINGS.axis_slack:
        top, bottom, x = min(y0, y1), max(y0, y1), (x0 + x1) / 2
        return Edge("v", x, top, x, bottom, bottom - top)
    return None


def _rule_edges(page, frame: _Frame) -> list[Edge]:
    edges = []
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    fill_mode_at, stroke_at = ctypes.addressof(fill_mode), ctypes.addressof(stroke)
    for path, matrix in _path_objects(_address(page.raw), _page_object_count, _page_object, _IDENTITY):
        _path_draw_mode(path, fill_mode_at, stroke_at)
        if not stroke.value and not fill_mode.value:
            continue
        for ux0, uy0, ux1, uy1 in _segments(path, matrix):
            edge = _edge(*frame.point(ux0, uy0), *frame.point(ux1, uy1))
            if edge is not None:
                edges.append(edge)
    return edges


def _chars(page, frame: _Frame) -> tuple[list[Char], bool]:
    """Characters with boxes a line can be built from, and whether they are drawn invisibly.

    Horizontally a character spans its loose box. Vertically it spans its font's
    em square on its baseline: loose boxes of some fonts shrink to the glyph (a
    full stop is three points tall), which would drop it out of its own line.

    This loop runs for every character of every page read, so everything it calls
    is bound once outside it. The render mode is read for the first few characters only.
    """
    textpage = page.get_textpage()
    try:
        handle = _address(textpage.raw)
        rect, matrix = pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
        x, y = ctypes.c_double(), ctypes.c_double()
        rect_at, matrix_at, x_at, y_at = (ctypes.addressof(v) for v in (rect, matrix, x, y))
        box, point, hypot = frame.box, frame.point, math.hypot
        ascent, descent = _SETTINGS.em_ascent, _SETTINGS.em_descent
        chars: list[Char] = []
        append = chars.append
        invisible = sampled = 0
        for index in range(pdfium_c.FPDFText_CountChars(textpage.raw)):
            code = _char_unicode(handle, index)
            # PDFium's generated characters (the spaces and line breaks it infers) are all whitespace.
            if code <= 32 or code == 0xA0 or code == 0x3000 or not _char_loose_box(handle, index, rect_at):
                continue
            if sampled < _SETTINGS.render_mode_sample:
                sampled += 1
                text_object = _char_text_object(handle, index)
                invisible += bool(text_object) and _text_render_mode(text_object) == _INVISIBLE
            x0, top, x1, bottom = box(rect.left, rect.bottom, rect.right, rect.top)
            size = bottom - top
            if _char_matrix(handle, index, matrix_at) and _char_origin(handle, index, x_at, y_at):
                scaled = _char_font_size(handle, index) * hypot(matrix.c, matrix.d)
                if scaled > 0:
                    size = scaled
                    baseline = point(x.value, y.value)[1]
                    top, bottom = baseline - ascent * size, baseline + descent * size
            append(Char(chr(code), x0, top, x1, bottom, size))
        return chars, sampled > 0 and invisible == sampled
    finally:
        textpage.close()


def _readable(char: Char) -> bool:
    code = ord(char.text)
    return (
        0x21 <= code <= 0x7E
        or 0x4E00 <= code <= 0x9FFF  # CJK ideographs
        or 0x3000 <= code <= 0x303F  # CJK punctuation
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or code in (0x2014, 0x2015, 0x2026, 0x201C, 0x201D, 0x2018, 0x2019, 0x00B7)
    )


def _unusable_text(chars: list[Char], invisible: bool) -> str:
    """Why a page's text layer is not what is printed on it; empty when it is."""
    if not chars:
        return "no text layer"
    if invisible:
        return "invisible text layer (a scanner's OCR)"
    if sum(map(_readable, chars)) < _SETTINGS.readable_share * len(chars):
        return "text without Unicode"
    return ""


def _largest_image_share(page) -> float:
    """The share of the page's area covered by its largest image."""
    left, bottom, right, top = page.get_mediabox()
    area = (right - left) * (top - bottom)
    box = [ctypes.c_float() for _ in range(4)]
    at = [ctypes.addressof(v) for v in box]
    largest = 0.0
    container = _address(page.raw)
    for index in range(_page_object_count(container)):
        obj = _page_object(container, index)
        if obj and _object_type(obj) == pdfium_c.FPDF_PAGEOBJ_IMAGE and _object_bounds(obj, *at):
            x0, y0, x1, y1 = (v.value for v in box)
            largest = max(largest, abs(x1 - x0) * abs(y1 - y0))
    return largest / area if area > 0 else 0.0


# PDFium's error code is process-wide and set only when something fails, so a code left
# by an earlier document would explain the next failure. Loading a path that cannot exist
# sets a known code first: every document is judged on its own.
_NO_SUCH_FILE = b"\0"
_ENCRYPTED = (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY)


def _open(path: Path):
    """A raw PDFium document handle with at least one page; else UnreadablePDFError with the reason."""
    pdfium_c.FPDF_LoadDocument(_NO_SUCH_FILE, None)
    handle = pdfium_c.FPDF_LoadDocument(os.fsencode(path) + b"\0", None)
    if not handle:
        if pdfium_c.FPDF_GetLastError() in _ENCRYPTED:
            raise UnreadablePDFError("the PDF is encrypted and needs a password")
        raise UnreadablePDFError("corrupt PDF: it cannot be opened")
    if pdfium_c.FPDF_GetPageCount(handle) < 1:
        pdfium_c.FPDF_CloseDocument(handle)
        raise UnreadablePDFError("the PDF has no pages")
    return handle


class PdfSource:
    """A PDF opened for reading. Use as a context manager."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        try:
            with open(self.path, "rb") as handle:
                magic = handle.read(1024)
        except FileNotFoundError:
            raise UnreadablePDFError("file not found") from None
        except OSError as error:
            raise UnreadablePDFError(f"cannot open file: {error.strerror}") from None
        if b"%PDF-" not in magic:
            raise UnreadablePDFError("not a PDF file")
        self._pdf = pdfium.PdfDocument(_open(self.path))
        self.page_count = len(self._pdf)

    def __enter__(self) -> PdfSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._pdf.close()

    @property
    def metadata_title(self) -> str:
        try:
            return self._pdf.get_metadata_dict(skip_empty=True).get("Title", "").strip()
        except pdfium.PdfiumError:
            return ""

    def page(self, number: int) -> Page:
        """Page `number` (1-based) in one load: its characters (fake-bold doubles removed) and its rules.

        The rules stay lines; `grids.lattice.find_table_cells` turns them into cells
        for the pages that hold tables. A scan (its text unusable, an image over most of
        it) comes back empty with `Page.scanned` saying why: a scanner's invisible OCR
        layer is not what is printed, and the image is read by `sources.ocr` instead.
        """
        page = self._page(number)
        try:
            frame = _frame(page)
            chars, invisible = _chars(page, frame)
            why = _unusable_text(chars, invisible)
            if why and _largest_image_share(page) >= _SETTINGS.scan_image_share:
                return Page(number, [], [], scanned=why)
            return Page(number, dedupe_chars(chars), _rule_edges(page, frame))
        finally:
            page.close()

    def render(self, number: int, dpi: float) -> np.ndarray:
        """Page `number` as an RGB array at `dpi`, as it is shown (rotation applied)."""
        page = self._page(number)
        try:
            return page.render(scale=dpi / 72, rev_byteorder=True).to_numpy()
        finally:
            page.close()

    def _page(self, number: int):
        try:
            return self._pdf[number - 1]
        except (pdfium.PdfiumError, IndexError):
            raise UnreadablePDFError(f"page {number} cannot be read") from None


def render_pages(path: str | os.PathLike[str], numbers: Iterable[int], scale: float) -> Iterator[PILImage]:
    """The given pages (1-based) as RGB images, `scale` pixels per point, to show a person what was read."""
    pdf = pdfium.PdfDocument(path)
    try:
        for number in numbers:
            page = pdf[number - 1]
            try:
                yield page.render(scale=scale).to_pil().convert("RGB")
            finally:
                page.close()
    finally:
        pdf.close()
