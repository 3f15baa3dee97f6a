"""The measurements of bench/speed.py: the readers, each timed in a child process of its own.

The parent runs this file as the child (`python bench/speed_measure.py _read READERS LIST ROUNDS
BUDGET`, see child_main) and measures the child's wall clock, CPU time and memory.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil
from speed_corpus import ROOT, Corpus, progress, scale_batch, spread_subset

CHILD_COMMAND = "_read"  # argv[1] of the child processes that run the library readers
MEMORY_SAMPLE_SECONDS = 0.5  # reading a process's PSS costs ~5 ms of kernel time
MIN_MEMORY_SAMPLES = 4
MB = 2**20

GONGKAI_W1, GONGKAI_W2 = "gongkai-w1", "gongkai-w2"  # the CLI with 1 and 2 worker processes
CAMELOT, PDFPLUMBER, PDFIUM, GONGKAI = "camelot", "pdfplumber", "pdfium", "gongkai"
CORPUS_READERS = [GONGKAI_W1, GONGKAI_W2, CAMELOT, PDFPLUMBER, PDFIUM]
REFERENCE_READERS = [GONGKAI, CAMELOT, PDFPLUMBER, PDFIUM]


@dataclass(frozen=True)
class Settings:
    files: int
    camelot_files: int
    reference_runs: int
    reference_budget_seconds: float


# --- the library readers, run inside a child process ------------------------------------------
# Each reads one file and returns how much it found (tables, characters or cells), so that a
# reader that silently found nothing shows.


def _read_camelot(path: str) -> int:
    import camelot

    return len(camelot.read_pdf(path, pages="all", flavor="lattice", backend="pdfium", suppress_stdout=True))


def _read_pdfplumber(path: str) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return sum(len(page.extract_tables()) for page in pdf.pages)


def _read_pdfium(path: str) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        return sum(len(page.get_textpage().get_text_range()) for page in document)
    finally:
        document.close()


def _read_gongkai(path: str) -> int:
    import gongkai

    return gongkai.read_report(path).cells_found


LIBRARY_READERS: dict[str, Callable[[str], int]] = {
    CAMELOT: _read_camelot,
    PDFPLUMBER: _read_pdfplumber,
    PDFIUM: _read_pdfium,
    GONGKAI: _read_gongkai,
}
FOUND_UNITS = {CAMELOT: "tables", PDFPLUMBER: "tables", PDFIUM: "chars", GONGKAI: "cells"}


def child_main(readers: list[str], list_file: str, max_rounds: int, budget_seconds: float) -> None:
    """Time `readers` over the listed files, in rounds: each reader reads them all once a round.

    With more than one round, every reader first reads them once untimed. Stops early, after at
    least three rounds, once `budget_seconds` are spent. Prints JSON: for each reader, what its
    last read found and the wall-clock and CPU seconds of each round.
    """
    import warnings

    warnings.simplefilter("ignore")  # camelot warns about every page without a table
    paths = Path(list_file).read_text(encoding="utf-8").splitlines()
    if max_rounds > 1:
        for reader in readers:
            for path in paths:
                LIBRARY_READERS[reader](path)
    results: dict[str, dict] = {reader: {"found": 0, "wall": [], "cpu": []} for reader in readers}
    spent = 0.0
    for round_number in range(1, max_rounds + 1):
        for reader in readers:
            started, started_cpu = time.perf_counter(), time.process_time()
            found = sum(LIBRARY_READERS[reader](path) for path in paths)
            wall = time.perf_counter() - started
            results[reader]["found"] = found
            results[reader]["wall"].append(wall)
            results[reader]["cpu"].append(time.process_time() - started_cpu)
            spent += wall
        if round_number >= 3 and spent > budget_seconds:
            break
    print(json.dumps(results))


# --- running and measuring a child process -----------------------------------------------------


@dataclass
class Measured:
    seconds: float  # wall clock
    cpu_seconds: float  # user + system, of the process and its worker processes
    peak_rss_mb: float  # the largest single process of the tree
    # All processes of the tree at once, sampled; None for a run too short to sample.
    sum_rss_mb: float | None  # shared pages counted in each process
    sum_pss_mb: float | None  # shared pages split among their sharers: the tree's real total
    stdout: str


class TreeMemorySampler(threading.Thread):
    """Samples the summed RSS and PSS of a process and all its descendants until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss_bytes = self.peak_pss_bytes = self.samples = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            rss, pss = self._tree_memory()
            self.peak_rss_bytes = max(self.peak_rss_bytes, rss)
            self.peak_pss_bytes = max(self.peak_pss_bytes, pss)
            self.samples += 1
            self.stopped.wait(MEMORY_SAMPLE_SECONDS)

    def _tree_memory(self) -> tuple[int, int]:
        try:
            root = psutil.Process(self.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0, 0
        rss = pss = 0
        for process in processes:
            with contextlib.suppress(psutil.Error):  # ended between listing and reading
                memory = process.memory_full_info()
                rss, pss = rss + memory.rss, pss + memory.pss
        return rss, pss


class ReaderFailed(RuntimeError):
    """A timed process exited with an error."""


def run_measured(command: list[str], ok_exit_codes: tuple[int, ...] = (0,)) -> Measured:
    """Run a command to its end; its time and memory. Raises ReaderFailed when it fails."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=ROOT)
        sampler = TreeMemorySampler(process.pid)
        sampler.start()
        # wait4 rather than Popen.wait: it gives this child's resource usage, its reaped worker
        # processes included, where RUSAGE_CHILDREN would mix in the earlier runs.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        sampler.stopped.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode not in ok_exit_codes:
        raise ReaderFailed(f"{' '.join(command)} exited {process.returncode}:\n{stderr[-2000:]}")
    sampled = sampler.samples >= MIN_MEMORY_SAMPLES
    return Measured(
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss * 1024 / MB,  # Linux counts ru_maxrss in KiB
        sum_rss_mb=sampler.peak_rss_bytes / MB if sampled else None,
        sum_pss_mb=sampler.peak_pss_bytes / MB if sampled else None,
        stdout=stdout,
    )


def run_library_readers(
    readers: list[str], paths: list[Path], work_dir: Path, max_rounds: int = 1, budget_seconds: float = 0.0
) -> tuple[Measured, dict[str, dict]]:
    """One child process timing `readers` over `paths` (see child_main); its measurement and results."""
    list_file = work_dir / f"{'-'.join(readers)}-{len(paths)}.txt"
    list_file.write_text("\n".join(str(p) for p in paths), encoding="utf-8")
    rounds = [str(max_rounds), str(budget_seconds)]
    command = [sys.executable, __file__, CHILD_COMMAND, ",".join(readers), str(list_file), *rounds]
    measured = run_measured(command)
    return measured, json.loads(measured.stdout)


def run_gongkai_cli(folder: Path, workers: int, work_dir: Path) -> tuple[Measured, Counter[str]]:
    """`gongkai extract FOLDER -o OUT.parquet -w N -q`; the measurement and the files' statuses."""
    output = work_dir / f"cells-w{workers}.parquet"
    gongkai = Path(sys.executable).with_name("gongkai")
    command = [str(gongkai), "extract", str(folder), "-o", str(output), "-w", str(workers), "-q"]
    measured = run_measured(command, ok_exit_codes=(0, 1))  # 1: some files failed, the rest was read
    with open(output.with_name(f"{output.stem}.files.csv"), encoding="utf-8") as handle:
        statuses = Counter(row["status"] for row in csv.DictReader(handle))
    return measured, statuses


# --- the three parts of the bench: corpus, reference, scale --------------------------------------


def format_statuses(statuses: Counter[str]) -> str:
    return " ".join(f"{status} {n}" for status, n in sorted(statuses.items()))


@dataclass
class CorpusRow:
    reader: str
    files: int
    measured: Measured
    found: str

    @property
    def ms_per_report(self) -> float:
        return 1000 * self.measured.seconds / self.files

    @property
    def cpu_ms_per_report(self) -> float:
        return 1000 * self.measured.cpu_seconds / self.files


def time_corpus(corpus: Corpus, readers: list[str], camelot_files: int, work_dir: Path) -> list[CorpusRow]:
    rows = []
    for reader in readers:
        progress(f"timing {reader} ...")
        try:
            if reader in (GONGKAI_W1, GONGKAI_W2):
                workers = 1 if reader == GONGKAI_W1 else 2
                measured, statuses = run_gongkai_cli(corpus.folder, workers, work_dir)
                rows.append(CorpusRow(reader, len(corpus.paths), measured, format_statuses(statuses)))
            else:
                paths = spread_subset(corpus.paths, camelot_files) if reader == CAMELOT else corpus.paths
                measured, results = run_library_readers([reader], paths, work_dir)
                found = f"{results[reader]['found']} {FOUND_UNITS[reader]}"
                rows.append(CorpusRow(reader, len(paths), measured, found))
        except ReaderFailed as error:
            print(f"{reader} FAILED, left out: {error}")
    return rows


@dataclass
class ReferenceRow:
    reader: str
    wall: list[float]  # seconds of each round's read
    cpu: list[float]
    found: str
    # Median over the rounds of this reader's time over gongkai's in the same round.
    x_wall: float
    x_cpu: float

    @property
    def median_ms(self) -> float:
        return 1000 * statistics.median(self.wall)

    @property
    def median_cpu_ms(self) -> float:
        return 1000 * statistics.median(self.cpu)


def _paired_ratio(times: list[float], base: list[float]) -> float:
    return statistics.median(t / b for t, b in zip(times, base, strict=True))


def time_reference(path: Path, settings: Settings, work_dir: Path) -> list[ReferenceRow]:
    """The readers in turn, round after round, in one warm process: each ratio pairs reads seconds apart."""
    progress(f"timing {', '.join(REFERENCE_READERS)} on {path.name} ...")
    try:
        _, results = run_library_readers(
            REFERENCE_READERS, [path], work_dir, settings.reference_runs, settings.reference_budget_seconds
        )
    except ReaderFailed as error:
        print(f"FAILED, left out: {error}")
        return []
    base = results[GONGKAI]
    return [
        ReferenceRow(
            reader=reader,
            wall=result["wall"],
            cpu=result["cpu"],
            found=f"{result['found']} {FOUND_UNITS[reader]}",
            x_wall=_paired_ratio(result["wall"], base["wall"]),
            x_cpu=_paired_ratio(result["cpu"], base["cpu"]),
        )
        for reader, result in results.items()
    ]


@dataclass
class ScaleRow:
    files: int
    measured: Measured
    statuses: Counter[str]


def time_scale(corpus: Corpus, sizes: list[int], workers: int, work_dir: Path) -> list[ScaleRow]:
    rows = []
    for size in sizes:
        progress(f"timing {size} files ...")
        folder = scale_batch(corpus, size)
        try:
            measured, statuses = run_gongkai_cli(folder, workers, work_dir)
        except ReaderFailed as error:
            print(f"{size} files FAILED, left out: {error}")
            continue
        rows.append(ScaleRow(size, measured, statuses))
    return rows


if __name__ == "__main__":
    if len(sys.argv) != 6 or sys.argv[1] != CHILD_COMMAND:
        raise SystemExit(f"{Path(__file__).name} runs as a child process of bench/speed.py")
    reader_names, paths_file, rounds, budget = sys.argv[2:6]
    child_main(reader_names.split(","), paths_file, int(rounds), float(budget))
