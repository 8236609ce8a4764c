"""The ONNX graphs written from the weights (storymatch/embedding/onnx_graph.py) against torch's export of the same
models, the way storymatch exported them before (torch.onnx.export of the transformers model + mean pooling).

    pip install -e '.[sentence-transformers]'          # torch and transformers: this check only
    python benchmarks/onnx_graph_check.py [--model minilm|mpnet|both] [--texts 200] [--record]

For each model: both graphs run on ONNX Runtime (one thread, one text a call, as OnnxEmbedder runs them) over
SemEval-2022 sentences, the example pair and a few short texts; it prints the largest difference between the two
sets of vectors and how many are equal bit for bit, in float and after int8 quantisation (what storymatch uses).
`--record` writes tests/fixtures/onnx/: torch's float vectors of a few texts and transformers' table of MPNet's
relative position buckets, which tests/embedding/test_onnx_graph.py checks the graphs against without torch.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FIXTURES = ROOT / "tests" / "fixtures" / "onnx"
# The texts whose torch vectors are recorded (short, so the fixture stays a few kilobytes).
RECORDED = ["Hello world.", "US-led coalition strikes pro-regime convoy near At-Tanf, Syria.",
            "Die Koalition griff einen Konvoi an.", "x"]


def torch_export(source: Path, out: Path) -> None:
    """storymatch's export until torch left the default install (onnx_export.py, EXPORT_VERSION 1)."""
    import torch
    from transformers import AutoModel

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
    axes = {0: "batch", 1: "length"}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(MeanPooled(encoder), (ids, mask), str(out), input_names=["input_ids", "attention_mask"],
                          output_names=["embedding"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "embedding": {0: "batch"}})


def texts(n: int) -> list[str]:
    out: list[str] = []
    sem = SHARED / "semeval22" / "train.jsonl"
    if sem.exists():
        for line in sem.open(encoding="utf-8"):
            r = json.loads(line)
            if r.get("lang1") == "en":
                out += [s for s in (r.get("text1") or "").split(". ")[:3] if s]
            if len(out) >= n:
                break
    return out[:n] + RECORDED + [(ROOT / "examples" / "seed-a.txt").read_text(encoding="utf-8")]


def encode(model: Path, source: Path, items: list[str]) -> np.ndarray:
    import onnxruntime as ort
    from tokenizers import Tokenizer

    from storymatch.embedding.onnx_export import max_length

    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    tokenizer.enable_truncation(max_length(source))
    tokenizer.no_padding()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    rows = []
    for text in items:
        ids = np.asarray([tokenizer.encode(text).ids], dtype=np.int64)
        rows.append(session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0])
    return np.asarray(rows, dtype=np.float32)


def check(name: str, source: Path, items: list[str], record: bool) -> None:
    from storymatch.embedding.onnx_export import _quantize
    from storymatch.embedding.onnx_graph import build

    with tempfile.TemporaryDirectory() as tmp:
        ours, theirs = Path(tmp) / "graph.onnx", Path(tmp) / "torch.onnx"
        build(source, ours)
        torch_export(source, theirs)
        for kind in ("float", "int8"):
            if kind == "int8":
                _quantize(ours)
                _quantize(theirs)
            a, b = encode(ours, source, items), encode(theirs, source, items)
            same = int((a == b).all(axis=1).sum())
            print(f"{name} {kind}: max |difference| {np.abs(a - b).max():.2e}, equal bit for bit {same}/{len(a)}")
            if record and kind == "float":
                FIXTURES.mkdir(parents=True, exist_ok=True)
                np.save(FIXTURES / f"{name}-torch-export.npy", b[-len(RECORDED) - 1:-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["minilm", "mpnet", "both"], default="both")
    ap.add_argument("--texts", type=int, default=200)
    ap.add_argument("--record", action="store_true")
    args = ap.parse_args()
    items = texts(args.texts)
    if args.model in ("minilm", "both"):
        from storymatch.embedding.backends import minilm_path

        check("minilm", Path(minilm_path()), items, args.record)
    if args.model in ("mpnet", "both"):
        import torch
        from transformers.models.mpnet.modeling_mpnet import MPNetEncoder

        from storymatch.embedding import mpnet
        from storymatch.embedding.onnx_graph import relative_position_buckets

        table = MPNetEncoder.relative_position_bucket(torch.arange(-513, 514)).numpy()
        print(f"mpnet relative position buckets equal transformers': {(table == relative_position_buckets(514)).all()}")
        if args.record:
            np.save(FIXTURES / "mpnet-position-buckets.npy", table)
        check("mpnet", mpnet.model_dir(), items, args.record)


if __name__ == "__main__":
    main()
