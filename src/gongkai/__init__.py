"""gongkai: read 政府信息公开工作年度报告 (government information-disclosure annual reports) into data.

>>> import gongkai
>>> report = gongkai.read_report("淮安市2024.pdf")
>>> report.agency, report.year, report.status
>>> report.cells  # one row per cell of the standard form
"""

from .batch import expand_inputs, iter_reports, read_reports
from .errors import (
    GongkaiError,
    NotAReportError,
    ScannedReportError,
    UnreadablePDFError,
    UnsupportedFormError,
)
from .forms import FORM_2019, FORM_2021, FORMS
from .output.records import CELL_COLUMNS, CHECK_COLUMNS, FILE_COLUMNS
from .report import Report, read_report

__version__ = "0.1.0"

__all__ = [
    "CELL_COLUMNS",
    "CHECK_COLUMNS",
    "FILE_COLUMNS",
    "FORMS",
    "FORM_2019",
    "FORM_2021",
    "GongkaiError",
    "NotAReportError",
    "Report",
    "ScannedReportError",
    "UnreadablePDFError",
    "UnsupportedFormError",
    "__version__",
    "expand_inputs",
    "iter_reports",
    "read_report",
    "read_reports",
]
