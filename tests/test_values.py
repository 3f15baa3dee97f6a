from __future__ import annotations

import pytest

from gongkai.forms import ValueKind
from gongkai.model import NoteCode
from gongkai.numbers import parse_value

COUNT, SIGNED, AMOUNT = ValueKind.COUNT, ValueKind.SIGNED_COUNT, ValueKind.AMOUNT


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("3001", COUNT, 3001),
        ("３００１", COUNT, 3001),  # full-width digits
        ("1,234", COUNT, 1234),
        ("1，234，567", COUNT, 1234567),
        (" 12 ", COUNT, 12),
        ("96171.6", AMOUNT, 96171.6),
        ("24252.311082", AMOUNT, 24252.311082),
        ("-3", SIGNED, -3),
        ("22（其中修订16件）", COUNT, 22),
        ("251000元", AMOUNT, 25.1),
        ("0", COUNT, 0),
    ],
)
def test_numbers(raw, kind, value):
    parsed = parse_value(raw, kind)
    assert parsed.value == pytest.approx(value)


@pytest.mark.parametrize(
    ("raw", "kind", "code"),
    [
        ("", COUNT, NoteCode.BLANK),
        ("/", COUNT, NoteCode.NOT_APPLICABLE),
        ("—", COUNT, NoteCode.NOT_APPLICABLE),
        ("见附件", COUNT, NoteCode.TEXT_IN_NUMBER_CELL),
        ("-3", COUNT, NoteCode.NEGATIVE_COUNT),
        ("3.5", COUNT, NoteCode.DECIMAL_COUNT),
        ("1,23", COUNT, NoteCode.TEXT_IN_NUMBER_CELL),  # not a thousands separator: one number or two?
        ("30 01", COUNT, NoteCode.AMBIGUOUS_DIGITS),
    ],
)
def test_no_invented_numbers(raw, kind, code):
    parsed = parse_value(raw, kind)
    assert parsed.value is None
    assert parsed.code is code
    assert parsed.note


@pytest.mark.parametrize(
    ("raw", "kind", "value", "code"),
    [
        ("22（其中修订16件）", COUNT, 22, NoteCode.ANNOTATED),
        ("251000元", AMOUNT, 25.1, NoteCode.CONVERTED_UNIT),
        ("12.5万元", AMOUNT, 12.5, NoteCode.UNIT_DROPPED),
        ("5件", COUNT, 5, NoteCode.UNIT_DROPPED),
        ("7", COUNT, 7, None),
    ],
)
def test_a_qualified_number_says_how(raw, kind, value, code):
    parsed = parse_value(raw, kind)
    assert parsed.value == pytest.approx(value)
    assert parsed.code is code
    assert bool(parsed.note) is (code is not None)


def test_annotation_is_noted():
    assert "其中修订16件" in parse_value("22（其中修订16件）", COUNT).note
