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
    # Comma, double quote, UTF-8, ..., and the last token -1: every sheet to its own file.
    utf8_csv = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
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
    # The `cells` sheet, whose header is in Chinese.
    converted = pd.read_csv(tmp_path / "converted" / "book-cells.csv")
    original = pd.read_csv(tmp_path / "cells.csv")
    assert len(converted) == len(original)
    pd.testing.assert_series_equal(converted["数值"], original["value"], check_names=False)
    assert list(converted["行ID"]) == list(original["row_id"])


@pytest.mark.skipif(
    not HAS_CALC, reason="LibreOffice Calc is not installed; the print setup was checked with openpyxl only"
)
def test_one_report_prints_on_a_few_pages(tmp_path):
    import pypdfium2 as pdfium

    import gongkai

    gongkai.write_workbook(gongkai.read_report(SAMPLES / "yunhu-district-2024.pdf"), tmp_path / "one.xlsx")
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"
    command = [SOFFICE, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path)]
    subprocess.run([*command, str(tmp_path / "one.xlsx")], check=True, capture_output=True, timeout=180)
    pdf = pdfium.PdfDocument(tmp_path / "one.pdf")
    pages = len(pdf)
    pdf.close()
    # 概览 1, 二 1, 三 1, 四 1, files 1; cells 10: its 200 records on 5 pages down (their long
    # labels folded, whole), each with the page of its remarks and ids beside it (at two thirds of
    # the size, not 2 pages at a third, unreadable); checks 5: the cells of its 36 rules not
    # evaluated, folded a cell a line, whole (cut at the page's edge, they took 1; with ids cut in
    # two, planned two lines each, 7). 45 before the print setup.
    assert pages <= 20


@pytest.mark.skipif(
    not HAS_CALC, reason="LibreOffice Calc is not installed; the print titles were checked with openpyxl only"
)
def test_every_printed_page_of_tables_three_and_four_has_the_header(tmp_path):
    import pypdfium2 as pdfium

    import gongkai

    gongkai.write_workbook(gongkai.read_reports(SAMPLES), tmp_path / "batch.xlsx")
    profile = f"-env:UserInstallation=file://{tmp_path}/profile"
    command = [SOFFICE, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path)]
    subprocess.run([*command, str(tmp_path / "batch.xlsx")], check=True, capture_output=True, timeout=180)
    pdf = pdfium.PdfDocument(tmp_path / "batch.pdf")
    texts = [page.get_textpage().get_text_range() for page in pdf]
    pdf.close()
    # The sheets print in order; a report's title line (…版格式 · file) is on the form sheets only.
    titled = [i for i, t in enumerate(texts) if "版格式 · " in t]
    first_three = next(i for i in titled if "（七）总计" in texts[i])
    first_four = next(i for i in titled if "尚未审结" in texts[i])
    after_four = next(i for i in range(first_four + 1, len(texts)) if i not in titled)
    three, four = texts[first_three:first_four], texts[first_four:after_four]
    assert len(three) == len(list(SAMPLES.glob("*.pdf")))  # one page per report
    assert all("申请人情况" in t and "法人或其他组织" in t for t in three)
    assert four and all("行政复议" in t and "结果维持" in t for t in four)
