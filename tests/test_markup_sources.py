"""Web pages and Word files: their tables as Grids, their encodings, and hostile inputs."""

from __future__ import annotations

import base64
import gzip
import io
import os
import quopri
import shutil
import signal
import zipfile
import zlib

import pytest

import gongkai
from gongkai.batch import expand_inputs
from gongkai.locate import find_headings
from gongkai.report import read_report_safely
from gongkai.sources import input_kind
from gongkai.sources.docx import MAX_PART_BYTES, read_docx
from gongkai.sources.html import MAX_PAGE_BYTES, decode_page, read_html_bytes
from gongkai.sources.markup import place_spans

from .conftest import FIXTURES

BAD = FIXTURES / "bad"
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _page(body: str, head: str = '<meta charset="utf-8">') -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


def _cells(grid) -> list[tuple[str, int, int, int, int]]:
    return [(c.text, c.row0, c.row1, c.col0, c.col1) for c in grid.cells]


def test_spans_that_differ_row_by_row_fill_the_next_free_positions():
    rows = [
        [("A", 2, 1), ("B", 1, 2), ("C", 1, 1)],
        [("D", 1, 1), ("E", 1, 2)],
        [("F", 1, 4)],
    ]
    cells, n_rows, n_cols = place_spans(rows)
    assert (n_rows, n_cols) == (3, 4)
    placed = {c.text: (c.row0, c.row1, c.col0, c.col1) for c in cells}
    assert placed == {
        "A": (0, 2, 0, 1),
        "B": (0, 1, 1, 3),
        "C": (0, 1, 3, 4),
        "D": (1, 2, 1, 2),
        "E": (1, 2, 2, 4),
        "F": (2, 3, 0, 4),
    }


def test_a_rowspan_past_the_table_is_cut_at_its_last_row():
    cells, n_rows, _ = place_spans([[("A", 20, 1), ("B", 1, 1)], [("C", 1, 1)]])
    assert n_rows == 2
    assert (cells[0].row0, cells[0].row1) == (0, 2)


def test_word_pasted_cells_keep_numbers_whole_and_blanks_blank():
    body = (
        "<table><tr>"
        '<td><p class="MsoNormal"><span>1</span><span lang="EN-US">2</span><span>3</span><o:p></o:p></p></td>'
        '<td><p class="MsoNormal"><span lang="EN-US"><o:p>&nbsp;</o:p></span></p></td>'
        "<td>&nbsp;</td><td></td><td><p></p></td>"
        "<td><p>政府信息公开</p><p>行政复议</p></td>"
        '<td>4<span style="display:none">9</span></td>'
        "</tr></table>"
    )
    document = read_html_bytes(_page(body))
    [grid] = document.grids
    assert [c.text for c in grid.cells] == ["123", "", "", "", "", "政府信息公开\n行政复议", "4"]


def test_only_innermost_tables_become_grids_and_scripts_are_never_read():
    body = (
        "<script>document.write('<table><tr><td>9</td></tr></table>')</script>"
        '<table class="layout"><tr><td><div>'
        "<table><tr><td>规章</td><td>5</td></tr></table>"
        "</div></td></tr></table>"
    )
    document = read_html_bytes(_page(body))
    assert [_cells(g) for g in document.grids] == [[("规章", 0, 1, 0, 1), ("5", 0, 1, 1, 2)]]


def test_headings_are_placed_between_the_tables_they_separate():
    body = (
        "<p>二、主动公开政府信息情况</p><table><tr><td>1</td></tr></table>"
        "<p>三、收到和处理政府信息公开申请情况</p><table><tr><td>2</td></tr></table>"
    )
    document = read_html_bytes(_page(body))
    assert [(page, line.text[:2]) for page, line in document.lines] == [(1, "二、"), (2, "三、")]
    assert [g.page for g in document.grids] == [1, 2]
    headings = [h for page, line in document.lines for h in find_headings(page, [line])]
    assert [(h.numeral, h.page) for h in headings] == [("二", 1), ("三", 2)]


@pytest.mark.parametrize(
    ("data", "declared"),
    [
        (b"<meta charset='gbk'>" + "青岚区人民政府".encode("gbk"), "gbk"),
        (
            b"<meta http-equiv='Content-Type' content='text/html; charset=gb2312'>" + "柳塘镇".encode("gbk"),
            "gb2312",
        ),
        (b"<p>" + "汀川市卫生健康委员会".encode("gb18030"), "nothing"),
        (b"<meta charset='gbk'>" + "云溪市".encode(), "gbk, but UTF-8"),
        (b"\xef\xbb\xbf<p>" + "南屏县".encode(), "a UTF-8 BOM"),
    ],
)
def test_encodings_are_told_without_mojibake(data, declared):
    text = decode_page(data)
    assert any(
        name in text for name in ("青岚区人民政府", "柳塘镇", "汀川市卫生健康委员会", "云溪市", "南屏县")
    ), declared


_BIG5_PAGE = "<html><body><p>臺北市政府資訊公開年度報告</p></body></html>".encode("big5")


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=Big5\r\n\r\n" + _BIG5_PAGE, "the head's"),
        (
            b'HTTP/1.1 200 OK\r\nContent-Type: text/html;charset="big5"\r\n\r\n'
            b"<meta http-equiv='Content-Type' content='text/html; charset=big5'>" + _BIG5_PAGE,
            "the head's and the page's",
        ),
        (b"<!-- " + b"x" * 5000 + b" -->\n<meta charset=big5>" + _BIG5_PAGE, "past a long comment"),
        (b"<!-- <meta charset=gbk> -->\n<meta charset=big5>" + _BIG5_PAGE, "not the one in a comment"),
    ],
)
def test_the_encoding_a_page_is_served_or_declared_in_is_read(data, why):
    """The Content-Type of a response saved before the page named the encoding that went unread;
    a <meta> past the first 4 KB, behind a comment, was unread, and one in a comment was taken."""
    text = decode_page(data)
    assert "臺北市政府資訊公開年度報告" in text and "HTTP/1.1" not in text, why


def test_a_server_default_without_chinese_is_not_the_page_encoding():
    """ISO-8859-1 (a server's default) would read every byte of a GBK page as a Latin letter."""
    page = "<html><body><p>南屏县人民政府</p></body></html>".encode("gbk")
    text = decode_page(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=ISO-8859-1\r\n\r\n" + page)
    assert "南屏县人民政府" in text


def test_docx_vmerge_and_gridspan_become_spans(tmp_path):
    def cell(text: str, properties: str = "") -> str:
        return f"<w:tc><w:tcPr>{properties}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    restart, go_on = '<w:vMerge w:val="restart"/>', "<w:vMerge/>"
    two, turned = '<w:gridSpan w:val="2"/>', '<w:textDirection w:val="tbRl"/>'
    table = (
        "<w:tbl>"
        f"<w:tr>{cell('组', restart)}{cell('头', two)}</w:tr>"
        f"<w:tr>{cell('', go_on)}{cell('1')}{cell('2')}</w:tr>"
        f"<w:tr>{cell('', go_on)}{cell('3')}{cell('4', turned)}</w:tr>"
        "</w:tbl>"
    )
    path = tmp_path / "t.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", f"<w:document {_W}><w:body>{table}</w:body></w:document>")
    [grid] = read_docx(path).grids
    assert _cells(grid) == [
        ("组", 0, 3, 0, 1),
        ("头", 0, 1, 1, 3),
        ("1", 1, 2, 1, 2),
        ("2", 1, 2, 2, 3),
        ("3", 2, 3, 1, 2),
        ("4", 2, 3, 2, 3),
    ]


REASONS = {
    "not-a-zip.docx": "not a zip archive",
    "entities.docx": "declares a DTD or entities",
    "entities.xhtml": "no table of the standard form found",
    "utf16-no-bom.html": "UTF-16 without a byte-order mark",
    "link-only.html": "links to the report as an attachment: /uploadfiles/2023/01/某县2022年年报.pdf",
    "error-page.pdf": "the file named .pdf is a web page",
    "deep-tables.html": "tables nested more than",
}


@pytest.mark.parametrize("name", sorted(REASONS))
def test_hostile_markup_gets_a_failed_row_with_a_plain_reason(name):
    report = read_report_safely(BAD / name)
    assert report.status == "failed"
    assert REASONS[name] in report.reason
    assert "internal error" not in report.reason


def test_entities_are_never_resolved():
    document = read_html_bytes((BAD / "entities.xhtml").read_bytes())
    text = "".join(line.text for _, line in document.lines)
    assert "哈哈" not in text  # the billion laughs stay unexpanded
    assert "root:" not in text  # and /etc/passwd unread


def test_a_zip_bomb_stops_at_the_part_limit(tmp_path):
    path = tmp_path / "bomb.docx"
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/document.xml", "w") as part,
    ):
        block = b"\0" * (1 << 20)
        for _ in range(MAX_PART_BYTES // len(block) + 2):
            part.write(block)
    assert path.stat().st_size < MAX_PART_BYTES // 100
    report = read_report_safely(path)
    assert (report.status, "zip bomb" in report.reason) == ("failed", True), report.reason


def test_a_huge_page_is_refused_before_it_is_loaded(tmp_path):
    path = tmp_path / "huge.html"
    with open(path, "wb") as handle:
        handle.write(b"<html><body><table>")
        handle.truncate(MAX_PAGE_BYTES * 5)  # 100 MB, sparse
    report = read_report_safely(path)
    assert report.status == "failed"
    assert "MB, more than the" in report.reason


def test_a_legacy_word_file_without_libreoffice_says_what_to_install(tmp_path, monkeypatch):
    path = tmp_path / "report.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(gongkai.MissingToolError, match="LibreOffice"):
        gongkai.read_report(path)
    report = read_report_safely(path)
    assert report.status == "failed" and "apt-get install libreoffice-writer" in report.reason


def _processes_running(marker: str) -> list[int]:
    """The processes whose command line holds `marker`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if marker.encode() in handle.read():
                        found.append(int(entry))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="the processes are looked for in /proc")
def test_a_conversion_that_hangs_is_ended_whole_when_its_time_is_up(tmp_path, monkeypatch):
    """soffice starts oosplash, which starts soffice.bin: `subprocess.run(timeout=...)` killed the
    first alone, and a conversion that hung went on running, for ever, after the file failed."""
    from gongkai.sources import libreoffice

    marker = "4321.125"  # the hanging child's own argument, to find it by
    fake = tmp_path / "bin" / "soffice"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\nsleep {marker} &\nwait\n")  # as oosplash waits for soffice.bin
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(libreoffice, "_CONVERT_SECONDS", 0.5)
    path = tmp_path / "report.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    try:
        report = read_report_safely(path)
        assert report.status == "failed" and "took more than 0.5 s to convert" in report.reason
        assert _processes_running(marker) == []
    finally:
        for pid in _processes_running(marker):
            os.kill(pid, signal.SIGKILL)


def test_content_decides_the_kind_not_the_name(tmp_path):
    web = tmp_path / "report.pdf"
    web.write_bytes(_page("<p>x</p>"))
    word = tmp_path / "report.html"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", f"<w:document {_W}><w:body/></w:document>")
    word.write_bytes(buffer.getvalue())
    assert input_kind(web) == ("html", False)
    assert input_kind(word) == ("docx", False)


def test_an_input_kind_restriction_fails_other_kinds(tmp_path):
    page = FIXTURES / "web-county-2022-gbk.html"
    report = read_report_safely(page, kind="pdf")
    assert (report.status, report.reason) == (
        "failed",
        "the file is a web page, not a PDF as the input kind asks",
    )
    assert read_report_safely(page, kind="html").status == "ok"


def test_a_row_nested_in_a_cell_still_gives_every_cell_its_own_text():
    # libxml2 keeps a <tr> inside a <div> inside a cell: the row and cell marks of the one
    # text serialisation cannot follow that, so each cell's text is taken on its own.
    body = "<table><tr><td><div><tr><td>x</td></tr></div></td><td>y</td></tr></table>"
    [grid] = read_html_bytes(_page(body)).grids
    assert [(c.text, c.row0, c.col0) for c in grid.cells] == [("x", 0, 0), ("y", 0, 1), ("x", 1, 0)]


def test_docx_rows_inside_content_controls_are_read(tmp_path):
    row = "<w:tr><w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc></w:tr>"
    table = f"<w:tbl>{row.format('a')}<w:sdt><w:sdtContent>{row.format('b')}</w:sdtContent></w:sdt></w:tbl>"
    path = tmp_path / "t.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", f"<w:document {_W}><w:body>{table}</w:body></w:document>")
    [grid] = read_docx(path).grids
    assert _cells(grid) == [("a", 0, 1, 0, 1), ("b", 1, 2, 0, 1)]


def test_a_page_of_too_many_elements_is_refused_while_it_is_parsed(tmp_path):
    path = tmp_path / "many.html"
    path.write_text("<html><body>" + "<b>1</b>" * 250_000 + "</body></html>", encoding="utf-8")
    report = read_report_safely(path)
    assert report.status == "failed"
    assert "more than 200,000 elements" in report.reason


def test_a_page_of_too_many_table_cells_is_refused(tmp_path):
    row = "<tr><td>规章</td><td>1</td><td>2</td><td>3</td></tr>"
    path = tmp_path / "cells.html"
    path.write_text(
        "<html><body>" + ("<table>" + row * 100 + "</table>") * 60 + "</body></html>", encoding="utf-8"
    )
    report = read_report_safely(path)
    assert report.status == "failed"
    assert "24,000 cells, more than the 20,000" in report.reason


def test_a_word_file_of_too_many_table_cells_is_refused(tmp_path):
    row = "<w:tr>" + "<w:tc><w:p/></w:tc>" * 100 + "</w:tr>"
    path = tmp_path / "cells.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        body = f"<w:tbl>{row * 250}</w:tbl>"
        archive.writestr("word/document.xml", f"<w:document {_W}><w:body>{body}</w:body></w:document>")
    report = read_report_safely(path)
    assert (report.status, "25,000 cells" in report.reason) == ("failed", True), report.reason


_SAVED_FROM = b"<!-- saved from url=(0044)http://www.example.gov.cn/xxgk/ndbg/1.html -->\r\n"


@pytest.mark.parametrize(
    "start",
    [
        b"<!DOCTYPE html>\n<html>",
        b"\xef\xbb\xbf<html>",  # a UTF-8 BOM
        b"\x84\x31\x95\x33<html>",  # a GB18030 BOM
        b"\xef\xbb\xbf\r\n\xef\xbb\xbf  <meta charset='gbk'>",  # pasted together: a BOM twice
        b"\n\t <  HTML lang='zh-CN'>",
        b'<?xml version="1.0" encoding="gb2312"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN">',
        _SAVED_FROM + b"<html>",  # as a browser saves a page
        "<!-- 柳塘镇人民政府 版权所有 -->\n<!doctype html>".encode("gbk") + b"<script>",
        b'<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n<!-- x --><script>',
        b"<p>" + "汀川市卫生健康委员会".encode("gb18030"),  # a fragment
        b"<table><tr><td>",
        # Saved with the HTTP response before it: wget --save-headers; curl -i after a redirect.
        b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html; charset=gbk\r\n\r\n<!DOCTYPE html>",
        b"HTTP/1.1 301 Moved Permanently\r\nLocation: /ndbg/1.html\r\n\r\nHTTP/2 200 \r\n\r\n<html>",
        b"HTTP/1.0 200 OK\nContent-Type: text/html\n X-Folded: on a second line\n\n\xef\xbb\xbf<html>",
        b"HTTP/1.1 200 OK\r\nContent-Security-Policy: " + b"a" * 9000 + b"\r\n\r\n<html>",  # past 8 KB
        # A comment, or comments, longer than the 8 KB first read.
        "<!--\n{}-->\n<html>".format("版权所有，未经许可不得转载。\n" * 400).encode(),
        b"<!-- licence line -->\n" * 500 + b"<html>",
        _SAVED_FROM + b"<!-- " + b"x" * 70000 + b" -->" + b"\n" * 9000 + b"<table>",
    ],
)
def test_a_web_page_is_told_by_the_markup_at_its_start(tmp_path, start):
    path = tmp_path / "page.txt"  # a name that claims no kind: the content decides
    path.write_bytes(start + "<p>二〇二三年政府信息公开工作年度报告</p>".encode("gb18030"))
    assert input_kind(path) == ("html", False)


def test_a_web_page_in_utf16_with_a_bom_is_one(tmp_path):
    """decode_page reads UTF-16 with a BOM, but the sniffing looked for markup in its bytes as
    ASCII: 'not a web page: no HTML markup at its start'."""
    page = (FIXTURES / "web-city-2023-site-chrome.html").read_text(encoding="utf-8")
    for encoding in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.html"
        path.write_bytes(("\ufeff" + page).encode(encoding))
        assert input_kind(path) == ("html", False)
        assert read_report_safely(path).status == "ok"


@pytest.mark.parametrize(
    "text",
    [
        "# 年度报告笔记\n\n网页的正文在 <p> 里，标题在 <title> 里。\n",  # markdown that mentions markup
        "Notes: the page's <title>, its <table> and <div> elements.\n",
        "<<< not markup >>> <p>\n",
        "<?xml version='1.0'?><!-- a list --><items><p>1</p></items>",  # XML, not a page
        # A response saved with its head, of no page: JSON, a PDF's bytes cut off.
        'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"title": "<p>年度报告</p>"}',
        "HTTP/1.1 200 OK\r\nX-Long: " + "a" * 9000 + "\r\n",  # a head that never ends
        # A comment longer than the 8 KB first read, of no page after it, or never closed.
        "<!-- " + "注释 " * 3000 + "-->\n# 笔记\n网页的正文在 <p> 里。\n",
        "<!-- " + "注释 " * 3000 + "\n<p>\n",
        "<!--" + "\n" * 9000 + "--> source,agency,year\n",
        # A gzipped body cut off before any page (a .gz download) is no page.
        "HTTP/1.1 200 OK\r\nContent-Type: application/gzip\r\n\r\n\x1f\x8b\x08\x00",
        # A mail with a page in it (multipart/mixed) is no web archive (multipart/related).
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"
        "Content-Type: text/html\r\n\r\n<html><p>年度报告</p></html>\r\n--x--\r\n",
    ],
)
def test_a_file_that_mentions_markup_is_no_web_page(tmp_path, text):
    """Any <p> or <title> in the first 8 KB made a text a web page (`notes.pdf`: 'the file named
    .pdf is a web page, read as such'): a page is told by the markup at its start."""
    for name, reason in (("notes.pdf", "not a PDF file"), ("notes.html", "not a web page: no HTML markup")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        report = read_report_safely(path)
        assert report.status == "failed" and report.reason.startswith(reason), report.reason
        assert "web page, read as such" not in report.reason


def test_a_web_archive_without_a_page_says_so(tmp_path):
    path = tmp_path / "年报.mht"
    path.write_bytes(
        b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=b\r\n\r\n--b\r\n"
        b"Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n"
    )
    assert input_kind(path) == ("html", False)
    report = read_report_safely(path)
    assert (report.status, report.reason) == (
        "failed",
        "a web archive (MHTML) that holds no web page (no text/html part)",
    )


def test_a_saved_response_whose_gzipped_page_is_damaged_or_cut_off_says_so(tmp_path):
    path = tmp_path / "t.htm"
    path.write_bytes(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n\x1f\x8b\x08\x00broken")
    report = read_report_safely(path)
    assert (report.status, report.reason) == ("failed", "not a web page: no HTML markup at its start")
    whole = gzip.compress(_page("<p>二〇二三年政府信息公开工作年度报告</p>"))
    path.write_bytes(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + whole[: len(whole) // 2 + 40])
    assert input_kind(path) == ("html", False)  # its start is a page's; its end is cut off
    report = read_report_safely(path)
    assert (report.status, report.reason) == (
        "failed",
        "the saved response's gzipped page is cut off before its end",
    )


_SITE_PAGE = (FIXTURES / "web-city-2023-site-chrome.html").read_bytes()
_SERVED = b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html; charset=utf-8\r\n"


def _values(report) -> list[tuple[str, str, float | None]]:
    return [(r.row_id, r.column_id, r.value) for r in report.records]


def _in_chunks(body: bytes, size: int = 4000) -> bytes:
    """The body as a response sends it in chunks (`Transfer-Encoding: chunked`): each chunk's size
    in hex on a line before it, an extension on one, and the last chunk empty, a trailer after it."""
    chunks = [body[at : at + size] for at in range(0, len(body), size)]
    sent = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks[1:])
    return b"%x;name=first\r\n%s\r\n" % (len(chunks[0]), chunks[0]) + sent + b"0\r\nX-Trailer: t\r\n\r\n"


def _raw_deflated(body: bytes) -> bytes:
    squeeze = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return squeeze.compress(body) + squeeze.flush()


@pytest.mark.parametrize(
    ("saved", "how"),
    [
        (_SERVED + b"Content-Encoding: deflate\r\n\r\n" + zlib.compress(_SITE_PAGE), "deflate (zlib)"),
        (_SERVED + b"Content-Encoding: deflate\r\n\r\n" + _raw_deflated(_SITE_PAGE), "raw deflate"),
        (_SERVED + b"Content-Encoding: deflate\r\n\r\n" + _SITE_PAGE, "curl --compressed: inflated"),
        (_SERVED + b"Transfer-Encoding: chunked\r\n\r\n" + _in_chunks(_SITE_PAGE), "curl -i --raw"),
        (_SERVED + b"Transfer-Encoding: chunked\r\n\r\n" + _SITE_PAGE, "wget, curl -i: joined"),
        (
            _SERVED
            + b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
            + _in_chunks(gzip.compress(_SITE_PAGE), 1000),
            "gzipped, in chunks",
        ),
        (gzip.compress(_SITE_PAGE), "a .gz file of the page"),
    ],
)
def test_a_saved_response_deflated_or_in_chunks_is_read(tmp_path, saved, how):
    """A page a saved response says is deflated (zlib's format, or the raw stream some servers
    send), or whose body was saved in its chunks, and a page gzipped as a file: each was 'not a
    web page: no HTML markup at its start'."""
    path = tmp_path / "report.html"
    path.write_bytes(saved)
    assert input_kind(path) == ("html", False), how
    report = read_report_safely(path)
    assert report.status == "ok", (how, report.reason)
    assert _values(report) == _values(read_report_safely(FIXTURES / "web-city-2023-site-chrome.html")), how


def test_a_saved_response_whose_chunks_break_off_says_so(tmp_path):
    path = tmp_path / "t.htm"
    chunked = _in_chunks(_SITE_PAGE)
    head = _SERVED + b"Transfer-Encoding: chunked\r\n\r\n"
    for body, broken in (
        (chunked[: len(chunked) // 2], "cut off before its end"),
        (chunked.replace(b"fa0;", b"f00;", 1), "damaged"),  # a size that is not its chunk's
    ):
        path.write_bytes(head + body)
        report = read_report_safely(path)
        assert (report.status, report.reason) == ("failed", f"the saved response's chunked page is {broken}")


def test_a_gzipped_page_is_found_in_a_folder_and_a_gzip_file_of_no_page_says_so(tmp_path):
    """report.html.gz was no input in a folder, and named, 'not a PDF file'."""
    (tmp_path / "report.html.gz").write_bytes(gzip.compress(_SITE_PAGE))
    (tmp_path / "report.pdf.gz").write_bytes(gzip.compress(b"%PDF-1.7\n"))
    (tmp_path / "data.csv.gz").write_bytes(gzip.compress(b"a,b\n"))
    assert expand_inputs([str(tmp_path)]) == [str(tmp_path / "report.html.gz")]
    assert read_report_safely(tmp_path / "report.html.gz").status == "ok"
    for name in ("report.pdf.gz", "data.csv.gz"):
        report = read_report_safely(tmp_path / name)
        assert (report.status, report.reason) == (
            "failed",
            "a gzip-compressed file that holds no web page: gunzip it and give what it holds",
        )
    whole = gzip.compress(_SITE_PAGE)
    (tmp_path / "cut.html.gz").write_bytes(whole[: len(whole) // 2])
    report = read_report_safely(tmp_path / "cut.html.gz")
    assert (report.status, report.reason) == ("failed", "the gzipped page is cut off before its end")


@pytest.mark.parametrize(
    ("head", "encoding"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n", "utf-16"),  # a BOM
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-16\r\n\r\n", "utf-16"),
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n\xfe\xff", "utf-16-be"),  # a BOM first
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-16le\r\n\r\n", "utf-16-le"),  # none
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-16BE\r\n\r\n", "utf-16-be"),
    ],
)
def test_a_utf16_page_after_its_response_head_is_read(tmp_path, head, encoding):
    """Sniffing looked for a BOM or UTF-16's NULs at the file's start, not after the response's
    head: 'not a web page'; a byte order the Content-Type names was refused as not told."""
    path = tmp_path / "report.html"
    path.write_bytes(head + _SITE_PAGE.decode("utf-8").encode(encoding))
    assert input_kind(path) == ("html", False)
    report = read_report_safely(path)
    assert (report.status, report.agency) == ("ok", "云溪市人民政府"), report.reason


def test_a_utf16_page_whose_byte_order_nothing_names_is_still_refused(tmp_path):
    path = tmp_path / "report.html"
    path.write_bytes(b"HTTP/1.1 200 OK\r\n\r\n" + _SITE_PAGE.decode("utf-8").encode("utf-16-le"))
    assert read_report_safely(path).reason.startswith("the page is UTF-16 without a byte-order mark")


@pytest.mark.parametrize(
    ("transfer", "body"),
    [
        ("quoted-printable", quopri.encodestring(_SITE_PAGE).replace(b"\n", b"\r\n")),
        ("base64", base64.encodebytes(_SITE_PAGE).replace(b"\n", b"\r\n")),
        ("8bit", _SITE_PAGE),
    ],
)
def test_a_single_part_web_archive_is_read(tmp_path, transfer, body):
    """An archive of a page alone, its head's Content-Type text/html rather than multipart/related:
    'not a web page: no HTML markup at its start'."""
    path = tmp_path / "年报.mht"
    path.write_bytes(
        b"From: <Saved by Blink>\r\nSubject: =?utf-8?Q?report?=\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: text/html; charset="utf-8"\r\n'
        + f"Content-Transfer-Encoding: {transfer}\r\n".encode()
        + b"Content-Location: http://www.example.gov.cn/ndbg/1.html\r\n\r\n"
        + body
    )
    assert input_kind(path) == ("html", False)
    report = read_report_safely(path)
    assert report.status == "ok", report.reason
    assert _values(report) == _values(read_report_safely(FIXTURES / "web-city-2023-site-chrome.html"))


_NGINX_404 = b"<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center>"


@pytest.mark.parametrize(
    ("saved", "status"),
    [
        (
            b"HTTP/1.1 404 Not Found\r\nServer: nginx\r\nContent-Type: text/html\r\n\r\n" + _NGINX_404,
            "404 Not Found",
        ),
        (b"HTTP/2 404 \r\ncontent-type: text/html\r\n\r\n" + _NGINX_404, "404 Not Found"),  # no phrase
        (
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html; charset=gbk\r\n\r\n"
            + "<html><title>出错了</title><p>2023年年度报告暂时无法访问</p></html>".encode("gbk"),
            "500 Internal Server Error",
        ),
        (
            b"HTTP/1.1 301 Moved Permanently\r\nLocation: /ndbg/2.html\r\n\r\n<html><p>Moved</p></html>",
            "301 Moved Permanently",
        ),
        # After a redirect curl -L follows, the last response is the page's.
        (b"HTTP/1.1 302 Found\r\nLocation: /x\r\n\r\nHTTP/1.1 403 Forbidden\r\n\r\n<html>", "403 Forbidden"),
        # A phrase that is no short line of text is the status's standard one.
        (b"HTTP/1.1 404 \x1b[2Jgone\r\n\r\n" + _NGINX_404, "404 Not Found"),
        (b"HTTP/1.1 410 " + b"x" * 200 + b"\r\n\r\n" + _NGINX_404, "410 Gone"),
        # An error response of no page: the name's reader said 'not a PDF file'.
        (
            b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\r\nnot found: <html> 1.html\n",
            "404 Not Found",
        ),
    ],
)
def test_a_saved_error_response_says_it_is_one(tmp_path, saved, status):
    """A page saved with curl -i that is the server's error page said 'no table of the standard
    form found', as if a report were there unread."""
    for name in ("report.html", "report.pdf"):
        path = tmp_path / name
        path.write_bytes(saved)
        report = read_report_safely(path)
        assert report.status == "failed", name
        assert report.reason.endswith(f"the saved page is the server's {status} response, not a report"), name


def test_a_saved_error_response_holding_the_report_is_read(tmp_path):
    """Where a server sends the report with an error status, its tables are the report's."""
    path = tmp_path / "report.html"
    path.write_bytes(b"HTTP/1.1 404 Not Found\r\n\r\n" + _SITE_PAGE)
    assert read_report_safely(path).status == "ok"


def test_a_name_wget_numbered_is_of_its_kind(tmp_path):
    """wget names a second download of index.html index.html.1: a folder gave no such file, and
    one named was told by its content alone, its mismatch said of '.1'."""
    for name in ("index.html.1", "report.htm.2", "年报.pdf.12", "notes.txt.1", "cells.csv.1"):
        shutil.copyfile(FIXTURES / "web-city-2023-site-chrome.html", tmp_path / name)
    assert expand_inputs([str(tmp_path)]) == [
        str(tmp_path / n) for n in ("index.html.1", "report.htm.2", "年报.pdf.12")
    ]
    assert read_report_safely(tmp_path / "index.html.1").status == "ok"
    report = read_report_safely(tmp_path / "年报.pdf.12")
    assert "the file named .pdf is a web page, read as such" in report.reason
