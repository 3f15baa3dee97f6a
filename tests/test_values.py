from __future__ import annotations

import pytest

from gongkai.forms import ValueKind
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
    ("raw", "kind", "note"),
    [
        ("", COUNT, "blank cell"),
        ("/", COUNT, "not applicable"),
        ("—", COUNT, "not applicable"),
        ("见附件", COUNT, "text in a number cell"),
        ("-3", COUNT, "negative"),
        ("3.5", COUNT, "decimal"),
        ("1,23", COUNT, "text in a number cell"),  # not a thousands separator: one number or two?
    ],
)
def test_no_invented_numbers(raw, kind, note):
    parsed = parse_value(raw, kind)
    assert parsed.value is None
    assert note in parsed.note


def test_annotation_is_noted():
    assert "其中修订16件" in parse_value("22（其中修订16件）", COUNT).note
