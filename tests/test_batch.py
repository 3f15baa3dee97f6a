"""Batches: ordered results whatever the workers do, timeouts, and input discovery."""

from __future__ import annotations

import gc
import time

import pytest

from gongkai import batch
from gongkai.batch import NoInputsError, expand_inputs, iter_reports, read_with_timeout

from .conftest import FIXTURES, SAMPLES


def test_timeout_becomes_a_failed_row(monkeypatch):
    def stuck(path, kind):
        time.sleep(5)

    monkeypatch.setattr(batch, "read_report_safely", stuck)
    started = time.perf_counter()
    report = read_with_timeout(str(SAMPLES / "jiangyuan-city-2021.pdf"), timeout=0.2)
    assert time.perf_counter() - started < 2
    assert (report.status, report.reason) == ("failed", "timeout")
    assert report.sha256  # the file itself was fine to hash


def test_results_come_in_input_order_with_two_workers():
    paths = [str(p) for p in sorted(SAMPLES.glob("*.pdf"))] + [str(FIXTURES / "bad" / "not-a-pdf.pdf")]
    paths = sorted(paths)
    reports = list(iter_reports(paths, workers=2, timeout=60))
    assert [r.source for r in reports] == paths
    assert [r.status for r in reports].count("failed") == 1
    assert all(r.geometry == [] for r in reports)  # page geometry does not cross process boundaries
    assert gc.get_freeze_count() == 0  # the collector is frozen only while the workers fork and run


def test_inputs_expand_directories_and_globs(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("b.pdf", "a.PDF", "sub/c.pdf", "notes.txt"):
        (tmp_path / name).write_bytes(b"%PDF-1.4")
    found = expand_inputs([str(tmp_path), str(tmp_path / "*.pdf")])
    assert [p.replace(str(tmp_path), "") for p in found] == ["/a.PDF", "/b.pdf", "/sub/c.pdf"]
    with pytest.raises(NoInputsError):
        expand_inputs([str(tmp_path / "nothing-*.pdf")])
