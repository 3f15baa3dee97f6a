"""The command line: parse options, call the library, print. Nothing else lives here."""

from __future__ import annotations

import sys

import click

from . import __version__
from .batch import NoInputsError, default_workers, expand_inputs, iter_reports
from .records import FORMATS, OutputFormatError, RecordWriter, companion_path, frame, output_format
from .report import FAILED, OK, PARTIAL


def _say(message: str) -> None:
    click.echo(message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gongkai")
def main() -> None:
    """Read 政府信息公开工作年度报告 PDFs into labelled, checked records."""


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "-o", "--output", required=True, help="Output file (.csv or .parquet); '-' writes CSV to stdout."
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
@click.option("-q", "--quiet", is_flag=True, help="Only print errors.")
def extract(inputs, output, fmt, encoding, workers, timeout, quiet) -> None:
    """Read every PDF in INPUTS (files, directories, globs) and write one record per cell of the form.

    Beside OUTPUT go OUTPUT-stem.files.csv (one status row per input) and
    OUTPUT-stem.checks.csv (every arithmetic rule that failed or could not be evaluated).
    """
    try:
        fmt = output_format(output, fmt)
        paths = expand_inputs(inputs)
    except (OutputFormatError, NoInputsError) as error:
        raise click.UsageError(str(error)) from None
    if output == "-" and fmt != "csv":
        raise click.UsageError("only CSV can be written to stdout")
    cells = RecordWriter(output, "cells", fmt, encoding)
    side = output != "-"
    files = RecordWriter(companion_path(output, "files"), "files", "csv", encoding) if side else None
    checks = RecordWriter(companion_path(output, "checks"), "checks", "csv", encoding) if side else None
    counts = {OK: 0, PARTIAL: 0, FAILED: 0}
    try:
        for report in iter_reports(paths, workers or default_workers(), timeout or None):
            counts[report.status] += 1
            cells.write(report.cells)
            if files is not None and checks is not None:
                files.write(frame("files", [report.file_record()]))
                problems = report.checks_frame
                checks.write(problems[problems["status"] != "passed"])
            if report.status == FAILED:
                _say(f"gongkai: failed: {report.source}: {report.reason}")
            elif report.status == PARTIAL and not quiet:
                _say(f"gongkai: partial: {report.source}: {report.reason}")
    except BaseException:
        for writer in (cells, files, checks):
            if writer is not None:
                writer.abort()
        raise
    for writer in (cells, files, checks):
        if writer is not None:
            writer.close()
    if not quiet:
        where = "stdout" if output == "-" else output
        _say(
            f"gongkai: {len(paths)} files: {counts[OK]} ok, {counts[PARTIAL]} partial, "
            f"{counts[FAILED]} failed; {cells.rows} cells written to {where}"
        )
    sys.exit(1 if counts[FAILED] else 0)
