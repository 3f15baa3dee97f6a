"""Interrupt a batch with SIGINT and with kill -9 at random points, resume it, and compare the output.

    python bench/make_batch.py 1000 /tmp/gongkai-batch
    python bench/interrupt.py /tmp/gongkai-batch /tmp/gongkai-interrupt [--workers 2] [--seed 1]

Prints how long SIGINT took to stop the batch and its exit status, then whether the
resumed output equals an uninterrupted run's: the cells and checks files byte for byte,
the status table byte for byte once its `seconds` column (the time each file took in
the run that read it) is left out. Exits 1 if anything differs.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def gongkai(inputs: str, output: Path, workers: int, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "gongkai", "extract", inputs, "-o", str(output), "-w", str(workers)]
    return subprocess.Popen(
        [*command, "-q", *extra], env=env, stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint
    )


def _default_sigint() -> None:
    """A shell starts background jobs with SIGINT ignored, and Python keeps it so: undo that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def journal_count(output: Path) -> int:
    import sqlite3
    from contextlib import closing

    journal = output.with_name(output.stem + ".journal.sqlite")
    try:  # closed at once: the run folds its write-ahead log back in only as the journal's last user
        with closing(sqlite3.connect(journal)) as db:
            return db.execute("SELECT count(*) FROM reports").fetchone()[0]
    except sqlite3.Error:
        return 0


def without_seconds(path: Path) -> str:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    drop = rows[0].index("seconds")
    return "\n".join(",".join(r[:drop] + r[drop + 1 :]) for r in rows)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("inputs")
    parser.add_argument("work")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    reference, resumed = work / "reference" / "cells.csv", work / "resumed" / "cells.csv"

    started = time.perf_counter()
    run = gongkai(args.inputs, reference, args.workers)
    _, errors = run.communicate()
    full_seconds = time.perf_counter() - started
    print(f"uninterrupted: exit {run.returncode} in {full_seconds:.1f} s")
    tracebacks = errors.count("Traceback")

    run = gongkai(args.inputs, resumed, args.workers)
    time.sleep(rng.uniform(0.2, 0.5) * full_seconds)
    run.send_signal(signal.SIGINT)
    sent = time.perf_counter()
    _, errors = run.communicate()
    stopped = time.perf_counter() - sent
    tracebacks += errors.count("Traceback")
    print(f"SIGINT after {journal_count(resumed)} reports: exit {run.returncode} in {stopped:.2f} s")
    print("  " + errors.strip().replace("\n", "\n  "))
    sigint_ok = run.returncode == 130 and stopped <= 2.0

    run = gongkai(args.inputs, resumed, args.workers, "--resume")
    time.sleep(rng.uniform(0.2, 0.4) * full_seconds)
    before = journal_count(resumed)
    run.kill()
    run.communicate()
    print(f"kill -9 with {before} reports in the journal: exit {run.returncode}")

    run = gongkai(args.inputs, resumed, args.workers, "--resume")
    _, errors = run.communicate()
    tracebacks += errors.count("Traceback")
    print(f"resumed to the end: exit {run.returncode}")

    same = True
    for kind in ("", ".checks"):
        a, b = (p.with_name(p.stem + kind + ".csv") for p in (reference, resumed))
        equal = a.read_bytes() == b.read_bytes()
        same &= equal
        print(f"{a.name}: {'identical' if equal else 'DIFFERENT'} ({a.stat().st_size} bytes)")
    a, b = (p.with_name(p.stem + ".files.csv") for p in (reference, resumed))
    equal = without_seconds(a) == without_seconds(b)
    same &= equal
    print(f"{a.name} without seconds: {'identical' if equal else 'DIFFERENT'}")
    print(f"tracebacks: {tracebacks}")
    return 0 if same and sigint_ok and not tracebacks else 1


if __name__ == "__main__":
    sys.exit(main())
