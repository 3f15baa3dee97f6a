"""The five real web reports of ../shared/reference/real-web/, read cell by cell against expected.csv.

expected.csv (see its README) gives every printed cell with the form's official labels; a blank
printed cell is `0` with note `value_blank=true`, which gongkai must read as an empty value with a
'blank cell' note, never as 0.
"""

from __future__ import annotations

import base64
import csv
import gzip
import quopri
from functools import cache
from pathlib import Path

import pytest

import gongkai
from gongkai.numbers import format_number

REAL_WEB = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "real-web"
EXPECTED = REAL_WEB / "expected.csv"
# Agency and year as each page's title gives them (README of real-web).
IDENTITIES = {
    "S01.html": ("沭阳县发展和改革局", 2023, "2021"),
    "S02.html": ("平潭综合实验区公安局", 2019, "2019"),
    "S03.html": ("平潭综合实验区市场监督管理局", 2023, "2021"),
    "S04.html": ("平潭综合实验区社会事业局", 2022, "2021"),
    "S05.html": ("平潭综合实验区经济发展局", 2025, "2021"),
}
_TABLES = {
    "active": "active_disclosure",
    "applications": "applications",
    "review_litigation": "review_litigation",
}

pytestmark = pytest.mark.skipif(not EXPECTED.exists(), reason=f"real web reports not found at {REAL_WEB}")

BLANK = "blank"  # what an expected blank printed cell must read as


def expected_by_file() -> dict[str, dict[tuple[str, str, str], str]]:
    out: dict[str, dict[tuple[str, str, str], str]] = {}
    with open(EXPECTED, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            value = BLANK if "value_blank=true" in row["note"] else row["value"]
            key = (_TABLES[row["table"]], row["row"], row["column"])
            out.setdefault(row["file"], {})[key] = value
    return out


def read_cells(report: gongkai.Report) -> dict[tuple[str, str, str], str]:
    """Each cell keyed as expected.csv keys it: table 四 by its column path, the others by the leaf."""
    got = {}
    for cell in report.cells.itertuples(index=False):
        if cell.table == "review_litigation":
            key = (cell.table, "", cell.column)
        else:
            columns = gongkai.FORMS[cell.form].table(cell.table).columns
            leaf = next(c.label for c in columns if c.id == cell.column_id)
            key = (cell.table, cell.row, leaf)
        blank = cell.raw is not None and not str(cell.raw).strip() and str(cell.note).startswith("blank cell")
        got[key] = BLANK if blank else format_number(cell.value)
    return got


@cache
def _read(name: str) -> gongkai.Report:
    return gongkai.read_report(REAL_WEB / name)


@pytest.mark.parametrize("name", sorted(IDENTITIES))
def test_real_web_page_cells_exact(name):
    expected = expected_by_file()[name]
    report = _read(name)
    got = read_cells(report)
    wrong = {key: (got.get(key), value) for key, value in expected.items() if got.get(key) != value}
    assert not wrong, (
        f"{len(wrong)} of {len(expected)} cells differ (read, printed): {dict(list(wrong.items())[:6])}"
    )
    assert (report.agency, report.year, report.form) == IDENTITIES[name]
    assert report.kind == "html"
    assert report.cells["page"].isna().all(), "a web page has no pages"


def _saved_with_headers(page: str) -> bytes:
    """The page as `wget --save-headers` saves it from a site that serves GBK: the response's
    head, then the page in GBK, which names no charset of its own (the head does)."""
    head = (
        "HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Wed, 31 Jan 2024 08:00:00 GMT\r\n"
        "Content-Type: text/html; charset=GBK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode("ascii") + page.replace('<meta charset="utf-8">', "").encode("gb18030")


def _behind_a_licence(page: str) -> bytes:
    """The page behind a comment longer than the 8 KB a file's kind is told by."""
    licence = "本网站所有内容版权归平潭综合实验区管委会所有，未经许可不得转载。\n" * 200
    return f"<!--\n{licence}-->\n{page}".encode()


def _saved_gzipped(page: str) -> bytes:
    """The page as `curl -i` saves it from a server that gzips it unasked: compressed, as served."""
    head = "HTTP/2 200 \r\ncontent-type: text/html; charset=utf-8\r\ncontent-encoding: gzip\r\n\r\n"
    return head.encode("ascii") + gzip.compress(page.encode())


@pytest.mark.parametrize("saved", [_saved_with_headers, _behind_a_licence, _saved_gzipped])
@pytest.mark.parametrize("name", ["S03.html", "S04.html"])
def test_a_real_page_saved_with_its_response_or_behind_a_long_comment_reads_the_same(tmp_path, name, saved):
    """Both were 'not a web page: no HTML markup at its start': the kind was told by the first 8 KB,
    from the page's first byte."""
    data = saved((REAL_WEB / name).read_text(encoding="utf-8"))
    assert len(data.split(b"<html", 1)[0]) > 8192 or data.startswith((b"HTTP/1.1 200 OK\r\n", b"HTTP/2 200"))
    path = tmp_path / "t20240131_86740.htm"
    path.write_bytes(data)
    report = gongkai.read_report(path)
    assert report.kind == "html"
    assert read_cells(report) == read_cells(_read(name))
    assert (report.agency, report.year, report.form) == IDENTITIES[name]


_SUBJECT = "=?utf-8?Q?=E5=B9=B4=E6=8A=A5?="  # 年报


def _web_archive(page: bytes, part_head: str, encode, subject: str = _SUBJECT) -> bytes:
    """The page as a browser saves it as a single file (MHTML): a MIME message of its parts."""
    boundary = "----MultipartBoundary--Xk2n3Hq1----"
    head = (
        "From: <Saved by Blink>\r\nSnapshot-Content-Location: https://www.pingtan.gov.cn/t.htm\r\n"
        f"Subject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n"
        f'\ttype="text/html";\r\n\tboundary="{boundary}"\r\n\r\n\r\n'
    )
    image = f"--{boundary}\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    image += "iVBORw0KGgo=\r\n"
    return (
        head.encode()
        + f"--{boundary}\r\n{part_head}\r\n\r\n".encode()
        + encode(page)
        + f"\r\n{image}--{boundary}--\r\n".encode()
    )


@pytest.mark.parametrize(
    ("part_head", "encoding", "encode"),
    [
        # Chrome: quoted-printable, the page's own <meta charset>.
        (
            "Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable",
            "utf-8",
            quopri.encodestring,
        ),
        # Internet Explorer (另存为 .mht): base64, the charset named by the part, none in the page.
        (
            'Content-Type: text/html;\r\n\tcharset="gb2312"\r\nContent-Transfer-Encoding: base64',
            "gb18030",
            lambda data: base64.encodebytes(data).replace(b"\n", b"\r\n"),
        ),
    ],
)
def test_a_real_page_saved_as_a_web_archive_reads_the_same(tmp_path, part_head, encoding, encode):
    """A page saved as 'Web page, single file' (.mhtml, .mht) was 'not a PDF file'."""
    page = (REAL_WEB / "S03.html").read_text(encoding="utf-8")
    if encoding != "utf-8":
        page = page.replace('<meta charset="utf-8">', "")
    path = tmp_path / "年报.mhtml"
    path.write_bytes(_web_archive(page.encode(encoding), part_head, encode))
    report = gongkai.read_report(path)
    assert report.kind == "html"
    assert read_cells(report) == read_cells(_read("S03.html"))
    assert [str(p) for p in gongkai.expand_inputs([str(tmp_path)])] == [str(path)]


def test_a_web_archive_whose_head_runs_past_4_kb_is_read_as_one(tmp_path):
    """A long folded Subject: put the archive's head past 4 KB. Its kind was told from the first
    8 KB (a web archive), but it was read as one only when its head ended within 4 KB: read as a
    plain page, 'no table of the standard form found'."""
    page = (REAL_WEB / "S03.html").read_text(encoding="utf-8").encode()
    subject = "\r\n\t".join(["=?utf-8?Q?=E5=B9=B4=E6=8A=A5=E5=B9=B4=E6=8A=A5?="] * 120)
    data = _web_archive(page, "Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable",
                        quopri.encodestring, subject)  # fmt: skip
    assert 4096 < data.index(b"\r\n\r\n") < 8192
    path = tmp_path / "年报.mhtml"
    path.write_bytes(data)
    report = gongkai.read_report(path)
    assert report.kind == "html"
    assert read_cells(report) == read_cells(_read("S03.html"))
