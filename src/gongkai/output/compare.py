"""Year over year: two reports side by side, cell by cell.

`compare_cells(a, b)` lines up two reports' cells by (table, row_id, column_id);
the 2019 and 2021 forms share those ids wherever a cell means the same, so a
2020 report compares with a 2021 one. `year_over_year(cells)` does that for
every agency (by `agency_key`) that a batch holds in consecutive years.
"""

from __future__ import annotations

import os
from itertools import pairwise
from pathlib import Path

import pandas as pd
from pandas.api.types import is_numeric_dtype

from ..agency import agency_key
from ..model import NoteCode
from ..numbers import format_number
from ..settings import DEFAULT
from ..sources import quoted
from . import records
from .views import DOUBTFUL
from .writers import Escapes, escapes_note, replacing

# When a change is large, and why: settings.CompareSettings.
LARGE_CHANGE_SHARE = DEFAULT.compare.large_share
LARGE_CHANGE_MINIMUM = DEFAULT.compare.large_minimum

_KEYS = ["table", "row_id", "column_id"]
_LABELS = ["group", "row", "column"]
COMPARE_COLUMNS = [
    "table",
    "group",
    "row",
    "row_id",
    "column",
    "column_id",
    "value_a",
    "value_b",
    "change",
    "change_share",
    "large",
    "note_a",
    "note_b",
    "note_code_a",
    "note_code_b",
    "ocr_readings_a",
    "ocr_readings_b",
]
# What OCR read of a cell of either report (the records' `ocr_readings`), added after the codes.
READINGS_COLUMNS = ["ocr_readings_a", "ocr_readings_b"]
# The codes and readings were added after the other columns, so they come last in every layout:
# after the files' source_a and source_b in a comparison of two reports (`compare_reports`), after
# the notes where the pair's identity comes first (`year_over_year`).
_CODES = ["note_code_a", "note_code_b", *READINGS_COLUMNS]


def compare_cells(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Per cell of either report: both values, the change b - a, its share of a, and whether it is large.

    A cell empty in either report has no change (an empty value is not a zero). note_code_a and
    note_code_b are the cells' note codes (none where a frame has no note_code column): an empty
    value with `ocr_doubtful` is a number OCR could not vouch for, shown as 待核 (`shown_values`).
    ocr_readings_a and ocr_readings_b are what OCR read of such a cell (`ocr_readings`; none where
    a frame has no such column).
    """
    records.require_cells(a, "a", [*_KEYS, *_LABELS, "value", "note"])
    records.require_cells(b, "b", [*_KEYS, *_LABELS, "value", "note"])
    left, right = (
        cells.reindex(columns=[*_KEYS, *_LABELS, "value", "note", "note_code", "ocr_readings"]).rename(
            columns={name: f"{name}_{side}" for name in ("value", "note", "note_code", "ocr_readings")}
        )
        for cells, side in ((a, "a"), (b, "b"))
    )
    merged = right.merge(left, on=_KEYS, how="outer", suffixes=("", "_a"), sort=False)
    for label in _LABELS:
        merged[label] = merged[label].fillna(merged.pop(f"{label}_a"))
    merged["value_a"] = merged["value_a"].astype("float64")
    merged["value_b"] = merged["value_b"].astype("float64")
    # Printed values have at most six decimals (万元 to the yuan-cent), so has their difference:
    # rounding drops the float noise of the subtraction (23078.309999999998).
    merged["change"] = (merged["value_b"] - merged["value_a"]).round(6)
    base = merged["value_a"].abs()
    merged["change_share"] = (merged["change"] / base).where(base > 0)
    size = merged["change"].abs()
    share_large = (merged["change_share"].abs() >= LARGE_CHANGE_SHARE) | (base == 0)
    merged["large"] = (size >= LARGE_CHANGE_MINIMUM) & share_large & merged["change"].notna()
    order = {key: i for i, key in enumerate(zip(*(b[k] for k in _KEYS), strict=True))}
    order_a = {key: len(order) + i for i, key in enumerate(zip(*(a[k] for k in _KEYS), strict=True))}
    position = [order.get(key, order_a.get(key, 0)) for key in zip(*(merged[k] for k in _KEYS), strict=True)]
    merged = merged.assign(_order=position).sort_values("_order", kind="stable").drop(columns="_order")
    return merged[COMPARE_COLUMNS].reset_index(drop=True)


def compare_reports(a: pd.DataFrame, b: pd.DataFrame, source_a: str, source_b: str) -> pd.DataFrame:
    """compare_cells of two reports with the files compared, source_a and source_b, before the
    note codes (added after them): the layout of `gongkai compare A B -o OUT.csv`."""
    pairs = compare_cells(a, b).assign(source_a=source_a, source_b=source_b)
    first = [c for c in COMPARE_COLUMNS if c not in _CODES]
    return pairs[[*first, "source_a", "source_b", *_CODES]]


def doubtful(pairs: pd.DataFrame, side: str) -> pd.Series:
    """Where the value of report `side` ("a" or "b") is empty because OCR could not vouch for it."""
    code = pairs[f"note_code_{side}"].astype(object)  # <NA> of a pyarrow column is no code
    return (pairs[f"value_{side}"].isna() & code.eq(NoteCode.OCR_DOUBTFUL)).astype(bool)


def shown_values(pairs: pd.DataFrame, show=lambda value: value) -> dict[str, pd.Series]:
    """value_a and value_b as a person is shown them: `show(value)` for a value, DOUBTFUL (待核)
    for a number OCR could not vouch for, else empty. As the workbook's form sheets show such a
    cell: never as blank, which is what the report printed; never as its reading, which may be wrong."""
    return {
        f"value_{side}": pairs[f"value_{side}"]
        .map(show, na_action="ignore")
        .astype(object)
        .where(~doubtful(pairs, side), DOUBTFUL)
        for side in ("a", "b")
    }


def year_over_year(cells: pd.DataFrame) -> pd.DataFrame:
    """compare_cells for every agency the batch holds in two consecutive years, one pair after another.

    An agency-year held by more than one report is left out (which one to compare
    with cannot be told; `gongkai summary` lists those duplicates): copies of one report are
    one report only once `without_copies` has left the copies out.
    """
    records.require_cells(cells, needed=["source", "agency", "agency_key", "year", *_KEYS, "value"])
    reports = cells[["source", "agency", "agency_key", "year"]].drop_duplicates("source")
    reports = reports[reports["agency_key"].fillna("") != ""].dropna(subset=["year"])
    counts = reports.groupby(["agency_key", "year"])["source"].transform("size")
    reports = reports[counts == 1].sort_values(["agency_key", "year"])
    by_source = dict(tuple(cells.groupby("source", sort=False)))
    frames = []
    for key, years in reports.groupby("agency_key", sort=True):
        rows = list(years.itertuples(index=False))
        for earlier, later in pairwise(rows):
            if int(later.year) != int(earlier.year) + 1:
                continue
            pair = compare_cells(by_source[earlier.source], by_source[later.source])
            identity = {
                "agency_key": key,
                "agency": later.agency,
                "year_a": int(earlier.year),
                "year_b": int(later.year),
                "source_a": earlier.source,
                "source_b": later.source,
            }
            frames.append(pair.assign(**identity)[[*identity, *COMPARE_COLUMNS]])
    if not frames:
        empty = ["agency_key", "agency", "year_a", "year_b", "source_a", "source_b", *COMPARE_COLUMNS]
        return pd.DataFrame(columns=empty)
    return pd.concat(frames, ignore_index=True)


def no_pairs_reason(cells: pd.DataFrame, key: str) -> str:
    """Why `year_over_year` finds no pair of years for the agency `key` in a batch, in plain words."""
    reports = cells.loc[cells["agency_key"] == key, ["source", "year"]].drop_duplicates("source")
    if reports.empty:
        return f"{key}: no report of this agency in the batch"
    per_year = reports["year"].dropna().astype(int).value_counts().sort_index()
    held = ", ".join(str(year) if n == 1 else f"{year} ({n} reports)" for year, n in per_year.items())
    held = held or "none with a year"
    if (per_year > 1).any():
        return (
            f"{key}: no two consecutive years held by one report each (years held: {held}); "
            "an agency-year held by more than one report is not compared, as which one to "
            "compare cannot be told (gongkai summary lists them)"
        )
    return f"{key}: no two consecutive years in the batch (years held: {held})"


def _known_year(year: object) -> int | None:
    return None if year is None or pd.isna(year) else int(year)


def report_labels(year_a: object, year_b: object) -> tuple[str, str]:
    """What to call two reports compared, A and B: by their own years (2024年, 2023年) when both
    are known and differ, else A and B. Never 上年 and 本年, which A and B need not be."""
    a, b = _known_year(year_a), _known_year(year_b)
    if a is None or b is None or a == b:
        return "A", "B"
    return f"{a}年", f"{b}年"


# What two reports of one file content are, whichever way they are compared.
_SAME_CONTENT = "the same file content, byte for byte"


def without_copies(cells: pd.DataFrame, files: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The cells without those of reports that are copies of another, and one line a copy skipped.

    A copy is a report of the same file content as another, byte for byte (by the status table
    `files`' sha256: a download saved twice, under two names): the same report, not a second one
    of its year, which would leave its agency-year out of `year_over_year` as held twice. The
    first report of a content (in the table's order) stays. Without sha256 in `files` (a status
    table worked out from cells alone) nothing is told a copy."""
    if "sha256" not in files.columns:
        return cells, []
    held = files[files["source"].isin(set(cells["source"])) & files["sha256"].fillna("").ne("")]
    skipped, notes = [], []
    for _, sources in held.groupby("sha256", sort=False)["source"]:
        first, *copies = dict.fromkeys(sources)
        skipped += copies
        notes += [f"{quoted(c)} is a copy of {quoted(first)} ({_SAME_CONTENT}): skipped" for c in copies]
    return cells[~cells["source"].isin(skipped)], notes


def pair_doubts(
    agency_a: object,
    agency_b: object,
    year_a: object,
    year_b: object,
    *,
    sha256_a: object = None,
    sha256_b: object = None,
) -> str | None:
    """Why comparing report A with B may not be what was meant, in words; None when nothing is odd:
    they are of different agencies (by agency key), or B is not later than A (where both are known).
    Where their contents are known (`sha256_a`, `sha256_b`) and one, that alone: a copy of one
    report (a download saved twice) says more than 'both of 2024'."""
    if isinstance(sha256_a, str) and sha256_a and sha256_a == sha256_b:
        return f"A and B are {_SAME_CONTENT}: every change is 0"
    doubts = []
    named = isinstance(agency_a, str) and isinstance(agency_b, str) and agency_a and agency_b
    if named and agency_key(agency_a) != agency_key(agency_b):
        doubts.append(f"A and B are reports of different agencies ({agency_a}, {agency_b})")
    a, b = _known_year(year_a), _known_year(year_b)
    if a is not None and b is not None and b <= a:
        doubts.append(f"B ({b}) is not later than A ({a})" if b < a else f"A and B are both of {a}")
    return "; ".join(doubts) or None


def write_comparison(
    pairs: pd.DataFrame,
    path: str | os.PathLike[str],
    labels: tuple[str, str] | None = None,
    encoding: str = "utf-8",
) -> str | None:
    """Every compared cell to .xlsx (the workbook's 同比 sheet: Chinese headers, numbers as
    numbers, 待核 for a number OCR could not vouch for, set up to print) or else CSV (the columns of
    `pairs` as they are, whole numbers without ".0"; the values stay numbers, empty for a number
    OCR could not vouch for, which its note_code_a or note_code_b, `ocr_doubtful`, marks).

    `labels`: what the workbook calls the two reports of a comparison of two (report_labels: their
    years, or A and B); without, 上年 and 本年, as for the consecutive years of `year_over_year`.
    `encoding`: the CSV's (utf-8-sig for Excel), as extract's --encoding; XLSX is binary. A
    character of a text (a note's, a path's) that the encoding cannot write is written as its
    escape, as extract writes it (writers.Escapes): returned is the line that says so, or None."""
    if Path(path).suffix.lower() == ".xlsx":
        from .workbook import write_comparison_workbook  # the workbook's own layout; it imports this module

        write_comparison_workbook(pairs, path, *([labels] if labels else []))
        return None
    escapes = Escapes(encoding)
    # OutputWriteError if it cannot be written (a full disk).
    with replacing(path, encoding) as temporary:
        numbers = ("value_a", "value_b", "change")
        written = {name: pairs[name].map(format_number, na_action="ignore") for name in numbers}
        if escapes.needed:  # the texts: every column but the numbers (and `large`, True or False)
            texts = [n for n in pairs.columns if n not in numbers and not is_numeric_dtype(pairs[n])]
            escaped = lambda v: escapes.text(v) if isinstance(v, str) else v  # noqa: E731
            written |= {name: pairs[name].map(escaped, na_action="ignore") for name in texts}
        pairs.assign(**written).to_csv(temporary, index=False, encoding=encoding)
    return escapes_note(escapes)
