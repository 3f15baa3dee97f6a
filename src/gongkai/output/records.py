"""Stage 9: the output contract: record columns, their types, and records as rows or frames.

The record columns are the product's public interface (see the README's
"Output contract"); they are named here once. A record is a dict of column
values; `frame` makes a typed DataFrame of records. pandas and pyarrow are
imported only by what needs them: a batch written as CSV goes without both.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputTypeError
from ..model import IN_COLUMN, CellRecord, NoteCode
from ..readings import from_column, to_column, why_from_column
from .wide import wide_cell_columns, wide_columns

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

# The order of the contract: the record's fields, but those held in another's column (ocr_why).
CELL_COLUMNS = [field.name for field in dataclasses.fields(CellRecord) if IN_COLUMN not in field.metadata]
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
    "sha256",
    "agency_key",  # added after the first contract, so these come last
    "duplicate_of",
    "pages_ocr",
]
CHECK_COLUMNS = ["source", "rule_id", "rule", "status", "cells", "left", "right"]

FORMATS = ("csv", "parquet", "xlsx", "jsonl")
SHAPES = ("long", "wide")

_DTYPES = {
    "cells": {"year": "Int64", "value": "float64", "page": "Int64", "ocr_confidence": "float64"},
    "files": {
        "year": "Int64",
        "pages": "Int64",
        "pages_ocr": "Int64",
        "cells_found": "Int64",
        "cells_expected": "Int64",
        "checks_failed": "Int64",
        "seconds": "float64",
    },
    "checks": {"left": "float64", "right": "float64"},
    # The wide shape (wide.py): one row per report, every cell a float column.
    "wide": {"year": "Int64"} | dict.fromkeys(wide_cell_columns(), "float64"),
}
_COLUMNS = {"cells": CELL_COLUMNS, "files": FILE_COLUMNS, "checks": CHECK_COLUMNS, "wide": wide_columns()}


# The encodings a CSV table gongkai wrote is read back in (summary, compare: `read_output`), the
# first it decodes in: UTF-8 with or without its byte-order mark, else GB18030 (GBK and GB2312
# are parts of it). `--encoding` takes no other (`batch.check_encoding`).
TABLE_ENCODINGS = ("utf-8-sig", "gb18030")


def decoded_table(data: bytes) -> str | None:
    """A CSV table's bytes as gongkai reads them back (`TABLE_ENCODINGS`); None where it cannot."""
    for encoding in TABLE_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


class OutputFormatError(ValueError):
    """An output path whose format cannot be told or is not supported."""


def require_cells(
    cells: object, name: str = "cells", needed: Sequence[str] = ("table", "row_id", "column_id", "value")
) -> None:
    """Refuse (InputTypeError) an argument that should be cell records and is not: a path where
    the records of `read_reports` or `read_output` go, or a table without the `needed` columns."""
    origin = "gongkai.read_reports or gongkai.read_output"
    _require_records(cells, name, needed, "cell records", origin, in_a_report="cells")


# What `summarize` takes beside the cells, and where such records come from.
_FILES_ORIGIN = "gongkai.read_reports(..., with_status=True) or gongkai.read_output"
_CHECKS_ORIGIN = "gongkai.read_output, or a Report's checks_frame"


def require_batch_tables(files: object, checks: object) -> None:
    """Refuse (InputTypeError) per-file status and check records that are not such tables: a
    KeyError deep in the summary said only which column it missed."""
    needed = ("source", "status", "agency", "agency_key", "year", "form", "sha256")
    _require_records(files, "files", needed, "per-file status records", _FILES_ORIGIN)
    needed = ("source", "rule_id", "status", "left", "right")
    _require_records(checks, "checks", needed, "check records", _CHECKS_ORIGIN)


def _require_records(
    frame: object, name: str, needed: Sequence[str], what: str, origin: str, in_a_report: str = ""
) -> None:
    """`frame` is a DataFrame with the `needed` columns of `what` (records from `origin`), else
    InputTypeError naming the argument `name`, and where `frame` is a Report, its attribute that
    holds them (`in_a_report`)."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise InputTypeError(
            f"{name} is a DataFrame of {what} (from {origin}), not {type(frame).__name__}"
            + (f": a Report's are its .{in_a_report}" if in_a_report and hasattr(frame, in_a_report) else "")
        )
    missing = [column for column in needed if column not in frame]
    if missing:
        raise InputTypeError(f"{name} holds no {what}: it has no {missing[0]!r} column")


def require_reports(reports: object) -> list:
    """The Reports of an argument that is one Report or an iterable of them (from
    gongkai.read_report or gongkai.iter_reports); InputTypeError for anything else, a path first."""
    if _is_report(reports):
        return [reports]
    a_path = isinstance(reports, str | bytes) or hasattr(reports, "__fspath__")
    if a_path or not isinstance(reports, Iterable):
        raise InputTypeError(
            f"reports are Report objects (from gongkai.read_report or gongkai.iter_reports), "
            f"not {type(reports).__name__}: to read files, pass gongkai.iter_reports(paths)"
        )
    listed = list(reports)
    for report in listed:
        if not _is_report(report):
            raise InputTypeError(f"reports are Report objects, not {type(report).__name__}")
    return listed


def _is_report(value: object) -> bool:
    """Duck-typed, as Reports come from a later stage (`report`) than the records."""
    return hasattr(value, "cells") and hasattr(value, "file_record")


def columns_of(kind: str) -> list[str]:
    """The columns of a record kind ("cells", "files", "checks" or "wide"), in the contract's order."""
    return _COLUMNS[kind]


# The Python type of a value in a column of each pandas type.
_PLAIN_TYPES = {"Int64": int, "float64": float, "string": str}


@cache
def _plain_types(kind: str) -> tuple[tuple[str, type], ...]:
    dtypes = _DTYPES[kind]
    return tuple((name, _PLAIN_TYPES[dtypes.get(name, "string")]) for name in _COLUMNS[kind])


def plain_values(kind: str, record: dict) -> list:
    """A record's values in the contract's column order, each of its column's type (int, float
    or str) or None where missing (NaN included, as in a frame)."""
    return [
        None if (value := record.get(name)) is None or value != value else plain(value)
        for name, plain in _plain_types(kind)
    ]


def _column(values: list, dtype: str) -> pd.api.extensions.ExtensionArray:
    import pandas as pd

    if dtype != "string" and any(isinstance(v, str) for v in values):
        # Records carried over from an earlier run's CSV hold their numbers as text.
        return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype(dtype).array
    return pd.array(values, dtype=dtype)


def frame(kind: str, records: Iterable[dict]) -> pd.DataFrame:
    """A DataFrame of one record kind ("cells", "files" or "checks") with the contract's columns and types."""
    import pandas as pd

    rows = list(records)
    dtypes = _DTYPES[kind]
    columns = _COLUMNS[kind]
    data = {name: _column([row.get(name) for row in rows], dtypes.get(name, "string")) for name in columns}
    return pd.DataFrame(data, columns=columns)


def cell_rows(cells: Sequence[CellRecord]) -> list[dict]:
    """The records of typed cells, one dict of the contract's columns per cell."""
    rows = []
    for cell in cells:
        row = {name: getattr(cell, name) for name in CELL_COLUMNS}
        row["note_code"] = None if row["note_code"] is None else str(row["note_code"])
        row["ocr_readings"] = to_column(cell.ocr_readings, cell.ocr_why)
        rows.append(row)
    return rows


def cells_frame(cells: Sequence[CellRecord]) -> pd.DataFrame:
    """The cells frame of typed records: one row per record, in the contract's columns and types."""
    return frame("cells", cell_rows(cells))


def cell_records_of(cells: pd.DataFrame) -> list[CellRecord]:
    """The typed records of a cells frame (the inverse of `cells_frame`); a column the frame has
    not (`ocr_readings` in an output written before it) empty."""
    import pandas as pd

    out = []
    for row in cells.reindex(columns=CELL_COLUMNS).to_dict("records"):
        fields = {name: None if not isinstance(v, str) and pd.isna(v) else v for name, v in row.items()}
        for name in ("year", "page"):
            fields[name] = None if fields[name] is None else int(fields[name])
        fields["note_code"] = None if fields["note_code"] is None else NoteCode(fields["note_code"])
        fields["ocr_why"] = why_from_column(fields["ocr_readings"])
        fields["ocr_readings"] = from_column(fields["ocr_readings"])
        for name in ("note", "agency_key", "group", "group_id", "read_by"):
            fields[name] = fields[name] or ""
        out.append(CellRecord(**fields))
    return out


@cache
def _empty(kind: str) -> pd.DataFrame:
    return frame(kind, [])


def empty_frame(kind: str) -> pd.DataFrame:
    """A frame of one record kind with no records (a copy: callers may change it)."""
    return _empty(kind).copy()


def is_output_name(path: str | os.PathLike[str]) -> bool:
    """Whether `path` is named as an output of extract is: its extension that of one of FORMATS,
    in any case (.csv, .CSV, .parquet, .jsonl, .xlsx)."""
    return Path(path).suffix.lower().lstrip(".") in FORMATS


def companion_path(path: str, kind: str) -> str:
    """cells.parquet -> cells.files.csv: the per-file and checks tables sit beside the cells."""
    base = Path(path)
    stem = base.name[: -len(base.suffix)] if base.suffix else base.name
    return str(base.with_name(f"{stem}.{kind}.csv"))


@cache
def arrow_schema(kind: str) -> pa.Schema:
    """The Parquet schema of a record kind. Its pandas metadata makes pandas read the
    integer columns back as Int64 (nullable), not as float64 where a value is missing."""
    import pyarrow as pa

    arrow_types = {"Int64": pa.int64(), "float64": pa.float64()}
    return pa.schema(
        [(name, arrow_types.get(_DTYPES[kind].get(name, ""), pa.string())) for name in _COLUMNS[kind]],
        metadata=pa.Schema.from_pandas(_empty(kind), preserve_index=False).metadata,
    )
