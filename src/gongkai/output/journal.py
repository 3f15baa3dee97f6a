"""The journal: every finished report's records, durable the moment the report is done.

A batch writes each report into an SQLite file beside its output as the report
arrives, in one transaction. The final CSV/Parquet/XLSX is assembled from the
journal only when every input is in it, so an interrupted run leaves no half
file, and `--resume` reuses what the journal holds: a report is reused when its
source path and content hash are both unchanged.

SQLite rather than a folder of part files: one file however large the batch, a
commit per report (fsynced, so a power cut loses at most the reports in flight)
at a cost measured in bench/journal.py, and reads by key for the assembly.

One run at a time writes a journal: it holds an exclusive lock on a lock file
beside it (`cells.journal.lock`, holding its pid) from before it reads anything
until it ends. The journal also records the reading options (what is read, not
how it is written), so that a resumed run never mixes reports read otherwise, and
what its last run writes (the output's name, format and shape), which messages
about the journal name (`recorded_output`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import tempfile
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows has no flock: there, runs into one output are not kept apart
    fcntl = None

from ..errors import OutputWriteError
from ..sources import message_path, quoted
from .records import CELL_COLUMNS, CHECK_COLUMNS, FILE_COLUMNS, columns_of, plain_values

# A journal of another layout (or of records with other columns) is not reused.
LAYOUT = (
    "2:" + hashlib.sha256(",".join(CELL_COLUMNS + FILE_COLUMNS + CHECK_COLUMNS).encode()).hexdigest()[:12]
)
KINDS = ("cells", "files", "checks")
# Failures that say nothing about the file itself (how a report's reason starts): --resume reads
# such files again, so a journal holding only them holds nothing to resume.
RETRIED_REASONS = ("timeout", "worker crashed")
# The reports the journal holds that a resumed run would reuse (the one test of it), and how many.
_KEPT = " AND ".join(f"substr(reason, 1, {len(reason)}) != '{reason}'" for reason in RETRIED_REASONS)
_KEPT_REPORTS = f"SELECT count(*) FROM reports WHERE {_KEPT}"


class JournalError(ValueError):
    """The journal beside an output cannot be used."""


class JournalWriteError(OutputWriteError):
    """The journal beside an output could not be written (a full disk, a folder that cannot be
    written): nothing is wrong with the journal itself."""


# What SQLite says of a file that is no journal, rather than of a disk that cannot take one.
_NOT_A_DATABASE = ("SQLITE_NOTADB", "SQLITE_CORRUPT")


# What SQLite's disk I/O errors (SQLITE_IOERR_WRITE, _SHMSIZE, _FSYNC…) do not say: whether
# the disk is full. So much is written beside the journal to tell: more than a report's
# records, or SQLite's largest allocation (its WAL index grows by 32 KiB).
_ROOM_PROBE = 1 << 20


def _write_failure(path: Path | None, error: OSError | sqlite3.Error) -> JournalWriteError:
    """`error` in writing the journal at `path` as one line that says so: the disk is full, or why not."""
    journal = "the journal in memory" if path is None else f"the journal {quoted(path)}"
    name = getattr(error, "sqlite_errorname", "")
    if isinstance(error, OSError):
        why = error.strerror or str(error)
    elif name == "SQLITE_FULL":
        why = "No space left on device"  # as the outputs' own failure to write says it
    elif name.startswith("SQLITE_IOERR") and path is not None:
        why = _no_room(path.parent) or str(error)
    else:
        why = str(error)
    return JournalWriteError(f"cannot write {journal}: {why}")


def _no_room(folder: Path) -> str | None:
    """Why `folder` cannot take _ROOM_PROBE bytes more (`No space left on device`, `Disk quota
    exceeded`), tried by writing them; None when it can."""
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".gongkai.", suffix=".probe") as probe:
            probe.write(bytes(_ROOM_PROBE))
            probe.flush()
    except OSError as error:
        return error.strerror or str(error)
    return None


class JournalBusyError(JournalError):
    """Another run holds the journal's lock."""


class ReadingOptionsChangedError(JournalError):
    """The journal's reports were read with other reading options than the resumed run's."""


class UnfinishedRunError(JournalError):
    """A run that is not resuming found the journal of a run that did not finish: starting
    afresh would throw its reports away, hours of work in a batch of scans."""


def journal_path(output: str) -> Path:
    """cells.csv -> cells.journal.sqlite, beside the output."""
    base = Path(output)
    stem = base.name[: -len(base.suffix)] if base.suffix else base.name
    return base.with_name(f"{stem}.journal.sqlite")


def recorded_output(journal: str | os.PathLike[str]) -> dict | None:
    """What the last run of the journal at `journal` writes, as it recorded it (`Journal`'s
    `output`: its name, beside the journal, format and shape); None where it cannot be told (no
    journal, one of a version that did not record it, a file that is none)."""
    try:
        recorded = json.loads(_meta(journal).get("output", "null"))
    except ValueError:
        return None
    return recorded if isinstance(recorded, dict) else None


def is_journal(path: str | os.PathLike[str]) -> bool:
    """Whether the file at `path` is a journal (of any version: its meta table says its layout)."""
    return "layout" in _meta(path)


def _meta(journal: str | os.PathLike[str]) -> dict[str, str]:
    """The meta table of the journal at `journal`; empty where there is none. Read only: nothing
    is written, no lock taken."""
    path = Path(journal).resolve()
    # A journal a run has closed is all in its file: read as immutable, which opens no -wal or
    # -shm (a read-only connection leaves both); one being written is read with its -wal. Always
    # mode=ro: immutable alone creates a missing file (an empty journal beside a deleted one's tables).
    live = _database_files(path)[1].exists()  # its -wal
    uri = f"{path.as_uri()}?mode=ro{'' if live else '&immutable=1'}"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            return {str(key): str(value) for key, value in db.execute("SELECT key, value FROM meta")}
    except (sqlite3.Error, OSError, ValueError):
        return {}


def _lock_path(journal: Path) -> Path:
    return journal.with_suffix(".lock")


def _database_files(journal: Path) -> list[Path]:
    """The journal's database: itself, SQLite's -wal and -shm (and its rollback -journal, where
    WAL cannot be used)."""
    return [journal, *(journal.with_name(journal.name + end) for end in ("-wal", "-shm", "-journal"))]


def journal_files(output: str) -> list[Path]:
    """Every file the journal of `output` keeps beside it: its database's files, its lock."""
    journal = journal_path(output)
    return [*_database_files(journal), _lock_path(journal)]


def _take_lock(path: Path) -> int | None:
    """An open descriptor of `path` holding its exclusive lock, with this process's pid written in it.

    The lock file is removed when the lock is released, so a run may lock a file that
    the run before it has just removed: the lock counts only on the file still at `path`.
    """
    if fcntl is None:
        return None
    while True:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(descriptor, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(descriptor)
            raise JournalBusyError(
                f"another gongkai run (pid {holder}) is writing {message_path(path.with_suffix('.sqlite'))}; "
                "wait for it to end, or give another output"
            ) from None
        try:
            same_file = os.stat(path).st_ino == os.fstat(descriptor).st_ino
        except FileNotFoundError:
            same_file = False
        if same_file:
            try:
                os.ftruncate(descriptor, 0)
                os.write(descriptor, f"{os.getpid()}\n".encode())
            except OSError:  # a full disk: no lock file is left behind
                _release_lock(path, descriptor)
                raise
            return descriptor
        os.close(descriptor)


def _release_lock(path: Path, descriptor: int) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    os.close(descriptor)


def _changes(stored: Mapping[str, str], given: Mapping[str, str]) -> str:
    """'its reports were read with input kind pdf, this run asks for input kind auto' (each option
    that differs)."""
    names = sorted(set(stored) | set(given))
    differ = [n for n in names if stored.get(n) != given.get(n)]
    was = ", ".join(f"{n} {stored.get(n, '(not recorded)')}" for n in differ)
    now = ", ".join(f"{n} {given.get(n, '(none)')}" for n in differ)
    return f"its reports were read with {was}, this run asks for {now}"


# A report's records of one kind are stored as a JSON list of their values in the contract's
# column order (JSON keeps ints, floats and text apart, and a float's every digit), compressed:
# the journal takes a tenth of the space of the CSV it becomes (a quarter of the Arrow blobs
# it held before, on the fixtures). JSON and zlib rather than Arrow: a short run written as
# CSV then loads neither pyarrow nor pandas.
def _to_bytes(kind: str, records: list[dict]) -> bytes:
    values = [plain_values(kind, record) for record in records]
    return zlib.compress(json.dumps(values, ensure_ascii=False).encode(), 1)


def _from_bytes(kind: str, data: bytes) -> list[dict]:
    columns = columns_of(kind)
    return [dict(zip(columns, values, strict=True)) for values in json.loads(zlib.decompress(data))]


class Journal:
    """Reports keyed by (source, sha256), read with `reading` options (a JSON-able mapping).

    `output` (a JSON-able mapping: the output's name, format and shape) is recorded for what
    messages say of the journal (`recorded_output`); it does not change what is reused.
    Opening takes the journal's lock (JournalBusyError if another run holds it). With
    `fresh=True` an earlier run's journal is forgotten, once that run has written its output
    (`mark_finished`; else UnfinishedRunError); otherwise a journal whose reports were read
    with other `reading` options raises ReadingOptionsChangedError.
    A journal that no run can resume (`path=None`: a batch written to stdout) is kept in
    memory: no file, no lock, nothing synced (a one-file `extract -o -` saves a scratch
    folder, a database file and a lock file, 3 ms).
    """

    def __init__(
        self,
        path: str | Path | None,
        fresh: bool = False,
        reading: Mapping[str, str] | None = None,
        output: Mapping[str, str] | None = None,
    ):
        self.path = None if path is None else Path(path)
        self._pid = os.getpid()  # a forked worker's copy is not this journal to close
        self._db: sqlite3.Connection | None = None
        self._lock: int | None = None
        self._owned = False  # this run holds the journal's lock: its files are this run's to tidy
        self._created = False  # this run made the database (none was there, or fresh replaced it)
        try:
            with self._writing():
                if self.path is not None:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    self._lock = _take_lock(_lock_path(self.path))
                    self._owned = True
                self._open(fresh, dict(reading or {}))
                if output is not None:  # what this run writes, for what a message names (`recorded_output`)
                    self._db.execute(
                        "INSERT OR REPLACE INTO meta VALUES ('output', ?)", (json.dumps(output),)
                    )
        except BaseException:
            self._release()
            raise

    def _unfinished_reports(self) -> int:
        """How many reports an earlier run of this journal's layout left without finishing, of
        those a resumed run would reuse (not timeouts or crashed workers, read again anyway).

        Journals written before runs were marked finished count as finished."""
        if not self.path.exists():
            return 0
        try:
            with contextlib.closing(sqlite3.connect(self.path)) as db:
                meta = dict(db.execute("SELECT key, value FROM meta"))
                if meta.get("layout") != LAYOUT or meta.get("finished", "1") == "1":
                    return 0
                return db.execute(_KEPT_REPORTS).fetchone()[0]
        except sqlite3.DatabaseError:  # not a journal of this version: nothing a run could resume
            return 0

    def _resumable(self) -> sqlite3.Connection | None:
        """The journal on disk, opened, unless it holds no report a resumed run would reuse (none
        at all, only timeouts or crashed workers, or never a table of them: a run that stopped
        before its first report, or the version before): then None, nothing to resume. A file
        that is no journal, or a disk that cannot be read, is opened all the same: what using it
        says is the error."""
        if not self.path.exists():
            return None
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            if db.execute(_KEPT_REPORTS).fetchone()[0]:
                return db
        except sqlite3.DatabaseError as error:
            if getattr(error, "sqlite_errorname", "") != "SQLITE_ERROR":  # not 'no such table'
                return db
        db.close()
        return None

    def _open(self, fresh: bool, reading: dict[str, str]) -> None:
        durable = self.path is not None
        shown = message_path(self.path) if durable else ""
        if durable and not fresh:
            # Opened once; resuming a journal of no report is starting afresh, whatever wrote it.
            self._db = self._resumable()
            fresh = self._db is None
        elif fresh and durable and (unfinished := self._unfinished_reports()):
            raise UnfinishedRunError(
                f"{shown} holds {unfinished} report{'s' * (unfinished != 1)} of a run that did not "
                "finish: add --resume to keep them, or delete it to read every input again"
            )
        if fresh and durable:
            for leftover in _database_files(self.path):
                leftover.unlink(missing_ok=True)
        self._created = durable and not self.path.exists()
        try:
            if self._db is None:
                self._db = sqlite3.connect(self.path if durable else ":memory:", isolation_level=None)
            if durable:  # WAL with full sync: each commit is on disk before the next report is taken.
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS reports (source TEXT NOT NULL, sha256 TEXT NOT NULL, "
                "status TEXT NOT NULL, reason TEXT NOT NULL, cells BLOB, files BLOB, checks BLOB, "
                "PRIMARY KEY (source, sha256))"
            )
            meta = dict(self._db.execute("SELECT key, value FROM meta"))
            held = self._db.execute(_KEPT_REPORTS).fetchone()[0]
        except sqlite3.DatabaseError as error:
            if getattr(error, "sqlite_errorname", "") not in _NOT_A_DATABASE:
                raise  # a disk that cannot take it (see _writing), not a file that is no journal
            # Met on --resume only (a fresh run removes the file first): a journal cut short by a
            # copy or a crash of the disk is no run to continue, which the line gave no way past.
            raise JournalError(
                f"{shown} is not a gongkai journal ({error}): run without --resume to read every input again"
            ) from None
        if meta.get("layout", LAYOUT) != LAYOUT:
            raise JournalError(f"{shown} was written by another version of gongkai; run without --resume")
        stored = json.loads(meta.get("reading", "null"))
        if held and stored != reading:
            raise ReadingOptionsChangedError(f"{shown}: {_changes(stored or {}, reading)}")
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('layout', ?)", (LAYOUT,))
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('reading', ?)", (json.dumps(reading),))
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('finished', '0')")

    def mark_finished(self) -> None:
        """Record that the output was written from this journal: a new run may start afresh."""
        with self._writing():
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('finished', '1')")

    def add(self, source: str, sha256: str, status: str, reason: str, records: dict[str, list[dict]]) -> None:
        """Store one report's records (by kind) in one durable transaction."""
        blobs = [_to_bytes(kind, records[kind]) for kind in KINDS]
        with self._writing():
            self._db.execute(
                "INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?, ?, ?, ?)",
                (source, sha256, status, reason, *blobs),
            )

    def finished(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(source, sha256) -> (status, reason) of every report stored."""
        rows = self._db.execute("SELECT source, sha256, status, reason FROM reports")
        return {(source, sha): (status, reason) for source, sha, status, reason in rows}

    def kept(self) -> dict[tuple[str, str], str]:
        """(source, sha256) -> status of every report stored that a resumed run would reuse: not
        the timeouts and crashed workers, which it reads again (what `_KEPT_REPORTS` counts)."""
        rows = self._db.execute(f"SELECT source, sha256, status FROM reports WHERE {_KEPT}")
        return {(source, sha): status for source, sha, status in rows}

    def records(self, source: str, sha256: str) -> dict[str, list[dict]]:
        row = self._db.execute(
            "SELECT cells, files, checks FROM reports WHERE source = ? AND sha256 = ?", (source, sha256)
        ).fetchone()
        if row is None:
            raise KeyError((source, sha256))
        return {kind: _from_bytes(kind, blob) for kind, blob in zip(KINDS, row, strict=True)}

    def keep_only(self, keys: Iterable[tuple[str, str]]) -> None:
        """Forget the reports of inputs no longer given (or whose content changed)."""
        wanted = set(keys)
        stale = [key for key in self.finished() if key not in wanted]
        with self._writing(), self._db:
            self._db.execute("BEGIN")
            self._db.executemany("DELETE FROM reports WHERE source = ? AND sha256 = ?", stale)

    def close(self) -> None:
        """Close the database (which folds its -wal file back in) and release the lock."""
        self._release()

    def __del__(self) -> None:
        # A journal never closed (a Batch used without `with` or close()) is closed when it is
        # collected, as an open file is: else its lock outlived it, and a later Batch on the same
        # output in the process was refused as busy, by its own pid.
        # Only in the process that opened it: a worker forked from the batch holds a copy of the
        # journal whose database and lock are its parent's.
        with contextlib.suppress(Exception):
            if os.getpid() == self._pid:
                self._release()

    def _release(self) -> None:
        # Asked of the database before it closes, and only where this journal tidies its files.
        nothing_held = self._owned and self._holds_no_report()
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._owned:
            self._tidy(nothing_held)
            self._owned = False
        if self._lock is not None:
            _release_lock(_lock_path(self.path), self._lock)
            self._lock = None

    @contextlib.contextmanager
    def _writing(self):
        """Failures to write the journal (SQLite's, the file system's) as JournalWriteError."""
        try:
            yield
        except (sqlite3.Error, OSError) as error:
            raise _write_failure(self.path, error) from None

    def _holds_no_report(self) -> bool:
        """Whether the database holds no report a resumed run would reuse (none, or only
        timeouts and crashed workers): nothing a run could resume. One that cannot be read (its
        disk full) holds none if this run made it."""
        if self._db is None:
            return self._created
        try:
            return self._db.execute(_KEPT_REPORTS).fetchone()[0] == 0
        except sqlite3.Error:
            return self._created

    def _tidy(self, nothing_held: bool) -> None:
        """Once closed, nothing is left that holds nothing. A journal that holds no report (the
        run stopped, or failed, before its first: a full disk, Ctrl-C, an error) goes whole:
        there is nothing in it to resume. Else no -wal or -shm is left that holds nothing: SQLite
        removes them itself when it folds the -wal in; a disk too full for that leaves them, and
        an empty -wal goes with its index (-shm)."""
        journal, wal, shm, rollback = _database_files(self.path)
        with contextlib.suppress(OSError):
            if nothing_held:
                for leftover in (journal, wal, shm, rollback):
                    leftover.unlink(missing_ok=True)
            elif not wal.exists() or wal.stat().st_size == 0:
                wal.unlink(missing_ok=True)
                shm.unlink(missing_ok=True)

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
