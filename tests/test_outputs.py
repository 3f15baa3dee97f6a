"""Where the commands write: an output that would replace an input or a special file is refused
before any reading, and a write that fails says so in one line, never with a traceback."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gongkai import OutputWriteError, batch, cli, read_output, read_report
from gongkai.cli import main
from gongkai.output.writers import BatchOutput

from .conftest import FIXTURES, SAMPLES

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
    _refused(
        ["extract", str(side), "-o", str(folder / "cells.csv")], "quote a pattern ('DIR/*') and gongkai skips"
    )
    before[side.name] = side.read_bytes()
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


def test_a_file_of_another_runs_output_named_to_extract_is_refused_before_any_reading(
    folder, tmp_path, monkeypatch
):
    """`extract other/c.journal.sqlite -o x.csv` read the journal as a report (a failed row, exit
    1), and `extract other/* -o x.csv` (a pattern the shell expanded) read another run's output,
    tables and journal as reports: a file a run writes, named as an input, is refused, as summary
    refuses it, in one line that says what it is (and, where several inputs were named, that a
    quoted pattern skips them); the run's own files are still refused as inputs it would replace."""
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(GUILING, other / GUILING.name)
    out = other / "c.csv"
    assert (
        CliRunner().invoke(main, ["extract", str(other / GUILING.name), "-o", str(out), "-q"]).exit_code == 0
    )
    (other / "c.journal.lock").write_text("")
    (other / "c.journal.sqlite-wal").write_text("")
    (other / ".c.csv.partial").write_text("")
    monkeypatch.setattr(cli, "iter_reports", lambda *a, **k: pytest.fail("read reports"))
    monkeypatch.setattr(cli, "Batch", lambda *a, **k: pytest.fail("read reports"))
    new = str(tmp_path / "new.csv")
    said = {
        "c.journal.sqlite": "is the journal of a run of extract, neither a report nor an output",
        "c.journal.sqlite-wal": "is a file of the journal of a run of extract, not a report",
        "c.journal.lock": "is the lock file of a run of extract, not a report",
        "c.files.csv": "is the per-file status table of an output of extract, not the output itself",
        "c.checks.csv": "is the checks table of an output of extract, not the output itself",
        "c.csv": "is an output of extract, not a report",
        ".c.csv.partial": f"is the file '{out}' while a run of extract writes it, not a report",
    }
    for name, says in said.items():
        _refused(["extract", str(other / name), "-o", new], f"'{other / name}' {says}")
        result = CliRunner().invoke(main, ["extract", str(other / name), "-o", new])
        assert result.stderr.endswith(f"{says}: give the reports\n")  # one file named: no pattern to quote
    # A pattern the shell expanded: the first of the run's files it names, and the advice.
    expanded = sorted(str(path) for path in other.iterdir() if not path.name.startswith("."))
    _refused(
        ["extract", *expanded, "-o", new],
        f"'{other / 'c.checks.csv'}' is the checks table of an output of extract, not the output itself: "
        "give the reports; quote a pattern ('DIR/*') and gongkai skips the files of outputs of extract",
    )
    # summary too refuses the temporary of a file being written (it read it as a report, exit 0).
    _refused(["summary", str(other / ".c.csv.partial")], f"give its output instead, '{out}'")
    # The run's own files, named, are inputs it would write over: refused as before.
    _refused(["extract", *expanded, "-o", str(out)], "it is the input")
    assert not (tmp_path / "new.csv").exists() and not list(tmp_path.glob("new.*"))


@pytest.mark.parametrize("name", ["c.files.csv", "c.checks.csv", "c.journal.sqlite", "c.journal.lock"])
def test_an_output_named_as_the_files_beside_another_is_refused(folder, tmp_path, no_reading, name):
    # -o c.journal.sqlite --format csv replaced another run's live journal with a CSV.
    _refused(
        ["extract", str(folder), "-o", str(tmp_path / name), "--format", "csv"], "the files beside an output"
    )


def test_an_earlier_output_and_its_tables_are_inputs_of_summary(folder, tmp_path):
    cells = tmp_path / "cells.csv"
    assert CliRunner().invoke(main, ["extract", str(folder), "-o", str(cells), "-q"]).exit_code == 0
    before = (tmp_path / "cells.files.csv").read_bytes()
    _refused(["summary", str(cells), "-o", str(tmp_path / "cells.files.csv")], "the files beside an output")
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


_FULL_STDOUT = """
import errno, io, os, sys

class Full(io.RawIOBase):
    # /dev/full: every write fails with ENOSPC, until stdout is sent to /dev/null.
    def writable(self):
        return True

    def fileno(self):
        return 1

    def write(self, data):
        if os.path.samestat(os.fstat(1), os.stat(os.devnull)):
            return len(data)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

sys.stdout = io.TextIOWrapper(io.BufferedWriter(Full()), encoding="utf-8")
sys.argv = ["gongkai", *sys.argv[1:]]
from gongkai.__main__ import run
run()
"""


@pytest.mark.parametrize(
    "arguments",
    [
        ["extract", str(YUNHU), "-o", "-"],
        ["extract", str(YUNHU), "-o", "-", "--format", "jsonl"],
        ["inspect", str(YUNHU)],
        ["summary", str(YUNHU)],
        ["compare", str(GUILING), str(YUNHU)],
    ],
)
def test_a_full_stdout_is_one_line_and_exit_status_1(arguments):
    env = {**os.environ, "PYTHONPATH": str(Path(cli.__file__).parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", _FULL_STDOUT, *arguments], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines()[-1:] == [
        "gongkai: error: cannot write to stdout: No space left on device"
    ]
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def _csv(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def _a_page_with_a_bullet(folder: Path) -> Path:
    """The GBK fixture page as UTF-8, a cell's annotation holding a `•` (as OCR reads a dot into
    a note), which GBK cannot write."""
    page = (FIXTURES / "web-county-2022-gbk.html").read_bytes().decode("gb18030")
    cell = '<td width="23.3%">32</td>'
    assert cell in page
    path = folder / "南屏县2022.html"
    path.write_text(page.replace(cell, '<td width="23.3%">32（注•见说明）</td>', 1), encoding="utf-8")
    return path


def test_a_character_the_encoding_cannot_write_is_escaped_in_text_and_said_once(tmp_path):
    """`extract ... --encoding gbk` of a report whose note (or path) holds a character GBK lacks
    (`•`, `₩`) read every file and then wrote nothing: `error: cannot write 'cells.csv': encoding
    'gbk' cannot write '•'`, exit status 1. Now the run's output is written, the character as its
    escape in the text, every value as it is, and one line says so."""
    folder = tmp_path / "₩"
    folder.mkdir()
    page = _a_page_with_a_bullet(folder)
    shutil.copy(YUNHU, folder / YUNHU.name)
    out = tmp_path / "out" / "cells.csv"
    result = CliRunner().invoke(main, ["extract", str(folder), "-o", str(out), "--encoding", "gbk"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    # The source of every row of the three tables holds the folder's ₩; one cell's raw and note the •.
    fields = 2 * 200 + 2 + 2 + len(_csv(tmp_path / "out" / "cells.checks.csv", "gbk"))
    assert warnings == [
        "gongkai: warning: encoding 'gbk' cannot write '₩', '•': written as \\u20a9, \\u2022 in "
        f"{fields} text fields (no value changed); --encoding utf-8 or gb18030 keeps them"
    ]
    cells = _csv(out, "gbk")
    [bullet] = [c for c in cells if "32（注" in c["raw"]]
    assert (bullet["value"], bullet["raw"]) == ("32", "32（注\\u2022见说明）")
    assert {c["source"] for c in cells} == {
        str(folder / n).replace("₩", "\\u20a9") for n in (page.name, YUNHU.name)
    }
    # The same run in UTF-8: the same values, cell for cell; --resume in GB18030 writes it as it is.
    utf8 = tmp_path / "utf8" / "cells.csv"
    assert CliRunner().invoke(main, ["extract", str(folder), "-o", str(utf8), "-q"]).exit_code == 0
    assert [c["value"] for c in cells] == [c["value"] for c in _csv(utf8)]
    again = CliRunner().invoke(
        main, ["extract", str(folder), "-o", str(out), "--encoding", "gb18030", "--resume"]
    )
    assert again.exit_code == 0 and "warning" not in again.stderr
    assert _csv(out, "gb18030") == _csv(utf8)


def test_gb2312_is_an_encoding_that_lacks_characters_not_one_refused(tmp_path):
    """`--encoding gb2312`, which the README names beside gbk as one that costs no run, was refused
    before any reading, `encoding 'gb2312' cannot write Chinese`: the probe held 〇 (二〇二四),
    which GB2312 lacks. It writes the run, each character it lacks as its escape, and says so."""
    folder = tmp_path / "二〇二四"
    folder.mkdir()
    shutil.copy(YUNHU, folder / YUNHU.name)
    out = tmp_path / "out" / "cells.csv"
    result = CliRunner().invoke(main, ["extract", str(folder), "-o", str(out), "--encoding", "gb2312"])
    assert result.exit_code == 0, result.output
    assert "gongkai: warning: encoding 'gb2312' cannot write '〇': written as \\u3007 in" in result.stderr
    cells = _csv(out, "gb2312")
    assert {c["source"] for c in cells} == {str(folder / YUNHU.name).replace("〇", "\\u3007")}
    assert cells[0]["agency"] == "云溪市云湖区人民政府"
    compared = tmp_path / "yoy.csv"
    report = str(folder / YUNHU.name)
    arguments = ["compare", report, str(GUILING), "-o", str(compared)]
    assert CliRunner().invoke(main, [*arguments, "--encoding", "gb2312"]).exit_code == 0


def test_an_encoding_is_taken_only_where_gongkai_reads_back_what_it_writes(tmp_path):
    """`extract -o c.csv --encoding utf-16` wrote a CSV that `summary c.csv` then refused
    (`neither UTF-8 nor GB18030 text`), and utf-7, hz or unicode_escape one it read back as other
    text (+ZT…, \\u653f for 政): each is refused before any reading (exit 2, one line), by
    extract and compare alike; every encoding taken writes an output that summary reads back."""
    out = tmp_path / "out" / "c.csv"
    for encoding in ("utf-16", "utf-16-le", "utf-32", "utf-7", "hz", "unicode_escape"):
        for command in (["extract", str(GUILING)], ["compare", str(GUILING), str(YUNHU)]):
            result = CliRunner().invoke(main, [*command, "-o", str(out), "--encoding", encoding])
            assert result.exit_code == 2, (encoding, result.output)
            assert result.stderr == (
                f"gongkai: error: encoding {encoding!r} writes CSV that gongkai cannot read back "
                "(summary, compare); use utf-8, utf-8-sig (for Excel) or gb18030\n"
            )
            assert not out.parent.exists()  # nothing written: no journal, no .partial file
    with pytest.raises(batch.BatchSetupError, match="cannot read back"):
        batch.Batch([str(GUILING)], out, None, encoding="utf-16")
    for encoding in ("utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "cp936"):
        written = tmp_path / encoding / "c.csv"
        extracted = CliRunner().invoke(
            main, ["extract", str(GUILING), "-o", str(written), "--encoding", encoding]
        )
        assert extracted.exit_code == 0, (encoding, extracted.output)
        cells, files, _ = read_output(written)
        assert files["agency"].tolist() == ["桂岭乡人民政府"] and len(cells) == 200, encoding


def test_records_on_stdout_and_a_comparison_escape_what_the_encoding_cannot_write(tmp_path):
    page = _a_page_with_a_bullet(tmp_path)
    runner = CliRunner()
    records = runner.invoke(main, ["extract", str(page), "-o", "-", "--encoding", "gbk"])
    assert records.exit_code == 0, records.output
    assert "32（注\\u2022见说明）".encode("gbk") in records.stdout_bytes
    assert "cannot write '•': written as \\u2022 in 2 text fields" in records.stderr
    compared = tmp_path / "yoy.csv"
    other = FIXTURES / "web-county-2022-gbk.html"
    result = runner.invoke(main, ["compare", str(page), str(other), "-o", str(compared), "--encoding", "gbk"])
    assert result.exit_code == 0, result.output
    assert (
        "gongkai: warning: encoding 'gbk' cannot write '•': written as \\u2022 in 1 text field"
        in result.stderr
    )
    rows = _csv(compared, "gbk")
    assert [r["note_a"] for r in rows if "\\u2022" in r["note_a"]] == [
        "annotation kept in raw: (注\\u2022见说明)"
    ]
    assert all(r["value_a"] == r["value_b"] for r in rows)  # the values are as read


def test_a_disk_too_full_for_the_journal_is_one_line_and_exit_status_1(tmp_path, monkeypatch):
    """The journal cannot be created (the disk is full): that is said, not that it is no journal."""
    import errno
    import sqlite3

    connect = sqlite3.connect

    def full(*args, **kwargs):  # a database of one page: its first table makes it full
        db = connect(*args, **kwargs)
        db.execute("PRAGMA max_page_count = 1")
        return db

    out = tmp_path / "out" / "cells.csv"
    journal = out.with_name("cells.journal.sqlite")
    monkeypatch.setattr(sqlite3, "connect", full)
    result = CliRunner().invoke(main, ["extract", str(GUILING), "-o", str(out)])
    assert (result.exit_code, result.stderr) == (
        1,
        f"gongkai: error: cannot write the journal '{journal}': No space left on device\n",
    )
    monkeypatch.setattr(sqlite3, "connect", connect)

    def no_space(descriptor, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", no_space)  # not even the lock file's pid can be written
    result = CliRunner().invoke(main, ["extract", str(GUILING), "-o", str(out)])
    assert (result.exit_code, result.stderr) == (
        1,
        f"gongkai: error: cannot write the journal '{journal}': No space left on device\n",
    )
    assert not journal.with_suffix(".lock").exists()


def test_a_disk_io_error_on_a_full_disk_says_the_disk_is_full_and_leaves_no_journal(tmp_path, monkeypatch):
    """SQLite says `disk I/O error` where its WAL index cannot grow on a full disk (SQLITE_IOERR_SHMSIZE):
    the line says what a write beside the journal finds, and the journal this run made goes."""
    import errno
    import sqlite3
    import tempfile

    class ShmCannotGrow(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.startswith("CREATE TABLE IF NOT EXISTS reports"):
                error = sqlite3.OperationalError("disk I/O error")
                error.sqlite_errorname = "SQLITE_IOERR_SHMSIZE"
                raise error
            return super().execute(sql, *args)

    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: connect(*a, **k, factory=ShmCannotGrow))

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    room = tempfile.TemporaryFile
    monkeypatch.setattr(tempfile, "TemporaryFile", full)  # what a write beside the journal finds
    out = tmp_path / "out" / "cells.csv"
    result = CliRunner().invoke(main, ["extract", str(GUILING), "-o", str(out)])
    journal = out.with_name("cells.journal.sqlite")
    assert (result.exit_code, result.stderr) == (
        1,
        f"gongkai: error: cannot write the journal '{journal}': No space left on device\n",
    )
    assert list(out.parent.iterdir()) == []
    monkeypatch.setattr(tempfile, "TemporaryFile", room)
    result = CliRunner().invoke(main, ["extract", str(GUILING), "-o", str(out)])
    assert result.stderr.endswith("': disk I/O error\n")  # with room beside it, SQLite's own words


def test_a_disk_that_fills_mid_batch_keeps_the_reports_before_and_says_how_to_go_on(tmp_path, monkeypatch):
    from gongkai.output.journal import Journal

    add = Journal.add
    calls = []

    def filling(self, *args):
        calls.append(1)
        if len(calls) == 2:  # no page more: SQLITE_FULL, as on a full disk
            pages = self._db.execute("PRAGMA page_count").fetchone()[0]
            self._db.execute(f"PRAGMA max_page_count = {pages}")
        return add(self, *args)

    monkeypatch.setattr(Journal, "add", filling)
    folder = tmp_path / "in"
    folder.mkdir()
    for pdf in (GUILING, YUNHU, SAMPLES / "jiangyuan-city-2021.pdf"):
        shutil.copy(pdf, folder)
    out = tmp_path / "out" / "cells.csv"
    command = ["extract", str(folder), "-o", str(out), "-w", "1"]
    monkeypatch.setattr(sys, "argv", ["gongkai", *command])
    result = CliRunner().invoke(main, command)
    journal = out.with_name("cells.journal.sqlite")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"gongkai: error: cannot write the journal '{journal}': No space left on device",
        f"gongkai: 1 of 3 files read are kept in {journal}; once there is room, this reads the rest: "
        f"gongkai extract {folder} -o {out} -w 1 --resume",
    ]
    monkeypatch.setattr(Journal, "add", add)
    result = CliRunner().invoke(main, [*command, "--resume"])
    assert result.exit_code == 0 and "resuming: 1 file already read, 2 to go" in result.stderr


def test_a_directory_where_a_table_goes_places_no_file_and_leaves_none_half_written(tmp_path):
    out = tmp_path / "cells.csv"
    batch = BatchOutput(str(out), "csv")
    batch.add_records({"cells": [], "files": [], "checks": []})
    (tmp_path / "cells.checks.csv").mkdir()  # after the run's checks: another program's
    with pytest.raises(OutputWriteError, match=r"cells\.checks\.csv': it is a directory"):
        batch.close()
    assert [p.name for p in tmp_path.iterdir()] == ["cells.checks.csv"]


def test_summary_and_comparison_that_cannot_be_written_raise_output_write_error(tmp_path):
    from gongkai.output.compare import compare_cells, write_comparison
    from gongkai.output.summary import summarize_reports

    reports = [read_report(GUILING), read_report(YUNHU)]
    (tmp_path / "file").write_text("")
    for name in ("s.xlsx", "s.txt"):
        with pytest.raises(OutputWriteError, match="cannot write"):
            summarize_reports(reports).write(tmp_path / "file" / name)
    pairs = compare_cells(reports[0].cells, reports[1].cells)
    for name in ("c.xlsx", "c.csv"):
        with pytest.raises(OutputWriteError, match="cannot write"):
            write_comparison(pairs, tmp_path / "file" / name)
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_a_mark_stdout_cannot_encode_shows_as_a_question_mark(tmp_path):
    runner = CliRunner(charset="gbk")  # as under PYTHONIOENCODING=gbk
    shown = runner.invoke(main, ["inspect", str(YUNHU)])
    assert shown.exit_code == 0, shown.output
    assert "? blank cell" in shown.stdout
    summary = runner.invoke(main, ["summary", str(YUNHU)])
    assert summary.exit_code == 0, summary.output
    assert "? partial" in summary.stdout
    # Records are never changed: extract -o - writes them in --encoding, or fails.
    records = runner.invoke(main, ["extract", str(YUNHU), "-o", "-", "--encoding", "gbk"])
    assert records.exit_code == 0 and "?" not in records.stdout


def test_jsonl_is_utf8_whatever_the_encoding_of_the_tables_beside_it(tmp_path):
    out = tmp_path / "cells.jsonl"
    result = CliRunner().invoke(main, ["extract", str(YUNHU), "-o", str(out), "--encoding", "gb18030", "-q"])
    assert result.exit_code == 0, result.output
    assert "云溪市云湖区人民政府" in out.read_bytes().decode("utf-8")
    files = (tmp_path / "cells.files.csv").read_bytes()
    assert "云溪市云湖区人民政府".encode("gb18030") in files  # the CSV beside it as asked


def test_a_journal_on_a_read_only_file_system_says_so(tmp_path, monkeypatch):
    """`extract DIR -o u2.parquet --resume` on a read-only mount holding an unfinished journal
    said "cannot write 'u2.journal.sqlite': permission denied", where a fresh -o on the same mount
    says "Read-only file system": what opening it to write says is said (EROFS, as a read-only
    bind mount gives, is simulated)."""
    import errno

    from gongkai.batch import Batch, _records_of

    monkeypatch.chdir(tmp_path)
    shutil.copy(SAMPLES / "guiling-township-2024.pdf", "a.pdf")
    with Batch(["a.pdf"], "u2.parquet", None) as batch:  # a run stopped once its report was kept
        report = read_report("a.pdf")
        batch.journal.add(report.source, batch.tasks[0][1], report.status, report.reason, _records_of(report))
    journal = tmp_path / "u2.journal.sqlite"
    assert journal.exists() and not (tmp_path / "u2.parquet").exists()
    real_open, real_access = os.open, os.access

    def read_only(path, *args, **kwargs):
        if os.fspath(path).endswith("journal.sqlite") and args and args[0] & os.O_WRONLY:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    monkeypatch.setattr(
        os, "access", lambda p, m, **k: not str(p).endswith("journal.sqlite") and real_access(p, m)
    )
    monkeypatch.setattr(cli, "Batch", lambda *a, **k: pytest.fail("read reports"))
    result = CliRunner().invoke(main, ["extract", "a.pdf", "-o", "u2.parquet", "--resume"])
    assert result.exit_code == 2, result.output
    assert result.stderr == "gongkai: error: cannot write 'u2.journal.sqlite': Read-only file system\n"
    monkeypatch.setattr(os, "open", real_open)  # a file this user may not write: as before
    result = CliRunner().invoke(main, ["extract", "a.pdf", "-o", "u2.parquet", "--resume"])
    assert result.stderr.endswith("cannot write 'u2.journal.sqlite': permission denied\n"), result.stderr
