"""Reading many reports: input discovery, worker processes, per-file timeouts, ordered results."""

from __future__ import annotations

import gc
import glob
import hashlib
import os
import signal
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path

import jieba
import pandas as pd

from .model import Status
from .output import records
from .report import Report, read_report_safely
from .sources import INPUT_KINDS, SUFFIXES

_GLOB_CHARS = set("*?[")


class NoInputsError(ValueError):
    """None of the given inputs names a file."""


def expand_inputs(inputs: Iterable[str], kind: str = "auto") -> list[str]:
    """Files as given, directories searched recursively, and glob patterns; sorted, no repeats.

    Directories give the files whose extension is of a kind gongkai reads (PDF, web page,
    Word), or only of `kind`; a file given by name is kept whatever its extension, so that
    its content decides. A path that does not exist is kept, so that it gets its own failed
    status row.
    """
    kinds = INPUT_KINDS if kind == "auto" else (kind,)
    suffixes = {suffix for k in kinds for suffix in SUFFIXES[k]}
    found: list[str] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found += [str(p) for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in suffixes]
        elif not path.exists() and _GLOB_CHARS & set(item):
            found += sorted(p for p in glob.glob(item, recursive=True) if Path(p).is_file())
        else:
            found.append(item)
    unique = sorted(dict.fromkeys(found))
    if not unique:
        what = "report files (PDF, web page, Word)" if kind == "auto" else f"{kind} files"
        raise NoInputsError(f"no {what} found in the given inputs")
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


def read_with_timeout(path: str, timeout: float | None, kind: str = "auto") -> Report:
    """Read one file; a file that takes longer than `timeout` seconds becomes a failed row."""
    try:
        with _time_limit(timeout):
            report = read_report_safely(path, kind)
    except _Timeout:
        report = Report(source=path, reason="timeout", seconds=timeout or 0.0)
    report.sha256 = content_hash(path)
    report.geometry = []  # page geometry is for `review`; batches need only the records
    return report


Inputs = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]


def _paths(inputs: Inputs, kind: str) -> list[str]:
    """One path (a plain str is one path, never its letters) or many: files, folders, globs."""
    items = [inputs] if isinstance(inputs, str | os.PathLike) else list(inputs)
    return expand_inputs((os.fspath(item) for item in items), kind) if items else []


def iter_reports(
    inputs: Inputs, workers: int = 1, timeout: float | None = 60.0, kind: str = "auto"
) -> Iterator[Report]:
    """One Report per input file, sorted by path, whatever order the workers finish them in.

    `inputs` is one path or many: files, directories (searched for report files, or
    only those of `kind`: pdf, html, docx) and glob patterns. A file that cannot be
    read gives a failed Report, never an exception. At most a few tasks per worker
    are in flight, so memory stays bounded on batches of any size.
    """
    paths = _paths(inputs, kind)
    if workers <= 1 or len(paths) <= 1:
        for path in paths:
            yield read_with_timeout(path, timeout, kind)
        return
    # Load jieba's dictionary before the workers fork, so that they share its pages
    # instead of each building a copy (about 60 MB a worker). Freezing the garbage
    # collector keeps the workers' collections from writing to every inherited object,
    # which would copy those shared pages into each worker after all.
    jieba.initialize()
    gc.freeze()
    try:
        yield from _read_in_pool(paths, workers, timeout, kind)
    finally:
        gc.unfreeze()


def _read_in_pool(paths: list[str], workers: int, timeout: float | None, kind: str) -> Iterator[Report]:
    window = workers * 4
    done: dict[int, Report] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: dict[Future, int] = {}
        next_submit = next_yield = 0
        while next_yield < len(paths):
            while next_submit < len(paths) and len(pending) + len(done) < window:
                future = pool.submit(read_with_timeout, paths[next_submit], timeout, kind)
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


class FailedReportsWarning(UserWarning):
    """Some inputs of `read_reports` could not be read; their cells are not in the frame."""


def read_reports(
    inputs: Inputs,
    workers: int = 1,
    timeout: float | None = 60.0,
    kind: str = "auto",
    with_status: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """All cells of many reports in one DataFrame, sorted by source.

    `inputs` is one path or many (files, directories, globs; see `iter_reports`). A
    file that fails contributes no cells, and a FailedReportsWarning names it. With
    `with_status=True`, returns (cells, files): the per-file status table too, one
    row per input, failed ones included.
    """
    frames, statuses = [], []
    for report in iter_reports(inputs, workers, timeout, kind):
        statuses.append(report.file_record())
        if len(report.cells):
            frames.append(report.cells)
    cells = pd.concat(frames, ignore_index=True) if frames else records.empty_frame("cells")
    failed = [f"{s['source']} ({s['reason']})" for s in statuses if s["status"] == Status.FAILED]
    if failed:
        shown = "; ".join(failed[:5]) + (f"; and {len(failed) - 5} more" if len(failed) > 5 else "")
        warnings.warn(
            f"{len(failed)} of {len(statuses)} inputs could not be read: {shown}",
            FailedReportsWarning,
            stacklevel=2,
        )
    if with_status:
        return cells, records.frame("files", statuses)
    return cells
