"""The command line, driven as a user drives it (click's CliRunner)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from gongkai.cli import main
from gongkai.output.records import CELL_COLUMNS, FILE_COLUMNS

from .conftest import FIXTURES, SAMPLES

BAD = FIXTURES / "bad"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _two_fixtures(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for pdf in sorted(FIXTURES.glob("*.pdf"))[:2]:
        shutil.copy(pdf, folder / pdf.name)
    return folder


def test_extract_samples_to_csv(runner, tmp_path):
    out = tmp_path / "cells.csv"
    result = runner.invoke(main, ["extract", str(SAMPLES), "-o", str(out), "-w", "1"])
    assert result.exit_code == 0, result.output
    cells = pd.read_csv(out)
    assert list(cells.columns) == CELL_COLUMNS
    files = pd.read_csv(tmp_path / "cells.files.csv")
    assert list(files.columns) == FILE_COLUMNS
    assert len(files) == len(list(SAMPLES.glob("*.pdf"))) >= 6
    assert set(files["status"]) == {"ok"}
    assert len(cells) == files["cells_expected"].sum()
    assert list(files["source"]) == sorted(files["source"])
    assert (tmp_path / "cells.checks.csv").exists()


def test_parquet_and_csv_agree(runner, tmp_path):
    folder = _two_fixtures(tmp_path)
    assert (
        runner.invoke(main, ["extract", str(folder), "-o", str(tmp_path / "a.csv"), "-w", "1"]).exit_code == 0
    )
    assert (
        runner.invoke(main, ["extract", str(folder), "-o", str(tmp_path / "a.parquet"), "-w", "2"]).exit_code
        == 0
    )
    from_csv = pd.read_csv(tmp_path / "a.csv")
    from_parquet = pd.read_parquet(tmp_path / "a.parquet")
    assert list(from_parquet.columns) == CELL_COLUMNS
    assert from_parquet["value"].dtype == "float64"
    pd.testing.assert_series_equal(from_csv["value"], from_parquet["value"], check_names=False)
    assert list(from_csv["source"]) == list(from_parquet["source"])


def test_stdout_is_csv_and_messages_go_to_stderr(tmp_path):
    folder = _two_fixtures(tmp_path)
    result = CliRunner().invoke(main, ["extract", str(folder), "-o", "-", "-w", "1"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == ",".join(CELL_COLUMNS)
    assert "gongkai:" in result.stderr and "gongkai:" not in result.stdout


def test_excel_encoding_writes_a_bom(runner, tmp_path):
    folder = _two_fixtures(tmp_path)
    out = tmp_path / "excel.csv"
    result = runner.invoke(
        main, ["extract", str(folder), "-o", str(out), "--encoding", "utf-8-sig", "-w", "1"]
    )
    assert result.exit_code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_bad_inputs_fail_softly_and_the_batch_goes_on(runner, tmp_path):
    folder = _two_fixtures(tmp_path)
    out = tmp_path / "mixed.csv"
    result = runner.invoke(main, ["extract", str(folder), str(BAD), "-o", str(out), "-w", "2"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    files = pd.read_csv(tmp_path / "mixed.files.csv")
    failed = files[files["status"] == "failed"]
    assert len(failed) == len(list(BAD.glob("*.pdf")))
    assert failed["reason"].str.len().min() > 5
    assert (files["status"] == "ok").sum() == 2
    assert pd.read_csv(out)["source"].nunique() == 2
    for line in result.output.splitlines():
        if "failed:" in line:
            assert line.startswith("gongkai: failed: ")


def test_glob_inputs(runner, tmp_path):
    folder = _two_fixtures(tmp_path)
    result = runner.invoke(main, ["extract", str(folder / "*.pdf"), "-o", str(tmp_path / "g.csv"), "-w", "1"])
    assert result.exit_code == 0
    assert pd.read_csv(tmp_path / "g.files.csv").shape[0] == 2


@pytest.mark.parametrize(
    "arguments",
    [
        ["extract", "samples", "-o", "out.unknown"],
        ["extract", "no-such-folder/*.pdf", "-o", "x.csv"],
        ["extract", "samples"],
        ["extract", "samples", "-o", "-", "--format", "parquet"],
    ],
)
def test_usage_errors_exit_2(runner, arguments):
    assert runner.invoke(main, arguments).exit_code == 2


def test_resume_skips_what_was_read(runner, tmp_path):
    folder = _two_fixtures(tmp_path)
    out = tmp_path / "r.parquet"
    first = sorted(folder.glob("*.pdf"))[0]
    assert runner.invoke(main, ["extract", str(first), "-o", str(out), "-w", "1"]).exit_code == 0
    result = runner.invoke(main, ["extract", str(folder), "-o", str(out), "--resume", "-w", "1"])
    assert result.exit_code == 0
    assert "1 files already read, 1 to go" in result.output
    cells = pd.read_parquet(out)
    assert cells["source"].nunique() == 2
    assert list(cells["source"]) == sorted(cells["source"])
    assert len(pd.read_csv(tmp_path / "r.files.csv")) == 2


def test_xlsx_workbook(runner, tmp_path):
    from openpyxl import load_workbook

    folder = _two_fixtures(tmp_path)
    out = tmp_path / "book.xlsx"
    assert runner.invoke(main, ["extract", str(folder), "-o", str(out), "-w", "1"]).exit_code == 0
    assert (
        runner.invoke(main, ["extract", str(folder), "-o", str(tmp_path / "same.csv"), "-w", "1"]).exit_code
        == 0
    )
    book = load_workbook(out)
    assert book.sheetnames == ["cells", "二、主动公开", "三、依申请公开", "四、复议诉讼", "files", "checks"]
    cells = book["cells"]
    assert cells["A1"].value == "来源文件" and cells.freeze_panes == "A2"
    values = [row[9] for row in cells.iter_rows(min_row=2, values_only=True)]
    assert all(v is None or isinstance(v, int | float) for v in values)
    from_csv = pd.read_csv(tmp_path / "same.csv")["value"]
    assert [None if pd.isna(v) else v for v in from_csv] == values


def test_inspect_prints_the_form_and_writes_pngs(runner, tmp_path):
    pdf = sorted(FIXTURES.glob("*.pdf"))[0]
    result = runner.invoke(main, ["inspect", str(pdf), "--png", str(tmp_path / "png")])
    assert result.exit_code == 0, result.output
    assert "收到和处理政府信息公开申请情况" in result.output
    assert "（七）总计" in result.output
    pngs = list((tmp_path / "png").glob("*.png"))
    assert pngs and all(p.stat().st_size > 10_000 for p in pngs)


def test_inspect_bad_pdf_is_one_line(runner):
    result = runner.invoke(main, ["inspect", str(BAD / "not-a-pdf.pdf")])
    assert result.exit_code == 1
    assert result.output.strip() == f"gongkai: failed: {BAD / 'not-a-pdf.pdf'}: not a PDF file"
