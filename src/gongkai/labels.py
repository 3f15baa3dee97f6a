"""Printed text against the form's text: normalisation, likeness, and what a cell's text is.

Shared by every stage that compares printed labels with the form (grid engines,
table assignment, row and column matching). Labels are compared after
normalisation (NFKC, whitespace, numbering and quote styles), by a blend of
character overlap and jieba token overlap.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache

from .dictionary import cut, import_jieba
from .dictionary import install as install_dictionary
from .forms import BLOCK_TITLE_FORMAT, BLOCK_TITLE_PATTERN, FORMS, Table
from .settings import DEFAULT

jieba = import_jieba()
jieba.setLogLevel(logging.WARNING)

_SETTINGS = DEFAULT.match

# A class of these characters in a pattern costs 0.4 ms to compile in every run (its CJK ones
# make sre build a map of every BMP character); str.translate deletes the same characters.
_PUNCTUATION = str.maketrans("", "", "\"'、,.，。:：;；()（）/·`")
_NUMERALS = frozenset("0123456789一二三四五六七八九十")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "〝": '"', "〞": '"'})
# Numbering that opens a label: 一、 / （一） / (一) / 1. / 1、 / 1．, each optionally repeated (三、（四）…).
_NUMBERING_RE = re.compile(r"^(?:[一二三四五六七八九十]+[、.,]|\([一二三四五六七八九十]+\)|\d{1,2}[.、,])")


@lru_cache(maxsize=65536)
def compact(text: str) -> str:
    """NFKC, quotes unified, all whitespace and line breaks removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(_QUOTES))


@lru_cache(maxsize=65536)
def split_numbering(text: str) -> tuple[str, str]:
    """('（三）', '不予公开') style split of a compacted label into its numbering and its words."""
    text = compact(text)
    numbering = ""
    while match := _NUMBERING_RE.match(text):
        numbering += match.group(0)
        text = text[match.end() :]
    return numbering, text.strip("\"'")


@lru_cache(maxsize=65536)
def label_words(text: str) -> str:
    """A label with its numbering, quotes and punctuation removed: what matching compares. A
    middle dot and a backtick are a scan's reading of a speck of dust (自然· over 人)."""
    return split_numbering(text)[1].translate(_PUNCTUATION)


# ---------------------------------------------------------------------------
# Likeness of a printed label and an official one
# ---------------------------------------------------------------------------


@cache
def install_tokenizer() -> None:
    """jieba's full dictionary, looked up on disk rather than loaded whole; its store keeps the
    cuts of the words of every official label, which every report compares its labels with."""
    install_dictionary(_official_words)


def _official_words() -> set[str]:
    tables = [table for form in FORMS.values() for table in form.tables]
    official = {label_words(row.label) for t in tables for row in (*t.rows, *t.alternative_rows)}
    official |= {label_words(group.label) for t in tables for group in t.groups}
    official |= {label_words(part) for t in tables for column in t.columns for part in column.path}
    official |= {label_words(text) for t in tables for text in (*t.header_words, t.stub_header)}
    # A column is matched by the last lines of the header printed over it, joined
    # (`match.columns`): where those are the form's own headers, the top header's included, they
    # join into these texts, about 30 of the 54 texts a report's reading would cut otherwise.
    for table in tables:
        for column in table.columns:
            stack = (table.top_header, *column.path) if table.top_header else column.path
            official |= {label_words("".join(stack[-k:])) for k in range(2, len(stack) + 1)}
    return official - {""}


@lru_cache(maxsize=4096)
def _tokens(words: str) -> tuple[Counter[str], int]:
    """The jieba tokens of `words`, counted, and how many there are."""
    install_tokenizer()
    tokens = [t for t in cut(words) if t.strip()]
    return Counter(tokens), len(tokens)


def _common(a: Counter[str], b: Counter[str]) -> int:
    """How many items two multisets share (each as often as both hold it)."""
    return sum(min(a[item], b[item]) for item in a.keys() & b.keys())


def _token_dice(a: str, b: str) -> float:
    (ta, na), (tb, nb) = _tokens(a), _tokens(b)
    if not na or not nb:
        return 0.0
    return 2 * _common(ta, tb) / (na + nb)


@lru_cache(maxsize=16384)
def similarity(printed: str, official: str) -> float:
    """0..1 likeness of two labels, ignoring numbering, quotes, punctuation and spacing."""
    return _blend(label_words(printed), label_words(official), _ratio)


@lru_cache(maxsize=16384)
def similarity_bound(printed: str, official: str) -> float:
    """An upper bound of `similarity` at a fraction of its cost: difflib's quick_ratio (the
    characters in common, in any order) in place of its ratio, which counts only those in
    matching runs. Rounding keeps the order, so the bound is never below."""
    return _blend(label_words(printed), label_words(official), _quick_ratio)


def _blend(a: str, b: str, ratio: Callable[[str, str], float]) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return _SETTINGS.ratio_weight * ratio(a, b) + _SETTINGS.token_weight * _token_dice(a, b)


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


@lru_cache(maxsize=4096)
def _characters(words: str) -> Counter[str]:
    return Counter(words)


def _quick_ratio(a: str, b: str) -> float:
    common = _common(_characters(a), _characters(b))
    return 2.0 * common / (len(a) + len(b))  # as difflib's ratio, with common >= its matches


@lru_cache(maxsize=16384)
def _numeral(text: str) -> str:
    numbering = split_numbering(text)[0]
    return "".join(char for char in numbering if char in _NUMERALS)


@dataclass(frozen=True)
class Choice:
    """The best candidate for a printed label, with its score and the runner-up's."""

    item: object
    score: float
    runner_up: float

    @property
    def confident(self) -> bool:
        return self.score >= _SETTINGS.row_threshold and self.score - self.runner_up >= _SETTINGS.margin


def best_match(printed: str, candidates: Iterable[tuple[object, str, float]]) -> Choice | None:
    """Best of (item, official label, bonus) candidates for a printed label, with its runner-up score.

    Candidates are scored from the highest bound of their score down (`similarity_bound`): once
    a bound is below the runner-up's score, no candidate left can be best or runner-up, and
    they go unscored. The choice is the one that scoring every candidate gives.
    """
    listed = list(candidates)
    bounds = [_score(printed, label, bonus, similarity_bound) for _, label, bonus in listed]
    scored: list[tuple[float, int, object]] = []  # score, place among the candidates, item
    for place in sorted(range(len(listed)), key=bounds.__getitem__, reverse=True):
        if scored and (runner_up := _best_two(scored)[2]) is not None and bounds[place] < runner_up:
            break
        item, label, bonus = listed[place]
        scored.append((_score(printed, label, bonus, similarity), place, item))
    if not scored:
        return None
    best_score, best, runner_up = _best_two(scored)
    return Choice(best, best_score, 0.0 if runner_up is None else runner_up)


def _score(printed: str, label: str, bonus: float, likeness: Callable[[str, str], float]) -> float:
    """A candidate's score for a printed label, by `likeness`: its numbering, if the same, adds."""
    value = likeness(printed, label)
    if value > 0 and (numeral := _numeral(printed)) and numeral == _numeral(label):
        value += _SETTINGS.numeral_bonus
    return min(value + bonus, 1.0)


def score_bound(printed: str, label: str) -> float:
    """An upper bound of the score `best_match` gives one candidate `label` for `printed` (by
    `similarity_bound`): a caller that needs that score only where it reaches some value need not
    score a candidate whose bound does not."""
    return _score(printed, label, 0.0, similarity_bound)


def _best_two(scored: list[tuple[float, int, object]]) -> tuple[float, object, float | None]:
    """The best score and its item (a tie goes to the earlier candidate), and the best score
    of any other item (None if there is none)."""
    ranked = sorted(scored, key=lambda entry: (-entry[0], entry[1]))
    best_score, _, best = ranked[0]
    runner_up = next((s for s, _, item in ranked[1:] if item is not best), None)
    return best_score, best, runner_up


# ---------------------------------------------------------------------------
# What kind of text a cell holds
# ---------------------------------------------------------------------------


def header_vocabulary(tables: Iterable[Table]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Header words, and every label that can head a column (leaves and the groups over them)."""
    words = tuple(dict.fromkeys(label_words(w) for t in tables for w in t.header_words))
    labels = tuple(dict.fromkeys(part for t in tables for c in t.columns for part in c.path))
    return words, labels


@lru_cache(maxsize=16384)  # every table reading asks again for the same header texts
def reads_as_header(text: str, vocabulary: tuple[tuple[str, ...], tuple[str, ...]]) -> bool:
    """Header text names a column or carries a header word; a numbered label is a row, never a header."""
    numbering, words = split_numbering(text)
    if numbering or not words:
        return False
    header_words, labels = vocabulary
    words = label_words(text)
    if any(w in words for w in header_words):
        return True
    candidates = [*text.splitlines(), text]
    threshold = _SETTINGS.column_threshold
    return any(
        similarity_bound(c, label) >= threshold and similarity(c, label) >= threshold
        for c in candidates
        for label in labels
    )


@lru_cache(maxsize=4096)
def is_header_text(text: str) -> bool:
    """Whether text reads as a column header of any table of any form version."""
    return reads_as_header(text, header_vocabulary(t for form in FORMS.values() for t in form.tables))


_BLOCK_TITLE_RE = re.compile(BLOCK_TITLE_PATTERN)


@lru_cache(maxsize=16384)
def block_title(text: str) -> str | None:
    """The official caption of a table 二 block that `text` prints (第二十条第（一）项), if any."""
    match = _BLOCK_TITLE_RE.search(compact(text))
    return BLOCK_TITLE_FORMAT.format(match.group(1)) if match else None
