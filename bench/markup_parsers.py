"""Which HTML parser the web page source uses: lxml (libxml2) or html5lib, measured.

    python bench/markup_parsers.py [PAGE.html ...]
        (default: ../shared/reference/real-web/*.html and fixtures/*.html)

For each page, both parsers build a tree that gongkai's own walker (sources/html.py
read_tree) turns into grids; the figures are
  parse ms  - building the tree, best of 5 (the walker's time is the same for both);
  same      - whether both trees give the same grids, cell for cell;
  broken    - of five damaged copies of the page (end tags of cells, rows or paragraphs
              dropped, a stray </div></table> before the first table, attribute
              quotes removed), how many still give exactly the intact page's grids.
Needs html5lib (the `bench` extra).
"""

from __future__ import annotations

import re
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import html5lib
import lxml.etree as etree

from gongkai.sources.html import decode_page, parse_page, read_tree

ROOT = Path(__file__).resolve().parents[1]
REAL_WEB = ROOT.parent / "shared" / "reference" / "real-web"


def parse_html5lib(text: str) -> etree._Element:
    warnings.simplefilter("ignore")  # html5lib warns about every Word tag name (o:p) it coerces
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("lxml"), namespaceHTMLElements=False)
    document = parser.parse(text)
    return document.getroot() if hasattr(document, "getroot") else document


PARSERS: dict[str, Callable[[str], etree._Element]] = {"lxml": parse_page, "html5lib": parse_html5lib}


def grids_of(root: etree._Element) -> list[list[tuple]]:
    document = read_tree(root)
    return [[(c.text, c.row0, c.row1, c.col0, c.col1) for c in g.cells] for g in document.grids]


def damaged(text: str) -> dict[str, str]:
    """Copies of a page with the damage real pages and careless editors do."""
    return {
        "no </td>": re.sub(r"</td\s*>", "", text, flags=re.I),
        "no </tr>": re.sub(r"</tr\s*>", "", text, flags=re.I),
        "no </p>": re.sub(r"</p\s*>", "", text, flags=re.I),
        "stray </table></div>": re.sub(r"(<table)", r"</div></table>\1", text, count=1, flags=re.I),
        "unquoted attributes": re.sub(r'="([^"\s>]*)"', r"=\1", text),
    }


def best_ms(function: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main(pages: list[Path]) -> int:
    print(f"{'page':<52} {'KB':>5} {'lxml ms':>8} {'h5lib ms':>8} {'same':>5} {'lxml ok':>8} {'h5lib ok':>8}")
    totals = {name: [0.0, 0, 0] for name in PARSERS}  # ms, damaged copies read as intact, copies
    for page in pages:
        text = decode_page(page.read_bytes())
        reference = grids_of(parse_page(text))
        ms = {name: best_ms(lambda p=parser, t=text: p(t)) for name, parser in PARSERS.items()}
        same = grids_of(parse_html5lib(text)) == reference
        ok = {}
        for name, parser in PARSERS.items():
            copies = damaged(text)
            ok[name] = sum(grids_of(parser(copy)) == reference for copy in copies.values())
            totals[name][0] += ms[name]
            totals[name][1] += ok[name]
            totals[name][2] += len(copies)
        size, n = len(text.encode()) // 1024, len(copies)
        print(
            f"{page.name[:52]:<52} {size:>5} {ms['lxml']:>8.1f} {ms['html5lib']:>8.1f} "
            f"{'yes' if same else 'NO':>5} {ok['lxml']:>4}/{n:<3} {ok['html5lib']:>4}/{n:<3}"
        )
    print()
    for name, (ms, ok, copies) in totals.items():
        print(f"{name:<9} parse {ms:8.1f} ms in all; damaged copies read as intact: {ok}/{copies}")
    return 0


if __name__ == "__main__":
    arguments = [Path(a) for a in sys.argv[1:]]
    if not arguments:
        arguments = sorted(REAL_WEB.glob("*.html")) + sorted((ROOT / "fixtures").glob("*.html"))
    sys.exit(main(arguments))
