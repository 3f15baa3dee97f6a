"""jieba's dictionary looked up on disk cuts every text exactly as the dictionary in memory does."""

from __future__ import annotations

import random
import sqlite3

import jieba

from gongkai import dictionary, forms, labels


def _form_label_words() -> set[str]:
    found = set()
    for form in forms.FORMS.values():
        for table in form.tables:
            found |= {labels.label_words(r.label) for r in (*table.rows, *table.alternative_rows)}
            found |= {labels.label_words(c.name) for b in table.blocks for c in b.columns}
    return found - {""}


def test_the_disk_dictionary_cuts_as_the_one_in_memory(tmp_path):
    store = tmp_path / "store.sqlite"
    dictionary._build(dictionary._source(), store)
    in_memory = jieba.Tokenizer()
    in_memory.initialize()
    on_disk = jieba.Tokenizer()
    with sqlite3.connect(store) as db:
        (total,) = db.execute("SELECT value FROM meta WHERE key = 'total'").fetchone()
    on_disk.FREQ, on_disk.total, on_disk.initialized = dictionary.DiskFrequencies(store), total, True
    assert len(on_disk.FREQ) == len(in_memory.FREQ) and total == in_memory.total

    rng = random.Random(2026)
    words = rng.sample(sorted(in_memory.FREQ), 2000)
    texts = sorted(_form_label_words())
    texts += ["".join(rng.sample(words, 4)) for _ in range(500)]  # known words in new company
    texts += ["本列数据的勾稽关系为第一项加第二项之和", "613015件", "依申请公开政府信息数量（件）"]
    assert len(texts) > 550
    assert [on_disk.lcut(t) for t in texts] == [in_memory.lcut(t) for t in texts]
