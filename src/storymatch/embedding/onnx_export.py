"""Sentence-transformers models (MiniLM, the large English mpnet) exported once to ONNX, for ONNX Runtime.

Running a model with torch costs every process seconds of imports and hundreds of megabytes before its first
sentence (measured: a cold `storymatch compare` spent 4.4 s loading MiniLM through sentence-transformers and peaked
at 878 MB). ONNX Runtime loads the same network in a fraction of that, so the packaged weights are exported once,
on first use, and every later process reads the export.

The export is a BERT/MPNet encoder followed by mean pooling over the attention mask, exactly the sentence-
transformers pipeline of these models (normalisation stays in numpy), written from the safetensors weights with
numpy and onnx (onnx_graph.py): torch, which used to write it (`torch.onnx.export`), is no longer installed by
default; the graph reproduces that export's vectors bit for bit (float and int8). The tokenizer is the model's own
`tokenizer.json`, run by the `tokenizers` library with the model's maximum length. Exports live in
`settings().model_cache / "onnx"`, in a folder named by the source files' sizes and EXPORT_VERSION, written under a
temporary name and renamed, so a killed first run never leaves a half-written export that a later run would trust.
`quantize` stores int8 weights (dynamic quantisation): a quarter of the size; docs/EVALUATION.md has what it costs in
quality and gains in speed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path

from storymatch.config import settings
from storymatch.errors import ModelUnavailable

EXPORT_VERSION = 2  # bump when the exported graph changes, so old exports are never reused (2: written without torch)
MODEL_FILE = "model.onnx"
_lock = threading.Lock()
log = logging.getLogger("storymatch")


def max_length(source: Path) -> int:
    """The model's maximum input length in tokens, as sentence-transformers truncates it."""
    config = source / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text(encoding="utf-8")).get("max_seq_length", 512))
    return 512


def export_dir(source: Path, name: str, quantize: bool) -> Path:
    """Where the export of the model in `source` lives (whether or not it exists yet)."""
    h = hashlib.sha1(f"v{EXPORT_VERSION}:{'int8' if quantize else 'fp32'}".encode())
    for f in sorted(source.rglob("*")):
        if f.is_file() and f.suffix in (".json", ".safetensors", ".bin", ".txt"):
            h.update(f"{f.relative_to(source)}:{f.stat().st_size}".encode())
    return settings().model_cache / "onnx" / f"{name}-{'int8' if quantize else 'fp32'}-{h.hexdigest()[:10]}"


def exported(source: str | Path, name: str, quantize: bool = False) -> Path:
    """The folder holding `model.onnx` and `tokenizer.json` for the model in `source` (called `name`), exporting
    it on first use."""
    source = Path(source)
    target = export_dir(source, name, quantize)
    with _lock:
        if (target / MODEL_FILE).is_file():
            return target
        if not (source / "tokenizer.json").is_file():
            raise ModelUnavailable(str(source), "the model folder has no tokenizer.json to export it with")
        log.info("preparing %s for ONNX Runtime (once, a few seconds): %s", name, target)
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
        try:
            _export(source, work / MODEL_FILE)
            if quantize:
                _quantize(work / MODEL_FILE)
            shutil.copy2(source / "tokenizer.json", work / "tokenizer.json")
            (work / "max_length").write_text(str(max_length(source)))
            try:
                os.replace(work, target)
            except OSError:
                if not (target / MODEL_FILE).is_file():  # another process won the race: use its export
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target


def _export(source: Path, out: Path) -> None:
    """Write the encoder + mean pooling as ONNX from the weights (onnx_graph.py: numpy and onnx, no torch)."""
    from storymatch.embedding.onnx_graph import build

    build(source, out)


def _quantize(path: Path) -> None:
    """int8 weights, float activations (dynamic quantisation), in place.

    Per channel: with one scale per weight tensor, MiniLM's sentence vectors kept a mean cosine of 0.957 to the
    float ones (min 0.87, 300 news sentences); with one per output channel, 0.991 (min 0.977).
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic  # needs onnx: only when quantising

    quantized = path.with_name("int8.onnx")
    root = logging.getLogger()
    quiet = _WithoutAdvice()
    root.addFilter(quiet)  # the quantiser logs advice to pre-process the graph on the root logger, every time
    try:
        quantize_dynamic(str(path), str(quantized), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.removeFilter(quiet)
    os.replace(quantized, path)


class _WithoutAdvice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing" not in record.getMessage()
