"""Would a jieba dictionary of the forms' own vocabulary tokenize as the full dictionary does?

    python fixtures/generate.py --corpus /tmp/fresh --count 300 --seed 4711 --producers reportlab
    PYTHONPATH=src python bench/jieba_vocabulary.py 'fixtures/*.pdf' 'samples/*.pdf' '/tmp/fresh/*.pdf'

Loading jieba's full dictionary takes about 0.45 s, more than reading a report. A dictionary of
the words of the forms' labels loads in a millisecond. gongkai uses jieba only to tokenize label
text for matching, so the small dictionary is safe only if every string gongkai tokenizes on the
inputs comes out in the same tokens. This reads the inputs, records every string tokenized, and
compares. The small dictionary holds each token of each form label (as the full dictionary cuts
it) and each character of them, with the full dictionary's counts, plus one unused entry carrying
the rest of the full dictionary's total, so that the two weigh the words they share alike.
"""

from __future__ import annotations

import dataclasses
import glob
import sys
import tempfile
from collections import Counter

import jieba

from gongkai import forms, labels
from gongkai.report import read_report_safely


def _strings(value, found: set[str]) -> None:
    if isinstance(value, str):
        found.add(value)
    elif isinstance(value, dict):
        for item in (*value.keys(), *value.values()):
            _strings(item, found)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _strings(item, found)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            _strings(getattr(value, field.name), found)


def main() -> None:
    paths = sorted({p for pattern in sys.argv[1:] for p in glob.glob(pattern)})
    tokenized: set[str] = set()
    full_tokens = labels._tokens.__wrapped__

    def recording(words: str) -> tuple[Counter[str], int]:
        tokenized.add(words)
        return full_tokens(words)

    labels._tokens = recording
    for path in paths:
        read_report_safely(path)

    texts: set[str] = set()
    _strings(forms.FORMS, texts)
    words = {labels.label_words(t) for t in texts} - {""}
    jieba.initialize()
    entries = {t: jieba.dt.FREQ.get(t) or 1 for w in words for t in jieba.lcut(w) if t.strip()}
    entries.update({c: jieba.dt.FREQ.get(c) or 1 for w in words for c in w})
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as handle:
        handle.writelines(f"{word} {count}\n" for word, count in sorted(entries.items()))
        handle.write(f"〇〇〇〇〇〇 {jieba.dt.total - sum(entries.values())}\n")
    small = jieba.Tokenizer(handle.name)
    small.initialize()

    def cut(tokenizer, text: str) -> list[str]:
        return [t for t in tokenizer.lcut(text) if t.strip()]

    differ = sorted(s for s in tokenized if cut(jieba.dt, s) != cut(small, s))
    print(
        f"{len(paths)} inputs; {len(tokenized)} distinct strings tokenized; forms' vocabulary: {len(entries)}"
    )
    print(f"{len(differ)} strings tokenized differently by the forms' vocabulary:")
    for text in differ:
        print(f"  {text}: full {cut(jieba.dt, text)} / forms {cut(small, text)}")


if __name__ == "__main__":
    main()
