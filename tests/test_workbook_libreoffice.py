"""The XLSX opened in LibreOffice shows the same numbers as the CSV (skipped where LibreOffice is absent)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from gongkai.cli import main

from .conftest import SAMPLES

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# Debian splits LibreOffice into packages; Writer alone cannot open a workbook.
HAS_CALC = SOFFICE is not None and any(Path(os.path.realpath(SOFFICE)).parent.glob("pagein-calc"))


@pytest.mark.skipif(
    not HAS_CALC, reason="LibreOffice Calc is not installed; the XLSX was checked with openpyxl only"
)
def test_libreoffice_reads_the_same_numbers(tmp_path):
    runner = CliRunner()
    assert (
        runner.invoke(main, ["extract", str(SAMPLES), "-o", str(tmp_path / "book.xlsx"), "-w", "1"]).exit_code
        == 0
    )
    assert (
        runner.invoke(main, ["extract", str(SAMPLES), "-o", str(tmp_path / "cells.csv"), "-w", "1"]).exit_code
        == 0
    )
    utf8_csv = "csv:Text - txt - csv (StarCalc):44,34,76"  # comma, double quote, UTF-8
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"
    command = [
        SOFFICE,
        profile,
        "--headless",
        "--convert-to",
        utf8_csv,
        "--outdir",
        str(tmp_path / "converted"),
    ]
    subprocess.run([*command, str(tmp_path / "book.xlsx")], check=True, capture_output=True, timeout=180)
    # LibreOffice converts the first sheet, `cells`, whose header is in Chinese.
    converted = pd.read_csv(tmp_path / "converted" / "book.csv")
    original = pd.read_csv(tmp_path / "cells.csv")
    assert len(converted) == len(original)
    pd.testing.assert_series_equal(converted["数值"], original["value"], check_names=False)
    assert list(converted["行ID"]) == list(original["row_id"])
