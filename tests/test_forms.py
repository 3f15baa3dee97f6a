from __future__ import annotations

import re

import pytest

from gongkai.forms import FORM_2019, FORM_2021, FORMS


@pytest.mark.parametrize(("form", "cells"), [(FORM_2021, 200), (FORM_2019, 198)])
def test_cell_counts(form, cells):
    assert form.cell_count == cells


@pytest.mark.parametrize("form", FORMS.values())
def test_ids_are_stable_ascii_and_unique(form):
    for table in form.tables:
        row_ids = [r.id for r in table.rows]
        assert len(row_ids) == len(set(row_ids))
        for block in table.blocks:
            assert len({c.id for c in block.columns}) == len(block.columns)
        for item in (*table.rows, *table.columns, *table.groups):
            assert re.fullmatch(r"[a-z][a-z0-9_]*", item.id), item.id


@pytest.mark.parametrize("form", FORMS.values())
def test_rules_name_real_rows_and_columns(form):
    for rule in form.rules:
        table = form.table(rule.table)
        rows = {r.id for r in (*table.rows, *table.alternative_rows)} | {g.id for g in table.groups}
        columns = {c.id for c in table.columns}
        line_items, across = (rows, columns) if rule.axis == "column" else (columns, rows)
        assert set(rule.lhs + rule.rhs) <= line_items, rule.id
        assert set(rule.over) <= across, rule.id


def test_table_three_rows_as_in_form_md():
    rows = FORM_2021.table("applications").rows
    assert len(rows) == 25
    assert rows[0].label == "一、本年新收政府信息公开申请数量"
    assert rows[-2].label == "（七）总计"
    assert len(FORM_2019.table("applications").rows) == 23
