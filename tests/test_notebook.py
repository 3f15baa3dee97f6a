"""The findings notebook runs top to bottom, so it cannot rot; its charts are inline."""

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
    outputs = [
        output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])
    ]
    text = "".join(
        output.get("text", "") + str(output.get("data", {}).get("text/plain", "")) for output in outputs
    )
    assert "exit status 0" in text or "exit status 1" in text
    assert "reports break at least one rule" in text
    assert "pairs of consecutive years" in text
    # Both charts are in the executed notebook itself, not only in files beside it.
    assert sum(1 for output in outputs if "image/png" in output.get("data", {})) == 2
    # Counts print as whole numbers.
    assert "1276" in text and "1276.0" not in text and "449.0" not in text
    assert (ROOT / "out" / "notebook" / "outcome-mix.png").stat().st_size > 10_000
