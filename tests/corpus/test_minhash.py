"""MinHash through rensa: bulk and one-by-one shingles agree, and signatures are the same in every process."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from storymatch.corpus.minhash import MinHasher, sentence_shingles, shingle_hashes, shingle_sets
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
    code = ("import sys, numpy as np; from storymatch.corpus.minhash import MinHasher, sentence_shingles; "
            "sh = sentence_shingles(sys.stdin.read()); "
            "print(MinHasher(num_perm=12, seed=1).signatures_flat(sh.flat, sh.offsets).tolist())")
    out = subprocess.run([sys.executable, "-c", code], input=seed_b, capture_output=True, text=True, check=True)
    assert here.tolist() == eval(out.stdout)  # noqa: S307 - a list of ints printed by the child


def test_each_sentence_keeps_its_own_shingles(seed_a):
    sh = sentence_shingles(seed_a, k=2, min_words=6)
    for span, shingles in zip(sh.spans, sh.shingles):
        assert np.array_equal(shingles, shingle_hashes(word_list(span.text), 2))
