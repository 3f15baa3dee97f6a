"""Stage 6: lay the readings out as records, and write them.

The record columns are the product's public interface (see the README's
"Output contract"); they are named here once.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

CELL_COLUMNS = [
    "source",
    "agency",
    "year",
    "form",
    "table",
    "row",
    "row_id",
    "column",
    "column_id",
    "value",
    "page",
    "raw",
    "note",
]
FILE_COLUMNS = [
    "source",
    "status",
    "reason",
    "agency",
    "year",
    "form",
    "pages",
    "cells_found",
    "cells_expected",
    "checks_failed",
    "seconds",
]
CHECK_COLUMNS = ["source", "rule_id", "rule", "status", "cells", "left", "right"]

FORMATS = ("csv", "parquet")

_DTYPES = {
    "cells": {"year": "Int64", "value": "float64", "page": "Int64"},
    "files": {
        "year": "Int64",
        "pages": "Int64",
        "cells_found": "Int64",
        "cells_expected": "Int64",
        "checks_failed": "Int64",
        "seconds": "float64",
    },
    "checks": {"left": "float64", "right": "float64"},
}
_COLUMNS = {"cells": CELL_COLUMNS, "files": FILE_COLUMNS, "checks": CHECK_COLUMNS}


class OutputFormatError(ValueError):
    """An output path whose format cannot be told or is not supported."""


def frame(kind: str, records: Iterable[dict]) -> pd.DataFrame:
    """A DataFrame of one record kind ("cells", "files" or "checks") with the contract's columns and types."""
    df = pd.DataFrame(list(records), columns=_COLUMNS[kind])
    for column, dtype in _DTYPES[kind].items():
        df[column] = df[column].astype(dtype)
    text_columns = [c for c in df.columns if c not in _DTYPES[kind]]
    df[text_columns] = df[text_columns].astype("string")
    return df


def format_number(value: float | None) -> str:
    """A value as a person writes it: 3001, 96171.6, 24252.311082; empty for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def _csv_ready(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for column in ("value", "left", "right"):
        if column in out.columns:
            out[column] = out[column].map(format_number, na_action=None).astype("string")
    return out


def output_format(path: str, explicit: str | None) -> str:
    if explicit:
        return explicit
    if path == "-":
        return "csv"
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise OutputFormatError(
        f"cannot tell the output format from {path!r}; use --format ({', '.join(FORMATS)})"
    )


def companion_path(path: str, kind: str) -> str:
    """cells.parquet -> cells.files.csv: the per-file and checks tables sit beside the cells."""
    base = Path(path)
    stem = base.name[: -len(base.suffix)] if base.suffix else base.name
    return str(base.with_name(f"{stem}.{kind}.csv"))


_ARROW_TYPES = {"Int64": pa.int64(), "float64": pa.float64()}


def arrow_schema(kind: str) -> pa.Schema:
    return pa.schema(
        [(name, _ARROW_TYPES.get(_DTYPES[kind].get(name, ""), pa.string())) for name in _COLUMNS[kind]]
    )


class RecordWriter:
    """Streams record frames to one output file, so a batch never holds every record in memory.

    Data goes to a temporary name and is renamed into place by `close()`; an
    interrupted run leaves no file that looks finished. Path "-" streams CSV to stdout.
    """

    def __init__(self, path: str, kind: str, fmt: str = "csv", encoding: str = "utf-8"):
        self.path, self.kind, self.fmt, self.encoding = path, kind, fmt, encoding
        self._parquet: pq.ParquetWriter | None = None
        self._handle: TextIO | None = None
        self._temporary: Path | None = None
        self.rows = 0
        if path == "-":
            self._handle = sys.stdout
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
        if self._parquet is not None and len(df):
            table = pa.Table.from_pandas(df, schema=arrow_schema(self.kind), preserve_index=False)
            self._parquet.write_table(table)
        elif self._handle is not None and (len(df) or self._header_due):
            _csv_ready(df).to_csv(self._handle, index=False, header=self._header_due, lineterminator="\n")
            self._header_due = False
        self.rows += len(df)

    def close(self) -> None:
        """Finish the file and move it into place."""
        if self._header_due:
            self.write(frame(self.kind, []))
        if self._parquet is not None:
            self._parquet.close()
        elif self._handle is not None and self._handle is not sys.stdout:
            self._handle.close()
        else:
            sys.stdout.flush()
        if self._temporary is not None:
            os.replace(self._temporary, self.path)

    def abort(self) -> None:
        """Drop the unfinished file."""
        if self._parquet is not None:
            self._parquet.close()
        elif self._handle is not None and self._handle is not sys.stdout:
            self._handle.close()
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)
