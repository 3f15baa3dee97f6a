"""Start-up: `gongkai extract one.pdf` against the floor of importing pypdfium2 and reading the text.

    PYTHONPATH=src python bench/startup.py                  # fixtures/docx-city-2024-template.pdf
    PYTHONPATH=src python bench/startup.py REPORT.pdf --runs 15
    PYTHONPATH=src python bench/startup.py --no-bytecode   # compiling every module on each run

Issue 11's target: `gongkai extract one.pdf` in at most 2x the time of `python -c "import
pypdfium2"` plus reading that PDF's text. Each command runs in a fresh process, --runs times
(after one untimed run that builds the jieba dictionary store on a first use):

- floor: a process that imports pypdfium2 and takes the text of every page of the PDF;
- stdout: `python -m gongkai extract PDF -o -` (CSV to stdout);
- file: `python -m gongkai extract PDF -o DIR/out.csv` (the CSV and its two companion tables).

The gongkai run is that of this interpreter's `gongkai`: run with PYTHONPATH=src for a work tree.
The runs keep their compiled bytecode (in a scratch PYTHONPYCACHEPREFIX, even where
PYTHONDONTWRITEBYTECODE is set), as an installed gongkai has it: pip compiles it at install.
With --no-bytecode, gongkai's modules (not those of the packages installed) are compiled
from source on every run, as in a work tree run with PYTHONDONTWRITEBYTECODE.
The minimum over the runs is shown (the machine's 2 cores are shared: other jobs only ever add
time), as wall clock and as CPU time (user + system, from wait4), with the ratio to the floor.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_FLOOR = """
import sys
import pypdfium2
document = pypdfium2.PdfDocument(sys.argv[1])
for page in document:
    page.get_textpage().get_text_range()
"""


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `command`, its output discarded."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode() if process.stderr else ""
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}:\n{error}")
    return wall, usage.ru_utime + usage.ru_stime


def _best(command: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    times = [_timed(command, env) for _ in range(runs)]
    return min(wall for wall, _ in times), min(cpu for _, cpu in times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("pdf", nargs="?", default="fixtures/docx-city-2024-template.pdf")
    parser.add_argument("--runs", type=int, default=10, help="runs of each command (default 10)")
    parser.add_argument("--no-bytecode", action="store_true", help="compile gongkai on every run")
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ)
        if args.no_bytecode:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / "bytecode")
        commands = {
            "floor (import pypdfium2 + text)": [python, "-c", _FLOOR, args.pdf],
            "extract -o - (CSV to stdout)": [python, "-m", "gongkai", "extract", args.pdf, "-o", "-", "-q"],
            "extract -o out.csv": [
                python,
                *("-m", "gongkai", "extract", args.pdf, "-o", str(Path(scratch) / "out.csv"), "-q"),
            ],
        }
        for command in commands.values():
            _timed(command, env)
        results = {name: _best(command, args.runs, env) for name, command in commands.items()}
    floor_wall, floor_cpu = results["floor (import pypdfium2 + text)"]
    bytecode = "compiled on every run" if args.no_bytecode else "bytecode kept"
    print(f"{args.pdf}; min of {args.runs} runs each; {bytecode}")
    print(f"{'':34} {'wall s':>8} {'x floor':>8} {'CPU s':>8} {'x floor':>8}")
    for name, (wall, cpu) in results.items():
        print(f"{name:34} {wall:8.3f} {wall / floor_wall:8.2f} {cpu:8.3f} {cpu / floor_cpu:8.2f}")
    print("target: extract within 2.00x the floor")


if __name__ == "__main__":
    main()
