"""Ctrl-C and SIGTERM stop a batch at once, keep every finished report, and say how to continue."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from gongkai.cli import main
from gongkai.output.journal import journal_path

from .conftest import ROOT, SAMPLES

# Runs the CLI with a reader that blocks in C on files named *-hang.pdf, so that the
# batch is sure to be mid-way when the signal arrives.
HANGING_CLI = """
import ctypes, sys
from gongkai import batch, cli

read = batch.read_report_safely

def reader(path, kind="auto"):
    if path.endswith("-hang.pdf"):
        mutex = ctypes.create_string_buffer(64)
        ctypes.CDLL(None).pthread_mutex_lock(mutex)
        ctypes.CDLL(None).pthread_mutex_lock(mutex)
    return read(path, kind)

batch.read_report_safely = reader
sys.argv = ["gongkai", *sys.argv[1:]]
cli.main()
"""


def _journal_reports(output) -> int:
    try:
        with sqlite3.connect(journal_path(str(output))) as db:
            return db.execute("SELECT count(*) FROM reports").fetchone()[0]
    except sqlite3.Error:
        return 0


def _start_hanging_batch(tmp_path, workers: int):
    """A batch of three files whose third hangs; returns once the first two are in the journal."""
    folder = tmp_path / "in put"
    folder.mkdir()
    for name, sample in [("a.pdf", "jiangyuan-city-2021.pdf"), ("b.pdf", "yunhu-district-2024.pdf")]:
        shutil.copyfile(SAMPLES / sample, folder / name)
    shutil.copyfile(SAMPLES / "guiling-township-2024.pdf", folder / "c-hang.pdf")
    output = tmp_path / "out" / "cells.csv"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [
        sys.executable,
        "-c",
        HANGING_CLI,
        "extract",
        str(folder),
        "-o",
        str(output),
        "-w",
        str(workers),
    ]
    # A shell starts background jobs with SIGINT ignored, and Python keeps it so: undo that.
    default_sigint = lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)  # noqa: E731
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, preexec_fn=default_sigint)
    deadline = time.monotonic() + 60
    while _journal_reports(output) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert _journal_reports(output) == 2
    return process, folder, output


def _resume_equals_a_fresh_run(tmp_path, folder, output) -> None:
    resumed = CliRunner().invoke(main, ["extract", str(folder), "-o", str(output), "-w", "1", "--resume"])
    assert resumed.exit_code == 0
    assert "resuming: 2 files already read, 1 to go" in resumed.stderr
    fresh = tmp_path / "fresh" / "cells.csv"
    assert CliRunner().invoke(main, ["extract", str(folder), "-o", str(fresh), "-w", "1"]).exit_code == 0
    assert output.read_bytes() == fresh.read_bytes()


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_batch_within_two_seconds_and_resume_finishes_it(tmp_path, signum, code):
    process, folder, output = _start_hanging_batch(tmp_path, workers=1)
    process.send_signal(signum)
    sent = time.monotonic()
    _, errors = process.communicate(timeout=10)
    assert time.monotonic() - sent <= 2.0
    assert process.returncode == code
    assert "Traceback" not in errors
    assert "interrupted: 2 of 3 files read" in errors
    assert f"to continue, type: gongkai extract '{folder}' -o {output} -w 1 --resume" in errors
    assert not output.exists()  # the output is written whole at the end, or not at all
    _resume_equals_a_fresh_run(tmp_path, folder, output)


def test_kill_9_loses_only_the_reports_in_flight_and_leaves_no_worker_behind(tmp_path):
    process, folder, output = _start_hanging_batch(tmp_path, workers=2)
    process.kill()
    # stderr closes only when every process holding it has ended: the workers too.
    process.communicate(timeout=5)
    _resume_equals_a_fresh_run(tmp_path, folder, output)
