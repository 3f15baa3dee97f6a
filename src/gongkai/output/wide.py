"""The wide shape: one row per report, one column per cell of the form (panel data).

A cell's column is `table.row_id.column_id`, e.g.
`applications.unavailable_not_held.natural_person`. The ids come from forms.py,
where the 2019 and 2021 forms share an id wherever a cell means the same (all of
table 三 and 四, and table 二's 处理决定数量 of 行政许可, 行政处罚 and 行政强制), so
one column holds that cell in reports of either form. Cells of one form only
(2021: 本年制发件数; 2019: 上一年项目数量) have their own columns, empty in the
other form's reports.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from ..forms import FORMS

if TYPE_CHECKING:  # the column names are needed without pandas (records.py), the pivot with it
    import pandas as pd

WIDE_ID_COLUMNS = ["source", "agency", "agency_key", "year", "form"]


def cell_column(table: str, row_id: str, column_id: str) -> str:
    return f"{table}.{row_id}.{column_id}"


@cache
def wide_cell_columns() -> tuple[str, ...]:
    """Every cell of both forms, in the 2021 form's order, then the cells only the 2019 form has.

    A group printed as one row (（六）其他处理 of the 2019 form and of hybrids) has its
    own columns, next to its sub-rows'.
    """
    names: dict[str, None] = {}
    for version in ("2021", "2019"):
        for table in FORMS[version].tables:
            rows = list(table.rows)
            for alternative in table.alternative_rows:
                members = [i for i, row in enumerate(rows) if row.group == alternative.id]
                rows.insert(members[0] if members else len(rows), alternative)
            for row in rows:
                block = table.block_of(row.id) if row in table.rows else table.blocks[0]
                for column in block.columns:
                    names[cell_column(table.id, row.id, column.id)] = None
    return tuple(names)


def wide_columns() -> list[str]:
    return [*WIDE_ID_COLUMNS, *wide_cell_columns()]


def report_form(cells: pd.DataFrame) -> str | None:
    """The report's form version: that of its table 三, which decides it (see report.choose_versions)."""
    import pandas as pd

    applications = cells.loc[cells["table"] == "applications", "form"]
    forms = applications if len(applications) else cells["form"]
    return None if forms.empty or pd.isna(forms.iloc[0]) else str(forms.iloc[0])


def to_wide(cells: pd.DataFrame) -> pd.DataFrame:
    """One row per report (source), one float column per cell of the form; see the module's docstring.

    An empty value stays empty (NaN): the long records' `note` says why.
    """
    import pandas as pd

    from .records import require_cells

    require_cells(cells)

    columns = wide_columns()
    if cells.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns}).astype(_id_dtypes())
    keys = (
        cells["table"].astype(str) + "." + cells["row_id"].astype(str) + "." + cells["column_id"].astype(str)
    )
    values = pd.DataFrame({"source": cells["source"], "key": keys, "value": cells["value"].astype("float64")})
    table = values.pivot_table(index="source", columns="key", values="value", aggfunc="first", sort=False)
    table = table.reindex(columns=list(wide_cell_columns()))
    groups = cells.groupby("source", sort=False)
    identity = pd.DataFrame(
        {
            "agency": groups["agency"].first(),
            "agency_key": groups["agency_key"].first(),
            "year": groups["year"].first(),
            "form": groups[["table", "form"]].apply(report_form),
        }
    )
    out = identity.join(table).reset_index(names="source")
    out = out.reindex(columns=columns)
    return out.astype(_id_dtypes())


def _id_dtypes() -> dict[str, str]:
    return {"source": "string", "agency": "string", "agency_key": "string", "year": "Int64", "form": "string"}
