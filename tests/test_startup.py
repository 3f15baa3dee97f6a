"""Start-up (issue 11): a text PDF read into CSV or JSONL loads only what reading it needs.

The command runs in a fresh interpreter that lists the packages it holds when it exits.
A file read in a worker is read by a fork of that process, which imports what reading
needs there: the run with `-w 1 --timeout 0` reads in the process itself, so that its
list holds those imports too.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

import pytest

from .conftest import FIXTURES, ROOT

TEXT_PDF = FIXTURES / "docx-city-2024-template.pdf"
# What a text PDF written as CSV does without: the frame and Parquet libraries, the PDF
# engines other than PDFium, pypdfium2's bindings (gongkai binds the few PDFium functions it
# calls itself, in sources/pdfium.py), the markup parser, OCR's imaging, and the worker pool
# (one file's worker is a plain fork).
NOT_NEEDED = {
    "pypdfium2",
    "pypdfium2_raw",
    "pandas",
    "pyarrow",
    "numpy",
    "pdfplumber",
    "pdfminer",
    "lxml",
    "pkg_resources",
    "PIL",
    "cv2",
    "multiprocessing",
}


_LISTING = """
import atexit, runpy, sys
def listing():
    packages = {name.split(".")[0] for name, module in sys.modules.items() if module is not None}
    sys.__stderr__.write("imported: " + " ".join(sorted(packages)) + "\\n")
atexit.register(listing)
sys.argv[0] = "gongkai"
runpy.run_module("gongkai", run_name="__main__")
"""


def _imported(output: str, *options: str) -> tuple[set[str], str]:
    """(top-level packages imported, stdout) of `gongkai extract TEXT_PDF -o output`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-c", _LISTING, "extract", str(TEXT_PDF), "-o", output, "-q", *options]
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    (listing,) = [line for line in run.stderr.splitlines() if line.startswith("imported: ")]
    return set(listing.split()[1:]), run.stdout


@pytest.mark.parametrize(
    ("to", "options"), [("stdout", ()), ("file", ()), ("file", ("-w", "1", "--timeout", "0"))]
)
def test_a_text_pdf_to_csv_imports_nothing_it_does_not_use(tmp_path, to, options):
    output = "-" if to == "stdout" else str(tmp_path / "cells.csv")
    imported, stdout = _imported(output, *options)
    assert {"gongkai", "jieba", "click"} <= imported
    assert imported & NOT_NEEDED == set()
    text = stdout if to == "stdout" else (tmp_path / "cells.csv").read_text(encoding="utf-8")
    assert len(list(csv.DictReader(io.StringIO(text)))) == 200


def test_parquet_output_still_loads_pyarrow(tmp_path):
    """The check above sees imports at all: the Parquet writer's are there."""
    imported, _ = _imported(str(tmp_path / "cells.parquet"))
    assert {"pyarrow", "pandas"} <= imported


def test_a_text_pdf_to_jsonl_imports_nothing_it_does_not_use():
    imported, stdout = _imported("-", "--format", "jsonl")
    assert imported & NOT_NEEDED == set()
    assert len(stdout.splitlines()) == 200


def test_the_package_loads_nothing_before_the_command_takes_over_ctrl_c():
    """`gongkai` imports the package before its Ctrl-C handler is set: a Ctrl-C meanwhile would
    print a traceback, so the package itself loads only its exceptions (the rest on first use)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    listing = "import sys, gongkai; print(' '.join(sorted(m for m in sys.modules if 'gongkai' in m)))"
    run = subprocess.run([sys.executable, "-c", listing], capture_output=True, text=True, env=env, timeout=60)
    assert run.stdout.split() == ["gongkai", "gongkai.errors"]
    import gongkai

    assert gongkai.FORMS["2021"] is gongkai.FORM_2021  # and the forms are there when asked for
