"""Stage 6: lay the readings out as records, and write them.

The record columns are the product's public interface (see the README's
"Output contract"); they are named here once.
"""

from __future__ import annotations

import io
import math
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

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
    "files": {"year": "Int64", "pages": "Int64", "cells_found": "Int64", "cells_expected": "Int64",
              "checks_failed": "Int64", "seconds": "float64"},
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
    raise OutputFormatError(f"cannot tell the output format from {path!r}; use --format ({', '.join(FORMATS)})")


def companion_path(path: str, kind: str, fmt: str) -> str:
    """cells.parquet -> cells.files.csv: the per-file and checks tables sit beside the cells."""
    if path == "-":
        return ""
    base = Path(path)
    stem = base.name[: -len(base.suffix)] if base.suffix else base.name
    return str(base.with_name(f"{stem}.{kind}.csv"))


def write_frame(df: pd.DataFrame, path: str, fmt: str, encoding: str = "utf-8") -> None:
    """Write atomically: to a temporary name first, so an interrupted run leaves no finished-looking file."""
    if path == "-":
        buffer = io.StringIO()
        _csv_ready(df).to_csv(buffer, index=False)
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.partial")
    if fmt == "parquet":
        df.to_parquet(temporary, index=False)
    else:
        _csv_ready(df).to_csv(temporary, index=False, encoding=encoding)
    os.replace(temporary, target)
