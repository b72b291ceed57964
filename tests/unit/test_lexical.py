"""The lexical index: BM25 over words and name skeletons, updated from its saved tokens, scoring like a fresh build."""

from __future__ import annotations

import math
import random

import numpy as np

from assistant.lexical import LexicalIndex, version
from assistant.text import tokens

WORDS = "gold mine deposit protest village court ruling election vote minister fire school storm flood".split()
NAMES = ["Kyzylbulag", "Koszalin", "Kipchoge", "Vienna", "Magnitogorsk", "Pelosi"]


def corpus(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS + NAMES) for _ in range(rng.randint(3, 30))) for _ in range(n)]


def bm25(query: str, docs: list[str], k1: float = 1.2, b: float = 0.75) -> list[tuple[int, float]]:
    """Textbook BM25 (Lucene's idf), every document scored and fully sorted: the reference. Without the
    constant (k1 + 1) numerator, as bm25s writes Lucene's variant: it changes no ranking."""
    toks = [tokens(d) for d in docs]
    avg = sum(map(len, toks)) / len(toks)
    scores = [0.0] * len(docs)
    for t in set(tokens(query)):
        df = sum(t in d for d in toks)
        if not df:
            continue
        idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
        for i, d in enumerate(toks):
            tf = d.count(t)
            if tf:
                scores[i] += idf * tf / (tf + k1 * (1 - b + b * len(d) / avg))
    return sorted(((i, s) for i, s in enumerate(scores) if s > 0), key=lambda x: (-x[1], x[0]))


def ranked(index: LexicalIndex, query: str, n: int) -> list[tuple[str, float]]:
    return [(index.ids[i], s) for i, s in index.search(query, n)]


def test_search_returns_the_n_best_chunks_as_plain_bm25_ranks_them():
    docs = corpus(300, seed=1)
    index = LexicalIndex.build([f"c{i}" for i in range(len(docs))], docs, [{}] * len(docs), "f")
    for query in ["gold deposit protest", "Kipchoge Vienna", "flood", "nothing matches this"]:
        want = bm25(query, docs)[:10]
        got = index.search(query, 10)
        assert [i for i, _ in got] == [i for i, _ in want]
        assert np.allclose([s for _, s in got], [s for _, s in want], rtol=1e-5)
    assert index.search("gold", 0) == []


def test_an_updated_index_scores_exactly_like_one_built_from_scratch(tmp_path):
    """What an ingest does: load the saved index, add chunks, drop articles, save; then search."""
    docs = corpus(200, seed=2)
    ids = [f"c{i}" for i in range(len(docs))]
    metas = [{"article_id": f"a{i // 4}"} for i in range(len(docs))]
    LexicalIndex.build(ids[:120], docs[:120], metas[:120], "f").save(tmp_path)
    index = LexicalIndex.load(tmp_path)
    assert index is not None
    index.add(ids[120:], docs[120:], metas[120:])
    gone = {"a3", "a10", *(f"a{i}" for i in range(20, 35))}
    index.remove_articles(gone)
    index.save(tmp_path)
    updated = LexicalIndex.load(tmp_path)
    assert updated is not None
    keep = [i for i, m in enumerate(metas) if m["article_id"] not in gone]
    assert updated.ids == [ids[i] for i in keep]
    fresh = LexicalIndex.build([ids[i] for i in keep], [docs[i] for i in keep], [metas[i] for i in keep], "f")
    for query in ["gold deposit protest", "Kipchoge Vienna", "election vote minister"]:
        want = ranked(fresh, query, 15)
        for got in (ranked(index, query, 15), ranked(updated, query, 15)):
            assert [c for c, _ in got] == [c for c, _ in want]
            assert np.allclose([s for _, s in got], [s for _, s in want], rtol=1e-5)


def test_a_name_spelt_another_way_finds_the_chunk_through_its_skeleton(tmp_path):
    docs = ["Protests continue near the Kyzylbulag gold deposit.", "The mayor of Koszalin spoke.", "Rain fell."]
    index = LexicalIndex.build(["a", "b", "c"], docs, [{}] * 3, "f")
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert loaded is not None
    assert [index_id for index_id, _ in ranked(loaded, "What is mined at Gizilbulagh?", 3)] == ["a"]


def test_filtered_search_ranks_only_the_allowed_chunks():
    docs = corpus(100, seed=3)
    index = LexicalIndex.build([f"c{i}" for i in range(100)], docs, [{}] * 100, "f")
    allowed = np.zeros(100, bool)
    allowed[::3] = True
    got = index.search("gold deposit", 50, allowed)
    assert got and all(i % 3 == 0 for i, _ in got)
    assert [i for i, _ in got] == [i for i, _ in index.search("gold deposit", 100) if i % 3 == 0][:50]


def test_a_save_replaces_the_index_at_once_and_clears_what_a_killed_save_left(tmp_path):
    LexicalIndex.build(["a"], ["Rain fell on Koszalin."], [{}], "one").save(tmp_path)
    first = version(tmp_path)
    (tmp_path / "v1-999999.tmp").mkdir()  # a save killed half-way
    (tmp_path / "v1-999999.tmp" / "chunks.json").write_text("{")
    loaded = LexicalIndex.load(tmp_path)
    assert loaded is not None and loaded.fingerprint == "one"
    LexicalIndex.build(["a", "b"], ["Rain fell on Koszalin.", "Snow fell."], [{}] * 2, "two").save(tmp_path)
    assert version(tmp_path) != first
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["CURRENT", version(tmp_path)]
    again = LexicalIndex.load(tmp_path)
    assert again is not None and again.fingerprint == "two" and again.ids == ["a", "b"]


def test_a_damaged_index_loads_as_none_so_it_is_rebuilt(tmp_path):
    LexicalIndex.build(["a"], ["Rain fell on Koszalin."], [{}], "f").save(tmp_path)
    (tmp_path / str(version(tmp_path)) / "tokens.npy").write_bytes(b"damaged")
    assert LexicalIndex.load(tmp_path) is None
    assert LexicalIndex.load(tmp_path / "nothing-here") is None


def test_an_index_of_no_words_saves_loads_and_finds_nothing(tmp_path):
    for ids, docs in (([], []), (["a"], ["the and of"])):
        LexicalIndex.build(ids, docs, [{}] * len(ids), "f").save(tmp_path)
        loaded = LexicalIndex.load(tmp_path)
        assert loaded is not None and loaded.ids == ids
        assert loaded.search("the rain", 5) == []
        loaded.add(["b"], ["Rain fell."], [{}])
        assert [loaded.ids[i] for i, _ in loaded.search("rain", 5)] == ["b"]


def test_an_index_replaced_while_it_is_read_is_read_again_not_reported_damaged(tmp_path, monkeypatch):
    """An ask reads the index while an ingest in another process saves a new one and removes the old."""
    LexicalIndex.build(["a"], ["Rain fell on Koszalin."], [{}], "old").save(tmp_path)
    real = LexicalIndex._load.__func__  # type: ignore[attr-defined]
    calls = []

    def replaced_meanwhile(cls, path):
        calls.append(path.name)
        if len(calls) == 1:
            LexicalIndex.build(["a", "b"], ["Rain fell on Koszalin.", "Snow fell."], [{}] * 2, "new").save(tmp_path)
        return real(cls, path)

    monkeypatch.setattr(LexicalIndex, "_load", classmethod(replaced_meanwhile))
    loaded = LexicalIndex.load(tmp_path)
    assert loaded is not None and loaded.fingerprint == "new" and len(calls) == 2
