"""Stage 9: write records to CSV, Parquet, JSONL or XLSX, one report at a time.

Files are written under a temporary name and moved into place when complete,
so an interrupted run leaves nothing that looks finished. CSV is written by the
csv module, the way pandas' to_csv wrote it, and JSONL by the json module, so that a
batch written as either (most of a short run) imports neither pandas nor pyarrow.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..errors import InvalidOptionError, OutputWriteError
from ..model import Status
from ..numbers import format_number
from ..sources import quoted
from .records import (
    SHAPES,
    OutputFormatError,
    arrow_schema,
    columns_of,
    companion_path,
    frame,
    plain_values,
)
from .wide import wide_cell_columns

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq


def check_shape(fmt: str, shape: str) -> None:
    """A shape of the cells output (long or wide) that the format `fmt` can be written in."""
    if shape not in SHAPES:
        raise InvalidOptionError(f"shape is {' or '.join(SHAPES)}, not {shape!r}")
    if shape == "wide" and fmt == "xlsx":
        raise OutputFormatError(
            "--shape wide writes CSV, Parquet or JSONL; the workbook has the form's layout"
        )


# The longest file name, in bytes, where the file system cannot be asked: ext4, XFS, Btrfs,
# tmpfs and APFS all take 255.
_NAME_MAX = 255


def name_limit(folder: str | os.PathLike[str]) -> int:
    """The longest file name, in bytes, that the file system holding `folder` takes, asked of
    `folder` or, where it is yet to be made, of the nearest folder above it that exists."""
    start = Path(folder)
    for candidate in (start, *start.parents):
        try:
            return os.pathconf(candidate, "PC_NAME_MAX")
        except (OSError, ValueError):  # not there (yet), or a system that cannot tell
            continue
    return _NAME_MAX


def name_too_long(path: str | os.PathLike[str]) -> int | None:
    """The limit `path`'s file name exceeds (`name_limit`, in bytes), or None where it fits."""
    target = Path(path)
    limit = name_limit(target.parent)
    return limit if len(os.fsencode(target.name)) > limit else None


@contextlib.contextmanager
def writing(path: str | os.PathLike[str], encoding: str = "utf-8") -> Iterator[None]:
    """A failure to write `path` ("-": stdout) as an OutputWriteError that names it: a full disk,
    a folder gone, a character `encoding` cannot write. A closed pipe (BrokenPipeError) stays
    itself: the command ends quietly."""
    where = "to stdout" if str(path) == "-" else quoted(path)
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputWriteError(f"cannot write {where}: {error.strerror or error}") from error
    except UnicodeEncodeError as error:
        bad = error.object[error.start : error.end]
        raise OutputWriteError(
            f"cannot write {where}: encoding {encoding!r} cannot write {bad!r}; use utf-8 or gb18030"
        ) from error


_PARTIAL_START, _PARTIAL_END = ".", ".partial"


def partial_path(path: str | os.PathLike[str]) -> Path:
    """The temporary name a file is written under beside `path`, before it is moved into place."""
    target = Path(path)
    return target.with_name(f"{_PARTIAL_START}{target.name}{_PARTIAL_END}")


def partial_of(name: str) -> str | None:
    """The name of the file that `name` is the temporary of (`partial_path`'s, `.cells.csv.partial`
    of `cells.csv`), or None where it is none."""
    if name.startswith(_PARTIAL_START) and name.endswith(_PARTIAL_END):
        return name[len(_PARTIAL_START) : -len(_PARTIAL_END)]
    return None


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str], encoding: str = "utf-8") -> Iterator[Path]:
    """A temporary name beside `path` to write the whole file under: moved into place when done,
    removed on any failure (Ctrl-C, a full disk), so that no half file is left. Failures raise
    OutputWriteError (see `writing`)."""
    target, temporary = Path(path), partial_path(path)
    with writing(path, encoding):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            yield temporary
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise


# Encodings that write every character a text can hold: nothing in their text is escaped.
_WHOLE_UNICODE = {"utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "gb18030"}


def _escape(char: str) -> str:
    """A character as its Python escape (`•` as \\u2022): what Escapes writes, and says it wrote."""
    return char.encode("unicode_escape").decode("ascii")


class Escapes:
    """The text a CSV in `encoding` is written with: each character the encoding cannot write
    (`•` in GBK) as its Python escape (the four-digit \\u2022, as `path_text` spells a byte no
    name decodes), and a count of the fields so written. Only text is ever escaped: a number is
    written in ASCII, which every encoding --encoding takes has."""

    def __init__(self, encoding: str):
        self.encoding = encoding
        self.needed = codecs.lookup(encoding).name not in _WHOLE_UNICODE
        self.fields = 0
        self.characters: dict[str, None] = {}  # the characters escaped, in the order first met

    def text(self, text: str) -> str:
        """`text` as the encoding can write it."""
        if not self.needed:
            return text
        try:
            text.encode(self.encoding)
        except UnicodeEncodeError:
            self.fields += 1
            written = []
            for char in text:
                try:
                    char.encode(self.encoding)
                    written.append(char)
                except UnicodeEncodeError:
                    self.characters.setdefault(char)
                    written.append(_escape(char))
            return "".join(written)
        return text

    def rows(self, rows: list[list[str]]) -> list[list[str]]:
        """`rows` of text as the encoding can write them: tried whole first, as nearly all are."""
        if not self.needed or not rows:
            return rows
        try:
            "\0".join("\0".join(row) for row in rows).encode(self.encoding)
        except UnicodeEncodeError:
            return [[self.text(field) for field in row] for row in rows]
        return rows

    def add(self, other: Escapes) -> None:
        self.fields += other.fields
        self.characters.update(other.characters)


def escapes_note(escapes: Escapes) -> str | None:
    """The one line that says what was escaped (None when nothing was): which characters, as
    what, in how many fields, and which encodings keep them."""
    if not escapes.fields:
        return None
    chars = list(escapes.characters)
    shown = ", ".join(map(repr, chars[:3])) + (f" and {len(chars) - 3} more" if len(chars) > 3 else "")
    written = ", ".join(map(_escape, chars[:3]))
    fields = "1 text field" if escapes.fields == 1 else f"{escapes.fields:,} text fields"
    them = "it" if len(chars) == 1 else "them"
    return (
        f"encoding {escapes.encoding!r} cannot write {shown}: written as {written}"
        f"{'' if len(chars) <= 3 else ' …'} in {fields} (no value changed); --encoding utf-8 or "
        f"gb18030 keeps {them}"
    )


# Columns whose numbers are written as a person writes them (3001, not 3001.0).
_NUMBER_COLUMNS = ("value", "left", "right")


def _csv_field(value: int | float | str | None) -> str:
    """A plain value (see records.plain_values) as pandas' to_csv writes it: floats by repr."""
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def _csv_rows(kind: str, records: list[dict]) -> list[list[str]]:
    formats = [format_number if name in _NUMBER_COLUMNS else _csv_field for name in columns_of(kind)]
    return [
        [show(value) for show, value in zip(formats, plain_values(kind, record), strict=True)]
        for record in records
    ]


def _json_value(value: int | float | str | None) -> int | float | str | None:
    """A plain value (see records.plain_values) as JSON has it: empty (missing or "") as null,
    whole numbers as integers."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _json_line(kind: str, record: dict) -> str:
    values = {
        name: _json_value(v) for name, v in zip(columns_of(kind), plain_values(kind, record), strict=True)
    }
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n"


# Parquet rows gathered before they are written as one row group: about a hundred reports'
# cells, so that a batch's file has a few large row groups rather than one per report.
_ROW_GROUP_ROWS = 20_000


class RecordWriter:
    """Streams records of one kind to one output file, so a batch never holds every record in memory.

    Data goes to a temporary name and is renamed into place by `close()`; an
    interrupted run leaves no file that looks finished. Path "-" streams CSV to stdout.
    """

    def __init__(self, path: str, kind: str, fmt: str = "csv", encoding: str = "utf-8"):
        self.path, self.kind, self.fmt, self._encoding = path, kind, fmt, encoding
        self._parquet: pq.ParquetWriter | None = None
        self._handle: TextIO | None = None
        self._temporary: Path | None = None
        self._row_group: list[pa.Table] = []
        self._row_group_rows = 0
        self.rows = 0
        # JSONL is UTF-8 whatever --encoding says; a CSV's text is escaped where `encoding` lacks a character.
        self.escapes = Escapes(encoding if fmt == "csv" else "utf-8")
        self._stdout: io.TextIOWrapper | None = None
        if path == "-":
            # Stdout in the encoding asked for (utf-8-sig's byte-order mark included), not the
            # terminal's: a wrapper over its bytes, detached again when done, so stdout stays open.
            sys.stdout.flush()
            self._stdout = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="")
            self._handle = self._stdout
            self._header_due = True
            return
        with writing(path, encoding):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._temporary = partial_path(path)
            if fmt == "parquet":
                import pyarrow.parquet as pq

                self._parquet = pq.ParquetWriter(self._temporary, arrow_schema(kind))
            else:
                self._handle = open(self._temporary, "w", encoding=encoding, newline="")  # noqa: SIM115 - closed by close()
        self._header_due = True

    def write(self, records: list[dict]) -> None:
        """Write records (dicts of the kind's columns)."""
        with writing(self.path, self._encoding):
            self._write(records)

    def _write(self, records: list[dict]) -> None:
        if self._parquet is not None:
            if records:
                import pyarrow as pa

                df = frame(self.kind, records)
                table = pa.Table.from_pandas(df, schema=arrow_schema(self.kind), preserve_index=False)
                self._row_group.append(table)
                self._row_group_rows += len(df)
            if self._row_group_rows >= _ROW_GROUP_ROWS:
                self._write_row_group()
        elif self._handle is not None and self.fmt == "jsonl":
            self._handle.writelines(_json_line(self.kind, record) for record in records)
            self._header_due = False
        elif self._handle is not None and (records or self._header_due):
            writer = csv.writer(self._handle, lineterminator="\n")
            if self._header_due:
                writer.writerow(columns_of(self.kind))
            writer.writerows(self.escapes.rows(_csv_rows(self.kind, records)))
            self._header_due = False
        self.rows += len(records)

    def _write_row_group(self) -> None:
        if self._parquet is not None and self._row_group:
            import pyarrow as pa

            self._parquet.write_table(pa.concat_tables(self._row_group))
        self._row_group, self._row_group_rows = [], 0

    def close(self) -> None:
        """Finish the file and move it into place."""
        self.finish()
        self.commit()

    def finish(self) -> None:
        """Write what is left and close the file, still under its temporary name."""
        with writing(self.path, self._encoding):
            if self._header_due:
                self._write([])
            self._write_row_group()
            self._release()

    def commit(self) -> None:
        """Move the finished file into place (again: nothing to do)."""
        if self._temporary is not None and self._temporary.exists():
            with writing(self.path):
                os.replace(self._temporary, self.path)

    def _release(self) -> None:
        """Close what this writer opened; stdout stays open, flushed."""
        if self._parquet is not None:
            self._parquet.close()
        elif self._stdout is not None:
            try:
                self._stdout.flush()
            finally:  # even when the reader has gone (a broken pipe), stdout itself stays open
                self._stdout.detach()
                self._stdout = self._handle = None
        elif self._handle is not None:
            self._handle.close()

    def abort(self) -> None:
        """Drop the unfinished file."""
        with contextlib.suppress(OSError, ValueError):  # a full disk fails to flush again
            self._release()
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)


class BatchOutput:
    """Where a batch goes: the cells file, and beside it the per-file and checks tables.

    Reports must be added in the order they are to appear (sorted by source).
    """

    def __init__(self, path: str, fmt: str, encoding: str = "utf-8", shape: str = "long"):
        check_shape(fmt, shape)
        self.path, self.fmt, self.shape = path, fmt, shape
        self._cells_kind = "wide" if shape == "wide" else "cells"
        self.side = path != "-"
        if fmt == "xlsx":
            self._records: dict[str, list[dict]] = {"cells": [], "files": [], "checks": []}
            self._writers: dict[str, RecordWriter] = {}
        else:
            # JSON is UTF-8 (RFC 8259): --encoding is for the CSV a spreadsheet opens.
            cells_encoding = "utf-8" if fmt == "jsonl" else encoding
            self._writers = {"cells": RecordWriter(path, self._cells_kind, fmt, cells_encoding)}
            if self.side:
                for kind in ("files", "checks"):
                    self._writers[kind] = RecordWriter(companion_path(path, kind), kind, "csv", encoding)
        self.cells_written = 0
        self.rows_written = 0  # rows of the cells output: one per cell, or one per report (wide)
        self.escapes = Escapes(encoding)  # what the CSV tables escaped, all of them together
        # Statuses of every file in the output.
        self.status_counts: Counter[Status] = Counter()

    def _write(self, kind: str, records: list[dict]) -> None:
        if self.fmt == "xlsx":
            self._records[kind] += records
        elif kind in ("cells", "wide"):
            self._writers["cells"].write(records)
        elif kind in self._writers:
            self._writers[kind].write(records)
        if kind == "files":
            self.status_counts.update(Status(record["status"]) for record in records)
        elif kind == "cells":
            self.cells_written += len(records)
            self.rows_written += len(records)
        elif kind == "wide":
            columns = wide_cell_columns()
            self.cells_written += sum(record[c] is not None for record in records for c in columns)
            self.rows_written += len(records)

    def add_records(self, records: dict[str, list[dict]]) -> None:
        """Write one report's records (by kind): its cells (long; pivoted for the wide shape),
        its status row, its failed or unevaluated checks."""
        if self.shape == "wide":
            if records["cells"]:
                from .wide import to_wide

                wide = to_wide(frame("cells", records["cells"])).astype(object)
                self._write("wide", wide.where(wide.notna(), None).to_dict("records"))
        else:
            self._write("cells", records["cells"])
        self._write("files", records["files"])
        self._write("checks", records["checks"])

    def close(self) -> None:
        if self.fmt == "xlsx":
            from .workbook import write_workbook

            merged = {kind: frame(kind, records) for kind, records in self._records.items()}
            write_workbook(merged["cells"], self.path, files=merged["files"], checks=merged["checks"])
            return
        try:
            for writer in self._writers.values():
                writer.finish()
                self.escapes.add(writer.escapes)
            for writer in self._writers.values():  # no file is placed while another cannot be
                if os.path.isdir(writer.path):
                    raise OutputWriteError(f"cannot write {quoted(writer.path)}: it is a directory")
        except BaseException:
            self.abort()
            raise
        # The files replace an earlier run's together: once the first is in place, an
        # interruption (Ctrl-C) waits for the others, so no mix of two runs is left.
        pending = list(self._writers.values())
        try:
            while pending:
                pending[0].commit()
                pending.pop(0)
        except OutputWriteError:
            self.abort()  # the files not placed go: none is left under its temporary name
            raise
        finally:
            for writer in pending:
                writer.commit()

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
