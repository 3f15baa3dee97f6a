from __future__ import annotations

import pytest

from gongkai.forms import FORM_2021
from gongkai.labels import best_match, label_words, similarity, split_numbering

ROWS = [(row, row.label, 0.0) for row in FORM_2021.table("applications").rows]


@pytest.mark.parametrize(
    ("printed", "official"),
    [
        ("1、本机关不掌握相关政府信息", "1.本机关不掌握相关政府信息"),
        ("1．本机关不掌握\n相关政府信息", "1.本机关不掌握相关政府信息"),
        ('3.危及"三安全一稳定"', "3.危及“三安全一稳定”"),
        ("(七)总计", "（七）总计"),
        ("规  章", "规章"),
    ],
)
def test_normalisation_makes_styles_equal(printed, official):
    assert similarity(printed, official) == 1.0


def test_numbering_is_split_off():
    assert split_numbering("三、（四）无法提供") == ("三、(四)", "无法提供")
    assert label_words("（二）部分公开（区分处理的，只计这一情形，不计其他情形）").startswith("部分公开")


@pytest.mark.parametrize(
    ("printed", "row_id"),
    [
        ("5.要求行政机关确认或重新出\n具已获取信息", "not_processed_confirmation"),
        ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府", "other_fee_unpaid"),
        ("1、申请人无正当理由逾期不补\n正、行政机关不再处理其政府信\n息公开申请", "other_no_correction"),
        ("3、其他", "other_other"),
        ("二、上年结转政府信息公开申请数", "carried_over"),
    ],
)
def test_rows_found_despite_wrapping_and_truncation(printed, row_id):
    choice = best_match(printed, ROWS)
    assert choice.confident
    assert choice.item.id == row_id


@pytest.mark.parametrize("printed", ["合计", "其中：网上申请", "本年度办理结果", "申请数量"])
def test_unknown_labels_are_not_forced(printed):
    choice = best_match(printed, ROWS)
    assert not choice.confident
