"""The file layout is the pipeline: no stage imports from a later one, and only sources/ opens a PDF."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "gongkai"

# In pipeline order. Shared modules come first: every stage may use them, they use no stage.
LAYERS = [
    {"errors", "settings", "forms"},
    {"model"},
    {"labels", "numbers", "agency"},
    {"sources"},
    {"locate"},
    {"grids"},
    {"assign"},
    {"match"},
    {"versions"},
    {"values"},
    {"checks", "verify"},  # verify: which values read by OCR may be published, by the checks' rules
    {"output"},
    {"report"},
    {"batch", "review"},
    {"cli", "__init__", "__main__"},
]
PDF_ENGINES = {"pypdfium2", "pdfplumber", "pdfminer", "fitz", "camelot"}


def _layer(module: str) -> int:
    return next(i for i, names in enumerate(LAYERS) if module in names)


def _stage_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(gongkai stages, third-party top-level packages) that a module imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    stage = _stage_of(path)
    inside_package = len(path.relative_to(PACKAGE).parts) > 1
    stages, packages = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                packages.add((node.module or "").split(".")[0])
                continue
            base = node.module.split(".")[0] if node.module else None
            if node.level == 1 and inside_package:
                continue  # within its own package
            if base is None:  # from . import x: a module, or a name of the package itself
                known = set().union(*LAYERS)
                stages.update(alias.name if alias.name in known else "__init__" for alias in node.names)
            else:
                stages.add(base)
        elif isinstance(node, ast.Import):
            packages.update(alias.name.split(".")[0] for alias in node.names)
    stages.discard(stage)
    return stages, packages


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_stage_imports_from_a_later_one(path):
    stage = _stage_of(path)
    later = {name for name in _imports(path)[0] if _layer(name) > _layer(stage)}
    assert not later, f"{stage} imports from later stages {later}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_sources_touch_a_pdf_engine(path):
    engines = _imports(path)[1] & PDF_ENGINES
    if _stage_of(path) == "sources" or (_stage_of(path) == "grids" and engines <= {"pdfplumber"}):
        return  # grids/lattice.py uses pdfplumber's pure cell-grouping step, not its PDF reading
    assert not engines, f"{path.name} imports {engines}"


def test_every_module_has_a_layer():
    assert {_stage_of(p) for p in MODULES} <= set().union(*LAYERS)
