"""gongkai: read 政府信息公开工作年度报告 (government information-disclosure annual reports) into data.

>>> import gongkai
>>> report = gongkai.read_report("淮安市2024.pdf")  # or a web page (.html) or a Word file (.docx)
>>> report.agency, report.year, report.status
>>> report.cells  # one row per cell of the standard form
"""

import importlib

from .errors import (
    GongkaiError,
    InputTypeError,
    InvalidOptionError,
    MissingToolError,
    NoInputsError,
    NotAReportError,
    OcrUnavailableError,
    OutputWriteError,
    RunsFileError,
    ScannedReportError,
    UnknownKindError,
    UnreadableFileError,
    UnreadablePDFError,
    UnsupportedFormError,
)

# The rest is imported when first used: pandas, pyarrow and openpyxl cost most of a short run's
# time, and `gongkai --help` or a usage error needs none of them. The forms too: the `gongkai`
# command imports this package before it takes over Ctrl-C, which prints a traceback while
# anything loaded here loads.
_LAZY = {
    "FORM_2019": ".forms",
    "FORM_2021": ".forms",
    "FORMS": ".forms",
    "agency_key": ".agency",
    "FailedReportsWarning": ".batch",
    "expand_inputs": ".batch",
    "iter_reports": ".batch",
    "read_reports": ".batch",
    "compare_cells": ".output.compare",
    "year_over_year": ".output.compare",
    "CELL_COLUMNS": ".output.records",
    "CHECK_COLUMNS": ".output.records",
    "FILE_COLUMNS": ".output.records",
    "NotAnOutputError": ".output.summary",
    "Summary": ".output.summary",
    "read_output": ".batch",  # refuses a run's own files, as summary does
    "summarize": ".output.summary",
    "summarize_reports": ".output.summary",
    "to_wide": ".output.wide",
    "write_workbook": ".output.workbook",
    "Report": ".report",
    "read_report": ".batch",  # refuses a run's own files, as extract does
}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'gongkai' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


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
    "InputTypeError",
    "InvalidOptionError",
    "MissingToolError",
    "NoInputsError",
    "NotAReportError",
    "NotAnOutputError",
    "OcrUnavailableError",
    "OutputWriteError",
    "Report",
    "RunsFileError",
    "ScannedReportError",
    "Summary",
    "UnknownKindError",
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
