"""Open a PDF and hand out plain page content: characters and table cell boxes.

This is the only module that talks to pdfplumber/pdfminer. Everything it
returns is a plain object from `layout`, so the stages after it do not care
which engine read the page.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException

from .errors import UnreadablePDFError
from .layout import Char, dedupe_chars

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom


@dataclass(frozen=True)
class PageContent:
    number: int  # 1-based
    width: float
    height: float
    chars: list[Char]
    tables: list[list[BBox]]  # per ruled table found on the page, its cell boxes


def _char(raw: dict) -> Char:
    return Char(raw["text"], raw["x0"], raw["top"], raw["x1"], raw["bottom"], raw["size"])


def _decode_info_string(value: object) -> str:
    """PDF info strings arrive as bytes or as mis-decoded UTF-16; return readable text."""
    if isinstance(value, bytes):
        raw = value
    elif isinstance(value, str):
        if not value.startswith(("\xfe\xff", "\xff\xfe")):
            return value
        try:
            raw = value.encode("latin-1")
        except UnicodeEncodeError:
            return value
    else:
        return ""
    for encoding in ("utf-16", "utf-8", "gb18030"):
        try:
            return raw.decode(encoding).strip("\x00").strip()
        except UnicodeDecodeError:
            continue
    return ""


class Document:
    """A PDF opened for reading. Use as a context manager."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        try:
            with open(self.path, "rb") as handle:
                magic = handle.read(1024)
        except OSError as error:
            raise UnreadablePDFError(f"cannot open file: {error.strerror}") from None
        if b"%PDF-" not in magic:
            raise UnreadablePDFError("not a PDF file")
        try:
            self._pdf = pdfplumber.open(self.path)
            self.page_count = len(self._pdf.pages)
        except (PDFPasswordIncorrect, PDFEncryptionError):
            raise UnreadablePDFError("the PDF is encrypted and needs a password") from None
        except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as error:
            raise UnreadablePDFError(f"corrupt PDF ({type(error).__name__})") from None
        except Exception as error:  # pdfminer raises many undocumented types on broken files
            if "password" in str(error).lower() or "encrypt" in str(error).lower():
                raise UnreadablePDFError("the PDF is encrypted and needs a password") from None
            raise UnreadablePDFError(f"corrupt PDF ({type(error).__name__})") from None
        if self.page_count == 0:
            raise UnreadablePDFError("the PDF has no pages")

    def __enter__(self) -> Document:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._pdf.close()

    @property
    def metadata_title(self) -> str:
        return _decode_info_string(self._pdf.metadata.get("Title", ""))

    def page(self, number: int, with_tables: bool = True) -> PageContent:
        """Content of page `number` (1-based). The pdfplumber page is closed afterwards to free its caches."""
        page = self._pdf.pages[number - 1]
        try:
            chars = dedupe_chars(_char(c) for c in page.chars if c["text"].strip())
            tables = [list(table.cells) for table in page.find_tables()] if with_tables else []
            return PageContent(number, float(page.width), float(page.height), chars, tables)
        except Exception as error:
            raise UnreadablePDFError(f"page {number} cannot be read ({type(error).__name__})") from None
        finally:
            page.close()
