"""gongkai.grids.lattice finds exactly the cells that pdfplumber's own lattice steps find."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest
from pdfplumber.table import (
    cells_to_tables,
    edges_to_intersections,
    intersections_to_cells,
    merge_edges,
)
from pdfplumber.utils import filter_edges

from gongkai.grids.lattice import cells_to_tables as our_cells_to_tables
from gongkai.grids.lattice import find_table_cells, merge_rules
from gongkai.model import Edge
from gongkai.sources.pdf import PdfSource

from .conftest import FIXTURES


def _as_pdfplumber(edge: Edge) -> dict:
    horizontal = edge.orientation == "h"
    return {
        "x0": edge.x0,
        "x1": edge.x1,
        "top": edge.top,
        "bottom": edge.bottom,
        "width": edge.length if horizontal else 0.0,
        "height": 0.0 if horizontal else edge.length,
        "orientation": edge.orientation,
        "object_type": "line",
    }


def _pdfplumber_merged(edges: list[Edge]) -> list[dict]:
    merged = merge_edges(filter_edges([_as_pdfplumber(e) for e in edges], min_length=1), 3, 3, 3, 3)
    return filter_edges(merged, min_length=3)


def _pdfplumber_tables(edges: list[Edge]) -> list[list[tuple]]:
    intersections = edges_to_intersections(_pdfplumber_merged(edges), 3, 3)
    return [list(table) for table in cells_to_tables(intersections_to_cells(intersections))]


def _assert_same_as_pdfplumber(edges: list[Edge]) -> None:
    ours = [(e.orientation, e.x0, e.top, e.x1, e.bottom, e.length) for e in merge_rules(edges)]
    theirs = [
        (e["orientation"], e["x0"], e["top"], e["x1"], e["bottom"], e["width"] or e["height"])
        for e in _pdfplumber_merged(edges)
    ]
    assert ours == theirs
    assert find_table_cells(edges) == _pdfplumber_tables(edges)


def _page_rules(paths) -> list[tuple[str, int, list[Edge]]]:
    found = []
    for path in paths:
        with PdfSource(path) as document:
            for number in range(1, document.page_count + 1):
                rules = document.page(number).edges
                if rules:
                    found.append((path.name, number, rules))
    return found


def test_fixture_pages_give_pdfplumbers_cells():
    pages = _page_rules(sorted(FIXTURES.glob("*.pdf")))
    assert len(pages) > 50
    for name, number, rules in pages:
        try:
            _assert_same_as_pdfplumber(rules)
        except AssertionError:
            pytest.fail(f"{name} page {number}: cells differ from pdfplumber's")


def test_reference_pages_give_pdfplumbers_cells(reference_pdf):
    for _, _, rules in _page_rules([reference_pdf]):
        _assert_same_as_pdfplumber(rules)


@pytest.mark.parametrize("seed", range(40))
def test_jittered_grids_give_pdfplumbers_cells(seed):
    """Rules a little off one another, cut into pieces and drawn twice, as producers draw them:
    every snap, join and filter branch runs, and the floating-point means must agree to the bit."""
    rng = random.Random(seed)
    xs = sorted(rng.uniform(50, 550) for _ in range(rng.randint(2, 9)))
    ys = sorted(rng.uniform(50, 780) for _ in range(rng.randint(2, 25)))
    edges: list[Edge] = []

    def jitter() -> float:
        return rng.choice([0.0, 0.0, rng.uniform(-2.9, 2.9), rng.uniform(-6, 6)])

    for y in ys:
        cuts = sorted(rng.sample(xs, rng.randint(2, len(xs))))
        for left, right in pairwise(cuts):
            top = y + jitter()
            x0, x1 = left + jitter(), right + jitter()
            edges += [Edge("h", min(x0, x1), top, max(x0, x1), top, abs(x1 - x0))] * rng.randint(1, 2)
    for x in xs:
        cuts = sorted(rng.sample(ys, rng.randint(2, len(ys))))
        for upper, lower in pairwise(cuts):
            left = x + jitter()
            top, bottom = upper + jitter(), lower + jitter()
            edges += [Edge("v", left, min(top, bottom), left, max(top, bottom), abs(bottom - top))]
    rng.shuffle(edges)
    _assert_same_as_pdfplumber(edges)


@pytest.mark.parametrize("seed", range(20))
def test_cells_group_into_pdfplumbers_tables_in_any_order(seed):
    """Several grids of cells, some touching only at a corner, some single cells, shuffled:
    the tables, their order and the order of the cells in each are pdfplumber's."""
    rng = random.Random(seed)
    boxes = set()
    for _ in range(rng.randint(1, 5)):
        left, top = rng.choice(range(0, 400, 40)), rng.choice(range(0, 700, 35))
        xs = sorted({left + rng.choice(range(5, 60, 5)) * i for i in range(rng.randint(1, 5))})
        ys = sorted({top + rng.choice(range(5, 40, 5)) * i for i in range(rng.randint(1, 6))})
        xs, ys = [left, *xs[1:]], [top, *ys[1:]]
        boxes |= {(x0, y0, x1, y1) for x0, x1 in pairwise(xs) for y0, y1 in pairwise(ys)}
    cells = sorted(boxes)
    rng.shuffle(cells)
    assert our_cells_to_tables(cells) == [list(table) for table in cells_to_tables(cells)]
