"""Every record that carries a note carries a code from the contract's vocabulary, and only then."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import gongkai
from gongkai.model import NoteCode

from .conftest import FIXTURES, ROOT, SAMPLES

INPUTS = sorted(
    [*SAMPLES.glob("*.pdf"), *(p for kind in ("pdf", "html", "docx") for p in FIXTURES.glob(f"*.{kind}"))]
)


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: p.name)
def test_a_note_has_a_known_code(path: Path):
    cells = gongkai.read_report(path).cells
    noted = cells["note"].fillna("") != ""
    coded = cells["note_code"].notna()
    assert (noted == coded).all(), cells.loc[noted != coded, ["row_id", "column_id", "note", "note_code"]]
    assert set(cells.loc[coded, "note_code"]) <= {str(code) for code in NoteCode}
    located = cells["page"].notna() | cells["location"].notna()
    assert (located == cells["raw"].notna()).all(), "a cell read has a page or a location, and only then"


def test_the_readme_lists_every_code():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", readme, flags=re.MULTILINE))
    assert {str(code) for code in NoteCode} <= listed


def test_the_quick_start_names_the_notes_its_sample_shows():
    """The quick start says which notes a first run shows in yunhu-district-2024.pdf: those it
    names are those the sample gives, and it claims no more (there are 18 kinds)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start")[1].split("\n## ")[0]
    assert "every kind of note" not in " ".join(quick_start.split())
    named = set(re.findall(r"`([a-z_]+)`", quick_start)) & {str(code) for code in NoteCode}
    report = gongkai.read_report(SAMPLES / "yunhu-district-2024.pdf")
    assert named == set(report.cells["note_code"].dropna())
    assert {check.status for check in report.checks} >= {"failed", "not evaluated"}
