"""jieba's dictionary looked up on disk cuts every text exactly as the dictionary in memory does."""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys

import jieba
import jieba.finalseg
import pytest

from gongkai import dictionary, forms, labels


def _form_label_words() -> set[str]:
    found = set()
    for form in forms.FORMS.values():
        for table in form.tables:
            found |= {labels.label_words(r.label) for r in (*table.rows, *table.alternative_rows)}
            found |= {labels.label_words(c.name) for b in table.blocks for c in b.columns}
    return found - {""}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("dictionary") / "store.sqlite"
    dictionary._build(dictionary._source(), path, _form_label_words())
    return path


def test_the_disk_dictionary_cuts_as_the_one_in_memory(store):
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


def test_the_stored_cuts_are_jiebas(store):
    in_memory = jieba.Tokenizer()
    in_memory.initialize()
    with sqlite3.connect(store) as db:
        stored = {text: json.loads(tokens) for text, tokens in db.execute("SELECT text, tokens FROM cut")}
    assert stored.keys() == _form_label_words()
    assert all(tokens == in_memory.lcut(text) for text, tokens in stored.items())


def test_a_text_the_store_holds_no_cut_of_is_cut_live(monkeypatch):
    monkeypatch.setattr(dictionary, "_CUTS", {"本年新收": ["本", "年新收"]})
    assert dictionary.cut("本年新收") == ["本", "年新收"]
    assert dictionary.cut("本年新收申请") == jieba.lcut("本年新收申请")


def test_the_stored_emission_probabilities_are_jiebas(store):
    table = dictionary._emission_table()
    emissions = dictionary._Emissions()
    emissions.store = dictionary._Store(store)
    for state, probabilities in table.items():
        assert all(emissions.of(state, c) == p for c, p in probabilities.items())
    unknown = next(c for c in map(chr, range(0x4E00, 0xA000)) if not any(c in p for p in table.values()))
    assert all(emissions.of(state, unknown) is None for state in table)


def test_the_model_reads_the_stored_probabilities_as_its_own(store, monkeypatch):
    monkeypatch.setattr(dictionary._EMISSIONS, "store", dictionary._Store(store))
    looked_up = dictionary._emissions_module().P
    real = dictionary._emission_table()
    assert looked_up.keys() == real.keys()
    rng = random.Random(2027)
    characters = sorted(set().union(*real.values()))
    texts = ["".join(rng.sample(characters, rng.randint(2, 9))) for _ in range(300)]
    texts += ["本年制发", "的只计这一情形", "仍不明确", "申请人逾期未按收费通知要求缴"]
    for text in texts:
        viterbi = jieba.finalseg.viterbi
        stored = viterbi(text, "BMES", jieba.finalseg.start_P, jieba.finalseg.trans_P, looked_up)
        assert stored == viterbi(text, "BMES", jieba.finalseg.start_P, jieba.finalseg.trans_P, real)


def test_jieba_imported_by_gongkai_looks_its_probabilities_up():
    code = (
        "from gongkai import dictionary; jieba = dictionary.import_jieba(); "
        "print(type(jieba.finalseg.emit_P['B']).__name__)"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "StateEmissions"


def test_a_store_cut_short_is_built_again_and_older_layouts_go(tmp_path):
    # A store cut short (a full disk, a copy) was read as it was: every run then fell back to
    # loading jieba's whole dictionary (1 s), and the stores of older layouts piled up (9 MB each).
    import os

    code = (
        "from gongkai import dictionary; dictionary.install(); jieba = dictionary.import_jieba(); "
        "print(type(jieba.dt.FREQ).__name__)"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}

    def installed() -> str:
        run = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
        )
        return run.stdout.strip()

    assert installed() == "DiskFrequencies"
    (store,) = (tmp_path / "gongkai").glob("jieba-*.sqlite")
    assert dictionary._intact(store)
    older = store.with_name(store.name.rsplit("-", 1)[0] + "-1.sqlite")
    older.write_bytes(b"an older layout")
    whole = store.read_bytes()
    store.write_bytes(whole[: len(whole) // 2])
    assert not dictionary._intact(store)
    assert installed() == "DiskFrequencies"
    assert dictionary._intact(store) and store.stat().st_size == len(whole)
    assert not older.exists()
