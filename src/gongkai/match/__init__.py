"""Stage 5: match printed rows and columns to the form's rows and columns."""

from .rows import read_table

__all__ = ["read_table"]
