"""Stage 6: the form version of each table, read off the tables themselves.

Every version's reading of the grids is made, and the version that explains a
table best wins: the labels of table 二 and the sub-rows under （六） tell the
versions apart, never the year. A hybrid keeps, per table, the version it was
printed in; ties go to the report's own version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .assign import assign_tables
from .forms import CURRENT_VERSION, FORMS, VERSION_EVIDENCE_TABLES, Form, Row, Table
from .match import read_table
from .model import Grid, Heading, TableGeometry, TableReading


@dataclass(frozen=True)
class Candidate:
    """One version's reading of one table, and where it was found."""

    reading: TableReading
    geometry: TableGeometry


@dataclass(frozen=True)
class TableChoice:
    """The reading of one table chosen for a form version (None where the table was not found)."""

    version: str
    table: Table
    candidate: Candidate | None  # None: the table was not found

    @property
    def reading(self) -> TableReading | None:
        return self.candidate.reading if self.candidate is not None else None


Candidates = dict[str, dict[str, Candidate]]  # version -> table id -> reading


# A table's reading depends only on the Table and its grids (read_table is a function of the
# TableRun), so a table the versions share (table 四 is one Table object in both) is read once
# when both versions assign it the same grids. Keyed by identity: the objects are alive for
# the whole reading, and comparing Tables or Grids by value would cost more than it saves.
_ReadCache = dict[tuple[int, tuple[int, ...]], Candidate]


def _read_tables(
    form: Form, grids: Sequence[Grid], headings: Sequence[Heading], cache: _ReadCache
) -> dict[str, Candidate]:
    out = {}
    for run in assign_tables(list(grids), form, list(headings)):
        key = (id(run.table), tuple(id(grid) for grid in run.grids))
        if key not in cache:
            geometry = TableGeometry()
            cache[key] = Candidate(read_table(run, geometry), geometry)
        out[run.table.id] = cache[key]
    return out


def read_every_version(grids: Sequence[Grid], headings: Sequence[Heading]) -> Candidates:
    cache: _ReadCache = {}
    return {version: _read_tables(form, grids, headings, cache) for version, form in FORMS.items()}


def _evidence(candidate: Candidate | None) -> float:
    """How much of a table a form version explains: cells placed plus the quality of the row matches."""
    if candidate is None:
        return 0.0
    return len(candidate.reading.cells) + sum(candidate.reading.row_scores)


def choose_versions(candidates: Candidates) -> tuple[str, list[TableChoice]]:
    """The report's form version, and for each table the version whose labels it was printed with."""

    def weight(version: str) -> tuple[object, ...]:
        readings = candidates[version]
        return (
            *(round(_evidence(readings.get(table_id)), 3) for table_id in VERSION_EVIDENCE_TABLES),
            version == CURRENT_VERSION,
        )

    report_version = max(candidates, key=weight)
    choices = []
    for table in FORMS[report_version].tables:
        version = max(candidates, key=lambda v: (_evidence(candidates[v].get(table.id)), v == report_version))
        choices.append(
            TableChoice(version, FORMS[version].table(table.id), candidates[version].get(table.id))
        )
    return report_version, choices


def expected_rows(table: Table, printed: set[str]) -> list[Row]:
    """The form's rows, with a group's single printed row standing in for its sub-rows (hybrids)."""
    rows = list(table.rows)
    for alternative in table.alternative_rows:
        if alternative.id in printed:
            group_rows = [r for r in rows if r.group == alternative.id]
            if group_rows and not any(r.id in printed for r in group_rows):
                at = rows.index(group_rows[0])
                rows = [r for r in rows if r.group != alternative.id]
                rows.insert(at, alternative)
    return rows
