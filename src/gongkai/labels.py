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
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from .dictionary import import_jieba
from .dictionary import install as install_dictionary
from .forms import BLOCK_TITLE_FORMAT, BLOCK_TITLE_PATTERN, FORMS, Table
from .settings import DEFAULT

jieba = import_jieba()
jieba.setLogLevel(logging.WARNING)

_SETTINGS = DEFAULT.match

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
    """A label with its numbering, quotes and punctuation removed: what matching compares."""
    return re.sub(r"[\"'、,.，。:：;；()（）/]", "", split_numbering(text)[1])


# ---------------------------------------------------------------------------
# Likeness of a printed label and an official one
# ---------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _tokens(words: str) -> tuple[str, ...]:
    install_dictionary()  # jieba's full dictionary, looked up on disk rather than loaded whole
    return tuple(t for t in jieba.lcut(words) if t.strip())


def _token_dice(a: str, b: str) -> float:
    ta, tb = list(_tokens(a)), list(_tokens(b))
    if not ta or not tb:
        return 0.0
    common = 0
    remaining = list(tb)
    for token in ta:
        if token in remaining:
            remaining.remove(token)
            common += 1
    return 2 * common / (len(ta) + len(tb))


@lru_cache(maxsize=16384)
def similarity(printed: str, official: str) -> float:
    """0..1 likeness of two labels, ignoring numbering, quotes, punctuation and spacing."""
    a, b = label_words(printed), label_words(official)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ratio = SequenceMatcher(None, a, b, autojunk=False).ratio()
    return _SETTINGS.ratio_weight * ratio + _SETTINGS.token_weight * _token_dice(a, b)


@lru_cache(maxsize=16384)
def _numeral(text: str) -> str:
    numbering = split_numbering(text)[0]
    return re.sub(r"[^0-9一二三四五六七八九十]", "", numbering)


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
    """Best of (item, official label, bonus) candidates for a printed label, with its runner-up score."""
    scored: list[tuple[float, object]] = []
    numeral = _numeral(printed)
    for item, label, bonus in candidates:
        score = similarity(printed, label)
        if score > 0 and numeral and numeral == _numeral(label):
            score += _SETTINGS.numeral_bonus
        scored.append((min(score + bonus, 1.0), item))
    if not scored:
        return None
    scored.sort(key=lambda pair: pair[0], reverse=True)
    best_score, best = scored[0]
    runner_up = next((s for s, item in scored[1:] if item is not best), 0.0)
    return Choice(best, best_score, runner_up)


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
    return any(similarity(c, label) >= _SETTINGS.column_threshold for c in candidates for label in labels)


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
