"""PDFium's C API, as much of it as `sources.pdf` calls, bound with plain ctypes.

Why not pypdfium2's own bindings: importing pypdfium2 costs about 50 ms of CPU (its
generated module declares the whole API, a thousand functions, structs and constants),
a quarter of a one-file `gongkai extract` (issue 11), to call thirty functions. pypdfium2
stays the dependency that ships the library: this loads the libpdfium its pypdfium2_raw
package holds, found without running the package.

Pointer arguments are declared void pointers and take addresses as ints: ctypes checks
and converts a struct-typed argument on every call, which in the per-character and
per-segment loops costs more than the call itself. The five entry points called for every
character are declared with no argument types at all (`_bind_unconverted`).

A program may import pypdfium2 beside this (the tests do). Both load the same file, which
the process maps once: one library, initialised by whichever comes first (PDFium returns at
once when it is initialised already) and destroyed by pypdfium2's atexit handler only, never
here, as the process's end frees it anyway. A document left open is closed by a finalizer
that does not run at exit, so nothing here calls into the library once that handler ran
(unless another atexit handler, run after pypdfium2's, drops the last reference to one).
"""

from __future__ import annotations

import ctypes
import importlib.util
import math
import sys
import weakref
from pathlib import Path

_LIBRARY_NAMES = {"win32": "pdfium.dll", "darwin": "libpdfium.dylib"}


def _library_path() -> str:
    spec = importlib.util.find_spec("pypdfium2_raw")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("PDFium is missing: install pypdfium2 (pip install pypdfium2)")
    folder = Path(next(iter(spec.submodule_search_locations)))
    # The same absolute path pypdfium2_raw loads, so that both see one library.
    return str((folder / _LIBRARY_NAMES.get(sys.platform, "libpdfium.so")).resolve())


_library = ctypes.CDLL(_library_path())
_VOID, _INT, _FLOAT, _ULONG = ctypes.c_void_p, ctypes.c_int, ctypes.c_float, ctypes.c_ulong


def _bind(name: str, restype, *argtypes):
    function = getattr(_library, name)
    function.restype, function.argtypes = restype, argtypes
    return function


def _bind_unconverted(name: str, restype):
    """An entry point called for every character of a page, declared without argument types:
    converting each argument by its declared type takes 120 ns of a call's 320. The caller
    passes the text page as a `c_void_p` and each out-pointer as a `byref` (a bare int would
    go as a 32-bit C int); the character index is a C int as it is."""
    function = getattr(_library, name)
    function.restype = restype
    return function


class FS_MATRIX(ctypes.Structure):
    _fields_ = [(name, ctypes.c_float) for name in "abcdef"]


class FS_RECTF(ctypes.Structure):
    _fields_ = [(name, ctypes.c_float) for name in ("left", "top", "right", "bottom")]


class _LibraryConfig(ctypes.Structure):
    """FPDF_LIBRARY_CONFIG up to its version 2, the version pypdfium2 initialises with."""

    _fields_ = [
        ("version", ctypes.c_int),
        ("m_pUserFontPaths", _VOID),
        ("m_pIsolate", _VOID),
        ("m_v8EmbedderSlot", ctypes.c_uint),
    ]


FPDF_ERR_PASSWORD, FPDF_ERR_SECURITY = 4, 5
FPDF_PAGEOBJ_PATH, FPDF_PAGEOBJ_IMAGE, FPDF_PAGEOBJ_FORM = 2, 3, 5
FPDF_SEGMENT_LINETO, FPDF_SEGMENT_MOVETO = 0, 2
_FPDF_ANNOT, _FPDF_REVERSE_BYTE_ORDER = 0x01, 0x10
_FPDFBitmap_BGR = 2
_WHITE = 0xFFFFFFFF
_DEGREES = {0: 0, 1: 90, 2: 180, 3: 270}
_LETTER = (0.0, 0.0, 612.0, 792.0)  # a page without a MediaBox, as pypdfium2 reads it

FPDF_LoadDocument = _bind("FPDF_LoadDocument", _VOID, ctypes.c_char_p, ctypes.c_char_p)
FPDF_GetLastError = _bind("FPDF_GetLastError", _ULONG)
FPDF_GetPageCount = _bind("FPDF_GetPageCount", _INT, _VOID)
FPDF_CloseDocument = _bind("FPDF_CloseDocument", None, _VOID)
_get_meta_text = _bind("FPDF_GetMetaText", _ULONG, _VOID, ctypes.c_char_p, _VOID, _ULONG)
_load_page = _bind("FPDF_LoadPage", _VOID, _VOID, _INT)
_close_page = _bind("FPDF_ClosePage", None, _VOID)
_page_width = _bind("FPDF_GetPageWidthF", _FLOAT, _VOID)
_page_height = _bind("FPDF_GetPageHeightF", _FLOAT, _VOID)
_page_rotation = _bind("FPDFPage_GetRotation", _INT, _VOID)
_media_box = _bind("FPDFPage_GetMediaBox", _INT, _VOID, _VOID, _VOID, _VOID, _VOID)
_load_text_page = _bind("FPDFText_LoadPage", _VOID, _VOID)
FPDFText_ClosePage = _bind("FPDFText_ClosePage", None, _VOID)
FPDFText_CountChars = _bind("FPDFText_CountChars", _INT, _VOID)
FPDFText_GetUnicode = _bind_unconverted("FPDFText_GetUnicode", ctypes.c_uint)
FPDFText_GetLooseCharBox = _bind_unconverted("FPDFText_GetLooseCharBox", _INT)
FPDFText_GetMatrix = _bind_unconverted("FPDFText_GetMatrix", _INT)
FPDFText_GetCharOrigin = _bind_unconverted("FPDFText_GetCharOrigin", _INT)
FPDFText_GetFontSize = _bind_unconverted("FPDFText_GetFontSize", ctypes.c_double)
FPDFText_GetTextObject = _bind("FPDFText_GetTextObject", _VOID, _VOID, _INT)
FPDFTextObj_GetTextRenderMode = _bind("FPDFTextObj_GetTextRenderMode", _INT, _VOID)
FPDFPage_CountObjects = _bind("FPDFPage_CountObjects", _INT, _VOID)
FPDFPage_GetObject = _bind("FPDFPage_GetObject", _VOID, _VOID, _INT)
FPDFFormObj_CountObjects = _bind("FPDFFormObj_CountObjects", _INT, _VOID)
FPDFFormObj_GetObject = _bind("FPDFFormObj_GetObject", _VOID, _VOID, _ULONG)
FPDFPageObj_GetType = _bind("FPDFPageObj_GetType", _INT, _VOID)
FPDFPageObj_GetMatrix = _bind("FPDFPageObj_GetMatrix", _INT, _VOID, _VOID)
FPDFPageObj_GetBounds = _bind("FPDFPageObj_GetBounds", _INT, _VOID, _VOID, _VOID, _VOID, _VOID)
FPDFPath_GetDrawMode = _bind("FPDFPath_GetDrawMode", _INT, _VOID, _VOID, _VOID)
FPDFPath_CountSegments = _bind("FPDFPath_CountSegments", _INT, _VOID)
FPDFPath_GetPathSegment = _bind("FPDFPath_GetPathSegment", _VOID, _VOID, _INT)
FPDFPathSegment_GetPoint = _bind("FPDFPathSegment_GetPoint", _INT, _VOID, _VOID, _VOID)
FPDFPathSegment_GetType = _bind("FPDFPathSegment_GetType", _INT, _VOID)
FPDFPathSegment_GetClose = _bind("FPDFPathSegment_GetClose", _INT, _VOID)
_bitmap_create = _bind("FPDFBitmap_CreateEx", _VOID, _INT, _INT, _INT, _VOID, _INT)
_bitmap_fill = _bind("FPDFBitmap_FillRect", _INT, _VOID, _INT, _INT, _INT, _INT, _ULONG)
_bitmap_destroy = _bind("FPDFBitmap_Destroy", None, _VOID)
_render_page = _bind("FPDF_RenderPageBitmap", None, _VOID, _VOID, _INT, _INT, _INT, _INT, _INT, _INT)

_bind("FPDF_InitLibraryWithConfig", None, ctypes.POINTER(_LibraryConfig))(_LibraryConfig(version=2))


class PdfiumError(RuntimeError):
    """PDFium failed at a step that an opened document normally passes (pypdfium2's name and words)."""


class PdfDocument:
    """An open document handle (from FPDF_LoadDocument): closed by `close`, else when collected."""

    def __init__(self, handle: int):
        self.handle = handle
        self._closer = weakref.finalize(self, FPDF_CloseDocument, handle)
        self._closer.atexit = False

    def close(self) -> None:
        self._closer()

    def metadata(self, key: str) -> str:
        """The document information entry `key`, "" when it has none."""
        tag = key.encode("utf-8")
        size = _get_meta_text(self.handle, tag, None, 0)
        buffer = ctypes.create_string_buffer(size)
        _get_meta_text(self.handle, tag, buffer, size)
        return memoryview(buffer)[: size - 2].tobytes().decode("utf-16-le")

    def page(self, index: int) -> PdfPage:
        handle = _load_page(self.handle, index)
        if not handle:
            raise PdfiumError("Failed to load page.")
        return PdfPage(handle)


class PdfPage:
    """A page handle (from FPDF_LoadPage), closed by `close`: its document outlives it."""

    def __init__(self, handle: int):
        self.handle = handle

    def close(self) -> None:
        _close_page(self.handle)

    def media_box(self) -> tuple[float, float, float, float]:
        box = [ctypes.c_float() for _ in range(4)]
        if not _media_box(self.handle, *(ctypes.addressof(v) for v in box)):
            return _LETTER
        left, bottom, right, top = (v.value for v in box)
        return left, bottom, right, top

    def rotation(self) -> int:
        """The page's /Rotate in degrees clockwise."""
        turns = _page_rotation(self.handle)
        if turns == -1:
            raise PdfiumError("Failed to get page rotation.")
        return _DEGREES[turns]

    def text_page(self) -> int:
        """A text page handle; the caller closes it with `FPDFText_ClosePage`."""
        handle = _load_text_page(self.handle)
        if not handle:
            raise PdfiumError("Failed to load text page.")
        return handle

    def render_rgb(self, scale: float) -> tuple[ctypes.Array, int, int]:
        """(pixels, width, height): the page as shown (rotation applied) on white, 3 bytes a pixel
        in R, G, B order, rows top down, `scale` pixels per point, annotations drawn."""
        # The page's width and height as shown, /Rotate applied.
        width = math.ceil(_page_width(self.handle) * scale)
        height = math.ceil(_page_height(self.handle) * scale)
        stride = width * 3
        pixels = (ctypes.c_ubyte * (stride * height))()
        bitmap = _bitmap_create(width, height, _FPDFBitmap_BGR, ctypes.addressof(pixels), stride)
        try:
            if not _bitmap_fill(bitmap, 0, 0, width, height, _WHITE):
                raise PdfiumError("Failed to fill bitmap rectangle.")
            _render_page(bitmap, self.handle, 0, 0, width, height, 0, _FPDF_ANNOT | _FPDF_REVERSE_BYTE_ORDER)
        finally:
            _bitmap_destroy(bitmap)
        return pixels, width, height
