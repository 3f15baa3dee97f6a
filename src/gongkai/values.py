"""Stage 7: every cell of the form as a record, with the value its printed text says.

A blank cell is not a zero and text is not a number: when the printed cell
does not say a number plainly, the value stays empty and the note says why.
"""

from __future__ import annotations

from collections.abc import Sequence

from .agency import agency_key
from .model import CellRecord, Identity, NoteCode, PlacedCell, ProblemKind, TableReading
from .numbers import parse_value
from .versions import TableChoice, expected_rows


def _why(what: str, reading: TableReading | None, kind: ProblemKind) -> str:
    """'row not found (row label unmatched: …)': the reader's own account of a miss."""
    problems = list(dict.fromkeys(p.message for p in (reading.problems if reading else []) if p.kind == kind))
    return what + (f" ({'; '.join(problems[:3])})" if problems else "")


def cell_records(
    source: str, identity: Identity, report_version: str, choices: Sequence[TableChoice]
) -> tuple[list[CellRecord], list[str]]:
    """One record per cell of the form, placed or not, with its value; and the reasons for what is missing."""
    out: list[CellRecord] = []
    gaps: list[str] = []
    key = agency_key(identity.agency)
    for choice in choices:
        table, reading = choice.table, choice.reading
        if choice.version != report_version:
            gaps.append(f"hybrid: table {table.numeral} printed in the {choice.version} layout")
        placed: dict[tuple[str, str], list[PlacedCell]] = {}
        for cell in reading.cells if reading else []:
            placed.setdefault((cell.row, cell.column), []).append(cell)
        printed = set(reading.printed_rows) if reading else set()
        why_row = _why("row not found", reading, ProblemKind.ROW)
        why_column = _why("column not found", reading, ProblemKind.COLUMN)
        for row in expected_rows(table, printed):
            block = table.block_of(row.id) if row in table.rows else table.blocks[0]
            group, group_id = table.row_group(row)
            for column in block.columns:
                found = placed.get((row.id, column.id), [])
                record = CellRecord(
                    source,
                    identity.agency,
                    identity.year,
                    choice.version,
                    table.id,
                    row.label,
                    row.id,
                    column.name,
                    column.id,
                    agency_key=key,
                    group=group,
                    group_id=group_id,
                )
                if len(found) == 1:
                    parsed = parse_value(found[0].raw, column.kind)
                    record.value, record.page, record.raw = parsed.value, found[0].page, found[0].raw
                    record.note, record.note_code = parsed.note, parsed.code
                elif len(found) > 1:
                    pages = ", ".join(str(c.page) for c in found)
                    record.note = f"row printed more than once (pages {pages}); left empty"
                    record.note_code = NoteCode.DUPLICATE_ROW
                    gaps.append(f"{table.id}/{row.id} printed more than once")
                elif reading is None:
                    record.note, record.note_code = (
                        f"table {table.numeral} not found",
                        NoteCode.TABLE_NOT_FOUND,
                    )
                elif row.id in printed:
                    record.note, record.note_code = why_column, NoteCode.COLUMN_NOT_FOUND
                else:
                    record.note, record.note_code = why_row, NoteCode.ROW_NOT_FOUND
                out.append(record)
        if reading is None:
            gaps.append(f"table {table.numeral} not found")
    return out, gaps
