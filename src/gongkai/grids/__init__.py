"""Stage 3: a page's tables as grids, from one engine per way a table can be drawn.

Each engine takes a page, the grids that the engines before it found there,
and the section headings, and returns the grids it finds in what is left. A new
engine is a function added to `ENGINES`; `page_grids` runs them in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..model import Grid, Heading, Page
from .ruled import ruled_grids
from .text import text_grids

GridEngine = Callable[[Page, Sequence[Grid], Sequence[Heading]], list[Grid]]

ENGINES: dict[str, GridEngine] = {
    "ruled": ruled_grids,  # cell boxes from the ruling lines
    "text": text_grids,  # text positions, for what no rules hold
}


def page_grids(
    page: Page, headings: Sequence[Heading], engines: Sequence[str] = tuple(ENGINES)
) -> list[Grid]:
    """Every grid on a page, top to bottom."""
    found: list[Grid] = []
    for name in engines:
        found += ENGINES[name](page, found, headings)
    return sorted(found, key=lambda grid: grid.bbox[1])
