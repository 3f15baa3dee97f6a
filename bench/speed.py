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

Corpus. The reports come from `fixtures/generate.py --corpus DIR --count N --seed S`. Corpora
are cached under bench/.corpus/, keyed by count, seed and a hash of the generator's sources;
delete the folder to rebuild.

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

The parts: speed_corpus.py builds the corpus, speed_measure.py runs and measures the readers
(running itself as their child process), speed_report.py prints the tables and the verdicts.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from speed_corpus import ROOT, build_corpus, page_count, warm_page_cache
from speed_measure import (
    CAMELOT,
    CORPUS_READERS,
    GONGKAI_W1,
    CorpusRow,
    ReferenceRow,
    ScaleRow,
    Settings,
    time_corpus,
    time_reference,
    time_scale,
)
from speed_report import (
    corpus_timings,
    print_corpus,
    print_reference,
    print_scale,
    print_summary,
    print_targets,
    reference_timings,
    scale_targets,
    speed_targets,
)

DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference" / "huaian-city-2024.pdf"

FULL = Settings(files=200, camelot_files=30, reference_runs=20, reference_budget_seconds=60.0)
QUICK = Settings(files=12, camelot_files=3, reference_runs=3, reference_budget_seconds=3.0)


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
    main()
