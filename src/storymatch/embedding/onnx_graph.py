"""BERT and MPNet sentence encoders written as ONNX graphs from their weights, with numpy and onnx's helpers.

The packaged models (all-MiniLM-L6-v2, a BERT; all-mpnet-base-v2, an MPNet) come as sentence-transformers folders
of safetensors weights. They used to be exported to ONNX once with torch (`torch.onnx.export` of the transformers
model + mean pooling), which put torch (754 MB) and transformers in every install for a step that runs once. The
graphs here are the same networks written node by node: each layer is the sequence of ONNX operators that the torch
export produced for it (transformers 5.x, eager attention, opset 17), with the same constants (BERT's attention
scale is a Mul by float32(1/sqrt(head size)), MPNet's a Div by sqrt(head size); GELU as x * (1 + erf(x / sqrt 2)) * 0.5;
a Linear as MatMul by the transposed weight, then the bias added), so that ONNX Runtime fuses them alike and
computes the same numbers: on 200 news sentences the vectors equal the torch export's to ~1e-7 in float and
byte for byte after int8 quantisation (tests/embedding/test_onnx_graph.py checks it where torch is installed; the
example pair's compare JSON is pinned in tests/golden/compare.json).

Only what the sentence encoders need is written: token ids and an attention mask in, mean-pooled vectors out (the
sentence-transformers pipeline of both models; normalisation stays in numpy). Token type ids are all zero, as
sentence-transformers passes them for one text.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

import numpy as np

from storymatch.errors import ModelUnavailable

if TYPE_CHECKING:
    from onnx import ModelProto

OPSET = 17
FLOAT_MIN = float(np.finfo(np.float32).min)  # what transformers adds to masked attention scores


class _Graph:
    """Nodes, initialisers and constants of one graph under construction, with fresh names."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list = []
        self.initializers: list = []
        self._n = 0

    def name(self, hint: str) -> str:
        self._n += 1
        return f"{hint}_{self._n}"

    def op(self, op_type: str, *inputs: str, **attrs) -> str:
        out = self.name(op_type)
        self.nodes.append(self.helper.make_node(op_type, list(inputs), [out], name=out, **attrs))
        return out

    def const(self, value, dtype=None) -> str:
        """A Constant node (scalars and small shape vectors, as the torch export has them)."""
        arr = np.asarray(value, dtype=dtype)
        out = self.name("Constant")
        tensor = self.numpy_helper.from_array(arr, out)
        self.nodes.append(self.helper.make_node("Constant", [], [out], name=out, value=tensor))
        return out

    def weight(self, name: str, arr: np.ndarray) -> str:
        self.initializers.append(self.numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def linear(self, x: str, w: Mapping[str, np.ndarray], prefix: str) -> str:
        """torch's Linear as exported: MatMul by the transposed weight, then Add(bias, product)."""
        product = self.op("MatMul", x, self.weight(prefix + ".weight.T", w[prefix + ".weight"].T))
        return self.op("Add", self.weight(prefix + ".bias", w[prefix + ".bias"]), product)

    def layer_norm(self, x: str, w: Mapping[str, np.ndarray], prefix: str, eps: float) -> str:
        return self.op("LayerNormalization", x, self.weight(prefix + ".weight", w[prefix + ".weight"]),
                       self.weight(prefix + ".bias", w[prefix + ".bias"]), axis=-1, epsilon=eps)

    def gelu(self, x: str) -> str:
        """transformers' exact GELU as the export wrote it (ONNX Runtime fuses it into one Gelu)."""
        erf = self.op("Erf", self.op("Div", x, self.const(np.float32(math.sqrt(2.0)))))
        inner = self.op("Mul", x, self.op("Add", erf, self.const(np.float32(1.0))))
        return self.op("Mul", inner, self.const(np.float32(0.5)))

    def feed_forward(self, x: str, w: Mapping[str, np.ndarray], prefix: str, eps: float) -> str:
        """A layer's second half, alike in BERT and MPNet: LayerNorm(x + output(GELU(intermediate(x))))."""
        inner = self.gelu(self.linear(x, w, prefix + "intermediate.dense"))
        return self.layer_norm(self.op("Add", self.linear(inner, w, prefix + "output.dense"), x), w,
                               prefix + "output.LayerNorm", eps)

    def dim(self, x: str, axis: int) -> str:
        return self.op("Gather", self.op("Shape", x), self.const(np.int64(axis)), axis=0)

    def heads_shape(self, batch: str, length: str, head_size: int) -> str:
        """[batch, length, -1, head_size] for the view that splits the hidden size into heads."""
        return self.op("Concat", self.op("Unsqueeze", batch, self.const([0], np.int64)),
                       self.op("Unsqueeze", length, self.const([0], np.int64)),
                       self.const([-1], np.int64), self.const([head_size], np.int64), axis=0)

    def merged_shape(self, batch: str, length: str) -> str:
        return self.op("Concat", self.op("Unsqueeze", batch, self.const([0], np.int64)),
                       self.op("Unsqueeze", length, self.const([0], np.int64)), self.const([-1], np.int64), axis=0)

    def attention(self, x: str, w: Mapping[str, np.ndarray], names: tuple[str, str, str, str], heads: int,
                  mask: str, bias: str | None, scale_by_div: bool) -> str:
        """Multi-head self-attention: (Q K^T scaled [+ position bias] + mask) -> softmax -> V -> output Linear."""
        hidden = w[names[0] + ".weight"].shape[0]
        head_size = hidden // heads
        batch, length = self.dim(x, 0), self.dim(x, 1)
        q = self.op("Transpose", self.op("Reshape", self.linear(x, w, names[0]),
                                         self.heads_shape(batch, length, head_size)), perm=[0, 2, 1, 3])
        k = self.op("Reshape", self.linear(x, w, names[1]), self.heads_shape(batch, length, head_size))
        v = self.op("Transpose", self.op("Reshape", self.linear(x, w, names[2]),
                                         self.heads_shape(batch, length, head_size)), perm=[0, 2, 1, 3])
        scores = self.op("MatMul", q, self.op("Transpose", k, perm=[0, 2, 3, 1]))
        if scale_by_div:  # MPNet: scores / sqrt(head size)
            scores = self.op("Div", scores, self.const(np.float32(math.sqrt(head_size))))
        else:  # BERT in transformers 5: scores * head_size ** -0.5
            scores = self.op("Mul", scores, self.const(np.float32(head_size ** -0.5)))
        if bias is not None:
            scores = self.op("Add", scores, bias)
        probs = self.op("Softmax", self.op("Add", scores, mask), axis=-1)
        context = self.op("Transpose", self.op("MatMul", probs, v), perm=[0, 2, 1, 3])
        context = self.op("Reshape", context, self.merged_shape(batch, length))
        return self.linear(context, w, names[3])

    def additive_mask(self, attention_mask: str) -> str:
        """[batch, 1, 1, length]: 0 where a token is attended to, float32's minimum where it is padding."""
        keep = self.op("Cast", self.op("Unsqueeze", attention_mask, self.const([1, 2], np.int64)), to=9)  # bool
        return self.op("Where", keep, self.const(np.float32(0.0)), self.const(np.float32(FLOAT_MIN)))

    def mean_pool(self, hidden: str, attention_mask: str) -> str:
        mask = self.op("Cast", self.op("Unsqueeze", attention_mask, self.const([-1], np.int64)), to=1)
        axis = self.const([1], np.int64)
        summed = self.op("ReduceSum", self.op("Mul", hidden, mask), axis, keepdims=0)
        counts = self.op("Clip", self.op("ReduceSum", mask, axis, keepdims=0), self.const(np.float32(1e-9)))
        out = "embedding"
        self.nodes.append(self.helper.make_node("Div", [summed, counts], [out], name="mean_pooling"))
        return out

    def model(self, name: str, dim: int) -> ModelProto:
        helper, TensorProto = self.helper, __import__("onnx").TensorProto
        inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "length"])
                  for n in ("input_ids", "attention_mask")]
        output = helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", dim])
        graph = helper.make_graph(self.nodes, name, inputs, [output], self.initializers)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="storymatch")


def _strip(weights: Mapping[str, np.ndarray], prefixes: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The weights named as the bare model names them (a checkpoint of a model with a head has `bert.` etc.)."""
    out = {}
    for key, value in weights.items():
        for p in prefixes:
            if key.startswith(p):
                key = key[len(p):]
                break
        out[key] = value
    return out


def bert(weights: Mapping[str, np.ndarray], config: Mapping) -> ModelProto:
    """all-MiniLM-L6-v2 and other BERT encoders (absolute positions, GELU) + mean pooling."""
    w = _strip(weights, ("bert.",))
    g, eps, heads = _Graph(), float(config.get("layer_norm_eps", 1e-12)), int(config["num_attention_heads"])
    ids, attention_mask = "input_ids", "attention_mask"
    length = g.dim(ids, 1)
    positions = g.op("Unsqueeze", g.op("Range", g.const(np.int64(0)), length, g.const(np.int64(1))),
                     g.const([0], np.int64))
    word = g.op("Gather", g.weight("embeddings.word_embeddings.weight", w["embeddings.word_embeddings.weight"]), ids)
    # token type 0 for every token (one text): its embedding row, added as the export adds the gathered rows
    token_type = g.op("Gather", g.weight("embeddings.token_type_embeddings.weight",
                                         w["embeddings.token_type_embeddings.weight"]),
                      g.op("Mul", ids, g.const(np.int64(0))))
    x = g.op("Add", word, token_type)
    x = g.op("Add", x, g.op("Gather", g.weight("embeddings.position_embeddings.weight",
                                               w["embeddings.position_embeddings.weight"]), positions))
    x = g.layer_norm(x, w, "embeddings.LayerNorm", eps)
    mask = g.additive_mask(attention_mask)
    for i in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{i}."
        names = (p + "attention.self.query", p + "attention.self.key", p + "attention.self.value",
                 p + "attention.output.dense")
        attended = g.attention(x, w, names, heads, mask, None, scale_by_div=False)
        x = g.feed_forward(g.layer_norm(g.op("Add", attended, x), w, p + "attention.output.LayerNorm", eps), w, p, eps)
    g.mean_pool(x, attention_mask)
    return g.model("bert_mean_pooled", int(config["hidden_size"]))


def relative_position_buckets(max_positions: int, num_buckets: int = 32, max_distance: int = 128) -> np.ndarray:
    """MPNet's bucket of each relative position (key - query) from -(max_positions-1) to max_positions-1.

    transformers computes it per forward pass in float32 (`relative_position_bucket`); here it is a table. The
    log is taken in float32 as there, and the table checked against transformers' float32 one for every position
    (tests/embedding/test_onnx_graph.py), since a bucket is an integer and a boundary case would move one.
    """
    relative = np.arange(-(max_positions - 1), max_positions, dtype=np.int64)
    n = -relative
    half = num_buckets // 2
    ret = (n < 0).astype(np.int64) * half
    n = np.abs(n)
    max_exact = half // 2
    ratio = np.maximum(n, 1).astype(np.float32) / np.float32(max_exact)  # n < max_exact never takes `large`
    large = max_exact + (np.log(ratio) / np.float32(math.log(max_distance / max_exact))
                         * np.float32(half - max_exact)).astype(np.int64)
    large = np.minimum(large, half - 1)
    return ret + np.where(n < max_exact, n, large)


def mpnet(weights: Mapping[str, np.ndarray], config: Mapping) -> ModelProto:
    """all-mpnet-base-v2 (MPNet: positions from the padding index on, relative position bias) + mean pooling."""
    w = _strip(weights, ("mpnet.",))
    g, eps, heads = _Graph(), float(config.get("layer_norm_eps", 1e-12)), int(config["num_attention_heads"])
    padding_idx = int(config.get("pad_token_id", 1))
    ids, attention_mask = "input_ids", "attention_mask"
    # position ids as transformers' create_position_ids_from_input_ids: cumsum of non-padding tokens + padding_idx
    not_pad = g.op("Cast", g.op("Not", g.op("Equal", ids, g.const(np.int64(padding_idx)))), to=6)  # int32
    positions = g.op("Mul", g.op("CumSum", not_pad, g.const(np.int64(1))), not_pad)
    positions = g.op("Add", g.op("Cast", positions, to=7), g.const(np.int64(padding_idx)))
    x = g.op("Add", g.op("Gather", g.weight("embeddings.word_embeddings.weight",
                                            w["embeddings.word_embeddings.weight"]), ids),
             g.op("Gather", g.weight("embeddings.position_embeddings.weight",
                                     w["embeddings.position_embeddings.weight"]), positions))
    x = g.layer_norm(x, w, "embeddings.LayerNorm", eps)
    # relative position bias, [1, heads, length, length], shared by every layer
    max_positions = int(config["max_position_embeddings"])
    buckets = relative_position_buckets(max_positions, int(config.get("relative_attention_num_buckets", 32)))
    length = g.dim(x, 1)
    steps = g.op("Range", g.const(np.int64(0)), length, g.const(np.int64(1)))
    relative = g.op("Sub", g.op("Unsqueeze", steps, g.const([0], np.int64)),
                    g.op("Unsqueeze", steps, g.const([1], np.int64)))  # key - query, [length, length]
    bucket = g.op("Gather", g.weight("relative_position_buckets", buckets),
                  g.op("Add", relative, g.const(np.int64(max_positions - 1))))
    bias = g.op("Gather", g.weight("encoder.relative_attention_bias.weight",
                                   w["encoder.relative_attention_bias.weight"]), bucket)  # [length, length, heads]
    bias = g.op("Unsqueeze", g.op("Transpose", bias, perm=[2, 0, 1]), g.const([0], np.int64))
    mask = g.additive_mask(attention_mask)
    for i in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{i}."
        names = (p + "attention.attn.q", p + "attention.attn.k", p + "attention.attn.v", p + "attention.attn.o")
        attended = g.attention(x, w, names, heads, mask, bias, scale_by_div=True)
        x = g.feed_forward(g.layer_norm(g.op("Add", attended, x), w, p + "attention.LayerNorm", eps), w, p, eps)
    g.mean_pool(x, attention_mask)
    return g.model("mpnet_mean_pooled", int(config["hidden_size"]))


BUILDERS: dict[str, Callable[[Mapping[str, np.ndarray], Mapping], ModelProto]] = {"bert": bert, "mpnet": mpnet}


def load_weights(source: Path) -> dict[str, np.ndarray]:
    """The model's weights as float32 numpy arrays, from `model.safetensors` (read without torch)."""
    path = source / "model.safetensors"
    if not path.is_file():
        raise ModelUnavailable(str(source), "the model folder has no model.safetensors to build the ONNX graph from "
                                            "(a pytorch_model.bin alone needs torch: pip install 'storymatch[torch]')")
    from safetensors.numpy import load_file

    return {k: v.astype(np.float32) if v.dtype.kind == "f" else v for k, v in load_file(str(path)).items()}


def build(source: Path, out: Path) -> None:
    """Write the ONNX graph (encoder + mean pooling) of the sentence-transformers model in `source` to `out`."""
    import onnx

    config = json.loads((source / "config.json").read_text(encoding="utf-8"))
    builder = BUILDERS.get(str(config.get("model_type")))
    if builder is None:
        raise ModelUnavailable(str(source), f"no ONNX graph is written here for {config.get('model_type')!r} models "
                                            f"(only {', '.join(BUILDERS)})")
    model = builder(load_weights(source), config)
    onnx.checker.check_model(model, full_check=False)
    onnx.save_model(model, str(out))
