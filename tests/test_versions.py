"""The form version of each table, read off built tables: table 二's labels and （六）'s sub-rows decide."""

from __future__ import annotations

from gongkai.forms import CURRENT_VERSION, FORM_2019, FORM_2021, Form
from gongkai.model import Grid, Heading, PlacedCell, TableGeometry, TableReading
from gongkai.versions import Candidate, choose_versions, expected_rows, read_every_version

from .builders import APPLICANT_HEADER, grid

HEADINGS = [
    Heading("二", "二、主动公开政府信息情况", page=3, top=50.0),
    Heading("三", "三、收到和处理政府信息公开申请情况", page=4, top=50.0),
]


def applications(form: Form) -> Grid:
    """Table 三 as printed with a version's row labels: （六） as one row (2019) or three (2021)."""
    rows = [["项目", *APPLICANT_HEADER]]
    for i, row in enumerate(form.table("applications").rows):
        rows.append([row.label, *(str((i + k) % 5) for k in range(len(APPLICANT_HEADER)))])
    return grid(rows, page=4, width=30.0)


def active_disclosure(version: str) -> Grid:
    """Table 二's first block with a version's column and row labels."""
    header, second_row = {
        "2019": (["本年新制作数量", "本年新公开数量", "对外公开总数量"], "规范性文件"),
        "2021": (["本年制发件数", "本年废止件数", "现行有效件数"], "行政规范性文件"),
    }[version]
    title = ["第二十条第（一）项", "", "", ""]
    return grid([title, ["信息内容", *header], ["规章", "0", "0", "3"], [second_row, "1", "1", "9"]], page=3)


def chosen(grids: list[Grid]) -> tuple[str, dict[str, str]]:
    version, choices = choose_versions(read_every_version(grids, HEADINGS))
    return version, {choice.table.id: choice.version for choice in choices if choice.reading is not None}


def test_a_2019_report_is_read_as_2019():
    version, tables = chosen([active_disclosure("2019"), applications(FORM_2019)])
    assert version == "2019"
    assert tables == {"active_disclosure": "2019", "applications": "2019"}


def test_a_2021_report_is_read_as_2021():
    version, tables = chosen([active_disclosure("2021"), applications(FORM_2021)])
    assert version == "2021"
    assert tables == {"active_disclosure": "2021", "applications": "2021"}


def test_one_other_processing_row_alone_does_not_say_2019():
    # The 2021 form takes （六）其他处理 printed as one row (a hybrid), so table 三 reads equally
    # well in both versions; with nothing else to tell them apart the current version wins.
    candidates = read_every_version([applications(FORM_2019)], HEADINGS)
    in_2019, in_2021 = candidates["2019"]["applications"].reading, candidates["2021"]["applications"].reading
    assert "other_processing" in in_2021.printed_rows
    every_cell = len(FORM_2019.table("applications").rows) * len(APPLICANT_HEADER)
    assert len(in_2019.cells) == len(in_2021.cells) == every_cell
    version, choices = choose_versions(candidates)
    assert version == CURRENT_VERSION == "2021"
    assert {c.table.id: c.version for c in choices} == {
        "active_disclosure": "2021",
        "applications": "2021",
        "review_litigation": "2021",
    }


def test_the_sub_rows_of_other_processing_say_2021_over_table_two():
    # Table 三's evidence comes first: its 2021 sub-rows outweigh table 二's 2019 labels.
    version, tables = chosen([active_disclosure("2019"), applications(FORM_2021)])
    assert version == "2021"
    # A hybrid: table 二 keeps the version it was printed in.
    assert tables == {"active_disclosure": "2019", "applications": "2021"}


def test_a_hybrid_reads_table_two_with_the_2019_labels():
    _, choices = choose_versions(
        read_every_version([active_disclosure("2019"), applications(FORM_2021)], HEADINGS)
    )
    by_table = {choice.table.id: choice for choice in choices}
    two = by_table["active_disclosure"]
    assert two.table is FORM_2019.table("active_disclosure")
    placed = {(c.row, c.column): c.raw for c in two.reading.cells}
    assert placed == {
        ("regulations", "newly_made"): "0",
        ("regulations", "newly_published"): "0",
        ("regulations", "published_total"): "3",
        ("normative_documents", "newly_made"): "1",
        ("normative_documents", "newly_published"): "1",
        ("normative_documents", "published_total"): "9",
    }
    # A table not found at all has a choice, but no reading.
    assert by_table["review_litigation"].candidate is None
    assert by_table["review_litigation"].reading is None


def reading(form: Form, cells: int, scores: list[float]) -> Candidate:
    table = form.table("applications")
    placed = [PlacedCell("applications", f"r{i}", "total", "1", 4) for i in range(cells)]
    return Candidate(TableReading(table, placed, [], [], scores), TableGeometry())


def test_evidence_closer_than_rounding_is_a_tie_for_the_current_version():
    # 10 cells + 0.9 against 10 cells + 0.9004: the same to three decimals.
    candidates = {
        "2021": {"applications": reading(FORM_2021, 10, [0.9])},
        "2019": {"applications": reading(FORM_2019, 10, [0.9004])},
    }
    version, choices = choose_versions(candidates)
    assert version == "2021"
    candidates["2019"]["applications"] = reading(FORM_2019, 10, [0.902])
    version, choices = choose_versions(candidates)
    assert version == "2019"
    assert {c.table.id: c.version for c in choices}["applications"] == "2019"


def test_a_table_found_by_no_version_takes_the_reports_version():
    candidates = {
        "2021": {"applications": reading(FORM_2021, 5, [0.8])},
        "2019": {"applications": reading(FORM_2019, 9, [0.8])},
    }
    version, choices = choose_versions(candidates)
    assert version == "2019"
    assert [(c.table.id, c.version, c.reading) for c in choices[::2]] == [
        ("active_disclosure", "2019", None),
        ("review_litigation", "2019", None),
    ]
    assert choices[1].reading is candidates["2019"]["applications"].reading


def test_expected_rows_put_a_printed_group_row_in_place_of_its_sub_rows():
    table = FORM_2021.table("applications")
    form_rows = [row.id for row in table.rows]
    rows = [row.id for row in expected_rows(table, {"granted", "other_processing", "total_processed"})]
    at = form_rows.index("other_no_correction")
    assert rows == [*form_rows[:at], "other_processing", *form_rows[at + 3 :]]
    assert len(rows) == len(form_rows) - 2


def test_expected_rows_keep_the_sub_rows_when_any_is_printed():
    table = FORM_2021.table("applications")
    form_rows = list(table.rows)
    assert expected_rows(table, {"other_processing", "other_other"}) == form_rows
    assert expected_rows(table, {"granted"}) == form_rows
    assert expected_rows(FORM_2019.table("applications"), {"other_processing"}) == list(
        FORM_2019.table("applications").rows
    )
