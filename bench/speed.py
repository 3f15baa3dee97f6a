"""Speed and memory of gongkai, against camelot, pdfplumber and a pypdfium2 text-only floor.

    python bench/speed.py                          # corpus of 200 reports + the reference report
    python bench/speed.py --scale 200,1000,2000    # ... and gongkai over batches of those sizes
    python bench/speed.py --quick --scale 20,40    # smoke run: 12 reports, camelot on 3, few repeats
    python bench/speed.py --commit HEAD ...        # time gongkai as committed, not the work tree

Options: --files N (corpus size), --camelot-files K (camelot times a spread-out subset of K
files: it needs 2-3 s a report), --readers (a comma list of those below), --scale-workers W
(default 2), --reference PATH, --seed S, --commit REV (gongkai as committed at REV, exported with
git archive and put first on PYTHONPATH, rather than the work tree, which others may be editing).
Needs the project's `bench` extra: pip install -e '.[bench]'.

Corpus. When `fixtures/generate.py --help` offers `--corpus`, the reports come from
`generate.py --corpus DIR --count N --seed S`; until then the six samples/*.pdf are replicated,
by symlink under distinct names, to N files. Corpora are cached under bench/.corpus/, a generated
one keyed by count, seed and a hash of the generator's sources; delete the folder to rebuild.

Readers, timed one after another (the machine has 2 cores), each in a fresh process over the same
files: gongkai-w1 and gongkai-w2 are `gongkai extract DIR -o OUT.parquet -q -w 1` and `-w 2`;
camelot is lattice over all pages (pdfium backend, no ghostscript); pdfplumber is extract_tables
over all pages; pdfium takes all the text of every page with pypdfium2, the floor that no PDF
reader gets under. A reader's time is the wall clock of its whole process, start-up and imports
included (for gongkai also writing the Parquet file); "x gongkai" is its time per report over
gongkai-w1's. The CPU time (user + system, worker processes included) is shown beside it: it
does not grow when other processes compete for the cores, though it does in the host's slow spells.

Memory is in MB (2**20 bytes). Peak RSS is that of the largest single process (the kernel's own
count, from wait4). "tree RSS" and "tree PSS" add up every process of the tree at once, sampled
every 0.5 s ("-" for a run too short to sample): RSS counts the pages that forked workers share
with their parent in each of them (an upper bound), PSS splits them among their sharers (the
real total). All three agree for a single process.

Reference. The real report ../shared/reference/huaian-city-2024.pdf (skipped when absent) is
read in one warm process by every reader in turn: one untimed read each, then up to 20 rounds
(fewer once 60 s are spent) in which each reader reads it once. Medians are shown; "x gongkai"
is the median over the rounds of a reader's time over gongkai's in the same round. This machine
switches between fast and slow spells lasting minutes, in which the CPU time swells with the wall
clock (the same build reads the report in 130 ms or 240 ms): ratios of reads made seconds apart
hold where absolute times and ratios of runs made minutes apart do not.

Scale. `--scale 200,1000,2000` runs the gongkai CLI over batches of that many files (the corpus
replicated by symlink; gongkai tells inputs apart by path, so repeats are read like new files)
to check that time grows linearly and that a 2,000-file batch stays under 400 MB.

The figures go to stdout, progress to stderr; a summary and the targets' verdicts close the output.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import importlib.util
import json
import operator
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
CORPUS_CACHE = ROOT / "bench" / ".corpus"
GENERATOR = ROOT / "fixtures" / "generate.py"
SAMPLES = ROOT / "samples"
DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference" / "huaian-city-2024.pdf"

CHILD_COMMAND = "_read"  # argv[1] of the child processes that run the library readers
MEMORY_SAMPLE_SECONDS = 0.5  # reading a process's PSS costs ~5 ms of kernel time
MIN_MEMORY_SAMPLES = 4
MB = 2**20

TARGET_SECONDS_PER_REPORT = 0.15
TARGET_TIMES_FASTER_THAN_CAMELOT = 14.0
TARGET_TIMES_THE_FLOOR = 8.0
TARGET_BATCH_FILES = 2000
TARGET_BATCH_MB = 400.0
LINEAR_GROWTH = 1.2  # how much slower per report the largest batch may be than the smallest

GONGKAI_W1, GONGKAI_W2 = "gongkai-w1", "gongkai-w2"  # the CLI with 1 and 2 worker processes
CAMELOT, PDFPLUMBER, PDFIUM, GONGKAI = "camelot", "pdfplumber", "pdfium", "gongkai"
CORPUS_READERS = [GONGKAI_W1, GONGKAI_W2, CAMELOT, PDFPLUMBER, PDFIUM]
REFERENCE_READERS = [GONGKAI, CAMELOT, PDFPLUMBER, PDFIUM]
READER_DESCRIPTIONS = {
    GONGKAI: "gongkai.read_report, in process",
    CAMELOT: "camelot lattice, all pages",
    PDFPLUMBER: "pdfplumber extract_tables, all pages",
    PDFIUM: "pypdfium2 text only (floor)",
}


@dataclass(frozen=True)
class Settings:
    files: int
    camelot_files: int
    reference_runs: int
    reference_budget_seconds: float


FULL = Settings(files=200, camelot_files=30, reference_runs=20, reference_budget_seconds=60.0)
QUICK = Settings(files=12, camelot_files=3, reference_runs=3, reference_budget_seconds=3.0)


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


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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


# --- the corpus ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    folder: Path
    paths: list[Path]
    origin: str


def generator_offers_corpus() -> bool:
    """True when fixtures/generate.py takes --corpus.

    The source is searched first: a generate.py without an argument parser ignores --help and
    rewrites samples/ and fixtures/ in place.
    """
    if not GENERATOR.exists() or "--corpus" not in GENERATOR.read_text(encoding="utf-8"):
        return False
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--help"], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    return "--corpus" in result.stdout


def replicate(sources: list[Path], folder: Path, count: int) -> list[Path]:
    """`count` symlinks to `sources`, round robin, named <source>-<copy>.pdf; sorted by name.

    Sorting groups the copies of each source, so that spread_subset takes from every source.
    """
    folder.mkdir(parents=True, exist_ok=True)
    links = []
    for index in range(count):
        source = sources[index % len(sources)]
        link = folder / f"{source.stem}-{index // len(sources):05d}{source.suffix}"
        if not link.is_symlink():
            link.symlink_to(source.resolve())
        links.append(link)
    return sorted(links)


def generated_corpus(count: int, seed: int) -> Corpus:
    sources = sorted(GENERATOR.parent.glob("*.py"))
    stamp = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:10]
    folder = CORPUS_CACHE / f"generated-{count}-seed{seed}-{stamp}"
    complete = folder / ".complete"
    if not complete.exists():
        for stale in CORPUS_CACHE.glob(f"generated-{count}-seed{seed}-*"):  # older generators' and replicas
            shutil.rmtree(stale)
        progress(f"generating {count} reports into {folder.relative_to(ROOT)} ...")
        command = [sys.executable, str(GENERATOR), "--corpus", str(folder), "--count", str(count)]
        subprocess.run([*command, "--seed", str(seed)], check=True, cwd=ROOT, stdout=sys.stderr)
        complete.touch()
    origin = f"fixtures/generate.py --corpus --count {count} --seed {seed} (cached in {folder.name})"
    return Corpus(folder, sorted(folder.rglob("*.pdf")), origin)


def sample_corpus(count: int) -> Corpus:
    samples = sorted(SAMPLES.glob("*.pdf"))
    if not samples:
        raise SystemExit("no samples/*.pdf to build a corpus from")
    folder = CORPUS_CACHE / f"samples-{count}"
    origin = (
        f"{len(samples)} samples/*.pdf replicated by symlink (fixtures/generate.py offers no --corpus yet)"
    )
    return Corpus(folder, replicate(samples, folder, count), origin)


def build_corpus(count: int, seed: int) -> Corpus:
    return generated_corpus(count, seed) if generator_offers_corpus() else sample_corpus(count)


def spread_subset(paths: list[Path], count: int) -> list[Path]:
    """`count` paths spread evenly over sorted `paths`, so that a subset covers every layout."""
    if count >= len(paths):
        return paths
    return [paths[index * len(paths) // count] for index in range(count)]


def page_count(path: Path) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        return len(document)
    finally:
        document.close()


def warm_page_cache(paths: list[Path]) -> None:
    for path in paths:
        path.read_bytes()


# --- the three parts of the bench ----------------------------------------------------------------


def format_statuses(statuses: Counter[str]) -> str:
    return " ".join(f"{status} {n}" for status, n in sorted(statuses.items()))


MEMORY_HEADER = f"{'peak RSS':>8} {'tree RSS':>8} {'tree PSS':>8}"


def _mb(value: float | None) -> str:
    return f"{value:>8.0f}" if value is not None else f"{'-':>8}"


def memory_cells(measured: Measured) -> str:
    return f"{_mb(measured.peak_rss_mb)} {_mb(measured.sum_rss_mb)} {_mb(measured.sum_pss_mb)}"


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


def print_corpus(rows: list[CorpusRow], timings: dict[str, Timing]) -> None:
    print(
        f"\n{'reader':<12} {'files':>5} {'seconds':>7} {'reports/s':>9} {'ms/report':>9} {'cpu ms':>7} "
        f"{MEMORY_HEADER} {'x gongkai':>9}  found"
    )
    for row in rows:
        ratio = f"{timings[row.reader].x:.2f}" if row.reader in timings else "-"
        rate = row.files / row.measured.seconds
        print(
            f"{row.reader:<12} {row.files:>5} {row.measured.seconds:>7.1f} {rate:>9.2f} "
            f"{row.ms_per_report:>9.1f} {row.cpu_ms_per_report:>7.1f} "
            f"{memory_cells(row.measured)} {ratio:>9}  {row.found}"
        )


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


def print_reference(rows: list[ReferenceRow]) -> None:
    print(
        f"\n{'reader':<38} {'runs':>4} {'median ms':>9} {'min ms':>8} {'cpu ms':>8} {'x gongkai':>9}  found"
    )
    for row in rows:
        print(
            f"{READER_DESCRIPTIONS[row.reader]:<38} {len(row.wall):>4} {row.median_ms:>9.1f} "
            f"{1000 * min(row.wall):>8.1f} {row.median_cpu_ms:>8.1f} {row.x_wall:>9.2f}  {row.found}"
        )


@dataclass
class ScaleRow:
    files: int
    measured: Measured
    statuses: Counter[str]


def time_scale(corpus: Corpus, sizes: list[int], workers: int, work_dir: Path) -> list[ScaleRow]:
    rows = []
    for size in sizes:
        progress(f"timing {size} files ...")
        folder = CORPUS_CACHE / f"{corpus.folder.name}-x{size}"
        warm_page_cache(replicate(corpus.paths, folder, size))
        try:
            measured, statuses = run_gongkai_cli(folder, workers, work_dir)
        except ReaderFailed as error:
            print(f"{size} files FAILED, left out: {error}")
            continue
        rows.append(ScaleRow(size, measured, statuses))
    return rows


def print_scale(rows: list[ScaleRow]) -> None:
    """One line per batch size; "marginal" is the time per report added since the smaller batch."""
    print(
        f"\n{'files':>5} {'seconds':>8} {'reports/s':>9} {'ms/report':>9} {'marginal':>8} {'cpu ms':>7} "
        f"{MEMORY_HEADER}  statuses"
    )
    previous: ScaleRow | None = None
    for row in rows:
        marginal = "-"
        if previous is not None and row.files > previous.files:
            added = (row.measured.seconds - previous.measured.seconds) / (row.files - previous.files)
            marginal = f"{1000 * added:.1f}"
        print(
            f"{row.files:>5} {row.measured.seconds:>8.1f} {row.files / row.measured.seconds:>9.2f} "
            f"{1000 * row.measured.seconds / row.files:>9.1f} {marginal:>8} "
            f"{1000 * row.measured.cpu_seconds / row.files:>7.1f} "
            f"{memory_cells(row.measured)}  {format_statuses(row.statuses)}"
        )
        previous = row


# --- summary and targets ------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """A reader's time per report, and that time over gongkai's, by the wall clock and by CPU time."""

    ms: float
    cpu_ms: float
    x: float
    x_cpu: float


def corpus_timings(rows: list[CorpusRow]) -> dict[str, Timing]:
    """Each reader's corpus timing against gongkai-w1's; none without gongkai-w1."""
    base = next((r for r in rows if r.reader == GONGKAI_W1), None)
    if base is None:
        return {}
    return {
        r.reader: Timing(
            r.ms_per_report,
            r.cpu_ms_per_report,
            r.ms_per_report / base.ms_per_report,
            r.cpu_ms_per_report / base.cpu_ms_per_report,
        )
        for r in rows
    }


def reference_timings(rows: list[ReferenceRow]) -> dict[str, Timing]:
    """Each reader's reference timing, in-process gongkai's under the key gongkai-w1."""
    return {
        GONGKAI_W1 if r.reader == GONGKAI else r.reader: Timing(
            r.median_ms, r.median_cpu_ms, r.x_wall, r.x_cpu
        )
        for r in rows
    }


def print_summary(
    corpus_rows: list[CorpusRow], corpus: dict[str, Timing], reference: dict[str, Timing]
) -> None:
    """Each reader's corpus and reference figures side by side."""
    rows = {r.reader: r for r in corpus_rows}
    print(f"{'':<12} {'corpus: a fresh process per reader':<39}   reference: warm, paired")
    print(
        f"{'reader':<12} {'files':>5} {'reports/s':>9} {'ms/report':>9} {'peak MB':>7} {'x':>5}   "
        f"{'median ms':>9} {'x':>6}"
    )
    for reader in CORPUS_READERS:
        row, warm = rows.get(reader), reference.get(reader)
        if row is None and warm is None:
            continue
        cold = f"{'-':>5} {'-':>9} {'-':>9} {'-':>7} {'-':>5}"
        if row is not None:
            ratio = f"{corpus[reader].x:.1f}" if reader in corpus else "-"
            cold = (
                f"{row.files:>5} {row.files / row.measured.seconds:>9.2f} {row.ms_per_report:>9.1f} "
                f"{row.measured.peak_rss_mb:>7.0f} {ratio:>5}"
            )
        hot = f"{warm.ms:>9.1f} {warm.x:>6.1f}" if warm is not None else f"{'-':>9} {'-':>6}"
        print(f"{reader:<12} {cold}   {hot}")


COMPARISONS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt}


@dataclass(frozen=True)
class Target:
    where: str
    what: str
    comparison: str  # a key of COMPARISONS
    goal: float
    wall: float  # measured by the wall clock
    cpu: float | None  # the same measured by CPU time; None where that means nothing
    digits: int

    def line(self) -> str:
        def shown(value: float | None) -> str:
            return "-" if value is None else f"{value:.{self.digits}f}"

        def verdict(value: float | None) -> str:
            if value is None:
                return "-"
            return "met" if COMPARISONS[self.comparison](value, self.goal) else "MISSED"

        goal = f"{self.comparison} {self.goal:g}"
        return (
            f"{self.where:<12} {self.what:<36} {goal:>7} {shown(self.wall):>7} {shown(self.cpu):>7}  "
            f"{verdict(self.wall):<6} / {verdict(self.cpu)}"
        )


def speed_targets(where: str, timings: dict[str, Timing]) -> list[Target]:
    """The per-report targets, from gongkai-w1's timing and the others' against it."""
    if GONGKAI_W1 not in timings:
        return []
    gongkai = timings[GONGKAI_W1]
    seconds, cpu_seconds = gongkai.ms / 1000, gongkai.cpu_ms / 1000
    targets = [Target(where, "gongkai s/report", "<=", TARGET_SECONDS_PER_REPORT, seconds, cpu_seconds, 3)]
    if CAMELOT in timings:
        camelot = timings[CAMELOT]
        what, goal = "times faster than camelot lattice", TARGET_TIMES_FASTER_THAN_CAMELOT
        targets.append(Target(where, what, ">=", goal, camelot.x, camelot.x_cpu, 1))
    if PDFIUM in timings:
        floor = timings[PDFIUM]
        what, goal = "times the text-only floor", TARGET_TIMES_THE_FLOOR
        targets.append(Target(where, what, "<=", goal, 1 / floor.x, 1 / floor.x_cpu, 1))
    return targets


def scale_targets(rows: list[ScaleRow], workers: int) -> list[Target]:
    """Linear growth from the smallest batch to the largest; memory of each batch of 2,000 files or more."""
    where = f"scale -w {workers}"
    targets = []
    if len(rows) >= 2:
        first, last = rows[0], rows[-1]
        wall = (last.measured.seconds / last.files) / (first.measured.seconds / first.files)
        cpu = (last.measured.cpu_seconds / last.files) / (first.measured.cpu_seconds / first.files)
        what = f"ms/report at {last.files} / at {first.files} files"
        targets.append(Target(where, what, "<=", LINEAR_GROWTH, wall, cpu, 2))
    for row in rows:
        if row.files < TARGET_BATCH_FILES:
            continue
        for kind, mb in (("tree PSS", row.measured.sum_pss_mb), ("peak RSS", row.measured.peak_rss_mb)):
            if mb is not None:
                targets.append(
                    Target(where, f"{kind} MB, {row.files} files", "<", TARGET_BATCH_MB, mb, None, 0)
                )
    return targets


def print_targets(targets: list[Target]) -> None:
    print(f"\n{'where':<12} {'target':<36} {'goal':>7} {'wall':>7} {'cpu':>7}  verdict wall / cpu")
    for target in targets:
        print(target.line())


# --- main ---------------------------------------------------------------------------------------


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "absent"


def git_describe(*revision: str) -> str:
    command = ["git", "describe", "--always", *(revision or ("--dirty",))]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True).stdout.strip()


def use_committed_gongkai(revision: str, work_dir: Path) -> None:
    """Put gongkai's src/ as committed at `revision` first on the path of every process started from here."""
    archive = subprocess.run(["git", "archive", revision, "src"], capture_output=True, cwd=ROOT, check=True)
    subprocess.run(["tar", "-x", "-C", str(work_dir)], input=archive.stdout, check=True)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(work_dir / "src"), os.environ.get("PYTHONPATH")])
    )


def print_header(arguments: argparse.Namespace) -> None:
    packages = ("gongkai", "camelot-py", "pdfplumber", "pdfminer.six", "pypdfium2", "opencv-python-headless")
    print(f"bench/speed.py {' '.join(sys.argv[1:])}".rstrip())
    print(
        f"{datetime.now():%Y-%m-%d %H:%M}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}"
    )
    print(", ".join(f"{p} {_version(p)}" for p in packages))
    if arguments.commit:
        print(f"gongkai as committed at {git_describe(arguments.commit)} (work tree at {git_describe()})")
    else:
        gongkai = importlib.util.find_spec("gongkai")
        where = Path(gongkai.origin).parent if gongkai and gongkai.origin else "?"
        print(f"gongkai imported from {where} (work tree at {git_describe()})")
    if arguments.quick:
        print("QUICK smoke run: figures are not representative")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--files", type=int, help=f"corpus size [{FULL.files}; quick {QUICK.files}]")
    parser.add_argument(
        "--camelot-files",
        type=int,
        help=f"files camelot reads, a spread-out subset [{FULL.camelot_files}; quick {QUICK.camelot_files}]",
    )
    parser.add_argument(
        "--readers",
        default=",".join(CORPUS_READERS),
        help="comma list of corpus readers, empty for none [%(default)s]",
    )
    parser.add_argument(
        "--scale", default="", help="comma list of batch sizes for gongkai, e.g. 200,1000,2000"
    )
    parser.add_argument("--scale-workers", type=int, default=2, help="gongkai workers in --scale [2]")
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE, help="real report to time")
    parser.add_argument("--seed", type=int, default=1, help="seed of a generated corpus [1]")
    parser.add_argument("--commit", help="time gongkai as committed at this revision, not the work tree")
    arguments = parser.parse_args()
    unknown = set(filter(None, arguments.readers.split(","))) - set(CORPUS_READERS)
    if unknown:
        parser.error(f"unknown readers {sorted(unknown)}; choose from {CORPUS_READERS}")
    return arguments


def main() -> None:
    arguments = parse_arguments()
    defaults = QUICK if arguments.quick else FULL
    settings = Settings(
        files=arguments.files or defaults.files,
        camelot_files=arguments.camelot_files or defaults.camelot_files,
        reference_runs=defaults.reference_runs,
        reference_budget_seconds=defaults.reference_budget_seconds,
    )
    readers = [r for r in CORPUS_READERS if r in arguments.readers.split(",")]
    sizes = [int(size) for size in arguments.scale.split(",") if size]
    print_header(arguments)
    started = time.perf_counter()
    corpus = build_corpus(settings.files, arguments.seed)
    warm_page_cache(corpus.paths)
    pages = [page_count(p) for p in corpus.paths]
    print(
        f"\nCORPUS: {len(corpus.paths)} files, {min(pages)}-{max(pages)} pages "
        f"(mean {statistics.mean(pages):.1f}), from {corpus.origin}"
    )
    corpus_rows: list[CorpusRow] = []
    reference_rows: list[ReferenceRow] = []
    scale_rows: list[ScaleRow] = []
    with tempfile.TemporaryDirectory(prefix="gongkai-speed-") as work:
        work_dir = Path(work)
        if arguments.commit:
            use_committed_gongkai(arguments.commit, work_dir)
        if readers:
            if CAMELOT in readers and settings.camelot_files < len(corpus.paths):
                print(f"camelot reads a spread-out subset of {settings.camelot_files} of the files")
            corpus_rows = time_corpus(corpus, readers, settings.camelot_files, work_dir)
            print_corpus(corpus_rows, corpus_timings(corpus_rows))
        if arguments.reference.exists():
            print(
                f"\nREFERENCE: {arguments.reference.name}, {page_count(arguments.reference)} pages, "
                "read warm by each reader in turn in one process"
            )
            reference_rows = time_reference(arguments.reference, settings, work_dir)
            print_reference(reference_rows)
        else:
            print(f"\nREFERENCE: {arguments.reference} is absent; skipped")
        if sizes:
            print(f"\nSCALE: gongkai -w {arguments.scale_workers} over the corpus replicated by symlink")
            scale_rows = time_scale(corpus, sizes, arguments.scale_workers, work_dir)
            print_scale(scale_rows)
    print(f"\nSUMMARY (x: time per report over {GONGKAI_W1}'s; in-process gongkai is on its line)")
    corpus, reference = corpus_timings(corpus_rows), reference_timings(reference_rows)
    print_summary(corpus_rows, corpus, reference)
    print_targets(
        speed_targets("reference", reference)
        + speed_targets("corpus", corpus)
        + scale_targets(scale_rows, arguments.scale_workers)
    )
    print(f"\ntotal {time.perf_counter() - started:.0f} s, load {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == CHILD_COMMAND:
        reader_names, paths_file, rounds, budget = sys.argv[2:6]
        child_main(reader_names.split(","), paths_file, int(rounds), float(budget))
    else:
        main()
