"""The command line: parse options, call the library, print. Nothing else lives here."""

from __future__ import annotations

import contextlib
import math
import os
import shlex
import shutil
import signal
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import NoReturn

import click

from . import __version__, pool
from .batch import (
    DEFAULT_TIMEOUT,
    LONGEST_TIMEOUT,
    Batch,
    BatchInterrupted,
    BatchSetupError,
    NoInputsError,
    batch_files,
    check_encoding,
    check_format,
    check_inputs,
    check_named_files,
    check_named_inputs,
    check_output,
    check_output_name,
    default_workers,
    holds_a_report,
    iter_reports,
    own_files,
    page_resource_folder,
    same_file,
    without_found_non_reports,
    without_own_files,
    worker_count,
)
from .errors import OutputWriteError, RunsFileError
from .model import Status
from .numbers import counted, format_number
from .output.journal import JournalError, JournalWriteError, ReadingOptionsChangedError
from .output.records import FORMATS, SHAPES, OutputFormatError
from .output.writers import check_shape, writing
from .sources import INPUT_KINDS, describe, kind_of_name, message_path, no_file, path_text, quoted


class _Seconds(click.FloatRange):
    """A number of seconds in the range; NaN, which every range check lets through, is refused
    by the value given ('nan' is not a number)."""

    def convert(self, value, param, ctx) -> float:
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{value!r} is not a number", param, ctx)
        return number


def _say(message: str) -> None:
    click.echo(message, err=True)


def _say_above(bar):
    """How a message is said while `bar` (if any) is on screen: through its console, so that it
    prints above the bar, as one logical line that the terminal wraps (rich would break it at
    the console's width, inside a path)."""
    if bar is None:
        return _say
    return lambda message: bar.console.print(message, markup=False, highlight=False, soft_wrap=True)


def _files(count: int) -> str:
    return counted(count, "file")


# The narrowest bar worth drawing beside all the figures a line can hold; a narrower terminal drops
# figures first, then shortens the bar down to _NARROW_BAR, then drops the last figures.
_SHORTEST_BAR = 10
_NARROW_BAR = 3
# The columns the display leaves free at the end of its line, for the terminal's echo of Ctrl-C
# (`^C`): on a line as wide as the terminal, the echo wrapped onto a line of its own, where the
# bar was drawn again, and it was left twice on the screen.
_ECHO_ROOM = 2


def _clock(seconds: float | None) -> str:
    """Seconds as rich's progress shows time: 0:01:05; -:--:-- when not known."""
    if seconds is None:
        return "-:--:--"
    minutes, seconds = divmod(max(0, math.ceil(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def _rate_text(rate: float) -> str:
    """Files a second in at most 5 characters, so that the bar beside never shortens: 123.4, and
    from 1000 on whole, 1056 (the first file of a run, done in a millisecond), up to 99999."""
    return f"{rate:.1f}" if rate < 999.95 else f"{min(rate, 99999):.0f}"


def _progress_columns(width: int, total: int) -> list:
    """What the progress display shows in a terminal `width` wide. Of several files: as many of
    its figures as fit beside a bar, the bar filling the rest; of one file, which has no steps to
    count, a spinner and the time it has taken. Every line fits `width`, never wrapped."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        ProgressColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.table import Column
    from rich.text import Text

    class Rate(ProgressColumn):
        """Files a second since the start, worked out at each drawing: it falls while a slow file
        is read, where a rate set as each file ends would stay as it was."""

        def __init__(self, unit: str) -> None:
            self.unit = unit
            super().__init__()

        def render(self, task) -> Text:
            elapsed = task.elapsed
            rate = _rate_text(task.completed / elapsed) if task.completed and elapsed else "-"
            # As wide as 123.4 from the start, so that the bar beside it keeps its length.
            return Text(f"{rate:>5}{self.unit}", style="progress.data.speed")

    class TimeLeft(ProgressColumn):
        """The time left at the run's rate so far, worked out at each drawing (rich's own estimate
        holds still between files)."""

        def render(self, task) -> Text:
            if task.finished:
                return Text(_clock(0), style="progress.remaining")
            elapsed = task.elapsed
            known = task.completed and elapsed and task.total is not None
            left = (task.total - task.completed) * elapsed / task.completed if known else None
            return Text(_clock(left), style="progress.remaining")

    label = TextColumn("[bold]reading")
    if total == 1:
        spinner, elapsed = SpinnerColumn(), TimeElapsedColumn()
        tiers = [
            (len("reading 0:00:00") + 1, [spinner, label, elapsed]),
            (len("0:00:00") + 1, [spinner, elapsed]),
        ]
        return _fitting(tiers, width, [spinner])
    digits = len(str(total))
    done, left = 2 * digits + 1, 8  # 1250/2000; 0:00:06
    counts = len("ok  · partial  · failed ") + 3 * digits
    failed = len("failed ") + digits
    # The bar takes all the room the figures leave (its ratio), the figures only what they need.
    bar = BarColumn(bar_width=None, table_column=Column(ratio=1))
    done_column, eta = MofNCompleteColumn(), TimeLeft()
    counts_column = TextColumn("{task.fields[counts]}")
    failed_column = TextColumn("failed {task.fields[failed]}")
    tiers = [
        (
            len("reading 123.4 files/s") + done + left + counts + _SHORTEST_BAR,
            [label, bar, done_column, Rate(" files/s"), eta, counts_column],
        ),
        (
            len("123.4/s") + done + left + counts + _SHORTEST_BAR,
            [bar, done_column, Rate("/s"), eta, counts_column],
        ),
        (failed + done + left + _SHORTEST_BAR, [bar, done_column, eta, failed_column]),
        (failed + done + _SHORTEST_BAR, [bar, done_column, failed_column]),
        (failed + done + _NARROW_BAR, [bar, done_column, failed_column]),
        (done + _NARROW_BAR, [bar, done_column]),
    ]
    return _fitting(tiers, width, [bar])


def _fitting(tiers: list[tuple[int, list]], width: int, narrowest: list) -> list:
    """The first of `tiers` (the room its figures need, its columns) that fits `width` with one
    space between its columns; else `narrowest`."""
    for need, columns in tiers:
        if need + len(columns) - 1 <= width:
            return columns
    return narrowest


def _progress(total: int, enabled: bool, console=None):
    """The progress display on stderr, only when stderr is a terminal, fitted to the terminal's
    width at each drawing (a terminal made narrower meanwhile gets a shorter line, not a wrapped
    one). A bar for several files; a spinner for one (a scan takes seconds), which goes when done."""
    if not enabled:
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import Progress

    class Fitted(Progress):
        def __init__(self, console) -> None:
            self._fitted: dict[int, tuple[int, list]] = {}  # by width, kept so that a spinner turns
            super().__init__(
                *self._columns(console.width), console=console, transient=total == 1, expand=total != 1
            )

        def _fit(self, width: int) -> tuple[int, list]:
            """The width to draw in and its columns: _ECHO_ROOM short of the terminal's where the
            same figures fit there (the bar shorter), else the terminal's."""
            if width not in self._fitted:
                columns = _progress_columns(width, total)
                short = _progress_columns(width - _ECHO_ROOM, total)
                # Tiers of one length show the same figures: then only the bar is shorter.
                same = width > _ECHO_ROOM and len(short) == len(columns)
                self._fitted[width] = (width - _ECHO_ROOM, short) if same else (width, columns)
            return self._fitted[width]

        def _columns(self, width: int) -> list:
            return self._fit(width)[1]

        def get_renderables(self):
            if hasattr(self, "live"):  # Progress draws once while it is made, before it has a console
                self.columns = tuple(self._columns(self.console.width))
            yield from super().get_renderables()

        def make_tasks_table(self, tasks):
            table = super().make_tasks_table(tasks)
            if self.expand and hasattr(self, "live"):  # the bar fills no more; a spinner has no bar
                table.width = self._fit(self.console.width)[0]
            return table

    console = console or Console(stderr=True, _environ=_environment())
    if console.is_dumb_terminal:
        # TERM=dumb cannot redraw a line: rich drew the bar once, full, as the run ended, then a
        # blank line, under the line that says the same.
        return nullcontext(None)
    if console.color_system == "standard":
        # In 16 colours (TERM=xterm) rich's green for a finished bar comes out as the grey of the
        # bar's empty part (\x1b[90m): 6/6 looked as 0/6. The terminal's own colours instead.
        from rich.theme import Theme

        console.push_theme(Theme({"bar.complete": "bright_magenta", "bar.finished": "green"}))
    return Fitted(console)


class _Stopped(SystemExit):
    """SIGINT, SIGTERM or SIGHUP as an exception that every command lets through (click would
    print 'Aborted!' for a KeyboardInterrupt): it stops the work at once, the way out closes
    the journal, and the status is 128 + the signal's number (130, 143, 129)."""


_STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))
# A command whose reader stops reading (`| head`) ends as if killed by SIGPIPE, as Unix tools do.
_BROKEN_PIPE_STATUS = 128 + 13


def _on_stop_signal(signum: int, frame: object) -> NoReturn:
    # The first stop ends the command in order: the journal closed and its lock released, the
    # output's files placed all together or not at all. Ctrl-C pressed again while it does so
    # would cut that short (a lock file left, a second `interrupted` line): it is ignored.
    for stop in _STOP_SIGNALS:
        if signal.getsignal(stop) is _on_stop_signal:
            signal.signal(stop, signal.SIG_IGN)
    raise _Stopped(128 + signum)


@contextlib.contextmanager
def _command_ending():
    """While a command runs: stop signals raise _Stopped; a closed stdout ends it quietly."""
    # A signal ignored on the way in stays ignored: SIGINT in a shell's background job, SIGHUP under nohup.
    handled = [signum for signum in _STOP_SIGNALS if signal.getsignal(signum) is not signal.SIG_IGN]
    previous = {signum: signal.signal(signum, _on_stop_signal) for signum in handled}
    try:
        yield
    except (_Stopped, KeyboardInterrupt) as stop:  # a stop the command did not report itself
        _stopped_reading(stop.code if isinstance(stop, _Stopped) else 130)
    except BrokenPipeError:
        _ended_by_a_closed_stdout()
    except OutputWriteError as error:  # a full disk or stdout, a character the encoding lacks
        _say(f"gongkai: error: {error}")
        try:
            sys.stdout.flush()
        except OSError:  # what stdout could not take would fail again at exit
            _drop_stdout()
        raise SystemExit(1) from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _ended_by_a_closed_stdout() -> NoReturn:
    """stdout closed by its reader (`| head`): the status of a tool ended by SIGPIPE, nothing said."""
    _drop_stdout()
    raise SystemExit(_BROKEN_PIPE_STATUS) from None


def _drop_stdout() -> None:
    """Whatever is still buffered for stdout goes to /dev/null (Python's recipe for a broken
    pipe), so that exiting prints no error."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _columns() -> int | None:
    """COLUMNS, when it is a whole number of at least 1: 0, a negative number or anything else
    is as if it were unset (rich took 0 as a width of 0, and summary as no limit)."""
    value = os.environ.get("COLUMNS", "").strip()
    return int(value) if value.isascii() and value.isdigit() and int(value) > 0 else None


def _environment() -> dict[str, str]:
    """The environment as rich is to read it: without a COLUMNS that `_columns` sets aside."""
    return {k: v for k, v in os.environ.items() if k != "COLUMNS" or _columns() is not None}


# A Chinese character is two columns wide: fitted to one column, rich drops every one of them
# (COLUMNS=1 printed the agency's name as blank lines).
_NARROWEST = 2


def _text_width(default: int | None) -> int | None:
    """The width that what inspect, summary and compare print for people is fitted to: COLUMNS
    (see `_columns`), else the terminal's when stdout is one, else `default`; never less than one
    Chinese character's."""
    if (columns := _columns()) is not None:
        width = columns
    elif sys.stdout.isatty():
        width = shutil.get_terminal_size().columns  # which sets aside such a COLUMNS too
    else:
        return default
    return max(width, _NARROWEST)


def _stdout_console(width: int | None):
    """A rich console on stdout whose broken pipe ends the command as any other command's does."""
    from rich.console import Console

    class PipedConsole(Console):
        def on_broken_pipe(self) -> None:  # rich would exit with status 1
            self.quiet = True
            raise BrokenPipeError

    return PipedConsole(width=width)


_WORKERS = click.option(
    "-w",
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes, at most one per file and per core [default: cores].",
)
_TIMEOUT = click.option(
    "--timeout",
    type=_Seconds(min=0, max=LONGEST_TIMEOUT),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds per file (0: no limit).",
)


@contextlib.contextmanager
def _usage_errors_in_one_line():
    """A usage error click finds (a bad option value, an unknown option, a missing -o) said as
    every other failure is: one line on stderr, exit status 2; click printed Usage, Try and Error
    lines. Help asked for by giving no arguments is still help."""
    try:
        yield
    except click.exceptions.NoArgsIsHelpError:
        raise
    except click.UsageError as error:
        message = " ".join(error.format_message().split()).rstrip(".")
        command = error.ctx.command_path if error.ctx is not None else "gongkai"
        _usage_error(f"{message[:1].lower()}{message[1:]}; see '{command} --help'")


class _InItsContext(click.Command):
    """A command whose usage errors all know the command: click's parser raises some without it
    (an option given last without its value: `-o`, `--agency`), which then pointed to the
    program's help alone, not the command's as run (`python -m gongkai extract --help`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            if error.ctx is None:
                error.ctx = ctx
            raise


class _Gongkai(_InItsContext, click.Group):
    """The command group, whose usage errors and its commands' are one line each."""

    command_class = _InItsContext

    def make_context(self, *args, **kwargs) -> click.Context:
        # `gongkai --help | head` and --version end here, before any command sets its handling:
        # click ended a closed stdout with exit status 1.
        try:
            with _usage_errors_in_one_line():
                return super().make_context(*args, **kwargs)
        except BrokenPipeError:
            _ended_by_a_closed_stdout()

    def invoke(self, ctx: click.Context):
        with _usage_errors_in_one_line():  # the command's name, and its options
            return super().invoke(ctx)


@click.group(cls=_Gongkai, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gongkai")
@click.pass_context
def main(context: click.Context) -> None:
    """Read 政府信息公开工作年度报告 (PDF, web page, Word) into labelled, checked records."""
    context.with_resource(_command_ending())
    # Text for people (inspect, summary, compare) shows '?' for a mark that stdout's encoding
    # lacks (∅, ◐ and ● under PYTHONIOENCODING=gbk) rather than failing; `extract -o -` writes
    # its records through a wrapper of its own, in --encoding, and fails rather than change them.
    with contextlib.suppress(AttributeError, ValueError, OSError):
        sys.stdout.reconfigure(errors="replace")


def _usage_error(message: str) -> NoReturn:
    """A usage error: one line on stderr, exit status 2, before any work."""
    _say(f"gongkai: error: {message}")
    sys.exit(2)


def _stopped_reading(code: int) -> NoReturn:
    """Ctrl-C (or SIGTERM, SIGHUP) while reading (inspect, summary, compare) or before a batch
    starts: one line, exit status `code`, no traceback."""
    with contextlib.suppress(OSError):  # after SIGHUP the terminal may be gone
        _say("gongkai: interrupted")
    sys.exit(code)


def _dask_client(address: str):
    try:
        from distributed import Client
    except ImportError:
        _usage_error("--scheduler needs Dask: pip install 'gongkai[dask]'")
    try:
        return Client(address, timeout=10)
    except (OSError, ValueError) as error:
        _usage_error(f"cannot reach the Dask scheduler at {address}: {error}")


def _resume_command() -> str:
    """This command with --resume, to paste into a shell: at the end, or right after the command's
    name when a `--` is given (after it, --resume would be a file name)."""
    command, *arguments = sys.argv[1:] or ["extract"]
    options = arguments[: arguments.index("--")] if "--" in arguments else arguments
    if "--resume" not in options:
        arguments = ["--resume", *arguments] if "--" in arguments else [*arguments, "--resume"]
    return " ".join(map(_shell_word, [*_program(), command, *arguments]))


def _program() -> list[str]:
    """The words that started this program, as a shell runs them again: `python -m gongkai` when
    run as a module, with the interpreter's own options as given (`python -X utf8 -m gongkai`;
    the interpreter by its name when PATH finds it by that name, else by its path), else the
    command's own path, by its name alone when PATH finds it by that name."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if spec is not None and spec.name == f"{__package__}.__main__":
        return [_as_found(sys.executable or "python"), *_interpreter_options()]
    started = sys.argv[0] if sys.argv else ""
    if not started or started.startswith("-"):  # python -c: no program to name but the command
        return ["gongkai"]
    return [_as_found(started)]


def _interpreter_options() -> list[str]:
    """What followed the interpreter's name up to the command's arguments, as it was run: its
    options and `-m gongkai` (`-X utf8 -m gongkai`, `-I -m gongkai`). sys.orig_argv ends with
    the arguments sys.argv holds after its first word; where it does not (sys.argv changed by
    the caller), only `-m gongkai` is known."""
    original, arguments = list(getattr(sys, "orig_argv", [])), sys.argv[1:]
    started = len(original) - len(arguments)
    if started >= 2 and original[started:] == arguments:
        return original[1:started]
    return ["-m", __package__]


def _as_found(path: str) -> str:
    """`path` by its name alone where that is what PATH finds (/usr/bin/gongkai: gongkai)."""
    name = os.path.basename(path)
    if name == path:
        return path
    found = shutil.which(name)
    return name if found is not None and os.path.abspath(found) == os.path.abspath(path) else path


def _shell_word(word: str) -> str:
    """One word as a shell reads it back, on one line: shlex.quote; a word holding a character
    that cannot be pasted as itself (a newline, a tab, which a shell would take for completion,
    any other control or invisible character) or bytes that are not UTF-8 (a GBK file name) as
    $'...', each such character as the \\xNN of its bytes (bash, zsh, ksh)."""
    if word.isprintable():
        return shlex.quote(word)
    escaped = []
    for character in word:
        if character in "'\\":
            escaped.append("\\" + character)
        elif character.isprintable():
            escaped.append(character)
        else:  # a byte that is not UTF-8 is a surrogate here (os.fsdecode): os.fsencode gives it back
            escaped += (f"\\x{byte:02x}" for byte in os.fsencode(character))
    return "$'" + "".join(escaped) + "'"


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    required=True,
    help="Output file (.csv, .parquet, .jsonl or .xlsx); '-' writes CSV (or --format jsonl) to stdout.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS, case_sensitive=False),
    help="Output format, if not given by the extension.",
)
@click.option(
    "--shape",
    type=click.Choice(SHAPES, case_sensitive=False),
    default="long",
    show_default=True,
    help="long: one record per cell; wide: one row per report, one column per cell of the form.",
)
@click.option("--encoding", default="utf-8", show_default=True, help="CSV encoding; utf-8-sig for Excel.")
@_WORKERS
@_TIMEOUT
@click.option(
    "--resume",
    is_flag=True,
    help="Reuse the reports an earlier (interrupted) run kept in the journal beside OUTPUT.",
)
@click.option(
    "--input-kind",
    type=click.Choice(["auto", *INPUT_KINDS], case_sensitive=False),
    default="auto",
    show_default=True,
    help="Read only inputs of this kind (docx includes .doc and .wps); auto reads every kind.",
)
@click.option("--scheduler", metavar="ADDRESS", help="Read on a Dask cluster, e.g. tcp://host:8786.")
@click.option("--strict", is_flag=True, help="Exit 1 also when a report is only partly read.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no messages but errors.")
def extract(
    inputs, output, fmt, shape, encoding, workers, timeout, resume, input_kind, scheduler, strict, quiet
) -> None:
    """Read every report in INPUTS (files, directories, globs) and write one record per cell of the form.

    Reports are PDFs, web pages (.html, .htm, .shtml, .xhtml; .mhtml, .mht; gzipped, .html.gz)
    and Word files (.docx; .doc and .wps with LibreOffice), also named as wget names a second
    download (index.html.1); each file's content decides how it is read.

    Beside OUTPUT go two CSV tables named after it: for cells.csv (or cells.parquet,
    cells.jsonl) they are cells.files.csv, one status row per input, and
    cells.checks.csv, every arithmetic rule that failed or could not be evaluated.
    An .xlsx output holds them as sheets instead. Every finished report is kept at once
    in cells.journal.sqlite beside OUTPUT, which --resume reuses after an interruption;
    one run at a time writes to an OUTPUT.

    \b
    Examples:
      gongkai extract samples/ -o out/cells.csv
      gongkai extract 'reports/**/*.pdf' -o out/cells.parquet --workers 2 --resume
      gongkai extract samples/ -o out/panel.csv --shape wide
      gongkai extract report.pdf -o - | head
      gongkai extract samples/ -o out/book.xlsx
      gongkai extract /shared/reports -o out/cells.parquet --scheduler tcp://host:8786

    \b
    --timeout 0 means no time limit.
    Exit status:
      0    every input was read (ok, or partial without --strict)
      1    some input failed (everything readable is still written),
           or with --strict some report is partial; or the output could not
           be written (a full disk, a character --encoding lacks): a line says
           why, no output file is placed, and a second line gives the command
           that writes what the journal kept, without reading again
      2    usage error (bad option, no inputs, a file of an output of extract
           named as an input, unusable output: one of the inputs, or a
           directory, link or special file where it or a file beside it goes),
           found before any work
      130  interrupted (Ctrl-C; 143 for SIGTERM, 129 for SIGHUP): finished reports
           are kept in the journal, an earlier run's output stays untouched, and
           the command to continue is printed
      141  stdout was closed by its reader (| head), as for a tool ended by SIGPIPE
    """
    try:
        check_output_name(output)
        fmt = check_format(output, fmt)
        check_encoding(encoding)
        check_named_inputs(inputs, written=batch_files(output, fmt))
        paths = check_inputs(inputs, input_kind)
        paths, own = without_own_files(paths, output, named=inputs)
        paths, others, resources = without_found_non_reports(paths, inputs)
        check_shape(fmt, shape)
        check_output(output, paths, batch_files(output, fmt))
    except (BatchSetupError, OutputFormatError, NoInputsError, RunsFileError) as error:
        _usage_error(str(error))
    if resume and output == "-":
        _usage_error("--resume needs an output file")
    if own and not quiet:
        names = ", ".join(map(message_path, own))
        _say(f"gongkai: skipped {len(own)} of the output's own files (not reports): {names}")
    if others and not quiet:
        _say_runs_files(others)
    if resources and not quiet:
        _say_page_resources(resources)
    client = _dask_client(scheduler) if scheduler else None
    try:
        batch = Batch(paths, output, fmt, encoding, resume, shape, input_kind)
    except ReadingOptionsChangedError as error:
        _usage_error(f"cannot resume: {error}; give the same --input-kind, or run without --resume")
    except (BatchSetupError, JournalError, RunsFileError) as error:  # as checked above, again
        _usage_error(str(error))
    except BatchInterrupted as stop:
        _interrupted(stop)
    with batch, client or nullcontext():
        if batch.result.reused and not quiet:
            _say(f"gongkai: resuming: {_files(batch.result.reused)} already read, {len(batch.todo)} to go")
        if client is None and not quiet:
            _say_workers(workers, len(batch.todo))
        result = _run(batch, workers or default_workers(), timeout or None, client, quiet)
    counts = result.counts
    sys.exit(1 if counts[Status.FAILED] or (strict and counts[Status.PARTIAL]) else 0)


def _say_runs_files(skipped: list[str]) -> None:
    """One line naming the files of outputs of extract that a pattern found: not read."""
    names = ", ".join(map(message_path, skipped))
    _say(f"gongkai: skipped {counted(len(skipped), 'file')} of outputs of extract (not reports): {names}")


def _say_page_resources(skipped: list[str]) -> None:
    """One line naming the saved pages' folders whose files a folder or pattern found: not read."""
    folders = ", ".join(
        dict.fromkeys(message_path(folder) for p in skipped if (folder := page_resource_folder(p)))
    )
    _say(
        f"gongkai: skipped {counted(len(skipped), 'file')} in the folders saved with web pages "
        f"(their frames and scripts, not reports): {folders}"
    )


def _say_workers(asked: int | None, files: int) -> None:
    """One line when fewer workers read than `-w` asked for: never more than the files to read
    nor than the cores (batch.worker_count); nothing when -w was not given."""
    if asked is None or files == 0 or (used := worker_count(asked, files)) >= asked:
        return
    cores = pool.usable_cores()
    why = [
        counted(files, "file") + " to read" if used == files else "",
        counted(cores, "core") if used == cores else "",
    ]
    _say(f"gongkai: using {counted(used, 'worker')} ({', '.join(filter(None, why))})")


def _counts_text(counts: dict[Status, int]) -> str:
    return " · ".join(f"{status} {count}" for status, count in counts.items())


def _reading_task(bar, total: int):
    """The bar's one task, its counts at 0 from the first drawing (an empty text at first drew
    the bar over the counts' room, and it shrank when the first file was done)."""
    if bar is None:
        return None
    return bar.add_task("read", total=total, counts=_counts_text(dict.fromkeys(Status, 0)), failed=0)


def _advance(bar, task, counts: dict[Status, int]) -> None:
    """One more file done: the bar's status counts (its rate and time left are worked out as it is drawn)."""
    bar.update(task, advance=1, counts=_counts_text(counts), failed=counts[Status.FAILED])


def _run(batch: Batch, workers: int, timeout: float | None, client, quiet: bool):
    output = batch.output
    counts = dict.fromkeys(Status, 0)
    show_bar = not quiet and sys.stderr.isatty() and len(batch.todo) > 0
    with _progress(len(batch.todo), show_bar) as bar:
        task = _reading_task(bar, len(batch.todo))
        say = _say_above(bar)

        def show(report) -> None:
            counts[report.status] += 1
            if bar is not None:
                _advance(bar, task, counts)
            if report.status == Status.FAILED:
                say(f"gongkai: failed: {message_path(report.source)}: {report.reason}")
            elif report.status == Status.PARTIAL and not quiet:
                say(f"gongkai: partial: {message_path(report.source)}: {report.reason}")

        try:
            result = batch.run(workers, timeout, client, on_report=show)
        except BatchInterrupted as stop:
            if bar is not None:
                with contextlib.suppress(OSError):  # a terminal closed (SIGHUP) cannot be drawn on
                    bar.stop()
            _interrupted(stop)
        except JournalWriteError as error:  # a disk too full for the journal: no output is written
            _say(f"gongkai: error: {error}")
            if output != "-" and (kept := batch.kept()):
                where = message_path(batch.journal.path)
                _say(
                    f"gongkai: {kept} of {_files(len(batch.tasks))} read are kept in {where}; "
                    f"once there is room, this reads the rest: {_resume_command()}"
                )
            sys.exit(1)
        except OutputWriteError as error:
            if output == "-":
                raise
            _say(f"gongkai: error: {error}")
            # The journal holds every report read: only the writing has to be done again.
            _say(f"gongkai: the files read are kept; once mended, this writes them: {_resume_command()}")
            sys.exit(1)
    if not quiet:
        if result.escaped:
            _say(f"gongkai: warning: {result.escaped}")
        where = "stdout" if output == "-" else message_path(output)
        total = result.counts
        reused = f" ({_files(result.reused)} carried over from the earlier run)" if result.reused else ""
        if batch.shape == "wide":
            written = f"{counted(result.rows_written, 'row')} (one per report)"
        else:
            written = counted(result.cells_written, "cell")
        _say(
            f"gongkai: {_files(result.total)}: {total[Status.OK]} ok, {total[Status.PARTIAL]} partial, "
            f"{total[Status.FAILED]} failed; {written} written to {where}{reused}"
        )
    return result


def _interrupted(stop: BatchInterrupted) -> NoReturn:
    """Say what the interrupted batch left on disk and how to continue; exit 130 (143, 129)."""
    code = stop.__cause__.code if isinstance(stop.__cause__, SystemExit) else 130
    read = f"{stop.finished} of {_files(stop.total)} read"
    # After SIGHUP the terminal may be gone: the messages are lost, the journal is not.
    with contextlib.suppress(OSError):
        if stop.journal is None:
            _say(f"gongkai: interrupted: {read}; nothing kept (the output was stdout)")
        elif stop.completed:
            _say(
                "gongkai: interrupted once every file was read and the output written "
                f"({message_path(stop.journal)})"
            )
        else:
            # A journal of no report is removed as the batch closes: nothing in it to resume.
            kept = f", kept in {message_path(stop.journal)}" if stop.finished else "; nothing kept to resume"
            _say(f"gongkai: interrupted: {read}{kept}")
            if stop.earlier_outputs:
                names = ", ".join(message_path(p) for p in stop.earlier_outputs)
                written = stop.earlier_outputs[0].stat().st_mtime
                when = time.strftime("%Y-%m-%d %H:%M", time.localtime(written))
                _say(f"gongkai: left untouched, from an earlier run of {when}: {names}")
                _say("gongkai: this batch replaces them all together when it finishes")
            elif stop.finished == stop.total:  # stopped while the output was written
                _say("gongkai: no output written yet: every file is read; the command below writes it")
            else:
                _say("gongkai: no output written yet: it is written when every file is read")
            if stop.finished:
                _say(f"gongkai: to continue, type: {_resume_command()}")
    sys.exit(code)


def _check_png_folder(png_dir: str) -> None:
    """--png names a folder that can be written, checked before the report is read."""
    from .batch import BatchSetupError, check_folder

    folder = Path(png_dir)
    if folder.suffix.lower() == ".png" and not folder.is_dir():
        _usage_error(
            f"--png takes a folder for the page images (one PNG a page), not a file: {quoted(png_dir)}"
        )
    try:
        check_folder(folder)
    except BatchSetupError as error:
        _usage_error(str(error))


@main.command()
@click.argument("pdf")
@click.option(
    "--png",
    "png_dir",
    type=click.Path(file_okay=False),
    help="Write each table page as an annotated PNG here (PDFs only).",
)
def inspect(pdf, png_dir) -> None:
    """Show how PDF (or a web page or Word file) was read: each table as the form lays it out,
    and the rules it breaks.

    Group rows are shown as the form prints them. Red · marks a cell that was not
    found; yellow marks a cell read with a remark (∅: no number); grey ∅ a blank
    cell; the cells of a failed rule are red, and each failed rule names its column.
    Without colour (piped or redirected), a * follows a remark's value and a ! a
    failed rule's.
    Numbers are never cut: the label column folds instead, and a table wider than
    the terminal shows its columns in runs, each beside the labels (续). Set COLUMNS
    to choose the width when the output is not a terminal.

    With --png, each table page is drawn with the detected cells outlined (placed
    values in green, failed-rule cells filled red), the row_id of each matched row
    beside the page and the column_id of each column above it, and a legend.

    \b
    Examples:
      gongkai inspect samples/yunhu-district-2024.pdf
      COLUMNS=80 gongkai inspect report.pdf > report.txt
      gongkai inspect report.pdf --png out/pages

    \b
    Exit status:
      0    the report was read (ok or partial)
      1    the file cannot be read as a report, or stdout cannot be written
           (a full disk): one line says why
      2    usage error (no such file, bad option), found before any reading
      130  interrupted (Ctrl-C)
    """
    from .report import read_report_safely
    from .review import png_stem, print_report, render_pages

    if not os.path.exists(pdf):
        _usage_error(no_file(pdf))
    if os.path.isdir(pdf):
        _usage_error(
            f"{quoted(pdf)} is a folder: inspect shows one report (gongkai summary sums up a folder)"
        )
    try:  # a run's journal, table, lock or output, as every command refuses it (not 'not a PDF file')
        check_named_files([pdf])
    except RunsFileError as error:
        _usage_error(str(error))
    if png_dir:
        _check_png_folder(png_dir)
    # COLUMNS, else the terminal's width; off a terminal without it, a wide page.
    console = _stdout_console(width=_text_width(200))
    # A spinner while it reads (a scan takes seconds), gone before the report is printed.
    with _progress(1, sys.stderr.isatty()) as bar:
        _reading_task(bar, 1)
        # As extract reads it: a report that fails keeps what was learnt (the pages read by OCR).
        report = read_report_safely(pdf)
    if report.status == Status.FAILED:
        _say(f"gongkai: failed: {message_path(pdf)}: {report.reason}")
        sys.exit(1)
    with writing("-"):
        print_report(report, console)
    if png_dir and report.kind != "pdf":
        shown = message_path(report.source)
        _say(f"gongkai: --png draws PDF pages; {shown} is {describe(report.kind)} and has none")
    elif png_dir:
        stem, renamed = png_stem(pdf, png_dir)
        if renamed:
            _say(f"gongkai: the page images are named {stem}-pageN.png: {renamed}")
        for path in render_pages(report, png_dir, pdf):
            _say(f"gongkai: wrote {message_path(path)}")


def _output_named(output: str | None) -> None:
    """An -o given names a file, as extract's must: '' (an unset "$OUT"), '.' or 'out/' is a
    usage error, not no output at all."""
    if output is not None:
        try:
            check_output_name(output)
        except BatchSetupError as error:
            _usage_error(str(error))


def _summary_name_refused(output: str) -> str | None:
    """Why summary's text or workbook cannot go to `output`, by its name, or None. The text in a
    .csv or .parquet (named as extract's records) or a .pdf (read as a report by a later run) would
    not be what its name says: `summary -o s.parquet` wrote its box-drawn text there."""
    suffix = Path(output).suffix.lower()
    if suffix != ".xlsx" and (suffix.lstrip(".") in FORMATS or kind_of_name(output)):
        return (
            f"-o {message_path(output)}: summary writes .xlsx (one sheet per part) or text, such as "
            f"summary.txt, not a {suffix} file"
        )
    return None


def _batch(
    inputs: tuple[str, ...],
    workers: int | None,
    timeout: float,
    output: str | None,
    name_refused: Callable[[str], str | None] | None = None,
):
    """The cells, files and checks of a batch: read from an earlier output, or from the reports;
    first, `output` (if any) is checked as extract checks its own, then by `name_refused` (why
    the command cannot write a file of that name, or None)."""
    from .output.summary import NotAnOutputError, batch_frames, is_output, read_output

    try:  # a file of a run's named as a report: the output is what to give
        check_named_inputs(inputs, read_back=True)
    except (BatchSetupError, RunsFileError) as error:
        _usage_error(str(error))
    # An output by its name, unless its content is a report's: a report is read whatever its name.
    outputs = [item for item in inputs if is_output(item) and not holds_a_report(item)]
    if outputs and len(inputs) > 1:
        names = ", ".join(map(quoted, outputs))
        _usage_error(f"{names}: give one output of extract alone (or reports), not with other inputs")
    earlier = bool(outputs)
    try:
        # An earlier output comes with its files (batch.own_files): -o is none of them either.
        paths = [str(path) for path in own_files(inputs[0])] if earlier else check_inputs(inputs)
        # A pattern over an output's folder: its files are not reports (the output is read alone).
        if earlier:
            others, resources = [], []
        else:
            paths, others, resources = without_found_non_reports(paths, inputs, read_back=True)
        if output:
            check_output(output, paths, skips_own=False)  # summary and compare read what they are given
    except (BatchSetupError, NoInputsError) as error:
        _usage_error(str(error))
    if output and name_refused is not None and (why := name_refused(output)) is not None:
        _usage_error(why)
    if others:
        _say_runs_files(others)
    if resources:
        _say_page_resources(resources)
    if earlier:
        try:
            return read_output(inputs[0])
        except OSError as error:  # its own message would spell a GBK name as Python does (\udcb9)
            _usage_error(f"cannot read {quoted(error.filename or inputs[0])}: {error.strerror or error}")
        except (NotAnOutputError, ValueError) as error:
            _usage_error(str(error))
    reports, counts = [], dict.fromkeys(Status, 0)
    _say_workers(workers, len(paths))
    with _progress(len(paths), sys.stderr.isatty()) as bar:
        task = _reading_task(bar, len(paths))
        say = _say_above(bar)
        for report in iter_reports(paths, workers or default_workers(), timeout or None):
            reports.append(report)
            counts[report.status] += 1
            if bar is not None:
                _advance(bar, task, counts)
            if report.status == Status.FAILED:
                say(f"gongkai: failed: {message_path(report.source)}: {report.reason}")
    return batch_frames(reports)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", help="Also write the summary here: .xlsx (one sheet per part) or text.")
@_WORKERS
@_TIMEOUT
def summary(inputs, output, workers, timeout) -> None:
    """Summarise a batch: INPUTS are reports (files, directories, globs) or one output of `extract`.

    Prints the counts by status, form and year; the agencies × years matrix;
    agency-years held by more than one report and identical files; the reports
    that break their own arithmetic; and the rows most often missing, with why.

    \b
    Examples:
      gongkai summary out/cells.csv
      gongkai summary reports/ -o out/summary.xlsx

    \b
    Exit status:
      0    the summary was printed (failed reports are counted in it)
      1    stdout or -o could not be written (a full disk): one line says why
      2    usage error (no such input, a pattern that matches nothing or only
           the files of outputs of extract, a wide output, a compare output, a
           journal, table or .partial beside an output instead of the output,
           an -o that cannot be written
           or is one of the inputs, as extract checks its own), found before
           any reading
      130  interrupted (Ctrl-C)
    """
    from .output.summary import summarize

    _output_named(output)
    cells, files, checks = _batch(inputs, workers, timeout, output, _summary_name_refused)
    result = summarize(cells, files, checks)
    # As inspect: COLUMNS, else the terminal's width; off a terminal without it, one line a row.
    width = _text_width(None)
    with writing("-"):
        click.echo(result.to_text(width))
    if output:
        result.write(output)
        _say(f"gongkai: wrote {message_path(output)}")


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--agency", "agency", help="Compare this agency (its agency_key or its name) across the batch INPUTS."
)
@click.option("-o", "--output", help="Also write the comparison: .csv or .xlsx.")
@click.option("--all", "show_all", is_flag=True, help="Print every cell, also those empty in both reports.")
@click.option("--encoding", default="utf-8", show_default=True, help="CSV encoding; utf-8-sig for Excel.")
@_WORKERS
@_TIMEOUT
def compare(inputs, agency, output, show_all, encoding, workers, timeout) -> None:
    """Year over year: A B (two reports), or a batch and --agency KEY (each pair of consecutive years).

    Shows per cell both values, the change and its share of A, and marks the large
    changes (at least half of A and at least 10). A and B are called by their years;
    a line on stderr warns when they are of different agencies or B is not later, or
    are the same file content (a copy of one report: compared all the same); with
    --agency, a report that is a copy of another is skipped (one report), a line says so.

    \b
    Examples:
      gongkai compare 2022.pdf 2023.pdf
      gongkai compare 2022.pdf 2023.pdf -o out/yoy.csv --encoding utf-8-sig
      gongkai compare out/cells.csv --agency 云湖区人民政府 -o out/yoy.xlsx

    \b
    Exit status:
      0    the comparison was printed
      1    stdout or -o could not be written (a full disk): one line says why
      2    usage error: no such input, -o neither .csv nor .xlsx or unusable as
           extract's (found before any reading); not two readable reports A B (or
           one file twice), or no two consecutive years of the agency in the batch
      130  interrupted (Ctrl-C)
    """
    from .agency import agency_key
    from .output.compare import (
        compare_reports,
        no_pairs_reason,
        pair_doubts,
        report_labels,
        without_copies,
        write_comparison,
        year_over_year,
    )

    _output_named(output)
    if output and not output.lower().endswith((".csv", ".xlsx")):
        _usage_error(f"-o {message_path(output)}: compare writes .csv or .xlsx")
    try:
        check_encoding(encoding)
    except BatchSetupError as error:
        _usage_error(str(error))
    if agency is None and len(inputs) == 2 and same_file(*inputs):
        _usage_error(f"A and B are the same file, {quoted(inputs[0])}: give two reports A B")
    cells, files, _ = _batch(inputs, workers, timeout, output)
    labels = None
    if agency is None:
        # A and B in the order given, whatever order the batch sorted them in.
        given = {path_text(path): index for index, path in enumerate(inputs)}
        sources = sorted(dict.fromkeys(files["source"]), key=lambda s: given.get(s, len(given)))
        readable = [s for s in sources if (cells["source"] == s).any()]
        if len(sources) != 2 or len(readable) != 2:
            _usage_error("give two readable reports A B, or a batch and --agency KEY")
        pairs = compare_reports(*(cells[cells["source"] == s] for s in readable), *readable)
        a, b = (files[files["source"] == s].iloc[0] for s in readable)
        labels = report_labels(a["year"], b["year"])
        doubts = pair_doubts(
            a["agency"], b["agency"], a["year"], b["year"], sha256_a=a["sha256"], sha256_b=b["sha256"]
        )
        if doubts:
            _say(f"gongkai: warning: {doubts}")
    else:
        wanted = agency_key(agency)
        held, skipped = without_copies(cells[cells["agency_key"] == wanted], files)
        for note in skipped:
            _say(f"gongkai: note: {note}")
        pairs = year_over_year(held)
        if pairs.empty:
            _usage_error(no_pairs_reason(held, wanted))
    with writing("-"):
        _print_comparison(pairs, show_all, labels)
    if output:
        if escaped := write_comparison(pairs, output, labels, encoding):
            _say(f"gongkai: warning: {escaped}")
        _say(f"gongkai: wrote {message_path(output)}")


def _share(share: float) -> str:
    """A change's share of A as a percentage, as the workbook shows it: +51.0%; empty when none."""
    return "" if share != share else f"{share:+.1%}"


@contextlib.contextmanager
def _without_trailing_spaces(console):
    """What is printed on `console` in the block, each line without the spaces that pad it to the
    width (a table's cells, a folded line's last word): off a terminal, where no style is drawn."""
    if console.is_terminal or console.color_system is not None:
        yield
        return
    with console.capture() as captured:
        yield
    console.out("\n".join(line.rstrip() for line in captured.get().splitlines()), highlight=False)


# The width of a page of no width (off a terminal without COLUMNS): wider than any line is.
_UNFOLDED_WIDTH = 100_000


def _print_comparison(pairs, show_all: bool, labels: tuple[str, str] | None = None) -> None:
    from rich.cells import cell_len
    from rich.text import Text

    from .output.compare import doubtful, report_labels, shown_values
    from .review import LabelledGrid

    # As summary: COLUMNS, else the terminal's width, every line folded to it; off a terminal
    # without COLUMNS, no line folds (one line a row, the files' and the legend's one line each).
    fitted_to = _text_width(None)
    console = _stdout_console(width=_UNFOLDED_WIDTH if fitted_to is None else fitted_to)
    width = console.width
    fold = {"soft_wrap": True} if fitted_to is None else {"overflow": "fold"}
    for (source_a, source_b), pair in pairs.groupby(["source_a", "source_b"], sort=False):
        # A cell 待核 in either report is shown, as a value is: it is a number to look up.
        awaiting = doubtful(pair, "a") | doubtful(pair, "b")
        held = pair["value_a"].notna() | pair["value_b"].notna() | awaiting
        shown = pair if show_all else pair[held]
        values = shown_values(shown, format_number)
        # The reports by their years: those of each pair of an agency's years, else those given.
        if {"year_a", "year_b"} <= set(pair.columns):
            label_a, label_b = report_labels(pair["year_a"].iloc[0], pair["year_b"].iloc[0])
        else:
            label_a, label_b = labels or ("A", "B")
        # Folded to the width (COLUMNS or the terminal's), as the table's labels are, a long path
        # where it must.
        with _without_trailing_spaces(console):
            console.print(
                f"{label_a} {message_path(source_a)} → {label_b} {message_path(source_b)}",
                highlight=False,
                markup=False,
                **fold,
            )
        row_labels, rows = [], []
        for row, value_a, value_b in zip(
            shown.itertuples(index=False), values["value_a"], values["value_b"], strict=True
        ):
            change = format_number(None if row.change != row.change else row.change)
            group = f"{row.group} " if isinstance(row.group, str) and row.group else ""
            row_labels.append(f"{group}{row.row} · {row.column}")
            rows.append(
                (
                    value_a if isinstance(value_a, str) else "",  # empty: NaN
                    value_b if isinstance(value_b, str) else "",
                    f"+{change}" if row.change > 0 else change,
                    _share(row.change_share),
                    "large" if row.large else "",
                    "bold red" if row.large else None,
                )
            )
        # One label column that folds; number columns as wide as their widest value (or header),
        # in terminal columns, never cut: the same grid as inspect's.
        headers = [label_a, label_b, "增减", "比例", ""]
        widths = [
            max(1, cell_len(header), *(cell_len(r[index]) for r in rows))
            for index, header in enumerate(headers)
        ]
        grid = LabelledGrid("", headers, widths, row_labels or ["行 · 列"], width)
        grid.table.columns[0].header = "行 · 列"
        for label, (*cells, style) in zip(row_labels, rows, strict=True):
            grid.add_row(label, 0, [Text(cell, style=style or "") for cell in cells], style=style)
        # Wider than the terminal only when even the narrowest label would cut a number.
        console.width = max(width, grid.needed)
        with _without_trailing_spaces(console):
            console.print(grid.table, crop=False)
        console.width = width
        large = pair[pair["large"]]
        compared = int(pair["change"].notna().sum())
        with _without_trailing_spaces(console):
            console.print(
                f"{counted(len(large), 'large change')} of {counted(compared, 'cell')} compared", **fold
            )
            if to_look_up := int(awaiting.sum()):
                console.print(
                    f"{counted(to_look_up, 'cell')} 待核: numbers on a scanned page that OCR could not vouch "
                    "for, to look up in the report; their notes say why and what OCR read (-o CSV or XLSX)",
                    highlight=False,
                    **fold,
                )
