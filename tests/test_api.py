"""The Python API takes one path or many, never drops a failed file silently, and prints short."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import gongkai
from gongkai.cli import main
from gongkai.model import NoteCode

from .conftest import BAD_INPUTS, BROKEN_SAMPLE, SAMPLES

SAMPLE_NAMES = sorted(p.name for p in SAMPLES.glob("*.pdf"))


@pytest.mark.parametrize(
    "inputs",
    [str(SAMPLES), SAMPLES, [str(SAMPLES)], [SAMPLES], str(SAMPLES / "*.pdf"), sorted(SAMPLES.glob("*.pdf"))],
    ids=["str", "Path", "[str]", "[Path]", "glob", "files"],
)
def test_iter_reports_takes_one_path_or_many(inputs):
    reports = list(gongkai.iter_reports(inputs))
    assert [Path(r.source).name for r in reports] == SAMPLE_NAMES
    assert all(r.status == "ok" for r in reports)


@pytest.mark.parametrize("inputs", [str(SAMPLES), SAMPLES, f"{SAMPLES}/*.pdf"], ids=["str", "Path", "glob"])
def test_expand_inputs_takes_one_path_as_iter_reports_does(inputs):
    """`gongkai.expand_inputs("samples/")` listed the path's letters as files ('/' searched the
    whole disk), and a Path raised TypeError: one str or Path is one path, as for iter_reports."""
    assert [Path(path).name for path in gongkai.expand_inputs(inputs)] == SAMPLE_NAMES
    with pytest.raises(gongkai.NoInputsError, match="no inputs given"):
        gongkai.expand_inputs([])
    with pytest.raises(gongkai.InputTypeError, match="not bytes"):
        gongkai.expand_inputs(bytes(SAMPLES))


def test_read_reports_warns_about_failed_files_and_gives_the_status_table():
    with pytest.warns(gongkai.FailedReportsWarning, match="1 of 2 inputs could not be read: .*not-a-pdf"):
        cells, files = gongkai.read_reports([BROKEN_SAMPLE, BAD_INPUTS / "not-a-pdf.pdf"], with_status=True)
    assert cells["source"].unique().tolist() == [str(BROKEN_SAMPLE)]
    assert files["status"].tolist() == ["failed", "ok"] and files["reason"][0] == "not a PDF file"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(gongkai.read_reports(BROKEN_SAMPLE)) == 200  # nothing failed, no warning


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (
            lambda: gongkai.read_reports(str(SAMPLES / "nothing-matches-*.pdf")),
            "NoInputsError",
            "no report files",
        ),
        (lambda: gongkai.read_reports(bytes(SAMPLES)), "InputTypeError", "not bytes"),
        (lambda: gongkai.read_reports([str(SAMPLES), b"more/"]), "InputTypeError", "not bytes"),
        (lambda: list(gongkai.iter_reports(42)), "InputTypeError", "not int"),
        (lambda: gongkai.read_report(bytes(BROKEN_SAMPLE)), "InputTypeError", "not bytes"),
        (lambda: gongkai.read_report(BROKEN_SAMPLE, kind="bogus"), "UnknownKindError", "'bogus'"),
        (lambda: gongkai.read_reports(SAMPLES, kind="bogus"), "UnknownKindError", "use auto, pdf"),
        (lambda: gongkai.expand_inputs([str(SAMPLES)], kind="bogus"), "UnknownKindError", "'bogus'"),
        (lambda: gongkai.read_reports([]), "NoInputsError", "no inputs given"),
        (lambda: gongkai.read_reports(SAMPLES, workers=0), "InvalidOptionError", "at least 1, not 0"),
        (lambda: gongkai.read_reports(SAMPLES, workers="2"), "InvalidOptionError", "not '2'"),
        (lambda: list(gongkai.iter_reports(SAMPLES, timeout=-1)), "InvalidOptionError", "not -1"),
        (lambda: gongkai.read_reports(SAMPLES, timeout=float("inf")), "InvalidOptionError", "not inf"),
        (lambda: gongkai.read_reports(SAMPLES, timeout=float("nan")), "InvalidOptionError", "not nan"),
        (lambda: gongkai.read_report(BROKEN_SAMPLE, threads="x"), "InvalidOptionError", "threads.*not 'x'"),
        (lambda: gongkai.read_report(BROKEN_SAMPLE, threads=0), "InvalidOptionError", "at least 1, not 0"),
        (lambda: gongkai.to_wide(str(SAMPLES)), "InputTypeError", "DataFrame of cell records.*not str"),
        (lambda: gongkai.to_wide(gongkai.read_report(BROKEN_SAMPLE)), "InputTypeError", "its .cells"),
        (lambda: gongkai.compare_cells("a.csv", "b.csv"), "InputTypeError", "a is a DataFrame"),
        (lambda: gongkai.year_over_year(pd.DataFrame({"x": [1]})), "InputTypeError", "no 'source' column"),
        (lambda: gongkai.summarize_reports(str(SAMPLES)), "InputTypeError", "pass gongkai.iter_reports"),
        (lambda: gongkai.write_workbook(["x.pdf"], "x.xlsx"), "InputTypeError", "not str"),
        # Before the reports are gathered (iter_reports reads them all): was TypeError from openpyxl.
        (lambda: gongkai.write_workbook(iter([]), 5), "InputTypeError", "a path is a str.*not int"),
    ],
    ids=[
        *("empty-glob", "bytes", "bytes-in-list", "int", "bytes-report", "kind", "kind-batch", "kind-expand"),
        *("empty-list", "no-workers", "workers-text", "negative-timeout", "endless-timeout", "nan-timeout"),
        *("threads-text", "no-threads"),
        *("wide-path", "wide-report", "compare-paths", "yoy-table", "summary-path", "workbook-paths"),
        "workbook-output-int",
    ],
)
def test_a_call_the_library_cannot_act_on_raises_an_exported_gongkai_error(call, error, words):
    exception = getattr(gongkai, error)
    assert error in gongkai.__all__ and issubclass(exception, gongkai.GongkaiError)
    with pytest.raises(exception, match=words) as raised:
        call()
    assert type(raised.value) is exception and "\n" not in str(raised.value)


def test_a_file_a_run_writes_named_to_the_library_is_refused_as_the_command_refuses_it(tmp_path, monkeypatch):
    """`gongkai.iter_reports("out/c.journal.sqlite")` read the journal as a report (a failed
    Report), and so did read_reports, expand_inputs (which listed it) and a Batch over it, where
    `gongkai extract` refuses it: each raises RunsFileError before any reading, in the line the
    command prints; a pattern still skips it, and a Batch leaves its output's journal untouched."""
    from gongkai import batch

    out = tmp_path / "运行 1" / "c 表.csv"
    assert CliRunner().invoke(main, ["extract", str(BROKEN_SAMPLE), "-o", str(out), "-q"]).exit_code == 0
    (out.parent / "c 表.journal.lock").write_text("")
    monkeypatch.setattr(batch, "read_report_safely", lambda *a, **k: pytest.fail("read a report"))
    new = tmp_path / "new.csv"
    for name in ("c 表.journal.sqlite", "c 表.journal.lock", "c 表.files.csv", "c 表.csv"):
        named = out.with_name(name)
        said = CliRunner().invoke(main, ["extract", str(named), "-o", str(new)])
        assert said.exit_code == 2 and said.stderr.startswith("gongkai: error: "), said.output
        line = said.stderr.removeprefix("gongkai: error: ").rstrip("\n")
        calls = [
            lambda named: list(gongkai.iter_reports(named)),
            lambda named: gongkai.read_reports([BROKEN_SAMPLE, str(named)]),
            lambda named: gongkai.expand_inputs([str(named)]),
            lambda named: batch.Batch([str(BROKEN_SAMPLE), named], new, None),
            lambda named: batch.run_batch([str(named)], str(new), "csv"),
        ]
        for call in calls:
            with pytest.raises(gongkai.RunsFileError) as raised:
                call(named)
            assert str(raised.value) == line and raised.value.path == str(named)
    assert issubclass(gongkai.RunsFileError, gongkai.GongkaiError | ValueError)
    assert not list(tmp_path.glob("new*"))  # no journal begun, nor its lock
    with pytest.raises(gongkai.NoInputsError, match="only files of outputs of extract"):
        gongkai.expand_inputs([str(out.parent / "*")])  # a pattern skips them


def test_a_file_a_run_writes_given_to_read_report_or_read_output_is_refused_as_the_commands_refuse_it(
    tmp_path,
):
    """`gongkai.read_report("c.journal.sqlite")` raised 'not a PDF file', and `read_output` of
    the journal 'neither UTF-8 nor GB18030 text', of the files table 'holds no long cell
    records', of a temporary 'c.files.csv is missing': each raises RunsFileError in the line
    `extract` prints (read_report) or `summary` prints (read_output, which reads outputs back)."""
    from gongkai.output.writers import partial_path

    out = tmp_path / "c.csv"
    assert CliRunner().invoke(main, ["extract", str(BROKEN_SAMPLE), "-o", str(out), "-q"]).exit_code == 0
    partial_path(out).write_bytes(out.read_bytes())
    for named in (out.with_name("c.journal.sqlite"), out.with_name("c.files.csv"), partial_path(out)):
        extract = ["extract", str(named), "-o", str(tmp_path / "new.csv")]
        for args, read in ((extract, gongkai.read_report), (["summary", str(named)], gongkai.read_output)):
            said = CliRunner().invoke(main, args)
            assert said.exit_code == 2, said.output
            line = said.stderr.removeprefix("gongkai: error: ").rstrip("\n")
            with pytest.raises(gongkai.RunsFileError) as raised:
                read(named)
            assert str(raised.value) == line and raised.value.path == str(named)
    assert len(gongkai.read_output(out)[0]) == 200  # the output itself is read back


def test_repr_is_one_short_line():
    shown = repr(gongkai.read_report(BROKEN_SAMPLE))
    assert "\n" not in shown and len(shown) < 200
    assert (
        shown == f"<Report {str(BROKEN_SAMPLE)!r}: ok, 云溪市云湖区人民政府 2024, form 2021, 200/200 cells>"
    )
    failed = next(gongkai.iter_reports(BAD_INPUTS / "not-a-pdf.pdf"))
    assert "not a PDF file" in repr(failed) and "\n" not in repr(failed)


def test_group_columns_come_from_the_form():
    cells = gongkai.read_report(BROKEN_SAMPLE).cells
    table = gongkai.FORM_2021.table("applications")
    for row in table.rows:
        rows = cells[cells["row_id"] == row.id]
        expected = (table.group(row.group).label, row.group) if row.group else ("", "")
        assert set(zip(rows["group"].fillna(""), rows["group_id"].fillna(""), strict=True)) == {expected}
    withheld = cells[cells["row_id"] == "withheld_state_secret"].iloc[0]
    assert (withheld["group"], withheld["group_id"]) == ("（三）不予公开", "withheld")
    fees = cells[cells["row_id"] == "fees"].iloc[0]
    assert (fees["group"], fees["group_id"]) == ("第二十条第（八）项", "article20_8")
    assert set(cells["agency_key"]) == {"云湖区人民政府"}


def test_a_sample_shows_every_kind_of_note():
    report = gongkai.read_report(BROKEN_SAMPLE)
    codes = set(report.cells["note_code"].dropna())
    assert {NoteCode.BLANK, NoteCode.NOT_APPLICABLE, NoteCode.ANNOTATED} <= codes
    assert "/" in set(report.cells["raw"].dropna())
    assert [c.rule_id for c in report.checks if c.status == "failed"] == [
        "applications_balance[natural_person]",
        "applications_balance[total]",
    ]


def test_read_output_of_what_is_no_output_says_what_it_is(tmp_path):
    with pytest.raises(gongkai.NotAnOutputError, match=r"is a report.*read_report"):
        gongkai.read_output(BROKEN_SAMPLE)
    with pytest.raises(gongkai.NotAnOutputError, match="is no file"):
        gongkai.read_output(tmp_path)
    with pytest.raises(gongkai.NotAnOutputError, match="is no file"):
        gongkai.read_output(tmp_path / "gone.csv")
    binary = tmp_path / "cells.csv"
    binary.write_bytes(bytes([0x80, 0xFF]) * 50)
    with pytest.raises(gongkai.NotAnOutputError, match="neither UTF-8 nor GB18030"):
        gongkai.read_output(binary)
    assert issubclass(gongkai.NotAnOutputError, gongkai.GongkaiError)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet", "csv"])
def test_an_output_written_in_gb18030_reads_back(tmp_path, fmt):
    # JSONL is UTF-8 and Parquet binary, but the tables beside them are CSV in --encoding.
    out = tmp_path / f"cells.{fmt}"
    arguments = ["extract", str(BROKEN_SAMPLE), "-o", str(out), "--encoding", "gb18030", "-q"]
    assert CliRunner().invoke(main, arguments).exit_code == 0
    cells, files, _ = gongkai.read_output(out)
    assert files["agency"].tolist() == ["云溪市云湖区人民政府"] and len(cells) == 200


def test_a_path_longer_than_the_system_takes_is_a_failed_report_not_an_oserror(tmp_path):
    """read_reports and iter_reports raised OSError (File name too long) from Path.is_dir."""
    long = str(tmp_path.joinpath(*["d"] * 2100, "x.pdf"))
    (report,) = gongkai.iter_reports([long])
    assert report.status == "failed" and "File name too long" in report.reason
    with pytest.warns(gongkai.FailedReportsWarning):
        cells, files = gongkai.read_reports(long, with_status=True)
    assert cells.empty and list(files["status"]) == ["failed"]
