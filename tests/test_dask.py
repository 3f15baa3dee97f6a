"""Reading on a Dask cluster (distributed.LocalCluster with worker processes) equals reading here."""

from __future__ import annotations

import csv
import shutil

import pytest
from click.testing import CliRunner

from gongkai.batch import expand_inputs
from gongkai.cli import main

from .conftest import FIXTURES, SAMPLES

distributed = pytest.importorskip("distributed", reason="Dask is an extra: pip install 'gongkai[dask]'")


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def _status_rows(path) -> list[list[str]]:
    """The status table without its `seconds` column (the time each file took in the run that read it)."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    drop = rows[0].index("seconds")
    return [row[:drop] + row[drop + 1 :] for row in rows]


def test_a_cluster_run_writes_what_a_local_run_writes(tmp_path, scheduler):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLES, folder)
    shutil.copytree(FIXTURES / "bad", folder / "bad")
    shutil.copyfile(SAMPLES / "yunhu-district-2024.pdf", folder / "yunhu copy.pdf")
    outputs = {}
    for name, options in [("local", ["-w", "2"]), ("dask", ["--scheduler", scheduler])]:
        outputs[name] = tmp_path / name / "cells.csv"
        result = CliRunner().invoke(main, ["extract", str(folder), "-o", str(outputs[name]), *options])
        assert result.exit_code == 1, result.stderr  # the bad inputs fail, on the cluster too
        assert "Traceback" not in result.stderr
    local, dask = outputs["local"], outputs["dask"]
    assert dask.read_bytes() == local.read_bytes()
    assert dask.with_name("cells.checks.csv").read_bytes() == local.with_name("cells.checks.csv").read_bytes()
    files = _status_rows(dask.with_name("cells.files.csv"))
    assert files == _status_rows(local.with_name("cells.files.csv"))
    assert len(files) == 1 + len(expand_inputs([str(folder)]))  # a header, and a row for every input


def test_read_reports_on_a_client(scheduler):
    import gongkai

    with distributed.Client(scheduler) as client:
        on_cluster = gongkai.read_reports(str(SAMPLES), client=client)
    here = gongkai.read_reports(str(SAMPLES))
    assert on_cluster.equals(here) and len(here) > 0
