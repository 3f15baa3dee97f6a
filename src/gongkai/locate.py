"""Stage 2: find the report's identity (agency, year) and the pages of its tables.

Section headings are reworded by many agencies, so they are recognised by the
numeral that opens them plus a few key words, never by exact text.
"""

from __future__ import annotations

import re
from pathlib import Path

from .forms import (
    REPORT_TITLE_PATTERN,
    REPORT_TITLE_WORD,
    SECTION_KEYWORDS,
    TABLES_END_SECTIONS,
    TABLES_FALLBACK_START_SECTIONS,
    TABLES_START_SECTION,
)
from .labels import compact
from .model import Heading, Identity, TextLine
from .settings import DEFAULT

_SETTINGS = DEFAULT.locate

_TITLE_RE = re.compile(
    r"(?P<before>.*?)(?P<year>(?:19|20)\d{2})\s*年度?(?P<after>.*?)" + REPORT_TITLE_PATTERN
)
_FILENAME_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_HEADING_SPECKS_RE = re.compile(r"^[.,:;'`·・、，。：；‘’]+")
_AGENCY_NOISE_RE = re.compile(r"^(关于|印发)|(关于|的|年度|度)$")


def find_headings(page_number: int, lines: list[TextLine]) -> list[Heading]:
    headings = []
    for line in lines:
        # A speck of dust before a scanned heading is read as a point (.二、主动公开…): punctuation
        # before the numeral is never part of a heading.
        text = _HEADING_SPECKS_RE.sub("", compact(line.text))
        if len(text) > _SETTINGS.heading_max_chars or len(text) < 3 or text[1] not in "、.,，":
            continue
        keywords = SECTION_KEYWORDS.get(text[0])
        if keywords and any(word in text for word in keywords):
            headings.append(Heading(text[0], line.text.strip(), page_number, line.top))
    return headings


def table_pages(headings: list[Heading], page_count: int) -> list[int]:
    """Pages from the 二 heading up to the 五 heading: where the tables are.

    Without the headings every page is a candidate; the table stage then
    recognises the form's tables by their content.
    """
    start = next((h.page for h in headings if h.numeral == TABLES_START_SECTION), None)
    if start is None:
        start = next((h.page for h in headings if h.numeral in TABLES_FALLBACK_START_SECTIONS), 1)
    end = next((h.page for h in headings if h.numeral in TABLES_END_SECTIONS and h.page >= start), page_count)
    return list(range(start, end + 1))


def table_pages_settled(headings: list[Heading]) -> bool:
    """Whether pages after these headings can no longer change `table_pages`.

    That is so once the 二 heading and a 五 or 六 heading on or after its page have
    been read: the tables end there, so a reader going page by page can stop.
    """
    start = next((h.page for h in headings if h.numeral == TABLES_START_SECTION), None)
    return start is not None and any(h.numeral in TABLES_END_SECTIONS and h.page >= start for h in headings)


def _from_first_ideograph(text: str) -> str:
    """`text` from its first CJK ideograph on: the dates, times and URLs before a name go.

    A loop, not the pattern ^[^\u4e00-\u9fff]+: compiling a class of that range fills a
    65,536-entry map one character at a time, 0.8 ms of every run."""
    start = next((i for i, char in enumerate(text) if "\u4e00" <= char <= "\u9fff"), len(text))
    return text[start:]


def _clean_agency(text: str) -> str | None:
    # The words stripped here are the phrasing of official notices (关于印发…的通知), not of the
    # form. 某办公室关于印发某市人民政府2024年…报告的通知: the agency is the one named after 印发.
    text = re.split(r"关于印发|印发|关于", text)[-1]
    text = _from_first_ideograph(text).strip(" ：:，,、-—")
    previous = None
    while previous != text:
        previous = text
        text = _AGENCY_NOISE_RE.sub("", text).strip(" ：:，,、-—")
    return text or None


def identity_from_text(text: str, source: str) -> Identity | None:
    match = _TITLE_RE.search(compact(text))
    if not match:
        return None
    agency = _clean_agency(match["before"]) or _clean_agency(match["after"])
    return Identity(agency, int(match["year"]), source)


def title_text(lines: list[TextLine], by_size: bool = True) -> str:
    """The title block of page 1: the largest line naming the report, with the large lines above it
    (with the lines above it whatever their size, unless `by_size`).

    Taking the largest such line skips a browser's print header, which repeats the
    page title in small type above the real one.
    """
    head = lines[: _SETTINGS.title_lines]
    naming = [i for i, line in enumerate(head) if REPORT_TITLE_WORD in compact(line.text)]
    if not naming:
        return ""
    index = max(naming, key=lambda i: head[i].size)
    size = head[index].size
    start = index
    while (
        start > 0
        and (not by_size or head[start - 1].size >= size * _SETTINGS.title_size_ratio)
        and index - start < _SETTINGS.title_max_lines
    ):
        start -= 1
    return "".join(line.text for line in head[start : index + 1])


def read_identity(first_page_lines: list[TextLine], metadata_title: str, path: Path) -> Identity:
    """Agency and year from the page-1 title, else the PDF's metadata title, else the file name.

    A title whose last line a scan's OCR sized larger than the lines above it (a short 度报告 at
    19.7 under 16.4: the agency and year lost) is tried again with the lines above it."""
    titles = [(title_text(first_page_lines, by_size), "title") for by_size in (True, False)]
    return identity_from_titles([*titles, (metadata_title, "metadata")], path)


def identity_from_titles(titles: list[tuple[str, str]], path: Path) -> Identity:
    """Agency and year from the first title candidate (text, where from) naming both, else the file name."""
    for text, source in titles:
        found = identity_from_text(text, source)
        if found and found.agency:
            return found
    stem = path.stem
    try:
        stem.encode("utf-8")
    except UnicodeEncodeError:  # a name of bytes that are not UTF-8 (GBK, unzipped) names no agency
        year = _FILENAME_YEAR_RE.search(stem)
        return Identity(None, int(year.group(1)), "filename") if year else Identity(None, None, "none")
    found = identity_from_text(stem, "filename")
    if found:
        return found
    year = _FILENAME_YEAR_RE.search(stem)
    if year:
        agency = _clean_agency(compact(stem.replace(year.group(1), "")))
        return Identity(agency, int(year.group(1)), "filename")
    return Identity(None, None, "none")
