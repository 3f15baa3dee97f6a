"""Reading many reports: checks before any work, worker processes, the journal, resume, Dask.

A batch (`run_batch`) hashes every input once, reads those the journal does not
already hold, stores each report in the journal as it finishes, and assembles
the output from the journal at the end. A fresh run and a resumed one go
through the same assembly, so they write the same bytes.
"""

from __future__ import annotations

import codecs
import csv
import errno
import gc
import glob
import hashlib
import json
import os
import stat
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import pool
from .errors import InputTypeError, InvalidOptionError, NoInputsError, RunsFileError, require_count
from .labels import install_tokenizer
from .model import CheckStatus, Status
from .numbers import counted
from .output.journal import Journal, is_journal, journal_files, journal_path, recorded_output
from .output.records import (
    CHECK_COLUMNS,
    FILE_COLUMNS,
    FORMATS,
    OutputFormatError,
    cell_rows,
    companion_path,
    decoded_table,
    is_output_name,
)
from .output.wide import WIDE_ID_COLUMNS
from .output.writers import (
    BatchOutput,
    check_shape,
    escapes_note,
    name_too_long,
    partial_of,
    partial_path,
)
from .report import Report, page_threads, read_report_safely
from .report import read_report as _read_report
from .sources import (
    INPUT_KINDS,
    SUFFIXES,
    check_kind,
    check_path,
    kind_of_name,
    message_path,
    no_file,
    path_text,
    quoted,
    remove_abandoned_conversions,
    sniff,
)

if TYPE_CHECKING:
    import pandas as pd

_GLOB_CHARS = set("*?[")
# Chinese text every output encoding must be able to write: the form's own words, which GB2312 has
# (not the 〇 of 二〇二四, which it lacks: a character an encoding lacks is escaped, not a refused run).
_CHINESE_PROBE = "政府信息公开工作年度报告（第二十条）"
# A CSV table's lines as an output encoding must write them for gongkai to read them back.
_TABLE_PROBE = f"source,row_id\r\n{_CHINESE_PROBE},total\r\n"
# Seconds a file may take before its worker is killed. A text PDF takes well under a second; a
# scan takes 2-4 CPU-seconds a page by OCR, more on a loaded machine, and a 40-page scan must
# not fail for being long. A hang still costs only this, once, in a batch of hours.
DEFAULT_TIMEOUT = 300.0
# The operating system's timers take at most about 24.8 days (2**31 ms); a week is far past any file.
LONGEST_TIMEOUT = 7 * 24 * 3600.0


class BatchSetupError(ValueError):
    """A batch that cannot start: a missing input, an unusable output path, encoding or format."""


def expand_inputs(inputs: Inputs, kind: str = "auto") -> list[str]:
    """Files as given, directories searched recursively, and glob patterns; sorted by their
    `source` text (path_text), no repeats. `inputs` is one path or many, as `iter_reports`
    takes them (`_path_list`: a str or a Path is one path, never its letters).

    Directories give the files whose extension is of a kind gongkai reads (PDF, web page,
    Word; as `kind_of_name` tells it, wget's index.html.1 and a gzipped report.html.gz too),
    or only of `kind`; a file given by name is kept whatever its extension, so that its content
    decides. A path that does not exist is kept (`check_inputs` refuses it before a batch
    starts). A broken symbolic link or a link loop a folder or a pattern holds is kept too: its
    status row says what it is, where dropping it would lose it unsaid.
    The files of outputs of extract that a pattern finds are left out, and so are those in the
    folder a browser saves a page's resources in (`without_found_non_reports`); a file of an
    output named itself raises RunsFileError (`check_named_files`).
    """
    items = _path_list(inputs)
    if not items:
        raise NoInputsError("no inputs given: name report files, folders or patterns")
    found = _found(items, kind)
    check_named_files(items)
    return without_found_non_reports(found, items)[0]


def _found(inputs: Iterable[str], kind: str) -> list[str]:
    """The files of `expand_inputs`, those of outputs of extract that a pattern finds among them."""
    check_kind(kind)
    kinds = INPUT_KINDS if kind == "auto" else (kind,)
    found: list[str] = []
    for item in inputs:
        path = Path(item)
        # os.path, not Path: Path.is_dir raises for a name too long or a loop of links, which is
        # then a file that cannot be read (its status row says why), not a batch that crashes.
        if item and os.path.isdir(item):  # an empty name is no folder, nor the current one
            found += [str(p) for p in sorted(path.rglob("*")) if _is_file(p) and kind_of_name(p) in kinds]
        elif not os.path.exists(item) and _GLOB_CHARS & set(item):
            found += sorted(p for p in matching(item) if _is_file(Path(p)))
        else:
            found.append(item)
    # By the text each path's `source` shows (a byte that is not UTF-8 as \xNN), as the output is.
    unique = sorted(dict.fromkeys(found), key=path_text)
    if not unique:
        what = "report files (PDF, web page, Word)" if kind == "auto" else f"{kind} files"
        raise NoInputsError(f"no {what} found in the given inputs")
    return unique


def matching(pattern: str) -> list[str]:
    """The paths `pattern` matches, as `glob.glob(pattern, recursive=True)` gives them, but that
    `**` searches each folder once, however many symbolic links lead to it: glob follows every
    link, and a link to a folder above it (`a/up -> ..`, a loop a copied archive can hold) made
    the search of `'reports/**/*.pdf'` endless, two such links exponentially so."""
    parts = pattern.split(os.sep)
    if "**" not in parts:
        return glob.glob(pattern)
    at = parts.index("**")
    head = os.sep.join(parts[:at]) or (os.sep if pattern.startswith(os.sep) else "")
    tail = parts[at + 1 :]
    bases = glob.glob(head) if _GLOB_CHARS & set(head) else [head]
    folders = [folder for base in bases for folder in _folders_once(base)]
    # `**/` matches the folders alone, and a pattern ending in `**` them and every file in them.
    listed = [os.path.join(folder, "") for folder in folders if folder] if tail in ([], [""]) else []
    if tail == [""]:
        return listed
    rest = os.sep.join(tail) or "*"
    return listed + [path for folder in folders for path in matching(os.path.join(glob.escape(folder), rest))]


def _folders_once(base: str) -> Iterator[str]:
    """`base` and every folder below it that `**` matches (not hidden ones, as glob's), each once:
    a folder a symbolic link leads to is searched, unless it was searched already. `""` is the
    current folder, whose paths are given as glob gives them, without `./`."""
    seen: set[tuple[int, int]] = set()
    waiting = [base]
    while waiting:
        folder = waiting.pop()
        try:
            info = os.stat(folder or os.curdir)
            if not stat.S_ISDIR(info.st_mode) or (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            with os.scandir(folder or os.curdir) as entries:
                names = sorted(entry.name for entry in entries if not entry.name.startswith("."))
        except OSError:  # gone, unreadable, or a link loop of its own
            continue
        yield folder
        waiting += [os.path.join(folder, name) for name in reversed(names)]


def _is_file(path: Path) -> bool:
    """A file, or a symbolic link that leads to no file at all (broken, or a loop): not a folder."""
    return path.is_file() or (path.is_symlink() and not path.exists())


def check_inputs(inputs: Iterable[str], kind: str = "auto") -> list[str]:
    """The input files, after making sure that every path given exists and every pattern matches:
    those of outputs of extract that a pattern finds among them, which the caller leaves out
    (`without_own_files`, `without_runs_files`) and says so."""
    check_present(inputs)
    return _found(inputs, kind)


def check_present(inputs: Iterable[str]) -> None:
    """Every path given exists and every pattern matches: else BatchSetupError for the first
    that does not, before anything is said of the inputs that are there."""
    for item in inputs:
        # An empty name (an unset "$DIR") is not the current folder, nor 'r.pdf/' the file r.pdf
        # (Path('r.pdf/') is Path('r.pdf')).
        if item and os.path.exists(item):
            continue
        if _GLOB_CHARS & set(item):
            if not matching(item):
                raise BatchSetupError(f"no file matches {quoted(item)}")
        else:
            raise BatchSetupError(no_file(item))


def check_format(output: str, fmt: str | None) -> str:
    """The output format: --format if given, else the extension; a contradiction between them is refused."""
    suffix = "" if output == "-" else Path(output).suffix.lower().lstrip(".")
    if fmt is not None and fmt not in FORMATS:
        raise BatchSetupError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt and suffix in FORMATS and suffix != fmt:
        raise BatchSetupError(f"--format {fmt} contradicts the extension of {quoted(output)}")
    chosen = fmt or ("csv" if output == "-" else suffix)
    if chosen not in FORMATS:
        raise OutputFormatError(
            f"cannot tell the output format from {quoted(output)}; use --format ({', '.join(FORMATS)})"
        )
    if output == "-" and chosen not in ("csv", "jsonl"):
        raise BatchSetupError("only CSV or JSONL can be written to stdout")
    return chosen


def check_encoding(encoding: str) -> None:
    """The encoding exists, can write Chinese, and writes CSV that gongkai reads back as it was
    written (`records.decoded_table`: summary and compare read an output of extract). Refused are
    those read back as other text (utf-7's +ZT…, hz's ~{…~}, unicode_escape's \\u653f) or not
    at all: utf-16 and utf-32, whose CSV Excel does not split into columns either (utf-8-sig is
    the one Excel opens) and CSV readers (pandas without its encoding named, DuckDB, Arrow) take
    for UTF-8."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise BatchSetupError(f"unknown encoding {encoding!r}") from None
    try:
        _CHINESE_PROBE.encode(encoding)
    except UnicodeEncodeError:
        raise BatchSetupError(f"encoding {encoding!r} cannot write Chinese; use utf-8 or gb18030") from None
    if decoded_table(_TABLE_PROBE.encode(encoding)) != _TABLE_PROBE:
        raise BatchSetupError(
            f"encoding {encoding!r} writes CSV that gongkai cannot read back (summary, compare); "
            "use utf-8, utf-8-sig (for Excel) or gb18030"
        )


# The tables a batch writes beside its cells output, named after it: cells.files.csv, cells.checks.csv.
_COMPANIONS = ("files", "checks")


def output_files(output: str, fmt: str | None = None) -> list[Path]:
    """The files a finished batch into `output` leaves: the output and the tables beside it
    named after it (`cells.files.csv`, `cells.checks.csv`), which a workbook (`fmt` xlsx) holds
    as sheets instead; with no `fmt`, those of any format. None for stdout ('-'). The one place
    that names them; the journal's files are `journal_files`."""
    if output == "-":
        return []
    companions = () if fmt == "xlsx" else _COMPANIONS
    return [Path(output), *(Path(companion_path(output, kind)) for kind in companions)]


def batch_files(output: str, fmt: str) -> list[Path]:
    """Every path a batch into `output` (not stdout) writes, its temporary files included: the
    output, its companion tables (not beside a workbook), the journal and its lock."""
    if output == "-":
        return []
    finals = output_files(output, fmt)
    return [*finals, *map(partial_path, finals), *journal_files(output)]


_NOT_REGULAR = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


@cache
def _beside_names() -> tuple[str, ...]:
    """How the names of the files written beside an output end (.files.csv, .journal.sqlite…):
    worked out once, as every file a pattern finds is told by them."""
    stem = "X"
    return tuple(path.name[len(stem) :] for path in own_files(f"{stem}.csv")[1:])


# What each file written beside an output is, by how its name ends (see `_beside_names`).
_BESIDE_WHAT = {
    ".files.csv": "the per-file status table of an output of extract, not the output itself",
    ".checks.csv": "the checks table of an output of extract, not the output itself",
    ".journal.sqlite": "the journal of a run of extract, neither a report nor an output",
    ".journal.lock": "the lock file of a run of extract, not a report",
}
# How the names of the tables beside an output end.
_TABLE_ENDS = tuple(f".{kind}.csv" for kind in _COMPANIONS)
# The outputs that summary and compare read (`summary.read_output`): the long cells tables.
_READ_OUTPUTS = ("csv", "parquet", "jsonl")


def beside_an_output(path: str, read_back: bool = True) -> str | None:
    """What the file `path` is where a run of extract writes it (`runs_file`: its tables, its
    journal and the journal's files, its lock, a temporary, an output), and what to give
    instead: 'the journal of a run of extract, …: give its output instead, 'm/c.csv''; without
    `read_back` (extract, which reads reports only), the reports. None for any other file, and
    with `read_back` for an output, which summary and compare read back."""
    found = runs_file(path)
    if found is None:
        return None
    if found.becomes is not None:
        what = f"the file {quoted(found.becomes)} while a run of extract writes it, not a report"
    elif found.end in _BESIDE_WHAT or found.end.startswith(".journal."):
        what = _BESIDE_WHAT.get(found.end, "a file of the journal of a run of extract, not a report")
    elif read_back:
        return None
    else:
        what = "an output of extract, not a report"
    return f"{what}: {_instead(found.base, read_back, table=found.end in _TABLE_ENDS)}"


def _instead(base: str | None, read_back: bool, table: bool = False) -> str:
    """What to give instead of a file of the output `base` (its path without the extension,
    'm/c'): that output, where summary and compare read it back (a long one: `_output_shape`),
    else the reports. The output is the one its journal records (`recorded_output`), except for
    one of its tables (`table`) where that is a workbook (a later run into one, sharing its
    journal); else, and where that one is not there to read back (a workbook, a run still
    writing it), one found of its name, of any format, that is (an earlier run's c.csv)."""
    if not read_back:
        return "give the reports"
    if base is None:  # a copy under another name: which output it is beside cannot be told
        return "give the output of extract it was written beside, or the reports"
    recorded = recorded_output(f"{base}.journal.sqlite")
    if table and recorded is not None and recorded.get("format") == "xlsx":
        recorded = None  # no table is written beside a workbook: a later run's, sharing the journal
    if recorded is not None:
        path = os.path.join(os.path.dirname(base), str(recorded.get("name")))
        shape = "workbook" if recorded.get("format") == "xlsx" else recorded.get("shape")
        if shape not in _NOT_READ_BACK and os.path.isfile(path) and _output_shape(path) == "long":
            return f"give its output instead, {quoted(path)}"
    # The outputs of its name, of any format, the extension in any case as it is told (u.CSV too).
    pattern = os.path.join(glob.escape(os.path.dirname(base)), glob.escape(os.path.basename(base)))
    any_case = ("".join(f"[{c}{c.upper()}]" for c in fmt) for fmt in FORMATS)
    named = sorted(p for each in any_case for p in glob.glob(f"{pattern}.{each}") if os.path.isfile(p))
    found = [(candidate, _output_shape(candidate)) for candidate in named]
    # A long one is given, also an earlier run's where the journal's last run wrote a workbook.
    if read := [candidate for candidate, kind in found if kind == "long"]:
        return f"give its output instead, {' or '.join(map(quoted, read))}"
    if recorded is None:
        unread = next(((candidate, kind) for candidate, kind in found if kind in _NOT_READ_BACK), None)
        if unread is None:
            names = ", ".join(quoted(f"{base}.{fmt}") for fmt in _READ_OUTPUTS)
            return f"give its output (none is there yet: {names}), or the reports"
        path, shape = unread
    elif shape not in _NOT_READ_BACK:
        when = "once it is there (a run writes it when every file is read)"
        return f"give its output, {quoted(path)}, {when}, or the reports"
    return f"give the reports (its output, {quoted(path)}, is {_NOT_READ_BACK[shape]}, not read back)"


# The outputs of extract that summary and compare do not read back, by `_output_shape`.
_NOT_READ_BACK = {"workbook": "a workbook", "wide": "a --shape wide output"}


def _is_a_comparison(path: str) -> bool:
    """Whether `path` is a CSV that gongkai compare wrote, by its header row (its columns)."""
    if kind_of_name(path) is not None or (columns := table_columns(path)) is None:
        return False
    from .output.compare import COMPARE_COLUMNS, READINGS_COLUMNS

    # One written before the readings columns is a comparison too.
    return set(COMPARE_COLUMNS) - set(READINGS_COLUMNS) <= set(columns)


def _output_shape(path: str) -> str | None:
    """What the output of extract at `path` is, by its extension and its columns: 'long' (cell
    records, which summary and compare read back), 'wide' (a row per report), 'workbook'; None
    for a file that is none (empty, another table, unreadable)."""
    if Path(path).suffix.lower() == ".xlsx":
        return "workbook"
    columns = table_columns(path)
    if columns is None:
        return None
    if "row_id" in columns:  # as `summary.read_output` tells a long output
        return "long"
    return "wide" if columns[: len(WIDE_ID_COLUMNS)] == WIDE_ID_COLUMNS else None


def table_columns(path: str | os.PathLike[str]) -> list[str] | None:
    """The column names of a table at `path` as gongkai writes them, by its extension: a Parquet
    file's schema, a JSON Lines file's first record, else a CSV's first line (in UTF-8, with or
    without its BOM, or GB18030: the names are ASCII); None where it holds no such names."""
    suffix = Path(path).suffix.lower()
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(path).names)
        with open(path, "rb") as handle:
            line = handle.readline(_LONGEST_HEADER)
    except (OSError, ValueError):  # pyarrow's ArrowInvalid is a ValueError
        return None
    if suffix == ".jsonl":
        try:
            record = json.loads(line)
        except ValueError:
            return None
        return list(record) if isinstance(record, dict) else None
    return _csv_header(line)


# The longest first line of a table read for its column names.
_LONGEST_HEADER = 1 << 16


def _csv_header(line: bytes) -> list[str] | None:
    """The column names of a CSV table gongkai wrote, from its first `line` (see `table_columns`)."""
    text = line.removeprefix(codecs.BOM_UTF8).decode("ascii", errors="replace").rstrip("\r\n")
    if not text.isprintable():  # no header row: a binary file (a journal), or empty
        return None
    columns = next(csv.reader([text]), [])
    return columns if text and all(columns) else None


# The advice where a file a folder or pattern would skip was named, most often by a shell that
# expanded an unquoted DIR/*: a quoted pattern is expanded by gongkai, which skips them.
_QUOTE_A_PATTERN = "; quote a pattern ('DIR/*') and gongkai skips {}"


def read_report(path: str | os.PathLike[str], kind: str = "auto", threads: int | None = None) -> Report:
    """`gongkai.read_report`: one report read (`report.read_report`), but a file a run of extract
    writes (its journal, a table, its lock, a temporary, an output) raises RunsFileError first,
    in the line `extract` prints, not 'not a PDF file'."""
    check_named_files([check_path(path)])
    return _read_report(path, kind, threads)


def read_output(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """`gongkai.read_output`: the cells, files and checks of an output of extract
    (`summary.read_output`), but a file beside one (its journal, a table, a temporary) raises
    RunsFileError first, in the line `summary` prints, not that it is no UTF-8 text or holds no
    cell records."""
    from .output.summary import read_output as _read_output  # pandas and rich, for this alone

    check_named_files([str(path)], read_back=True)  # as summary.read_output takes it
    return _read_output(path)


def check_named_files(inputs: Iterable[str], read_back: bool = False) -> None:
    """Raises RunsFileError for the first of `inputs`, each named as an input of a batch (not
    found by a folder or pattern, which skip them: `without_runs_files`), that is a file a run
    of extract writes (`runs_file`): its journal, a table, its lock, a temporary, an output. No
    report, it would be read to a failed row; one line says what it is and to give the reports
    (`beside_an_output`), or with `read_back` (`read_output`, as summary) its output, which is
    then let through. A path where no regular file is (a folder, a pattern) is left alone."""
    for item in inputs:
        if item and os.path.isfile(item) and (error := _named_runs_file(item, read_back)) is not None:
            raise error


def _named_runs_file(item: str, read_back: bool = False, several: bool = False) -> RunsFileError | None:
    """The RunsFileError for `item`, a file named as an input, where it is a file a run of
    extract writes (`beside_an_output`, which `read_back` passes on), else None. `several`: the
    inputs were more than one, most likely a shell's unquoted pattern over a folder that holds
    an output, and the line says that a quoted one skips them."""
    if (what := beside_an_output(item, read_back)) is None:
        return None
    hint = _QUOTE_A_PATTERN.format("the files of outputs of extract") if several else ""
    return RunsFileError(f"{quoted(item)} is {what}{hint}", item)


def check_named_inputs(inputs: Iterable[str], read_back: bool = False, written: Iterable[Path] = ()) -> None:
    """The checks of the inputs named to a command, before any reading. Raises RunsFileError for
    the first of `inputs`, named as such (not found by a folder or pattern), that is a file a run
    of extract writes (`runs_file`), no report: one line says what it is and what to give
    instead (`_named_runs_file`). An output of extract is refused too, but with `read_back`
    (summary, compare, which read one back). The files this run writes (`written`,
    `batch_files`) are left to `check_output`, which refuses to write over them. Where several
    inputs were named, a shell most likely expanded a pattern over a folder that holds an
    output: the line says that a quoted one skips them. First, every path given exists and every
    pattern matches (`check_present`: BatchSetupError); with `read_back`, no input is the CSV
    output of gongkai compare (told by its header row), which is not read back, nor a link to an
    output whose tables are beside its target only (BatchSetupError)."""
    inputs = list(inputs)
    check_present(inputs)
    mine = {identity for path in written if (identity := _identity(path)) is not None}
    for item in inputs:
        if not (item and os.path.isfile(item)) or _identity(item) in mine:
            continue
        if read_back and _is_a_comparison(item):
            raise BatchSetupError(
                f"{quoted(item)} is an output of gongkai compare, which summary and compare do not read: "
                "give an output of extract, or the reports"
            )
        if (error := _named_runs_file(item, read_back, several=len(inputs) > 1)) is not None:
            raise error
        output = _to_read_back(item) if read_back else None
        if output is not None and os.path.abspath(output) != os.path.abspath(item):
            raise BatchSetupError(
                f"{quoted(item)} is a link to an output of extract, whose tables are beside its "
                f"target, not beside the link: give its target instead, {quoted(output)}"
            )


@dataclass(frozen=True)
class RunsFile:
    """A file a run of extract writes (`runs_file`): `end`, how such a file's name ends after
    the output's stem ('.files.csv', '.journal.sqlite-wal'…; for an output its extension);
    `base`, the output's path without its extension ('m/c'), None where it cannot be told (a
    copy under another name); `becomes`, for the temporary of a file being written, that file."""

    end: str
    base: str | None
    becomes: str | None = None


def written_by_a_run(path: str | os.PathLike[str]) -> bool:
    """Whether `path` is a file a run of extract writes, no report (`runs_file`)."""
    return runs_file(path) is not None


def runs_file(path: str | os.PathLike[str]) -> RunsFile | None:
    """What `path` is where it is a file a run of extract writes, so that no report is it; None
    for any other file. The one definition, for the files named and those a pattern finds.

    A report's name (`.pdf`…) never is one, as in `own_files`, nor a file whose content is a
    report's (`holds_a_report`), whatever its name; a link is the file it leads to, and so its
    target's name is the one that says so (x.pdf -> c.journal.lock is that lock, c.journal.lock
    -> r.pdf a report). Else, by name: one of the files beside an output (its tables, its
    journal and the journal's files, its lock; `_beside_names`), a temporary of a file being
    written (`partial_path`), or an output (`.csv`, `.parquet`, `.jsonl`, `.xlsx`) with any of
    those beside it; a link by its own name, then by its target's (a link lk to c.journal.lock
    is that lock: `_as_given` says its output). Else, by content, under a name a copy of one
    keeps (`_may_be_a_copy`: c.Files.csv, ch.csv, jl.db, c.journal.sqlite.bak): a journal (an
    SQLite database of the journal's tables), or a per-file status or checks table (by its
    header row). Any other file is not opened: a pattern over a folder of other files (images,
    archives, data) only looks at their names. What is there is one only where it is a regular
    file (or a link to one): anything else is never opened (a named pipe would wait for a
    writer for ever), and a broken link is read, its row says what it is; a name where nothing
    is yet is told by the name."""
    path = os.fspath(path)
    try:
        mode: int | None = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None  # nothing there (yet): told by the name
    except OSError:  # no file can be there ('c.journal.sqlite/', through a file): its row says so
        return None
    real = None
    if mode is not None and stat.S_ISLNK(mode):
        if not os.path.isfile(path):  # broken, a loop, or a link to a pipe, a device
            return None
        real = os.path.realpath(path)
    elif mode is not None and not stat.S_ISREG(mode):
        return None
    if kind_of_name(real or path) is not None:
        return None
    found = _runs_file_by_name(path)
    if found is None and real is not None and (found := _runs_file_by_name(real)) is not None:
        given = partial(_as_given, path)
        found = RunsFile(found.end, found.base and given(found.base), found.becomes and given(found.becomes))
    if found is None and _may_be_a_copy(path, real):
        found = _runs_file_by_content(path)
    # Last, as it opens the file: a report named as a run's file (rep.files.csv) is a report.
    return None if found is None or holds_a_report(path) else found


# The extensions a copy of a file a run writes keeps under another name: the tables' (CSV)
# and a database's (the journal's .sqlite, and .db, .sqlite3, .db3, as other tools name them).
_COPY_SUFFIXES = {".csv", ".sqlite", ".sqlite3", ".db", ".db3"}


def _may_be_a_copy(*paths: str | None) -> bool:
    """Whether one of the names of `paths` (a link's and its target's) holds an extension of
    `_COPY_SUFFIXES`, anywhere in it (c.journal.sqlite.bak): the files whose content is looked at."""
    return any(suffix.lower() in _COPY_SUFFIXES for path in paths if path for suffix in Path(path).suffixes)


def _runs_file_by_name(path: str) -> RunsFile | None:
    """A file a run of extract writes, told by the name `path` (see `runs_file`)."""
    target = Path(path)
    name, folder = target.name, os.path.dirname(path)
    if (end := _beside_end(name)) is not None:
        return RunsFile(end, os.path.join(folder, name[: -len(end)]))
    if (becomes := partial_of(name)) is not None:  # `.cells.csv.partial`, while it is written
        end = _beside_end(becomes) or (Path(becomes).suffix if is_output_name(Path(becomes)) else None)
        if end:
            return RunsFile(end, os.path.join(folder, becomes[: -len(end)]), os.path.join(folder, becomes))
    elif is_output_name(target) and any(os.path.lexists(beside) for beside in own_files(path)[1:]):
        return RunsFile(target.suffix, os.path.join(folder, name[: -len(target.suffix)]))
    return None


def holds_a_report(path: str | os.PathLike[str]) -> bool:
    """Whether the content of `path` is a report's, as reading it tells (`sources.sniff`): a
    PDF, a web page, a Word file (a zip file holding a Word document: a workbook is a zip file too)."""
    try:
        kind, legacy = sniff(path)
        if kind != "docx" or legacy:
            return kind is not None
        with zipfile.ZipFile(path) as archive:
            return any(name.startswith("word/") for name in archive.namelist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def _runs_file_by_content(path: str) -> RunsFile | None:
    """A journal, or a per-file status or checks table, told by its content (see `runs_file`)."""
    try:
        with open(path, "rb") as handle:
            line = handle.readline(_LONGEST_HEADER)
    except OSError:
        return None
    if line.startswith(_SQLITE_MAGIC):
        end = ".journal.sqlite" if is_journal(path) else None
    else:  # the tables are CSV, whatever the copy's extension
        columns = _csv_header(line) or []
        end = next((e for e, first in _TABLE_HEADERS.items() if columns[: len(first)] == first), None)
    if end is None:
        return None
    # Named as such but for its case (a copy, c.Files.csv), or a link to one named as such.
    for named in (path, os.path.realpath(path) if os.path.islink(path) else None):
        if named is not None and (name := os.path.basename(named)).lower().endswith(end) and name != end:
            return RunsFile(end, _as_given(path, os.path.join(os.path.dirname(named), name[: -len(end)])))
    return RunsFile(end, None)


def _as_given(path: str, found: str) -> str:
    """`found`, a path beside the file `path` leads to (its real path's folder, where `path` is a
    link), in the form `path` was given: beside `path` where its folder is that one (a link
    beside its target, 'jl.db' -> 'c.csv'), else absolute (a link into another folder: not
    relative through the link's target, '../../tmp/c.csv'). `found` beside `path` itself stays."""
    folder = os.path.dirname(path)
    if os.path.dirname(found) == folder:
        return found
    if os.path.realpath(folder or os.curdir) == os.path.realpath(os.path.dirname(found) or os.curdir):
        return os.path.join(folder, os.path.basename(found))
    return os.path.abspath(found)


# What a file starts with that SQLite wrote (a journal, told from other databases by `is_journal`).
_SQLITE_MAGIC = b"SQLite format 3\x00"
# How the header rows of the tables beside an output start, by how their names end.
_TABLE_HEADERS = {".files.csv": FILE_COLUMNS[:3], ".checks.csv": CHECK_COLUMNS[:3]}


def _beside_end(name: str) -> str | None:
    """How `name` ends where it is a file's beside an output (`.journal.sqlite`…), else None."""
    return next((end for end in _beside_names() if name.endswith(end) and name != end), None)


def _to_read_back(path: str) -> str | None:
    """The output to give summary and compare for `path`, an output of extract they read back (a
    long one, `_output_shape`) or a link to one: `path`, or the link's target (`_as_given`) where
    the output's tables are beside the target, not beside the link, whose name they are read by.
    None for any other file, a file beside an output too."""
    found = runs_file(path)
    if found is None or found.base is None or found.becomes or found.end.lstrip(".").lower() not in FORMATS:
        return None
    through = os.path.islink(path) and not os.path.lexists(companion_path(path, "files"))
    output = found.base + found.end if through else path
    return output if _output_shape(output) == "long" else None


def without_runs_files(
    paths: list[str], named: Iterable[str] = (), read_back: bool = False
) -> tuple[list[str], list[str]]:
    """`paths` without the files a run of extract writes (`written_by_a_run`) that a glob found,
    and those left out: not reports, they are skipped, as a folder skips every file whose name
    is no report's. A file `named` as an input itself stays. Raises NoInputsError when nothing
    else is left; `read_back` (summary, compare): its words name an output to give alone."""
    if not (runs := [path for path in paths if written_by_a_run(path)]):
        return paths, []
    named_ids = {identity for path in named if (identity := _identity(path)) is not None}
    swept = {path for path in runs if _identity(path) not in named_ids}
    kept = [path for path in paths if path not in swept]
    skipped = [path for path in paths if path in swept]
    if skipped and not kept:
        names = ", ".join(map(message_path, skipped))
        read = [output for path in skipped if (output := _to_read_back(path)) is not None]
        advice = f"; to read an output back, give it alone: {quoted(read[0])}" if read_back and read else ""
        raise NoInputsError(
            f"no report files in the given inputs, only files of outputs of extract: {names}{advice}"
        )
    return kept, skipped


def without_found_non_reports(
    paths: list[str], named: Iterable[str], read_back: bool = False
) -> tuple[list[str], list[str], list[str]]:
    """`paths` without the files that a folder or pattern found and that are no reports, and
    those left out, by what they are: the files of outputs of extract (`without_runs_files`, to
    which `read_back` goes), then those of saved pages' folders (`without_page_resources`). The
    one sequence of those skips, for the commands (which say what each left out) and for
    `expand_inputs`. Raises NoInputsError when nothing else is left."""
    named = list(named)  # read by each skip
    paths, runs_files = without_runs_files(paths, named, read_back)
    paths, page_resources = without_page_resources(paths, named)
    return paths, runs_files, page_resources


# The folder a browser ("Web page, complete") or Word ("Save as Web Page") saves a page's
# images, scripts, styles and frames in, beside the page: 年报_files (年报.files in some of Word's
# languages) for 年报.html.
_RESOURCE_FOLDER_ENDS = ("_files", ".files")
_SAVED_PAGE_SUFFIXES = SUFFIXES["html"]


def page_resource_folder(path: str | os.PathLike[str]) -> Path | None:
    """The saved page's resources folder that `path` lies in (the nearest), if any: a folder named
    as the page beside it is, with _files (or .files) after its name."""
    for folder in Path(path).parents:
        name = folder.name
        end = next((e for e in _RESOURCE_FOLDER_ENDS if name.lower().endswith(e)), None)
        if end is None or len(name) == len(end):
            continue
        stem = name[: -len(end)]
        if any(folder.with_name(stem + suffix).is_file() for suffix in _SAVED_PAGE_SUFFIXES):
            return folder
        if _beside_in_any_case(folder, {(stem + suffix).lower() for suffix in _SAVED_PAGE_SUFFIXES}):
            return folder  # 年报.HTM beside 年报_files, as Windows or an archive of 8.3 names has it
    return None


def _beside_in_any_case(folder: Path, names: set[str]) -> bool:
    """Whether a file beside `folder` has one of `names` (lower case), in any case."""
    try:
        with os.scandir(folder.parent) as entries:
            return any(e.name.lower() in names and e.is_file() for e in entries)
    except OSError:
        return False


def without_page_resources(paths: list[str], named: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """`paths` without the files that a folder or pattern found in a saved page's resources folder
    (`page_resource_folder`: the frames and widgets a browser saved with the page, which are no
    reports), and those left out. What is `named` in such a folder, or the folder itself (a file,
    the folder, a pattern over it), is read: the user pointed there. Raises NoInputsError when
    nothing else is left."""
    pointed = [os.path.realpath(_literal_part(item)) for item in named if item]
    kept, skipped = [], []
    for path in paths:
        folder = page_resource_folder(path)
        inside = None if folder is None else os.path.realpath(folder)
        if inside is None or any(p == inside or p.startswith(inside + os.sep) for p in pointed):
            kept.append(path)
        else:
            skipped.append(path)
    if skipped and not kept:
        names = ", ".join(map(message_path, skipped))
        raise NoInputsError(
            f"no report files in the given inputs, only files of saved pages' folders: {names}"
        )
    return kept, skipped


def _literal_part(item: str) -> str:
    """A path or pattern up to its first folder or name with a wildcard in it: the folder a
    pattern looks in (`saved/年报_files/*` looks in saved/年报_files)."""
    if not (_GLOB_CHARS & set(item)) or os.path.exists(item):
        return item
    parts = Path(item).parts
    literal = next((index for index, part in enumerate(parts) if _GLOB_CHARS & set(part)), len(parts))
    return str(Path(*parts[:literal])) if literal else "."


def check_output_name(output: str) -> None:
    """An output that names a file ('-': stdout): not empty, nor `.`, `..` or a path ending in a
    separator, which name folders, and beside which no file can be named after the output."""
    if output != "-" and os.path.basename(output) in ("", ".", ".."):
        raise BatchSetupError(f"{quoted(output)} names no file; give a file name, such as out/cells.csv")


def check_output(
    output: str, inputs: Iterable[str] = (), files: Iterable[Path] | None = None, skips_own: bool = True
) -> None:
    """The output can be written (folders are created as needed) without harm: each of the
    `files` written (default: the output alone; see `batch_files`) is new or a regular file
    that is none of the `inputs` and may be written. `skips_own`: the caller skips the files of
    its output that a folder or pattern finds (extract), so that refusing one advises a pattern.

    A symbolic link is refused, even to a regular file: the output is moved into place, which
    would replace the link, not the file it names. '-' (stdout) is always fine.
    """
    if output == "-":
        return
    check_output_name(output)
    target = Path(output)
    written = [target] if files is None else list(files)
    # Told before anything is looked up (a name too long fails every lookup) and before the folder
    # exists: the journal's `-journal`, the longest name beside the output, failed at the first report.
    for path in written:
        if (limit := name_too_long(path)) is not None:
            raise BatchSetupError(
                f"cannot write {quoted(path)}: the name is longer than the {limit} bytes a file name "
                "may have; give a shorter output name"
            )
    try:
        is_folder = target.is_dir()
    except OSError as error:  # a path longer than the system takes, a loop of links on the way
        raise BatchSetupError(f"cannot write {quoted(output)}: {error.strerror}") from None
    if is_folder:
        raise BatchSetupError(f"{quoted(output)} is a directory; give a file name")
    # A name another run writes beside its output (its tables, its journal): writing there
    # would replace that run's files, its live journal included.
    beside = next((end for end in _beside_names() if target.name.endswith(end)), None)
    if beside is not None:
        raise BatchSetupError(
            f"cannot write {quoted(output)}: names ending in {beside} are the files beside an output"
        )
    if partial_of(target.name) is not None:  # another run's, unfinished
        raise BatchSetupError(
            f"cannot write {quoted(output)}: a name .NAME.partial is that of the file NAME while a run "
            "of extract writes it"
        )
    existing = {}
    for path in written:
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:
            continue
        except OSError as error:
            raise BatchSetupError(f"cannot write {quoted(path)}: {_why_not_there(path, error)}") from None
        what = next((name for test, name in _NOT_REGULAR if test(mode)), None)
        if what is not None:
            if path == target:
                raise BatchSetupError(f"cannot write {quoted(output)}: it is {what}; give a new file name")
            raise BatchSetupError(
                f"cannot write {quoted(path)} beside {quoted(output)}: it is {what}; "
                "move it or give another output"
            )
        if not os.access(path, os.W_OK):
            raise BatchSetupError(f"cannot write {quoted(path)}: {_why_not_writable(path)}")
        if (identity := _identity(path)) is not None:
            existing[identity] = path
    for source in inputs if existing else ():
        if (path := existing.get(_identity(source))) is not None:
            # An earlier run's file named as an input is most often a shell's unquoted DIR/*.
            skipped = skips_own and not kind_of_name(path)
            hint = _QUOTE_A_PATTERN.format("its own files") if skipped else ""
            raise BatchSetupError(f"cannot write {quoted(path)}: it is the input {quoted(source)}{hint}")
    check_folder(target.parent)


def _why_not_there(path: Path, error: OSError) -> str:
    """Why no file can be at `path`, which looking it up told (`error`): where a folder on the way
    is a file (out.csv/cells.csv), which one, not the system's bare 'Not a directory'."""
    if error.errno == errno.ENOTDIR:
        for folder in reversed(path.parents):  # from the top down: the first that is no folder
            if os.path.lexists(folder) and not folder.is_dir():
                return f"{quoted(folder)} is a file, not a folder"
    return error.strerror or str(error)


def _why_not_writable(path: Path) -> str:
    """Why the file `path`, which os.access says cannot be written, cannot: as opening it to
    write says (`Read-only file system`, as the folder's own check says it), where that is not
    the permission denied that os.access tells. Opened to append, nothing is written."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)))
    except OSError as error:
        if error.errno not in (errno.EACCES, errno.EPERM) and error.strerror:
            return error.strerror
    return "permission denied"


def _identity(path: str | Path) -> tuple[int, int] | None:
    """A file's device and inode, as os.path.samefile compares them; None if it cannot be told."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether `a` and `b` name one file, told by `_identity`: the same path, a link to it, a
    hard link. A folder is no file, and where either cannot be looked at they are not one."""
    return os.path.isfile(a) and (identity := _identity(a)) is not None and identity == _identity(b)


def own_files(output: str) -> list[Path]:
    """The files of a run into `output`, all named after it: the output, its companion tables (an
    .xlsx output holds them as sheets, a CSV of its name writes them) and the journal's files.
    An output named as a report (`-o r.pdf --format csv`) is not one: `check_output` refuses it
    where it is an input, rather than skip the report."""
    if output == "-":
        return []
    return [path for path in (*output_files(output), *journal_files(output)) if kind_of_name(path) is None]


def without_own_files(
    paths: list[str], output: str, named: Iterable[str] = ()
) -> tuple[list[str], list[str]]:
    """`paths` without the files of a run into `output` (`own_files`, told by their inode, however
    named) that a glob or folder beside the output found, which would be read as reports, and
    those left out. A file `named` as an input itself stays (`check_output` then refuses to write
    over it). Raises NoInputsError when nothing else is left."""
    own = {identity for path in own_files(output) if (identity := _identity(path)) is not None}
    if not own:  # a first run: nothing to compare, no input is looked at
        return paths, []
    own -= {_identity(path) for path in named}
    kept, skipped = [], []
    for path in paths:
        (skipped if _identity(path) in own else kept).append(path)
    if skipped and not kept:
        names = ", ".join(map(message_path, skipped))
        raise NoInputsError(f"no report files in the given inputs, only the output's own: {names}")
    return kept, skipped


def check_folder(folder: Path) -> None:
    """Files can be written in `folder`, created as needed: tried by writing one."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".gongkai.", suffix=".probe"):
            pass
    except OSError as error:
        raise BatchSetupError(f"cannot write to {quoted(folder)}: {error.strerror}") from None


def content_hash(path: str) -> str:
    """SHA-256 of a file's bytes; empty for a file that cannot be read, and for anything but a
    regular file, which is never opened (a named pipe or a device could block, or never end)."""
    digest = hashlib.sha256()
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return ""
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def _read_task(task: tuple[str, str], kind: str = "auto", threads: int = 1) -> Report:
    """Read one (path, sha256) in a worker, its scanned pages `threads` at a time; page geometry
    stays behind (only `review` needs it)."""
    path, sha256 = task
    report = read_report_safely(path, kind, threads)
    report.sha256 = sha256
    report.geometry = []
    return report


def _limited_task(task: tuple[str, str], timeout: float | None, kind: str) -> Report:
    """A Dask task: one report, in a child process killed at the time limit. Its pages are read
    one at a time: the cluster runs as many tasks at once as its workers have threads."""
    install_tokenizer()  # before the fork, so that a first run builds the store once per worker
    try:
        return _report_of(task, pool.call_with_limit(partial(_read_task, kind=kind), task, timeout), timeout)
    finally:
        remove_abandoned_conversions()  # a child killed at the limit while LibreOffice converted


def _report_of(task: tuple[str, str], outcome: pool.Outcome, timeout: float | None) -> Report:
    if outcome.failure is None:
        return outcome.result
    path, sha256 = task
    if outcome.failure == pool.TIMEOUT:
        reason = f"timeout (not read in {timeout:g} s; --timeout sets the limit)"
    else:
        reason = f"worker crashed ({outcome.detail})"
    return Report(source=path, status=Status.FAILED, reason=reason, sha256=sha256, seconds=outcome.seconds)


def _completed(
    tasks: list[tuple[str, str]], workers: int, timeout: float | None, client: Any = None, kind: str = "auto"
) -> Iterator[tuple[int, Report]]:
    """(index into tasks, report) in the order the reports finish.

    Then, however the batch ends, the folders of conversions by LibreOffice whose process has
    ended are removed: those of this batch's workers killed while one converted (at the time
    limit, or as the batch stopped), and those an earlier run killed by kill -9 left. Linux
    has ended their converters with the workers; their folders it cannot."""
    try:
        yield from _finished(tasks, workers, timeout, client, kind)
    finally:
        remove_abandoned_conversions()


def _finished(
    tasks: list[tuple[str, str]], workers: int, timeout: float | None, client: Any, kind: str
) -> Iterator[tuple[int, Report]]:
    if not tasks:
        return
    if client is not None:
        yield from _completed_on_dask(tasks, timeout, client, kind)
    elif workers <= 1 and not timeout:
        threads = page_threads(pool.usable_cores())
        for index, task in enumerate(tasks):
            yield index, _read_task(task, kind, threads)
    else:
        # The dictionary store is built (on a first run) here, once, not by every worker.
        # Freezing the garbage collector keeps the workers' collections from writing to
        # every inherited object, which would copy the pages they share into each of them.
        install_tokenizer()
        gc.freeze()
        try:
            workers = worker_count(workers, len(tasks))
            # Each worker reads its report's scanned pages on its share of the cores: one file
            # alone uses them all, two workers on two cores read one page each.
            read = partial(_read_task, kind=kind, threads=page_threads(pool.usable_cores() // workers))
            if len(tasks) == 1 and pool.FORKS:  # one file needs no pool, only a child to kill at the limit
                yield 0, _report_of(tasks[0], pool.call_with_limit(read, tasks[0], timeout), timeout)
                return
            for outcome in pool.run(read, tasks, workers, timeout):
                yield outcome.index, _report_of(tasks[outcome.index], outcome, timeout)
        finally:
            gc.unfreeze()


def worker_count(asked: int, files: int) -> int:
    """The worker processes that read `files` files when `asked` for: never more than the files
    (a process each with nothing to read), nor than the cores this process may use. Reading is
    CPU-bound: workers beyond the cores only share them, each with its own memory (a scan's OCR
    models too), and `-w 200` on two cores would fork 200 readers to go no faster."""
    return max(1, min(asked, files, pool.usable_cores()))


def _completed_on_dask(
    tasks: list[tuple[str, str]], timeout: float | None, client: Any, kind: str
) -> Iterator[tuple[int, Report]]:
    try:
        from distributed import as_completed
    except ImportError:
        raise ImportError("reading on a Dask cluster needs: pip install 'gongkai[dask]'") from None
    # A few tasks per worker thread in flight: the cluster stays busy, and the client holds
    # a bounded number of results whatever the batch size.
    window = max(2, 2 * sum(client.nthreads().values()))
    queue = iter(enumerate(tasks))
    index_of: dict[Any, int] = {}

    def submit(count: int, completed) -> None:
        for index, task in (item for _, item in zip(range(count), queue, strict=False)):
            future = client.submit(_limited_task, task, timeout, kind, pure=False)
            index_of[future] = index
            completed.add(future)

    completed = as_completed()
    submit(window, completed)
    try:
        for future in completed:
            index = index_of.pop(future)
            try:
                report = future.result()
            except Exception as error:  # the worker died or the task was lost; the file still gets a row
                report = _report_of(
                    tasks[index], pool.Outcome(index, failure=pool.CRASHED, detail=str(error)), timeout
                )
            future.release()
            submit(1, completed)
            yield index, report
    finally:
        for future in index_of:
            future.cancel()


Inputs = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]


def _path_list(inputs: Inputs) -> list[str]:
    """One path (a plain str or a Path is one path, never its letters) or many, each as a str."""
    if isinstance(inputs, str | bytes | os.PathLike):
        items = [inputs]
    elif isinstance(inputs, Iterable):
        items = list(inputs)
    else:
        raise InputTypeError(f"inputs are a path or an iterable of paths, not {type(inputs).__name__}")
    return [check_path(item) for item in items]


def _check_options(workers: int, timeout: float | None) -> None:
    """Refuse, before any reading, a worker count or time limit the batch cannot act on."""
    require_count("workers", workers)
    number = not isinstance(timeout, bool) and isinstance(timeout, int | float)
    if timeout is not None and not (number and 0 <= timeout <= LONGEST_TIMEOUT):  # NaN compares false
        raise InvalidOptionError(
            f"timeout is a number of seconds up to {LONGEST_TIMEOUT:g} (a week; 0 or None: no limit), "
            f"not {timeout!r}"
        )


def iter_reports(
    inputs: Inputs,
    workers: int = 1,
    timeout: float | None = DEFAULT_TIMEOUT,
    kind: str = "auto",
    client: Any = None,
) -> Iterator[Report]:
    """One Report per input file, sorted by path, whatever order the workers finish them in.

    `inputs` is one path or many: files, directories (searched for report files, or
    only those of `kind`: pdf, html, docx) and glob patterns (without the files of outputs of
    extract they find: `expand_inputs`). A file that cannot be
    read gives a failed Report, never an exception. With `workers` > 1 or a
    `timeout`, files are read in worker processes, and a file still being read after
    `timeout` seconds is `failed` with reason `timeout` (its worker is killed). With a
    Dask `client` (distributed.Client), files are read on its cluster. Reports that
    finish early wait for those before them, so a file that takes its full timeout
    holds back what finishes meanwhile.
    """
    _check_options(workers, timeout)
    tasks = [(path, content_hash(path)) for path in expand_inputs(inputs, kind)]
    done: dict[int, Report] = {}
    next_yield = 0
    for index, report in _completed(tasks, workers, timeout, client, kind):
        done[index] = report
        while next_yield in done:
            yield done.pop(next_yield)
            next_yield += 1


def default_workers() -> int:
    return pool.usable_cores()


class FailedReportsWarning(UserWarning):
    """Some inputs of `read_reports` could not be read; their cells are not in the frame."""


def read_reports(
    inputs: Inputs,
    workers: int = 1,
    timeout: float | None = DEFAULT_TIMEOUT,
    kind: str = "auto",
    with_status: bool = False,
    client: Any = None,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """All cells of many reports in one DataFrame, sorted by source.

    `inputs` is one path or many (files, directories, globs; see `iter_reports`). A
    file that fails contributes no cells, and a FailedReportsWarning names it. With
    `with_status=True`, returns (cells, files): the per-file status table too, one
    row per input, failed ones included. With a Dask `client`, files are read on its cluster.
    """
    import pandas as pd

    from .output.records import empty_frame, frame

    frames, statuses = [], []
    for report in iter_reports(inputs, workers, timeout, kind, client):
        statuses.append(report.file_record())
        if len(report.cells):
            frames.append(report.cells)
    cells = pd.concat(frames, ignore_index=True) if frames else empty_frame("cells")
    failed = [
        f"{message_path(s['source'])} ({s['reason']})" for s in statuses if s["status"] == Status.FAILED
    ]
    if failed:
        shown = "; ".join(failed[:5]) + (f"; and {len(failed) - 5} more" if len(failed) > 5 else "")
        warnings.warn(
            f"{len(failed)} of {counted(len(statuses), 'input')} could not be read: {shown}",
            FailedReportsWarning,
            stacklevel=2,
        )
    if with_status:
        return cells, frame("files", statuses)
    return cells


@dataclass
class BatchResult:
    """What a finished batch did."""

    total: int
    reused: int = 0
    counts: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(Status, 0))
    cells_written: int = 0  # cell records (long shape); cells with a value (wide shape)
    rows_written: int = 0  # rows of the cells output: one per cell (long), one per report (wide)
    journal: Path | None = None
    # What the CSV tables wrote as escapes, characters --encoding cannot write (writers.escapes_note).
    escaped: str | None = None


class BatchInterrupted(Exception):
    """The batch stopped before its end; the journal keeps every report that had finished.

    `earlier_outputs` are the output files on disk that this run has not written: an
    earlier run's, left untouched (a run replaces them all together when it ends).
    `completed` says that this run's output was already in place when the stop came.
    """

    def __init__(
        self,
        finished: int,
        total: int,
        journal: Path | None,
        earlier_outputs: list[Path] | None = None,
        completed: bool = False,
    ):
        super().__init__(f"{finished} of {counted(total, 'file')} read")
        self.finished, self.total, self.journal = finished, total, journal
        self.earlier_outputs, self.completed = earlier_outputs or [], completed


def _duplicates(tasks: list[tuple[str, str]]) -> dict[str, str]:
    """source -> the first input (in input order) with the same content, for each later copy."""
    first: dict[str, str] = {}
    out: dict[str, str] = {}
    for source, sha256 in tasks:
        if not sha256:
            continue
        if sha256 in first:
            out[source] = first[sha256]
        else:
            first[sha256] = source
    return out


def _records_of(report: Report) -> dict[str, list[dict]]:
    return {
        "cells": cell_rows(report.records),
        "files": [report.file_record()],
        "checks": [c.record(report.source) for c in report.checks if c.status != CheckStatus.PASSED],
    }


class Batch:
    """One batch over `paths` (read as `kind`) into `output` (format `fmt`) and its companion
    tables, through the journal.

    Opening it takes the journal's lock (JournalBusyError while another run holds it),
    then hashes every input once; with `resume`, the reports the journal holds for the
    same path and content are reused (except timeouts and crashed workers, which are
    tried again), and those of inputs no longer given are dropped. A journal read with
    another `kind` is not resumed (ReadingOptionsChangedError). `todo` is what is left
    to read; `run` reads it. An interruption while hashing raises BatchInterrupted.
    Before the journal is touched, a file a run of extract writes among `paths` (a journal, a
    table, a lock, an output: no report) raises RunsFileError (`check_named_files`).
    """

    def __init__(
        self,
        paths: Inputs,
        output: str | os.PathLike[str],
        fmt: str | None,
        encoding: str = "utf-8",
        resume: bool = False,
        shape: str = "long",
        kind: str = "auto",
    ):
        # Refused before the journal is touched, as extract refuses them: a batch that could only
        # fail after hours of reading, or read every file to a failed row.
        paths, output = _path_list(paths), check_path(output)
        if not paths:  # as read_reports([]): else a header-only output would say nothing was wrong
            raise NoInputsError("no inputs given: name report files")
        check_output_name(output)
        fmt = check_format(output, fmt)
        check_encoding(encoding)
        check_shape(fmt, shape)
        check_kind(kind)
        check_named_files(paths)
        # As extract refuses it: an output that would replace an input (a report written over
        # with its own cells), or a file beside another output (its journal, its tables).
        check_output(output, paths, batch_files(output, fmt), skips_own=False)
        self.output, self.fmt, self.encoding, self.shape, self.kind = output, fmt, encoding, shape, kind
        self._started = time.time_ns()
        # A batch written to stdout leaves nothing that a run could resume: its journal is in memory.
        location = None if output == "-" else journal_path(output)
        self.result = BatchResult(total=len(paths), journal=location)
        # The options that change what is read; those of the output (format, encoding, shape) do not.
        writes = {"name": Path(output).name, "format": fmt, "shape": shape}
        self.journal = Journal(location, fresh=not resume, reading={"input kind": kind}, output=writes)
        try:
            self._take_stock(paths)
        except (KeyboardInterrupt, SystemExit) as error:
            kept = self._kept()
            self.close()
            raise BatchInterrupted(kept, len(paths), self.result.journal, self._earlier_outputs()) from error
        except BaseException:
            self.close()  # and so release the lock
            raise

    def _take_stock(self, paths: list[str]) -> None:
        """Hash the inputs, drop what the journal holds of others, and see what is left to read."""
        self.tasks = [(path, content_hash(path)) for path in paths]
        # The journal's key of each task: its report's source (the path as text) and hash.
        self._keys = [(path_text(path), sha256) for path, sha256 in self.tasks]
        self.journal.keep_only(self._keys)
        kept = self.journal.kept()
        reused = {key for key in self._keys if key in kept}
        self.todo = [task for task, key in zip(self.tasks, self._keys, strict=True) if key not in reused]
        self.result.reused = len(self.tasks) - len(self.todo)
        for key in reused:
            self.result.counts[Status(kept[key])] += 1

    def outputs(self) -> list[Path]:
        """The files this batch writes: the output and its companion tables (none for stdout)."""
        return output_files(self.output, self.fmt)

    def _written_by_this_run(self, path: Path) -> bool:
        return path.exists() and path.stat().st_mtime_ns >= self._started

    def _earlier_outputs(self) -> list[Path]:
        return [p for p in self.outputs() if p.exists() and not self._written_by_this_run(p)]

    def run(
        self,
        workers: int = 1,
        timeout: float | None = DEFAULT_TIMEOUT,
        client: Any = None,
        on_report: Callable[[Report], None] | None = None,
    ) -> BatchResult:
        """Read what is left, each report into the journal as it finishes, then write the output.

        `on_report` is called for each report read, in the order they finish.
        Stopped by KeyboardInterrupt or SystemExit (a signal handler's), it raises
        BatchInterrupted; the journal keeps every finished report for a resumed run.
        """
        _check_options(workers, timeout)
        result = self.result
        try:
            for _, report in _completed(self.todo, workers, timeout, client, self.kind):
                self.journal.add(
                    report.source, report.sha256, report.status, report.reason, _records_of(report)
                )
                result.counts[report.status] += 1
                if on_report is not None:
                    on_report(report)
            result.cells_written, result.rows_written, result.escaped = _assemble(
                self.journal, self._keys, self.output, self.fmt, self.encoding, self.shape
            )
            self.journal.mark_finished()
        except (KeyboardInterrupt, SystemExit) as error:
            completed = bool(self.outputs()) and all(map(self._written_by_this_run, self.outputs()))
            raise BatchInterrupted(
                self._kept(self._keys), len(self.tasks), result.journal, self._earlier_outputs(), completed
            ) from error
        return result

    def _kept(self, tasks: list[tuple[str, str]] | None = None) -> int:
        """How many of `tasks` (default: any) the journal holds that a resumed run would not read again.

        Counted in the journal itself, which a stop may reach between storing a report and counting it."""
        kept = self.journal.kept()
        return len(kept) if tasks is None else len(kept.keys() & set(tasks))

    def kept(self) -> int:
        """How many of this batch's inputs the journal holds that a resumed run would not read
        again (after a JournalWriteError: those stored before it)."""
        return self._kept(self._keys)

    def close(self) -> None:
        self.journal.close()

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def run_batch(
    paths: list[str],
    output: str,
    fmt: str,
    encoding: str = "utf-8",
    workers: int = 1,
    timeout: float | None = DEFAULT_TIMEOUT,
    resume: bool = False,
    client: Any = None,
    kind: str = "auto",
    shape: str = "long",
) -> BatchResult:
    """Read `paths` into `output` through the journal (see `Batch`)."""
    with Batch(paths, output, fmt, encoding, resume, shape, kind) as batch:
        return batch.run(workers, timeout, client)


def _assemble(
    journal: Journal, tasks: list[tuple[str, str]], output: str, fmt: str, encoding: str, shape: str
) -> tuple[int, int, str | None]:
    """Write the output from the journal, in input order; returns the cells and the rows written,
    and what was written as escapes (the CSV's encoding lacks a character: None when nothing)."""
    duplicates = _duplicates(tasks)
    with BatchOutput(output, fmt, encoding, shape) as out:
        for source, sha256 in tasks:
            records = journal.records(source, sha256)
            records["files"][0]["duplicate_of"] = duplicates.get(source)
            out.add_records(records)
    return out.cells_written, out.rows_written, escapes_note(out.escapes)
