"""Stage 5b: which numbers read from images may be published.

A machine's reading of an image can be confidently wrong (a seal's arc read as 1 at a
score of 0.96), so confidence alone never publishes a number. A value read by OCR is
published only when

- it is a plain number as read, digits only: O, I, 一 or 。 are never repaired into digits
  (a unit the value parser drops after the number, 18件 in a count, is dropped as from text);
- its pixels are not suspect (a seal over the cell, ink running into the rules);
- its score is at least `min_score`, or at least `weak_min_score` where a second, independent
  reading agrees;
- every rule of the form it takes part in holds, or, where no rule can vouch for it, two
  independent readings (the cell read alone, and the whole page read at once; for a 0, the
  cell read alone and its ink's shape, one ring) agree; where a
  rule fails, a reading that another of its rules holds with and that is read again alike is
  as printed, and the failure is the printed arithmetic's (a misreading breaks all its rules).

Everything else is left empty with note_code `ocr_doubtful` and the candidate readings
in `note`. Where exactly one candidate of a doubtful cell makes every rule it takes part
in hold, and the other cells of those rules are verified, that candidate is taken, with
note_code `ocr_corrected_by_rule`. The rules, solved together, also fix cells no single
rule leaves alone (`_solved_by_rules`): a clean reading of such a cell is vouched for, a
doubtful one corrected to a candidate that is the value fixed. Under a seal that is the only
way the rules vouch for a cell. The rules cannot see two whole rows swapped: rows are placed
by their labels and positions (`match`), never by arithmetic.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from .checks import CheckResult, _evaluate, _expand, _rows_by_table, _values
from .forms import FORMS, Form, ValueKind
from .model import CellRecord, CheckStatus, Key, NoteCode, PlacedCell, cell_key, cell_name
from .numbers import SPECK, digits_of, format_number, number_part
from .readings import NO_INK, OcrReading, ReadingKind, Readings, Why, as_read, cited, described, with_readings
from .settings import DEFAULT

if TYPE_CHECKING:  # the OCR source imports OpenCV: only a report with scanned pages loads it
    from .sources import OcrCell, ScannedPage

READ_BY_OCR = "ocr"
_SETTINGS = DEFAULT.ocr
_NUMBER_RE = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")  # as printed: 1,234 · 96171.6
_MARKS = frozenset("/／—―-－")  # a printed mark for "not applicable", read as such
# A second reading of a lone printed 0 that the page's recogniser, free to read letters, gave as
# the letter: it saw the same plain ring the first reading read as 0, and no stroke of a 6, 8 or
# 9, as a second 0 would. The letter is never the value published: the first reading's digit is.
_ROUND_LETTERS = frozenset("oO")
# Digits with specks read beside them, by the kind of column they stand in: a count that cannot
# be negative takes specks before and after (.0, • 2, 2., 0*, ,0); a signed count only a point
# right after (2.), never one before (a small blob there may be its minus), and not the other
# specks, which were measured on counts alone. An amount (never negative) takes specks before or
# after only where its digits hold their decimal point already (• 342.33, 216.4.): beside digits
# with none, a dot-sized blob may be that point (.5, 342.). A speck the recogniser reads as a
# star, a degree sign or a plus is as much dust as one read as a point: none of them is ever a
# digit, and no count or amount is printed with a plus.
_BESIDE = rf"(?:{SPECK}|[*°+])"
_SPECKED_RE = {
    ValueKind.COUNT: re.compile(
        rf"^(?P<before>(?:{_BESIDE}\s*)*)(?P<digits>\d+)(?P<after>(?:\s*{_BESIDE})*)$"
    ),
    ValueKind.SIGNED_COUNT: re.compile(r"^(?P<before>)(?P<digits>\d+)(?P<after>\.)?$"),
    ValueKind.AMOUNT: re.compile(
        rf"^(?P<before>(?:{_BESIDE}\s*)*)(?P<digits>(?:\d{{1,3}}(?:,\d{{3}})+|\d+)\.\d+)(?P<after>(?:\s*{_BESIDE})*)$"
    ),
}


@dataclass(frozen=True)
class _Doubt:
    """One reason a reading is doubted, or taken: in the note's words, and as the codes the record
    keeps of why OCR could not vouch for it (`CellRecord.ocr_why`; none for the reason a corrected
    value was taken, which the note code says)."""

    words: str
    why: tuple[Why, ...] = ()


# A suspect cell's reasons (`OcrCell.suspect`) in the note's words.
_SUSPECT_WORDS = {
    Why.SEAL: "seal",
    Why.SMUDGE: "smudge",
    Why.INK_TOUCHING_RULES: "ink touching the rules",
    Why.TEXT_WITHOUT_INK: "text detected where the ink test found none",
}


def _why(doubts: Sequence[_Doubt]) -> tuple[Why, ...]:
    """The codes of `doubts`, each once, in order."""
    return tuple(dict.fromkeys(why for doubt in doubts for why in doubt.why))


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
    doubts: list[_Doubt]
    candidates: list[float]
    confidence: float | None
    second: str | None = None  # the independent reading, made only when a rule cannot vouch
    weak: bool = False  # clean but for a score below `min_score`: clean only if read again alike

    def readings(self) -> Readings:
        """What OCR read, as the record keeps it (`CellRecord.ocr_readings`)."""
        cell = self.cell
        if cell is None:
            return (OcrReading(ReadingKind.PAGE, self.raw),)
        made = [
            OcrReading(ReadingKind.CELL, cell.free, cell.free_score),
            OcrReading(ReadingKind.DIGITS, cell.digits, cell.digits_score),
        ]
        if self.second is not None:
            made.append(OcrReading(ReadingKind.AGAIN, self.second))
        if cell.ring:
            made.append(OcrReading(ReadingKind.SHAPE, "0"))
        return tuple(made)


def _number(
    text: str, kind: ValueKind = ValueKind.COUNT, dot_after: bool = False, specks: int = 0
) -> float | None:
    """The number `text` is, as printed; None if it is not a plain number.

    A minus sign is part of a number only in a column that may be negative. In a count column
    a point read after the digits (2.), where the ink holds one dot-sized blob there
    (`CellInk.dot_after`), is that blob, not a decimal point (a count has no fraction, and
    nothing follows the point): the digits are the number. In a count that cannot be negative,
    and in an amount whose digits hold their point, so are any specks read beside the digits, as
    many as the ink holds round dot-sized blobs apart from them (`CellInk.specks`): each is dust,
    and one read where the ink holds none may be a digit or a sign the recogniser took for it. A
    signed count takes no speck before its digits, where a small blob may be its minus
    (`_SPECKED_RE`). What the value parser drops after a number, a unit (18件) or a bracketed
    remark (4（其中修订1件）), is dropped here too (`numbers.number_part`)."""
    text = number_part(text.strip(), kind)
    if kind is ValueKind.SIGNED_COUNT and text.startswith("-"):
        number = _number(text[1:], kind, dot_after)
        return None if number is None else -number
    specked = _SPECKED_RE[kind].match(text)
    if specked:
        beside = [len(re.findall(_BESIDE, specked[part] or "")) for part in ("before", "after")]
        if kind is ValueKind.SIGNED_COUNT:
            taken = beside[1] == 0 or dot_after
        else:
            taken = (beside == [0, 1] and dot_after) or sum(beside) <= specks
        if taken:
            text = specked["digits"]
    return float(text.replace(",", "")) if _NUMBER_RE.match(text) else None


def second_number(cell: OcrCell, text: str, kind: ValueKind) -> float | None:
    """The number a second reading of `cell` (the page's line of it, `text`) is, as printed.

    The line the second reading cuts reaches past the ink test's crop, to specks that test left
    out (0 read again as 0.): in a count, a point after all the digits is not a digit. Other
    specks only as many as the cell's ink shows, and one more before the digits where there is
    no ink at all before them (`lead` ""): that speck lies beyond the cell."""
    point_after = text.rstrip().endswith(".")
    specks = cell.specks + (cell.lead == "") + point_after
    return _number(text, kind, cell.dot_after or point_after, specks)


def _reading(
    index: int, key: Key, raw: str, parsed: float | None, cell: OcrCell | None, kind: ValueKind
) -> _Reading:
    """What one OCR-read cell offers; `parsed` is the value the parser took from `raw`."""
    if cell is None:  # read with the whole page only: the rules alone can vouch for it
        candidates = [parsed] if parsed is not None else []
        doubts = [] if parsed is not None else [_not_a_number(raw)]
        return _Reading(index, key, None, raw, parsed, parsed is not None, False, doubts, candidates, None)
    mark = bool(cell.free) and set(cell.free) <= _MARKS
    value = _number(cell.free, kind, cell.dot_after, cell.specks)
    doubts: list[_Doubt] = []
    if value is None and cell.free and not mark:
        doubts.append(_not_a_number(cell.free))
    doubts += [_Doubt(f"suspect cell ({_SUSPECT_WORDS[why]})", (why,)) for why in cell.suspect]
    low = cell.has_ink and cell.free_score < _SETTINGS.min_score
    if low:
        doubts.append(_low_score(cell))
    if value is not None and not _digits_agree(cell):
        doubts.append(_Doubt(f"digits-only reading differs{cited(cell.digits)}", (Why.DIGITS_DIFFER,)))
    if cell.ring and value not in (None, 0):
        doubts.append(_Doubt("its ink is one ring, as a 0 is printed", (Why.SHAPE_OF_ZERO,)))
    weak = (
        low
        and value is not None
        and doubts == [_low_score(cell)]
        and cell.free_score >= _SETTINGS.weak_min_score
    )
    if weak:
        doubts = []  # until a second reading is made: `verify_ocr_cells` settles it first
    candidates = []
    for text in (cell.free, cell.digits):
        number = _number(text, kind, cell.dot_after, cell.specks)
        if number is not None and number not in candidates:
            candidates.append(number)
    # The ring's 0 is a candidate the rules may take (a speck at its foot read as 9, seal ink
    # beside it read as 布); the ring alone, with no reading of 0, never publishes it.
    if cell.ring and 0 not in candidates:
        candidates.append(0.0)
    # A printed / or — is told by its shape, not recognised: no recogniser scored it.
    confidence = round(cell.free_score, 3) if cell.has_ink and not mark else None
    return _Reading(index, key, cell, raw, value, not doubts, mark, doubts, candidates, confidence, weak=weak)


def _not_a_number(text: str) -> _Doubt:
    return _Doubt(f"not a plain number{as_read(text)}", (Why.NOT_A_NUMBER,))


_DECIMAL_RE = re.compile(r"^(?P<whole>\d+)\.(?P<fraction>\d+)$")


def _digits_agree(cell: OcrCell) -> bool:
    """Whether the digits-only reading gives the digits of the free one. It may not spell a
    minus sign: one digit in its place (-31 read so as 131) agrees where the ink shows a minus
    before the digits (`CellInk.lead`). Nor a decimal point: one digit in its place (7951.98
    read so as 7951198) agrees; the free reading, which saw the point, is the value."""
    digits = digits_of(cell.free)
    if cell.digits == digits:
        return True
    minus = cell.free.lstrip().startswith("-") and cell.lead == "-"
    if minus:
        return len(cell.digits) == len(digits) + 1 and cell.digits[1:] == digits
    point = _DECIMAL_RE.match(cell.free.strip())
    return bool(
        point
        and len(cell.digits) == len(digits) + 1
        and cell.digits.startswith(point["whole"])
        and cell.digits.endswith(point["fraction"])
    )


def _low_score(cell: OcrCell) -> _Doubt:
    # Rounded down, as the threshold judges it: 0.899 is no 0.90
    return _Doubt(f"low OCR confidence {math.floor(cell.free_score * 100) / 100:.2f}", (Why.LOW_SCORE,))


def _shared_fault(reading: _Reading, signed: set[Key]) -> _Doubt | None:
    """Why a second reading of this cell would not be independent of the first, if it would not:
    under a seal both read the same faded pixels (44255 read twice as 44355), and a thin minus
    sign is lost by both alike (-4 read twice as 4) in a column that may be negative, unless the
    ink itself shows the sign as read: one flat bar before the digits for a minus, and for none
    no ink there at all, not even too faint for the ink test (`CellInk.lead`)."""
    if reading.cell is not None and reading.cell.under_seal:
        return _Doubt("under the seal", (Why.UNDER_SEAL,))
    if reading.value not in (None, 0) and reading.key in signed:
        shown = reading.cell.lead if reading.cell is not None else "?"
        if shown == "?":
            words = "a minus sign can be lost in a scan: the ink does not show whether one stands before"
            return _Doubt(words, (Why.SIGN_UNSEEN,))
        if (shown == "-") != (reading.value < 0):
            words = f"the ink shows {'a minus sign' if shown == '-' else 'no minus sign'} before the digits"
            return _Doubt(words, (Why.SIGN_CONTRADICTED,))
    return None


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
    convicted: dict[Key, float] = {}  # misreadings two failing rules agree on: the value they leave
    signed = {key for key in readings if kinds[key] is ValueKind.SIGNED_COUNT}

    def trial_values() -> dict[Key, float | None]:
        values = dict(base)
        for key, reading in readings.items():
            values[key] = corrected.get(key, convicted.get(key, reading.value if reading.clean else None))
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
                second = second_number(reading.cell, text, kinds[reading.key])
                if second is not None and second not in reading.candidates:
                    reading.candidates.append(second)

    def agree(reading: _Reading) -> bool:
        """Two independent readings give the same number: the cell alone and the page's line, or,
        for a 0, the cell alone and its ink's shape (`OcrCell.ring`), which no other digit has."""
        if reading.cell is None or reading.value is None or _shared_fault(reading, signed):
            return False
        if reading.value == 0 and reading.cell.ring:
            return True
        read_again([reading])
        if reading.value == 0 and reading.second.strip() in _ROUND_LETTERS:
            return True
        second = second_number(reading.cell, reading.second, kinds[reading.key])
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
        if reading.cell is not None and reading.cell.under_seal:
            # Neighbours faded alike by a seal can be misread so that the errors cancel in every
            # sum (+d, -d in the corners of a rectangle): only rules that fix it vouch for it.
            return False
        rules = [r for r in by_cell.get(cell_name(key), []) if excluding is None or excluding not in r.cells]
        statuses = {r.status for r in rules}
        if CheckStatus.FAILED in statuses:
            # A misreading breaks every rule of its cell: a reading another rule of the cell holds
            # with, and read again alike, is as printed, and what fails is the printed arithmetic
            # (one application counted in the row next to its own), which the checks report.
            return CheckStatus.PASSED in statuses and agree(reading)
        if statuses == {CheckStatus.PASSED}:
            return True
        return agree(reading)

    # A reading scored low is clean only where it is read again alike; else its score is a doubt.
    weak = [reading for reading in readings.values() if reading.weak]
    read_again(weak)
    for reading in weak:
        if not agree(reading):
            reading.doubts.append(_low_score(reading.cell))
            reading.clean = False
    # Second readings change no value: one evaluation serves both what is read again and the convictions.
    values = trial_values()
    results = _evaluate(form, rows_by_table, values)
    read_again(unvouched(rules_of(results)))
    sides = _sides(form, rows_by_table)
    whole = {key for key, kind in kinds.items() if kind is not ValueKind.AMOUNT}
    natural = {key for key, kind in kinds.items() if kind is ValueKind.COUNT}
    for key, (value, rule_ids) in _misread(sides, results, values, set(readings), whole, natural).items():
        convicted[key] = value
        readings[key].clean = False
        readings[key].doubts.append(
            _Doubt(
                f"breaks {' and '.join(rule_ids[:3])}, which both leave {format_number(value)}",
                (Why.BREAKS_RULES,),
            )
        )
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
                reading.doubts.append(
                    _Doubt(f"the only reading that satisfies {', '.join(fitting[0][1][:3])}")
                )
                changed = True
        if not changed:
            break

    values = trial_values()
    results = _evaluate(form, rows_by_table, values)
    by_cell = rules_of(results)
    unknown = {
        key
        for key, reading in readings.items()
        if key not in corrected
        and not reading.mark
        and (reading.cell is None or not reading.cell.blank)
        and not verified(key, by_cell)
    }
    clean = {key: readings[key].value for key in unknown if readings[key].clean}
    failing = frozenset(r.rule_id for r in results if r.status == CheckStatus.FAILED)
    solved = _solved_by_rules(sides, values, unknown, whole, natural, clean, failing)
    pinned = set()
    for key, (value, rule_ids) in solved.items():
        reading = readings[key]
        if key in convicted:
            continue  # its note gives the value the rules leave already
        if reading.clean and reading.value == value:
            pinned.add(key)
        elif value in reading.candidates:
            corrected[key] = value
            reading.doubts.append(_Doubt(f"the only value {', '.join(rule_ids[:3])} leave"))
        else:
            words = f"{', '.join(rule_ids[:3])} leave only {format_number(value)}"
            reading.doubts.append(_Doubt(words, (Why.RULES_LEAVE_ANOTHER,)))
    counts["by_arithmetic"] = len(pinned)
    for key, reading in readings.items():
        record = cells[reading.index]
        record.read_by = READ_BY_OCR
        record.ocr_confidence = reading.confidence
        rules = by_cell.get(cell_name(key), [])
        vouched = key in pinned or verified(key, by_cell)
        outcome = _outcome(record, reading, kinds[key], corrected.get(key), vouched, rules, signed)
        counts[outcome] += 1
    return cells, counts


_Sides = dict[str, tuple[tuple[Key, ...], tuple[Key, ...]]]


def _misread(
    sides: _Sides,
    results: Sequence[CheckResult],
    values: dict[Key, float | None],
    read: set[Key],
    whole: set[Key],
    natural: set[Key],
) -> dict[Key, tuple[float, list[str]]]:
    """The readings of `read` that the failing rules convict: each with the value they leave it
    and those rules.

    One misreading breaks every rule of its cell, and each of them, solved for that cell with
    the others as read, leaves it the same value: the one printed. Two failing rules that cross
    at one cell alone (its row's and its column's) and leave it one value, a whole number (never
    negative in a count), convict that cell, if every other rule of it that can be solved for it
    leaves that value too. Then the failures are its own, and the other cells of those rules are
    as read: for them to be misread instead, two misreadings, one in each rule, must be off by
    the same amount, and the rules' other cells hold the rest. Without the conviction one
    misread total left every cell of its column, which no other rule could check (a row of
    blanks, a seal), doubtful: the 20 cells of a 总计 column for one 322 read as 323."""
    failing = {r.rule_id: {cell_key(c) for c in r.cells} for r in results if r.status == CheckStatus.FAILED}
    out: dict[Key, tuple[float, list[str]]] = {}
    for key in read & whole:
        mine = [rule_id for rule_id, cells in failing.items() if key in cells]
        leaves = {rule_id: _left_for(sides[rule_id], key, values) for rule_id in mine}
        crossing = [
            leaves[a]
            for i, a in enumerate(mine)
            for b in mine[i + 1 :]
            if failing[a] & failing[b] == {key} and leaves[a] is not None and leaves[a] == leaves[b]
        ]
        if not crossing or crossing[0].denominator != 1 or (key in natural and crossing[0] < 0):
            continue
        value = crossing[0]
        if all(
            _left_for(side, key, values) in (None, value)
            for side in sides.values()
            if key in side[0] or key in side[1]
        ):
            out[key] = (float(value), mine)
    return out


def _left_for(
    side: tuple[tuple[Key, ...], tuple[Key, ...]], key: Key, values: dict[Key, float | None]
) -> Fraction | None:
    """The value a rule's sides leave `key`, the rule's other cells as in `values`; None when one
    of them has no value, or `key` cancels out of the rule."""
    equation = _equation(side, {key}, values)
    if equation is None or key not in equation[0]:
        return None
    coefficients, constant = equation
    return constant / coefficients[key]


def _equation(
    side: tuple[tuple[Key, ...], tuple[Key, ...]], unknown: set[Key], values: dict[Key, float | None]
) -> tuple[dict[Key, int], Fraction] | None:
    """A rule's sides as an equation in the cells of `unknown` (each cell's coefficient, none of
    0, and the constant the others' values leave: sum of coefficient × cell = constant); None
    when a cell not in `unknown` has no value."""
    coefficients: dict[Key, int] = {}
    constant = Fraction(0)
    for sign, cells in ((1, side[0]), (-1, side[1])):
        for cell in cells:
            if cell in unknown:
                coefficients[cell] = coefficients.get(cell, 0) + sign
            elif values.get(cell) is None:
                return None
            else:
                constant -= sign * Fraction(values[cell])
    return {cell: c for cell, c in coefficients.items() if c}, constant


def _sides(form: Form, rows_by_table: dict[str, list[str]]) -> _Sides:
    """Each expanded rule (by its id in the check results): the cells of each side."""
    return {
        rule_id: (tuple(lhs), tuple(rhs))
        for rule in form.rules
        for rule_id, lhs, rhs in _expand(form, rule, rows_by_table)
    }


_Equation = tuple[dict[Key, int], Fraction, str]  # coefficients of the unknown cells, constant, rule id
_Row = tuple[dict[Key, Fraction], Fraction]  # an equation as elimination rewrites it


def _solved_by_rules(
    sides: _Sides,
    values: dict[Key, float | None],
    unknown: set[Key],
    whole: set[Key],
    natural: set[Key],
    read: dict[Key, float | None],
    failing: frozenset[str] = frozenset(),
) -> dict[Key, tuple[float, list[str]]]:
    """The cells of `unknown` whose value the rules leave no choice for, whatever was read: each
    with its value and the rules that fix it.

    Every rule whose cells are all counts (`whole`), known (`values`) or unknown, is an equation
    in the unknown cells. A cell is fixed when every whole-number solution of the equations, with
    the counts of `natural` never negative, gives it the same value: eliminated alone (the only
    cell a rule leaves), or bounded to one value (a sum the rules leave 0 for can only be 0s).
    That is a deduction, not odds, as long as the printed arithmetic holds and the known cells
    are right. Where the equations of a group of linked cells contradict each other, or any
    solution at all would do, nothing of that group is fixed; nor where a clean reading `read`
    of one of its cells is not the value fixed for it: a misreading that looked clean, or printed
    arithmetic that does not hold, which would fix the other cells wrongly too. A block of cells
    that row and column sums both cover is often not fixed: +d and -d in the four corners of any
    rectangle keep every sum (misreadings under a seal that cancel).

    Where a group's equations contradict each other and some of its rules fail with the cells as
    read (`failing`), the print may break those (a report whose row totals are off by one): the
    group is solved again without them, as the checks report them. A misreading breaks every
    rule of its cell, so without those rules a misread cell is left unfixed, not fixed wrongly; a
    cell of them is fixed only by rules that did not fail.
    """
    equations: list[_Equation] = []
    for rule_id, (lhs, rhs) in sides.items():
        cells = (*lhs, *rhs)
        if not unknown.intersection(cells) or not whole.issuperset(cells):
            continue
        equation = _equation((lhs, rhs), unknown, values)
        if equation is None:
            continue  # a cell neither read nor to solve: the rule says nothing
        equations.append((*equation, rule_id))
    solved: dict[Key, tuple[float, list[str]]] = {}
    groups = _linked(equations)
    while groups:
        group = groups.pop()
        fixed = _fixed(group, natural)
        if fixed is None:
            holding = [equation for equation in group if equation[2] not in failing]
            if len(holding) < len(group):
                groups += _linked(holding)
            continue
        # A cell read as no number (a seal's fade can take a printed 0 whole) sums as 0: it
        # contradicts a value fixed for it only where that is not 0.
        if any(key in read and (read[key] or 0) != value for key, value in fixed.items()):
            continue
        for key, value in fixed.items():
            solved[key] = (float(value), [rule_id for c, _, rule_id in group if key in c])
    return solved


def _linked(equations: list[_Equation]) -> list[list[_Equation]]:
    """The equations in groups that share no cell with each other."""
    groups: list[tuple[set[Key], list[_Equation]]] = []
    for equation in equations:
        keys = set(equation[0])
        joined = [g for g in groups if g[0] & keys]
        for g in joined:
            groups.remove(g)
            keys |= g[0]
        groups.append((keys, [e for g in joined for e in g[1]] + [equation]))
    return [g[1] for g in groups]


def _fixed(equations: list[_Equation], natural: set[Key]) -> dict[Key, Fraction] | None:
    """The cells one value solves every whole-number solution of `equations` for; None when they
    have no solution. Exact (fractions): eliminated (Gauss-Jordan), then each cell's bounds
    narrowed through every equation, eliminated ones included, and rounded in to whole numbers."""
    rows: list[_Row] = [({k: Fraction(c) for k, c in cs.items()}, constant) for cs, constant, _ in equations]
    reduced: list[_Row] = []
    for key in sorted({key for c, _, _ in equations for key in c}):
        pivot = next((r for r in rows if key in r[0]), None)
        if pivot is None:
            continue
        rows.remove(pivot)
        scale = pivot[0][key]
        pivot = ({k: c / scale for k, c in pivot[0].items()}, pivot[1] / scale)
        rows = [_eliminate(r, pivot, key) for r in rows]
        reduced = [_eliminate(r, pivot, key) for r in reduced] + [pivot]
    if any(constant for _, constant in rows):  # 0 = a number left over: the equations contradict
        return None
    constraints = reduced + [({k: Fraction(c) for k, c in cs.items()}, b) for cs, b, _ in equations]
    keys = {key for c, _ in constraints for key in c}
    low: dict[Key, Fraction | None] = {key: Fraction(0) if key in natural else None for key in keys}
    high: dict[Key, Fraction | None] = dict.fromkeys(keys)
    for _pass in range(_SETTINGS.bound_passes):
        changed = False
        for coefficients, constant in constraints:
            for key, own in coefficients.items():
                # own * x = constant - the sum of the others: their bounds bound it
                rest_low: Fraction | None = Fraction(0)
                rest_high: Fraction | None = Fraction(0)
                for other, c in coefficients.items():
                    if other == key:
                        continue
                    at_low, at_high = (low[other], high[other]) if c > 0 else (high[other], low[other])
                    rest_low = None if rest_low is None or at_low is None else rest_low + c * at_low
                    rest_high = None if rest_high is None or at_high is None else rest_high + c * at_high
                top = None if rest_low is None else (constant - rest_low) / own
                bottom = None if rest_high is None else (constant - rest_high) / own
                if own < 0:
                    top, bottom = bottom, top
                if bottom is not None and (low[key] is None or math.ceil(bottom) > low[key]):
                    low[key], changed = Fraction(math.ceil(bottom)), True
                if top is not None and (high[key] is None or math.floor(top) < high[key]):
                    high[key], changed = Fraction(math.floor(top)), True
                if low[key] is not None and high[key] is not None and low[key] > high[key]:
                    return None
        if not changed:
            break
    return {key: low[key] for key in keys if low[key] is not None and low[key] == high[key]}


def _eliminate(row: _Row, pivot: _Row, key: Key) -> _Row:
    """`row` without `key`: the pivot's row (1 for `key`) taken away as often as it holds `key`."""
    factor = row[0].get(key)
    if not factor:
        return row
    coefficients = dict(row[0])
    for k, c in pivot[0].items():
        coefficients[k] = coefficients.get(k, 0) - factor * c
    return {k: c for k, c in coefficients.items() if c}, row[1] - factor * pivot[1]


def _blank_in_form_reading(record: CellRecord, reading: _Reading) -> bool:
    """Whether the record is the form reading's blank over the cell the grid placed for it, read
    there as this reading. The form reading takes a number with a speck beside it (0., .0) for
    no number, and `witness.settle` puts its blank in where the rules hold with it as 0 (the
    grid's record was text); the placed cell's own reading, verified, says what is printed.
    Only where the grid's text of the placed cell is that cell's reading alone (no other line's
    characters in it), on the page the form reading saw the blank on."""
    cell = reading.cell
    return (
        record.note_code is NoteCode.BLANK
        and cell is not None
        and reading.raw == cell.free
        and record.page == cell.page
    )


def _outcome(
    record: CellRecord,
    reading: _Reading,
    kind: ValueKind,
    corrected: float | None,
    verified: bool,
    rules,
    signed: set[Key],
) -> str:
    """Set the record as verification decided; which outcome it was."""
    cell = reading.cell
    # The record holds what the grid's text of the cell gave: where the cell was read alone apart
    # from that text (a page line's reading, in a table without rules), the two may differ, and
    # what is verified is the cell's own reading. A 0 under a seal's faint edge, read alone as 0
    # and by its line as 6, was published as 6 where the rules vouched for 0 (seed 4949, scan 00012).
    line_read = _Doubt(
        f"the page's line read it otherwise{cited(record.raw or '')}", (Why.READINGS_DISAGREE,)
    )
    if cell is not None and not cell.has_ink:
        if cell.blank and record.value is None:
            return "blank"
        suspect = [_Doubt(_SUSPECT_WORDS[why], (why,)) for why in cell.suspect]
        if cell.under_seal:
            suspect.append(_Doubt("the seal's ink over it", (Why.UNDER_SEAL,)))
        if not suspect:  # blank, where the grid's text of it is a number
            suspect.append(line_read)
        record.value, record.note_code = None, NoteCode.OCR_DOUBTFUL
        record.ocr_why = _why([_Doubt(NO_INK, (Why.NO_INK,)), *suspect, *reading.doubts])
        # What the rules leave it (0, where a seal's fade took a printed 0 whole) helps who fills it in.
        left = "".join(f"; {doubt.words}" for doubt in reading.doubts)
        why = ", ".join(doubt.words for doubt in suspect)
        record.note = f"OCR doubtful: {NO_INK}, but the cell is suspect ({why}){left}"
        return "doubtful"
    if corrected is not None:
        record.value, record.note_code = corrected, NoteCode.OCR_CORRECTED_BY_RULE
        record.ocr_readings = reading.readings()
        # The last doubt is why the value was taken; a clean reading the rules chose over has none
        # of its own before it.
        doubts = "; ".join(doubt.words for doubt in reading.doubts[:-1])
        record.note = (
            f"OCR corrected{f' ({doubts})' if doubts else ''}: {described(reading.readings())}; "
            f"took {format_number(corrected)}: {reading.doubts[-1].words}"
        )
        return "corrected"
    if reading.mark and not reading.doubts:
        if record.value is None:
            return "published"  # a printed / or —: no number, and the parser's note says so
        reading.clean = False
        reading.doubts.append(line_read)
    elif (
        verified
        and cell is not None
        and reading.raw != cell.free
        and record.note_code is not None
        and record.value != reading.value
        and second_number(cell, reading.raw, kind) != reading.value
    ):
        # The grid's text of the cell says more than a number where its own reading says another
        # value: a unit (1800元 is 0.18 万元, the cell read alone 1800, a number of 元 or of 万元), a
        # remark (4（其中修订1件）, the cell 41), text (18件 in an amount). Which is printed is not known.
        # Specks of dust beside the digits (.6, 32.) are no more than the number, read again.
        reading.clean = False
        reading.doubts.append(line_read)
    elif verified:
        # A count's digits and a speck (2., .0), which the value parser took for text, or the
        # form reading for no number at all; a conflict between two readers' numbers stays theirs.
        blank = _blank_in_form_reading(record, reading)
        text = record.note_code is NoteCode.TEXT_IN_NUMBER_CELL
        if record.value is None and reading.value is not None and (text or blank):
            record.value, record.note_code, record.note = reading.value, None, ""
            if blank:
                record.raw = reading.raw  # the placed cell's text, which the value is read from
        elif record.value is not None and record.value != reading.value and cell is not None:
            # the cell's own reading, verified, over the grid's text of it
            record.value, record.raw, record.note_code, record.note = reading.value, cell.free, None, ""
        return "published"
    why = list(reading.doubts)
    failing = [r.rule_id for r in rules if r.status == CheckStatus.FAILED]
    if failing:
        why.append(_Doubt(f"breaks {', '.join(failing[:3])}", (Why.BREAKS_RULES,)))
    elif reading.clean:
        if cell is None:
            why.append(_Doubt("one reading only", (Why.ONE_READING,)))
        elif shared := _shared_fault(reading, signed):
            held = rules and all(r.status == CheckStatus.PASSED for r in rules)
            checked = (
                _Doubt("the rules hold but do not fix it", (Why.RULES_HOLD_UNFIXED,))
                if held
                else _Doubt("no rule can check it", (Why.NO_RULE,))
            )
            why.append(_Doubt(f"{shared.words}, and {checked.words}", (*shared.why, *checked.why)))
        else:
            words = "no rule can check it and the two readings disagree"
            why.append(_Doubt(words, (Why.NO_RULE, Why.READINGS_DISAGREE)))
    record.value, record.note_code = None, NoteCode.OCR_DOUBTFUL
    record.ocr_readings, record.ocr_why = reading.readings(), _why(why)
    record.note = with_readings(
        f"OCR doubtful ({'; '.join(doubt.words for doubt in why)})", reading.readings()
    )
    return "doubtful"
