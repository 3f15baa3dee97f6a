"""Source: a PDF's pages as plain characters and ruling lines (PDFium, bound in `sources.pdfium`).

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

from ..errors import UnreadablePDFError
from ..model import BBox, Char, Edge, Page
from ..settings import DEFAULT
from . import pdfium
from .chars import dedupe_chars

if TYPE_CHECKING:  # only a scanned page is rendered: a text PDF loads neither
    import numpy as np
    from PIL.Image import Image as PILImage

Matrix = tuple[float, float, float, float, float, float]

_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_SETTINGS = DEFAULT.pdf
_INVISIBLE = 3  # PDF text render mode 3: neither filled nor stroked, as scanners' OCR layers are


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _matrix(obj: int) -> Matrix:
    m = pdfium.FS_MATRIX()
    if not pdfium.FPDFPageObj_GetMatrix(obj, ctypes.addressof(m)):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _path_objects(container: int, count, get, outer: Matrix) -> Iterator[tuple[int, Matrix]]:
    """Path objects (as handles) with their page transform, descending into form XObjects."""
    for index in range(count(container)):
        obj = get(container, index)
        if obj is None:
            continue
        kind = pdfium.FPDFPageObj_GetType(obj)
        if kind == pdfium.FPDF_PAGEOBJ_PATH:
            yield obj, _compose(_matrix(obj), outer)
        elif kind == pdfium.FPDF_PAGEOBJ_FORM:
            inner = _compose(_matrix(obj), outer)
            count, get = pdfium.FPDFFormObj_CountObjects, pdfium.FPDFFormObj_GetObject
            yield from _path_objects(obj, count, get, inner)


def _segments(path: int, matrix: Matrix) -> Iterator[tuple[float, float, float, float]]:
    """Straight segments of a path in PDF user space."""
    a, b, c, d, e, f = matrix
    x, y = ctypes.c_float(), ctypes.c_float()
    x_at, y_at = ctypes.addressof(x), ctypes.addressof(y)
    moveto, lineto = pdfium.FPDF_SEGMENT_MOVETO, pdfium.FPDF_SEGMENT_LINETO
    start = previous = None
    for index in range(pdfium.FPDFPath_CountSegments(path)):
        segment = pdfium.FPDFPath_GetPathSegment(path, index)
        pdfium.FPDFPathSegment_GetPoint(segment, x_at, y_at)
        px, py = x.value, y.value
        point = (a * px + c * py + e, b * px + d * py + f)
        kind = pdfium.FPDFPathSegment_GetType(segment)
        if kind == moveto:
            start = previous = point
            continue
        if kind == lineto and previous is not None:
            yield (*previous, *point)
        previous = point
        if pdfium.FPDFPathSegment_GetClose(segment) and start is not None and previous != start:
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


def _frame(page: pdfium.PdfPage) -> _Frame:
    left, bottom, right, top = page.media_box()
    return _Frame(page.rotation(), right - left, top - bottom)


def _edge(x0: float, y0: float, x1: float, y1: float) -> Edge | None:
    """A ruling line for an axis-aligned segment given in reading coordinates (y down)."""
    if abs(y1 - y0) <= _SETTINGS.axis_slack:
        left, right, top = min(x0, x1), max(x0, x1), (y0 + y1) / 2
        return Edge("h", left, top, right, top, right - left)
    if abs(x1 - x0) <= _SETTINGS.axis_slack:
        top, bottom, x = min(y0, y1), max(y0, y1), (x0 + x1) / 2
        return Edge("v", x, top, x, bottom, bottom - top)
    return None


def _rule_edges(page: pdfium.PdfPage, frame: _Frame) -> list[Edge]:
    edges = []
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    fill_mode_at, stroke_at = ctypes.addressof(fill_mode), ctypes.addressof(stroke)
    objects = _path_objects(page.handle, pdfium.FPDFPage_CountObjects, pdfium.FPDFPage_GetObject, _IDENTITY)
    for path, matrix in objects:
        pdfium.FPDFPath_GetDrawMode(path, fill_mode_at, stroke_at)
        if not stroke.value and not fill_mode.value:
            continue
        for ux0, uy0, ux1, uy1 in _segments(path, matrix):
            edge = _edge(*frame.point(ux0, uy0), *frame.point(ux1, uy1))
            if edge is not None:
                edges.append(edge)
    return edges


def _chars(page: pdfium.PdfPage, frame: _Frame) -> tuple[list[Char], bool]:
    """Characters with boxes a line can be built from, and whether they are drawn invisibly.

    Horizontally a character spans its loose box. Vertically it spans its font's
    em square on its baseline: loose boxes of some fonts shrink to the glyph (a
    full stop is three points tall), which would drop it out of its own line.

    This loop runs for every character of every page read, so everything it calls
    is bound once outside it. The render mode is read for the first few characters only.
    """
    handle = page.text_page()
    try:
        # As the per-character entry points take them, unconverted (`pdfium._bind_unconverted`).
        text = ctypes.c_void_p(handle)
        rect, matrix = pdfium.FS_RECTF(), pdfium.FS_MATRIX()
        x, y = ctypes.c_double(), ctypes.c_double()
        rect_at, matrix_at, x_at, y_at = (ctypes.byref(v) for v in (rect, matrix, x, y))
        box, point, hypot = frame.box, frame.point, math.hypot
        ascent, descent = _SETTINGS.em_ascent, _SETTINGS.em_descent
        chars: list[Char] = []
        append = chars.append
        invisible = sampled = 0
        char_unicode, loose_box = pdfium.FPDFText_GetUnicode, pdfium.FPDFText_GetLooseCharBox
        char_matrix, char_origin = pdfium.FPDFText_GetMatrix, pdfium.FPDFText_GetCharOrigin
        font_size, text_object_of = pdfium.FPDFText_GetFontSize, pdfium.FPDFText_GetTextObject
        render_mode = pdfium.FPDFTextObj_GetTextRenderMode
        for index in range(pdfium.FPDFText_CountChars(handle)):
            code = char_unicode(text, index)
            # PDFium's generated characters (the spaces and line breaks it infers) are all whitespace.
            if code <= 32 or code == 0xA0 or code == 0x3000 or not loose_box(text, index, rect_at):
                continue
            if sampled < _SETTINGS.render_mode_sample:
                sampled += 1
                text_object = text_object_of(handle, index)
                invisible += bool(text_object) and render_mode(text_object) == _INVISIBLE
            x0, top, x1, bottom = box(rect.left, rect.bottom, rect.right, rect.top)
            size = bottom - top
            if char_matrix(text, index, matrix_at) and char_origin(text, index, x_at, y_at):
                scaled = font_size(text, index) * hypot(matrix.c, matrix.d)
                if scaled > 0:
                    size = scaled
                    baseline = point(x.value, y.value)[1]
                    top, bottom = baseline - ascent * size, baseline + descent * size
            append(Char(chr(code), x0, top, x1, bottom, size))
        return chars, sampled > 0 and invisible == sampled
    finally:
        pdfium.FPDFText_ClosePage(handle)


def _readable(char: Char) -> bool:
    code = ord(char.text)
    return (
        0x21 <= code <= 0x7E
        or 0x4E00 <= code <= 0x9FFF  # CJK ideographs
        or 0x3000 <= code <= 0x303F  # CJK punctuation
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or code in (0x2014, 0x2015, 0x2026, 0x201C, 0x201D, 0x2018, 0x2019, 0x00B7)
    )


_WITHOUT_UNICODE = "text without Unicode"


def _unusable_text(chars: list[Char], invisible: bool) -> str:
    """Why a page's text layer is not what is printed on it; empty when it is."""
    if not chars:
        return "no text layer"
    if invisible:
        return "invisible text layer (a scanner's OCR)"
    if sum(map(_readable, chars)) < _SETTINGS.readable_share * len(chars):
        return _WITHOUT_UNICODE
    chinese = sum(0x4E00 <= ord(char.text) <= 0x9FFF for char in chars)
    if len(chars) >= _SETTINGS.garbled_min_chars and chinese < _SETTINGS.cjk_min_share * len(chars):
        return _WITHOUT_UNICODE
    return ""


def _largest_image_share(page: pdfium.PdfPage) -> float:
    """The share of the page's area covered by its largest image."""
    left, bottom, right, top = page.media_box()
    area = (right - left) * (top - bottom)
    box = [ctypes.c_float() for _ in range(4)]
    at = [ctypes.addressof(v) for v in box]
    largest = 0.0
    for index in range(pdfium.FPDFPage_CountObjects(page.handle)):
        obj = pdfium.FPDFPage_GetObject(page.handle, index)
        image = obj and pdfium.FPDFPageObj_GetType(obj) == pdfium.FPDF_PAGEOBJ_IMAGE
        if image and pdfium.FPDFPageObj_GetBounds(obj, *at):
            x0, y0, x1, y1 = (v.value for v in box)
            largest = max(largest, abs(x1 - x0) * abs(y1 - y0))
    return largest / area if area > 0 else 0.0


def _drawn_text(page: pdfium.PdfPage, chars: list[Char]) -> bool:
    """Whether a page without text draws its text as shapes: the glyphs turned into outlines, as
    some printers and PDF tools save a document, one path a character or word. It is read by
    OCR as a scan is; a page of a table's rules alone draws far fewer paths."""
    if chars:
        return False
    count = pdfium.FPDFPage_CountObjects(page.handle)
    paths = sum(
        pdfium.FPDFPageObj_GetType(pdfium.FPDFPage_GetObject(page.handle, index)) == pdfium.FPDF_PAGEOBJ_PATH
        for index in range(count)
    )
    return paths >= _SETTINGS.drawn_text_paths


# PDFium's error code is process-wide and set only when something fails, so a code left
# by an earlier document would explain the next failure. Loading a path that cannot exist
# sets a known code first: every document is judged on its own.
_NO_SUCH_FILE = b"\0"
_ENCRYPTED = (pdfium.FPDF_ERR_PASSWORD, pdfium.FPDF_ERR_SECURITY)


def _open(path: Path) -> pdfium.PdfDocument:
    """The document, with at least one page; else UnreadablePDFError with the reason."""
    pdfium.FPDF_LoadDocument(_NO_SUCH_FILE, None)
    handle = pdfium.FPDF_LoadDocument(os.fsencode(path), None)
    if not handle:
        if pdfium.FPDF_GetLastError() in _ENCRYPTED:
            raise UnreadablePDFError("the PDF is encrypted and needs a password")
        raise UnreadablePDFError("corrupt PDF: it cannot be opened")
    if pdfium.FPDF_GetPageCount(handle) < 1:
        pdfium.FPDF_CloseDocument(handle)
        raise UnreadablePDFError("the PDF has no pages")
    return pdfium.PdfDocument(handle)


class PdfSource:
    """A PDF opened for reading. Use as a context manager."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        try:
            with open(self.path, "rb") as handle:
                magic = handle.read(1024)
        except OSError as error:
            from . import cannot_open

            raise UnreadablePDFError(cannot_open(path, error)) from None
        if b"%PDF-" not in magic:
            raise UnreadablePDFError("not a PDF file")
        self._pdf = _open(self.path)
        self.page_count = pdfium.FPDF_GetPageCount(self._pdf.handle)

    def __enter__(self) -> PdfSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._pdf.close()

    @property
    def metadata_title(self) -> str:
        return self._pdf.metadata("Title").strip()

    def page(self, number: int) -> Page:
        """Page `number` (1-based) in one load: its characters (fake-bold doubles removed) and its rules.

        The rules stay lines; `grids.lattice.find_table_cells` turns them into cells
        for the pages that hold tables. A scan (its text unusable, an image over most of
        it), a page that draws its text as outlines, or one whose text has no Unicode (its
        glyphs drawn all the same) comes back empty with `Page.scanned` saying why: a scanner's invisible OCR
        layer is not what is printed, and the image is read by `sources.ocr` instead.
        """
        page = self._page(number)
        try:
            frame = _frame(page)
            chars, invisible = _chars(page, frame)
            why = _unusable_text(chars, invisible)
            # Text without Unicode is drawn as its glyphs all the same: OCR reads the page as shown.
            if why and (
                why == _WITHOUT_UNICODE
                or _largest_image_share(page) >= _SETTINGS.scan_image_share
                or _drawn_text(page, chars)
            ):
                return Page(number, [], [], scanned=why)
            return Page(number, dedupe_chars(chars), _rule_edges(page, frame))
        finally:
            page.close()

    def render(self, number: int, dpi: float) -> np.ndarray:
        """Page `number` as an RGB array at `dpi`, as it is shown (rotation applied)."""
        import numpy as np

        pixels, width, height = self._render(number, dpi / 72)
        return np.frombuffer(pixels, dtype=np.uint8).reshape(height, width, 3)

    def render_image(self, number: int, scale: float) -> PILImage:
        """Page `number` as an RGB image, `scale` pixels per point, as it is shown."""
        from PIL import Image

        pixels, width, height = self._render(number, scale)
        return Image.frombuffer("RGB", (width, height), pixels, "raw", "RGB", 0, 1)

    def _render(self, number: int, scale: float) -> tuple[ctypes.Array, int, int]:
        page = self._page(number)
        try:
            return page.render_rgb(scale)
        finally:
            page.close()

    def _page(self, number: int) -> pdfium.PdfPage:
        try:
            return self._pdf.page(number - 1)
        except pdfium.PdfiumError:
            raise UnreadablePDFError(f"page {number} cannot be read") from None


def render_pages(path: str | os.PathLike[str], numbers: Iterable[int], scale: float) -> Iterator[PILImage]:
    """The given pages (1-based) as RGB images, `scale` pixels per point, to show a person what was read."""
    with PdfSource(path) as pdf:
        for number in numbers:
            yield pdf.render_image(number, scale)
