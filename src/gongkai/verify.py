"""Stage 5b: which numbers read from images may be published.

A machine's reading of an image can be confidently wrong (a seal's arc read as 1 at a
score of 0.96), so confidence alone never publishes a number. A value read by OCR is
published only when

- it is a plain number as read, digits only: O, I, 一 or 。 are never repaired into digits;
- its pixels are not suspect (a seal over the cell, ink running into the rules);
- its score is at least `_MIN_SCORE`;
- every rule of the form it takes part in holds, or, where no rule can vouch for it, two
  independent readings (the cell read alone, and the whole page read at once) agree.

Everything else is left empty with note_code `ocr_doubtful` and the candidate readings
in `note`. Where exactly one candidate of a doubtful cell makes every rule it takes part
in hold, and the other cells of those rules are verified, that candidate is taken, with
note_code `ocr_corrected_by_rule`. The rules cannot see two whole rows swapped: rows are
placed by their labels and positions (`match`), never by arithmetic.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .checks import _evaluate, _expand, _rows_by_table, _values
from .forms import FORMS, Form, ValueKind
from .model import CellRecord, CheckStatus, Key, NoteCode, PlacedCell, cell_key, cell_name
from .numbers import format_number
from .settings import DEFAULT

if TYPE_CHECKING:  # the OCR source imports OpenCV: only a report with scanned pages loads it
    from .sources import OcrCell, ScannedPage

READ_BY_OCR = "ocr"
_SETTINGS = DEFAULT.ocr
_NUMBER_RE = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")  # as printed: 1,234 · 96171.6
_MARKS = frozenset("/／—―-－")  # a printed mark for "not applicable", read as such


@dataclass
class _Reading:
    """One OCR-read cell of the form, as verification sees it."""

    index: int  # position among the records
    key: Key
    cell: OcrCell | None  # None: read from the whole page only (a table without rules)
    raw: str
    value: float | None  # the reading's number, when it is a plain number
    clean: bool
    mark: bool  # a printed / or —: no number, and the parser's note says so
    doubts: list[str]
    candidates: list[float]
    confidence: float | None
    second: str | None = None  # the independent reading, made only when a rule cannot vouch


def _number(text: str, kind: ValueKind = ValueKind.COUNT, dot_after: bool = False) -> float | None:
    """The number `text` is, as printed; None if it is not a plain number.

    A minus sign is part of a number only in a column that may be negative. In a count column
    a point after the digits, where the ink holds one dot-sized blob there (`CellInk.dot_after`),
    is that blob, not a decimal point (a count has no fraction, and nothing follows the point):
    the digits before it are the number."""
    text = text.strip()
    if kind is ValueKind.SIGNED_COUNT and text.startswith("-"):
        number = _number(text[1:], kind, dot_after)
        return None if number is None else -number
    if kind is not ValueKind.AMOUNT and dot_after and re.fullmatch(r"\d+\.", text):
        text = text[:-1]
    return float(text.replace(",", "")) if _NUMBER_RE.match(text) else None


def _reading(
    index: int, key: Key, raw: str, parsed: float | None, cell: OcrCell | None, kind: ValueKind
) -> _Reading:
    """What one OCR-read cell offers; `parsed` is the value the parser took from `raw`."""
    if cell is None:  # read with the whole page only: the rules alone can vouch for it
        candidates = [parsed] if parsed is not None else []
        return _Reading(index, key, None, raw, parsed, parsed is not None, False, [], candidates, None)
    mark = bool(cell.free) and set(cell.free) <= _MARKS
    value = _number(cell.free, kind, cell.dot_after)
    doubts: list[str] = []
    if value is None and cell.free and not mark:
        doubts.append(f"not a plain number as read: {cell.free!r}")
    doubts += [f"suspect cell ({why})" for why in cell.suspect]
    if cell.has_ink and cell.free_score < _SETTINGS.min_score:
        doubts.append(f"low OCR confidence {cell.free_score:.2f}")
    if value is not None and cell.digits != re.sub(r"[,.]", "", cell.free.lstrip("-")):
        doubts.append(f"digits-only reading differs: {cell.digits!r}")
    candidates = []
    for text in (cell.free, cell.digits):
        number = _number(text, kind, cell.dot_after)
        if number is not None and number not in candidates:
            candidates.append(number)
    confidence = round(cell.free_score, 3) if cell.has_ink else None
    return _Reading(index, key, cell, raw, value, not doubts, mark, doubts, candidates, confidence)


def _shared_fault(reading: _Reading, signed: set[Key]) -> str | None:
    """Why a second reading of this cell would not be independent of the first, if it would not:
    under a seal both read the same faded pixels (44255 read twice as 44355), and a thin minus
    sign is lost by both alike (-4 read twice as 4) in a column that may be negative, unless the
    ink itself shows the sign as read: one flat bar before the digits for a minus, and for none
    no ink there at all, not even too faint for the ink test (`CellInk.lead`)."""
    if reading.cell is not None and reading.cell.under_seal:
        return "under the seal"
    if reading.value not in (None, 0) and reading.key in signed:
        shown = reading.cell.lead if reading.cell is not None else "?"
        if shown == "?":
            return "a minus sign can be lost in a scan: the ink does not show whether one stands before"
        if (shown == "-") != (reading.value < 0):
            return f"the ink shows {'a minus sign' if shown == '-' else 'no minus sign'} before the digits"
    return None


def _candidates_note(reading: _Reading) -> str:
    cell = reading.cell
    if cell is None:
        return f"read from the whole page as {reading.raw!r}"
    parts = [f"cell read as {cell.free!r} ({cell.free_score:.2f})"]
    if cell.digits and cell.digits != cell.free:
        parts.append(f"digits only {cell.digits!r}")
    if reading.second is not None and reading.second != cell.free:
        parts.append(f"read again {reading.second!r}")
    return "; ".join(parts)


def verify_ocr_cells(
    form: Form,
    cells: Sequence[CellRecord],
    placed: dict[Key, PlacedCell],
    scanned: dict[int, ScannedPage],
    second_readings: Callable[[ScannedPage, list[OcrCell]], list[str]],
) -> tuple[list[CellRecord], dict[str, int]]:
    """Publish, correct or withhold each value read from a scanned page; counts of each outcome.

    `placed` gives each placed cell of the form; `scanned` the scanned pages with their
    cells read alone, by box. `second_readings` reads cells of a page again, independently, for
    the values no rule can vouch for.
    """
    cells = [dataclasses.replace(cell) for cell in cells]
    readings: dict[Key, _Reading] = {}
    # A hybrid's table may be printed in the other version's layout: each record names its own.
    kinds = {cell.key: FORMS[cell.form].table(cell.table).column(cell.column_id).kind for cell in cells}
    for index, record in enumerate(cells):
        spot = placed.get(record.key)
        kind = kinds[record.key]
        if spot is not None and spot.page in scanned:
            cell = scanned[spot.page].cells.get(spot.bbox)
            readings[record.key] = _reading(index, record.key, spot.raw or "", record.value, cell, kind)
        elif record.page in scanned:  # placed by another reader (the form reading) on a scanned page
            readings[record.key] = _reading(index, record.key, record.raw or "", record.value, None, kind)
    counts = {"published": 0, "corrected": 0, "doubtful": 0, "blank": 0}
    if not readings:
        return cells, counts
    base = _values(cells)
    rows_by_table = _rows_by_table(cells)
    corrected: dict[Key, float] = {}
    signed = {key for key in readings if kinds[key] is ValueKind.SIGNED_COUNT}

    def trial_values() -> dict[Key, float | None]:
        values = dict(base)
        for key, reading in readings.items():
            values[key] = corrected.get(key, reading.value if reading.clean else None)
        return values

    def rules_of(results) -> dict[str, list]:
        out: dict[str, list] = {}
        for result in results:
            for name in result.cells:
                out.setdefault(name, []).append(result)
        return out

    def read_again(wanted: list[_Reading]) -> None:
        """The second readings of these cells, a page's cells recognised in one batch."""
        by_page: dict[int, list[_Reading]] = {}
        for reading in wanted:
            if reading.second is None and reading.cell is not None:
                by_page.setdefault(reading.cell.page, []).append(reading)
        for number, group in by_page.items():
            texts = second_readings(scanned[number], [reading.cell for reading in group])
            for reading, text in zip(group, texts, strict=True):
                reading.second = text
                second = _number(text, kinds[reading.key], reading.cell.dot_after)
                if second is not None and second not in reading.candidates:
                    reading.candidates.append(second)

    def agree(reading: _Reading) -> bool:
        """Two independent readings give the same number: the cell alone and the page's line."""
        if reading.cell is None or reading.value is None or _shared_fault(reading, signed):
            return False
        read_again([reading])
        second = _number(reading.second, kinds[reading.key], reading.cell.dot_after)
        # A signed number's sign is the ink's and the first reading's: the second may lose it.
        return second is not None and (second == reading.value or -second == reading.value < 0)

    def unvouched(by_cell: dict[str, list]) -> list[_Reading]:
        """Clean readings that no rule breaks and not every rule vouches for: they will need
        a second reading."""
        out = []
        for key, reading in readings.items():
            statuses = {r.status for r in by_cell.get(cell_name(key), [])}
            if reading.clean and CheckStatus.FAILED not in statuses and statuses != {CheckStatus.PASSED}:
                out.append(reading)
        return out

    def verified(key: Key, by_cell: dict[str, list], excluding: str | None = None) -> bool:
        reading = readings.get(key)
        if reading is None:
            return True  # not read from an image: printed text
        if key in corrected:
            return True
        if not reading.clean:
            return False
        rules = [r for r in by_cell.get(cell_name(key), []) if excluding is None or excluding not in r.cells]
        if any(r.status == CheckStatus.FAILED for r in rules):
            return False
        if rules and all(r.status == CheckStatus.PASSED for r in rules):
            return True
        return agree(reading)

    read_again(unvouched(rules_of(_evaluate(form, rows_by_table, trial_values()))))
    for _round in range(_SETTINGS.max_rounds):
        results = _evaluate(form, rows_by_table, trial_values())
        by_cell = rules_of(results)
        changed = False
        for key, reading in readings.items():
            if key in corrected or verified(key, by_cell) or not reading.candidates:
                continue
            fitting = []
            for candidate in reading.candidates:
                trial = {**trial_values(), key: candidate}
                # Every rule of the cell that can be evaluated holds (one that cannot, for
                # another doubtful cell, may become evaluable in a later round).
                rules = [r for r in _evaluate(form, rows_by_table, trial) if cell_name(key) in r.cells]
                mine = [r for r in rules if r.status == CheckStatus.PASSED]
                if not mine or any(r.status == CheckStatus.FAILED for r in rules):
                    continue
                others = {cell_key(c) for r in mine for c in r.cells} - {key}
                if all(verified(other, by_cell, excluding=cell_name(key)) for other in others):
                    fitting.append((candidate, [r.rule_id for r in mine]))
            if len(fitting) == 1 and (
                reading.value is None or fitting[0][0] != reading.value or reading.doubts
            ):
                corrected[key] = fitting[0][0]
                reading.doubts.append(f"the only reading that satisfies {', '.join(fitting[0][1][:3])}")
                changed = True
        if not changed:
            break

    values = trial_values()
    results = _evaluate(form, rows_by_table, values)
    by_cell = rules_of(results)
    counts_only = {key for key in readings if kinds[key] is ValueKind.COUNT}
    pinned = _pinned_by_rules(
        _sides(form, rows_by_table), results, values, lambda key: verified(key, by_cell), counts_only
    )
    counts["by_arithmetic"] = len(pinned)
    for key, reading in readings.items():
        record = cells[reading.index]
        record.read_by = READ_BY_OCR
        record.ocr_confidence = reading.confidence
        rules = by_cell.get(cell_name(key), [])
        vouched = key in pinned or verified(key, by_cell)
        outcome = _outcome(record, reading, corrected.get(key), vouched, rules, signed)
        counts[outcome] += 1
    return cells, counts


_Sides = dict[str, tuple[tuple[Key, ...], tuple[Key, ...]]]


def _sides(form: Form, rows_by_table: dict[str, list[str]]) -> _Sides:
    """Each expanded rule (by its id in the check results): the cells of each side."""
    return {
        rule_id: (tuple(lhs), tuple(rhs))
        for rule in form.rules
        for rule_id, lhs, rhs in _expand(form, rule, rows_by_table)
    }


def _pinned_by_rules(
    sides: _Sides, results, values: dict[Key, float | None], verified: Callable[[Key], bool], counts: set[Key]
) -> dict[Key, str]:
    """Clean readings the rules vouch for although not every rule of theirs can be evaluated, and
    two readings cannot (under a seal): each with the rule that vouches for it.

    A rule that holds vouches for its cells not otherwise verified when
    - only one of them is left: it is the rule's difference of the verified others, exactly;
    - they all stand on one side of it, read 0, in count columns: the rule leaves 0 for their
      sum, and a count is never negative, so each is 0 whatever was read.
    Both are deductions, not odds: a wrong reading would make the rule break. Several cells
    left non-zero are never vouched for by one rule: two misreadings can cancel (a seal's edge
    fades the same stroke in neighbouring cells). A cell that breaks a rule is never vouched
    for, and a vouched cell counts as verified for the next rule.
    """
    status = {result.rule_id: result.status for result in results}
    holding = [rule_id for rule_id, s in status.items() if s == CheckStatus.PASSED]
    broken = {key for r in results if r.status == CheckStatus.FAILED for key in map(cell_key, r.cells)}
    pinned: dict[Key, str] = {}
    changed = True
    while changed:
        changed = False
        for rule_id in holding:
            lhs, rhs = sides[rule_id]
            left = [key for key in (*lhs, *rhs) if key not in pinned and not verified(key)]
            if not left or broken.intersection(left):
                continue
            one_side = set(left) <= set(lhs) or set(left) <= set(rhs)
            if len(left) == 1:
                why = f"the only cell of {rule_id} left to verify, and it holds"
            elif one_side and set(left) <= counts and all(values[key] == 0 for key in left):
                why = f"{rule_id} holds and leaves 0 for its cells left to verify, which cannot be negative"
            else:
                continue
            pinned.update(dict.fromkeys(left, why))
            changed = True
    return pinned


def _outcome(
    record: CellRecord, reading: _Reading, corrected: float | None, verified: bool, rules, signed: set[Key]
) -> str:
    """Set the record as verification decided; which outcome it was."""
    cell = reading.cell
    if cell is not None and not cell.has_ink:
        if not cell.suspect:
            return "blank"
        record.value, record.note_code = None, NoteCode.OCR_DOUBTFUL
        record.note = f"OCR doubtful: no ink found, but the cell is suspect ({', '.join(cell.suspect)})"
        return "doubtful"
    if corrected is not None:
        record.value, record.note_code = corrected, NoteCode.OCR_CORRECTED_BY_RULE
        doubts = "; ".join(reading.doubts[:-1])
        record.note = (
            f"OCR corrected ({doubts}): {_candidates_note(reading)}; "
            f"took {format_number(corrected)}: {reading.doubts[-1]}"
        )
        return "corrected"
    if reading.mark and not reading.doubts:
        return "published"  # a printed / or —: no number, and the parser's note says so
    if verified:
        # A count's digits and a speck (2.), which the value parser took for text; a conflict
        # between two readers of the page stays theirs to settle.
        if (
            record.value is None
            and reading.value is not None
            and record.note_code is NoteCode.TEXT_IN_NUMBER_CELL
        ):
            record.value, record.note_code, record.note = reading.value, None, ""
        return "published"
    why = list(reading.doubts)
    failing = [r.rule_id for r in rules if r.status == CheckStatus.FAILED]
    if failing:
        why.append(f"breaks {', '.join(failing[:3])}")
    elif reading.clean:
        if cell is None:
            why.append("one reading only")
        elif shared := _shared_fault(reading, signed):
            why.append(f"{shared}, and no rule can check it")
        else:
            why.append("no rule can check it and the two readings disagree")
    record.value, record.note_code = None, NoteCode.OCR_DOUBTFUL
    record.note = f"OCR doubtful ({'; '.join(why)}): {_candidates_note(reading)}"
    return "doubtful"
