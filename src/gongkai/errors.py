"""Exceptions raised by the library. The CLI turns each into one plain line."""


class GongkaiError(Exception):
    """Base class for every error gongkai raises on purpose."""


class UnreadablePDFError(GongkaiError):
    """The file is not a PDF, is corrupt, or is encrypted."""


class NotAReportError(GongkaiError):
    """The PDF opens but holds none of the standard form's tables."""


class UnsupportedFormError(GongkaiError):
    """The report predates the standard form (a free-form report before 2019)."""


class ScannedReportError(GongkaiError):
    """The pages are images without a text layer; reading them needs OCR."""


OCR_MISSING = 'the report is scanned (image pages) and reading it needs OCR: pip install "gongkai[ocr]"'


class OcrUnavailableError(ScannedReportError):
    """The report has scanned pages and the OCR extra (`pip install "gongkai[ocr]"`) is not installed."""


class UnreadableFileError(GongkaiError):
    """The file is not a kind gongkai reads, or is corrupt, too large or hostile (a zip bomb, entities)."""


class MissingToolError(GongkaiError):
    """Reading the file needs a program that is not installed (LibreOffice for .doc and .wps)."""


class OutputWriteError(GongkaiError, OSError):
    """An output could not be written: a full disk or stdout, a folder gone, a character its
    encoding cannot write. The files of a batch are then not moved into place."""


class NoInputsError(GongkaiError, ValueError):
    """None of the given inputs names a file: an empty folder, a pattern that matches nothing."""


class RunsFileError(GongkaiError, ValueError):
    """An input named as such (not found by a folder or pattern, which skip it) is a file a run
    of extract writes: its journal or one of the journal's files, its lock, a table beside its
    output, a temporary of a file being written, or an output. No report: the message says what
    it is and what to give instead. `path` is the input as it was given."""

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.path = path


class InputTypeError(GongkaiError, TypeError):
    """An argument of the wrong kind: an input that is not a path (a path is a str or an
    os.PathLike; bytes are not taken), cell records that are not a DataFrame of them, reports
    that are not Report objects."""


class InvalidOptionError(GongkaiError, ValueError):
    """An option outside what it can be: fewer than one worker or thread, a time limit below zero."""


def require_count(name: str, value: object) -> None:
    """Refuse, before any reading, a count of workers or threads that is not a whole number of
    at least 1 (True is no count, nor is '2')."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidOptionError(f"{name} is a whole number of at least 1, not {value!r}")


class UnknownKindError(GongkaiError, ValueError):
    """An input kind other than auto, pdf, html and docx."""
