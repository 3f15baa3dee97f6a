"""The command line, driven as a user drives it (click's CliRunner)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from gongkai.cli import main
from gongkai.output.records import CELL_COLUMNS, FILE_COLUMNS

from .conftest import FIXTURES, ROOT, SAMPLES

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


@pytest.mark.parametrize(
    ("encoding", "starts"), [("utf-8-sig", b"\xef\xbb\xbfsource,"), ("utf-8", b"source,")]
)
def test_stdout_honours_the_encoding(tmp_path, encoding, starts):
    folder = _two_fixtures(tmp_path)
    result = CliRunner().invoke(
        main, ["extract", str(folder), "-o", "-", "-q", "-w", "1", "--encoding", encoding]
    )
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(starts)
    assert "人民政府".encode(encoding.removesuffix("-sig")) in result.stdout_bytes


def test_stdout_in_gb18030(tmp_path):
    folder = _two_fixtures(tmp_path)
    result = CliRunner().invoke(
        main, ["extract", str(folder), "-o", "-", "-q", "-w", "1", "--encoding", "gb18030"]
    )
    assert result.exit_code == 0
    assert result.stdout_bytes.decode("gb18030").splitlines()[0] == ",".join(CELL_COLUMNS)


def test_bad_inputs_fail_softly_and_the_batch_goes_on(runner, tmp_path):
    folder = _two_fixtures(tmp_path)
    out = tmp_path / "mixed.csv"
    result = runner.invoke(main, ["extract", str(folder), str(BAD), "-o", str(out), "-w", "2"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    files = pd.read_csv(tmp_path / "mixed.files.csv")
    failed = files[files["status"] == "failed"]
    assert len(failed) == len([p for p in BAD.iterdir() if p.suffix in (".pdf", ".html", ".xhtml", ".docx")])
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
    assert "1 file already read, 1 to go" in result.output
    # The summary counts the whole output, the file carried over included.
    assert "2 files: 2 ok, 0 partial, 0 failed; 400 cells" in result.output
    assert "(1 file carried over from the earlier run)" in result.output
    cells = pd.read_parquet(out)
    assert cells["source"].nunique() == 2
    assert list(cells["source"]) == sorted(cells["source"])
    assert len(pd.read_csv(tmp_path / "r.files.csv")) == 2


def test_resume_with_another_input_kind_and_a_busy_output_are_one_line_usage_errors(runner, tmp_path):
    from gongkai.batch import Batch

    folder = _two_fixtures(tmp_path)
    out = tmp_path / "r.csv"
    assert runner.invoke(main, ["extract", str(folder), "-o", str(out), "-w", "1"]).exit_code == 0
    resumed = runner.invoke(main, ["extract", str(folder), "-o", str(out), "--resume", "--input-kind", "pdf"])
    assert resumed.exit_code == 2
    journal = tmp_path / "r.journal.sqlite"
    assert resumed.stderr == (
        f"gongkai: error: cannot resume: {journal}: its reports were read with input kind auto, "
        "this run asks for input kind pdf; give the same --input-kind, or run without --resume\n"
    )
    with Batch([str(p) for p in folder.glob("*.pdf")], str(out), "csv"):  # another run, still going
        busy = runner.invoke(main, ["extract", str(folder), "-o", str(out)])
    assert busy.exit_code == 2
    assert busy.stderr == (
        f"gongkai: error: another gongkai run (pid {os.getpid()}) is writing {journal}; "
        "wait for it to end, or give another output\n"
    )


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
    assert book.sheetnames == [
        "概览",
        "二、主动公开",
        "三、依申请公开",
        "四、复议诉讼",
        "cells",
        "files",
        "checks",
    ]
    cells = book["cells"]
    assert cells["A1"].value == "来源文件" and cells.freeze_panes == "A2"
    value_column = [c.value for c in cells[1]].index("数值")
    values = [row[value_column] for row in cells.iter_rows(min_row=2, values_only=True)]
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


@pytest.mark.parametrize(
    ("png", "says"),
    [
        ("page.png", "--png takes a folder for the page images (one PNG a page), not a file"),
        ("blocker/pages", "cannot write to"),
    ],
)
def test_inspect_png_folder_is_checked_before_reading(tmp_path, monkeypatch, png, says):
    (tmp_path / "blocker").write_text("a file where a folder should be")
    monkeypatch.setattr("gongkai.report.read_report", lambda path: pytest.fail("read before the check"))
    pdf = sorted(FIXTURES.glob("*.pdf"))[0]
    result = CliRunner().invoke(main, ["inspect", str(pdf), "--png", str(tmp_path / png)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gongkai: error: ") and says in lines[0]
    assert not (tmp_path / "page.png").exists()


def test_inspect_bad_pdf_is_one_line(runner):
    result = runner.invoke(main, ["inspect", str(BAD / "not-a-pdf.pdf")])
    assert result.exit_code == 1
    assert result.output.strip() == f"gongkai: failed: {BAD / 'not-a-pdf.pdf'}: not a PDF file"


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (["--encoding", "latin-9x"], "unknown encoding 'latin-9x'"),
        (["--encoding", "ascii"], "encoding 'ascii' cannot write Chinese"),
        (["--format", "parquet"], "--format parquet contradicts the extension"),
    ],
)
def test_bad_options_are_refused_before_any_reading(tmp_path, options, says):
    out = tmp_path / "out" / "cells.csv"
    result = CliRunner().invoke(main, ["extract", str(SAMPLES), "-o", str(out), *options])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gongkai: error: ") and says in lines[0]
    assert not out.parent.exists()  # nothing written: no journal, no .partial file


def test_unwritable_output_and_missing_inputs_are_usage_errors(tmp_path):
    cases = [
        (["extract", str(SAMPLES), "-o", "/proc/x.xlsx"], "cannot write to '/proc'"),
        (["extract", str(SAMPLES), "-o", str(tmp_path), "--format", "csv"], "is a directory"),
        (
            ["extract", str(SAMPLES), str(tmp_path / "gone.pdf"), "-o", str(tmp_path / "c.csv")],
            "no such file",
        ),
    ]
    for arguments, says in cases:
        result = CliRunner().invoke(main, arguments)
        assert result.exit_code == 2, arguments
        assert len(result.stderr.strip().splitlines()) == 1 and says in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []
    link = tmp_path / "linked.pdf"
    link.symlink_to(tmp_path / "moved.pdf")
    result = CliRunner().invoke(main, ["extract", str(link), "-o", str(tmp_path / "c.csv")])
    assert result.exit_code == 2 and "broken symbolic link" in result.stderr and "moved.pdf" in result.stderr


def test_strict_exits_1_when_a_report_is_partial(runner, tmp_path, partial_pdf):
    out = str(tmp_path / "p.csv")
    assert runner.invoke(main, ["extract", str(partial_pdf), "-o", out]).exit_code == 0
    result = runner.invoke(main, ["extract", str(partial_pdf), "-o", out, "--strict"])
    assert result.exit_code == 1
    assert "gongkai: 1 file: 0 ok, 1 partial, 0 failed" in result.output  # one file, not "1 files"
    ok = runner.invoke(main, ["extract", str(SAMPLES / "guiling-township-2024.pdf"), "-o", out, "--strict"])
    assert ok.exit_code == 0


def test_parquet_page_stays_an_integer_column_when_cells_are_missing(runner, tmp_path, partial_pdf):
    out = tmp_path / "p.parquet"
    assert runner.invoke(main, ["extract", str(partial_pdf), "-o", str(out)]).exit_code == 0
    cells = pd.read_parquet(out)
    assert cells["page"].isna().sum() == 15
    assert str(cells["page"].dtype) == "Int64" and str(cells["year"].dtype) == "Int64"


def test_jsonl_output(runner, tmp_path):
    out = tmp_path / "cells.jsonl"
    result = runner.invoke(main, ["extract", str(SAMPLES / "yunhu-district-2024.pdf"), "-o", str(out)])
    assert result.exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 200 and '"source":"' in lines[0] and "\\/" not in lines[0]
    records = [json.loads(line) for line in lines]
    # Empty is null, never "": a cell read plainly has no note, a blank cell no raw text.
    plain = next(r for r in records if r["row_id"] == "new_requests" and r["column_id"] == "total")
    assert plain["note"] is None and plain["note_code"] is None and plain["location"] is None
    blank = next(r for r in records if r["note_code"] == "blank")
    assert blank["value"] is None and blank["raw"] is None
    assert not any(value == "" for r in records for value in r.values())
    # Counts are integers (449, not 449.0); an amount in 万元 keeps its decimals.
    assert plain["value"] == 449 and type(plain["value"]) is int and type(plain["page"]) is int
    fee = next(r for r in records if r["column_id"] == "fee_amount")
    assert fee["value"] == 5470.29
    counts = [r["value"] for r in records if r["value"] is not None and r["column_id"] != "fee_amount"]
    assert counts and all(type(v) is int for v in counts)
    cells = pd.read_json(out, lines=True)
    assert list(cells.columns) == CELL_COLUMNS
    assert (
        runner.invoke(
            main, ["extract", str(SAMPLES / "yunhu-district-2024.pdf"), "-o", str(tmp_path / "c.csv")]
        ).exit_code
        == 0
    )
    from_csv = pd.read_csv(tmp_path / "c.csv")
    pd.testing.assert_series_equal(cells["value"], from_csv["value"])
    assert list(cells["note"].fillna("")) == list(from_csv["note"].fillna(""))
    assert (tmp_path / "cells.checks.csv").exists()
    stdout = runner.invoke(
        main, ["extract", str(SAMPLES / "yunhu-district-2024.pdf"), "-o", "-", "--format", "jsonl"]
    )
    assert stdout.exit_code == 0 and len(stdout.stdout.splitlines()) == 200


def test_help_has_examples_every_exit_code_and_the_companion_names(runner):
    text = runner.invoke(main, ["extract", "--help"]).output
    assert "Examples:" in text and "gongkai extract samples/ -o out/cells.csv" in text
    assert "cells.files.csv" in text and "cells.checks.csv" in text and "OUTPUT-stem" not in text
    for code in ("0 ", "1 ", "2 ", "130", "141"):
        assert f"  {code}" in text
    assert "--timeout 0 means no time limit" in text
    for command in ("summary", "compare", "inspect"):
        text = runner.invoke(main, [command, "--help"]).output
        assert f"Examples:\n    gongkai {command} " in text and "Exit status:\n" in text
        for code in ("0 ", "2 ", "130"):
            assert f"\n    {code}" in text, (command, code)
    assert "\n    1    the file cannot be read" in runner.invoke(main, ["inspect", "--help"]).output
    assert "(0: no limit)" in runner.invoke(main, ["summary", "--help"]).output


def test_inspect_of_a_missing_file_is_a_usage_error(runner, tmp_path):
    folder = runner.invoke(main, ["inspect", str(tmp_path)])
    assert folder.exit_code == 2 and folder.output.count("\n") == 1 and "is a folder" in folder.output
    result = runner.invoke(main, ["inspect", str(tmp_path / "nothing.pdf")])
    assert (
        result.exit_code == 2
        and result.output == f"gongkai: error: no such file or directory: '{tmp_path / 'nothing.pdf'}'\n"
    )


def test_a_broken_link_and_a_link_loop_are_named_as_such_everywhere(runner, tmp_path):
    """inspect, extract, summary and read_report say the same of a link that leads to no file."""
    from gongkai import read_report
    from gongkai.errors import UnreadableFileError

    broken, loop = tmp_path / "broken.pdf", tmp_path / "loop.pdf"
    broken.symlink_to(tmp_path / "moved.pdf")
    loop.symlink_to(tmp_path / "round.pdf")
    (tmp_path / "round.pdf").symlink_to(loop)
    said = {
        broken: f"broken symbolic link: '{broken}' points to '{tmp_path / 'moved.pdf'}', "
        "which does not exist",
        loop: f"symbolic link loop: '{loop}' points to '{tmp_path / 'round.pdf'}', which links back round, "
        "never to a file",
    }
    for link, message in said.items():
        for arguments in (["inspect"], ["extract", "-o", str(tmp_path / "c.csv")], ["summary"]):
            result = runner.invoke(main, [*arguments, str(link)])
            assert (result.exit_code, result.output) == (2, f"gongkai: error: {message}\n"), arguments
        with pytest.raises(UnreadableFileError) as error:
            read_report(link)
        assert str(error.value) == message


@pytest.mark.parametrize("given", ["folder", "pattern"])
def test_a_broken_link_a_folder_or_a_pattern_holds_gets_its_status_row(runner, tmp_path, given):
    """Dropped from the batch, a link to a moved report was lost without a word."""
    reports = tmp_path / "in"
    reports.mkdir()
    shutil.copy(SAMPLES / "guiling-township-2024.pdf", reports)
    (reports / "broken.pdf").symlink_to(reports / "moved.pdf")
    inputs = str(reports) if given == "folder" else str(reports / "*.pdf")
    result = runner.invoke(main, ["extract", inputs, "-o", str(tmp_path / "out" / "c.csv")])
    assert result.exit_code == 1
    files = pd.read_csv(tmp_path / "out" / "c.files.csv")
    broken = files[files["source"] == str(reports / "broken.pdf")]
    assert list(broken["status"]) == ["failed"]
    assert broken["reason"].iloc[0].startswith("broken symbolic link:")


def test_ctrl_c_exits_130_and_leaves_no_output(runner, tmp_path, monkeypatch):
    import gongkai.batch

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
        yield

    monkeypatch.setattr(gongkai.batch, "_completed", interrupted)
    result = runner.invoke(main, ["extract", str(SAMPLES), "-o", str(tmp_path / "c.csv")])
    assert result.exit_code == 130
    assert not list(tmp_path.glob("*.csv"))  # only the journal, for --resume


def test_a_mixed_folder_gives_one_output_and_one_status_table(runner, tmp_path):
    folder = tmp_path / "crawl"
    folder.mkdir()
    for name in (
        "docx-city-2024-template.pdf",
        "docx-county-2021-long-prose.docx",
        "web-county-2022-gbk.html",
        "html-soffice-department-2022-web-page.html",
    ):
        shutil.copy(FIXTURES / name, folder / name)
    (folder / "notes.txt").write_text("not a report", encoding="utf-8")
    out = tmp_path / "all.csv"
    result = runner.invoke(main, ["extract", str(folder), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    files = pd.read_csv(tmp_path / "all.files.csv")
    assert sorted(Path(s).suffix for s in files["source"]) == [".docx", ".html", ".html", ".pdf"]
    assert (files["status"] == "ok").all()
    cells = pd.read_csv(out)
    assert cells["source"].nunique() == 4
    assert cells.groupby("source")["page"].apply(lambda p: p.notna().any()).sum() == 1  # only the PDF

    only_web = tmp_path / "web.csv"
    result = runner.invoke(main, ["extract", str(folder), "-o", str(only_web), "--input-kind", "html", "-q"])
    assert result.exit_code == 0, result.output
    assert sorted(Path(s).suffix for s in pd.read_csv(tmp_path / "web.files.csv")["source"]) == [".html"] * 2


@pytest.mark.parametrize("timeout", ["1e9", "nan", "-1"])
def test_an_impossible_timeout_is_a_usage_error(runner, tmp_path, timeout):
    out = tmp_path / "t.csv"
    result = runner.invoke(main, ["extract", str(SAMPLES), "-o", str(out), "--timeout", timeout])
    assert result.exit_code == 2
    assert not list(tmp_path.iterdir())


def _progress_line(width: int, total: int, elapsed: float = 10.0, done: int | None = None) -> str:
    """The progress display as a terminal `width` columns wide shows it, `elapsed` seconds into
    reading `total` files of which `done` (by default five eighths) are read."""
    import io

    from rich.console import Console

    from gongkai.cli import _progress

    console = Console(file=io.StringIO(), width=width, color_system=None)
    progress = _progress(total, True, console)
    progress.get_time = lambda: 1000.0 + elapsed  # a clock the test sets: the task starts at 1000
    done = total * 5 // 8 if done is None else done
    failed = total // 100
    counts = f"ok {done - failed} · partial 0 · failed {failed}"
    task = progress.add_task("read", total=total, counts=counts, failed=failed, start=False)
    progress.tasks[0].start_time = 1000.0
    progress.update(task, completed=done)
    console.print(progress.make_tasks_table(progress.tasks))
    return console.file.getvalue().rstrip("\n")


@pytest.mark.parametrize("total", [9, 200, 2000])
@pytest.mark.parametrize("width", [1, 5, 12, 16, 20, 24, 30, 40, 60, 80, 120])
def test_the_progress_bar_fits_the_terminal(width, total):
    line = _progress_line(width, total, elapsed=total * 5 // 8 / 123.4)
    # Never wrapped, never cut with an ellipsis, at any width.
    assert "\n" not in line and len(line) <= width and "…" not in line
    done = total * 5 // 8
    # A bar at any width, shortened on a narrow terminal; files done and failed where they fit.
    assert "━" in line or "╸" in line
    if width >= len(f"━━━ {done}/{total}"):
        assert f"{done}/{total}" in line
    if width >= len(f"━━━ {total}/{total} failed {total}"):  # room for the most failures
        assert f"failed {total // 100}" in line
    assert (line.count("━") >= done * 10 // total) or width < 40
    if width >= 80:
        assert "123.4" in line and "partial 0" in line
    if width >= 120:
        assert "reading" in line and "files/s" in line


@pytest.mark.parametrize("width", [40, 80, 120])
def test_the_bar_leaves_room_for_the_echo_of_ctrl_c(width):
    """Ctrl-C's `^C`, echoed by the terminal after a bar as wide as the terminal, wrapped onto a
    line of its own: the bar was drawn again there and left twice on the screen."""
    assert len(_progress_line(width, 200)) == width - 2
    assert _progress_line(width, 1, elapsed=4.0, done=0).rstrip()[1:] == " reading 0:00:04"  # no bar


def test_the_rate_and_time_left_follow_the_clock_between_files():
    # 125 of 200 files in 10 s: 12.5 files/s, 75 left: 6 s. Ten seconds on with no file done
    # (a slow scan), the rate has halved and the time left doubled, though no file ended.
    assert "12.5 files/s 0:00:06" in _progress_line(120, 200, elapsed=10.0)
    assert "6.2 files/s 0:00:12" in _progress_line(120, 200, elapsed=20.0)


@pytest.mark.parametrize("width", [1, 5, 12, 20, 80])
def test_one_file_shows_a_spinner_and_the_time_taken(width):
    line = _progress_line(width, 1, elapsed=4.0, done=0)
    assert "\n" not in line and len(line) <= width and "…" not in line
    assert line.strip()  # something turns while a scan is read
    if width >= 9:
        assert "0:00:04" in line
    if width >= 20:
        assert "reading" in line


def _on_a_terminal(arguments: list[str], cwd: Path, columns: int = 80) -> tuple[int, str]:
    """gongkai run with its stderr on a terminal `columns` wide (a pseudo-terminal): the exit
    status and what the terminal received."""
    import fcntl
    import pty
    import struct
    import subprocess
    import sys
    import termios

    from .conftest import ROOT

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env.update(PYTHONPATH=str(ROOT / "src"), TERM="xterm-256color")
    command = [sys.executable, "-m", "gongkai", *arguments]
    with subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=follower) as process:
        os.close(follower)
        received = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal's other end closed: the process has ended
                break
            if not chunk:
                break
            received += chunk
        status = process.wait()
    os.close(leader)
    return status, received.decode("utf-8", "replace")


@pytest.mark.parametrize("command", ["extract", "inspect"])
def test_one_file_read_on_a_terminal_shows_that_it_is_being_read(tmp_path, command):
    sample = SAMPLES / "guiling-township-2024.pdf"
    arguments = [command, str(sample)] + (["-o", str(tmp_path / "c.csv")] if command == "extract" else [])
    status, shown = _on_a_terminal(arguments, tmp_path)
    assert status == 0, shown
    assert "reading" in shown


def test_the_counts_show_from_the_first_drawing_so_the_bar_keeps_its_length():
    import io

    from rich.console import Console

    from gongkai.cli import _advance, _progress, _reading_task
    from gongkai.model import Status

    console = Console(file=io.StringIO(), width=80, color_system=None)
    progress = _progress(7, True, console)
    task = _reading_task(progress, 7)
    first = progress.make_tasks_table(progress.tasks)
    console.print(first)
    assert "ok 0 · partial 0 · failed 0" in console.file.getvalue()
    before = console.file.getvalue().index("0/7")
    _advance(progress, task, {Status.OK: 1, Status.PARTIAL: 0, Status.FAILED: 0})
    console.file = io.StringIO()
    console.print(progress.make_tasks_table(progress.tasks))
    assert console.file.getvalue().index("1/7") == before


@pytest.mark.parametrize("term", ["xterm", "xterm-256color"])
def test_a_finished_bar_is_not_drawn_in_the_grey_of_an_empty_one(term):
    """Under TERM=xterm (16 colours) rich's green for a finished bar came out as the grey of the
    bar's empty part (\x1b[90m): a run of 6/6 files looked as if none was read. In a process of its
    own: rich keeps a style's codes for the first colour system it is drawn in."""
    code = (
        "import io, re, sys\n"
        "from rich.console import Console\n"
        "from gongkai.cli import _progress, _reading_task\n"
        "term = {'TERM': sys.argv[1]}\n"
        "console = Console(file=io.StringIO(), width=60, force_terminal=True, _environ=term)\n"
        "progress = _progress(2, True, console)\n"
        "task = _reading_task(progress, 2)\n"
        "for done in (0, 1, 2):\n"
        "    progress.update(task, completed=done)\n"
        "    console.print(progress.make_tasks_table(progress.tasks))\n"
        "for line in console.file.getvalue().splitlines():\n"
        "    print(repr(re.findall(r'(\\x1b\\[[\\d;]+m)━', line)[0]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", code, term], env=env, capture_output=True, text=True, check=True
    )
    back, part, finished = done.stdout.splitlines()
    assert len({back, part, finished}) == 3, (back, part, finished)


def test_no_bar_is_drawn_on_a_terminal_that_cannot_redraw_a_line():
    """TERM=dumb: rich drew it once, full, as the run ended, then a blank line, under the line
    that says the same."""
    import io

    from rich.console import Console

    from gongkai.cli import _progress

    console = Console(file=io.StringIO(), width=60, force_terminal=True, _environ={"TERM": "dumb"})
    with _progress(6, True, console) as bar:
        assert bar is None
    assert console.file.getvalue() == ""


def test_a_usage_error_click_finds_is_one_line_in_gongkais_form(tmp_path):
    """A bad option value, an unknown option or command, a missing -o: one line on stderr,
    `gongkai: error: ...`, exit 2, as every other failure; not click's Usage/Try/Error block."""
    out = str(tmp_path / "x.csv")
    cases = [
        (["extract", str(SAMPLES), "-o", out, "--workers", "0"], "'--workers': 0 is not in the range"),
        (["extract", str(SAMPLES), "-o", out, "--timeout", "x"], "'--timeout'"),
        (["extract", str(SAMPLES), "-o", out, "--timeout", "nan"], "'--timeout': 'nan' is not a number"),
        (["summary", str(SAMPLES), "--timeout", "NaN"], "'--timeout': 'NaN' is not a number"),
        (["extract", str(SAMPLES), "-o", out, "--shape", "tall"], "'--shape'"),
        (["extract", str(SAMPLES), "-o", out, "--input-kind", "odt"], "'--input-kind'"),
        (["extract", str(SAMPLES), "-o", out, "--format", "xls"], "'--format'"),
        (["extract", str(SAMPLES)], "missing option '-o' / '--output'"),
        (["extract", str(SAMPLES), "-o", out, "--wrkers", "2"], "no such option"),
        (["summary"], "missing argument"),
        (["compare", str(SAMPLES), "-w", "-1"], "'--workers'"),
        (["no-such-command"], "no such command"),
    ]
    for arguments, says in cases:
        result = CliRunner().invoke(main, arguments)
        assert result.exit_code == 2, (arguments, result.output)
        assert result.stdout == "", arguments
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("gongkai: error: "), result.stderr
        assert says in lines[0] and "--help" in lines[0], lines[0]
    assert list(tmp_path.iterdir()) == []
    # Help is still help.
    assert CliRunner().invoke(main, ["extract", "--help"]).stdout.startswith("Usage:")


def test_the_readme_gives_summary_and_compare_the_exit_statuses_their_help_lists(tmp_path):
    """Both exit 1 when stdout or -o cannot be written (a full disk), as their --help says."""
    import re

    from .conftest import ROOT

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    said = re.search(r"`summary` and `compare` exit (.*?) \(see below\)", readme).group(1)
    for command in ("summary", "compare"):
        help_text = CliRunner().invoke(main, [command, "--help"]).stdout
        listed = re.findall(r"^\s+(\d+) ", help_text.split("Exit status:")[1], flags=re.MULTILINE)
        assert {f"`{code}`" for code in listed} - {"`130`"} == set(re.findall(r"`\d+`", said)), said
    if os.path.exists("/dev/full"):  # the truth: a full stdout is exit status 1
        with open("/dev/full", "w") as full:
            import subprocess
            import sys

            ran = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "gongkai",
                    "compare",
                    str(SAMPLES / "yunhu-district-2024.pdf"),
                    str(SAMPLES / "guiling-township-2024.pdf"),
                ],
                stdout=full,
                stderr=subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            )
        assert ran.returncode == 1 and b"cannot write to stdout" in ran.stderr


@pytest.mark.parametrize("columns", ["0", "-5", "wide", " "])
def test_a_columns_of_zero_or_garbage_is_as_unset_for_inspect_summary_and_compare(tmp_path, columns):
    """COLUMNS=0 made inspect and compare a width of 0 (rich's reading) and summary no limit:
    each command now prints what it prints without COLUMNS."""
    out = tmp_path / "c.csv"
    a, b = SAMPLES / "yunhu-district-2024.pdf", SAMPLES / "guiling-township-2024.pdf"
    assert CliRunner().invoke(main, ["extract", str(a), str(b), "-o", str(out), "-q"]).exit_code == 0
    printed = {}
    for arguments in (["inspect", str(a)], ["summary", str(out)], ["compare", str(a), str(b)]):
        expected = CliRunner(env={"COLUMNS": None}).invoke(main, arguments)
        result = CliRunner(env={"COLUMNS": columns}).invoke(main, arguments)
        assert (result.exit_code, expected.exit_code) == (0, 0), arguments
        assert result.stdout == expected.stdout, arguments
        printed[arguments[0]] = result.stdout
    assert CliRunner(env={"COLUMNS": "60"}).invoke(main, ["inspect", str(a)]).stdout != printed["inspect"]


def test_a_width_of_one_column_still_shows_every_chinese_character(tmp_path):
    """COLUMNS=1 printed the title's agency as blank lines: rich drops a character two columns
    wide that a width of one cannot hold. The narrowest width is one Chinese character's."""
    a, b = SAMPLES / "yunhu-district-2024.pdf", SAMPLES / "guiling-township-2024.pdf"
    for arguments, shown in (
        (["inspect", str(a)], ["云溪市云湖区人民政府", "第二十条第（一）项"]),
        (["compare", str(a), str(b)], ["行·列", "增减比例"]),
    ):
        result = CliRunner(env={"COLUMNS": "1"}).invoke(main, arguments)
        assert result.exit_code == 0, arguments
        text = "".join(result.stdout.split())
        assert all(words in text for words in shown), (arguments, text[:200])
    assert CliRunner(env={"COLUMNS": "1"}).invoke(main, ["inspect", str(a)]).stdout == (
        CliRunner(env={"COLUMNS": "2"}).invoke(main, ["inspect", str(a)]).stdout
    )


def test_a_workers_option_cut_to_the_cores_or_files_says_so(tmp_path, monkeypatch):
    """-w 200 on two cores reads with two, and one line says so; not when -w is not given,
    nor when it is within the cores and files, nor with -q."""
    from gongkai import pool

    monkeypatch.setattr(pool, "usable_cores", lambda: 2)
    paths = [str(SAMPLES / name) for name in ("yunhu-district-2024.pdf", "guiling-township-2024.pdf")]
    paths.append(str(SAMPLES / "jiangyuan-city-2021.pdf"))
    said = "gongkai: using 2 workers (2 cores)\n"
    for n, (options, line) in enumerate(
        [(["-w", "200"], said), ([], ""), (["-w", "2"], ""), (["-w", "200", "-q"], "")]
    ):
        result = CliRunner().invoke(main, ["extract", *paths, "-o", str(tmp_path / f"{n}.csv"), *options])
        assert result.exit_code == 0, result.output
        assert result.stderr.startswith(line)
        assert ("gongkai: using" in result.stderr) == bool(line), (options, result.stderr)
    one = CliRunner().invoke(main, ["extract", paths[0], "-o", str(tmp_path / "one.csv"), "-w", "4"])
    assert one.stderr.startswith("gongkai: using 1 worker (1 file to read)\n")
    summary = CliRunner().invoke(main, ["summary", *paths, "-w", "3"])
    assert summary.exit_code == 0 and summary.stderr.startswith(said)


def test_the_rate_keeps_its_width_however_fast_the_first_files_go():
    """The first file done in a millisecond is 1056.5 files/s: six characters, which shortened
    the bar by one as it was drawn (and made the test of its length fail on a fast machine)."""
    from gongkai.cli import _rate_text

    assert [_rate_text(r) for r in (0.04, 5, 123.45, 999.9, 999.97, 1056.5, 10**7)] == [
        "0.0",
        "5.0",
        "123.5",
        "999.9",
        "1000",
        "1056",
        "99999",
    ]
    assert all(len(_rate_text(r / 7)) <= 5 for r in range(0, 10**6, 997))


def test_an_empty_input_name_is_no_file_not_the_current_folder(tmp_path, monkeypatch):
    """`gongkai extract "$DIR" -o out.csv` with DIR unset read every report under the current
    folder (Path("") is Path(".")); it is refused as a path that does not exist, as inspect does."""
    shutil.copy(SAMPLES / "yunhu-district-2024.pdf", tmp_path / "a.pdf")
    monkeypatch.chdir(tmp_path)
    for arguments in (["extract", "", "-o", "out.csv"], ["summary", ""], ["inspect", ""]):
        result = CliRunner().invoke(main, arguments)
        assert result.exit_code == 2, (arguments, result.output)
        assert result.stderr == "gongkai: error: no such file or directory: ''\n", arguments
    assert not (tmp_path / "out.csv").exists()
    import gongkai

    with pytest.warns(gongkai.FailedReportsWarning):
        _, files = gongkai.read_reports([""], with_status=True)
    assert files["reason"].tolist() == ["no such file or directory: ''"]


def test_a_file_named_as_a_folder_is_no_file_to_every_command(tmp_path, monkeypatch):
    """`gongkai extract 'a.pdf/' -o out.csv` (a file named with a folder's '/', as a shell's
    completion may leave it) passed the check that every input exists (Path('a.pdf/') is
    Path('a.pdf')) and was read to a failed row, exit 1, where inspect refused it as no file;
    'c.journal.sqlite/' was "only files of outputs of extract". Each command refuses it in one
    line, exit 2, and the library's row says the same."""
    import gongkai

    shutil.copy(SAMPLES / "yunhu-district-2024.pdf", tmp_path / "a.pdf")
    (tmp_path / "c.journal.sqlite").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    for name in ("a.pdf/", "c.journal.sqlite/", "a.pdf/b.pdf"):
        said = f"not a directory: a file on the way to '{name}' is named as a folder"
        for arguments in (["extract", name, "-o", "out.csv"], ["summary", name], ["inspect", name]):
            result = CliRunner().invoke(main, arguments)
            assert (result.exit_code, result.stderr) == (2, f"gongkai: error: {said}\n"), arguments
        assert [report.reason for report in gongkai.iter_reports(name)] == [said]
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("command", ["extract", "summary"])
def test_a_message_above_the_bar_is_one_line_the_terminal_wraps(tmp_path, command):
    """A failed report's line printed above the progress bar, on a terminal narrower than it:
    one logical line (the terminal wraps it), not rich's line breaks inside the path."""
    bad = tmp_path / "a-long-folder-name" / "not-really-a-report.pdf"
    bad.parent.mkdir()
    bad.write_bytes(b"x")
    arguments = [command, str(SAMPLES / "guiling-township-2024.pdf"), str(bad)]
    if command == "extract":
        arguments += ["-o", str(tmp_path / "c.csv")]
    status, shown = _on_a_terminal(arguments, tmp_path, columns=25)
    assert status in (0, 1), shown
    assert f"gongkai: failed: {bad}: " in shown, shown


def test_every_usage_error_points_to_the_help_of_the_command_given(tmp_path):
    """An option left without its value names the command's help as every other usage error
    does (the program as run, and the command), not the program's alone."""
    out = str(tmp_path / "x.csv")
    cases = [
        (["extract", str(SAMPLES), "-o"], "extract"),
        (["extract", str(SAMPLES), "-o", out, "--timeout"], "extract"),
        (["compare", "--agency"], "compare"),
        (["summary", str(SAMPLES), "-w"], "summary"),
        (["inspect", "--png"], "inspect"),
        (["extract", str(SAMPLES), "-o", out, "--workers", "0"], "extract"),
        (["extract", str(SAMPLES)], "extract"),
    ]
    for arguments, command in cases:
        result = CliRunner().invoke(main, arguments, prog_name="gongkai")
        assert result.exit_code == 2, (arguments, result.output)
        assert result.stderr.endswith(f"; see 'gongkai {command} --help'\n"), (arguments, result.stderr)
    result = CliRunner().invoke(main, ["--version", "x"], prog_name="gongkai")
    assert result.exit_code == 0  # --version answers before any argument is looked at
    result = CliRunner().invoke(main, ["no-such-command"], prog_name="gongkai")
    assert result.stderr.endswith("; see 'gongkai --help'\n"), result.stderr


def test_option_choices_take_any_case_as_the_extension_does(tmp_path):
    """`-o u.CSV` is CSV: `--format CSV` is too, and so `--shape WIDE`, `--input-kind PDF`."""
    report = str(FIXTURES / "docx-city-2024-template.pdf")
    out = tmp_path / "u.CSV"
    options = ["--format", "CSV", "--shape", "Wide", "--input-kind", "PDF"]
    result = CliRunner().invoke(main, ["extract", report, "-o", str(out), *options])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(out)) == 1  # wide: one row per report
    result = CliRunner().invoke(main, ["extract", report, "-o", "-", "--format", "JSONL", "-q"])
    assert result.exit_code == 0 and json.loads(result.stdout.splitlines()[0])["source"] == report
    out = str(tmp_path / "c.csv")
    result = CliRunner().invoke(main, ["extract", report, "-o", out, "--format", "PARQUET"])
    assert result.exit_code == 2 and "--format parquet contradicts the extension" in result.stderr


def test_inspect_of_a_file_a_run_writes_is_a_usage_error_that_says_what_it_is(tmp_path):
    """`inspect out/cells.journal.sqlite` (or a run's table, its output, a link to its journal)
    said 'failed: not a PDF file', exit status 1, where every other command says what the file is,
    exit status 2, before any reading."""
    out = tmp_path / "out" / "cells.csv"
    report = str(SAMPLES / "guiling-township-2024.pdf")
    assert CliRunner().invoke(main, ["extract", report, "-o", str(out)]).exit_code == 0
    (tmp_path / "x.pdf").symlink_to(out.with_name("cells.journal.sqlite"))
    cases = {
        "cells.journal.sqlite": "is the journal of a run of extract",
        "cells.files.csv": "is the per-file status table of an output of extract",
        "cells.csv": "is an output of extract, not a report",
        "../x.pdf": "is the journal of a run of extract",
    }
    for name, says in cases.items():
        result = CliRunner().invoke(main, ["inspect", str(out.parent / name)])
        assert result.exit_code == 2, (name, result.output)
        assert result.stderr.startswith("gongkai: error: ") and says in result.stderr, result.stderr
        assert result.stderr.count("\n") == 1
    assert CliRunner().invoke(main, ["inspect", report]).exit_code == 0


def _closing(*descriptors: int):
    def close() -> None:
        for descriptor in descriptors:
            os.close(descriptor)

    return close


@pytest.mark.parametrize(
    ("closed", "arguments", "status"),
    [
        ((2,), ["extract", "SAMPLE", "-o", "OUT"], 0),  # was 1, and no output at all
        ((1, 2), ["extract", "SAMPLE", "-o", "OUT"], 0),
        ((1,), ["extract", "SAMPLE", "-o", "OUT"], 0),
        ((1,), ["extract", "SAMPLE", "-o", "-"], 141),  # was a traceback
        ((1,), ["inspect", "SAMPLE"], 141),  # was a traceback
        ((2,), ["extract", "nosuch.pdf", "-o", "OUT"], 2),
    ],
)
def test_a_stream_closed_when_the_command_starts_gives_no_traceback(tmp_path, closed, arguments, status):
    """`2>&-` or `>&-`: Python makes the stream None. stderr closed, a run said nothing and wrote
    nothing, exit 1; stdout closed, the first record or table printed was a traceback. Now a
    closed stderr drops the messages and a closed stdout is one closed by its reader."""
    out = tmp_path / "out" / "cells.csv"
    sample = str(SAMPLES / "guiling-township-2024.pdf")
    given = [{"SAMPLE": sample, "OUT": str(out)}.get(word, word) for word in arguments]
    log = tmp_path / "stderr"
    with open(log, "w") as stderr:
        done = subprocess.run(
            [sys.executable, "-m", "gongkai", *given],
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            stdin=subprocess.DEVNULL,
            stderr=stderr,
            preexec_fn=_closing(*closed),
            timeout=120,
        )
    assert done.returncode == status
    assert "Traceback" not in log.read_text()
    if "OUT" in arguments and status == 0:
        assert len(pd.read_csv(out)) == 200


@pytest.mark.parametrize("arguments", [["--help"], ["--version"], ["extract", "--help"]])
def test_help_and_version_into_a_closed_pipe_end_as_a_command_does(arguments):
    """`gongkai --help | head` with the reader gone: click ended it with exit status 1 (a failure
    to `set -o pipefail`), where every command ends with 141, the status of a tool ended by SIGPIPE."""
    unread, end = os.pipe()
    os.close(unread)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "gongkai", *arguments],
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            stdout=end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(end)
    assert (done.returncode, done.stderr) == (141, "")
