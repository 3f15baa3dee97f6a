"""Stage 1: a report file as pages of characters and rules, whatever kind of file it is.

`open_source` looks at a file and opens it with the source for its kind. Each
source is a context manager with `path`, `page_count`, `metadata_title` and
`page(number) -> model.Page`. A new input kind is a module here and an entry
in `SOURCES`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol

from ..model import Page
from .pdf import PdfSource


class Source(Protocol):
    path: os.PathLike[str]
    page_count: int
    metadata_title: str

    def page(self, number: int) -> Page: ...

    def __enter__(self) -> Source: ...

    def __exit__(self, *exc_info: object) -> None: ...


SOURCES: dict[str, Callable[[str | os.PathLike[str]], Source]] = {"pdf": PdfSource}


def open_source(path: str | os.PathLike[str]) -> Source:
    """Open a report file for reading. Raises UnreadablePDFError for a file that is no report file."""
    return SOURCES["pdf"](path)
