"""A legacy Word file's conversion by LibreOffice leaves nothing behind: no converter still
running and no temporary folder, whether the run is stopped (Ctrl-C, SIGTERM) or killed (kill -9).

The converter here is a stand-in `soffice` that only waits, as a conversion that takes its
time does; its command line names the conversion's folder, as every LibreOffice process does.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from gongkai.sources import libreoffice

from .conftest import ROOT

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the processes are looked for in /proc"
)

_WAITING_SOFFICE = """#!{python}
import os, pathlib, time
pathlib.Path(os.environ["GONGKAI_TEST_MARK"]).touch()
time.sleep(600)
"""
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600  # what a .doc starts with


def _processes_naming(text: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if text.encode() in handle.read():
                        found.append(int(entry))
            except OSError:
                continue
    return found


def _wait_until(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


@pytest.fixture
def converting(tmp_path):
    """Starts `gongkai extract` on a .doc (and returns it) once the stand-in converter runs;
    its temporary folder is tmp_path/tmp. Whatever is left running is killed at the end."""
    bin_folder, temporary = tmp_path / "bin", tmp_path / "tmp"
    bin_folder.mkdir()
    temporary.mkdir()
    fake = bin_folder / "soffice"
    fake.write_text(_WAITING_SOFFICE.format(python=sys.executable))
    fake.chmod(0o755)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "report.doc").write_bytes(_OLE2)
    mark = tmp_path / "converting"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}",
        "TMPDIR": str(temporary),
        "GONGKAI_TEST_MARK": str(mark),
    }
    started = []

    def start(*options: str) -> subprocess.Popen:
        command = [sys.executable, "-m", "gongkai", "extract", str(tmp_path / "in"), "-o"]
        command += [str(tmp_path / "out" / "cells.csv"), "-q", *options]
        process = subprocess.Popen(
            command,
            env=env,
            stderr=subprocess.PIPE,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        started.append(process)
        assert _wait_until(mark.exists, 60), "the converter never started"
        assert _processes_naming(str(temporary))
        return process

    yield start, temporary
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()
    for pid in _processes_naming(str(temporary)):
        os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("options", [(), ("-w", "1", "--timeout", "0")], ids=["worker", "in-process"])
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_run_stopped_while_libreoffice_converts_leaves_no_converter_and_no_folder(
    converting, signum, code, options
):
    """The batch killed its worker with kill -9, which left the converter running (for as long
    as it took, or for ever) and its profile folder in the temporary folder."""
    start, temporary = converting
    process = start(*options)
    process.send_signal(signum)
    _, errors = process.communicate(timeout=20)
    assert process.returncode == code, errors
    assert _wait_until(lambda: not _processes_naming(str(temporary)), 5)
    assert list(temporary.iterdir()) == []


@pytest.mark.parametrize("later", [(), ("-w", "1", "--timeout", "0")], ids=["worker", "in-process"])
def test_a_run_killed_while_libreoffice_converts_takes_the_converter_with_it_and_the_next_run_clears(
    converting, tmp_path, later
):
    start, temporary = converting
    process = start()
    process.kill()
    process.wait()
    assert _wait_until(lambda: not _processes_naming(str(temporary)), 5)
    [left] = temporary.iterdir()  # nothing could remove it: it is named after its process
    assert left.name.startswith("gongkai-convert-")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TMPDIR": str(temporary)}
    again = [sys.executable, "-m", "gongkai", "extract", str(ROOT / "samples" / "jiangyuan-city-2021.pdf")]
    output = str(tmp_path / "later" / "cells.csv")
    subprocess.run([*again, "-o", output, "-q", *later], env=env, check=True)
    assert list(temporary.iterdir()) == []


def test_only_the_folders_of_ended_processes_are_removed_with_what_still_runs_in_them(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ended = subprocess.Popen(["true"])
    ended.wait()
    abandoned = tmp_path / f"gongkai-convert-{ended.pid}-abcd1234"
    in_use = tmp_path / f"gongkai-convert-{os.getpid()}-abcd1234"
    other = tmp_path / "gongkai-other-1-abcd1234"
    for folder in (abandoned, in_use, other):
        (folder / "profile").mkdir(parents=True)
    # As soffice.bin names its folder: -env:UserInstallation=file://…/profile --outdir …
    still_converting = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)", f"--outdir={abandoned}/profile"]
    )
    try:
        assert _wait_until(lambda: _processes_naming(str(abandoned)))  # its command line is read once exec'd
        libreoffice.remove_abandoned_conversions()
        assert _wait_until(lambda: still_converting.poll() is not None, 5)
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([in_use.name, other.name])
    finally:
        still_converting.kill()
        still_converting.wait()


def test_a_conversion_folder_that_does_not_come_away_leaves_the_conversion_s_own_error(tmp_path, monkeypatch):
    """A converter killed a moment ago may still write to its profile as it dies: removing the
    folder then failed ('Directory not empty'), and that failure stood in for the conversion's
    own error (its time up, Ctrl-C). The folder is left to a later run."""
    from gongkai.errors import UnreadableFileError
    from gongkai.sources.docx import read_legacy_word

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def timed_out(path, folder):
        raise UnreadableFileError("LibreOffice took more than 60 s to convert the file")

    def still_written(path, *args, **kwargs):
        raise OSError(errno.ENOTEMPTY, os.strerror(errno.ENOTEMPTY), path)

    monkeypatch.setattr(libreoffice, "convert_to_docx", timed_out)
    monkeypatch.setattr(os, "rmdir", still_written)
    with pytest.raises(UnreadableFileError, match="took more than 60 s"):
        read_legacy_word(tmp_path / "report.doc")
