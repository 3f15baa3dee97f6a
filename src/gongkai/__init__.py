"""gongkai: read 政府信息公开工作年度报告 (government information-disclosure annual reports) into data.

>>> import gongkai
>>> report = gongkai.read_report("淮安市2024.pdf")  # or a web page (.html) or a Word file (.docx)
>>> report.agency, report.year, report.status
>>> report.cells  # one row per cell of the standard form
"""

from .agency import agency_key
from .batch import FailedReportsWarning, expand_inputs, iter_reports, read_reports
from .errors import (
    GongkaiError,
    MissingToolError,
    NotAReportError,
    ScannedReportError,
    UnreadableFileError,
    UnreadablePDFError,
    UnsupportedFormError,
)
from .forms import FORM_2019, FORM_2021, FORMS
from .output.compare import compare_cells, year_over_year
from .output.records import CELL_COLUMNS, CHECK_COLUMNS, FILE_COLUMNS
from .output.summary import Summary, read_output, summarize, summarize_reports
from .output.wide import to_wide
from .output.workbook import write_workbook
from .report import Report, read_report

__version__ = "0.1.0"

__all__ = [
    "CELL_COLUMNS",
    "CHECK_COLUMNS",
    "FILE_COLUMNS",
    "FORMS",
    "FORM_2019",
    "FORM_2021",
    "FailedReportsWarning",
    "GongkaiError",
    "MissingToolError",
    "NotAReportError",
    "Report",
    "ScannedReportError",
    "Summary",
    "UnreadableFileError",
    "UnreadablePDFError",
    "UnsupportedFormError",
    "__version__",
    "agency_key",
    "compare_cells",
    "expand_inputs",
    "iter_reports",
    "read_output",
    "read_report",
    "read_reports",
    "summarize",
    "summarize_reports",
    "to_wide",
    "write_workbook",
    "year_over_year",
]
