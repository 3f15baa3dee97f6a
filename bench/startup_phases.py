"""Where a one-file `gongkai extract PDF -o -` spends its CPU, phase by phase.

    PYTHONPATH=src python bench/startup_phases.py                 # fixtures/docx-city-2024-template.pdf
    PYTHONPATH=src python bench/startup_phases.py REPORT.pdf --runs 20

Each run is a fresh interpreter that imports what the command imports, step by step, as
`python -m gongkai` does (the garbage collector paused while the modules load, then frozen),
runs `extract PDF -o - -q`, and marks its CPU time (user + system, `resource.getrusage`)
between the steps, then ends as the command does (`gongkai.__main__`); the whole process
tree's CPU comes from `os.wait4`, so "exit" is what is left after the last mark. The time
of an `import` row is that step's, after the rows above it. The worker is the forked child
that reads the report. Each row shows its minimum over the runs (other jobs only ever add
time); bench/startup.py compares the whole run with the floor, which still imports pypdfium2
as issue 11 defines it. The command does not: `sources/pdfium.py` binds the PDFium functions
it calls with ctypes, from the library pypdfium2 ships (the "import sources" row).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

_PHASES = r"""
import gc, os, resource, sys, time

def cpu(who=resource.RUSAGE_SELF):
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime

marks = [("interpreter start", cpu(), 0.0)]

def mark(name):
    marks.append((name, cpu(), cpu(resource.RUSAGE_CHILDREN)))

gc.disable()
import click; mark("import click")
import dataclasses
building = [0.0]
process_class = dataclasses._process_class

def timed(*args):
    started = time.process_time()
    made = process_class(*args)
    building[0] += time.process_time() - started
    return made

dataclasses._process_class = timed
import gongkai.dictionary; mark("import gongkai.dictionary (sqlite3)")
gongkai.dictionary.import_jieba(); mark("import jieba (without pkg_resources)")
import gongkai.labels; mark("import labels, forms, settings, model")
import ctypes; mark("import ctypes")
import gongkai.sources; mark("import sources (PDFium loaded and initialised)")
import gongkai.report; mark("import report (the rest of the pipeline)")
import gongkai.cli; mark("import batch, journal, writers, cli")
dataclasses._process_class = process_class
gc.freeze()
gc.enable()
sys.argv = ["gongkai", "extract", sys.argv[1], "-o", "-", "-q"]
sys.stdout = open(os.devnull, "w")
try:
    gongkai.cli.main(standalone_mode=False)
except SystemExit:
    pass
mark("extract: the parent")
print("\t".join(f"{n}={c}/{w}" for n, c, w in marks) + f"\tdataclasses={building[0]}", file=sys.__stderr__)
import gongkai.__main__
getattr(gongkai.__main__, "_exit_now", lambda code: None)(0)  # the command's own end, where it has one
gc.freeze()
"""


def _run(pdf: str, bytecode: str) -> tuple[list[tuple[str, float, float]], float, float]:
    """(name, own CPU, children's CPU) at each mark, seconds building dataclasses, the tree's CPU."""
    # As installed: bytecode kept (in a scratch folder, as bench/startup.py keeps it).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = bytecode
    command = [sys.executable, "-c", _PHASES, pdf]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    error = process.stderr.read() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(error)
    *marks, dataclasses = error.strip().splitlines()[-1].split("\t")
    parsed = []
    for item in marks:
        name, values = item.split("=")
        own, children = values.split("/")
        parsed.append((name, float(own), float(children)))
    return parsed, float(dataclasses.split("=")[1]), usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("pdf", nargs="?", default="fixtures/docx-city-2024-template.pdf")
    parser.add_argument("--runs", type=int, default=10, help="fresh processes (default 10)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as bytecode:
        _run(args.pdf, bytecode)  # the dictionary store and the bytecode, on a first run
        runs = [_run(args.pdf, bytecode) for _ in range(args.runs)]
    names = [name for name, _, _ in runs[0][0]]
    rows = [(names[0], min(marks[0][1] for marks, _, _ in runs))]
    for step in range(1, len(names)):
        rows.append((names[step], min(m[step][1] - m[step - 1][1] for m, _, _ in runs)))
        worker = min(m[step][2] - m[step - 1][2] for m, _, _ in runs)
        if worker > 0:
            rows.append(("extract: the worker (reading the report)", worker))
    rows.append(("exit", min(total - m[-1][1] - m[-1][2] for m, _, total in runs)))
    print(f"{args.pdf}; min of {args.runs} runs each")
    print(f"{'phase':48} {'CPU ms':>7}")
    for name, seconds in rows:
        print(f"{name:48} {seconds * 1000:7.1f}")
    print(f"{'whole process tree':48} {min(total for _, _, total in runs) * 1000:7.1f}")
    building = min(seconds for _, seconds, _ in runs)
    print(f"of the imports, Python building gongkai's dataclasses: {building * 1000:.1f} ms")


if __name__ == "__main__":
    main()
