"""Stage 9: write record frames to CSV, Parquet, JSONL or XLSX, one report at a time.

Files are written under a temporary name and moved into place when complete,
so an interrupted run leaves nothing that looks finished.
"""

from __future__ import annotations

import io
import json
import math
import os
import sys
from collections import Counter
from pathlib import Path
from typing import TextIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..model import Status
from ..numbers import format_number
from .records import OutputFormatError, arrow_schema, companion_path, empty_frame, frame
from .wide import to_wide, wide_cell_columns


def _csv_ready(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for column in ("value", "left", "right"):
        if column in out.columns:
            out[column] = out[column].map(format_number, na_action=None).astype("string")
    return out


def _json_value(value: object) -> object:
    """A record's value as JSON has it: empty (missing or "") as null, whole numbers as integers."""
    if value is None or value is pd.NA or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _json_line(record: dict) -> str:
    values = {name: _json_value(v) for name, v in record.items()}
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n"


# Parquet rows gathered before they are written as one row group: about a hundred reports'
# cells, so that a batch's file has a few large row groups rather than one per report.
_ROW_GROUP_ROWS = 20_000


class RecordWriter:
    """Streams record frames to one output file, so a batch never holds every record in memory.

    Data goes to a temporary name and is renamed into place by `close()`; an
    interrupted run leaves no file that looks finished. Path "-" streams CSV to stdout.
    """

    def __init__(self, path: str, kind: str, fmt: str = "csv", encoding: str = "utf-8"):
        self.path, self.kind, self.fmt = path, kind, fmt
        self._parquet: pq.ParquetWriter | None = None
        self._handle: TextIO | None = None
        self._temporary: Path | None = None
        self._row_group: list[pa.Table] = []
        self._row_group_rows = 0
        self.rows = 0
        self._stdout: io.TextIOWrapper | None = None
        if path == "-":
            # Stdout in the encoding asked for (utf-8-sig's byte-order mark included), not the
            # terminal's: a wrapper over its bytes, detached again when done, so stdout stays open.
            sys.stdout.flush()
            self._stdout = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="")
            self._handle = self._stdout
            self._header_due = True
            return
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._temporary = target.with_name(f".{target.name}.partial")
        if fmt == "parquet":
            self._parquet = pq.ParquetWriter(self._temporary, arrow_schema(kind))
        else:
            self._handle = open(self._temporary, "w", encoding=encoding, newline="")  # noqa: SIM115 - closed by close()
        self._header_due = True

    def write(self, df: pd.DataFrame) -> None:
        if self._parquet is not None:
            if len(df):
                table = pa.Table.from_pandas(df, schema=arrow_schema(self.kind), preserve_index=False)
                self._row_group.append(table)
                self._row_group_rows += len(df)
            if self._row_group_rows >= _ROW_GROUP_ROWS:
                self._write_row_group()
        elif self._handle is not None and self.fmt == "jsonl":
            self._handle.writelines(_json_line(record) for record in df.to_dict("records"))
            self._header_due = False
        elif self._handle is not None and (len(df) or self._header_due):
            _csv_ready(df).to_csv(self._handle, index=False, header=self._header_due, lineterminator="\n")
            self._header_due = False
        self.rows += len(df)

    def _write_row_group(self) -> None:
        if self._parquet is not None and self._row_group:
            self._parquet.write_table(pa.concat_tables(self._row_group))
        self._row_group, self._row_group_rows = [], 0

    def close(self) -> None:
        """Finish the file and move it into place."""
        if self._header_due:
            self.write(empty_frame(self.kind))
        self._write_row_group()
        self._release()
        if self._temporary is not None:
            os.replace(self._temporary, self.path)

    def _release(self) -> None:
        """Close what this writer opened; stdout stays open, flushed."""
        if self._parquet is not None:
            self._parquet.close()
        elif self._stdout is not None:
            self._stdout.flush()
            self._stdout.detach()
            self._stdout = self._handle = None
        elif self._handle is not None:
            self._handle.close()

    def abort(self) -> None:
        """Drop the unfinished file."""
        self._release()
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)


class BatchOutput:
    """Where a batch goes: the cells file, and beside it the per-file and checks tables.

    Reports must be added in the order they are to appear (sorted by source).
    """

    def __init__(self, path: str, fmt: str, encoding: str = "utf-8", shape: str = "long"):
        if shape == "wide" and fmt == "xlsx":
            raise OutputFormatError("the wide shape is written as CSV, Parquet or JSONL, not XLSX")
        self.path, self.fmt, self.shape = path, fmt, shape
        self._cells_kind = "wide" if shape == "wide" else "cells"
        self.side = path != "-"
        if fmt == "xlsx":
            self._frames: dict[str, list[pd.DataFrame]] = {"cells": [], "files": [], "checks": []}
            self._writers: dict[str, RecordWriter] = {}
        else:
            self._writers = {"cells": RecordWriter(path, self._cells_kind, fmt, encoding)}
            if self.side:
                for kind in ("files", "checks"):
                    self._writers[kind] = RecordWriter(companion_path(path, kind), kind, "csv", encoding)
        self.cells_written = 0
        self.rows_written = 0  # rows of the cells output: one per cell, or one per report (wide)
        # Statuses of every file in the output.
        self.status_counts: Counter[Status] = Counter()

    def _write(self, kind: str, df: pd.DataFrame) -> None:
        if self.fmt == "xlsx":
            self._frames[kind].append(df)
        elif kind in ("cells", "wide"):
            self._writers["cells"].write(df)
        elif kind in self._writers:
            self._writers[kind].write(df)
        if kind == "files":
            self.status_counts.update(Status(status) for status in df["status"].astype(str))
        elif kind == "cells":
            self.cells_written += len(df)
            self.rows_written += len(df)
        elif kind == "wide":
            self.cells_written += int(df[list(wide_cell_columns())].notna().sum().sum())
            self.rows_written += len(df)

    def add_frames(self, frames: dict[str, pd.DataFrame]) -> None:
        """Write one report's records: its cells (long; pivoted for the wide shape), its status
        row, its failed or unevaluated checks."""
        if self.shape == "wide":
            if len(frames["cells"]):
                self._write("wide", frame("wide", to_wide(frames["cells"]).to_dict("records")))
        else:
            self._write("cells", frames["cells"])
        self._write("files", frames["files"])
        self._write("checks", frames["checks"])

    def close(self) -> None:
        if self.fmt == "xlsx":
            from .workbook import write_workbook

            empty = {kind: empty_frame(kind) for kind in self._frames}
            merged = {k: pd.concat(v, ignore_index=True) if v else empty[k] for k, v in self._frames.items()}
            write_workbook(merged["cells"], self.path, files=merged["files"], checks=merged["checks"])
            return
        for writer in self._writers.values():
            writer.close()

    def abort(self) -> None:
        for writer in self._writers.values():
            writer.abort()

    def __enter__(self) -> BatchOutput:
        return self

    def __exit__(self, exc_type, *rest) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
