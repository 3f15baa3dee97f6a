"""jieba's full dictionary, looked up on disk instead of loaded whole.

jieba loads its dictionary (350,000 words and their prefixes) into memory before
the first cut: about half a second, more than reading a report. A dictionary of
the forms' own words would load at once, but it cuts some printed labels
differently (bench/jieba_vocabulary.py), so matching could change. Instead the
same dictionary, with the same counts and total, is written once into an SQLite
file, and jieba's tokenizer looks up only the few thousand fragments that label
text asks for. The same goes for the hidden Markov model that jieba cuts unknown
words with: the emission log-probabilities of its four states (jieba.finalseg's
prob_emit, 35,000 numbers in a module that takes 10 ms of a one-file run to load)
are in the store too, and are looked up per character cut. The tokenizer's
algorithm is untouched and its numbers are the same, so every cut is the same as
with the dictionary in memory. Texts cut in every run (the forms' own labels) are
cut once, when the store is built, and their cuts kept in it.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path
from types import ModuleType

# Bumped when the store's layout changes, so that an old store is not read, and when the texts
# whose cuts it keeps change, so that a store built before keeps them too (3: the form's headers
# joined as a report prints them).
_LAYOUT = 3
_installed = False
_CUTS: dict[str, list[str]] = {}  # text -> its cut, kept in the store
_EMISSIONS_MODULE = "jieba.finalseg.prob_emit"
_STATES = "BEMS"  # the model's states: a word's beginning, end and middle, a single-character word


def import_jieba() -> ModuleType:
    """The jieba module, imported without setuptools' pkg_resources.

    jieba imports pkg_resources, which takes longer to import than jieba itself (70 ms
    of a one-file run) and warns that it is deprecated, only to open jieba's own data
    files. Where it cannot be imported, jieba opens the same files beside its module.
    Its model's emission probabilities come from the store (see `install`) where they
    are looked up, from their module only where there is no store.
    """
    if "jieba" not in sys.modules and "pkg_resources" not in sys.modules:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # `import` now fails at once
        sys.modules.setdefault(_EMISSIONS_MODULE, _emissions_module())
        try:
            importlib.import_module("jieba")
        finally:
            del sys.modules["pkg_resources"]
    return importlib.import_module("jieba")


class _Store:
    """The store file, read only; a connection must not cross a fork: each process opens its own."""

    def __init__(self, path: Path):
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    def execute(self, sql: str, parameters: tuple = ()) -> sqlite3.Cursor:
        if self._connection is None or self._pid != os.getpid():
            self._connection = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)
            self._pid = os.getpid()
        return self._connection.execute(sql, parameters)


class DiskFrequencies(Mapping[str, int]):
    """word -> count (0 for a prefix that is no word), read from the store as asked."""

    def __init__(self, path: Path):
        self.path = path
        self.store = _Store(path)
        self._known: dict[str, int | None] = {}

    def get(self, word: str, default: int | None = None) -> int | None:  # type: ignore[override]
        if word not in self._known:
            row = self.store.execute("SELECT count FROM freq WHERE word = ?", (word,)).fetchone()
            self._known[word] = None if row is None else row[0]
        found = self._known[word]
        return default if found is None else found

    def __getitem__(self, word: str) -> int:
        found = self.get(word)
        if found is None:
            raise KeyError(word)
        return found

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None

    def __iter__(self) -> Iterator[str]:
        return (word for (word,) in self.store.execute("SELECT word FROM freq"))

    def __len__(self) -> int:
        return self.store.execute("SELECT count(*) FROM freq").fetchone()[0]


class _Emissions:
    """Each character's emission log-probabilities in the model's states: from the store that
    `install` gives, else (jieba's dictionary in memory) from jieba's own module, loaded when
    first asked."""

    def __init__(self) -> None:
        self.store: _Store | None = None
        self._known: dict[str, tuple[float | None, ...]] = {}
        self._in_memory: dict[str, dict[str, float]] | None = None

    def of(self, state: str, character: str) -> float | None:
        if self.store is None:
            if self._in_memory is None:
                self._in_memory = _emission_table()
            return self._in_memory[state].get(character)
        if character not in self._known:
            sql = f"SELECT {', '.join(_STATES)} FROM emit WHERE character = ?"
            row = self.store.execute(sql, (character,)).fetchone()
            self._known[character] = row or (None,) * len(_STATES)
        return self._known[character][_STATES.index(state)]


_EMISSIONS = _Emissions()


class StateEmissions(Mapping[str, float]):
    """character -> emission log-probability of one state of the model, as jieba.finalseg's emit_P[state]."""

    def __init__(self, state: str):
        self.state = state

    def get(self, character: str, default: float | None = None) -> float | None:  # type: ignore[override]
        found = _EMISSIONS.of(self.state, character)
        return default if found is None else found

    def __getitem__(self, character: str) -> float:
        found = self.get(character)
        if found is None:
            raise KeyError(character)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(_emission_table()[self.state])

    def __len__(self) -> int:
        return len(_emission_table()[self.state])


def _emission_table() -> dict[str, dict[str, float]]:
    """jieba's own emission probabilities, {state: {character: log-probability}}, from its module."""
    finalseg = importlib.import_module("jieba.finalseg")
    spec = importlib.util.spec_from_file_location(
        _EMISSIONS_MODULE, Path(finalseg.__file__).with_name("prob_emit.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.P


def _emissions_module() -> ModuleType:
    """What jieba.finalseg imports its emission probabilities from: the look-ups above."""
    module = ModuleType(_EMISSIONS_MODULE)
    module.P = {state: StateEmissions(state) for state in _STATES}
    return module


def _source() -> Path:
    jieba = import_jieba()

    return Path(jieba.__file__).with_name("dict.txt")


def _store_path(source: Path) -> Path:
    """Where the store for this dictionary file lives: the user's cache, else the temporary folder."""
    jieba = import_jieba()

    stat = source.stat()
    name = f"jieba-{jieba.__version__}-{stat.st_size}-{stat.st_mtime_ns}-{_LAYOUT}.sqlite"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for folder in (Path(base) / "gongkai", Path(tempfile.gettempdir()) / "gongkai"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK) or (folder / name).exists():
            return folder / name
    raise OSError("no writable cache folder for the dictionary store")


def _build(source: Path, target: Path, texts: Collection[str] = ()) -> None:
    """Write jieba's own prefix dictionary (as its `gen_pfdict` makes it), its model's emission
    probabilities and the cuts of `texts` into `target`, atomically."""
    jieba = import_jieba()

    with open(source, "rb") as handle:
        frequencies, total = jieba.Tokenizer.gen_pfdict(handle)
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = frequencies, total, True
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with sqlite3.connect(partial) as db:
            db.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID")
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")
            db.executemany("INSERT INTO freq VALUES (?, ?)", frequencies.items())
            db.execute("INSERT INTO meta VALUES ('total', ?)", (total,))
            emissions = _emission_table()
            db.execute(
                f"CREATE TABLE emit (character TEXT PRIMARY KEY, {', '.join(f'{s} REAL' for s in _STATES)})"
                " WITHOUT ROWID"
            )
            characters = sorted(set().union(*emissions.values()))
            db.executemany(
                f"INSERT INTO emit VALUES (?{', ?' * len(_STATES)})",
                ((c, *(emissions[s].get(c) for s in _STATES)) for c in characters),
            )
            db.execute("CREATE TABLE cut (text TEXT PRIMARY KEY, tokens TEXT NOT NULL) WITHOUT ROWID")
            cuts = ((text, json.dumps(tokenizer.lcut(text), ensure_ascii=False)) for text in sorted(texts))
            db.executemany("INSERT INTO cut VALUES (?, ?)", cuts)
        db.close()
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _intact(path: Path) -> bool:
    """Whether the store holds every page its header counts: it is written whole and renamed
    into place, so a shorter file was cut short after (a full disk, a copy), and is read
    immutable, so sqlite would not notice until a lookup in the missing pages failed mid-report."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
        size = path.stat().st_size
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(b"SQLite format 3\0"):
        return False
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    return size >= page_size * int.from_bytes(header[28:32], "big")


def _remove_superseded(path: Path) -> None:
    """Remove the stores of the same dictionary file in an older layout: no gongkai that reads
    this layout reads them, and each is 9 MB."""
    prefix = path.name.rsplit("-", 1)[0] + "-"
    for old in path.parent.glob(f"{prefix}*.sqlite"):
        if old != path:
            old.unlink(missing_ok=True)


def install(texts: Callable[[], Collection[str]] = tuple) -> None:
    """Give jieba's default tokenizer the dictionary on disk (built on first use); idempotent.

    The texts `texts()` gives are cut when the store is built (asked only then: a run that
    finds the store built does not gather them), and their cuts kept in it for `cut`; a text
    that a store built earlier does not hold is cut as any other. Where no store can be
    written, jieba loads its dictionary as usual.
    """
    global _installed
    if _installed:
        return
    jieba = import_jieba()

    _installed = True
    if jieba.dt.initialized:
        return
    try:
        source = _source()
        path = _store_path(source)
        if path.exists() and not _intact(path):
            path.unlink()  # cut short (a full disk, a copy): built again below, once
        if not path.exists():
            _build(source, path, texts())
            _remove_superseded(path)
        frequencies = DiskFrequencies(path)
        (total,) = frequencies.store.execute("SELECT value FROM meta WHERE key = 'total'").fetchone()
        cuts = {text: json.loads(tokens) for text, tokens in frequencies.store.execute("SELECT * FROM cut")}
    except (OSError, sqlite3.Error, TypeError):
        jieba.initialize()
        return
    jieba.dt.FREQ, jieba.dt.total = frequencies, total
    jieba.dt.initialized = True
    _EMISSIONS.store = frequencies.store
    _CUTS.update(cuts)


def cut(text: str) -> list[str]:
    """jieba's cut of `text` (as `jieba.lcut`), the store's where it keeps one."""
    found = _CUTS.get(text)
    return list(found) if found is not None else import_jieba().lcut(text)
