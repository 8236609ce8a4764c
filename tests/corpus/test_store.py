"""The store and its indexes: SQLite schema, sentence MinHash-LSH, vector index."""

from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np
import pytest

from storymatch.corpus.ingestion import prepare
from storymatch.corpus.lsh_index import lsh_index_for
from storymatch.corpus.store import SCHEMA_VERSION, Store, Stored
from storymatch.corpus.vector_index import VectorIndex
from storymatch.errors import StoreError
from storymatch.features.lsh import LSHParams, text_keys
from storymatch.features.minhash import MinHasher, jaccard_estimate, shingle_hashes
from storymatch.inputs.article import Article

UNRELATED = ("City councillors voted nine to four on Thursday evening to build a new ferry terminal on the eastern "
             "pier, ending three years of argument over the future of the waterfront. The terminal will have room "
             "for two vessels at once and a covered waiting hall, the harbour authority said.")


def _add(store, *articles, vectors=None, tier=None):
    items = [prepare(a, "test", LSHParams()) for a in articles]
    for it, v in zip(items, vectors if vectors is not None else [None] * len(items)):
        it.vector = v
    return store.add_batch(items, tier)


def test_open_requires_existing_store_and_checks_schema(tmp_path):
    with pytest.raises(StoreError, match="not a storymatch store"):
        Store(tmp_path / "nope")
    with Store(tmp_path / "s", create=True) as s:
        assert s.get_meta("schema_version") == str(SCHEMA_VERSION)
        assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        s.set_meta("schema_version", "999")
    with pytest.raises(StoreError, match="schema version 999"):
        Store(tmp_path / "s")


def test_add_is_idempotent_by_id_and_round_trips(tmp_path, seed_a, seed_b):
    a = Article(seed_a, id="seed-a", date="2017-05-19", source="agg", meta={"page": 2}, language="en")
    b = Article(seed_b, id="seed-b", date="2017-05-18", source="wire", language="en")
    with Store(tmp_path, create=True) as s:
        assert _add(s, a, b) == 2
        assert _add(s, Article("different text, same id", id="seed-a", language="en")) == 0
        assert s.count() == 2
        got = s.get("seed-a")
        assert got.article.text == seed_a and got.article.meta == {"page": 2}
        assert got.article.date.isoformat() == "2017-05-19"
        assert s.get(got.seq).article.id == "seed-a"
        assert s.existing_ids(["seed-a", "x", "seed-b"]) == {"seed-a", "seed-b"}
        assert [x.article.id for x in s.iter_articles(chronological=True)] == ["seed-b", "seed-a"]


def test_earlier_uses_dates_when_known_else_ingest_order():
    d1, d2 = Article("x", date="2017-05-18"), Article("y", date="2017-05-19")
    assert Stored(5, d1).earlier_than(Stored(1, d2))  # date beats ingest order
    assert Stored(1, Article("x")).earlier_than(Stored(2, d2))  # one undated: ingest order
    assert Stored(1, d1).earlier_than(Stored(2, Article("z", date="2017-05-18")))  # same day: ingest order


def test_lsh_finds_the_article_a_patchwork_copied_from(tmp_path, seed_a, seed_b):
    with Store(tmp_path, create=True) as s:
        _add(s, Article(seed_b, id="seed-b", language="en"), Article(UNRELATED, id="ferry", language="en"))
        spans, keys = text_keys(seed_a)
        hits = lsh_index_for(s).hits(keys)
        seqs = {seq for seq, _ in hits}
        assert s.get("seed-b").seq in seqs and s.get("ferry").seq not in seqs
        copied = {spans[i].text[:30] for seq, i in hits}
        assert any(t.startswith("Coalition officials said") for t in copied)


def test_sentence_shingles_are_each_sentences_own_word_pairs(seed_a):
    from storymatch.features.minhash import sentence_shingles
    from storymatch.text.spans import sentences, word_list

    sh = sentence_shingles(seed_a, k=2, min_words=6)
    own = [(s.text, shingle_hashes(word_list(s.text), 2)) for s in sentences(seed_a) if len(word_list(s.text)) >= 6]
    assert [s.text for s in sh.spans] == [t for t, _ in own]
    for got, (_, want) in zip(sh.shingles, own):
        assert np.array_equal(got, want)


def test_minhash_estimates_jaccard_and_is_stable():
    rng = np.random.default_rng(0)
    base = [f"w{i}" for i in rng.integers(0, 10_000, size=400)]
    edited = base[:300] + [f"x{i}" for i in range(100)]
    sa, sb = set(shingle_hashes(base, 3).tolist()), set(shingle_hashes(edited, 3).tolist())
    true = len(sa & sb) / len(sa | sb)
    h = MinHasher(num_perm=256)
    sig = h.signatures([np.array(sorted(sa), dtype=np.uint64), np.array(sorted(sb), dtype=np.uint64),
                        np.zeros(0, dtype=np.uint64)])
    assert abs(jaccard_estimate(sig[0], sig[1]) - true) < 0.08
    assert np.array_equal(sig, MinHasher(num_perm=256).signatures([np.array(sorted(sa), dtype=np.uint64),
                                                                    np.array(sorted(sb), dtype=np.uint64),
                                                                    np.zeros(0, dtype=np.uint64)]))
    assert jaccard_estimate(sig[0], sig[2]) == 0.0


def _unit_vectors(rng, n: int, dim: int) -> np.ndarray:
    vecs = rng.normal(size=(n, dim)).astype(np.float32)
    return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def _articles(n: int) -> list[Article]:
    return [Article(f"article number {i}", id=f"a{i}", language="en") for i in range(n)]


def test_vector_index_exact_and_usearch_agree_and_caches_follow_the_table(tmp_path):
    rng = np.random.default_rng(1)
    vecs, arts = _unit_vectors(rng, 300, 32), _articles(300)
    with Store(tmp_path, create=True) as s:
        _add(s, *arts[:200], vectors=vecs[:200], tier="t")
        exact = VectorIndex(s, "t", usearch_min=10**9)
        ann = VectorIndex(s, "t", usearch_min=1)
        q = vecs[150] + 0.05 * rng.normal(size=32).astype(np.float32)
        q /= np.linalg.norm(q)
        assert exact.search(q, 5)[0][0] == s.get("a150").seq
        assert ann.search(q, 5)[0][0] == s.get("a150").seq
        assert s.get("a150").seq not in {x for x, _ in exact.search(q, 5, exclude={s.get("a150").seq})}
        _add(s, *arts[200:], vectors=vecs[200:], tier="t")  # the in-memory matrix and the usearch file are now stale
        q = vecs[250]
        for usearch_min in (10**9, 1):
            fresh = VectorIndex(s, "t", usearch_min=usearch_min)
            seq, sim = fresh.search(q, 1)[0]
            assert seq == s.get("a250").seq and sim > 0.99
        assert (tmp_path / "vectors-t.f16").stat().st_size == 300 * 32 * 2 and (tmp_path / "vectors-t.usearch").exists()


def test_vector_rows_left_by_a_killed_batch_are_never_read_and_get_overwritten(tmp_path):
    vecs, arts = _unit_vectors(np.random.default_rng(2), 20, 8), _articles(20)
    with Store(tmp_path, create=True) as s:
        _add(s, *arts[:10], vectors=vecs[:10], tier="t")
        with open(s.vector_path("t"), "ab") as fh:  # what a batch killed before its commit leaves
            fh.write(np.ones((5, 8), dtype=np.float16).tobytes())
        seqs, mat = s.vector_rows("t")
        assert len(seqs) == 10 and np.allclose(mat, vecs[:10], atol=1e-3)
        _add(s, *arts[10:], vectors=vecs[10:], tier="t")
        seqs, mat = s.vector_rows("t")
        assert len(seqs) == 20 and np.allclose(mat, vecs, atol=1e-3)
        assert s.vector_path("t").stat().st_size == 20 * 8 * 2
        assert np.allclose(s.vector_of("t", s.get("a15").seq), vecs[15], atol=1e-3)


def test_meta_rows_are_checked_for_what_the_code_can_use():
    from storymatch.corpus.store_rules import meta_problems

    sound = {"schema_version": "2", "tier": "quality:minilm", "lsh": json.dumps(asdict(LSHParams())),
             "dim:quality:minilm": "384"}
    assert meta_problems(sound) == []
    assert meta_problems({**sound, "tier": "hybrid:/models/mine", "dim:hybrid:/models/mine": "1792"}) == []
    wrong = meta_problems({**sound, "lsh": '{"bands": "6", "colour": 1}', "dim:quality:minilm": "512"})
    assert [p.split(" ")[0] for p in wrong] == ["lsh", "dim:quality:minilm"]
    assert "384 dimensions" in wrong[1]
    assert meta_problems({"tier": "quality:"}) == ["meta has no schema_version",
                                                   "tier is 'quality:', not a tier storymatch knows (fast, quality, "
                                                   "lead, hybrid, none)"]
