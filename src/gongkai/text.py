"""Text normalisation shared by the stages that compare printed text with the form."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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
