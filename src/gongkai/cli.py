"""The command line: parse options, call the library, print. Nothing else lives here."""

from __future__ import annotations

import sys
from contextlib import nullcontext

import click

from . import __version__
from .batch import NoInputsError, content_hash, default_workers, expand_inputs, iter_reports
from .errors import GongkaiError
from .model import CheckStatus, Status
from .numbers import format_number
from .output.records import FORMATS, OutputFormatError, output_format
from .output.writers import BatchOutput


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
    """Read 政府信息公开工作年度报告 PDFs into labelled, checked records."""


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
    "--resume", is_flag=True, help="Keep an earlier run's records and skip the files it already read."
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no messages but errors.")
def extract(inputs, output, fmt, encoding, workers, timeout, resume, quiet) -> None:
    """Read every PDF in INPUTS (files, directories, globs) and write one record per cell of the form.

    Beside OUTPUT go OUTPUT-stem.files.csv (one status row per input) and
    OUTPUT-stem.checks.csv (every arithmetic rule that failed or could not be evaluated).
    Exit status: 0 when every input was read, 1 when some failed (the rest is still written).
    """
    try:
        fmt = output_format(output, fmt)
        paths = expand_inputs(inputs)
    except (OutputFormatError, NoInputsError) as error:
        raise click.UsageError(str(error)) from None
    if output == "-" and fmt != "csv":
        raise click.UsageError("only CSV can be written to stdout")
    if resume and (output == "-" or fmt == "xlsx"):
        raise click.UsageError("--resume needs a CSV or Parquet output file")
    counts = dict.fromkeys(Status, 0)
    try:
        out = BatchOutput(output, fmt, encoding, resume=resume)
    except (OSError, ValueError, GongkaiError) as error:
        what = "cannot use the earlier output for --resume" if resume else f"cannot write {output}"
        raise click.UsageError(f"{what}: {error}") from None
    if out.already_read:
        before = len(paths)
        paths = [p for p in paths if content_hash(p) not in out.already_read]
        if not quiet:
            _say(f"gongkai: resuming: {before - len(paths)} files already read, {len(paths)} to go")
    show_bar = not quiet and sys.stderr.isatty() and len(paths) > 1
    with out, _progress(len(paths), show_bar) as bar:
        task = bar.add_task("read", total=len(paths), rate="-", counts="") if bar else None
        for report in iter_reports(paths, workers or default_workers(), timeout or None):
            counts[report.status] += 1
            out.add(report)
            if bar is not None:
                elapsed = bar.tasks[0].elapsed or 0.0
                done = sum(counts.values())
                rate = f"{done / elapsed:.1f}" if elapsed else "-"
                summary = " · ".join(f"{status} {count}" for status, count in counts.items())
                bar.update(task, advance=1, rate=rate, counts=summary)
            # With a bar on screen, messages go through its console so that they print above it.
            say = (lambda m: bar.console.print(m, markup=False, highlight=False)) if bar is not None else _say
            if report.status == Status.FAILED:
                say(f"gongkai: failed: {report.source}: {report.reason}")
            elif report.status == Status.PARTIAL and not quiet:
                say(f"gongkai: partial: {report.source}: {report.reason}")
    if not quiet:
        where = "stdout" if output == "-" else output
        _say(
            f"gongkai: {len(paths)} files: {counts[Status.OK]} ok, {counts[Status.PARTIAL]} partial, "
            f"{counts[Status.FAILED]} failed; {out.cells_written} cells written to {where}"
        )
    sys.exit(1 if counts[Status.FAILED] else 0)


@main.command()
@click.argument("pdf", type=click.Path(dir_okay=False))
@click.option(
    "--png",
    "png_dir",
    type=click.Path(file_okay=False),
    help="Write each table page as an annotated PNG here.",
)
def inspect(pdf, png_dir) -> None:
    """Show how PDF was read: each table as the form lays it out, and the rules it breaks.

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
    if png_dir:
        for path in render_pages(report, png_dir):
            _say(f"gongkai: wrote {path}")
