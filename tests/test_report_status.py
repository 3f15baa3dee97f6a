"""A report is ok only when every cell of the form was found and gives a value or a plain blank."""

from __future__ import annotations

import pytest

from gongkai.model import CellRecord, NoteCode, Status
from gongkai.report import Report, _status


def _cell(column: str, value: float | None, code: NoteCode | None, page: int | None = 1) -> CellRecord:
    return CellRecord(
        "r.pdf",
        "某局",
        2024,
        "2021",
        "applications",
        "（七）总计",
        "total_processed",
        column,
        column,
        value=value,
        page=page,
        raw=None if value is None else str(value),
        note="" if code is None else str(code),
        note_code=code,
    )


def _report(*cells: CellRecord) -> Report:
    return Report("r.pdf", records=list(cells))


def test_values_and_blanks_are_ok():
    status, reason = _status(_report(_cell("a", 3.0, None), _cell("b", None, NoteCode.BLANK)), [])
    assert status is Status.OK
    assert reason == "1 blank cell left empty"


@pytest.mark.parametrize(
    "code",
    [
        NoteCode.TEXT_IN_NUMBER_CELL,
        NoteCode.NEGATIVE_COUNT,
        NoteCode.DECIMAL_COUNT,
        NoteCode.AMBIGUOUS_DIGITS,
    ],
)
def test_a_printed_cell_without_a_value_makes_the_report_partial(code):
    status, reason = _status(_report(_cell("a", 3.0, None), _cell("b", None, code)), [])
    assert status is Status.PARTIAL
    assert reason.startswith("1 cell holds")


def test_a_cell_not_found_makes_the_report_partial():
    status, reason = _status(
        _report(_cell("a", None, NoteCode.ROW_NOT_FOUND, page=None)), ["table 四 not found"]
    )
    assert status is Status.PARTIAL
    assert reason == "table 四 not found; 1 of 1 cells not found"


def test_counts_in_messages_agree_with_their_number():
    from gongkai.numbers import counted

    assert [counted(n, "file") for n in (0, 1, 2)] == ["0 files", "1 file", "2 files"]
    assert counted(1, "cell holds", "cells hold") == "1 cell holds"
    assert counted(3, "cell holds", "cells hold") == "3 cells hold"
