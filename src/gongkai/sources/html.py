"""Web pages (HTML, XHTML, a page saved from a browser) -> the title, section headings and Grids.

The parser is lxml's (libxml2's HTML parser): on the real pages it builds the tree
about ten times faster than html5lib and reads the same tables, also from broken
Word markup (bench/markup_parsers.py measures both). Nothing in a page is fetched
or run: no network, no entities resolved, scripts and styles are skipped unread.

The whole page is read, site chrome included, because table 四 is sometimes outside
the article wrapper: the tables of the form are recognised by their labels, as on
paper, and a metadata or navigation table carries none of them.
"""

from __future__ import annotations

import codecs
import re
import zlib
from http import HTTPStatus
from pathlib import Path
from typing import NamedTuple

import lxml.etree as etree

from ..errors import UnreadableFileError
from ..settings import DEFAULT
from .markup import MarkupDocument, SpannedCell, clean_text, place_spans

MAX_PAGE_BYTES = DEFAULT.markup.max_page_bytes
_MAX_ELEMENTS = DEFAULT.markup.max_page_elements
_MAX_TABLE_CELLS = DEFAULT.markup.max_table_cells
_FEED_CHARS = 1 << 18
# Nothing fetched, comments and processing instructions dropped, broken markup mended.
_PARSER_OPTIONS = {"no_network": True, "remove_comments": True, "remove_pis": True, "recover": True}
_MAX_TABLE_NESTING = DEFAULT.markup.max_table_nesting
# How far past its prolog a page's declared encoding is looked for.
_ENCODING_SEARCH_BYTES = 4096
# A web archive's MIME head is looked for in the file's first bytes, as many as `sources.sniff`
# reads to tell a file's kind: where reading looked at fewer, a file told as an archive by a head
# past 4 KB (a long folded Subject:) was read as a plain page.
_ARCHIVE_HEAD_BYTES = 8192
# Where a table was, where a row starts and where a cell ends, in the text of the body and of a
# table: private-use characters, removed from pages before parsing.
_TABLE_MARK, _ROW_MARK, _CELL_MARK = "\ue000", "\ue001", "\ue002"

# An encoding's name after `charset=`, in a <meta> or an HTTP Content-Type.
_CHARSET_VALUE = rb"""charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)"""
_CHARSET_RE = re.compile(rb"<meta[^>]+" + _CHARSET_VALUE, re.IGNORECASE)
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_\-]+)""")
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
# What may come before a web page's first element: byte-order marks (UTF-8's and GB18030's, which
# a page pasted together may hold more than once), white space, an XML declaration or stylesheet
# instruction, comments (a browser's "saved from url", a licence), a doctype. A comment ends at its
# first -->, never a later one (atomic): else a start of many comments that is no page's would be
# tried in as many ways as they can be grouped, which never ends.
_PROLOG = rb"(?:\xef\xbb\xbf|\x84\x31\x95\x33|\s|<\?xml[^>]*>|(?><!--.*?-->)|<!doctype[^>]*>)*"
_PROLOG_RE = re.compile(_PROLOG, re.IGNORECASE | re.DOTALL)
# A web page's start: its prolog, then its first element, or a doctype that says HTML. Only at
# the start: a text that mentions <p> is no page.
_PAGE_START_RE = re.compile(
    _PROLOG
    + rb"(?:<!doctype\s+html|<\s*(?:html|head|body|meta|title|link|base|style|script|table|div|p)[\s>/])",
    re.IGNORECASE | re.DOTALL,
)
# The most a page's start can need after its prolog to be told: `<!doctype html` or `<script>`.
_ELEMENT_BYTES = 32
# How much of a compressed page (gzipped or deflated) is decompressed to tell its start: its
# prolog and first element, never the whole page, as every file a batch is given is sniffed.
_COMPRESSED_START_BYTES = 128 * 1024
# An HTTP response's head, as `wget --save-headers` or `curl -i` saves it before the page: the
# status line, header lines (a folded one too), a blank line. After a redirect or a 100 Continue
# there are several, one after the other.
_HTTP_STATUS = rb"HTTP/\d(?:\.\d)? +(?P<code>\d{3})\b[ \t]*(?P<phrase>[^\r\n]*?)[ \t]*\r?\n"
# A header line (`Name: value`), or the folded rest of one (it starts with white space): an HTTP
# response's and a MIME message's (a web archive's) alike.
_HEADER_LINE = rb"(?:[!-9;-~]+:[^\r\n]*\r?\n|[ \t][^\r\n]*\r?\n)"
_HTTP_HEAD_RE = re.compile(_HTTP_STATUS + _HEADER_LINE + rb"*\r?\n")
# A status's reason phrase as servers send it: the longest standard one, 'Network Authentication
# Required', has 31 characters; a longer one is not repeated in a message.
_LONGEST_PHRASE = 40
_HTTP_START = b"HTTP/"
_DEFLATE_ENCODING_RE = re.compile(rb"^content-encoding:\s*deflate\s*$", re.IGNORECASE | re.MULTILINE)
_CHUNKED_RE = re.compile(rb"^transfer-encoding:[^\r\n]*\bchunked\b", re.IGNORECASE | re.MULTILINE)
# A chunk's size line in a body saved in its chunks: the size in hex, any chunk extension after it.
_CHUNK_SIZE_RE = re.compile(rb"([0-9a-fA-F]{1,8})[ \t]*(?:;[^\r\n]*)?\r?\n")
_LINE_END_RE = re.compile(rb"\r?\n")
_GZIP_MAGIC = b"\x1f\x8b"
_HTTP_STATUS_RE = re.compile(_HTTP_STATUS)
_BLANK_LINE_RE = re.compile(rb"\n\r?\n")
_CONTENT_TYPE_CHARSET_RE = re.compile(
    rb"^content-type:[^\r\n]*?" + _CHARSET_VALUE, re.IGNORECASE | re.MULTILINE
)
_DIGITS_RE = re.compile(r"\d+")
_ATTACHMENT_RE = re.compile(r"\.(pdf|docx?|wps|ofd)$", re.IGNORECASE)

# Elements whose content is never text of the page.
_SKIP = {
    "head",
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "select",
    "math",
}
# Elements that end a line of text.
_BLOCK = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "tr", "td", "th",
    "table", "section", "article", "header", "footer", "nav", "aside", "blockquote", "pre", "center",
    "form", "fieldset", "address", "caption", "tbody", "thead", "tfoot", "hr",
}  # fmt: skip
_HIDDEN_RE = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all", re.IGNORECASE)
# Chinese encodings a page may declare; GB18030 decodes all of them (it is their superset).
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "ms936", "euc-cn", "hz-gb-2312"}


class SavedResponse(NamedTuple):
    """What the HTTP response heads saved before a page (`wget --save-headers`, `curl -i`) say of
    it: the last head's, as that response is the page's."""

    start: int  # where the page starts, after every head (0 when there is none)
    status: str  # the last head's status, '404 Not Found' ('' when there is no head)
    charset: str | None  # the charset its Content-Type names
    deflated: bool  # Content-Encoding: deflate (a gzipped page is told by its own first bytes)
    chunked: bool  # Transfer-Encoding: chunked (wget and curl -i save the chunks joined, curl --raw not)

    @property
    def not_a_report(self) -> str:
        """Why the page saved is no report, where the server answered with no page of its own but
        its error (4xx, 5xx) or a redirect (3xx): said when no table of the form is found in it."""
        if not self.status or self.status.startswith(("1", "2")):
            return ""
        return f"the saved page is the server's {self.status} response, not a report"


def http_heads(data: bytes) -> SavedResponse:
    """What the HTTP response heads saved before a page say (SavedResponse); none at all when the
    file starts with none."""
    response = SavedResponse(0, "", None, False, False)
    while data.startswith(_HTTP_START, at := response.start) and (head := _HTTP_HEAD_RE.match(data, at)):
        code, phrase = head.group("code").decode("ascii"), head.group("phrase").decode("latin-1")
        if not phrase or len(phrase) > _LONGEST_PHRASE or not phrase.isprintable():
            phrase = _standard_phrase(int(code))  # a message says it: one short line of text
        named = _CONTENT_TYPE_CHARSET_RE.search(head.group())
        response = SavedResponse(
            head.end(),
            f"{code} {phrase}".strip(),
            named.group(1).decode("ascii") if named else None,
            _DEFLATE_ENCODING_RE.search(head.group()) is not None,
            _CHUNKED_RE.search(head.group()) is not None,
        )
    return response


def _standard_phrase(code: int) -> str:
    """The standard reason phrase of a status (an HTTP/2 response gives its number alone)."""
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return ""


def _page_bytes(data: bytes, start_only: bool = False) -> tuple[bytes, SavedResponse]:
    """The page's bytes, and what the response heads saved before it say: after the heads, the
    chunks joined where the body was saved in them, ungzipped where it is gzipped (a saved
    response's, or a .gz file of a page: told by gzip's first bytes, which no page starts with),
    inflated where the response says it is deflated and it is. `start_only`: tell the page's
    start, never the whole page (every file a batch is given is sniffed), from `data` that may
    be cut anywhere."""
    if data.startswith(_GZIP_MAGIC):
        data = _uncompressed(data, "the gzipped page", 16 + zlib.MAX_WBITS, start_only)
    response = http_heads(data)
    body = data[response.start :]
    if response.chunked:
        body = _joined_chunks(body, start_only)
    if body.startswith(_GZIP_MAGIC):
        body = _uncompressed(body, "the saved response's gzipped page", 16 + zlib.MAX_WBITS, start_only)
    elif response.deflated and not _PAGE_START_RE.match(body):  # curl --compressed saves it inflated
        # RFC 9110's deflate is zlib's format; some servers send the raw deflate stream without its head.
        wbits = zlib.MAX_WBITS if _is_zlib_head(body) else -zlib.MAX_WBITS
        body = _uncompressed(body, "the saved response's deflated page", wbits, start_only)
    return body, response


def _is_zlib_head(data: bytes) -> bool:
    """A zlib stream's two first bytes: the deflate method, and a check that makes them a multiple of 31."""
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


def _uncompressed(data: bytes, what: str, wbits: int, start_only: bool) -> bytes:
    """`data` decompressed (zlib's `wbits` says which format); of a page's start, no more than
    `_COMPRESSED_START_BYTES` of it. Raises UnreadableFileError, naming it `what`, when it is
    damaged, or (read whole) cut off or larger than a page can be."""
    unzip = zlib.decompressobj(wbits)
    try:
        page = unzip.decompress(data, _COMPRESSED_START_BYTES if start_only else MAX_PAGE_BYTES)
    except zlib.error:
        raise UnreadableFileError(f"{what} is damaged") from None
    if start_only:
        return page
    if unzip.unconsumed_tail:
        limit = MAX_PAGE_BYTES // 2**20
        raise UnreadableFileError(f"{what} is more than the {limit} MB a report page can be")
    if not unzip.eof:
        raise UnreadableFileError(f"{what} is cut off before its end")
    return page


def _joined_chunks(body: bytes, start_only: bool) -> bytes:
    """A body saved in its chunks (`Transfer-Encoding: chunked`, as `curl -i --raw` or a proxy
    saves it) as one: each chunk's size line and the line end after it gone, up to the last, empty
    chunk (the trailer lines after it are no page's). A body that does not start with a size line
    is as wget and curl -i save it, joined already, and is kept. Raises UnreadableFileError, read
    whole, when the chunks break off before the last."""
    pieces, at = [], 0
    while size_line := _CHUNK_SIZE_RE.match(body, at):
        size, at = int(size_line.group(1), 16), size_line.end()
        if size == 0:
            return b"".join(pieces)
        pieces.append(body[at : at + size])
        at += size
        line_end = _LINE_END_RE.match(body, at)
        if line_end is None:
            break
        at = line_end.end()
    if not pieces:
        return body
    if start_only:
        return b"".join(pieces)
    broken = "cut off before its end" if at >= len(body) else "damaged"
    raise UnreadableFileError(f"the saved response's chunked page is {broken}")


def why_no_page(head: bytes) -> str:
    """Why a file whose first bytes are no web page's start (`page_start`) is no report, where
    they say more than that: a gzip file of something else, a server's error response saved with
    its head (`SavedResponse.not_a_report`). '' otherwise."""
    if head.startswith(_GZIP_MAGIC):
        return "a gzip-compressed file that holds no web page: gunzip it and give what it holds"
    return http_heads(head).not_a_report


def page_start(head: bytes, whole: bool = True) -> bool | None:
    """Whether the first bytes of a file are a web page's start: markup after a BOM, white space,
    an XML declaration, comments, a doctype, and after the HTTP response heads that a page saved
    with them has (its body as `_page_bytes` gives it: in chunks joined, decompressed; a .gz file
    of a page ungzipped). UTF-16 with a BOM is read as such, and ASCII markup in UTF-16 without one.
    `whole`: whether `head` is the whole file; when it is not and what it holds so far is still
    a start (a comment or response head that runs past it), None: more is needed to tell."""
    try:
        body, response = _page_bytes(head, start_only=True)
    except UnreadableFileError:
        return False
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):
            body = body[len(bom) :].decode(encoding, errors="replace").encode("utf-8", errors="replace")
            break
    else:
        if is_utf16_without_bom(body):
            body = body.replace(b"\0", b"")
    if _PAGE_START_RE.match(body):
        return True
    if whole:
        return False
    if response.start == 0 and _HTTP_STATUS_RE.match(body) and not _BLANK_LINE_RE.search(body):
        return None  # a response head longer than what was read
    rest = body[_PROLOG_RE.match(body).end() :]
    unended = rest.startswith((b"<!--", b"<?")) or rest[:9].lower() == b"<!doctype"
    return None if unended or len(rest) < _ELEMENT_BYTES else False


def _encoding_named(name: str) -> str | None:
    name = name.lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _declared_encoding(data: bytes) -> str | None:
    """The encoding the page names: in its XML declaration, else in a <meta> after its prolog (a
    <meta> in a comment before the page, a licence's or one commented out, is not the page's)."""
    found = _XML_ENCODING_RE.search(data[:_ENCODING_SEARCH_BYTES])
    if not found:
        start = _PROLOG_RE.match(data).end()
        found = _CHARSET_RE.search(data, start, start + _ENCODING_SEARCH_BYTES)
    return _encoding_named(found.group(1).decode("ascii")) if found else None


def _header_encoding(charset: str | None) -> str | None:
    """The encoding an HTTP Content-Type names, when it can be a report page's: a server's default
    of ISO-8859-1 (or any encoding without Chinese) on a page that names none is not taken, as it
    would read every page, GBK's too, as mojibake."""
    encoding = _encoding_named(charset) if charset else None
    try:
        "中文".encode(encoding or "")
    except (UnicodeEncodeError, LookupError):
        return None
    return encoding


def is_utf16_without_bom(data: bytes) -> bool:
    """ASCII markup in UTF-16 has a NUL beside every other byte."""
    head = data[:512]
    return (
        len(head) >= 8 and head.count(0) >= len(head) // 3 and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
    )


# A web archive (MHTML: a browser's "Web page, single file", .mht/.mhtml): a MIME message whose
# head says multipart/related, its page the first text/html part; or, of a page saved without its
# images, says text/html, the message's body the page.
_MIME_HEAD_RE = re.compile(_HEADER_LINE + rb"+\r?\n")
_ARCHIVE_TYPE_RE = re.compile(
    rb"^content-type:\s*(?:multipart/related|text/html)", re.IGNORECASE | re.MULTILINE
)
_MIME_VERSION_RE = re.compile(rb"^mime-version:", re.IGNORECASE | re.MULTILINE)


def is_web_archive(data: bytes) -> bool:
    """Whether a file (its first bytes, or all of it) begins with a web archive's (MHTML) head:
    MIME header lines, among them MIME-Version and a Content-Type of multipart/related (or
    text/html), then a blank line, within `_ARCHIVE_HEAD_BYTES`."""
    found = _MIME_HEAD_RE.match(data[:_ARCHIVE_HEAD_BYTES])
    return bool(found and _MIME_VERSION_RE.search(found.group()) and _ARCHIVE_TYPE_RE.search(found.group()))


def archived_page(data: bytes) -> tuple[bytes, str | None]:
    """The page of a web archive (MHTML): its first text/html part (a single-part archive's body),
    as bytes (quoted-printable or base64 undone), and the charset the part names, if any."""
    import email
    import email.policy

    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload.strip():
                return payload, part.get_content_charset()
    raise UnreadableFileError("a web archive (MHTML) that holds no web page (no text/html part)")


def decode_page(data: bytes, charset: str | None = None) -> str:
    """The page's text. UTF-8 that decodes strictly is UTF-8 whatever the page declares (a GBK
    reading of UTF-8 bytes would be mojibake); else the declared encoding (the page's own, else
    the Content-Type of the HTTP response saved before it); else GB18030. UTF-16 with a BOM is
    UTF-16, and without one where the Content-Type names its byte order (UTF-16LE). The response's
    head is not part of the page (`_page_bytes`); `charset`, what a web archive's part names,
    counts as the Content-Type's.
    Raises UnreadableFileError rather than guess."""
    return _decoded(data, charset)[0]


def _decoded(data: bytes, charset: str | None) -> tuple[str, SavedResponse]:
    """decode_page's text, and what the response heads saved before the page say of it."""
    data, response = _page_bytes(data)
    charset = response.charset or charset
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), response
            except UnicodeDecodeError:
                raise UnreadableFileError(f"the page says it is {encoding} but is not") from None
    served = _header_encoding(charset)
    if is_utf16_without_bom(data):
        if served in ("utf-16-le", "utf-16-be"):  # a charset that names the byte order
            try:
                return data.decode(served), response
            except UnicodeDecodeError:
                raise UnreadableFileError(f"the page is served as {served} but is not") from None
        raise UnreadableFileError(
            "the page is UTF-16 without a byte-order mark, so its byte order cannot be told; "
            "save it as UTF-8 (or UTF-16 with a BOM)"
        )
    declared = _declared_encoding(data) or served
    for encoding in dict.fromkeys(("utf-8", declared or "gb18030", "gb18030")):
        try:
            return data.decode(encoding), response
        except (UnicodeDecodeError, LookupError):
            continue
    raise UnreadableFileError(
        f"cannot tell the page's text encoding (declared {declared or 'nothing'}; "
        "it is neither UTF-8 nor GB18030/GBK)"
    )


def parse_page(text: str) -> etree._Element:
    """The page's tree, from libxml2's HTML parser. Plain lxml elements, not lxml.html's: their
    class lookup costs a Python call for every element touched.

    A page with more tags than a report page has elements is fed in chunks and its elements
    counted as they come: past the limit it is refused before its tree takes gigabytes.
    """
    # An XML declaration names the encoding of bytes; the text is already decoded.
    text = _XML_DECLARATION_RE.sub("", text, count=1)
    for mark in (_TABLE_MARK, _ROW_MARK, _CELL_MARK):
        if mark in text:  # searching is several times cheaper than replacing nothing
            text = text.replace(mark, "")
    try:
        if text.count("<") <= _MAX_ELEMENTS:  # no more elements than tags: parse it at once
            root = etree.fromstring(text, parser=etree.HTMLParser(**_PARSER_OPTIONS))
        else:
            root = _parse_counting(text)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as error:
        raise UnreadableFileError(f"the page cannot be parsed as HTML ({error})") from None
    if root is None:
        raise UnreadableFileError("the page holds no HTML elements")
    return root


def _parse_counting(text: str) -> etree._Element | None:
    parser = etree.HTMLPullParser(events=("start",), **_PARSER_OPTIONS)
    elements = 0
    for start in range(0, len(text), _FEED_CHARS):
        parser.feed(text[start : start + _FEED_CHARS])
        elements += sum(1 for _ in parser.read_events())
        if elements > _MAX_ELEMENTS:
            raise UnreadableFileError(
                f"the page has more than {_MAX_ELEMENTS:,} elements, more than a report page has"
            )
    return parser.close()


def _drop(element: etree._Element) -> None:
    """Remove an element and what it holds, keeping the text after it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _int_attribute(element: etree._Element, name: str) -> int:
    value = element.get(name)
    if value is None:
        return 1
    digits = _DIGITS_RE.match(value.strip())
    return int(digits.group()) if digits else 1


def _hidden(element: etree._Element) -> bool:
    style = element.get("style")
    if style and ("display" in style or "mso-hide" in style) and _HIDDEN_RE.search(style):
        return True
    return element.get("hidden") is not None


def styles_may_hide(text: str) -> bool:
    """Whether a page's styles can hide an element: its markup names `display` or `mso-hide`,
    or has a character reference, which could spell them inside an attribute. Most pages do
    neither, and they are spared the search through every style attribute: XPath's contains()
    copies each one, and Word pages put a long one on nearly every element."""
    return "display" in text or "mso-hide" in text or "&#" in text


def _prepare(body: etree._Element, styles_hide: bool) -> None:
    """Make the tree's plain text its reading text: what is never shown goes (scripts, styles,
    hidden elements; their tails stay), and every block and <br> breaks the line. The text of
    any element is then its text serialisation, which lxml produces in C.
    `styles_hide`: whether styles may hide elements (styles_may_hide of the page's text)."""
    unseen = list(body.iter(*_SKIP))
    if styles_hide:
        maybe_hidden = ".//*[contains(@style,'display') or contains(@style,'mso-hide') or @hidden]"
    else:
        maybe_hidden = ".//*[@hidden]"
    unseen += [e for e in body.xpath(maybe_hidden) if _hidden(e)]
    for element in unseen:
        _drop(element)
    for element in body.iter("br", *_BLOCK):
        element.tail = "\n" + (element.tail or "")
        if element.tag != "br":
            element.text = "\n" + (element.text or "")


def _text(element: etree._Element) -> str:
    return etree.tostring(element, method="text", encoding="unicode", with_tail=False)


def _table_cells(table: etree._Element) -> tuple[list[SpannedCell], int, int]:
    """The table's cells with their spans. Their texts come from one text serialisation of
    the table, marked where each row starts and each cell ends (cheaper than one per cell)."""
    rows = list(table.iter("tr"))
    cells = [[c for c in tr if c.tag in ("td", "th")] for tr in rows]
    for tr, row in zip(rows, cells, strict=True):
        tr.text = _ROW_MARK + (tr.text or "")
        for cell in row:
            cell.tail = _CELL_MARK + (cell.tail or "")
    texts = [piece.split(_CELL_MARK)[:-1] for piece in _text(table).split(_ROW_MARK)[1:]]
    if [len(t) for t in texts] != [len(row) for row in cells]:  # markup the marks cannot follow
        texts = [[_text(c).replace(_CELL_MARK, "").replace(_ROW_MARK, "") for c in row] for row in cells]
    spanned = [
        [
            (clean_text([text]), _int_attribute(cell, "rowspan"), _int_attribute(cell, "colspan"))
            for cell, text in zip(row, row_texts, strict=True)
        ]
        for row, row_texts in zip(cells, texts, strict=True)
    ]
    return place_spans(spanned)


def _read_body(body: etree._Element, document: MarkupDocument, styles_hide: bool) -> None:
    """Lines and innermost tables in reading order: each table is read into its grid and left
    in the text as a mark, so that the headings between the tables keep their places."""
    _prepare(body, styles_hide)
    tables = [t for t in body.iter("table") if t.find(".//table") is None]
    cell_count = sum(1 for table in tables for _ in table.iter("td", "th"))
    if cell_count > _MAX_TABLE_CELLS:
        raise UnreadableFileError(
            f"the page's tables have {cell_count:,} cells, more than the {_MAX_TABLE_CELLS:,} "
            "a report's tables can have"
        )
    cells = [_table_cells(table) for table in tables]
    for number, table in enumerate(tables):
        tail = table.tail
        table.clear()
        table.tail = f"{_TABLE_MARK}{number}{_TABLE_MARK}" + (tail or "")
    text = etree.tostring(body, method="text", encoding="unicode", with_tail=False)
    for index, segment in enumerate(text.split(_TABLE_MARK)):
        if index % 2 == 0:
            text = clean_text([segment])
            if text:
                document.add_line(text)
        else:
            document.add_table(*cells[int(segment)])


def _nesting(root: etree._Element) -> int:
    deepest = 0
    for table in root.iter("table"):
        if table.find(".//table") is None:
            deepest = max(deepest, sum(1 for a in table.iterancestors("table")) + 1)
    return deepest


def _titles(root: etree._Element) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Title candidates marked in the page (headings naming the report, an element whose class
    or id says title) and in its metadata (<title>, the <meta name=ArticleTitle> of gov.cn sites)."""
    found: dict[str, list[tuple[str, str]]] = {"title": [], "metadata": []}
    for xpath, source in (
        ("//h1|//h2|//h3", "title"),
        # Through the attributes: far fewer than the elements, which contains() would each test.
        ("//@class[contains(.,'title') or contains(.,'Title')]/.. | //@id[contains(.,'title')]/..", "title"),
        ("//title", "metadata"),
        ("//meta[@name='ArticleTitle' or @property='og:title' or @name='title']/@content", "metadata"),
    ):
        if source == "title" and found["title"]:
            continue  # a heading names the report: an element marked as the title comes after it
        for hit in root.xpath(xpath):
            text = clean_text([hit if isinstance(hit, str) else "".join(hit.itertext())]).replace("\n", "")
            if "报告" in text and len(text) <= 200:
                found[source].append((text, source))
    return found["title"], found["metadata"]


def _attachments(root: etree._Element) -> list[str]:
    links = []
    for href in root.xpath("//a/@href"):
        path = href.split("?")[0].split("#")[0].strip()
        if _ATTACHMENT_RE.search(path):
            links.append(href.strip())
    return list(dict.fromkeys(links))


def _refuse_size(size: int) -> None:
    if size > MAX_PAGE_BYTES:
        raise UnreadableFileError(
            f"the page is {size / 2**20:.0f} MB, more than the {MAX_PAGE_BYTES // 2**20} MB "
            "a report page can be"
        )


def read_tree(root: etree._Element, styles_hide: bool = True) -> MarkupDocument:
    """A parsed page's title candidates, section headings, tables (as Grids) and attachment links.
    `styles_hide`: whether styles may hide elements (styles_may_hide of the page's text)."""
    if _nesting(root) > _MAX_TABLE_NESTING:
        raise UnreadableFileError(f"tables nested more than {_MAX_TABLE_NESTING} deep: not a report page")
    document = MarkupDocument("html")
    marked, metadata = _titles(root)  # before the body is read: reading it empties the tables
    body = root.find("body")
    _read_body(body if body is not None else root, document, styles_hide)
    document.titles = marked + document.body_titles() + metadata
    document.attachments = _attachments(root)
    return document


def read_html_bytes(data: bytes) -> MarkupDocument:
    """read_tree of a page's bytes: refused when too large, decoded, parsed by lxml; with the
    server's error response it is, if it is one, as its `not_a_report`."""
    _refuse_size(len(data))
    text, response = _decoded(*archived_page(data)) if is_web_archive(data) else _decoded(data, None)
    document = read_tree(parse_page(text), styles_may_hide(text))
    document.not_a_report = response.not_a_report
    return document


def read_html(path: str | Path) -> MarkupDocument:
    """read_html_bytes of a file, refused before it is loaded when it is too large."""
    _refuse_size(Path(path).stat().st_size)
    return read_html_bytes(Path(path).read_bytes())
