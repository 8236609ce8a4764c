"""Sentence-transformers models (MiniLM, the large English mpnet) exported once to ONNX, for ONNX Runtime.

Running a model with torch costs every process seconds of imports and hundreds of megabytes before its first
sentence (measured: a cold `storymatch compare` spent 4.4 s loading MiniLM through sentence-transformers and peaked
at 878 MB). ONNX Runtime loads the same network in a fraction of that, so the packaged weights are exported once,
on first use, with torch (which the install has), and every later process reads the export.

The export is a BERT/MPNet encoder followed by mean pooling over the attention mask, exactly the sentence-
transformers pipeline of these models (normalisation stays in numpy); the tokenizer is the model's own
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
import warnings
from pathlib import Path

from storymatch.config import settings
from storymatch.errors import ModelUnavailable

EXPORT_VERSION = 1  # bump when the exported graph changes, so old exports are never reused
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
        log.info("preparing %s for ONNX Runtime (once, about 10 s): %s", name, target)
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
    """Trace the encoder + mean pooling with torch and write it as ONNX."""
    try:
        # torch, transformers and onnx only here: the export runs once per model and machine
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging
    except ImportError as e:
        raise ModelUnavailable(str(source), f"exporting the model to ONNX needs torch and transformers ({e})") from None

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    encoder = AutoModel.from_pretrained(str(source), local_files_only=True, attn_implementation="eager").eval()

    class MeanPooled(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]], dtype=torch.int64)
    mask = (ids != 0).to(torch.int64)
    batch_and_length = {0: "batch", 1: "length"}
    with torch.no_grad(), warnings.catch_warnings():
        # the tracer warns about shape checks it freezes; the export is checked against sentence-transformers
        # on batches of other sizes and lengths (tests/embedding/test_onnx_export.py)
        warnings.simplefilter("ignore")
        torch.onnx.export(MeanPooled(encoder), (ids, mask), str(out), input_names=["input_ids", "attention_mask"],
                          output_names=["embedding"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": batch_and_length, "attention_mask": batch_and_length,
                                        "embedding": {0: "batch"}})


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
