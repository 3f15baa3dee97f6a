"""The file layout is the pipeline: no stage imports from a later one, and only sources/ opens a PDF."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "gongkai"

# In pipeline order. Shared modules come first: every stage may use them, they use no stage.
LAYERS = [
    {"errors", "settings", "forms", "pool", "dictionary", "readings"},  # readings: what OCR read, as data
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
    {"witness"},
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


def _imports(path: Path) -> tuple[set[str], set[str], set[str]]:
    """(gongkai stages, gongkai modules by dotted name, third-party top-level packages) a module imports.

    Relative imports are resolved against the module's own place in the package, and absolute
    `gongkai.…` imports count the same as relative ones.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = list(path.relative_to(PACKAGE).with_suffix("").parts)
    package = here[:-1]  # the package the module is in (a package's __init__ is in itself)
    modules, packages = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                top, _, rest = (node.module or "").partition(".")
                if top == "gongkai":
                    modules.update(_targets(rest, node.names))
                else:
                    packages.add(top)
                continue
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            name = ".".join([*base, *([node.module] if node.module else [])])
            modules.update(_targets(name, node.names))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top, _, rest = alias.name.partition(".")
                if top == "gongkai":
                    modules.add(rest or "__init__")
                else:
                    packages.add(top)
    stages = {module.split(".")[0] for module in modules} - {here[0]}
    return stages, modules, packages


def _targets(name: str, aliases: list[ast.alias]) -> set[str]:
    """The modules `from name import a, b` reaches: name itself, or name.a where a is a module."""
    if name:
        return {
            f"{name}.{a.name}" if (PACKAGE / name.replace(".", "/") / f"{a.name}.py").exists() else name
            for a in aliases
        }
    return {
        a.name if (PACKAGE / f"{a.name}.py").exists() or (PACKAGE / a.name).is_dir() else "__init__"
        for a in aliases
    }


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_stage_imports_from_a_later_one(path):
    stage = _stage_of(path)
    later = {name for name in _imports(path)[0] if _layer(name) > _layer(stage)}
    assert not later, f"{stage} imports from later stages {later}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_sources_touch_a_pdf_engine(path):
    engines = _imports(path)[2] & PDF_ENGINES
    if _stage_of(path) == "sources":
        return
    if path == PACKAGE / "grids" / "lattice.py":
        engines -= {"pdfplumber"}  # its pure cell-grouping step, not its PDF reading
    assert not engines, f"{path.name} imports {engines}"


# Outside sources/, a source module is reached through sources/__init__.py; sources/chars.py is
# text utilities that the grid engines share, not a way into a file.
OPEN_SOURCE_MODULES = {"sources", "sources.chars"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_other_stages_reach_sources_through_the_package(path):
    if _stage_of(path) == "sources":
        return
    reached = {m for m in _imports(path)[1] if m.split(".")[0] == "sources"}
    assert reached <= OPEN_SOURCE_MODULES, f"{path.name} imports {reached - OPEN_SOURCE_MODULES}"


def test_every_module_has_a_layer():
    assert {_stage_of(p) for p in MODULES} <= set().union(*LAYERS)


def _strings(path: Path) -> list[str]:
    """The string constants of a module, docstrings included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_the_files_beside_a_journal_are_named_in_one_place():
    """SQLite's files beside the journal are named once: what a fresh journal clears is what
    journal_files lists."""
    journal = _strings(PACKAGE / "output" / "journal.py")
    assert {end: journal.count(end) for end in ("-wal", "-shm", "-journal")} == {
        "-wal": 1,
        "-shm": 1,
        "-journal": 1,
    }


def test_the_commands_take_an_earlier_outputs_tables_from_batch():
    """An earlier output's tables are those batch.own_files lists; the commands name none of them again."""
    assert "checks" not in _strings(PACKAGE / "cli.py")


def test_whether_two_paths_name_one_file_is_told_in_one_place():
    """By batch._identity (device and inode; batch.same_file): compare had a twin of it
    (cli._same_file, os.path.samefile)."""
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        assert "samefile" not in attributes, path
