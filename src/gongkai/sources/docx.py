"""Word files -> the title, section headings and Grids, read from the document's own XML.

A `.docx` is a zip of XML parts; the body (`word/document.xml`) lists paragraphs and
tables in reading order. A cell spanning columns says `w:gridSpan`; a cell spanning
rows starts with `w:vMerge w:val="restart"` and is continued by `w:vMerge` cells
below it. Turned text (`w:textDirection w:val="tbRl"`) only changes how a cell is
drawn: its runs are in reading order already.

The parts are read with bounded sizes (a zip bomb stops at the limit) and parsed
without DTDs or entities: Word never writes either, so a part that has one is refused.
`.doc` and `.wps` files (and RTF saved as .doc) are converted to `.docx` by
LibreOffice in a temporary folder when `soffice` is on the PATH.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import lxml.etree as etree

from ..errors import UnreadableFileError
from ..settings import DEFAULT
from . import libreoffice
from .markup import MarkupDocument, SpannedCell, clean_text

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
MAX_PART_BYTES = DEFAULT.markup.max_part_bytes
MAX_FILE_BYTES = DEFAULT.markup.max_word_file_bytes
_MAX_TABLE_CELLS = DEFAULT.markup.max_table_cells
_BODY_PART = "word/document.xml"


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    """A part's bytes, reading at most MAX_PART_BYTES whatever the zip's headers claim."""
    try:
        with archive.open(name) as handle:
            data = handle.read(MAX_PART_BYTES + 1)
    except KeyError:
        return None
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
        raise UnreadableFileError(f"the Word file is corrupt ({name}: {error})") from None
    if len(data) > MAX_PART_BYTES:
        raise UnreadableFileError(
            f"{name} unpacks to more than {MAX_PART_BYTES // 2**20} MB: a zip bomb, not a report"
        )
    return data


def _parse_part(data: bytes, name: str) -> etree._Element:
    # Refused before parsing: libxml2 would still read the declarations (and count their
    # expansion) even with resolve_entities=False.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise UnreadableFileError(
            f"the Word file's {name} declares a DTD or entities, which Word never writes"
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise UnreadableFileError(f"the Word file's {name} is not well-formed XML ({error})") from None


def _paragraph_text(paragraph: etree._Element) -> str:
    pieces = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}delText"):
        if node.tag == f"{_W}t":
            pieces.append(node.text or "")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            pieces.append("\n")
        elif node.tag == f"{_W}tab":
            pieces.append(" ")
    return clean_text(pieces)


def _cell_text(cell: etree._Element) -> str:
    return clean_text(["\n".join(_paragraph_text(p) for p in cell.iter(f"{_W}p"))])


def _val(element: etree._Element | None, default: str | None = None) -> str | None:
    return default if element is None else element.get(f"{_W}val", default)


# A table's rows and a row's cells, also inside content controls (w:sdt) or custom XML, in
# document order; not those of tables nested in the cells.
_WRAPPED = "{0} | w:sdt/w:sdtContent/{0} | w:customXml/{0} | w:sdt/w:sdtContent/w:customXml/{0}"
_NAMESPACES = {"w": _W[1:-1]}
_ROWS = etree.XPath(_WRAPPED.format("w:tr"), namespaces=_NAMESPACES)
_CELLS = etree.XPath(_WRAPPED.format("w:tc"), namespaces=_NAMESPACES)


def _table_cells(table: etree._Element) -> tuple[list[SpannedCell], int, int]:
    """Grid positions of a table's cells: gridBefore and gridSpan move along a row;
    a vMerge continuation extends the cell above it at the same grid column."""
    cells: list[SpannedCell] = []
    open_at: dict[int, int] = {}  # grid column -> index in `cells` of the cell a vMerge may extend
    rows = _ROWS(table)
    for r, tr in enumerate(rows):
        before = tr.find(f"{_W}trPr/{_W}gridBefore")
        col = int(_val(before, "0") or 0) if before is not None else 0
        for tc in _CELLS(tr):
            properties = tc.find(f"{_W}tcPr")
            span = properties.find(f"{_W}gridSpan") if properties is not None else None
            width = max(1, int(_val(span, "1") or 1)) if span is not None else 1
            merge = properties.find(f"{_W}vMerge") if properties is not None else None
            text = _cell_text(tc)
            if merge is not None and _val(merge, "continue") == "continue" and col in open_at:
                above = cells[open_at[col]]
                joined = "\n".join(t for t in (above.text, text) if t)
                cells[open_at[col]] = SpannedCell(joined, above.row0, r + 1, above.col0, above.col1)
            else:
                cells.append(SpannedCell(text, r, r + 1, col, col + width))
                for c in range(col, col + width):
                    open_at[c] = len(cells) - 1
            col += width
    n_cols = max((c.col1 for c in cells), default=0)
    return cells, len(rows), n_cols


def _walk_body(body: etree._Element, document: MarkupDocument) -> None:
    """Paragraphs and tables in reading order; content controls (w:sdt) are looked into."""
    stack = list(reversed(body))
    while stack:
        element = stack.pop()
        if element.tag == f"{_W}p":
            document.add_line(_paragraph_text(element))
        elif element.tag == f"{_W}tbl":
            document.add_table(*_table_cells(element))
        elif element.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"):
            stack += reversed(list(element))


def read_docx(path: str | Path) -> MarkupDocument:
    """A Word file's title candidates, section headings and tables (as Grids)."""
    if Path(path).stat().st_size > MAX_FILE_BYTES:
        raise UnreadableFileError(f"the Word file is more than {MAX_FILE_BYTES // 2**20} MB")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise UnreadableFileError(f"not a Word file: the .docx is not a zip archive ({error})") from None
    with archive:
        data = _read_part(archive, _BODY_PART)
        if data is None:
            raise UnreadableFileError("a zip archive without word/document.xml: not a Word document")
        body = _parse_part(data, _BODY_PART).find(f"{_W}body")
        core = _read_part(archive, "docProps/core.xml")
        metadata_title = ""
        if core is not None:
            title = _parse_part(core, "docProps/core.xml").find(_DC_TITLE)
            metadata_title = (title.text or "").strip() if title is not None else ""
    cell_count = int(body.xpath("count(.//w:tc)", namespaces=_NAMESPACES)) if body is not None else 0
    if cell_count > _MAX_TABLE_CELLS:
        raise UnreadableFileError(
            f"the Word file's tables have {cell_count:,} cells, more than the {_MAX_TABLE_CELLS:,} "
            "a report's tables can have"
        )
    document = MarkupDocument("docx")
    if body is not None:
        _walk_body(body, document)
    document.titles = document.body_titles()
    if metadata_title:
        document.titles.append((metadata_title, "metadata"))
    return document


def read_legacy_word(path: str | Path) -> MarkupDocument:
    """A .doc or .wps (OLE2) or RTF file, read through a temporary .docx."""
    with libreoffice.conversion_folder() as folder:
        return read_docx(libreoffice.convert_to_docx(path, folder))
