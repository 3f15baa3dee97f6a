"""Start-up: `gongkai extract one.pdf` against the floor of importing pypdfium2 and reading the text.

    PYTHONPATH=src python bench/startup.py                  # fixtures/docx-city-2024-template.pdf
    PYTHONPATH=src python bench/startup.py REPORT.pdf --runs 15
    PYTHONPATH=src python bench/startup.py --no-bytecode   # compiling every module on each run
    git archive REV src | tar -x -C /tmp/before            # ... and the same runs of REV beside:
    PYTHONPATH=src python bench/startup.py --against /tmp/before/src --batch DIR

Issue 11's target: `gongkai extract one.pdf` in at most 2x the time of `python -c "import
pypdfium2"` plus reading that PDF's text. Each command runs in a fresh process, --runs times
(after one untimed run that builds the jieba dictionary store on a first use):

- floor: a process that imports pypdfium2 and takes the text of every page of the PDF;
- stdout: `python -m gongkai extract PDF -o - -q` (CSV to stdout);
- file: `python -m gongkai extract PDF -o DIR/out.csv -q` (the CSV and its two companion tables);
- with --batch DIR, also `extract DIR -o out.csv -q -w 1` and `-w 2`, --batch-runs times.

The gongkai run is that of this interpreter's `gongkai`: run with PYTHONPATH=src for a work
tree. With --against SRC, every gongkai command is also run with SRC (another version's src
folder) first on PYTHONPATH, each run of one version right after the same run of the other,
so that both see the same load. The runs keep their compiled bytecode (in a scratch
PYTHONPYCACHEPREFIX, even where PYTHONDONTWRITEBYTECODE is set), as an installed gongkai has
it: pip compiles it at install. With --no-bytecode, gongkai's modules (not those of the
packages installed) are compiled from source on every run, as in a work tree run with
PYTHONDONTWRITEBYTECODE.

The minimum over the runs is shown (the machine's 2 cores are shared: other jobs only ever
add time), as wall clock and as CPU time (user + system of the process and its workers, from
wait4), with the ratio to the floor; for a batch, files per second of wall clock and CPU
seconds per file.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

FLOOR = """
import sys
import pypdfium2
document = pypdfium2.PdfDocument(sys.argv[1])
for page in document:
    page.get_textpage().get_text_range()
"""


class Timing(NamedTuple):
    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:.3f} / {self.cpu:.3f}"


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `command`, its output discarded."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0, 1):  # 1: some input failed, which a batch may hold
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}:\n{error}")
    return wall, usage.ru_utime + usage.ru_stime


def _best(runs: list[tuple[float, float]]) -> Timing:
    return Timing(min(wall for wall, _ in runs), min(cpu for _, cpu in runs))


def _measure(
    commands: dict[str, list[str]], envs: dict[str, dict[str, str]], runs: int
) -> dict[tuple[str, str], Timing]:
    """(command, version) -> best (wall, CPU), each round running every command of every version."""
    for command in commands.values():
        for env in envs.values():
            _timed(command, env)
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(runs):
        for name, command in commands.items():
            for version, env in envs.items():
                times.setdefault((name, version), []).append(_timed(command, env))
    return {key: _best(found) for key, found in times.items()}


def installed(scratch: str) -> dict[str, str]:
    """This environment with compiled bytecode kept in `scratch`, as an installed gongkai has it."""
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(Path(scratch) / "bytecode"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def best_of(commands: dict[str, list[str]], runs: int, env: dict[str, str]) -> dict[str, Timing]:
    """name -> best (wall, CPU) of `runs` fresh runs of each command."""
    return {name: best for (name, _), best in _measure(commands, {"-": env}, runs).items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("pdf", nargs="?", default="fixtures/docx-city-2024-template.pdf")
    parser.add_argument("--runs", type=int, default=10, help="runs of each command (default 10)")
    parser.add_argument("--no-bytecode", action="store_true", help="compile gongkai on every run")
    parser.add_argument("--against", metavar="SRC", help="another version's src folder, timed beside")
    parser.add_argument("--batch", metavar="DIR", help="also time a batch of the reports in DIR")
    parser.add_argument("--batch-runs", type=int, default=3, help="runs of each batch (default 3)")
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1") if args.no_bytecode else installed(scratch)
        envs = {"this": env}
        if args.against:
            path = os.pathsep.join([args.against, *filter(None, [env.get("PYTHONPATH")])])
            envs["against"] = {**env, "PYTHONPATH": path}
        out = str(Path(scratch) / "out.csv")
        gongkai = [python, "-m", "gongkai", "extract"]
        floor = _measure({"floor": [python, "-c", FLOOR, args.pdf]}, {"-": env}, args.runs)
        one = {
            "extract -o - (CSV to stdout)": [*gongkai, args.pdf, "-o", "-", "-q"],
            "extract -o out.csv": [*gongkai, args.pdf, "-o", out, "-q"],
        }
        results = _measure(one, envs, args.runs)
        batches = {}
        if args.batch:
            from gongkai.batch import expand_inputs

            files = len(expand_inputs([args.batch]))
            batch = {f"-w {w}": [*gongkai, args.batch, "-o", out, "-q", "-w", str(w)] for w in (1, 2)}
            batches = _measure(batch, envs, args.batch_runs)
    floor_wall, floor_cpu = floor["floor", "-"]
    bytecode = "compiled on every run" if args.no_bytecode else "bytecode kept"
    print(f"{args.pdf}; min of {args.runs} runs each; {bytecode}")
    print(f"{'':44} {'wall s':>8} {'x floor':>8} {'CPU s':>8} {'x floor':>8}")
    print(f"{'floor (import pypdfium2 + text)':44} {floor_wall:8.3f} {1:8.2f} {floor_cpu:8.3f} {1:8.2f}")
    for (name, version), (wall, cpu) in results.items():
        label = f"{name} [{version}]" if args.against else name
        print(f"{label:44} {wall:8.3f} {wall / floor_wall:8.2f} {cpu:8.3f} {cpu / floor_cpu:8.2f}")
    print("target: extract within 2.00x the floor")
    if batches:
        print(f"\nbatch of {files} files in {args.batch}; min of {args.batch_runs} runs each")
        print(f"{'':44} {'wall s':>8} {'files/s':>8} {'CPU s':>8} {'CPU s/file':>10}")
        for (name, version), (wall, cpu) in batches.items():
            label = f"extract DIR -o out.csv {name}" + (f" [{version}]" if args.against else "")
            print(f"{label:44} {wall:8.2f} {files / wall:8.2f} {cpu:8.2f} {cpu / files:10.4f}")


if __name__ == "__main__":
    main()
