"""Views of one report's records that the workbook, `inspect`, `summary` and the notebook share.

- `form_lines`: a table's rows as the form prints them, with its group rows
  (（三）不予公开, 第二十条第（一）项) between them;
- `check_place`: the column or row a failed rule fails in, in the form's words;
- `headlines`: the few figures a reader looks at first, one row per report;
- `hover_note`: a cell's hover note in Chinese, on the workbook's sheets and summary's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from ..forms import FORMS, Row, Table
from ..model import NoteCode
from ..readings import ReadingKind, Why, from_column, listed, why_from_column, without_readings

# What a number OCR could not vouch for (`ocr_doubtful`) is shown as, where a number would be: never
# its reading, which may be wrong (42 read as 12), nor a blank, which is what the report printed.
DOUBTFUL = "待核"


def plain(value: object) -> object:
    """A cell value as Excel should hold it: whole numbers as int, missing as empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


# The hover notes, in the sheets' words: what the note code says (the legend's 不适用, 带注释,
# 非数字, 未找到, 待核), then what the report printed and what OCR read. The record's note (the cells
# sheet's 说明) stays as it is, in English: it is the output's contract.
_HOVER = {  # what the code says, and after what the report printed (报告中此格为“…”), the rest
    NoteCode.BLANK: ("空白：报告中此格为空（不作 0 计）", ""),
    NoteCode.NOT_APPLICABLE: ("不适用", ""),
    NoteCode.ANNOTATED: ("带注释", "，取其中的数"),
    NoteCode.CONVERTED_UNIT: ("单位已换算", "，由元换算为万元"),
    NoteCode.UNIT_DROPPED: ("去掉了单位", ""),
    NoteCode.TEXT_IN_NUMBER_CELL: ("非数字", "，未取数"),
    NoteCode.NEGATIVE_COUNT: ("负数", "，此格应为件数，未取数"),
    NoteCode.DECIMAL_COUNT: ("小数", "，此格应为整数，未取数"),
    NoteCode.AMBIGUOUS_DIGITS: ("数字不清", "，可能是一个数，也可能是两个，未取数"),
    NoteCode.SETTLED_BY_RULE: ("按勾稽关系确定", "，只有一种读法符合校验"),
    NoteCode.ROW_NOT_FOUND: ("未找到：报告中没有找到此行", ""),
    NoteCode.COLUMN_NOT_FOUND: ("未找到：找到了此行，没有找到此列", ""),
    NoteCode.TABLE_NOT_FOUND: ("未找到：报告中没有找到此表", ""),
    NoteCode.DUPLICATE_ROW: ("未取数：此行在报告中印了不止一次", ""),
    NoteCode.CONFLICT: ("两种读法所得不一致", "，未取数"),
    NoteCode.SHARED_CELL: ("未取数：此格与相邻的格合印一个数，未能分开", ""),
    NoteCode.OCR_DOUBTFUL: (f"{DOUBTFUL}：扫描件上未能可靠识别，须对照原件填写", ""),
    NoteCode.OCR_CORRECTED_BY_RULE: ("扫描件上识别的数已按勾稽关系更正", ""),
}
# The codes whose cell is not read from the report (its raw, if any, is not this cell's).
_NOT_PRINTED = {
    NoteCode.BLANK,
    NoteCode.ROW_NOT_FOUND,
    NoteCode.COLUMN_NOT_FOUND,
    NoteCode.TABLE_NOT_FOUND,
    NoteCode.DUPLICATE_ROW,
    NoteCode.SHARED_CELL,
    NoteCode.OCR_DOUBTFUL,
    NoteCode.OCR_CORRECTED_BY_RULE,
}
# Why OCR could not vouch for a cell (the `why` of its `ocr_readings`), in the sheets' words.
_WHY = {
    Why.NOT_A_NUMBER: "识别所得不是单纯的数",
    Why.SEAL: "格中有印章的红色印迹",
    Why.SMUDGE: "格中有污迹",
    Why.INK_TOUCHING_RULES: "笔画触及表格线",
    Why.TEXT_WITHOUT_INK: "识别出文字而墨迹检测未见墨迹",
    Why.LOW_SCORE: "识别置信度偏低",
    Why.DIGITS_DIFFER: "只认数字时读出的数字不同",
    Why.BREAKS_RULES: "不符合勾稽关系",
    Why.RULES_LEAVE_ANOTHER: "按勾稽关系此格应为识别所得以外的数",
    Why.ONE_READING: "只从整页识别一次而无从比对",
    Why.UNDER_SEAL: "此格在印章下",
    Why.SIGN_UNSEEN: "墨迹看不出数前有无负号",
    Why.SIGN_CONTRADICTED: "墨迹所示的负号与识别所得不符",
    Why.RULES_HOLD_UNFIXED: "勾稽关系成立但不能确定此数",
    Why.NO_RULE: "没有勾稽关系可以核对此数",
    Why.READINGS_DISAGREE: "两次识别结果不一致",
    Why.NO_INK: "未见墨迹但此格可疑",
    Why.SHAPE_OF_ZERO: "墨迹是一个圈，像印的0，识别所得却是别的数",
}
# What OCR read (`ocr_readings`), in words, by how it was read.
_OCR_READINGS = {
    ReadingKind.CELL: "单元格识别为{text}（置信度 {score}）",
    ReadingKind.DIGITS: "只认数字为{text}",
    ReadingKind.AGAIN: "再次识别为{text}",
    ReadingKind.PAGE: "从整页识别为{text}",
    ReadingKind.SHAPE: "墨迹形状为{text}",
}


def _quoted(text: object) -> str:
    return f"“{str(text).strip()}”"


def _readings(readings: object) -> list[str]:
    """What OCR read (a record's `ocr_readings`), those the note names, in its order, in words:
    单元格识别为“2357”（置信度 1.00）."""
    out = []
    for reading in listed(from_column(readings)):
        words = _OCR_READINGS[reading.kind]
        if reading.score is None:
            words = words.replace("（置信度 {score}）", "")
        out.append(words.format(text=_quoted(reading.text), score=f"{reading.score or 0:.2f}"))
    return out


def hover_note(note: object, note_code: object, raw: object = None, readings: object = None) -> str:
    """A cell's hover note in the sheets' words (Chinese), from its note code, what the report
    printed (`raw`) and, for a scan, from its `ocr_readings` (`readings`): why OCR could not vouch
    for it (`_WHY`) and what OCR read. Every note code has its words in `_HOVER`; a note of no
    code is as it is (未找到 where it is empty). The workbook's and summary's hover notes."""
    note = note if isinstance(note, str) else ""
    try:
        code = NoteCode(note_code)
    except ValueError:
        return note or "未找到"
    head, tail = _HOVER[code]
    raw = plain(raw)
    printed = code not in _NOT_PRINTED and raw is not None and str(raw).strip()
    text = f"{head}{f'：报告中此格为{_quoted(raw)}' if printed else ''}{tail}"
    if code is NoteCode.OCR_DOUBTFUL and (why := why_from_column(readings)):
        text += "；原因：" + "，".join(_WHY[reason] for reason in why)
    ocr = code in (NoteCode.OCR_DOUBTFUL, NoteCode.OCR_CORRECTED_BY_RULE)
    if ocr and (said := _readings(readings)):
        text += "；" + "，".join(said)
    return text


def note_on_paper(note: object, note_code: object, readings: object) -> object:
    """A cell's note as a sheet prints it: for a number OCR could not vouch for (`ocr_doubtful`),
    why, in words, without what OCR read (`readings`, its `ocr_readings`), which may be wrong and
    would print as a number beside its 待核 (the whole note is a hover note); any other note as it
    is. An output written before `ocr_readings` has none: its note is as it is."""
    if not (isinstance(note_code, str) and note_code == NoteCode.OCR_DOUBTFUL and isinstance(note, str)):
        return note
    return without_readings(note, from_column(readings))


@dataclass(frozen=True)
class FormLine:
    """One printed line of a table: a group row (no `row_id`) or a row of numbers."""

    label: str
    depth: int  # 0 for the outermost level
    row_id: str = ""
    group_id: str = ""

    @property
    def is_group(self) -> bool:
        return not self.row_id


def _row(table: Table, row_id: str) -> Row | None:
    return next((r for r in (*table.rows, *table.alternative_rows) if r.id == row_id), None)


def form_lines(table: Table, row_ids: Iterable[str]) -> list[FormLine]:
    """The rows `row_ids` (in the order given) with the group rows the form prints above them."""
    lines: list[FormLine] = []
    open_groups: list[str] = []
    for row_id in dict.fromkeys(row_ids):
        row = _row(table, row_id)
        if row is None:
            continue
        if table.groups:
            chain = [(g.label, g.id) for g in table.group_chain(row)]
        else:
            label, group_id = table.row_group(row)
            chain = [(label, group_id)] if group_id else []
        common = 0
        while common < min(len(chain), len(open_groups)) and chain[common][1] == open_groups[common]:
            common += 1
        for depth, (label, group_id) in enumerate(chain[common:], start=common):
            lines.append(FormLine(label, depth, group_id=group_id))
        open_groups = [group_id for _, group_id in chain]
        lines.append(FormLine(row.label, len(chain), row_id=row.id, group_id=row.group or ""))
    return lines


_PLACE = re.compile(r"\[(?P<place>[^\]]+)\]$")


def check_place(form_version: str | None, rule_id: str) -> str:
    """Where a rule failed, as the form names it: 自然人 for applications_balance[natural_person]."""
    match = _PLACE.search(rule_id)
    if match is None:
        return ""
    place = match["place"]
    form = FORMS.get(str(form_version), FORMS["2021"])
    for table in form.tables:
        for column in table.columns:
            if column.id == place:
                return column.name
        row = _row(table, place)
        if row is not None and len(table.rows) > 1:
            return row.label
        if row is not None:
            # Table 四 has one row: the rule's own total column names its group (行政复议).
            rule = next((r for r in form.rules if r.id == rule_id.split("[")[0]), None)
            column = next((c for c in table.columns if rule is not None and c.id == rule.lhs[0]), None)
            return "/".join(column.path[:-1]) if column is not None else table.title
    return place


def failed_rule(form_version: str | None, rule_id: str) -> str:
    """A rule and where it failed: applications_balance (自然人)."""
    place = check_place(form_version, rule_id)
    name = rule_id.split("[")[0]
    return f"{name} ({place})" if place else name


# The headline figures: (header, table, rows, columns). A figure sums its cells.
HEADLINE_FIGURES = (
    ("本年新收申请", "applications", ("new_requests",), ("total",)),
    ("予以公开", "applications", ("granted",), ("total",)),
    ("部分公开", "applications", ("partially_granted",), ("total",)),
    (
        "不予公开",
        "applications",
        tuple(r.id for r in FORMS["2021"].table("applications").rows if r.group == "withheld"),
        ("total",),
    ),
    ("行政复议结果纠正", "review_litigation", ("review_litigation",), ("review_corrected",)),
    (
        "行政诉讼结果纠正",
        "review_litigation",
        ("review_litigation",),
        ("litigation_direct_corrected", "litigation_after_review_corrected"),
    ),
)


def _figure(values: dict[tuple[str, str, str], float], table: str, rows, columns) -> float | None:
    """The sum of the printed numbers; none as soon as one of its cells holds no number.

    A blank cell, a / or a cell not found leaves the figure empty, as it leaves the
    arithmetic rules it takes part in unevaluated: gongkai never reads a blank as 0.
    """
    total = 0.0
    for row in rows:
        for column in columns:
            value = values.get((table, row, column))
            if value is None or pd.isna(value):
                return None
            total += value
    return total


def headlines(cells: pd.DataFrame, checks: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per report: agency, year, form, the headline figures and the rules it breaks
    (where `checks` are given); those columns also when there is no report."""
    rows = []
    failed = checks[checks["status"] == "failed"] if checks is not None else None
    columns = ["source", "agency", "year", "form", *(f[0] for f in HEADLINE_FIGURES)]
    columns += ["未通过的校验"] if failed is not None else []
    for source, report in cells.groupby("source", sort=True):
        keys = zip(report["table"], report["row_id"], report["column_id"], strict=True)
        values = dict(zip(keys, report["value"], strict=True))
        first = report.iloc[0]
        row = {"source": source, "agency": first["agency"], "year": first["year"], "form": first["form"]}
        for header, table, row_ids, column_ids in HEADLINE_FIGURES:
            row[header] = _figure(values, table, row_ids, column_ids)
        if failed is not None:
            broken = failed.loc[failed["source"] == source, "rule_id"].tolist()
            row["未通过的校验"] = "；".join(failed_rule(first["form"], r) for r in broken)
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def prints_no_number(note_codes: pd.Series) -> pd.Series:
    """Cells printed without a number on purpose (blank, / or —): they add nothing to a sum."""
    return note_codes.isin([NoteCode.BLANK, NoteCode.NOT_APPLICABLE]).fillna(False).astype(bool)
