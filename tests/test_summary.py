"""gongkai summary: what a batch holds, from its reports or from an earlier output."""

from __future__ import annotations

import contextlib
import os
import re
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

import gongkai
from gongkai import batch
from gongkai.cli import main

from .conftest import BAD_INPUTS, BROKEN_SAMPLE, SAMPLES


def _batch(tmp_path, partial_pdf):
    """The samples, a copy of one (identical file, duplicate agency-year), a partial and a bad file."""
    folder = tmp_path / "batch"
    shutil.copytree(SAMPLES, folder)
    shutil.copy(BROKEN_SAMPLE, folder / "copy-of-yunhu.pdf")
    shutil.copy(partial_pdf, folder / "partial.pdf")
    shutil.copy(BAD_INPUTS / "not-a-pdf.pdf", folder / "not-a-pdf.pdf")
    return folder


def test_summary_of_a_batch(tmp_path, partial_pdf):
    folder = _batch(tmp_path, partial_pdf)
    summary = gongkai.summarize_reports(gongkai.iter_reports(folder))
    by_status = summary.by_status.set_index("status")
    assert by_status.loc["ok", "total"] == 7
    assert by_status.loc["partial", "total"] == 1 and by_status.loc["failed", "total"] == 1
    assert by_status.loc["total", "total"] == 9
    assert summary.by_form.set_index("form").loc["2021", "total"] == 8
    matrix = summary.matrix.set_index("agency_key")
    assert matrix.loc["云湖区人民政府", "2024"] == "3"  # the sample, its copy and the partial read
    assert matrix.loc["桂岭乡人民政府", "2024"] == "●"
    duplicate = summary.duplicates.set_index("agency_key").loc["云湖区人民政府"]
    assert duplicate["year"] == 2024 and duplicate["reports"] == 3
    assert summary.identical["reports"].tolist() == [2]
    assert "copy-of-yunhu.pdf" in summary.identical["sources"].iloc[0]
    broken = summary.broken.set_index("source")
    assert (
        "applications_balance (自然人): 390 ≠ 391" in broken.loc[str(folder / "copy-of-yunhu.pdf"), "rules"]
    )
    assert str(folder / "jiangyuan-city-2021.pdf") in broken.index
    missing = summary.missing.set_index("row_id").loc["review_litigation"]
    assert missing["reports"] == 1 and missing["cells"] == 15 and "table 四 not found" in missing["reasons"]
    text = summary.to_text()
    for title in (
        "by status and year",
        "Agencies × years",
        "more than one report",
        "Identical files",
        "break their own arithmetic",
        "most often missing",
    ):
        assert title in text


def test_summary_from_an_output_equals_the_summary_from_the_reports(tmp_path, partial_pdf):
    folder = _batch(tmp_path, partial_pdf)
    runner = CliRunner()
    assert (
        runner.invoke(main, ["extract", str(folder), "-o", str(tmp_path / "out" / "cells.parquet")]).exit_code
        == 1
    )
    from_output = runner.invoke(
        main, ["summary", str(tmp_path / "out" / "cells.parquet"), "-o", str(tmp_path / "s.xlsx")]
    )
    from_reports = runner.invoke(main, ["summary", str(folder), "-o", str(tmp_path / "s.txt")])
    assert from_output.exit_code == 0 and from_reports.exit_code == 0, from_output.output
    assert from_output.stdout == from_reports.stdout
    assert (tmp_path / "s.txt").read_text(encoding="utf-8") in from_reports.stdout
    sheets = pd.read_excel(tmp_path / "s.xlsx", sheet_name=None)
    assert list(sheets) == [
        "按状态",
        "按格式",
        "机关×年度",
        "重复的机关年度",
        "相同的文件",
        "不合勾稽关系",
        "最常缺的行",
    ]
    assert len(sheets["不合勾稽关系"]) == 4  # jiangyuan, yunhu, its copy and its partial read
    forms = sheets["按格式"]["格式版本"].tolist()  # under the workbook's Chinese headers
    assert 2021 in forms and "2021" not in forms  # numbers as numbers
    # The totals row in Chinese, as the totals column's header (合计) is; the text keeps "total".
    for name in ("按状态", "按格式"):
        assert sheets[name].iloc[-1, 0] == "合计" and sheets[name].columns[-1] == "合计", name
        assert "total" not in sheets[name].iloc[:, 0].tolist()
    assert "\ntotal " in from_output.stdout
    from openpyxl import load_workbook

    for sheet in load_workbook(tmp_path / "s.xlsx").worksheets:  # set up to print as the workbook's
        assert sheet.freeze_panes == "A2" and sheet.print_title_rows == "$1:$1"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
        assert all(sheet.column_dimensions[c.column_letter].width for c in sheet[1])
    broken = load_workbook(tmp_path / "s.xlsx")["不合勾稽关系"]
    assert all(row[3].alignment.wrap_text for row in broken.iter_rows(min_row=2))  # not cut off on paper
    assert [c.value for c in broken[1]] == [
        "来源文件",
        "机关",
        "年度",
        "未通过的规则",
    ]


def test_summary_refuses_a_wide_output(tmp_path):
    runner = CliRunner()
    out = tmp_path / "w.csv"
    assert (
        runner.invoke(main, ["extract", str(BROKEN_SAMPLE), "-o", str(out), "--shape", "wide"]).exit_code == 0
    )
    result = runner.invoke(main, ["summary", str(out)])
    assert result.exit_code == 2 and "wide" in result.output


def test_a_missing_input_is_a_usage_error_found_before_any_reading(tmp_path):
    runner = CliRunner()
    for command in ("summary", "compare"):
        for missing in (str(tmp_path / "nothing-here"), str(tmp_path / "none-*.pdf")):
            # The sample is named first: were it read before the check, it would say so.
            result = runner.invoke(main, [command, str(BROKEN_SAMPLE), missing])
            assert result.exit_code == 2, (command, result.output)
            assert result.output.strip().splitlines() == [result.output.strip()]
            assert result.output.startswith("gongkai: error: ") and missing in result.output


def test_summary_of_an_output_checks_its_o_against_every_file_of_that_output(tmp_path, monkeypatch):
    """The files of an earlier output are those batch.own_files lists, as extract skips them."""
    from gongkai import cli

    out = tmp_path / "cells.csv"
    assert (
        CliRunner()
        .invoke(main, ["extract", str(SAMPLES / "guiling-township-2024.pdf"), "-o", str(out)])
        .exit_code
        == 0
    )
    listed = []

    def own_files(output):
        listed.append(output)
        return batch_own_files(output)

    batch_own_files = cli.own_files
    monkeypatch.setattr(cli, "own_files", own_files)
    result = CliRunner().invoke(main, ["summary", str(out), "-o", str(tmp_path / "cells.files.csv")])
    assert (
        result.exit_code == 2 and "names ending in .files.csv are the files beside an output" in result.stderr
    )
    os.link(out.with_name("cells.checks.csv"), tmp_path / "checks.txt")
    result = CliRunner().invoke(main, ["summary", str(out), "-o", str(tmp_path / "checks.txt")])
    assert result.exit_code == 2 and f"it is the input '{tmp_path / 'cells.checks.csv'}'" in result.stderr
    assert listed == [str(out), str(out)]


def test_the_printed_summary_fits_the_terminal_width(tmp_path):
    # Widths in terminal columns (CJK two wide): every line within COLUMNS, every column still
    # there (a first column of words was squeezed to nothing), the numbers whole.
    from rich.cells import cell_len

    out = tmp_path / "c.csv"
    assert CliRunner().invoke(main, ["extract", str(SAMPLES), "-o", str(out)]).exit_code == 0
    wide = CliRunner().invoke(main, ["summary", str(out)]).stdout
    assert (
        max(cell_len(line) for line in wide.splitlines()) > 100
    )  # off a terminal, without COLUMNS: one line a row
    for columns in (40, 60, 80):
        result = CliRunner(env={"COLUMNS": str(columns)}).invoke(main, ["summary", str(out)])
        assert result.exit_code == 0
        lines = result.stdout.splitlines()
        assert max(cell_len(line) for line in lines) <= columns, columns
        assert any(line.split()[:2] == ["status", "2021"] for line in lines if line.strip())
        # Folded at spaces, never within a number.
        assert {"1184", "1185", "1339", "1340"} <= set(re.findall(r"\d+", result.stdout))


def test_summary_and_compare_of_an_output_with_other_inputs_is_a_usage_error(tmp_path, monkeypatch):
    """summary reads one output of extract, or reports: two outputs (or an output and a report)
    are a usage error before any reading, not reports that fail as 'not a PDF file'."""
    from gongkai import cli

    (tmp_path / "cells.csv").write_text("source\n", encoding="utf-8")
    (tmp_path / "cells.parquet").write_bytes(b"PAR1")
    monkeypatch.setattr(cli, "iter_reports", lambda *a, **k: pytest.fail("read reports"))
    for command, inputs in [
        ("summary", ["cells.csv", "cells.parquet"]),
        ("summary", ["cells.csv", str(BROKEN_SAMPLE)]),
        ("compare", ["cells.csv", "cells.parquet"]),
    ]:
        paths = [str(tmp_path / p) if not os.path.isabs(p) else p for p in inputs]
        result = CliRunner().invoke(main, [command, *paths])
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr.splitlines() == [result.stderr.strip()]
        assert result.stderr.startswith("gongkai: error: ") and "one output" in result.stderr


def test_an_o_that_is_the_input_is_refused_without_advice_that_does_not_apply(tmp_path):
    """summary cells.csv -o cells.csv is refused; the advice extract gives (quote 'DIR/*' and it
    skips its own files) is not summary's: summary does not skip them."""
    out = tmp_path / "cells.csv"
    sample = str(SAMPLES / "guiling-township-2024.pdf")
    assert CliRunner().invoke(main, ["extract", sample, "-o", str(out)]).exit_code == 0
    for command in ("summary", "compare"):
        result = CliRunner().invoke(main, [command, str(out), "-o", str(out)])
        assert result.exit_code == 2
        assert result.stderr == f"gongkai: error: cannot write '{out}': it is the input '{out}'\n"


@pytest.mark.parametrize(
    "arguments",
    [
        ["summary", str(SAMPLES / "yunhu-district-2024.pdf")],
        ["compare", str(SAMPLES / "yunhu-district-2024.pdf"), str(SAMPLES / "guiling-township-2024.pdf")],
    ],
)
def test_an_empty_output_name_is_a_usage_error_as_extracts(tmp_path, monkeypatch, arguments):
    """`-o ''` (an unset "$OUT") is refused before any reading, in one line, exit 2: not a
    summary or comparison printed and nothing written, as if no -o had been given."""
    monkeypatch.chdir(tmp_path)
    extracts = CliRunner().invoke(main, ["extract", arguments[1], "-o", ""]).stderr.strip()
    assert extracts.startswith("gongkai: error: ''")
    result = CliRunner().invoke(main, [*arguments, "-o", ""])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0] == extracts, result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_the_files_beside_a_wide_output_say_to_give_the_reports(tmp_path, monkeypatch, fmt):
    """`summary w.files.csv` beside a --shape wide w.csv said "give its output instead, 'w.csv'",
    which summary then refused: a wide output is not read back, as a workbook is not; a stray
    file of the output's name that holds no cells output (empty) is none either."""
    from gongkai import cli

    monkeypatch.chdir(tmp_path)
    report = str(SAMPLES / "guiling-township-2024.pdf")
    assert CliRunner().invoke(main, ["extract", report, "-o", f"w.{fmt}", "--shape", "wide"]).exit_code == 0
    monkeypatch.setattr(cli, "iter_reports", lambda *a, **k: pytest.fail("read reports"))
    for name in ("w.files.csv", "w.checks.csv", "w.journal.sqlite"):
        result = CliRunner().invoke(main, ["summary", name])
        assert result.exit_code == 2, result.output
        assert result.stderr.endswith(
            f"give the reports (its output, 'w.{fmt}', is a --shape wide output, not read back)\n"
        ), result.stderr
    assert CliRunner().invoke(main, ["extract", report, "-o", "long.csv"]).exit_code == 0
    (tmp_path / "long.jsonl").write_text("")  # no output: only long.csv is named
    result = CliRunner().invoke(main, ["summary", "long.files.csv"])
    assert result.stderr.endswith("give its output instead, 'long.csv'\n"), result.stderr


def test_a_journal_names_the_output_its_run_records(tmp_path, monkeypatch):
    """The journal of a workbook run whose workbook is gone said to give 'book 本.csv, .parquet
    or .jsonl' (none is there yet), and a stray empty book 本.csv was then named as its output;
    of a run still writing 年 报.parquet it listed three guesses. The journal records what its
    run writes: that is named, quoted; a journal that records none lists the names, quoted."""
    import sqlite3

    from gongkai import cli
    from gongkai.batch import Batch

    monkeypatch.chdir(tmp_path)
    shutil.copy(SAMPLES / "guiling-township-2024.pdf", "a.pdf")
    assert CliRunner().invoke(main, ["extract", "a.pdf", "-o", "book 本.xlsx"]).exit_code == 0
    monkeypatch.setattr(cli, "iter_reports", lambda *a, **k: pytest.fail("read reports"))
    os.remove("book 本.xlsx")
    (tmp_path / "book 本.csv").write_text("")

    def said(name: str) -> str:
        result = CliRunner().invoke(main, ["summary", name])
        assert result.exit_code == 2, result.output
        return result.stderr.strip().split(": ", 3)[-1]

    assert (
        said("book 本.journal.sqlite")
        == "give the reports (its output, 'book 本.xlsx', is a workbook, not read back)"
    )
    with Batch(["a.pdf"], "年 报.parquet", None):  # a run that has not written its output yet
        assert said("年 报.journal.sqlite") == (
            "give its output, '年 报.parquet', once it is there (a run writes it when every file is read), "
            "or the reports"
        )
        assert not (tmp_path / "年 报.parquet").exists()
    with contextlib.closing(sqlite3.connect("book 本.journal.sqlite")) as db, db:  # as an earlier version's
        db.execute("DELETE FROM meta WHERE key = 'output'")
    assert said("book 本.journal.sqlite") == (
        "give its output (none is there yet: 'book 本.csv', 'book 本.parquet', 'book 本.jsonl'), "
        "or the reports"
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "a.pdf",
        "book 本.csv",
        "book 本.journal.sqlite",
    ]


def test_a_file_of_a_run_is_told_by_its_content_where_its_name_does_not_say(tmp_path, monkeypatch):
    """The check went by name only: a real PDF named rep.files.csv was refused (extract reads it
    by its content); a link link.csv to a status table, or a copy c.Files.csv, was 'a --shape
    wide output'; jl.db, a link to a journal, was read as a report (failed, exit 0). A report's
    content is a report whatever its name; a journal and the tables are told by their content."""
    from gongkai import cli

    monkeypatch.chdir(tmp_path)
    shutil.copy(SAMPLES / "guiling-township-2024.pdf", "a.pdf")
    assert CliRunner().invoke(main, ["extract", "a.pdf", "-o", "c.csv"]).exit_code == 0
    shutil.copy("a.pdf", "rep.files.csv")
    result = CliRunner().invoke(main, ["summary", "rep.files.csv"])
    assert result.exit_code == 0 and "ok          1" in result.stdout, result.output
    os.symlink("c.files.csv", "link.csv")
    os.symlink("c.journal.sqlite", "jl.db")
    shutil.copy("c.files.csv", "c.Files.csv")
    shutil.copy("c.checks.csv", "ch.csv")
    monkeypatch.setattr(cli, "iter_reports", lambda *a, **k: pytest.fail("read reports"))
    said = {
        "link.csv": "is the per-file status table of an output of extract, not the output itself: "
        "give its output instead, 'c.csv'",
        "c.Files.csv": "is the per-file status table of an output of extract, not the output itself: "
        "give its output instead, 'c.csv'",
        "jl.db": "is the journal of a run of extract, neither a report nor an output: "
        "give its output instead, 'c.csv'",
        "ch.csv": "is the checks table of an output of extract, not the output itself: "
        "give the output of extract it was written beside, or the reports",
    }
    for name, says in said.items():
        result = CliRunner().invoke(main, ["summary", name])
        assert result.exit_code == 2, result.output
        assert result.stderr == f"gongkai: error: '{name}' {says}\n"
    # A pattern skips them as it skips the files named as such; the PDF it reads.
    assert batch.runs_file("rep.files.csv") is None and batch.written_by_a_run("jl.db")
    assert sorted(path.name for path in tmp_path.glob("*-[ws][ah][lm]")) == []  # no -wal, -shm left


def _an_output_and_a_folder_beside(tmp_path, monkeypatch):
    """A sample report, the folder `live` holding its output c.csv (extract's, its tables and
    journal beside it), and an empty folder `n` beside it for links; reading a report now fails
    the test: the inputs are refused before any reading."""
    from gongkai import cli

    live, elsewhere = tmp_path / "live", tmp_path / "n"
    elsewhere.mkdir()
    report = str(SAMPLES / "guiling-township-2024.pdf")
    assert CliRunner().invoke(main, ["extract", report, "-o", str(live / "c.csv")]).exit_code == 0
    monkeypatch.setattr(cli, "iter_reports", lambda *a, **k: pytest.fail("read reports"))
    return report, live, elsewhere


def test_the_output_named_through_a_link_is_in_the_form_the_link_was_given(tmp_path, monkeypatch):
    """Through a link into another folder, the output to give was said relative to the current
    folder through the link's target ('../../tmp/cold24b/scan.csv'), even of a link given as an
    absolute path: it is said beside the link where the link is beside its target, else absolute."""
    _, live, elsewhere = _an_output_and_a_folder_beside(tmp_path, monkeypatch)
    os.symlink(live / "c.journal.sqlite", elsewhere / "jl")
    os.symlink("c.journal.sqlite", live / "jl2")
    monkeypatch.chdir(elsewhere)
    cases = {
        "jl": f"'{live / 'c.csv'}'",
        str(elsewhere / "jl"): f"'{live / 'c.csv'}'",
        "../live/jl2": "'../live/c.csv'",
    }
    for name, output in cases.items():
        result = CliRunner().invoke(main, ["summary", name])
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            f"gongkai: error: '{name}' is the journal of a run of extract, neither a report nor an output: "
            f"give its output instead, {output}\n"
        )


def test_a_link_to_a_file_of_a_run_is_told_by_its_target_s_name(tmp_path, monkeypatch):
    """A link to a live run's lock, -wal, -shm or .partial file was read as a report: `summary
    lk` said "failed: not a PDF file", exit 0, extract exited 1, compare said only "give two
    readable reports"; a link to an output was read as a report by extract. A link is told by
    its target's name too: refused, exit 2, in one line that names the output."""
    from gongkai.batch import Batch

    report, live, elsewhere = _an_output_and_a_folder_beside(tmp_path, monkeypatch)
    monkeypatch.chdir(elsewhere)
    with Batch([report], str(live / "l.csv"), None):  # a run that holds its lock and writes its journal
        (live / ".l.csv.partial").write_text("row_id\n")
        targets = {
            "lk": ("l.journal.lock", "is the lock file of a run of extract, not a report"),
            "wal": ("l.journal.sqlite-wal", "is a file of the journal of a run of extract, not a report"),
            "shm": ("l.journal.sqlite-shm", "is a file of the journal of a run of extract, not a report"),
            "part": (
                ".l.csv.partial",
                f"is the file '{live / 'l.csv'}' while a run of extract writes it, not a report",
            ),
        }
        for name, (target, says) in targets.items():
            os.symlink(live / target, name)
            later = f"give its output, '{live / 'l.csv'}', once it is there"
            for command, args, then in [
                ("summary", [name], later),
                ("compare", [name, report], later),
                ("extract", [name, "-o", "x.csv"], "give the reports"),
            ]:
                result = CliRunner().invoke(main, [command, *args])
                assert result.exit_code == 2, (command, name, result.output)
                assert result.stderr.startswith(f"gongkai: error: '{name}' {says}: {then}"), result.stderr
        # A pattern skips them, as it skips the files they lead to.
        assert batch.without_runs_files(["lk", "wal", "part", report])[0] == [report]
    os.symlink(live / "c.csv", "out.csv")
    result = CliRunner().invoke(main, ["extract", "out.csv", "-o", "x.csv"])
    assert result.exit_code == 2
    assert (
        result.stderr == "gongkai: error: 'out.csv' is an output of extract, not a report: give the reports\n"
    )
    assert not os.path.exists("x.csv")


def test_a_link_named_as_a_report_to_a_file_of_a_run_is_told_by_its_target(tmp_path, monkeypatch):
    """A link whose own name is a report's counted as a report, wherever it led: `extract x.pdf`
    (x.pdf -> a run's journal) read the journal (failed, exit 1), and a folder or pattern read
    the lock a link named z.html leads to. A link is the file it leads to: refused named, skipped
    found, in the words of its target; a link named as a report to a report is read."""
    report, live, elsewhere = _an_output_and_a_folder_beside(tmp_path, monkeypatch)
    (live / "c.journal.lock").write_text("")
    shutil.copy(report, live / "blob")  # a report under a name that is no report's
    links = {
        "x.pdf": ("c.journal.sqlite", "is the journal of a run of extract, neither a report nor an output"),
        "z.html": ("c.journal.lock", "is the lock file of a run of extract, not a report"),
        "t.docx": ("c.checks.csv", "is the checks table of an output of extract, not the output itself"),
        "o.pdf": ("c.csv", "is an output of extract, not a report"),
    }
    targets = {name: target for name, (target, _) in links.items()} | {"r.pdf": report, "b.pdf": "blob"}
    for name, target in targets.items():
        os.symlink(live / target, elsewhere / name)
    monkeypatch.chdir(elsewhere)
    for name, (_, says) in links.items():
        result = CliRunner().invoke(main, ["extract", name, "-o", "x.csv"])
        assert result.exit_code == 2, (name, result.output)
        assert result.stderr == f"gongkai: error: '{name}' {says}: give the reports\n"
        assert batch.written_by_a_run(name)
    result = CliRunner().invoke(main, ["summary", "x.pdf"])
    assert result.exit_code == 2 and result.stderr.endswith(f"give its output instead, '{live / 'c.csv'}'\n")
    result = CliRunner().invoke(main, ["summary", "o.pdf"])
    assert result.exit_code == 2 and f"give its target instead, '{live / 'c.csv'}'" in result.stderr
    assert not batch.written_by_a_run("r.pdf") and not batch.written_by_a_run("b.pdf")
    # A folder and a pattern skip them, and read the links to the reports.
    for inputs in (["."], ["*"]):
        assert batch.expand_inputs(inputs) == ["b.pdf", "r.pdf"], inputs
    assert not os.path.exists("x.csv")


def test_a_link_to_an_output_names_its_target_whose_tables_are_beside_it(tmp_path, monkeypatch):
    """`summary n/outlink.csv`, a link to an output in another folder, said "n/outlink.files.csv
    is missing" though the tables sit beside its target: the target is named, to give instead
    (and by a pattern that finds only the link). A link beside which its tables are is read."""
    report, live, elsewhere = _an_output_and_a_folder_beside(tmp_path, monkeypatch)
    os.symlink(live / "c.csv", elsewhere / "outlink.csv")
    monkeypatch.chdir(elsewhere)
    says = (
        "'outlink.csv' is a link to an output of extract, whose tables are beside its target, "
        f"not beside the link: give its target instead, '{live / 'c.csv'}'"
    )
    for command in (["summary", "outlink.csv"], ["compare", "outlink.csv", report]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2, result.output
        assert result.stderr == f"gongkai: error: {says}\n"
    result = CliRunner().invoke(main, ["summary", "out*"])
    assert result.exit_code == 2
    assert result.stderr.endswith(f"to read an output back, give it alone: '{live / 'c.csv'}'\n")
    for kind in ("files", "checks"):
        os.symlink(live / f"c.{kind}.csv", f"outlink.{kind}.csv")
    result = CliRunner().invoke(main, ["summary", "outlink.csv"])
    assert result.exit_code == 0 and "ok          1" in result.stdout, result.output


def test_a_file_a_run_writes_beside_its_output_is_a_usage_error_naming_the_output(tmp_path, monkeypatch):
    """`summary m/c.journal.sqlite` read the journal as a report (a failed row, exit 0), and
    `summary m/c.files.csv` said it was a wide output: each names the output to give instead."""
    from gongkai import cli

    out = tmp_path / "m" / "c.csv"
    report = str(SAMPLES / "guiling-township-2024.pdf")
    assert CliRunner().invoke(main, ["extract", report, "-o", str(out)]).exit_code == 0
    monkeypatch.setattr(cli, "iter_reports", lambda *a, **k: pytest.fail("read reports"))
    lock = out.with_name("c.journal.lock")
    lock.write_text("1\n", encoding="utf-8")
    cases = [
        ("summary", ["c.journal.sqlite"], "is the journal of a run of extract"),
        ("summary", ["c.files.csv"], "is the per-file status table of an output of extract"),
        ("summary", ["c.checks.csv"], "is the checks table of an output of extract"),
        ("summary", ["c.journal.lock"], "is the lock file of a run of extract"),
        ("compare", ["c.journal.sqlite", report], "is the journal of a run of extract"),
    ]
    for command, names, says in cases:
        paths = [str(out.with_name(name)) if "/" not in name else name for name in names]
        result = CliRunner().invoke(main, [command, *paths])
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr.splitlines() == [result.stderr.strip()]
        assert says in result.stderr and f"give its output instead, '{out}'" in result.stderr, result.stderr
    # A journal whose run has not written its output yet: what the output will be called.
    out.unlink()
    result = CliRunner().invoke(main, ["summary", str(out.with_name("c.journal.sqlite"))])
    assert result.exit_code == 2
    assert f"give its output, '{out}', once it is there (a run writes it" in result.stderr
    # Of a workbook, which is not read back: the reports.
    book = out.with_name("b.xlsx")
    assert CliRunner().invoke(main, ["extract", report, "-o", str(book)]).exit_code == 0
    result = CliRunner().invoke(main, ["summary", str(book.with_name("b.journal.sqlite"))])
    assert result.exit_code == 2 and f"give the reports (its output, '{book}', is a workbook" in result.stderr


def test_a_table_or_lock_named_where_the_journal_is_gone_leaves_no_empty_journal(tmp_path, monkeypatch):
    """`summary m/c.files.csv` after the journal was deleted (as the README says to, once done)
    looked in the journal for the output's name and so created an empty `c.journal.sqlite` (SQLite
    creates a missing file it is asked to open, even immutable): a refused command wrote a file
    that the next `'m/*'` then skipped as a journal."""
    out = tmp_path / "m" / "c.csv"
    report = str(SAMPLES / "guiling-township-2024.pdf")
    assert CliRunner().invoke(main, ["extract", report, "-o", str(out)]).exit_code == 0
    journal = out.with_name("c.journal.sqlite")
    journal.unlink()
    out.with_name("c.journal.lock").write_text("1\n", encoding="utf-8")
    before = sorted(p.name for p in out.parent.iterdir())
    o = ["-o", str(tmp_path / "o" / "x.csv")]
    cases = [
        ("summary", "c.files.csv", []),
        ("summary", "c.journal.lock", []),
        ("extract", "c.checks.csv", o),
    ]
    for command, name, rest in cases:
        arguments = [command, str(out.with_name(name)), *rest]
        result = CliRunner().invoke(main, arguments)
        assert result.exit_code == 2, (name, result.output)
        assert sorted(p.name for p in out.parent.iterdir()) == before, name
    assert not journal.exists() and not (tmp_path / "o").exists()


def test_a_missing_input_is_said_first_and_a_comparison_is_no_output_to_read(tmp_path, monkeypatch):
    """`compare nosuch.pdf c.csv` said "'c.csv': give one output of extract alone", as it did of a
    missing -wal: a path that is not there is said first, as for a single input. `summary
    yoy.csv` of a compare output said "yoy.files.csv is missing: it is written beside the cells
    by gongkai extract": it is a compare output, told by its header row, which is not read."""
    from gongkai import cli

    monkeypatch.chdir(tmp_path)
    shutil.copy(SAMPLES / "guiling-township-2024.pdf", "a.pdf")
    shutil.copy(SAMPLES / "huaichuan-market-2023.pdf", "b.pdf")
    assert CliRunner().invoke(main, ["extract", "a.pdf", "-o", "c.csv"]).exit_code == 0
    assert CliRunner().invoke(main, ["compare", "a.pdf", "b.pdf", "-o", "yoy.csv"]).exit_code == 0
    monkeypatch.setattr(cli, "iter_reports", lambda *a, **k: pytest.fail("read reports"))
    cases = [
        (["compare", "nosuch.pdf", "c.csv"], "no such file or directory: 'nosuch.pdf'"),
        (["compare", "c.csv", "c.journal.sqlite-wal"], "no such file or directory: 'c.journal.sqlite-wal'"),
        (
            ["extract", "nosuch.pdf", "c.journal.sqlite", "-o", "x.csv"],
            "no such file or directory: 'nosuch.pdf'",
        ),
        (
            ["summary", "yoy.csv"],
            "'yoy.csv' is an output of gongkai compare, which summary and compare do not read: "
            "give an output of extract, or the reports",
        ),
        (["compare", "yoy.csv", "--agency", "x"], "'yoy.csv' is an output of gongkai compare"),
    ]
    for arguments, says in cases:
        result = CliRunner().invoke(main, arguments)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"gongkai: error: {says}"), result.stderr


def test_the_tables_of_an_output_name_it_after_a_workbook_run_shares_their_journal(tmp_path, monkeypatch):
    """c.csv and its tables, then a run into c.xlsx (whose journal, c.journal.sqlite, is theirs
    too): the tables name the output they were written beside, and so does the journal, which
    said to give the reports (its recorded workbook is not read back) though c.csv is there to read."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(SAMPLES / "guiling-township-2024.pdf", "a.pdf")
    for output in ("c.csv", "c.xlsx"):
        assert CliRunner().invoke(main, ["extract", "a.pdf", "-o", output]).exit_code == 0
    said = {
        name: CliRunner().invoke(main, ["summary", name]).stderr
        for name in ("c.files.csv", "c.journal.sqlite")
    }
    assert said["c.files.csv"].endswith("give its output instead, 'c.csv'\n"), said
    assert said["c.journal.sqlite"].endswith("give its output instead, 'c.csv'\n"), said
    os.remove("c.csv")  # none there to read: the workbook is said
    result = CliRunner().invoke(main, ["summary", "c.journal.sqlite"])
    assert result.exit_code == 2
    assert result.stderr.endswith("give the reports (its output, 'c.xlsx', is a workbook, not read back)\n")


def test_the_summary_sheet_of_missing_rows_prints_why_in_words_never_what_ocr_read(tmp_path):
    """As the 同比 sheets (views.note_on_paper): "cell read as '2357'" printed a number on paper
    beside a cell left empty; it is in the reasons' hover note, and the text keeps it."""
    from openpyxl import load_workbook

    from gongkai.output.summary import batch_frames, summarize

    cells, files, checks = batch_frames([gongkai.read_report(BROKEN_SAMPLE)])
    row = cells.index[(cells["table"] == "active_disclosure") & (cells["row_id"] == "licensing")][0]
    note = "OCR doubtful (suspect cell (ink touching the rules)): cell read as '2357' (1.00)"
    readings = '{"cell": "2357", "cell_score": 1.0}'
    cells.loc[row, ["value", "note_code", "note", "ocr_readings"]] = [None, "ocr_doubtful", note, readings]
    summary = summarize(cells, files, checks)
    assert "2357" in summary.to_text()
    summary.write(tmp_path / "sum.xlsx")
    sheet = load_workbook(tmp_path / "sum.xlsx")["最常缺的行"]
    printed = [c for r in sheet.iter_rows() for c in r if c.value is not None]
    assert not any("2357" in str(c.value) for c in printed)
    said = [c for c in printed if "ink touching the rules" in str(c.value)]
    assert len(said) == 1 and "2357" in said[0].comment.text


def test_the_summary_sheet_of_missing_rows_gives_its_hover_notes_in_chinese(tmp_path):
    """The hover notes of 最常缺的行's reasons were the notes in English, under Chinese headers
    (and none where the note on paper was the whole note): each is the cells' hover notes, as the
    workbook's, in Chinese, why OCR could not vouch for a cell and what it read too."""
    from openpyxl import load_workbook

    from gongkai.output.summary import batch_frames, summarize

    cells, files, checks = batch_frames([gongkai.read_report(BROKEN_SAMPLE)])
    row = cells.index[(cells["table"] == "active_disclosure") & (cells["row_id"] == "licensing")][0]
    note = "OCR doubtful (suspect cell (ink touching the rules)): cell read as '2357' (1.00)"
    readings = '{"cell": "2357", "cell_score": 1.0, "why": ["ink_touching_rules"]}'
    cells.loc[row, ["value", "note_code", "note", "ocr_readings"]] = [None, "ocr_doubtful", note, readings]
    summarize(cells, files, checks).write(tmp_path / "sum.xlsx")
    sheet = load_workbook(tmp_path / "sum.xlsx")["最常缺的行"]
    header = [c.value for c in sheet[1]]
    reasons = [row[header.index("缺失原因")] for row in sheet.iter_rows(min_row=2)]
    assert reasons and all(cell.comment is not None for cell in reasons)
    hovers = [cell.comment.text for cell in reasons]
    assert not any(re.search("[A-Za-z]", re.sub("“[^”]*”", "", hover)) for hover in hovers), hovers
    doubtful = next(cell for cell in reasons if "ink touching the rules" in cell.value).comment.text
    said = (
        "1× 待核：扫描件上未能可靠识别，须对照原件填写；原因：笔画触及表格线；"
        "单元格识别为“2357”（置信度 1.00）"
    )
    assert doubtful == said


def test_a_narrow_summary_keeps_ids_whole_and_folds_paths_after_their_slashes():
    """At COLUMNS=60 rich folded ids and paths wherever a column ended (unavaila | ble_need |
    s_creati | on, /work/wt/printou | t/fixtures): they fold after their _ / - . where they must."""
    from rich.cells import cell_len

    from gongkai.output.summary import _plain_table

    table = pd.DataFrame(
        {
            "table": ["applications", "applications"],
            "row_id": ["unavailable_needs_creation", "withheld_administrative_query"],
            "row": ["2.没有现成信息需要另行制作", "8.属于行政查询事项"],
            "reports": [1, 12],
            "cells": [6, 30],
            "sources": ["/work/reports/docx-city-2024-template.docx; /work/reports/b.pdf", "a.pdf"],
        }
    )
    text = _plain_table(table, 60)
    lines = text.splitlines()
    assert max(map(cell_len, lines)) <= 60
    words = {w for line in lines for w in line.split()}
    assert {"applications", "unavailable_", "needs_creation", "administrative_"} <= words
    folded = [w for w in words if w.startswith(("/", "docx", "city", "2024", "template", "b.pdf"))]
    assert all(w.endswith(("/", "-", ".", ";", "docx", "pdf")) for w in folded), folded


def test_a_narrow_summary_never_starts_a_line_with_a_closing_bracket():
    """At COLUMNS=60 the rules of a report that breaks its arithmetic folded as `applications_ |
    balance (总计 | ): 1339 ≠`: a line of the rules column began with the bracket closing the line
    before, as `inspect` never folds a label. A closing mark stays with the character before it."""
    from gongkai.output.summary import _fold, _plain_table

    rules = "applications_balance (自然人): 1184 ≠ 1185; applications_balance (总计): 1339 ≠ 1340"
    for width in range(8, 30):
        lines = _fold(rules, width)
        assert not [line for line in lines if line[0] in ")）:：,，;；。、"], (width, lines)
        assert "".join(lines).replace(" ", "") == rules.replace(" ", "")
    assert _fold("其他（总计）", 4) == ["其他", "（总", "计）"]
    opened = "applications_outcomes_total (自然人): 0 ≠ 4"
    for width in range(8, 30):
        assert not [line for line in _fold(opened, width) if line.endswith(("(", "（"))], width
    table = pd.DataFrame({"source": ["s/yunhu-district-2024.pdf"], "year": [2024], "rules": [rules]})
    for line in _plain_table(table, 60).splitlines():
        assert not line[40:].lstrip().startswith((")", "）")), line


def test_an_output_written_before_the_ocr_readings_column_still_reads(tmp_path, monkeypatch):
    """`ocr_readings` (and compare's `ocr_readings_a`, `ocr_readings_b`) came last, after the
    outputs of earlier versions were written: those read back with it empty."""
    from gongkai.output.summary import read_output

    monkeypatch.chdir(tmp_path)
    shutil.copy(SAMPLES / "guiling-township-2024.pdf", "a.pdf")
    shutil.copy(SAMPLES / "huaichuan-market-2023.pdf", "b.pdf")
    assert CliRunner().invoke(main, ["extract", "a.pdf", "b.pdf", "-o", "c.csv"]).exit_code == 0
    assert CliRunner().invoke(main, ["extract", "a.pdf", "-o", "p.parquet"]).exit_code == 0
    assert CliRunner().invoke(main, ["compare", "a.pdf", "b.pdf", "-o", "yoy.csv"]).exit_code == 0
    pd.read_csv("c.csv", dtype=str, keep_default_na=False).drop(columns="ocr_readings").to_csv(
        "c.csv", index=False
    )
    pd.read_parquet("p.parquet").drop(columns="ocr_readings").to_parquet("p.parquet")
    older = pd.read_csv("yoy.csv").drop(columns=["ocr_readings_a", "ocr_readings_b"])
    older.to_csv("yoy.csv", index=False)
    for path in ("c.csv", "p.parquet"):
        cells, _, _ = read_output(path)
        assert list(cells.columns) == gongkai.CELL_COLUMNS and cells["ocr_readings"].isna().all()
    result = CliRunner().invoke(main, ["summary", "c.csv"])
    assert result.exit_code == 0, result.output
    cells = read_output("c.csv")[0]
    gongkai.write_workbook(cells.drop(columns="ocr_readings"), tmp_path / "w.xlsx")  # a frame without it
    result = CliRunner().invoke(main, ["summary", "yoy.csv"])  # still told as a comparison
    assert result.exit_code == 2 and "is an output of gongkai compare" in result.stderr


def test_an_output_beside_the_tables_of_a_later_run_into_another_format_is_refused(tmp_path, monkeypatch):
    """cells.csv and cells.parquet share cells.files.csv: a later run of other reports into the
    Parquet left the CSV beside their table, and the summary of the CSV counted those reports."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    one, other = str(SAMPLES / "guiling-township-2024.pdf"), str(BROKEN_SAMPLE)
    assert runner.invoke(main, ["extract", one, "-o", "out/cells.csv", "-q"]).exit_code == 0
    assert runner.invoke(main, ["extract", other, "-o", "out/cells.parquet", "-q"]).exit_code == 0
    result = runner.invoke(main, ["summary", "out/cells.csv"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        "gongkai: error: out/cells.csv and out/cells.files.csv beside it are not of one run: 2 reports"
    )
    with pytest.raises(gongkai.NotAnOutputError, match="not of one run"):
        gongkai.read_output("out/cells.csv")
    assert runner.invoke(main, ["compare", "out/cells.csv", "--agency", "桂岭乡人民政府"]).exit_code == 2
    # The later output and its tables are one run's: read as ever.
    cells, files, _ = gongkai.read_output("out/cells.parquet")
    assert set(cells["source"]) == set(files["source"]) == {other}


def test_summarize_refuses_tables_that_are_not_status_and_check_records():
    """summarize(cells, cells, cells) raised KeyError: 'status' from deep in the summary."""
    report = gongkai.read_report(BROKEN_SAMPLE)
    files = gongkai.read_reports([str(BROKEN_SAMPLE)], with_status=True)[1]
    with pytest.raises(
        gongkai.InputTypeError, match="files holds no per-file status records: it has no 'status'"
    ):
        gongkai.summarize(report.cells, report.cells, report.checks_frame)
    with pytest.raises(gongkai.InputTypeError, match=r"checks is a DataFrame of check records .* not list"):
        gongkai.summarize(report.cells, files, report.checks)
    assert "云湖区人民政府" in gongkai.summarize(report.cells, files, report.checks_frame).to_text()


@pytest.mark.parametrize("name", ["s.csv", "s.parquet", "s.JSONL", "s.pdf", "s.html", "s.docx"])
def test_a_summary_output_named_as_data_or_a_report_is_a_usage_error_before_any_reading(
    tmp_path, monkeypatch, name
):
    """`summary -o s.parquet` wrote the box-drawn text there (and -o s.csv, -o s.pdf: a file a later
    run reads as a report, and fails): refused, where .xlsx and any other name are written."""
    monkeypatch.setattr(batch, "read_report_safely", lambda *a, **k: pytest.fail("read a report"))
    result = CliRunner().invoke(main, ["summary", str(BROKEN_SAMPLE), "-o", str(tmp_path / name)])
    assert result.exit_code == 2, result.output
    assert "summary writes .xlsx (one sheet per part) or text, such as summary.txt" in result.stderr
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize(
    ("emptied", "header", "said"),
    [
        ("cells.files.csv", "", "out/cells.files.csv is empty: no table gongkai extract wrote"),
        ("cells.checks.csv", "", "out/cells.checks.csv is empty: no table gongkai extract wrote"),
        ("cells.csv", "", "out/cells.csv is empty: no table gongkai extract wrote"),
        (
            "cells.files.csv",
            "name,x\n",
            "out/cells.files.csv is no status table of gongkai extract: it has no 'source' column",
        ),
    ],
)
def test_a_table_of_an_output_emptied_or_of_another_header_is_named_in_the_error(
    tmp_path, monkeypatch, emptied, header, said
):
    """An empty table (a full disk, a copy cut short) said only pandas' `No columns to parse from
    file`, naming no file; a status table of another header was taken as one of no reports."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["extract", str(BROKEN_SAMPLE), "-o", "out/cells.csv", "-q"]).exit_code == 0
    (tmp_path / "out" / emptied).write_text(header)
    result = runner.invoke(main, ["summary", "out/cells.csv"])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"gongkai: error: {said}\n"


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_an_output_of_only_failed_files_is_summarised_in_every_format(tmp_path, monkeypatch, fmt):
    """Every file failed: the JSONL has no line, which summary took for a wide output's."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    bad = str(BAD_INPUTS / "not-a-pdf.pdf")
    assert runner.invoke(main, ["extract", bad, "-o", f"out/c.{fmt}", "-q"]).exit_code == 1
    result = runner.invoke(main, ["summary", f"out/c.{fmt}"])
    assert result.exit_code == 0, result.output
    assert "failed" in result.stdout
    cells, files, _ = gongkai.read_output(f"out/c.{fmt}")
    assert cells.empty and list(files["status"]) == ["failed"]
