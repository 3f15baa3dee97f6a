"""File names that are not UTF-8 (what unzipping an archive of GBK names gives): every command
reads the file, and `source` is text in every output, its undecodable bytes shown as \\xNN."""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import gongkai
from gongkai.batch import Batch, run_batch
from gongkai.cli import main
from gongkai.locate import identity_from_titles
from gongkai.output.journal import journal_path
from gongkai.output.records import companion_path
from gongkai.sources import message_path, path_text, quoted

from .conftest import FIXTURES, SAMPLES

GBK_NAME = "桂岭乡2024年报.pdf".encode("gbk")
# The name's bytes decoded as UTF-8 where they are, each other byte as \xNN.
GBK_TEXT = GBK_NAME.decode("utf-8", "backslashreplace")


def _gbk_named(folder: Path, sample: Path = SAMPLES / "guiling-township-2024.pdf", name: bytes = GBK_NAME):
    """A copy of `sample` under a name of GBK bytes; its path as Python lists it (surrogate escapes)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = os.path.join(os.fsencode(folder), name)
    shutil.copyfile(sample, path)
    return os.fsdecode(path)


def test_path_text_escapes_only_what_is_not_utf8():
    assert path_text("reports/桂岭乡 2024.pdf") == "reports/桂岭乡 2024.pdf"
    assert path_text(os.fsdecode(b"r/\xb9\xf0.pdf")) == "r/\\xb9\\xf0.pdf"
    assert path_text("made\ud800.pdf") == "made\\ud800.pdf"  # no file system gives it; still text


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl", "xlsx"])
def test_extract_reads_a_gbk_named_file_and_writes_its_source_as_text(tmp_path, fmt):
    _gbk_named(tmp_path / "in")
    _gbk_named(tmp_path / "in", FIXTURES / "bad" / "not-a-pdf.pdf", b"\xb2\xbb.pdf")
    out = tmp_path / f"cells.{fmt}"
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "in"), "-o", str(out), "-w", "1"])
    assert result.exit_code == 1, result.output  # the broken file fails, with its own row
    assert result.exception is None or isinstance(result.exception, SystemExit)
    folder = str(tmp_path / "in")
    good, bad = f"{folder}/{GBK_TEXT}", f"{folder}/\\xb2\\xbb.pdf"
    if fmt == "xlsx":  # the sheets name their columns in Chinese; the source is the first
        files = pd.read_excel(out, sheet_name="files").iloc[:, :2].set_axis(["source", "status"], axis=1)
        cells = pd.read_excel(out, sheet_name="cells").iloc[:, :2].set_axis(["source", "agency"], axis=1)
    elif fmt == "jsonl":
        lines = out.read_text(encoding="utf-8").splitlines()
        cells = pd.DataFrame([json.loads(line) for line in lines])
        files = pd.read_csv(tmp_path / "cells.files.csv")
    else:
        cells = pd.read_csv(out) if fmt == "csv" else pd.read_parquet(out)
        files = pd.read_csv(tmp_path / "cells.files.csv")
    assert dict(zip(files["source"], files["status"], strict=True)) == {bad: "failed", good: "ok"}
    assert set(cells["source"]) == {good}
    assert set(cells["agency"]) == {"桂岭乡人民政府"}  # from the title, as for any name
    assert f"failed: {bad}: " in result.output


def test_resume_of_a_gbk_named_file_is_the_fresh_run(tmp_path):
    paths = sorted([_gbk_named(tmp_path / "in"), str(tmp_path / "in" / "b.pdf")])
    shutil.copyfile(SAMPLES / "yunhu-district-2024.pdf", tmp_path / "in" / "b.pdf")
    fresh, resumed = tmp_path / "fresh" / "cells.csv", tmp_path / "resumed" / "cells.csv"
    gbk = next(p for p in paths if not p.endswith("b.pdf"))
    run_batch([gbk], str(resumed), "csv", timeout=None)  # as if a run of both had stopped after it
    with Batch(paths, str(resumed), "csv", resume=True) as again:
        assert [os.path.basename(p) for p, _ in again.todo] == ["b.pdf"]  # the GBK-named one is kept
        assert again.result.reused == 1
        again.run(timeout=None)
    run_batch(paths, str(fresh), "csv", timeout=None)
    for name in ("cells.csv", "cells.checks.csv"):
        assert (fresh.parent / name).read_bytes() == (resumed.parent / name).read_bytes()
    result = CliRunner().invoke(main, ["extract", *paths, "-o", str(resumed), "--resume"])
    assert result.exit_code == 0, result.output
    assert "2 files already read, 0 to go" in result.output


def test_inspect_summary_compare_and_read_reports_take_a_gbk_named_file(tmp_path):
    gbk = _gbk_named(tmp_path / "in")
    runner = CliRunner()
    inspected = runner.invoke(main, ["inspect", gbk])
    assert inspected.exit_code == 0, inspected.output
    assert "桂岭乡人民政府" in inspected.output
    summed = runner.invoke(main, ["summary", str(tmp_path / "in")])
    assert summed.exit_code == 0, summed.output
    other = str(SAMPLES / "guiling-township-2024.pdf")
    compared = runner.invoke(main, ["compare", gbk, other])
    assert compared.exit_code == 0, compared.output
    assert f"A {tmp_path}/in/{GBK_TEXT} → B {other}" in compared.stdout  # A and B in the order given
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cells, files = gongkai.read_reports(tmp_path / "in", with_status=True)
    assert set(cells["source"]) == set(files["source"]) == {f"{tmp_path}/in/{GBK_TEXT}"}
    assert gongkai.read_report(gbk).source == f"{tmp_path}/in/{GBK_TEXT}"


def test_a_gbk_file_name_gives_its_year_but_no_agency():
    # Its bytes \xcf\xe7\xb8\xae... partly decode as UTF-8 (縮): no agency of such pieces.
    identity = identity_from_titles([("", "title")], Path(os.fsdecode("乡府2024年报.pdf".encode("gbk"))))
    assert (identity.agency, identity.year, identity.source) == (None, 2024, "filename")
    assert identity_from_titles([], Path(os.fsdecode(b"\xb9\xf0.pdf"))).year is None


def test_messages_spell_a_gbk_name_as_the_outputs_do(tmp_path):
    r"""Every message naming a path shows its bytes that are not UTF-8 as `source` does (\xb9),
    never as Python's surrogate escapes (\udcb9)."""
    gbk = _gbk_named(tmp_path / "in")
    folder = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"\xb9"))
    os.mkdir(folder)
    missing = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"\xb2\xbb.pdf"))
    output = os.path.join(folder, "cells.csv")
    runner = CliRunner()
    assert runner.invoke(main, ["extract", gbk, "-o", output, "-q"]).exit_code == 0
    with open(journal_path(output), "wb") as journal:
        journal.write(b"not a database")
    os.remove(companion_path(output, "files"))
    cases = [
        (["inspect", missing], 2),
        (["inspect", folder], 2),
        (["extract", missing, "-o", str(tmp_path / "c.csv")], 2),
        (["extract", gbk, "-o", folder, "--format", "csv"], 2),
        (["extract", gbk, "-o", output, "--resume"], 2),
        (["summary", output], 2),
        (["compare", gbk, gbk, "-o", os.path.join(folder, "c.txt")], 2),
    ]
    for arguments, status in cases:
        result = runner.invoke(main, arguments)
        assert result.exit_code == status, (arguments, result.output)
        assert "\\udc" not in result.stderr and "\\xb" in result.stderr, (arguments, result.stderr)
    written = runner.invoke(main, ["extract", gbk, "-o", os.path.join(folder, "new.csv")])
    assert f"written to {tmp_path}/\\xb9/new.csv" in written.stderr


def test_messages_escape_a_tab_or_newline_in_a_path_and_the_outputs_keep_it(tmp_path):
    r"""A path holding a tab or a newline is one line in every message (\t, \n, as `quoted`
    escapes them), while the `source` column keeps the name as it is."""
    folder = tmp_path / "in dir"
    folder.mkdir()
    shutil.copy(SAMPLES / "guiling-township-2024.pdf", folder / "good\nname.pdf")
    (folder / "junk\nfile.pdf").write_bytes(b"junk")
    (tmp_path / "o").mkdir()
    output = tmp_path / "o" / "c\tx\n.csv"
    result = CliRunner().invoke(main, ["extract", str(folder), "-o", str(output)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert f"gongkai: failed: {folder}/junk\\nfile.pdf: not a PDF file" in lines
    assert lines[-1].endswith(f"written to {tmp_path}/o/c\\tx\\n.csv"), lines
    files = pd.read_csv(companion_path(output, "files"))
    assert sorted(files["source"]) == [f"{folder}/good\nname.pdf", f"{folder}/junk\nfile.pdf"]
    gone = tmp_path / "no\x1b[31mpe.pdf"
    refused = CliRunner().invoke(main, ["inspect", str(gone)])
    assert refused.exit_code == 2 and "\x1b" not in refused.stderr and "no\\x1b[31mpe" in refused.stderr


def test_the_printed_summary_escapes_a_newline_in_a_file_name_and_its_workbook_keeps_it(tmp_path):
    folder = tmp_path / "n\nl"
    folder.mkdir()
    for name in ("a.pdf", "copy.pdf"):
        shutil.copy(SAMPLES / "yunhu-district-2024.pdf", folder / name)
    result = CliRunner().invoke(main, ["summary", str(folder), "-o", str(tmp_path / "s.xlsx")])
    assert result.exit_code == 0, result.output
    assert f"{tmp_path}/n\\nl/a.pdf; {tmp_path}/n\\nl/copy.pdf" in result.stdout
    assert not any(line.startswith("l/") for line in result.stdout.splitlines())
    identical = pd.read_excel(tmp_path / "s.xlsx", sheet_name="相同的文件")
    assert identical.iloc[0, -1] == f"{folder}/a.pdf; {folder}/copy.pdf"


def test_message_path_keeps_a_full_width_space_and_escapes_control_characters():
    assert message_path("a b\u3000c.pdf") == "a b\u3000c.pdf"
    assert message_path("a\tb\r\x7f.pdf") == "a\\tb\\r\\x7f.pdf"
    assert quoted("it's\n.pdf") == '"it\'s\\n.pdf"'


def test_inspect_png_draws_the_pages_of_a_gbk_named_file(tmp_path):
    """The pages are drawn from the file read, not from its `source` text (which opens no file)."""
    gbk = _gbk_named(tmp_path / "in")
    result = CliRunner().invoke(main, ["inspect", gbk, "--png", str(tmp_path / "pages")])
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    drawn = sorted(p.name for p in (tmp_path / "pages").iterdir())
    assert drawn and all(name.startswith("桂岭乡2024年报-page") for name in drawn)


def test_inspect_png_names_the_images_of_a_gbk_named_file_as_gb18030_reads_it(tmp_path):
    gbk = _gbk_named(tmp_path / "in")
    result = CliRunner().invoke(main, ["inspect", gbk, "--png", str(tmp_path / "png")])
    assert result.exit_code == 0, result.output
    names = sorted(os.listdir(os.fsencode(tmp_path / "png")))
    # Valid UTF-8 names a person can read, not the \xb9\xf0... escapes of the file's text.
    assert names and all(n.decode("utf-8").startswith("桂岭乡2024年报-page") for n in names)
    assert "named 桂岭乡2024年报-pageN.png: its file name is not UTF-8; read as GB18030" in result.stderr


def test_png_names_are_safe_file_names():
    from gongkai.review import png_stem

    assert png_stem("r/桂岭乡 2024.pdf") == ("桂岭乡 2024", None)
    assert png_stem(os.fsdecode(b"r/\xb9\xf0.pdf")) == (
        "桂",
        "its file name is not UTF-8; read as GB18030 (GBK)",
    )
    assert png_stem(os.fsdecode(b"r/a\xff.pdf"))[0] == "a_"  # no reading of it: its bytes become _
    assert png_stem("r/a\nb\tc.pdf") == ("a_b_c", "its file name holds characters a file name should not")
    # A message shows U+3000 as it is; a PNG's name has no space but the plain one.
    assert png_stem("r/桂岭乡\u3000\xa02024\x1b\u2028.pdf")[0] == "桂岭乡__2024__"
    from gongkai.review import _kept_in_name

    kept = [chr(c) for c in range(0x110000) if _kept_in_name(chr(c))]
    assert kept == [chr(c) for c in range(0x110000) if chr(c).isprintable() and chr(c) not in "/\\"]


def test_inputs_with_names_that_are_not_utf8_are_sorted_by_their_source_text(tmp_path):
    """The output is sorted by `source`, the text: b"a\\xb9.pdf" is `a\\xb9.pdf`, before `ab.pdf`
    (a backslash sorts before b), where its raw name (a surrogate escape) sorted after it."""
    folder = tmp_path / "in"
    for name in (b"ab.pdf", b"a\xb9\xf0.pdf", b"aZ.pdf", b"a\\.pdf"):
        _gbk_named(folder, FIXTURES / "bad" / "not-a-pdf.pdf", name)
    found = [path_text(p) for p in gongkai.batch.expand_inputs([str(folder)])]
    names = [p.removeprefix(f"{folder}/") for p in found]
    assert names == ["aZ.pdf", "a\\.pdf", "a\\xb9\\xf0.pdf", "ab.pdf"]
    assert names == sorted(names)
    out = tmp_path / "cells.csv"
    result = CliRunner().invoke(main, ["extract", str(folder), "-o", str(out), "-w", "1"])
    assert result.exit_code == 1, result.output  # none is a PDF: each fails, with its own row
    sources = pd.read_csv(companion_path(out, "files"))["source"].tolist()
    assert sources == found


@pytest.mark.parametrize("command", ["extract", "summary", "compare"])
def test_an_output_name_too_long_for_the_file_system_is_a_usage_error_before_any_reading(tmp_path, command):
    """A name that fits while one written beside it does not (`.journal.sqlite-journal`, 23
    bytes longer) failed at the first report with a traceback, exit 1, in a folder yet to be made;
    an -o of summary or compare too long itself, after every report was read."""
    longest = os.pathconf(tmp_path, "PC_NAME_MAX")
    stem = "长" * ((longest - len(".journal.sqlite-journal")) // 3 + 1)  # cells.csv itself fits
    name = f"{stem}.csv" if command == "extract" else f"{'b' * longest}.xlsx"
    output = tmp_path / "new folder" / name
    sample = str(SAMPLES / "guiling-township-2024.pdf")
    inputs = [sample, str(SAMPLES / "yunhu-district-2024.pdf")] if command == "compare" else [sample]
    result = CliRunner().invoke(main, [command, *inputs, "-o", str(output)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "bytes a file name may have; give a shorter output name" in result.stderr
    assert not (tmp_path / "new folder").exists() or not any((tmp_path / "new folder").iterdir())


def test_page_images_of_a_report_whose_name_leaves_no_room_for_the_page_are_cut_to_fit(tmp_path):
    """`NAME-page3.png` of a 250-byte NAME.pdf was longer than a file name may be: a traceback."""
    longest = os.pathconf(tmp_path, "PC_NAME_MAX")
    report = tmp_path / f"{'a' * (longest - len('.pdf'))}.pdf"
    shutil.copy(SAMPLES / "guiling-township-2024.pdf", report)
    result = CliRunner().invoke(main, ["inspect", str(report), "--png", str(tmp_path / "png")])
    assert result.exit_code == 0, result.output
    names = os.listdir(tmp_path / "png")
    assert names and all(n.startswith("aaaa") and n.endswith(".png") for n in names)
    assert all(len(n.encode()) <= longest for n in names)
    assert "its file name is too long for the page's number beside it" in result.stderr
    from gongkai.review import png_stem

    # Cut between characters, never inside one.
    cut, why = png_stem(str(tmp_path / f"{'桂' * 100}.pdf"), tmp_path)
    assert cut == "桂" * ((longest - len("-page9999.png")) // 3) and why is not None


@pytest.mark.parametrize("command", ["extract", "summary"])
def test_an_output_path_longer_than_the_system_takes_is_a_usage_error(tmp_path, command):
    """A path of 4,200 bytes (past PATH_MAX) failed looking up whether it is a folder: a traceback."""
    output = tmp_path.joinpath(*["d"] * 2100, "c.csv" if command == "extract" else "s.txt")
    result = CliRunner().invoke(
        main, [command, str(SAMPLES / "guiling-township-2024.pdf"), "-o", str(output)]
    )
    assert result.exit_code == 2, result.output
    assert (
        result.stderr.startswith("gongkai: error: cannot write '") and "File name too long" in result.stderr
    )
