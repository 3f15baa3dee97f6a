"""Every record gongkai makes for some inputs, one JSON line per input, to compare two versions.

    PYTHONPATH=src python bench/dump_records.py after.jsonl 'fixtures/*.pdf' 'samples/*.pdf'
    git worktree add /tmp/before REV
    PYTHONPATH=/tmp/before/src python bench/dump_records.py before.jsonl 'fixtures/*.pdf' 'samples/*.pdf'
    cmp before.jsonl after.jsonl

A line holds the status row (without the time taken), every cell, every check and every
problem of one input. Columns that one of the two versions lacks are left out with --drop
(e.g. --drop note_code when comparing with a version from before that column).
"""

from __future__ import annotations

import argparse
import glob
import json

from gongkai.batch import iter_reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", help="the JSON-lines file to write")
    parser.add_argument("patterns", nargs="+", help="input files or glob patterns")
    parser.add_argument("--drop", action="append", default=[], help="a cell column to leave out")
    arguments = parser.parse_args()
    paths = sorted({p for pattern in arguments.patterns for p in glob.glob(pattern)})
    with open(arguments.output, "w", encoding="utf-8") as out:
        for report in iter_reports(paths, workers=1, timeout=None):
            status = report.file_record()
            status.pop("seconds")
            cells = report.cells.drop(columns=arguments.drop, errors="ignore").astype(object)
            line = {
                "file": status,
                "cells": cells.where(cells.notna(), None).to_dict("records"),
                "checks": [check.record(report.source) for check in report.checks],
                "problems": [[p.table, p.page, p.message, str(p.kind)] for p in report.problems],
            }
            out.write(json.dumps(line, ensure_ascii=False, default=str, sort_keys=True) + "\n")
    print(f"{len(paths)} inputs written to {arguments.output}")


if __name__ == "__main__":
    main()
