"""Batches: ordered results, parent-enforced timeouts, crashed workers, the journal and resume."""

from __future__ import annotations

import ctypes
import gc
import glob
import os
import shutil
import signal
import time

import pytest

from gongkai import batch
from gongkai.batch import Batch, NoInputsError, expand_inputs, iter_reports, run_batch
from gongkai.output.journal import JournalBusyError, ReadingOptionsChangedError, journal_path

from .conftest import FIXTURES, SAMPLES

BAD = FIXTURES / "bad"


def _hang_in_c() -> None:
    """Block inside libc where no Python signal handler can run: a second lock of a plain mutex."""
    libc = ctypes.CDLL(None)
    mutex = ctypes.create_string_buffer(64)  # zeroed: PTHREAD_MUTEX_INITIALIZER, a non-recursive mutex
    libc.pthread_mutex_lock(mutex)
    libc.pthread_mutex_lock(mutex)


def _reader_that(misbehaves, marker: str):
    """read_report_safely, except that files whose name holds `marker` call `misbehaves()` first."""
    read = batch.read_report_safely

    def reader(path, kind="auto", threads=None):
        if marker in os.path.basename(path):
            misbehaves()
        return read(path, kind, threads)

    return reader


def _samples(tmp_path, names: dict[str, str]):
    """Copies of samples under new names: {new name: sample name}."""
    for new, old in names.items():
        shutil.copyfile(SAMPLES / old, tmp_path / new)
    return sorted(str(tmp_path / n) for n in names)


def test_one_file_reads_its_pages_on_every_core_and_workers_share_the_cores(tmp_path, monkeypatch):
    def reader(path, kind="auto", threads=None):  # says how many pages at once it was asked for
        return batch.Report(source=path, reason=f"{threads} threads")

    monkeypatch.setattr(batch, "read_report_safely", reader)
    monkeypatch.setattr(batch.pool, "usable_cores", lambda: 2)
    paths = _samples(tmp_path, {f"{n}.pdf": "yunhu-district-2024.pdf" for n in "abc"})

    def threads(inputs, workers, timeout):
        return {r.reason for r in iter_reports(inputs, workers=workers, timeout=timeout)}

    assert threads(paths[:1], workers=1, timeout=30) == {"2 threads"}  # the CLI's one forked worker
    assert threads(paths[:1], workers=2, timeout=30) == {"2 threads"}  # one file: one worker
    assert threads(paths, workers=1, timeout=None) == {"2 threads"}  # read in this process
    assert threads(paths, workers=2, timeout=30) == {"1 threads"}
    assert threads(paths, workers=3, timeout=30) == {"1 threads"}


def test_workers_are_never_more_than_the_files_nor_the_cores(tmp_path, monkeypatch):
    """`-w 200` on a machine of two cores forks two readers, not one per file."""
    run = batch.pool.run
    started = []

    def counted(function, tasks, workers, timeout):
        started.append(workers)
        return run(function, tasks, workers, timeout)

    monkeypatch.setattr(batch.pool, "run", counted)
    monkeypatch.setattr(batch, "read_report_safely", lambda path, kind, threads: batch.Report(source=path))
    paths = _samples(tmp_path, {f"{n}.pdf": "yunhu-district-2024.pdf" for n in "abcd"})
    for cores, asked, files, workers in [(2, 200, 4, 2), (8, 200, 4, 4), (8, 3, 4, 3), (2, 2, 1, None)]:
        monkeypatch.setattr(batch.pool, "usable_cores", lambda cores=cores: cores)
        started.clear()
        assert len(list(iter_reports(paths[:files], workers=asked, timeout=30))) == files
        assert started == ([] if workers is None else [workers])  # one file: one child, no pool


def test_a_worker_hanging_in_c_is_killed_at_the_timeout_and_the_batch_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "read_report_safely", _reader_that(_hang_in_c, "hang"))
    paths = _samples(
        tmp_path,
        {
            "a.pdf": "jiangyuan-city-2021.pdf",
            "b-hang.pdf": "yunhu-district-2024.pdf",
            "c.pdf": "yunhu-district-2024.pdf",
        },
    )
    started = time.perf_counter()
    reports = list(iter_reports(paths, workers=1, timeout=3.0))
    assert time.perf_counter() - started < 15
    assert [(r.status, r.reason) for r in reports][1] == (
        "failed",
        "timeout (not read in 3 s; --timeout sets the limit)",
    )
    assert reports[2].status == "ok"  # a fresh worker read the file after it
    assert reports[1].sha256 == reports[2].sha256 != ""
    # Its row says the time it ran: killed at the limit, not before (no upper bound: a busy machine).
    assert reports[1].file_record()["seconds"] >= 3.0


def test_a_worker_that_dies_costs_only_its_file(tmp_path, monkeypatch):
    # As the out-of-memory killer ends a process: no handler of the worker runs.
    killed = _reader_that(lambda: os.kill(os.getpid(), signal.SIGKILL), "crash")
    monkeypatch.setattr(batch, "read_report_safely", killed)
    paths = _samples(tmp_path, {"a-crash.pdf": "jiangyuan-city-2021.pdf", "b.pdf": "yunhu-district-2024.pdf"})
    reports = list(iter_reports(paths, workers=2, timeout=30))
    assert (reports[0].status, reports[0].reason) == ("failed", "worker crashed (signal SIGKILL)")
    assert reports[1].status == "ok"


def test_a_batch_of_one_file_has_its_worker_killed_at_the_timeout_and_crashes_as_any_batch(
    tmp_path, monkeypatch
):
    """One file is read by a plain fork, not a pool: the same limit, the same reasons."""
    names = {"a-hang.pdf": "yunhu-district-2024.pdf", "b-crash.pdf": "jiangyuan-city-2021.pdf"}
    paths = _samples(tmp_path, names)
    monkeypatch.setattr(batch, "read_report_safely", _reader_that(_hang_in_c, "hang"))
    started = time.perf_counter()
    (hung,) = iter_reports(paths[0], workers=2, timeout=1.0)
    assert (hung.status, hung.reason, time.perf_counter() - started < 10) == (
        "failed",
        "timeout (not read in 1 s; --timeout sets the limit)",
        True,
    )
    assert hung.seconds >= 1.0  # the time it ran, as a batch's pool says it
    killed = _reader_that(lambda: os.kill(os.getpid(), signal.SIGKILL), "crash")
    monkeypatch.setattr(batch, "read_report_safely", killed)
    (crashed,) = iter_reports(paths[1], workers=2, timeout=30)
    assert (crashed.status, crashed.reason) == ("failed", "worker crashed (signal SIGKILL)")
    assert crashed.sha256 == batch.content_hash(paths[1])


def test_results_come_in_input_order_with_two_workers():
    paths = [str(p) for p in sorted(SAMPLES.glob("*.pdf"))] + [str(BAD / "not-a-pdf.pdf")]
    paths = sorted(paths)
    reports = list(iter_reports(paths, workers=2, timeout=60))
    assert [r.source for r in reports] == paths
    assert [r.status for r in reports].count("failed") == 1
    assert all(r.geometry == [] for r in reports)  # page geometry does not cross process boundaries
    assert gc.get_freeze_count() == 0  # the collector is frozen only while the workers fork and run


def test_inputs_expand_directories_and_globs(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("b.pdf", "a.PDF", "sub/c.pdf", "notes.txt"):
        (tmp_path / name).write_bytes(b"%PDF-1.4")
    found = expand_inputs([str(tmp_path), str(tmp_path / "*.pdf")])
    assert [p.replace(str(tmp_path), "") for p in found] == ["/a.PDF", "/b.pdf", "/sub/c.pdf"]
    with pytest.raises(NoInputsError):
        expand_inputs([str(tmp_path / "nothing-*.pdf")])


def test_a_recursive_pattern_searches_each_folder_once_whatever_links_lead_back_to_it(tmp_path):
    """`a/up -> ..`: glob followed the link into its own folder, again and again, so that
    'r/**/*.pdf' gave one report 41 times under ever longer names (two such links: endless)."""
    (tmp_path / "r" / "a" / "b").mkdir(parents=True)
    (tmp_path / "r" / "a" / "x.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "r" / "a" / "b" / "y.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "r" / "a" / "up").symlink_to("..")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "z.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "r" / "linked").symlink_to(tmp_path / "elsewhere")  # a linked folder is searched
    found = expand_inputs([str(tmp_path / "r" / "**" / "*.pdf")])
    assert [p.removeprefix(str(tmp_path)) for p in found] == ["/r/a/b/y.pdf", "/r/a/x.pdf", "/r/linked/z.pdf"]
    # As glob matches them otherwise: hidden folders left out, a folder named with glob's marks.
    (tmp_path / "r" / ".hidden").mkdir()
    (tmp_path / "r" / ".hidden" / "h.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "r" / "[x]").mkdir()
    (tmp_path / "r" / "[x]" / "w.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "r" / "a" / "up").unlink()
    pattern = str(tmp_path / "r" / "**" / "*.pdf")
    assert sorted(batch.matching(pattern)) == sorted(glob.glob(pattern, recursive=True))


def test_the_outputs_own_files_are_never_inputs(tmp_path):
    """A glob or folder beside the output: a second run skips the output, its tables and journal."""
    from click.testing import CliRunner

    from gongkai.cli import main

    shutil.copyfile(SAMPLES / "guiling-township-2024.pdf", tmp_path / "a.pdf")
    output = tmp_path / "c.csv"
    command = ["extract", f"{tmp_path}/*", "-o", str(output), "-w", "1"]
    assert CliRunner().invoke(main, command).exit_code == 0
    first = output.read_bytes()
    (tmp_path / "c.journal.lock").write_text("")  # as a run that holds the journal leaves it
    again = CliRunner().invoke(main, command)
    assert again.exit_code == 0, again.output
    own = ["c.checks.csv", "c.csv", "c.files.csv", "c.journal.lock", "c.journal.sqlite"]
    names = ", ".join(str(tmp_path / n) for n in own)
    assert (
        again.stderr.splitlines()[0] == f"gongkai: skipped 5 of the output's own files (not reports): {names}"
    )
    assert "1 file: 1 ok" in again.stderr and output.read_bytes() == first
    quiet = CliRunner().invoke(main, [*command, "-q"])
    assert (quiet.exit_code, quiet.stderr) == (0, "")
    alone = CliRunner().invoke(main, ["extract", f"{tmp_path}/c.*", "-o", str(output)])
    assert alone.exit_code == 2
    assert "no report files in the given inputs, only the output's own: " in alone.stderr


def test_a_pattern_skips_the_files_of_another_runs_output_as_a_folder_does(tmp_path):
    """`summary 'out/*'` read an output, its tables and journal as reports (failed rows, exit 0),
    and so did `extract` with a pattern over another run's output: they are skipped, as a folder
    skips them, and one line names them; a file named on the command line is still an input."""
    from click.testing import CliRunner

    from gongkai.cli import main

    folder = tmp_path / "r"
    folder.mkdir()
    shutil.copyfile(SAMPLES / "guiling-township-2024.pdf", folder / "a.pdf")
    assert (
        CliRunner().invoke(main, ["extract", str(folder / "a.pdf"), "-o", str(folder / "c.csv")]).exit_code
        == 0
    )
    (folder / "c.journal.lock").write_text("")  # as a run that holds the journal leaves it
    assert batch.written_by_a_run(folder / ".c.csv.partial")  # the output it is writing ('*' skips it)
    (folder / "notes.csv").write_text("a,b\n")  # a table with no run's files beside it: not an output
    runs = ["c.checks.csv", "c.csv", "c.files.csv", "c.journal.lock", "c.journal.sqlite"]
    names = ", ".join(str(folder / name) for name in runs)
    said = f"gongkai: skipped 5 files of outputs of extract (not reports): {names}"
    pattern = f"{folder}/*"
    summary = CliRunner().invoke(main, ["summary", pattern, "-w", "1"])
    assert summary.exit_code == 0, summary.output
    assert said in summary.stderr.splitlines()
    assert "notes.csv: not a PDF file" in summary.stderr and "c.files.csv: not" not in summary.stderr
    extract = CliRunner().invoke(main, ["extract", pattern, "-o", str(tmp_path / "d.csv"), "-w", "1"])
    assert extract.exit_code == 1 and said in extract.stderr.splitlines()  # notes.csv failed
    assert "2 files: 1 ok, 0 partial, 1 failed" in extract.stderr
    kept = [str(folder / "a.pdf"), str(folder / "notes.csv")]
    assert expand_inputs([pattern]) == kept and [report.source for report in iter_reports(pattern)] == kept
    # Nothing else: a usage error that names the output to read back.
    alone = CliRunner().invoke(main, ["summary", f"{folder}/c*"])
    assert alone.exit_code == 2 and alone.stderr.splitlines() == [alone.stderr.strip()]
    assert "only files of outputs of extract: " in alone.stderr
    assert alone.stderr.strip().endswith(f"give it alone: '{folder / 'c.csv'}'")
    book = tmp_path / "w" / "b.xlsx"  # a workbook is not read back: no output to give
    assert CliRunner().invoke(main, ["extract", str(folder / "a.pdf"), "-o", str(book)]).exit_code == 0
    alone = CliRunner().invoke(main, ["summary", f"{book.parent}/*"])
    journal = book.with_name("b.journal.sqlite")
    assert alone.exit_code == 2 and alone.stderr.strip().endswith(f"{journal}, {book}")
    # A file named is no pattern's: refused, not skipped (see test_outputs and test_summary).
    named = CliRunner().invoke(main, ["extract", str(folder / "c.files.csv"), "-o", str(tmp_path / "e.csv")])
    assert named.exit_code == 2 and "c.files.csv' is the per-file status table" in named.stderr


def test_a_page_saved_complete_by_a_browser_is_read_without_its_files_folder(tmp_path):
    """`extract saved/` of a page saved as 'Web page, complete' (年报.html beside 年报_files/, the
    page's scripts, styles and the frames of its share buttons as .html) read each frame as a
    report: 'failed: saved/年报_files/share.html: no table of the standard form found', exit
    status 1. The folder's files are skipped, one line names the folder; named, a file is read."""
    from click.testing import CliRunner

    from gongkai.cli import main

    saved = tmp_path / "saved"
    resources = saved / "年报_files"
    resources.mkdir(parents=True)
    shutil.copyfile(FIXTURES / "web-county-2022-gbk.html", saved / "年报.html")
    for name in ("share.html", "saved_resource.htm"):
        (resources / name).write_text("<!DOCTYPE html><html><body><div>分享到微信</div></body></html>")
    (resources / "jquery.min.js").write_text("/*! jQuery */")
    word = saved / "其他" / "报告.files"  # Word's "Save as Web Page", in some of its languages
    word.mkdir(parents=True)
    shutil.copyfile(FIXTURES / "web-county-2022-gbk.html", saved / "其他" / "报告.htm")
    (word / "header.htm").write_text("<html><body><p>页眉</p></body></html>")
    lone = saved / "notes_files"  # a folder so named beside no page is any folder
    lone.mkdir()
    shutil.copyfile(FIXTURES / "web-county-2022-gbk.html", lone / "r.html")
    kept = [str(lone / "r.html"), str(saved / "其他" / "报告.htm"), str(saved / "年报.html")]
    assert expand_inputs([str(saved)]) == kept
    result = CliRunner().invoke(main, ["extract", str(saved), "-o", str(tmp_path / "c.csv"), "-w", "1"])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[0] == (
        "gongkai: skipped 3 files in the folders saved with web pages (their frames and scripts, not "
        f"reports): {word}, {resources}"
    )
    assert "3 files: 3 ok, 0 partial, 0 failed" in result.stderr
    # What is named in such a folder, the folder itself or a pattern over it, is read.
    named = CliRunner().invoke(main, ["summary", str(resources / "share.html"), str(saved / "年报.html")])
    assert "share.html: no table of the standard form found" in named.stderr
    assert expand_inputs([str(resources)]) == [
        str(resources / n) for n in ("saved_resource.htm", "share.html")
    ]
    assert expand_inputs([f"{resources}/*.html"]) == [str(resources / "share.html")]
    assert expand_inputs([f"{saved}/**/*.htm*"]) == kept  # a pattern from above skips them
    alone = CliRunner().invoke(main, ["summary", f"{saved}/年*/*"])
    assert alone.exit_code == 2 and "only files of saved pages' folders" in alone.stderr


def test_a_saved_page_whose_extension_is_in_capitals_is_read_without_its_files_folder(tmp_path):
    """A page saved on Windows, or unpacked from an archive of 8.3 names, as `年报.HTM` beside
    `年报_files/`: the folder was told by its name in any case, the page beside it only as .htm, so
    the frames in the folder were read as reports (failed: no table of the standard form found)."""
    saved = tmp_path / "saved"
    for page in ("年报.HTM", "Report.Html"):
        resources = saved / (page.rsplit(".", 1)[0] + "_files")
        resources.mkdir(parents=True)
        shutil.copyfile(FIXTURES / "web-county-2022-gbk.html", saved / page)
        (resources / "share.html").write_text("<!DOCTYPE html><html><body><p>分享到微信</p></body></html>")
    assert expand_inputs([str(saved)]) == [str(saved / "Report.Html"), str(saved / "年报.HTM")]


def test_a_pattern_looks_into_no_file_but_those_named_as_a_copy_of_a_run_s_file_is(tmp_path, monkeypatch):
    """A pattern over a folder of other files (images, archives, data) opened each file up to
    three times to tell whether it was a file a run writes (sniffed as a report, then as an
    SQLite file, then its first line, a Parquet file's schema through pyarrow): only a file
    whose name a copy of one keeps (.csv, .db, .sqlite… anywhere in it) is looked into, and
    the copies are still told by their content and skipped."""
    import builtins

    from click.testing import CliRunner

    from gongkai.cli import main

    shutil.copyfile(SAMPLES / "guiling-township-2024.pdf", tmp_path / "a.pdf")
    out = tmp_path / "c.csv"
    assert CliRunner().invoke(main, ["extract", str(tmp_path / "a.pdf"), "-o", str(out)]).exit_code == 0
    journal = "c.journal.sqlite"
    copies = {"jl.db": journal, f"{journal}.bak": journal, "ch.csv": "c.checks.csv"}
    for copy, original in copies.items():
        shutil.copyfile(tmp_path / original, tmp_path / copy)
    others = {"photo.jpg": os.urandom(4096), "data.parquet": b"PAR1", "notes.txt": b"a,b\n", "x.zip": b"PK"}
    for name, content in others.items():
        (tmp_path / name).write_bytes(content)
    opened, real_open = [], builtins.open

    def opens(file, *args, **kwargs):
        opened.append(os.path.basename(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", opens)
    monkeypatch.setattr(batch, "table_columns", lambda path: pytest.fail(f"read the columns of {path}"))
    kept, skipped = batch.without_runs_files(sorted(map(str, tmp_path.iterdir())))
    assert sorted(map(os.path.basename, kept)) == ["a.pdf", *sorted(others)]
    assert {os.path.basename(path) for path in skipped} >= {"c.csv", "c.files.csv", *copies}
    assert not set(opened) & {"a.pdf", *others}, opened


def _outputs(output) -> dict[str, bytes]:
    base = output.with_suffix("")
    return {kind: base.with_name(base.name + kind + ".csv").read_bytes() for kind in ("", ".checks")}


def _status_rows(output) -> list[list[str]]:
    """The status table without its `seconds` column (the time each file took in the run that read it)."""
    import csv

    with open(output.with_name(output.stem + ".files.csv"), encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    drop = rows[0].index("seconds")
    return [r[:drop] + r[drop + 1 :] for r in rows]


def test_resume_equals_a_fresh_run_with_copies_and_dropped_inputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    paths = _samples(
        folder,
        {
            "a.pdf": "jiangyuan-city-2021.pdf",
            "b copy.pdf": "jiangyuan-city-2021.pdf",
            "c.pdf": "yunhu-district-2024.pdf",
            "d.pdf": "guiling-township-2024.pdf",
        },
    )
    shutil.copyfile(BAD / "truncated.pdf", folder / "e.pdf")
    paths.append(str(folder / "e.pdf"))
    fresh, resumed = tmp_path / "fresh" / "cells.csv", tmp_path / "resumed" / "cells.csv"
    # An earlier run read d.pdf (no longer given later) and an older a.pdf, whose content has changed since.
    shutil.copyfile(SAMPLES / "nanping-education-2023.pdf", folder / "old-a.pdf")
    os.replace(folder / "a.pdf", tmp_path / "a.pdf")
    os.replace(folder / "old-a.pdf", folder / "a.pdf")
    run_batch([paths[0], paths[3]], str(resumed), "csv", workers=1, timeout=None)
    os.replace(tmp_path / "a.pdf", folder / "a.pdf")
    given = [p for p in paths if not p.endswith("d.pdf")]

    with Batch(given, str(resumed), "csv", resume=True) as again:
        assert [os.path.basename(s) for s, _ in again.todo] == ["a.pdf", "b copy.pdf", "c.pdf", "e.pdf"]
        again.run(workers=2, timeout=30)
    run_batch(given, str(fresh), "csv", workers=1, timeout=None)

    assert _outputs(fresh) == _outputs(resumed)
    assert _status_rows(fresh) == _status_rows(resumed)
    rows = _status_rows(fresh)
    header = rows[0]
    by_name = {os.path.basename(r[0]): dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert sorted(by_name) == ["a.pdf", "b copy.pdf", "c.pdf", "e.pdf"]
    assert by_name["b copy.pdf"]["duplicate_of"] == str(folder / "a.pdf")  # its own rows, and says whose copy
    assert by_name["a.pdf"]["duplicate_of"] == ""
    assert by_name["b copy.pdf"]["cells_found"] == by_name["a.pdf"]["cells_found"] != ""


def test_resume_reads_again_what_timed_out(tmp_path, monkeypatch):
    paths = _samples(tmp_path, {"a.pdf": "jiangyuan-city-2021.pdf", "b-hang.pdf": "yunhu-district-2024.pdf"})
    output = tmp_path / "out" / "cells.csv"
    with monkeypatch.context() as patch:
        patch.setattr(batch, "read_report_safely", _reader_that(_hang_in_c, "hang"))
        result = run_batch(paths, str(output), "csv", workers=1, timeout=1.0)
    assert result.counts == {"ok": 1, "partial": 0, "failed": 1}
    with Batch(paths, str(output), "csv", resume=True) as again:
        assert again.todo == [(paths[1], batch.content_hash(paths[1]))]
        assert again.run(workers=1, timeout=30).counts == {"ok": 2, "partial": 0, "failed": 0}
    assert journal_path(str(output)).exists()


def test_a_dask_task_hanging_in_c_is_killed_at_the_timeout():
    """On a Dask worker the task forks its reading into a child, which is killed at the limit."""
    from gongkai import pool

    started = time.perf_counter()
    outcome = pool.call_with_limit(lambda task: _hang_in_c(), None, timeout=0.5)
    assert (outcome.failure, time.perf_counter() - started < 5) == (pool.TIMEOUT, True)
    assert outcome.seconds >= 0.5  # the time it ran until killed
    assert pool.call_with_limit(len, "four", timeout=5).result == 4


def test_a_resume_with_another_input_kind_is_refused_before_any_reading(tmp_path, monkeypatch):
    paths = _samples(tmp_path, {"a.pdf": "jiangyuan-city-2021.pdf"})
    page = tmp_path / "b.html"
    page.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>", encoding="utf-8")
    paths.append(str(page))
    output = tmp_path / "out" / "cells.csv"
    run_batch(paths, str(output), "csv", workers=1, timeout=None, kind="pdf")  # b.html: failed, not a PDF
    monkeypatch.setattr(batch, "content_hash", lambda path: pytest.fail("hashed before the check"))
    with pytest.raises(
        ReadingOptionsChangedError, match="read with input kind pdf, this run asks for input kind auto"
    ):
        Batch(paths, str(output), "csv", resume=True, kind="auto")
    monkeypatch.undo()
    with Batch(paths, str(output), "csv", resume=True, kind="pdf") as same:  # the same options resume
        assert same.todo == []


def test_a_batch_never_closed_releases_its_journal_when_it_is_collected(tmp_path):
    """A Batch used without `with` or close(), as an open file may be: its lock outlived it, and a
    later Batch on the same output in the process was refused as busy, by its own pid."""
    paths = _samples(tmp_path, {"a.pdf": "jiangyuan-city-2021.pdf"})
    output = str(tmp_path / "out" / "cells.csv")
    first = Batch(paths, output, "csv")
    first.run(timeout=None)
    del first
    gc.collect()
    with Batch(paths, output, "csv", resume=True) as again:
        assert again.todo == []  # the first run's journal, closed whole


def test_a_second_run_into_the_same_output_is_refused_before_any_reading(tmp_path, monkeypatch):
    paths = _samples(tmp_path, {"a.pdf": "jiangyuan-city-2021.pdf"})
    output = tmp_path / "out" / "cells.csv"
    with Batch(paths, str(output), "csv"):
        monkeypatch.setattr(batch, "content_hash", lambda path: pytest.fail("hashed before the check"))
        for resume in (False, True):
            with pytest.raises(
                JournalBusyError, match=rf"another gongkai run \(pid {os.getpid()}\) is writing"
            ):
                Batch(paths, str(output), "csv", resume=resume)
        assert journal_path(str(output)).exists()  # the first run's journal is untouched
    monkeypatch.undo()
    assert run_batch(paths, str(output), "csv", timeout=None).counts["ok"] == 1  # the lock went with it
    assert sorted(p.name for p in output.parent.iterdir()) == [
        "cells.checks.csv",
        "cells.csv",
        "cells.files.csv",
        "cells.journal.sqlite",
    ]


def test_a_named_pipe_or_a_device_gets_a_failed_row_and_is_never_opened(tmp_path, monkeypatch):
    paths = _samples(tmp_path, {"a.pdf": "jiangyuan-city-2021.pdf"})
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer for ever
    opened = []
    real_open = open
    monkeypatch.setattr(
        "builtins.open", lambda file, *a, **k: opened.append(str(file)) or real_open(file, *a, **k)
    )
    with Batch([*paths, str(fifo), os.devnull], str(tmp_path / "cells.csv"), "csv") as run:
        assert dict(run.tasks)[str(fifo)] == dict(run.tasks)[os.devnull] == ""
        result = run.run(workers=1, timeout=30)
    assert str(fifo) not in opened and os.devnull not in opened
    assert result.counts == {"ok": 1, "partial": 0, "failed": 2}
    rows = {r[0]: r[2] for r in _status_rows(tmp_path / "cells.csv")[1:]}
    assert rows[str(fifo)] == "not a regular file but a named pipe (FIFO); only files are read"
    assert rows[os.devnull] == "not a regular file but a character device; only files are read"


def test_a_named_pipe_whose_name_is_no_report_s_is_never_opened_by_the_check_for_a_run_s_files(
    tmp_path, monkeypatch
):
    """`gongkai extract pipe -o x.csv` (and `iter_reports("pipe")`, `summary pipe`) hung: the check
    for the files a run writes opened a named pipe whose name is no report's, to sniff its
    content, and waited for ever for a writer. No file a run writes is anything but a regular
    file: the pipe gets its failed row, as one named pipe.pdf does, unopened."""
    from click.testing import CliRunner

    from gongkai.cli import main

    fifo, device = str(tmp_path / "pipe"), str(tmp_path / "c.journal.lock")
    os.mkfifo(fifo)
    os.symlink(os.devnull, device)  # a link to a device, named as a run's lock
    real_open = open

    def opens(file, *args, **kwargs):
        if os.path.realpath(str(file)) in (fifo, os.devnull):
            pytest.fail(f"opened {file}")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", opens)
    assert not batch.written_by_a_run(fifo) and not batch.written_by_a_run(device)
    assert [r.reason for r in iter_reports(fifo, timeout=None)] == [
        "not a regular file but a named pipe (FIFO); only files are read"
    ]
    result = CliRunner().invoke(main, ["extract", fifo, "-o", str(tmp_path / "x.csv"), "-w", "1"])
    assert result.exit_code == 1 and "pipe: not a regular file but a named pipe" in result.stderr


def test_an_interruption_while_the_outputs_are_moved_into_place_leaves_no_mix_of_two_runs(
    tmp_path, monkeypatch
):
    from gongkai.output import writers

    output = tmp_path / "cells.csv"
    run_batch(_samples(tmp_path, {"a.pdf": "jiangyuan-city-2021.pdf"}), str(output), "csv", timeout=None)
    paths = _samples(tmp_path, {"a.pdf": "jiangyuan-city-2021.pdf", "b.pdf": "yunhu-district-2024.pdf"})
    fresh = tmp_path / "fresh" / "cells.csv"
    run_batch(paths, str(fresh), "csv", timeout=None)
    replace = os.replace

    def interrupted_after_the_first(source, target):
        replace(source, target)
        monkeypatch.setattr(writers.os, "replace", replace)
        raise KeyboardInterrupt  # Ctrl-C just after the first file moved into place

    monkeypatch.setattr(writers.os, "replace", interrupted_after_the_first)
    with pytest.raises(batch.BatchInterrupted) as stop:
        run_batch(paths, str(output), "csv", timeout=None)
    assert stop.value.completed and stop.value.earlier_outputs == []
    assert _outputs(output) == _outputs(fresh)
    assert _status_rows(output) == _status_rows(fresh)


def test_an_interruption_counts_what_the_journal_holds(tmp_path, monkeypatch):
    from gongkai.output.journal import Journal

    paths = _samples(tmp_path, {"a.pdf": "jiangyuan-city-2021.pdf", "b.pdf": "yunhu-district-2024.pdf"})
    add = Journal.add

    def stored_then_interrupted(self, *args):
        add(self, *args)
        raise KeyboardInterrupt  # Ctrl-C the moment the first report is stored

    monkeypatch.setattr(Journal, "add", stored_then_interrupted)
    with (
        pytest.raises(batch.BatchInterrupted) as stop,
        Batch(paths, str(tmp_path / "cells.csv"), "csv") as run,
    ):
        run.run(workers=1, timeout=None)
    assert (stop.value.finished, stop.value.total) == (1, 2)
    monkeypatch.undo()
    with Batch(paths, str(tmp_path / "cells.csv"), "csv", resume=True) as again:
        assert again.result.reused == stop.value.finished


def test_a_fresh_run_never_throws_away_an_unfinished_runs_reports(tmp_path, monkeypatch):
    """A run started again without --resume after an interruption is refused before any
    reading; once a run has written its output, the next one may start afresh."""
    from gongkai.output.journal import Journal, UnfinishedRunError

    paths = _samples(tmp_path, {"a.pdf": "jiangyuan-city-2021.pdf", "b.pdf": "yunhu-district-2024.pdf"})
    output = str(tmp_path / "cells.csv")
    add = Journal.add

    def stored_then_interrupted(self, *args):
        add(self, *args)
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(Journal, "add", stored_then_interrupted)
        with pytest.raises(batch.BatchInterrupted):
            run_batch(paths, output, "csv", timeout=None)
    with monkeypatch.context() as patch:
        patch.setattr(batch, "content_hash", lambda path: pytest.fail("hashed before the check"))
        unfinished = r"holds 1 report of a run that did not finish: add --resume"
        with pytest.raises(UnfinishedRunError, match=unfinished):
            Batch(paths, output, "csv")
    assert run_batch(paths, output, "csv", timeout=None, resume=True).counts["ok"] == 2
    with Batch(paths, output, "csv") as afresh:  # the finished run's journal is started again
        assert afresh.result.reused == 0 and len(afresh.todo) == 2


def test_a_journal_of_no_report_is_removed_and_resuming_one_starts_afresh(tmp_path):
    """A run that stops before its first report (an error, Ctrl-C, a full disk) leaves no
    journal; one left all the same (kill -9, the version before) is nothing to resume."""
    import sqlite3

    from gongkai.errors import InvalidOptionError

    paths = _samples(tmp_path, {"a.pdf": "yunhu-district-2024.pdf"})
    output = tmp_path / "out" / "cells.csv"
    journal = journal_path(str(output))
    with Batch(paths, str(output), "csv") as first, pytest.raises(InvalidOptionError):
        first.run(workers=0)
    assert list(output.parent.iterdir()) == []
    with Batch(paths, str(output), "csv"):
        pass
    assert list(output.parent.iterdir()) == []
    with sqlite3.connect(journal) as db:  # as a run killed before its first report leaves it
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('layout', '1:another version'), ('finished', '0')")
    db.close()
    result = run_batch(paths, str(output), "csv", workers=1, timeout=None, resume=True)
    assert (result.reused, result.counts["ok"]) == (0, 1)
    assert sorted(p.name for p in output.parent.iterdir()) == [
        "cells.checks.csv",
        "cells.csv",
        "cells.files.csv",
        "cells.journal.sqlite",
    ]


def test_a_journal_of_only_timeouts_and_crashes_holds_nothing_to_resume(tmp_path):
    """Timeouts and crashed workers are read again by --resume: a journal holding only them is
    as one of no report. A fresh run does not refuse it as an unfinished run's, --resume with
    another input kind is not refused, and closing one removes it."""
    import sqlite3

    from gongkai.output.journal import Journal

    paths = _samples(tmp_path, {"a.pdf": "yunhu-district-2024.pdf", "b.pdf": "jiangyuan-city-2021.pdf"})
    output = str(tmp_path / "cells.csv")
    journal = journal_path(output)
    empty = {kind: [] for kind in ("cells", "files", "checks")}
    with Journal(journal, reading={"input kind": "auto"}) as written:  # as a run killed by kill -9
        written.add(paths[0], "0" * 64, "failed", "timeout (not read in 1 s)", empty)
        written.add(paths[1], "1" * 64, "failed", "worker crashed (signal SIGKILL)", empty)
        written.add("kept.pdf", "2" * 64, "ok", "", empty)
    with sqlite3.connect(journal) as db:
        db.execute("DELETE FROM reports WHERE status = 'ok'")
    db.close()
    with Batch(paths, output, "csv") as fresh:
        assert len(fresh.todo) == 2
    assert not journal.exists()  # closed holding nothing to resume
    result = run_batch(paths, output, "csv", workers=1, timeout=None)
    with sqlite3.connect(journal) as db:  # as a finished run whose every file timed out leaves it
        db.execute("UPDATE reports SET status = 'failed', reason = 'timeout (not read in 1 s)'")
    db.close()
    resumed = run_batch(paths, output, "csv", workers=1, timeout=None, resume=True, kind="pdf")
    assert (result.counts["ok"], resumed.reused, resumed.counts["ok"]) == (2, 0, 2)


def test_the_files_beside_an_output_are_named_in_one_place(tmp_path):
    """What a batch writes, what it skips as its own and what it says it left all name the
    output's tables as `output_files` does."""
    from gongkai.output.journal import journal_files
    from gongkai.output.writers import partial_path

    output = str(tmp_path / "cells.parquet")
    tables = [tmp_path / "cells.parquet", tmp_path / "cells.files.csv", tmp_path / "cells.checks.csv"]
    assert batch.output_files(output, "parquet") == tables
    assert batch.output_files(str(tmp_path / "book.xlsx"), "xlsx") == [tmp_path / "book.xlsx"]
    assert batch.output_files("-", "csv") == []
    assert batch.batch_files(output, "parquet") == [
        *tables,
        *map(partial_path, tables),
        *journal_files(output),
    ]
    assert batch.own_files(output) == [*tables, *journal_files(output)]
    paths = _samples(tmp_path, {"a.pdf": "yunhu-district-2024.pdf"})
    with Batch(paths, output, "parquet") as run:
        assert run.outputs() == tables


def test_a_batch_takes_one_path_as_one_and_refuses_bad_options_before_the_journal(tmp_path):
    """`run_batch("a.pdf", …)` reads one file, not one per letter of its name; an option extract
    would refuse is refused before any reading, and leaves nothing beside the output."""
    from pathlib import Path

    from gongkai.errors import InputTypeError, InvalidOptionError, UnknownKindError
    from gongkai.output.records import OutputFormatError

    (path,) = _samples(tmp_path, {"a.pdf": "yunhu-district-2024.pdf"})
    output = tmp_path / "out" / "cells.csv"
    for one in (path, Path(path)):
        result = run_batch(one, output, None, workers=1, timeout=None)
        assert (result.total, result.counts["ok"]) == (1, 1)
    shutil.rmtree(output.parent)
    for options, error in [
        ({"fmt": "CSV"}, ValueError),
        ({"fmt": "parquet"}, ValueError),  # cells.csv is no Parquet file
        ({"kind": "PDF"}, UnknownKindError),
        ({"shape": "tall"}, InvalidOptionError),
        ({"encoding": "no-such-encoding"}, ValueError),
        ({"encoding": "latin-1"}, ValueError),  # cannot write Chinese
    ]:
        arguments = {"fmt": "csv", **options}
        with pytest.raises(error):
            Batch([path], str(output), **arguments)
        assert not output.parent.exists() or list(output.parent.iterdir()) == []
    with pytest.raises(OutputFormatError):
        Batch([path], str(tmp_path / "book.xlsx"), "xlsx", shape="wide")
    with pytest.raises(InputTypeError):
        Batch(5, str(output), "csv")


def test_a_batch_of_no_inputs_is_refused_before_anything_is_written(tmp_path):
    """`run_batch([], …)` raises NoInputsError, as read_reports([]) does, and writes nothing:
    no header-only output, no journal."""
    output = tmp_path / "out" / "cells.csv"
    for paths in ([], ()):
        with pytest.raises(NoInputsError, match="no inputs given"):
            run_batch(paths, str(output), "csv", workers=1, timeout=None)
        with pytest.raises(NoInputsError):
            Batch(paths, str(output), "csv")
    assert not output.parent.exists() or list(output.parent.iterdir()) == []


@pytest.mark.parametrize("output", ["", ".", "/", "out/", "out/.", "out/.."])
def test_an_output_that_names_no_file_is_refused_before_any_reading(tmp_path, monkeypatch, output):
    monkeypatch.chdir(tmp_path)  # where such an output would be written
    from click.testing import CliRunner

    from gongkai.batch import BatchSetupError
    from gongkai.cli import main

    with pytest.raises(BatchSetupError, match="names no file"):
        run_batch([str(SAMPLES / "yunhu-district-2024.pdf")], output, "csv")
    result = CliRunner().invoke(
        main, ["extract", str(SAMPLES / "yunhu-district-2024.pdf"), "-o", output, "--format", "csv"]
    )
    assert result.exit_code == 2 and "names no file" in result.output


@pytest.mark.parametrize("below", ["cells.csv", "deeper/cells.csv"])
def test_an_output_below_a_file_says_which_file_is_no_folder(tmp_path, below):
    """`extract r.pdf -o out.csv/cells.csv`, where out.csv is a file, said only 'Not a directory'
    of the output's path, not which part of it is a file."""
    from click.testing import CliRunner

    from gongkai.cli import main

    (tmp_path / "out.csv").write_text("")
    output = tmp_path / "out.csv" / below
    report = str(SAMPLES / "yunhu-district-2024.pdf")
    result = CliRunner().invoke(main, ["extract", report, "-o", str(output)])
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"gongkai: error: cannot write '{output}': '{tmp_path / 'out.csv'}' is a file, not a folder\n"
    )


def test_an_output_named_as_another_output_s_temporary_file_is_refused(tmp_path):
    """`extract r.pdf -o out/.cells.csv.partial --format csv` was written (with its tables and
    journal beside it), where a run into out/cells.csv writes its output until it is whole: as a
    name ending in .journal.sqlite or .files.csv, it is refused before any reading."""
    from click.testing import CliRunner

    from gongkai.cli import main

    report = str(SAMPLES / "guiling-township-2024.pdf")
    output = tmp_path / "out" / ".cells.csv.partial"
    result = CliRunner().invoke(main, ["extract", report, "-o", str(output), "--format", "csv"])
    assert result.exit_code == 2, result.output
    assert "is that of the file NAME while a run of extract writes it" in result.stderr
    assert not (tmp_path / "out").exists()
    with pytest.raises(batch.BatchSetupError):
        batch.Batch([report], str(output), "csv")
    assert not (tmp_path / "out").exists()


def test_a_batch_from_python_refuses_an_output_that_would_replace_an_input_or_another_run_s_file(tmp_path):
    """`Batch(["r.pdf"], "r.pdf", "csv").run()` wrote the cells over the report itself, and
    `Batch(paths, "a.journal.sqlite", "csv")` over the journal of the output a.csv, where extract
    refuses both before any reading: the Batch refuses them too, before it touches the journal."""
    report = tmp_path / "r.pdf"
    shutil.copyfile(SAMPLES / "guiling-township-2024.pdf", report)
    before = report.read_bytes()
    assert run_batch([str(report)], str(tmp_path / "a.csv"), "csv").cells_written == 200
    journal = (tmp_path / "a.journal.sqlite").read_bytes()
    for output, says in [
        (report, "it is the input"),
        (tmp_path / "a.journal.sqlite", "names ending in .journal.sqlite are the files beside an output"),
        (tmp_path / "a.files.csv", "names ending in .files.csv"),
    ]:
        with pytest.raises(batch.BatchSetupError, match=says):
            Batch([str(report)], str(output), "csv")
    assert report.read_bytes() == before
    assert (tmp_path / "a.journal.sqlite").read_bytes() == journal
    assert not (tmp_path / "r.journal.sqlite").exists()


def test_resuming_a_journal_cut_short_says_how_to_go_on(tmp_path):
    """A journal cut short (a copy, a disk that failed) refused --resume with only SQLite's words."""
    from click.testing import CliRunner

    from gongkai.cli import main

    output = tmp_path / "c.csv"
    command = ["extract", str(SAMPLES / "guiling-township-2024.pdf"), "-o", str(output), "-q"]
    assert CliRunner().invoke(main, command).exit_code == 0
    journal = journal_path(str(output))
    journal.write_bytes(journal.read_bytes()[:5000])
    resumed = CliRunner().invoke(main, [*command, "--resume"])
    assert resumed.exit_code == 2
    assert resumed.stderr.endswith(
        "is not a gongkai journal (database disk image is malformed): run without --resume to read every "
        "input again\n"
    )
    assert CliRunner().invoke(main, command).exit_code == 0  # as it says
