"""Stage 1: a report file as what the stages read, whatever kind of file it is.

Two shapes of source:

- page sources (PDF): context managers with `path`, `page_count`, `metadata_title`
  and `page(number) -> model.Page`; the grid engines find the tables on the pages.
  A new page kind is a module here and an entry in `SOURCES`.
- markup sources (web pages: html.py; Word files: docx.py, with .doc/.wps through
  LibreOffice): their tables are tables already, so `read_markup` hands over a
  `MarkupDocument` of title candidates, section headings and Grids.

A file is judged by its first bytes (PDF header, zip, OLE2, markup), not by its name:
a `.pdf` that is really a web page is read as one, and the report says so.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..errors import OCR_MISSING, InputTypeError, OcrUnavailableError, UnknownKindError, UnreadableFileError
from ..model import Page
from .libreoffice import remove_abandoned_conversions  # noqa: F401  (for the batch, which cleans after its workers)
from .pdf import PdfSource, render_pages

if TYPE_CHECKING:  # the OCR source imports OpenCV: it is loaded by ocr_source() only
    from .markup import MarkupDocument  # with the web page and Word readers, which a PDF never needs
    from .ocr import OcrCell, ScannedPage  # noqa: F401  (names for the other stages' annotations)


class Source(Protocol):
    path: os.PathLike[str]
    page_count: int
    metadata_title: str

    def page(self, number: int) -> Page: ...

    def __enter__(self) -> Source: ...

    def __exit__(self, *exc_info: object) -> None: ...


SOURCES: dict[str, Callable[[str | os.PathLike[str]], Source]] = {"pdf": PdfSource}

INPUT_KINDS = ("pdf", "html", "docx")
# What directory and glob discovery picks up, per kind.
SUFFIXES: dict[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    "html": (".html", ".htm", ".shtml", ".xhtml", ".mht", ".mhtml"),
    "docx": (".docx", ".doc", ".wps"),
}
_NAMES = {"pdf": "a PDF", "html": "a web page", "docx": "a Word file"}
# After an extension, what leaves a name the name of that kind: the number wget adds to a name
# already taken (index.html.1, report.pdf.2); after a web page's, .gz (a page gzipped, read ungzipped).
_TAKEN_NAME_NUMBER_RE = re.compile(r"\.\d+$")
_GZIPPED_PAGE_RE = re.compile(r"(\.[a-z]+)\.gz$", re.IGNORECASE)
_SNIFF_BYTES = 8192  # as many as a web archive's head is looked for in (html._ARCHIVE_HEAD_BYTES)
_PDF_HEADER_WINDOW = 1024  # PDF readers accept the %PDF- header anywhere in the first kilobyte
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc and .wps


def check_kind(kind: str) -> None:
    """Refuse an input kind gongkai does not know (UnknownKindError), before any reading."""
    if kind != "auto" and kind not in INPUT_KINDS:
        raise UnknownKindError(f"unknown input kind {kind!r}: use auto, {', '.join(INPUT_KINDS)}")


def check_path(path: object) -> str:
    """The path as a str; anything that is not a str or an os.PathLike raises InputTypeError."""
    name = os.fspath(path) if isinstance(path, str | os.PathLike) else path
    if isinstance(name, str):
        return name
    advice = ": decode it first, os.fsdecode(path)" if isinstance(name, bytes) else ""
    raise InputTypeError(f"a path is a str or an os.PathLike, not {type(name).__name__}{advice}")


def path_text(path: str | os.PathLike[str]) -> str:
    r"""The path as text every output can hold: the path itself, unless the file system gave it
    bytes that are not UTF-8 (a file unzipped from an archive with GBK names); each such byte is
    shown as a \xNN escape, the byte 0xB9 as the four characters \xb9."""
    path = os.fspath(path)
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return os.fsencode(path).decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a surrogate no file system name decodes to (made by code)
            return path.encode("utf-8", "backslashreplace").decode("utf-8")
    return path


def message_path(path: str | os.PathLike[str]) -> str:
    r"""The path as a message names it, unquoted: spelled as `path_text` spells it, with each
    control or other unprintable character (a tab, a newline, an escape) as Python escapes it
    in a string, \t, \n, \x1b, so that a message stays one line and cannot move the cursor.
    For messages only: the `source` column of the outputs keeps `path_text`."""
    return printable(path_text(path))


def printable(text: str) -> str:
    r"""`text` with each control or other unprintable character as Python escapes it (\n, \x1b):
    one line, as text for people (a message, the summary's tables) shows a file's name."""
    if text.isprintable():
        return text
    return "".join(c if shown_as_is(c) else repr(c)[1:-1] for c in text)


def shown_as_is(char: str) -> bool:
    """A printable character or a space (U+3000, the full-width space of a Chinese name, too)."""
    return char.isprintable() or unicodedata.category(char) == "Zs"


def quoted(path: str | os.PathLike[str]) -> str:
    r"""The path in quotes for a message, spelled as every output spells it (`path_text`: the
    byte 0xB9 of a GBK name as \xb9, not Python's \udcb9): 'd/r\xb9.pdf'. Quoted as repr
    quotes (`message_path`'s escapes; in single quotes, unless the name holds one and no double
    quote), so that a quote or a newline in a name keeps the message one line."""
    text = message_path(path)
    quote = '"' if "'" in text and '"' not in text else "'"
    return quote + text.replace(quote, "\\" + quote) + quote


def no_file(path: str | os.PathLike[str]) -> str:
    """What every message says of a path where no file is to be read, the one wording of each
    command and of the library: no such file or directory; a broken symbolic link, and where it
    points; a symbolic link loop (links that lead round and never reach a file); a file named
    as a folder on the way ('r.pdf/', 'r.pdf/x')."""
    shown = quoted(path)
    try:
        os.stat(path)
        loop = through_a_file = False
    except OSError as error:
        loop, through_a_file = error.errno == errno.ELOOP, error.errno == errno.ENOTDIR
    if through_a_file:
        return f"not a directory: a file on the way to {shown} is named as a folder"
    try:
        target = quoted(os.readlink(path))
    except OSError:  # no link, or nothing at all
        target = None
    if loop and target is not None:
        return f"symbolic link loop: {shown} points to {target}, which links back round, never to a file"
    if loop:
        return f"symbolic link loop: a folder on the way to {shown} links back round, never to a folder"
    if target is not None:
        return f"broken symbolic link: {shown} points to {target}, which does not exist"
    return f"no such file or directory: {shown}"


def cannot_open(path: str | os.PathLike[str], error: OSError) -> str:
    """What every reader says of a file that opening failed with `error`: where no file is
    (nothing there, links that lead nowhere, a file named as a folder), `no_file`; else why it
    cannot be opened."""
    if isinstance(error, FileNotFoundError | NotADirectoryError) or error.errno == errno.ELOOP:
        return no_file(path)
    return f"cannot open file: {error.strerror}"


def kind_of_name(path: str | os.PathLike[str]) -> str | None:
    """The kind a file's extension claims, if it names one gongkai reads."""
    suffix = _claimed_suffix(path).lower()
    return next((kind for kind, suffixes in SUFFIXES.items() if suffix in suffixes), None)


def _claimed_suffix(path: str | os.PathLike[str]) -> str:
    """The extension a file's name claims its kind by: its last, or the one before a number wget
    added (index.html.1: .html), or before the .gz of a web page's name (report.html.gz: .html)."""
    name = _TAKEN_NAME_NUMBER_RE.sub("", Path(path).name)
    gzipped = _GZIPPED_PAGE_RE.search(name)
    if gzipped and gzipped.group(1).lower() in SUFFIXES["html"]:
        return gzipped.group(1)
    return Path(name).suffix


def sniff(path: str | os.PathLike[str]) -> tuple[str | None, bool]:
    """The file's kind by its content (None when it is none of them), and whether it is a
    legacy Word file (.doc/.wps/RTF) that needs converting. Raises OSError when it cannot be read."""
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
        if b"%PDF-" in head[:_PDF_HEADER_WINDOW]:
            return "pdf", False
        if head.startswith(b"PK\x03\x04"):
            return "docx", False
        if head.startswith(_OLE2) or head.startswith(b"{\\rtf"):
            return "docx", True
        # The web page and Word readers import lxml: a PDF never needs them.
        from .html import MAX_PAGE_BYTES, is_web_archive, page_start

        if is_web_archive(head):  # a browser's "Web page, single file" (.mht, .mhtml)
            return "html", False

        # A page's start told by its first bytes, or by more where a comment (a licence) or the
        # HTTP response saved before it runs past them: read on, no further than a page can be.
        whole = len(head) < _SNIFF_BYTES
        while (page := page_start(head, whole)) is None and len(head) < MAX_PAGE_BYTES:
            more = handle.read(min(len(head), MAX_PAGE_BYTES - len(head)))
            head, whole = head + more, len(more) < len(head)
    return ("html" if page else None), False


def _special_kind(mode: int) -> str:
    """What a path that is not a regular file is. It is never opened: a pipe or a device may
    block, or never end."""
    kinds = [
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "a special file")


def input_kind(path: str | os.PathLike[str]) -> tuple[str, bool]:
    """The kind to read a file as: its content's, else its name's (whose reader then says what
    is wrong with it). Raises UnreadableFileError for an empty file or one that is nothing."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            what = _special_kind(info.st_mode)
            raise UnreadableFileError(f"not a regular file but {what}; only files are read")
        if info.st_size == 0:
            raise UnreadableFileError("the file is empty")
        kind, legacy = sniff(path)
        reason = "" if kind is not None else _why_no_report(path)
    except OSError as error:
        raise UnreadableFileError(cannot_open(path, error)) from None
    if kind is not None:
        return kind, legacy
    if reason:
        raise UnreadableFileError(reason)
    claimed = kind_of_name(path)
    if claimed == "html":
        raise UnreadableFileError("not a web page: no HTML markup at its start")
    return claimed or "pdf", _claimed_suffix(path).lower() in (".doc", ".wps")


def _why_no_report(path: str | os.PathLike[str]) -> str:
    """Why a file of no kind is no report, where its first bytes say more than that its name's
    reader would (`html.why_no_page`: a gzip file, a server's error response); else ''.
    Raises OSError when it cannot be read."""
    from .html import why_no_page

    with open(path, "rb") as handle:
        return why_no_page(handle.read(_SNIFF_BYTES))


def kind_mismatch(path: str | os.PathLike[str], kind: str) -> str:
    """'the file named .pdf is a web page' when the name claims another kind; else ''."""
    claimed = kind_of_name(path)
    if claimed is None or claimed == kind:
        return ""
    return f"the file named {_claimed_suffix(path)} is {_NAMES[kind]}, read as such"


def open_source(path: str | os.PathLike[str], kind: str = "pdf") -> Source:
    """Open a file of a page kind for reading. Raises UnreadablePDFError for a file that is no PDF."""
    return SOURCES[kind](path)


def read_markup(path: str | os.PathLike[str], kind: str, legacy: bool) -> MarkupDocument:
    """The title candidates, headings and Grids of a web page or Word file (.doc/.wps: `legacy`)."""
    if kind == "html":
        from .html import read_html

        return read_html(path)
    from .docx import read_docx, read_legacy_word

    return read_legacy_word(path) if legacy else read_docx(path)


def describe(kind: str) -> str:
    return _NAMES[kind]


__all__ = [
    "INPUT_KINDS",
    "SOURCES",
    "SUFFIXES",
    "Source",
    "cannot_open",
    "check_kind",
    "check_path",
    "describe",
    "message_path",
    "no_file",
    "open_source",
    "path_text",
    "printable",
    "quoted",
    "read_markup",
    "render_pages",
    "shown_as_is",
]


def ocr_source():
    """The OCR source (`sources.ocr`), imported on the first scanned page: a report without one
    never loads OpenCV or the OCR engine. OcrUnavailableError when the `[ocr]` extra is missing."""
    try:
        from . import ocr
    except ImportError:  # OpenCV or rapidocr missing: the extra is not installed
        raise OcrUnavailableError(OCR_MISSING) from None
    return ocr
