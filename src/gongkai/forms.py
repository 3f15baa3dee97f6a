"""The standard forms, defined once as data.

Everything the pipeline knows about a form version lives here: its tables,
blocks, rows and columns with official labels and stable ASCII ids, the value
kind of each column, and the form's own arithmetic. Other modules look labels
up here and never spell them out themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property


class ValueKind(StrEnum):
    COUNT = "count"  # non-negative integer
    SIGNED_COUNT = "signed_count"  # integer that may be negative (本年增/减)
    AMOUNT = "amount"  # decimal, in 万元


@dataclass(frozen=True)
class Column:
    """A column of the form: its id and its official header labels."""

    id: str
    path: tuple[str, ...]  # official header labels, outermost first
    kind: ValueKind = ValueKind.COUNT

    # Form parts key the matcher's caches thousands of times a report: they hash by
    # their ids (equality stays field by field).
    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def label(self) -> str:
        return self.path[-1]

    @property
    def name(self) -> str:
        """The column as written in the output: the path joined with '/'."""
        return "/".join(self.path)


@dataclass(frozen=True)
class Row:
    """A row of the form: its id, its official label and the group it belongs to."""

    id: str
    label: str
    group: str | None = None  # id of the Group this row belongs to

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True)
class Group:
    """A merged label cell standing over several rows, e.g. （三）不予公开.

    A report may print a group as one row instead of its sub-rows (（六）其他处理
    in 2019-style hybrids): that row is a `Table.alternative_rows` entry with the
    group's id, and the arithmetic then works on it.
    """

    id: str
    label: str
    parent: str | None = None


@dataclass(frozen=True)
class Block:
    """The rows and columns of one part of a table (table 二 has one block per article)."""

    id: str
    title: str  # e.g. 第二十条第（一）项; empty for one-block tables
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True)
class Table:
    """One table of the form (二, 三, 四): its blocks, groups and the words of its headers."""

    id: str
    numeral: str  # the section numeral: 二, 三, 四
    title: str
    blocks: tuple[Block, ...]
    groups: tuple[Group, ...] = ()
    header_words: tuple[str, ...] = ()  # text that marks a header row
    stub_header: str = ""  # the printed text over the label column(s)
    top_header: str = ""  # a header standing over every value column
    # Rows a report may print in place of a group's sub-rows (hybrid layouts).
    alternative_rows: tuple[Row, ...] = ()
    short_title: str = ""  # e.g. 依申请公开: the table's name where space is short (sheet names)

    def __hash__(self) -> int:
        return hash((self.id, self.title))

    # Derived views, computed once: the matcher asks for them on every printed row.
    @cached_property
    def rows(self) -> tuple[Row, ...]:
        return tuple(row for block in self.blocks for row in block.rows)

    @cached_property
    def columns(self) -> tuple[Column, ...]:
        seen: dict[str, Column] = {}
        for block in self.blocks:
            for column in block.columns:
                seen.setdefault(column.id, column)
        return tuple(seen.values())

    @cached_property
    def _blocks_by_row(self) -> dict[str, Block]:
        return {row.id: block for block in reversed(self.blocks) for row in block.rows}

    @cached_property
    def _columns_by_id(self) -> dict[str, Column]:
        return {column.id: column for column in self.columns}

    def column(self, column_id: str) -> Column:
        return self._columns_by_id[column_id]

    def group(self, group_id: str) -> Group:
        return next(g for g in self.groups if g.id == group_id)

    def block_of(self, row_id: str) -> Block:
        return self._blocks_by_row[row_id]

    def row_group(self, row: Row) -> tuple[str, str]:
        """(label, id) of the printed group a row sits under; ("", "") for none.

        In table 三 that is the row's innermost merged group cell (（三）不予公开 /
        withheld, 三、本年度办理结果 / outcomes); in table 二 the block title
        (第二十条第（一）项 / article20_1). Table 四 has one row and no group.
        """
        if row.group is not None:
            return self.group(row.group).label, row.group
        block = self._blocks_by_row.get(row.id)
        if block is not None and block.title:
            return block.title, block.id
        return "", ""

    def group_chain(self, row: Row) -> tuple[Group, ...]:
        """The groups a row sits under, outermost first (三、本年度办理结果, then （三）不予公开)."""
        chain: list[Group] = []
        group_id = row.group
        while group_id is not None:
            chain.insert(0, self.group(group_id))
            group_id = chain[0].parent
        return tuple(chain)


class Axis(StrEnum):
    """What a rule runs along: down each column (sums of rows), or along each row (sums of columns)."""

    COLUMN = "column"
    ROW = "row"


@dataclass(frozen=True)
class Rule:
    """A family of arithmetic identities, expanded per column or per row.

    `Axis.COLUMN`: for every column in `over`, sum(lhs rows) == sum(rhs rows).
    `Axis.ROW`: for every row in `over`, sum(lhs columns) == sum(rhs columns).
    An item may name a Group: it stands for the group's printed single row if
    the report has one, else for the sum of the group's rows.
    """

    id: str
    text: str
    table: str
    axis: Axis
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]
    over: tuple[str, ...]


@dataclass(frozen=True)
class Form:
    """One version of the standard form: its tables and their arithmetic."""

    version: str
    title: str
    tables: tuple[Table, ...]
    rules: tuple[Rule, ...] = field(default=())

    def table(self, table_id: str) -> Table:
        return next(t for t in self.tables if t.id == table_id)

    @property
    def cell_count(self) -> int:
        return sum(len(b.rows) * len(b.columns) for t in self.tables for b in t.blocks)


# ---------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------

_APPLICANT_COLUMNS = (
    Column("natural_person", ("自然人",)),
    Column("business", ("法人或其他组织", "商业企业")),
    Column("research", ("法人或其他组织", "科研机构")),
    Column("public_interest", ("法人或其他组织", "社会公益组织")),
    Column("legal_services", ("法人或其他组织", "法律服务机构")),
    Column("other_organisation", ("法人或其他组织", "其他")),
    Column("total", ("总计",)),
)

_OUTCOME_GROUPS = (
    Group("outcomes", "三、本年度办理结果"),
    Group("withheld", "（三）不予公开", parent="outcomes"),
    Group("unavailable", "（四）无法提供", parent="outcomes"),
    Group("not_processed", "（五）不予处理", parent="outcomes"),
    Group("other_processing", "（六）其他处理", parent="outcomes"),
)


def _application_rows(other_processing: tuple[Row, ...]) -> tuple[Row, ...]:
    return (
        Row("new_requests", "一、本年新收政府信息公开申请数量"),
        Row("carried_over", "二、上年结转政府信息公开申请数量"),
        Row("granted", "（一）予以公开", "outcomes"),
        Row("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "outcomes"),
        Row("withheld_state_secret", "1.属于国家秘密", "withheld"),
        Row("withheld_prohibited_by_law", "2.其他法律行政法规禁止公开", "withheld"),
        Row("withheld_security_stability", "3.危及“三安全一稳定”", "withheld"),
        Row("withheld_third_party", "4.保护第三方合法权益", "withheld"),
        Row("withheld_internal_affairs", "5.属于三类内部事务信息", "withheld"),
        Row("withheld_process_info", "6.属于四类过程性信息", "withheld"),
        Row("withheld_enforcement_files", "7.属于行政执法案卷", "withheld"),
        Row("withheld_administrative_query", "8.属于行政查询事项", "withheld"),
        Row("unavailable_not_held", "1.本机关不掌握相关政府信息", "unavailable"),
        Row("unavailable_needs_creation", "2.没有现成信息需要另行制作", "unavailable"),
        Row("unavailable_still_unclear", "3.补正后申请内容仍不明确", "unavailable"),
        Row("not_processed_complaint", "1.信访举报投诉类申请", "not_processed"),
        Row("not_processed_repeated", "2.重复申请", "not_processed"),
        Row("not_processed_publication", "3.要求提供公开出版物", "not_processed"),
        Row("not_processed_mass_requests", "4.无正当理由大量反复申请", "not_processed"),
        Row("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息", "not_processed"),
        *other_processing,
        Row("total_processed", "（七）总计", "outcomes"),
        Row("carried_forward", "四、结转下年度继续办理"),
    )


_OTHER_PROCESSING_SINGLE = Row("other_processing", "（六）其他处理", "outcomes")
_OTHER_PROCESSING_2021 = (
    Row(
        "other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "other_processing",
    ),
    Row(
        "other_fee_unpaid",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "other_processing",
    ),
    Row("other_other", "3.其他", "other_processing"),
)

_APPLICATIONS_TITLE = "收到和处理政府信息公开申请情况"
_APPLICATIONS_STUB = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
_APPLICATIONS_TOP = "申请人情况"
_APPLICATIONS_HEADER_WORDS = (_APPLICATIONS_TOP, "自然人", "法人或其他组织", "勾稽关系")


def _applications_table(other_processing: tuple[Row, ...], alternatives: tuple[Row, ...]) -> Table:
    return Table(
        id="applications",
        numeral="三",
        title=_APPLICATIONS_TITLE,
        blocks=(Block("applications", "", _application_rows(other_processing), _APPLICANT_COLUMNS),),
        groups=_OUTCOME_GROUPS,
        header_words=_APPLICATIONS_HEADER_WORDS,
        stub_header=_APPLICATIONS_STUB,
        top_header=_APPLICATIONS_TOP,
        alternative_rows=alternatives,
        short_title="依申请公开",
    )


def _outcome_columns(prefix_id: str, path: tuple[str, ...]) -> tuple[Column, ...]:
    outcomes = (
        ("upheld", "结果维持"),
        ("corrected", "结果纠正"),
        ("other", "其他结果"),
        ("pending", "尚未审结"),
        ("total", "总计"),
    )
    return tuple(Column(f"{prefix_id}_{oid}", (*path, label)) for oid, label in outcomes)


_REVIEW_GROUPS = (
    ("review", ("行政复议",)),
    ("litigation_direct", ("行政诉讼", "未经复议直接起诉")),
    ("litigation_after_review", ("行政诉讼", "复议后起诉")),
)

_REVIEW_LITIGATION = Table(
    id="review_litigation",
    numeral="四",
    title="政府信息公开行政复议、行政诉讼情况",
    blocks=(
        Block(
            "review_litigation",
            "",
            (Row("review_litigation", "政府信息公开行政复议、行政诉讼情况"),),
            tuple(column for group, path in _REVIEW_GROUPS for column in _outcome_columns(group, path)),
        ),
    ),
    header_words=("行政复议", "行政诉讼"),
    short_title="复议诉讼",
)

_APPLICANTS = tuple(c.id for c in _APPLICANT_COLUMNS[:-1])
_OUTCOMES = (
    "granted",
    "partially_granted",
    "withheld",
    "unavailable",
    "not_processed",
    "other_processing",
)


def _rules() -> tuple[Rule, ...]:
    """The form's arithmetic (勾稽关系); the same in both versions, groups standing for their sub-rows."""
    every_column = tuple(c.id for c in _APPLICANT_COLUMNS)
    return (
        Rule(
            "applications_balance",
            "一、本年新收 + 二、上年结转 = （七）总计 + 四、结转下年度继续办理",
            "applications",
            Axis.COLUMN,
            ("new_requests", "carried_over"),
            ("total_processed", "carried_forward"),
            every_column,
        ),
        Rule(
            "applications_outcomes_total",
            "（七）总计 = （一）+（二）+（三）+（四）+（五）+（六）的各项之和",
            "applications",
            Axis.COLUMN,
            ("total_processed",),
            _OUTCOMES,
            every_column,
        ),
        Rule(
            "applications_row_total",
            "总计 = 自然人 + 法人或其他组织的五列之和",
            "applications",
            Axis.ROW,
            ("total",),
            _APPLICANTS,
            (),  # every row of the table
        ),
        *(
            Rule(
                f"{group}_total",
                f"{path[-1]}：总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
                "review_litigation",
                Axis.ROW,
                (f"{group}_total",),
                (f"{group}_upheld", f"{group}_corrected", f"{group}_other", f"{group}_pending"),
                ("review_litigation",),
            )
            for group, path in _REVIEW_GROUPS
        ),
    )


_ACTIVE_TITLE = "主动公开政府信息情况"
_ACTIVE_STUB = "信息内容"
_ACTIVE_HEADER_WORDS = (_ACTIVE_STUB, "第二十条")

_DECISIONS_2021 = Column("decisions", ("本年处理决定数量",))


def _active_disclosure_table(blocks: tuple[Block, ...]) -> Table:
    return Table(
        id="active_disclosure",
        numeral="二",
        title=_ACTIVE_TITLE,
        blocks=blocks,
        header_words=_ACTIVE_HEADER_WORDS,
        stub_header=_ACTIVE_STUB,
        short_title="主动公开",
    )


FORM_2021 = Form(
    version="2021",
    title="中华人民共和国政府信息公开工作年度报告格式（国办公开办函〔2021〕30号）",
    tables=(
        _active_disclosure_table(
            (
                Block(
                    "article20_1",
                    "第二十条第（一）项",
                    (Row("regulations", "规章"), Row("normative_documents", "行政规范性文件")),
                    (
                        Column("issued", ("本年制发件数",)),
                        Column("repealed", ("本年废止件数",)),
                        Column("in_force", ("现行有效件数",)),
                    ),
                ),
                Block(
                    "article20_5", "第二十条第（五）项", (Row("licensing", "行政许可"),), (_DECISIONS_2021,)
                ),
                Block(
                    "article20_6",
                    "第二十条第（六）项",
                    (Row("penalties", "行政处罚"), Row("coercive_measures", "行政强制")),
                    (_DECISIONS_2021,),
                ),
                Block(
                    "article20_8",
                    "第二十条第（八）项",
                    (Row("fees", "行政事业性收费"),),
                    (Column("fee_amount", ("本年收费金额（单位：万元）",), ValueKind.AMOUNT),),
                ),
            )
        ),
        _applications_table(_OTHER_PROCESSING_2021, (_OTHER_PROCESSING_SINGLE,)),
        _REVIEW_LITIGATION,
    ),
    rules=_rules(),
)

_PREVIOUS_AND_CHANGE = (
    Column("previous_year_items", ("上一年项目数量",)),
    Column("change", ("本年增/减",), ValueKind.SIGNED_COUNT),
)
_DECISIONS_2019 = Column("decisions", ("处理决定数量",))

FORM_2019 = Form(
    version="2019",
    title="政府信息公开工作年度报告格式（试行）（国办公开办函〔2019〕60号）",
    tables=(
        _active_disclosure_table(
            (
                Block(
                    "article20_1",
                    "第二十条第（一）项",
                    (Row("regulations", "规章"), Row("normative_documents", "规范性文件")),
                    (
                        Column("newly_made", ("本年新制作数量",)),
                        Column("newly_published", ("本年新公开数量",)),
                        Column("published_total", ("对外公开总数量",)),
                    ),
                ),
                Block(
                    "article20_5",
                    "第二十条第（五）项",
                    (Row("licensing", "行政许可"), Row("other_external_services", "其他对外管理服务事项")),
                    (*_PREVIOUS_AND_CHANGE, _DECISIONS_2019),
                ),
                Block(
                    "article20_6",
                    "第二十条第（六）项",
                    (Row("penalties", "行政处罚"), Row("coercive_measures", "行政强制")),
                    (*_PREVIOUS_AND_CHANGE, _DECISIONS_2019),
                ),
                Block(
                    "article20_8",
                    "第二十条第（八）项",
                    (Row("fees", "行政事业性收费"),),
                    _PREVIOUS_AND_CHANGE,
                ),
                Block(
                    "article20_9",
                    "第二十条第（九）项",
                    (Row("centralized_procurement", "政府集中采购"),),
                    (
                        Column("procurement_items", ("采购项目数量",)),
                        Column("procurement_amount", ("采购总金额",), ValueKind.AMOUNT),
                    ),
                ),
            )
        ),
        _applications_table((_OTHER_PROCESSING_SINGLE,), ()),
        _REVIEW_LITIGATION,
    ),
    rules=_rules(),
)

FORMS: dict[str, Form] = {form.version: form for form in (FORM_2021, FORM_2019)}


# The form in force: reports on 2021 and later. Ties between versions go to it.
CURRENT_VERSION = "2021"
# Reports on years before this one predate the standard form: they are free-form.
FIRST_FORM_YEAR = 2019

# The tables whose labels tell the versions apart, the most telling first: table 三's sub-rows
# under （六）其他处理, then table 二's column labels (both versions print table 四 alike).
VERSION_EVIDENCE_TABLES = ("applications", "active_disclosure")

# The report's title names it: 某市2024年政府信息公开工作年度报告, with 政府, 工作 or 年度 often left out.
REPORT_TITLE_PATTERN = r"(?:政府)?信息公开(?:工作)?(?:年度)?报告"
REPORT_TITLE_WORD = "报告"

# The report's section headings, known by the numeral that opens them plus one of these words:
# agencies reword headings, but keep these. Table rows such as 三、本年度办理结果 carry none.
SECTION_KEYWORDS: dict[str, tuple[str, ...]] = {
    "一": ("总体情况",),
    "二": ("主动公开",),
    "三": ("申请",),
    "四": ("复议", "诉讼"),
    "五": ("问题", "改进"),
    "六": ("其他需要报告", "其他事项"),
}
TABLES_START_SECTION = "二"  # the first table follows this heading
TABLES_FALLBACK_START_SECTIONS = "三四"  # when the 二 heading was not found
TABLES_END_SECTIONS = "五六"  # the prose after the tables starts with one of these

# Block captions of table 二 (第二十条第（一）项), as printed: brackets and 第 are often dropped.
BLOCK_TITLE_PATTERN = r"第二十条第?\(?([一二三四五六七八九十]+)\)?项"
BLOCK_TITLE_FORMAT = "第二十条第（{}）项"

# Words that head cells in more than one table (总计 in 三 and 四, 其他 in 三's columns and 四's
# outcomes): they are no evidence of which table a grid is.
SHARED_TABLE_WORDS = frozenset({"总计", "其他"})
