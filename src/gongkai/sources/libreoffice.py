"""LibreOffice converts legacy Word files (.doc, .wps, RTF) to .docx, in a folder of its own.

A conversion is a tree of processes (soffice starts oosplash, which starts soffice.bin) with a
profile and the converted file in a temporary folder. None of it may outlive the run: a
conversion that hangs is killed whole at its time limit, and so is one whose reading is
stopped (Ctrl-C, SIGTERM). Where the process that converts is killed with no say (kill -9, or a
batch worker killed at its limit or when the batch stops), Linux kills the converter with it,
and the folder is removed by the next run that looks: it is named after that process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .. import pool
from ..errors import MissingToolError, UnreadableFileError
from ..settings import DEFAULT

_CONVERT_SECONDS = DEFAULT.markup.convert_seconds
# gongkai-convert-<pid of the process that converts>-<random>
_FOLDER_PREFIX = "gongkai-convert-"


@contextlib.contextmanager
def conversion_folder() -> Iterator[str]:
    """A temporary folder for one conversion, named after this process; the folders that
    ended processes left are removed first."""
    remove_abandoned_conversions()
    # A converter just killed may still write to its profile as it dies, and the folder not
    # come away whole: its failure to leave would stand in for the error (a conversion's time
    # up, Ctrl-C). What it leaves, a later run removes.
    with tempfile.TemporaryDirectory(
        prefix=f"{_FOLDER_PREFIX}{os.getpid()}-", ignore_cleanup_errors=True
    ) as folder:
        yield folder


def convert_to_docx(path: str | Path, folder: str) -> Path:
    """A .doc/.wps/.rtf converted to .docx by LibreOffice into `folder`."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise MissingToolError(
            f"reading a {Path(path).suffix or 'legacy Word'} file needs LibreOffice: install it "
            "(Debian/Ubuntu: apt-get install libreoffice-writer) so that `soffice` is on the PATH, "
            "or save the file as .docx"
        )
    command = [
        soffice,
        f"-env:UserInstallation={(Path(folder) / 'profile').as_uri()}",
        "--headless",
        "--convert-to",
        "docx",
        "--outdir",
        folder,
        str(Path(path).resolve()),
    ]
    # Not `subprocess.run(timeout=...)`, which kills `soffice` alone: it starts oosplash, which
    # starts soffice.bin, and a conversion that hung went on running after its time was up. In
    # a session of its own, the converter and all it starts are one process group to kill; and
    # where Linux allows, it is killed when this process ends, even by kill -9 (soffice.bin
    # then ends with its oosplash). Linux watches the thread that starts it: this one, which
    # waits for it to end.
    with subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=pool.dying_with(os.getpid()),
    ) as converting:
        try:
            converting.wait(timeout=_CONVERT_SECONDS)
        except subprocess.TimeoutExpired:
            _kill_converter(converting)
            raise UnreadableFileError(
                f"LibreOffice took more than {_CONVERT_SECONDS:g} s to convert the file"
            ) from None
        except BaseException:  # Ctrl-C or SIGTERM while it converts: none of it left running
            _kill_converter(converting)
            raise
    converted = Path(folder) / (Path(path).stem + ".docx")
    if not converted.exists():
        raise UnreadableFileError(
            "LibreOffice could not convert the file to .docx (corrupt or not a Word file)"
        )
    return converted


def _kill_converter(process: subprocess.Popen) -> None:
    """Kill the converter and every process it started (its process group), and wait for it."""
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()
    process.wait()


def remove_abandoned_conversions() -> None:
    """Remove the conversion folders this user's ended processes left in the temporary folder,
    first killing any converter still running in one. Only where processes can be looked up
    without harm (POSIX: on Windows `os.kill` ends the process it asks about)."""
    if os.name != "posix":
        return
    try:
        entries = [e for e in os.scandir(tempfile.gettempdir()) if e.name.startswith(_FOLDER_PREFIX)]
    except OSError:
        return
    for entry in entries:
        owner = entry.name[len(_FOLDER_PREFIX) :].partition("-")[0]
        try:
            mine = entry.is_dir(follow_symlinks=False) and entry.stat().st_uid == os.getuid()
        except OSError:  # removed meanwhile
            continue
        if not (mine and owner.isdigit()) or _running(int(owner)):
            continue
        for pid in _processes_naming(entry.path):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(entry.path, ignore_errors=True)  # what is left is removed by the next run


def _running(pid: int) -> bool:
    """Whether the process `pid` exists and has not ended (a zombie has: whoever adopted it
    may never wait for it)."""
    if os.path.isdir("/proc"):
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                # pid (name) state …: the name may hold spaces and brackets of its own.
                return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
        except FileNotFoundError:
            return False
        except (OSError, IndexError):  # not ours to read: asked as below
            pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        pass
    return True


def _processes_naming(folder: str) -> list[int]:
    """The processes whose arguments name `folder` or a file in it, as every process of a
    conversion into it does; none where the system has no /proc."""
    named = os.fsencode(folder)
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as handle:
                    arguments = handle.read().split(b"\0")
            except OSError:  # ended meanwhile, or not ours to read
                continue
            if any(a == named or named + b"/" in a for a in arguments):
                found.append(int(entry.name))
    return found
