"""Views of one report's records that the workbook, `inspect`, `summary` and the notebook share.

- `form_lines`: a table's rows as the form prints them, with its group rows
  (（三）不予公开, 第二十条第（一）项) between them;
- `check_place`: the column or row a failed rule fails in, in the form's words;
- `headlines`: the few figures a reader looks at first, one row per report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from ..forms import FORMS, Row, Table
from ..model import NoteCode
from ..readings import from_column, without_readings

# What a number OCR could not vouch for (`ocr_doubtful`) is shown as, where a number would be: never
# its reading, which may be wrong (42 read as 12), nor a blank, which is what the report printed.
DOUBTFUL = "待核"


def note_on_paper(note: object, note_code: object, readings: object) -> object:
    """A cell's note as a sheet prints it: for a number OCR could not vouch for (`ocr_doubtful`),
    why, in words, without what OCR read (`readings`, its `ocr_readings`), which may be wrong and
    would print as a number beside its 待核 (the whole note is a hover note); any other note as it
    is. An output written before `ocr_readings` has none: its note is as it is."""
    if not (isinstance(note_code, str) and note_code == NoteCode.OCR_DOUBTFUL and isinstance(note, str)):
        return note
    return without_readings(note, from_column(readings))


@dataclass(frozen=True)
class FormLine:
    """One printed line of a table: a group row (no `row_id`) or a row of numbers."""

    label: str
    depth: int  # 0 for the outermost level
    row_id: str = ""
    group_id: str = ""

    @property
    def is_group(self) -> bool:
        return not self.row_id


def _row(table: Table, row_id: str) -> Row | None:
    return next((r for r in (*table.rows, *table.alternative_rows) if r.id == row_id), None)


def form_lines(table: Table, row_ids: Iterable[str]) -> list[FormLine]:
    """The rows `row_ids` (in the order given) with the group rows the form prints above them."""
    lines: list[FormLine] = []
    open_groups: list[str] = []
    for row_id in dict.fromkeys(row_ids):
        row = _row(table, row_id)
        if row is None:
            continue
        if table.groups:
            chain = [(g.label, g.id) for g in table.group_chain(row)]
        else:
            label, group_id = table.row_group(row)
            chain = [(label, group_id)] if group_id else []
        common = 0
        while common < min(len(chain), len(open_groups)) and chain[common][1] == open_groups[common]:
            common += 1
        for depth, (label, group_id) in enumerate(chain[common:], start=common):
            lines.append(FormLine(label, depth, group_id=group_id))
        open_groups = [group_id for _, group_id in chain]
        lines.append(FormLine(row.label, len(chain), row_id=row.id, group_id=row.group or ""))
    return lines


_PLACE = re.compile(r"\[(?P<place>[^\]]+)\]$")


def check_place(form_version: str | None, rule_id: str) -> str:
    """Where a rule failed, as the form names it: 自然人 for applications_balance[natural_person]."""
    match = _PLACE.search(rule_id)
    if match is None:
        return ""
    place = match["place"]
    form = FORMS.get(str(form_version), FORMS["2021"])
    for table in form.tables:
        for column in table.columns:
            if column.id == place:
                return column.name
        row = _row(table, place)
        if row is not None and len(table.rows) > 1:
            return row.label
        if row is not None:
            # Table 四 has one row: the rule's own total column names its group (行政复议).
            rule = next((r for r in form.rules if r.id == rule_id.split("[")[0]), None)
            column = next((c for c in table.columns if rule is not None and c.id == rule.lhs[0]), None)
            return "/".join(column.path[:-1]) if column is not None else table.title
    return place


def failed_rule(form_version: str | None, rule_id: str) -> str:
    """A rule and where it failed: applications_balance (自然人)."""
    place = check_place(form_version, rule_id)
    name = rule_id.split("[")[0]
    return f"{name} ({place})" if place else name


# The headline figures: (header, table, rows, columns). A figure sums its cells.
HEADLINE_FIGURES = (
    ("本年新收申请", "applications", ("new_requests",), ("total",)),
    ("予以公开", "applications", ("granted",), ("total",)),
    ("部分公开", "applications", ("partially_granted",), ("total",)),
    (
        "不予公开",
        "applications",
        tuple(r.id for r in FORMS["2021"].table("applications").rows if r.group == "withheld"),
        ("total",),
    ),
    ("行政复议结果纠正", "review_litigation", ("review_litigation",), ("review_corrected",)),
    (
        "行政诉讼结果纠正",
        "review_litigation",
        ("review_litigation",),
        ("litigation_direct_corrected", "litigation_after_review_corrected"),
    ),
)


def _figure(values: dict[tuple[str, str, str], float], table: str, rows, columns) -> float | None:
    """The sum of the printed numbers; none as soon as one of its cells holds no number.

    A blank cell, a / or a cell not found leaves the figure empty, as it leaves the
    arithmetic rules it takes part in unevaluated: gongkai never reads a blank as 0.
    """
    total = 0.0
    for row in rows:
        for column in columns:
            value = values.get((table, row, column))
            if value is None or pd.isna(value):
                return None
            total += value
    return total


def headlines(cells: pd.DataFrame, checks: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per report: agency, year, form, the headline figures and the rules it breaks
    (where `checks` are given); those columns also when there is no report."""
    rows = []
    failed = checks[checks["status"] == "failed"] if checks is not None else None
    columns = ["source", "agency", "year", "form", *(f[0] for f in HEADLINE_FIGURES)]
    columns += ["未通过的校验"] if failed is not None else []
    for source, report in cells.groupby("source", sort=True):
        keys = zip(report["table"], report["row_id"], report["column_id"], strict=True)
        values = dict(zip(keys, report["value"], strict=True))
        first = report.iloc[0]
        row = {"source": source, "agency": first["agency"], "year": first["year"], "form": first["form"]}
        for header, table, row_ids, column_ids in HEADLINE_FIGURES:
            row[header] = _figure(values, table, row_ids, column_ids)
        if failed is not None:
            broken = failed.loc[failed["source"] == source, "rule_id"].tolist()
            row["未通过的校验"] = "；".join(failed_rule(first["form"], r) for r in broken)
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def prints_no_number(note_codes: pd.Series) -> pd.Series:
    """Cells printed without a number on purpose (blank, / or —): they add nothing to a sum."""
    return note_codes.isin([NoteCode.BLANK, NoteCode.NOT_APPLICABLE]).fillna(False).astype(bool)
