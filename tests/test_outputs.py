"""Where the commands write: an output that would replace an input or a special file is refused
before any reading, and a write that fails says so in one line, never with a traceback."""

from __future__ import annotations

import os
import shutil

import pytest
from click.testing import CliRunner

from gongkai import cli
from gongkai.cli import main

from .conftest import SAMPLES

GUILING, YUNHU = SAMPLES / "guiling-township-2024.pdf", SAMPLES / "yunhu-district-2024.pdf"


@pytest.fixture
def folder(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    for pdf in (GUILING, YUNHU):
        shutil.copy(pdf, reports / pdf.name)
    return reports


@pytest.fixture
def no_reading(monkeypatch):
    """Reading a report fails the test: a usage error comes before any."""

    def refuse(*args, **kwargs):
        raise AssertionError("a report was read")

    monkeypatch.setattr(cli, "iter_reports", refuse)
    monkeypatch.setattr(cli, "Batch", refuse)


def _refused(arguments: list[str], says: str) -> None:
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 2, (arguments, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gongkai: error: ") and says in lines[0], result.stderr


def test_an_output_that_is_an_input_is_refused_before_any_reading(folder, no_reading):
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    pdf = str(folder / GUILING.name)
    _refused(["extract", str(folder), "-o", pdf, "--format", "csv"], "it is the input")
    _refused(["summary", str(folder), "-o", str(folder / YUNHU.name)], "it is the input")
    # A side file of the output, given as an input, is an input too.
    side = folder / "cells.files.csv"
    shutil.copy(GUILING, side)
    _refused(["extract", str(folder), str(side), "-o", str(folder / "cells.csv")], "it is the input")
    before[side.name] = side.read_bytes()
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


def test_an_earlier_output_and_its_tables_are_inputs_of_summary(folder, tmp_path):
    cells = tmp_path / "cells.csv"
    assert CliRunner().invoke(main, ["extract", str(folder), "-o", str(cells), "-q"]).exit_code == 0
    before = (tmp_path / "cells.files.csv").read_bytes()
    _refused(["summary", str(cells), "-o", str(tmp_path / "cells.files.csv")], "it is the input")
    _refused(["compare", str(cells), "--agency", "x", "-o", str(cells)], "it is the input")
    assert (tmp_path / "cells.files.csv").read_bytes() == before


def test_an_output_or_side_file_that_is_no_regular_file_is_refused(folder, tmp_path, no_reading):
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "pipe.csv")
    os.mkfifo(out / "c.journal.lock")
    (out / "d.files.csv").mkdir()
    (out / "e.csv").symlink_to(out / "target.csv")
    (out / "target.csv").write_text("kept\n")
    cases = [
        (["extract", str(folder), "-o", str(out / "pipe.csv")], "pipe.csv': it is a named pipe"),
        (["extract", str(folder), "-o", str(out / "c.csv")], "c.journal.lock' beside"),
        (["extract", str(folder), "-o", str(out / "d.csv")], "d.files.csv' beside"),
        (["extract", str(folder), "-o", str(out / "e.csv")], "e.csv': it is a symbolic link"),
        (["extract", str(folder), "-o", "/proc/self/fd/1", "--format", "csv"], "it is a symbolic link"),
        (["summary", str(folder), "-o", str(out / "pipe.csv")], "it is a named pipe"),
        (["compare", str(folder), "-o", str(out / "e.csv")], "it is a symbolic link"),
    ]
    for arguments, says in cases:
        _refused(arguments, says)
    assert sorted(p.name for p in out.iterdir()) == [
        "c.journal.lock",
        "d.files.csv",
        "e.csv",
        "pipe.csv",
        "target.csv",
    ]
    assert (out / "pipe.csv").is_fifo() and (out / "c.journal.lock").is_fifo()
    assert (out / "e.csv").is_symlink() and (out / "target.csv").read_text() == "kept\n"
    assert list((out / "d.files.csv").iterdir()) == []


def test_an_unwritable_output_of_summary_and_compare_is_refused_before_any_reading(folder, no_reading):
    _refused(["summary", str(folder), "-o", "/proc/s.xlsx"], "cannot write to '/proc'")
    pdfs = [str(folder / GUILING.name), str(folder / YUNHU.name)]
    _refused(["compare", *pdfs, "-o", "/proc/c.csv"], "cannot write to '/proc'")
