"""Printed numbers: what a cell's text says as a number, or why it says none.

Shared by the grid engines (is this text a value?) and the values stage. The
marks and units below are how reports write numbers, whatever the form version.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from .forms import ValueKind
from .model import NoteCode

# What a scan reads a speck of dust as, beside a number's digits (a character class): never a
# minus, which a thin bar also reads as.
SPECK = r"[.·•`',，]"
_NOT_APPLICABLE = {"/", "／", "—", "——", "-", "－", "―", "─", "\\", "×", "无", "不适用"}
_NUMBER_RE = re.compile(r"^(?P<sign>[-−+]?)(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<fraction>\.\d+)?$")
_ANNOTATED_RE = re.compile(r"^(?P<number>[-−+]?[\d,.]+)\s*(?P<note>[(（【\[].*[)）】\]])$")
_SPACED_RE = re.compile(r"^\d+(?: +\d+)+$")
_UNIT_RE = re.compile(r"^(?P<number>[-−+]?[\d,.]+)\s*(?P<unit>万元|元|件|个|项|条)$")


@dataclass(frozen=True)
class ParsedValue:
    """A cell's number (None when there is none), with the note and code that say why."""

    value: float | None
    note: str = ""
    code: NoteCode | None = None


def _plain(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw)
    text = re.sub(r"\s+", "", text)
    return text.replace("，", ",").replace("．", ".").replace("−", "-")


def _number(text: str, kind: ValueKind) -> ParsedValue | None:
    match = _NUMBER_RE.match(text)
    if not match:
        return None
    negative = match["sign"] == "-"
    if negative and kind is ValueKind.COUNT:
        return ParsedValue(
            None, f"negative number {text!r} where the form expects a count", NoteCode.NEGATIVE_COUNT
        )
    if match["fraction"] and kind is not ValueKind.AMOUNT:
        return ParsedValue(
            None, f"decimal {text!r} where the form expects a whole count", NoteCode.DECIMAL_COUNT
        )
    try:
        number = Decimal(match["digits"].replace(",", "") + (match["fraction"] or ""))
    except InvalidOperation:
        return None
    return ParsedValue(float(-number if negative else number))


def digits_of(text: str) -> str:
    """The digits of `text` alone, in order: what two readings of one number must share."""
    return re.sub(r"\D", "", text)


def spaced_digits(raw: str) -> list[str] | None:
    """'1 2' on one line: one number with a stray space, or two numbers in one cell?"""
    text = unicodedata.normalize("NFKC", raw).strip()
    if "\n" in text or not _SPACED_RE.match(text):
        return None
    return text.split()


def _drops_unit(unit: str, kind: ValueKind) -> bool:
    """Whether the number before `unit` is the column's value as it stands (18件 in a count,
    3.5万元 in an amount): no other unit is the form's."""
    return kind is not ValueKind.AMOUNT or unit == "万元"


def number_part(text: str, kind: ValueKind) -> str:
    """`text` without what `parse_value` drops after its number for this kind of column: a
    bracketed remark (4（其中修订1件）is 4) or a unit (18件 in a count is 18); `text` itself
    otherwise."""
    annotated = _ANNOTATED_RE.match(text)
    if annotated:
        return annotated["number"]
    with_unit = _UNIT_RE.match(text)
    if with_unit and _drops_unit(with_unit["unit"], kind):
        return with_unit["number"]
    return text


@lru_cache(maxsize=16384)  # the same few texts (0, 1, blank, /) fill most cells of every report
def parse_value(raw: str, kind: ValueKind) -> ParsedValue:
    """Parse a printed cell for a column of the given kind."""
    if spaced_digits(raw):
        return ParsedValue(
            None, f"digits may be one number or two: {raw.strip()!r}", NoteCode.AMBIGUOUS_DIGITS
        )
    text = _plain(raw)
    if not text:
        return ParsedValue(None, "blank cell", NoteCode.BLANK)
    if text in _NOT_APPLICABLE:
        return ParsedValue(None, f"not applicable ({text})", NoteCode.NOT_APPLICABLE)
    plain = _number(text, kind)
    if plain is not None:
        return plain
    annotated = _ANNOTATED_RE.match(text)
    if annotated:
        parsed = _number(annotated["number"], kind)
        if parsed is not None and parsed.value is not None:
            return ParsedValue(
                parsed.value, f"annotation kept in raw: {annotated['note']}", NoteCode.ANNOTATED
            )
    with_unit = _UNIT_RE.match(text)
    if with_unit:
        parsed = _number(with_unit["number"], kind)
        if parsed is not None and parsed.value is not None:
            unit = with_unit["unit"]
            if kind is ValueKind.AMOUNT and unit == "元":
                converted = float(Decimal(str(parsed.value)) / Decimal(10000))
                return ParsedValue(converted, "converted from 元 to 万元", NoteCode.CONVERTED_UNIT)
            if _drops_unit(unit, kind):
                return ParsedValue(parsed.value, f"unit {unit} dropped", NoteCode.UNIT_DROPPED)
    return ParsedValue(None, f"text in a number cell: {raw.strip()[:40]!r}", NoteCode.TEXT_IN_NUMBER_CELL)


def is_value_text(raw: str) -> bool:
    """Whether a printed cell says a number (or 'not applicable') rather than words."""
    parsed = parse_value(raw, ValueKind.AMOUNT)
    return parsed.value is not None or parsed.code is NoteCode.NOT_APPLICABLE


def format_number(value: float | None) -> str:
    """A value as a person writes it: 3001, 96171.6, 24252.311082; empty for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun, in the singular for one: `1 file`, `2 files`, `1 cell holds`."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
