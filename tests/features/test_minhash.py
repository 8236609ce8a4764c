"""MinHash through rensa: bulk and one-by-one shingles agree, and signatures are the same in every process; a
sentence shared by two Chinese, Japanese or Thai articles gets the same LSH keys in both, unrelated ones do not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from storymatch.features.lsh import LSHParams, text_keys
from storymatch.features.minhash import MinHasher, sentence_shingles, shingle_hashes, shingle_sets
from storymatch.text.spans import word_list


def test_bulk_shingles_equal_one_text_at_a_time(seed_a, seed_b):
    texts = [word_list(seed_a), word_list(seed_b), ["only", "two"], [], word_list(seed_a)[:5]]
    flat, offsets = shingle_sets(texts, 3)
    parts = np.split(flat, offsets[1:])
    expected = [shingle_hashes(w, 3) for w in texts if w]
    assert len(parts) == len(expected)
    for got, want in zip(parts, expected):
        assert np.array_equal(got, want)


def test_signatures_are_the_same_in_another_process(seed_b):
    sh = sentence_shingles(seed_b)
    here = MinHasher(num_perm=12, seed=1).signatures_flat(sh.flat, sh.offsets)
    code = ("import sys, numpy as np; from storymatch.features.minhash import MinHasher, sentence_shingles; "
            "sh = sentence_shingles(sys.stdin.read()); "
            "print(MinHasher(num_perm=12, seed=1).signatures_flat(sh.flat, sh.offsets).tolist())")
    out = subprocess.run([sys.executable, "-c", code], input=seed_b, capture_output=True, text=True, check=True)
    assert here.tolist() == eval(out.stdout)  # noqa: S307 - a list of ints printed by the child


def test_each_sentence_keeps_its_own_shingles(seed_a):
    sh = sentence_shingles(seed_a, k=2, min_words=6)
    for span, shingles in zip(sh.spans, sh.shingles):
        assert np.array_equal(shingles, shingle_hashes(word_list(span.text), 2))


ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


def test_english_shingles_are_word_bigrams(seed_b):
    sh = sentence_shingles(seed_b)
    assert len(sh.spans) >= 10
    words = sum(len(word_list(s.text)) - 1 for s in sh.spans)
    assert len(sh.flat) == words


@pytest.mark.parametrize("lang", ["zh", "ja", "th"])
def test_shared_sentence_shares_lsh_keys(lang):
    wire = (ARTICLES / f"{lang}-wire.txt").read_text(encoding="utf-8")
    digest = (ARTICLES / f"{lang}-digest.txt").read_text(encoding="utf-8")
    spans_w, keys_w = text_keys(wire, LSHParams())
    spans_d, keys_d = text_keys(digest, LSHParams())
    assert len(spans_w) >= 2 and len(spans_d) >= 2  # Chinese sentences are no longer one "word" each
    shared = {s.text for s in spans_w} & {s.text for s in spans_d}
    assert len(shared) == (2 if lang == "th" else 1)  # Thai: the space after สหรัฐฯ ends a clause, so two
    for i, s in enumerate(spans_d):
        hits = set(keys_d[i].tolist()) & set(keys_w.ravel().tolist())
        assert bool(hits) == (s.text in shared), s.text
