"""Pair features for a labelled set of pairs, computed exactly as `compare` computes them.

Training and evaluating the learned scorer need the pair-feature dict of every
SemEval pair. The path is the one compare takes (analyse → embed with the
backend chosen for the pair's languages → align → pair_features), so the model
is fitted on what it will see at run time. Expensive steps are cached under
/tmp: analysed articles in a pickle, embeddings in the SQLite embedding cache,
alignment coverage in a pickle.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import os
import pickle
from pathlib import Path
from typing import Callable, Iterator, Sequence

from storymatch.alignment.aligner import ALIGNMENT_CODE, align
from storymatch.config import settings
from storymatch.disk_cache import code_fingerprint
from storymatch.embedding.cache import cached_embedder
from storymatch.embedding.registry import choose_backend
from storymatch.evaluation.semeval import SemEvalPair
from storymatch.features import analysis as _features
from storymatch.features.analysis import ANALYSIS_CODE
from storymatch.scoring.pair_features import pair_features


def _article_key(art) -> str:
    h = hashlib.sha1()
    for part in (art.language or "", art.title or "", art.text):
        h.update(part.encode("utf-8") + b"\x00")
    return h.hexdigest()


class _PickleCache:
    """A dict persisted to one pickle file, saved every `every` new entries and at the end."""

    def __init__(self, path: Path, every: int = 200):
        self.path, self.every, self._new = path, every, 0
        self.data: dict = {}
        # the file itself plus any shards other processes filled (same name with a suffix)
        for part in sorted(path.parent.glob(path.stem + "*" + path.suffix)):
            try:
                with open(part, "rb") as fh:
                    self.data.update(pickle.load(fh))
            except Exception:  # a truncated cache file is ignored and rebuilt, never trusted
                continue

    def get(self, key, make):
        if key not in self.data:
            self.data[key] = make()
            self._new += 1
            if self._new % self.every == 0:
                self.save()
        return self.data[key]

    def save(self) -> None:
        if not self._new:
            return
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(self.data, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)


@contextlib.contextmanager
def _cached_embeddings(cache_dir: Path) -> Iterator[None]:
    """Route features.embed through the disk embedding cache for the duration of a run.

    features.embed resolves its embedder by name; swapping that lookup keeps the
    feature code identical to compare's while sparing re-encoding.
    """
    original = _features.get_embedder
    _features.get_embedder = lambda name=None: cached_embedder(name, cache_dir)
    try:
        yield
    finally:
        _features.get_embedder = original


def pair_feature_rows(pairs: Sequence[SemEvalPair], *, cache_dir: str | Path | None = None,
                      progress: Callable[[int], None] | None = None, backend: str | None = None,
                      shard: str = "", english_large: bool | None = None) -> list[dict[str, float]]:
    """The pair-feature dict of every pair, in order.

    `shard` names separate analysis/alignment cache files, so two processes can fill the caches at once.
    `english_large` adds the large English model's headline cosine to English pairs, as `compare` does when
    asked (default: the STORYMATCH_ENGLISH_LARGE setting); the shipped scorer's refiner was fitted with it.
    """
    cdir = Path(cache_dir) if cache_dir else settings().work_cache
    cdir.mkdir(parents=True, exist_ok=True)
    analysed = _PickleCache(cdir / f"analysed-{code_fingerprint(ANALYSIS_CODE)}{shard}.pkl")
    aligned = _PickleCache(cdir / f"aligned-{code_fingerprint(ALIGNMENT_CODE)}{shard}.pkl", every=500)
    rows: list[dict[str, float]] = []
    with _cached_embeddings(cdir):
        for p in pairs:
            fa = copy.copy(analysed.get(_article_key(p.a), functools.partial(_features.analyse, p.a)))
            fb = copy.copy(analysed.get(_article_key(p.b), functools.partial(_features.analyse, p.b)))
            chosen = choose_backend([fa.language, fb.language], backend)
            _features.embed_pair(fa, fb, chosen, english_large)
            key = _article_key(p.a) + _article_key(p.b)
            reuse = aligned.get(key, functools.partial(align, p.a, p.b))
            rows.append(pair_features(fa, fb, reuse))
            if progress:
                progress(1)
    analysed.save()
    aligned.save()
    return rows
