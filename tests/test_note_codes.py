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
