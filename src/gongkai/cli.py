"""The command line: parse options, call the library, print. Nothing else lives here."""

from __future__ import annotations

import shlex
import signal
import sys
from contextlib import nullcontext
from typing import NoReturn

import click

from . import __version__
from .batch import (
    Batch,
    BatchInterrupted,
    BatchSetupError,
    NoInputsError,
    check_encoding,
    check_format,
    check_inputs,
    check_output,
    default_workers,
)
from .errors import GongkaiError
from .model import CheckStatus, Status
from .numbers import format_number
from .output.journal import JournalError
from .output.records import FORMATS, OutputFormatError
from .sources import INPUT_KINDS, describe


def _say(message: str) -> None:
    click.echo(message, err=True)


def _progress(total: int, enabled: bool):
    """A progress bar on stderr, only when stderr is a terminal."""
    if not enabled:
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("[bold]reading"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} files/s"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[counts]}"),
        console=Console(stderr=True),
        transient=False,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gongkai")
def main() -> None:
    """Read 政府信息公开工作年度报告 (PDF, web page, Word) into labelled, checked records."""


def _usage_error(message: str) -> NoReturn:
    """A usage error: one line on stderr, exit status 2, before any work."""
    _say(f"gongkai: error: {message}")
    sys.exit(2)


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
    arguments = sys.argv[1:]
    return shlex.join(["gongkai", *arguments, *([] if "--resume" in arguments else ["--resume"])])


class _Terminated(SystemExit):
    """SIGTERM, turned into an exception so that the batch stops the way Ctrl-C stops it."""


def _on_sigterm(signum, frame) -> None:
    raise _Terminated(128 + signum)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-o", "--output", required=True, help="Output file (.csv, .parquet or .xlsx); '-' writes CSV to stdout."
)
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="Output format, if not given by the extension."
)
@click.option("--encoding", default="utf-8", show_default=True, help="CSV encoding; utf-8-sig for Excel.")
@click.option(
    "-w", "--workers", type=click.IntRange(min=1), default=None, help="Worker processes [default: cores]."
)
@click.option(
    "--timeout", type=click.FloatRange(min=0), default=60.0, show_default=True, help="Seconds per file."
)
@click.option(
    "--resume",
    is_flag=True,
    help="Reuse the reports an earlier (interrupted) run kept in the journal beside OUTPUT.",
)
@click.option(
    "--input-kind",
    type=click.Choice(["auto", *INPUT_KINDS]),
    default="auto",
    show_default=True,
    help="Read only inputs of this kind (docx includes .doc and .wps); auto reads every kind.",
)
@click.option("--scheduler", metavar="ADDRESS", help="Read on a Dask cluster, e.g. tcp://host:8786.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no messages but errors.")
def extract(inputs, output, fmt, encoding, workers, timeout, resume, input_kind, scheduler, quiet) -> None:
    """Read every report in INPUTS (files, directories, globs) and write one record per cell of the form.

    Reports are PDFs, web pages (.html, .htm, .shtml, .xhtml) and Word files (.docx; .doc and
    .wps with LibreOffice); each file's content decides how it is read.

    Beside OUTPUT go OUTPUT-stem.files.csv (one status row per input),
    OUTPUT-stem.checks.csv (every arithmetic rule that failed or could not be evaluated)
    and OUTPUT-stem.journal.sqlite (every finished report, kept for --resume).
    Exit status: 0 when every input was read, 1 when some failed (the rest is still written),
    2 for a usage error, 130 when interrupted (143 on SIGTERM).
    """
    try:
        fmt = check_format(output, fmt)
        check_encoding(encoding)
        paths = check_inputs(inputs, input_kind)
        check_output(output)
    except (BatchSetupError, OutputFormatError, NoInputsError) as error:
        _usage_error(str(error))
    if resume and output == "-":
        _usage_error("--resume needs an output file")
    client = _dask_client(scheduler) if scheduler else None
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        batch = Batch(paths, output, fmt, encoding, resume)
    except JournalError as error:
        _usage_error(str(error))
    with batch, client or nullcontext():
        if batch.result.reused and not quiet:
            _say(f"gongkai: resuming: {batch.result.reused} files already read, {len(batch.todo)} to go")
        _run(batch, workers or default_workers(), timeout or None, client, quiet, input_kind)


def _run(batch: Batch, workers: int, timeout: float | None, client, quiet: bool, kind: str) -> None:
    output = batch.output
    counts = dict.fromkeys(Status, 0)
    show_bar = not quiet and sys.stderr.isatty() and len(batch.todo) > 1
    with _progress(len(batch.todo), show_bar) as bar:
        task = bar.add_task("read", total=len(batch.todo), rate="-", counts="") if bar else None
        # With a bar on screen, messages go through its console so that they print above it.
        say = (lambda m: bar.console.print(m, markup=False, highlight=False)) if bar is not None else _say

        def show(report) -> None:
            counts[report.status] += 1
            if bar is not None:
                elapsed = bar.tasks[0].elapsed or 0.0
                done = sum(counts.values())
                rate = f"{done / elapsed:.1f}" if elapsed else "-"
                summary = " · ".join(f"{status} {count}" for status, count in counts.items())
                bar.update(task, advance=1, rate=rate, counts=summary)
            if report.status == Status.FAILED:
                say(f"gongkai: failed: {report.source}: {report.reason}")
            elif report.status == Status.PARTIAL and not quiet:
                say(f"gongkai: partial: {report.source}: {report.reason}")

        try:
            result = batch.run(workers, timeout, client, on_report=show, kind=kind)
        except BatchInterrupted as stop:
            if bar is not None:
                bar.stop()
            code = stop.__cause__.code if isinstance(stop.__cause__, _Terminated) else 130
            if stop.journal is None:
                _say(
                    f"gongkai: interrupted: {stop.finished} of {stop.total} files read; nothing kept (stdout)"
                )
            else:
                read = f"{stop.finished} of {stop.total} files read"
                _say(f"gongkai: interrupted: {read}, kept in {stop.journal}")
                _say(f"gongkai: to continue, type: {_resume_command()}")
            sys.exit(code)
    if not quiet:
        where = "stdout" if output == "-" else output
        total = result.counts
        _say(
            f"gongkai: {result.total} files: {total[Status.OK]} ok, {total[Status.PARTIAL]} partial, "
            f"{total[Status.FAILED]} failed; {result.cells_written} cells written to {where}"
        )
    sys.exit(1 if result.counts[Status.FAILED] else 0)


@main.command()
@click.argument("pdf", type=click.Path(dir_okay=False))
@click.option(
    "--png",
    "png_dir",
    type=click.Path(file_okay=False),
    help="Write each table page as an annotated PNG here (PDFs only).",
)
def inspect(pdf, png_dir) -> None:
    """Show how PDF (or a web page or Word file) was read: each table as the form lays it out,
    and the rules it breaks.

    Red · marks a cell that was not found; yellow marks a cell read with a remark
    (blank, not applicable, annotated). With --png, each table page is drawn with
    the detected cells outlined (placed values in green) and each matched row labelled.
    """
    from rich.console import Console

    from .report import read_report
    from .review import form_tables, render_pages

    console = Console(width=None if sys.stdout.isatty() else 200)
    try:
        report = read_report(pdf)
    except GongkaiError as error:
        _say(f"gongkai: failed: {pdf}: {error}")
        sys.exit(1)
    console.print(
        f"[bold]{report.agency or '?'}[/bold] {report.year or '?'} · form {report.form} · "
        f"{report.status} · {report.cells_found}/{report.cells_expected} cells"
    )
    if report.reason:
        console.print(f"[yellow]{report.reason}[/yellow]")
    for table in form_tables(report):
        console.print(table)
    failed = [c for c in report.checks if c.status == CheckStatus.FAILED]
    unevaluated = [c for c in report.checks if c.status == CheckStatus.NOT_EVALUATED]
    if not failed and not unevaluated:
        console.print("[green]Every arithmetic rule holds.[/green]")
    for check in failed:
        left, right = (format_number(v) for v in (check.left, check.right))
        console.print(f"[red]failed[/red] {check.rule_id}: {check.rule}  ({left} ≠ {right})")
    if unevaluated:
        console.print(f"[yellow]{len(unevaluated)} rules not evaluated: they involve empty cells[/yellow]")
    if png_dir and report.kind != "pdf":
        _say(f"gongkai: --png draws PDF pages; {pdf} is {describe(report.kind)} and has none")
    elif png_dir:
        for path in render_pages(report, png_dir):
            _say(f"gongkai: wrote {path}")
