"""What OCR read of a cell, as data: the readings verification weighed, in one place.

A value read from a scanned page is read more than once (`verify`): the cell alone, any
character allowed (`cell`); the same cell, digits only (`digits`); the line the page's
recogniser cut through it, read again (`again`); or, for a cell no box was found for, the
whole page's line (`page`). Where OCR could not vouch for a value (`ocr_doubtful`) or the
rules corrected it (`ocr_corrected_by_rule`), the record keeps those readings
(`CellRecord.ocr_readings`), and this module says them in every form they take:

- `described`: in the record's `note`, in words (verify writes the note with it):
  ``cell read as '7229' (1.00); digits only '686998'; read again ':70'``;
- `to_column` / `from_column`: the output's `ocr_readings` column, a JSON object of the
  readings by kind, and back (see the README's output contract);
- `without_readings`: a note as paper prints it, without what OCR read, which may be wrong
  and would print as a number beside its 待核;
- `listed`: the readings the note and the workbook's hover notes name.

Why OCR could not vouch for a cell is data too (`Why`, `CellRecord.ocr_why`): the note says it
in words, the `ocr_readings` column names it under `why`, and the hover notes say it in Chinese.

Output code reads the readings and the why from the data, never from the note's words.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class ReadingKind(StrEnum):
    """How a cell was read, in the order the readings are given."""

    CELL = "cell"  # the cell cut out and read alone, any character allowed
    DIGITS = "digits"  # the same, digits only allowed
    AGAIN = "again"  # read again, independently: the line the page's recogniser cut through it
    PAGE = "page"  # read with the whole page only (no box found for the cell)
    SHAPE = "shape"  # told by the ink's shape alone: "0" where the print is one ring, as a 0 is


@dataclass(frozen=True, slots=True)
class OcrReading:
    """One reading of a cell: how it was read, what was read, and the recogniser's score (0–1),
    where it gives one."""

    kind: ReadingKind
    text: str
    score: float | None = None


Readings = tuple[OcrReading, ...]


class Why(StrEnum):
    """Why OCR could not vouch for a cell (`ocr_doubtful`), as the `ocr_readings` column's `why`
    names it, in the order the note gives the reasons in words."""

    NOT_A_NUMBER = "not_a_number"  # not a plain number as read (16*, 2.3.4)
    SEAL = "seal"  # a seal's red ink in the cell
    SMUDGE = "smudge"
    INK_TOUCHING_RULES = "ink_touching_rules"  # strokes running into the table's rules
    TEXT_WITHOUT_INK = "text_without_ink"  # the page's recogniser read text where the ink test found none
    LOW_SCORE = "low_score"  # the recogniser's score below the one a number is published at
    DIGITS_DIFFER = "digits_differ"  # read digits only, other digits
    BREAKS_RULES = "breaks_rules"  # a rule of the form it takes part in fails with it
    RULES_LEAVE_ANOTHER = "rules_leave_another"  # the rules, solved together, leave it a number none read
    ONE_READING = "one_reading"  # read with the whole page only, once
    UNDER_SEAL = "under_seal"  # under a seal: two readings read the same faded print
    SIGN_UNSEEN = "sign_unseen"  # a signed number: the ink does not show whether a minus stands before it
    SIGN_CONTRADICTED = "sign_contradicted"  # the ink shows a minus the reading lacks, or none it has
    RULES_HOLD_UNFIXED = "rules_hold_unfixed"  # its rules hold but do not fix it
    NO_RULE = "no_rule"  # no rule can check it
    READINGS_DISAGREE = "readings_disagree"  # two independent readings disagree
    NO_INK = "no_ink"  # no ink found in it, but it is suspect
    SHAPE_OF_ZERO = "shape_of_zero"  # read as another number where the ink is one ring, as a 0 is


_ORDER = list(ReadingKind)
# Scores in the column as the note gives them: two decimals (the note's words and the hover
# note are the same wherever they are read from).
_SCORE_DECIMALS = 2


def _first(readings: Sequence[OcrReading], kind: ReadingKind) -> OcrReading | None:
    return next((r for r in readings if r.kind is kind), None)


def listed(readings: Sequence[OcrReading]) -> Readings:
    """The readings worth naming: the cell's (or the page's), the digits-only reading where it
    found digits other than the cell's, and the second reading where it differs from the cell's."""
    cell = _first(readings, ReadingKind.CELL)
    text = cell.text if cell is not None else None
    out = []
    for reading in sorted(readings, key=lambda r: _ORDER.index(r.kind)):
        if reading.kind is ReadingKind.DIGITS and (not reading.text or reading.text == text):
            continue
        if reading.kind is ReadingKind.AGAIN and reading.text == text:
            continue
        if reading.kind is ReadingKind.SHAPE and reading.text == text:
            continue
        out.append(reading)
    return tuple(out)


# ---------------------------------------------------------------------------
# In the note's words (English): verify writes them, `without_readings` takes them out
# ---------------------------------------------------------------------------


def _words(reading: OcrReading) -> str:
    text = repr(reading.text)
    if reading.kind is ReadingKind.CELL:
        return f"cell read as {text}" + ("" if reading.score is None else f" ({reading.score:.2f})")
    if reading.kind is ReadingKind.DIGITS:
        return f"digits only {text}"
    if reading.kind is ReadingKind.AGAIN:
        return f"read again {text}"
    if reading.kind is ReadingKind.SHAPE:
        return f"its ink's shape {text}"
    return f"read from the whole page as {text}"


def described(readings: Sequence[OcrReading]) -> str:
    """The readings as the note gives them: "cell read as '7229' (1.00); digits only '686998'"."""
    return "; ".join(_words(reading) for reading in listed(readings))


def with_readings(reason: str, readings: Sequence[OcrReading]) -> str:
    """A note that ends in what OCR read: `reason`, then the readings (`described`), which
    `without_readings` takes off again."""
    return f"{reason}: {described(readings)}"


def cited(text: str) -> str:
    """A reading cited in a reason of the note: "digits-only reading differs: '686998'"."""
    return f": {text!r}"


def as_read(text: str) -> str:
    """A reading cited in a reason as what was read: "not a plain number as read: '16*'"."""
    return f" as read{cited(text)}"


# What the note of a cell under suspicion says where OCR found no ink in it: nothing was read.
NO_INK = "no ink found"


def without_readings(note: str, readings: Sequence[OcrReading]) -> str:
    """`note` without what OCR read (`readings`): the readings after the reasons
    ("OCR doubtful (breaks …): cell read as '12' (0.99)" → "OCR doubtful (breaks …)") and each
    reading cited in a reason ("not a plain number as read: '16*'" → "not a plain number")."""
    if readings:
        note = note.removesuffix(with_readings("", readings))
    for text in sorted({r.text for r in readings}, key=len, reverse=True):
        note = note.replace(as_read(text), "").replace(cited(text), "")
    return note.strip()


# ---------------------------------------------------------------------------
# The output's column: a JSON object of the readings by kind
# ---------------------------------------------------------------------------


# The key of the column's object that names why OCR could not vouch for the cell.
_WHY_KEY = "why"


def to_column(readings: Iterable[OcrReading], why: Iterable[Why] = ()) -> str | None:
    """The `ocr_readings` column of a record: a JSON object, one key per reading by its kind,
    in order, its score beside it as `KIND_score` where the recogniser gave one (two decimals),
    then, for a cell OCR could not vouch for, why, as a list of `Why` codes:
    {"cell": "7229", "cell_score": 1.0, "digits": "686998", "digits_score": 0.97, "again": ":70",
    "why": ["digits_differ", "breaks_rules"]}; None for none."""
    out: dict[str, str | float | list[str]] = {}
    for reading in sorted(readings, key=lambda r: _ORDER.index(r.kind)):
        out[str(reading.kind)] = reading.text
        if reading.score is not None:
            out[f"{reading.kind}_score"] = round(reading.score, _SCORE_DECIMALS)
    if why := [str(code) for code in why]:
        out[_WHY_KEY] = why
    return json.dumps(out, ensure_ascii=False) if out else None


def _held(value: object) -> dict:
    """The JSON object of an `ocr_readings` column's value; empty for an empty value (a cell with
    no readings, or an output written before the column) or one that is not such an object."""
    if not isinstance(value, str) or not value.strip():
        return {}
    try:
        held = json.loads(value)
    except ValueError:
        return {}
    return held if isinstance(held, dict) else {}


def why_from_column(value: object) -> tuple[Why, ...]:
    """Why OCR could not vouch for a cell, from its `ocr_readings` column's value (`to_column`'s
    `why`); none where it names none (a cell OCR vouched for, an output written before `why`),
    and a code not known here is passed over (an output of a later version)."""
    codes = _held(value).get(_WHY_KEY)
    if not isinstance(codes, list):
        return ()
    known = {str(code) for code in Why}
    return tuple(Why(code) for code in codes if isinstance(code, str) and code in known)


def from_column(value: object) -> Readings:
    """The readings of an `ocr_readings` column's value (`to_column` reversed); none for an empty
    value (a cell with no readings, or an output written before the column) or one that is not
    such a JSON object."""
    held = _held(value)
    out = []
    for kind in ReadingKind:
        text = held.get(str(kind))
        if isinstance(text, str):
            score = held.get(f"{kind}_score")
            out.append(OcrReading(kind, text, float(score) if isinstance(score, int | float) else None))
    return tuple(out)
