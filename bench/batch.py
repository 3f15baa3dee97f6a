"""Figures for batches: start-up, one file, throughput at 1 and 2 workers and on a Dask LocalCluster,
and memory at two batch sizes.

    python bench/batch.py [--files 200] [--memory 200,2000]

Each figure is one fresh process, timed by its wall clock, start-up and imports included:
- start-up: `python -c "import pypdfium2"`, and `gongkai --version`;
- one file: `gongkai extract one.pdf -o OUT.csv` against the floor the issue sets,
  `import pypdfium2` plus reading that PDF's text (the target is at most twice the floor), timed
  as bench/startup.py times them: the minimum of fresh runs, wall clock and CPU, bytecode kept,
  with no memory sampler beside them (its thread takes one of the two cores);
- throughput: `gongkai extract DIR -o OUT.parquet -w N` over a batch made by bench/make_batch.py
  (fixtures, samples and bad inputs, copied), and the same with `--scheduler` on a LocalCluster of
  two single-threaded worker processes (the cluster's own start is not counted);
- memory: the whole process tree's PSS (shared pages split among their sharers), sampled.
Needs the `bench` and `dask` extras.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_batch import make_batch
from speed_measure import run_measured
from startup import FLOOR, best_of, installed

ROOT = Path(__file__).resolve().parents[1]
ONE = ROOT / "samples" / "jiangyuan-city-2021.pdf"
STARTUP_RUNS = 10


def gongkai(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "gongkai", *arguments]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--memory", default="200,2000")
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = str(ROOT / "src")
    work = Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    timed = best_of(
        {
            "import": [sys.executable, "-c", "import pypdfium2"],
            "version": gongkai("--version"),
            "floor": [sys.executable, "-c", FLOOR, str(ONE)],
            "one": gongkai("extract", str(ONE), "-o", str(work / "one.csv"), "-q"),
        },
        STARTUP_RUNS,
        installed(str(work)),
    )
    print(f"start-up (wall, CPU s; min of {STARTUP_RUNS}): import pypdfium2 {timed['import']}; ", end="")
    print(f"gongkai --version {timed['version']}")
    one, floor = timed["one"], timed["floor"]
    print(f"one file {ONE.name}: gongkai extract {one}; import pypdfium2 + its text {floor}")
    print(f"  ratio {one.wall / floor.wall:.2f} wall, {one.cpu / floor.cpu:.2f} CPU (target <= 2)")

    folder = work / f"batch-{args.files}"
    make_batch(args.files, folder)
    for workers in (1, 2):
        measured = run_measured(
            gongkai(
                "extract", str(folder), "-o", str(work / f"w{workers}.parquet"), "-w", str(workers), "-q"
            ),
            ok_exit_codes=(0, 1),
        )
        print(f"throughput, {workers} worker(s): {args.files / measured.seconds:.1f} files/s ", end="")
        print(f"({measured.seconds:.1f} s for {args.files} files)")
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        command = gongkai("extract", str(folder), "-o", str(work / "dask.parquet"), "-q")
        measured = run_measured([*command, "--scheduler", cluster.scheduler_address], ok_exit_codes=(0, 1))
        print(f"throughput, LocalCluster of 2 workers: {args.files / measured.seconds:.1f} files/s ", end="")
        print(f"({measured.seconds:.1f} s)")

    for size in (int(s) for s in args.memory.split(",")):
        folder = work / f"memory-{size}"
        make_batch(size, folder)
        measured = run_measured(
            gongkai("extract", str(folder), "-o", str(work / f"m{size}.parquet"), "-w", "2", "-q"),
            ok_exit_codes=(0, 1),
        )
        pss = f"{measured.sum_pss_mb:.0f}" if measured.sum_pss_mb else "-"
        largest = f"{measured.peak_rss_mb:.0f}"
        print(f"memory, {size} files, 2 workers: tree PSS {pss} MB, largest process {largest} MB ", end="")
        print(f"({measured.seconds:.1f} s)")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
