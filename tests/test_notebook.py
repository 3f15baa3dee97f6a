"""The findings notebook runs top to bottom, so it cannot rot."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from .conftest import ROOT


def test_findings_notebook_runs(tmp_path):
    notebook = nbformat.read(ROOT / "notebooks" / "findings.ipynb", as_version=4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    ).execute()
    outputs = "".join(
        output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )
    assert "exit status 0" in outputs or "exit status 1" in outputs
    assert "reports break at least one rule" in outputs
    assert (ROOT / "out" / "notebook" / "outcome-mix.png").stat().st_size > 10_000
