"""Reading many reports: input discovery, worker processes, per-file timeouts, ordered results."""

from __future__ import annotations

import gc
import glob
import hashlib
import os
import signal
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path

import jieba
import pandas as pd

from .model import Status
from .output import records
from .report import Report, read_report_safely

_GLOB_CHARS = set("*?[")


class NoInputsError(ValueError):
    """None of the given inputs names a file."""


def expand_inputs(inputs: Iterable[str]) -> list[str]:
    """Files as given, directories searched recursively for PDFs, and glob patterns; sorted, no repeats.

    A path that does not exist is kept, so that it gets its own failed status row.
    """
    found: list[str] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found += [str(p) for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() == ".pdf"]
        elif not path.exists() and _GLOB_CHARS & set(item):
            found += sorted(p for p in glob.glob(item, recursive=True) if Path(p).is_file())
        else:
            found.append(item)
    unique = sorted(dict.fromkeys(found))
    if not unique:
        raise NoInputsError("no PDF files found in the given inputs")
    return unique


class _Timeout(Exception):
    pass


@contextmanager
def _time_limit(seconds: float | None):
    """Interrupt the reading after `seconds` (SIGALRM: pdfminer is pure Python, so it is interruptible)."""
    if not seconds or not hasattr(signal, "SIGALRM"):
        yield
        return

    def expire(signum, frame):
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def content_hash(path: str) -> str:
    """SHA-256 of a file's bytes; empty for a file that cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def read_with_timeout(path: str, timeout: float | None) -> Report:
    """Read one file; a file that takes longer than `timeout` seconds becomes a failed row."""
    try:
        with _time_limit(timeout):
            report = read_report_safely(path)
    except _Timeout:
        report = Report(source=path, reason="timeout", seconds=timeout or 0.0)
    report.sha256 = content_hash(path)
    report.geometry = []  # page geometry is for `review`; batches need only the records
    return report


def iter_reports(paths: list[str], workers: int = 1, timeout: float | None = 60.0) -> Iterator[Report]:
    """Reports in the order of `paths`, whatever order the workers finish them in.

    At most a few tasks per worker are in flight, so memory stays bounded on
    batches of any size.
    """
    if workers <= 1 or len(paths) <= 1:
        for path in paths:
            yield read_with_timeout(path, timeout)
        return
    # Load jieba's dictionary before the workers fork, so that they share its pages
    # instead of each building a copy (about 60 MB a worker). Freezing the garbage
    # collector keeps the workers' collections from writing to every inherited object,
    # which would copy those shared pages into each worker after all.
    jieba.initialize()
    gc.freeze()
    try:
        yield from _read_in_pool(paths, workers, timeout)
    finally:
        gc.unfreeze()


def _read_in_pool(paths: list[str], workers: int, timeout: float | None) -> Iterator[Report]:
    window = workers * 4
    done: dict[int, Report] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: dict[Future, int] = {}
        next_submit = next_yield = 0
        while next_yield < len(paths):
            while next_submit < len(paths) and len(pending) + len(done) < window:
                future = pool.submit(read_with_timeout, paths[next_submit], timeout)
                pending[future] = next_submit
                next_submit += 1
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                index = pending.pop(future)
                try:
                    done[index] = future.result()
                except Exception as error:  # a worker that died still owes its file a status row
                    reason = f"worker crashed ({type(error).__name__})"
                    done[index] = Report(source=paths[index], status=Status.FAILED, reason=reason)
            while next_yield in done:
                yield done.pop(next_yield)
                next_yield += 1


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def read_reports(
    inputs: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    workers: int = 1,
    timeout: float | None = 60.0,
) -> pd.DataFrame:
    """All cells of many reports in one DataFrame, sorted by source; files that fail contribute none.

    `inputs` is a path or a list of paths; directories are searched for PDFs and
    glob patterns expanded. For the per-file status, use `iter_reports`.
    """
    items = [inputs] if isinstance(inputs, str | os.PathLike) else list(inputs)
    frames = [
        r.cells for r in iter_reports(expand_inputs(str(i) for i in items), workers, timeout) if len(r.cells)
    ]
    return pd.concat(frames, ignore_index=True) if frames else records.empty_frame("cells")
