from __future__ import annotations

import pytest

from gongkai.forms import FORM_2021, FORMS
from gongkai.labels import _numeral, best_match, label_words, similarity, similarity_bound, split_numbering
from gongkai.settings import DEFAULT

ROWS = [(row, row.label, 0.0) for row in FORM_2021.table("applications").rows]


@pytest.mark.parametrize(
    ("printed", "official"),
    [
        ("1、本机关不掌握相关政府信息", "1.本机关不掌握相关政府信息"),
        ("1．本机关不掌握\n相关政府信息", "1.本机关不掌握相关政府信息"),
        ('3.危及"三安全一稳定"', "3.危及“三安全一稳定”"),
        ("(七)总计", "（七）总计"),
        ("规  章", "规章"),
        ("自然·\n人", "自然人"),  # a speck of dust on a scan, read as a middle dot
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


def _printed_labels() -> list[str]:
    """Labels as reports print them: every label of both forms, cut short, wrapped, renumbered."""
    official = set()
    for table in (t for form in FORMS.values() for t in form.tables):
        official |= {r.label for r in (*table.rows, *table.alternative_rows)}
        official |= {g.label for g in table.groups} | {c.label for c in table.columns}
    printed = set(official)
    for label in official:
        printed |= {label[: len(label) * 2 // 3], label[len(label) // 3 :], label.replace("信息", "信\n息")}
    return sorted(printed)


def test_the_bound_of_similarity_is_never_below_it():
    labels = _printed_labels()
    pairs = [(a, b) for a in labels[::3] for b in labels]
    assert all(similarity_bound(a, b) >= similarity(a, b) for a, b in pairs)
    assert any(similarity_bound(a, b) > similarity(a, b) for a, b in pairs)  # a bound, not the same score


def test_best_match_chooses_as_scoring_every_candidate_would():
    """best_match leaves candidates unscored that cannot matter: its choice is the full scoring's."""

    def scoring_every_candidate(printed, candidates):
        scored = []
        for item, label, bonus in candidates:
            score = similarity(printed, label)
            if score > 0 and _numeral(printed) and _numeral(printed) == _numeral(label):
                score += DEFAULT.match.numeral_bonus
            scored.append((min(score + bonus, 1.0), item))
        scored.sort(key=lambda pair: pair[0], reverse=True)
        best_score, best = scored[0]
        return best, best_score, next((s for s, item in scored[1:] if item is not best), 0.0)

    for table in (t for form in FORMS.values() for t in form.tables):
        groups = [g.id for g in table.groups] or [None]
        for printed in _printed_labels():
            for group in groups:
                candidates = [
                    (row, row.label, 0.05 if row.group == group else -0.05)
                    for row in (*table.rows, *table.alternative_rows)
                ]
                choice = best_match(printed, candidates)
                expected = scoring_every_candidate(printed, candidates)
                assert (choice.item, choice.score, choice.runner_up) == expected
