"""agency_key links one body across years and merges only what the README says it merges."""

from __future__ import annotations

import pytest

from gongkai import agency_key


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("淮安市人民政府", "淮安市 人民政府"),  # whitespace
        ("淮安市人民政府（本级）", "淮安市人民政府(本级)"),  # brackets
        ("淮安市人民政府【本级】", "淮安市人民政府(本级)"),
        ("江苏省人民政府办公厅", "江苏省人民政府办公室"),  # 办公厅 / 办公室
        ("云湖区政府办", "云湖区人民政府办公室"),
        ("淮安市政府", "淮安市人民政府"),  # 政府 / 人民政府
        ("云溪市云湖区人民政府", "云湖区人民政府"),  # the parent's place prefix
        ("江苏省淮安市清江浦区教育局", "清江浦区教育局"),
    ],
)
def test_variants_of_one_body_share_a_key(one, other):
    assert agency_key(one) == agency_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("云湖区人民政府", "云湖区人民政府办公室"),  # a government and its office
        ("南屏县教育局", "南屏县教育体育局"),  # renamed bodies
        ("淮安市人民政府", "淮安市清江浦区人民政府"),  # a city and a district in it
        ("淮川市市场监督管理局", "市场监督管理局"),  # 市场 is not a place
    ],
)
def test_different_bodies_keep_different_keys(one, other):
    assert agency_key(one) != agency_key(other)


def test_department_names_are_never_read_as_places():
    assert agency_key("澍源县住房和城乡建设局") == "澍源县住房和城乡建设局"
    assert agency_key("淮川市市场监督管理局") == "淮川市市场监督管理局"


def test_no_agency_gives_an_empty_key():
    assert agency_key(None) == "" and agency_key("") == ""
