"""The ONNX graphs written from the weights without torch compute what torch's export of the same models computed.

tests/fixtures/onnx/ holds torch's float vectors of a few texts and transformers' table of MPNet's relative
position buckets, recorded by `python benchmarks/onnx_graph_check.py --record` (which needs torch; on this machine
it found the vectors of 205 texts equal bit for bit, in float and int8, for both models).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from storymatch.embedding import mpnet
from storymatch.embedding.onnx_graph import build, relative_position_buckets
from storymatch.errors import ModelUnavailable

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "onnx"
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from onnx_graph_check import RECORDED, encode  # noqa: E402  (the same texts and the same way of running a graph)


def test_mpnet_position_buckets_are_transformers():
    assert np.array_equal(relative_position_buckets(514), np.load(FIXTURES / "mpnet-position-buckets.npy"))


def test_a_model_of_another_kind_is_one_clear_error(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "gpt2"}), encoding="utf-8")
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(ModelUnavailable, match="'gpt2'"):
        build(tmp_path, tmp_path / "model.onnx")


def test_weights_only_as_pytorch_bin_is_one_clear_error(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}), encoding="utf-8")
    with pytest.raises(ModelUnavailable, match="model.safetensors"):
        build(tmp_path, tmp_path / "model.onnx")


def test_a_sentence_transformers_model_without_the_extra_says_how_to_install_it(monkeypatch, tmp_path):
    from storymatch.embedding.backends import SentenceTransformerEmbedder

    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as on a default install: not there
    with pytest.raises(ModelUnavailable, match=r"storymatch\[sentence-transformers\]"):
        SentenceTransformerEmbedder(str(tmp_path))


def _same_as_torch(source: Path, name: str, tmp_path: Path) -> None:
    build(source, tmp_path / "model.onnx")
    ours = encode(tmp_path / "model.onnx", source, RECORDED)
    theirs = np.load(FIXTURES / f"{name}-torch-export.npy")
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


@pytest.mark.slow
def test_minilm_graph_computes_torchs_vectors(tmp_path):
    from storymatch.embedding.backends import minilm_path

    _same_as_torch(Path(minilm_path()), "minilm", tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(not mpnet.installed(), reason="requirements/english-large.txt not installed")
def test_mpnet_graph_computes_torchs_vectors(tmp_path):
    _same_as_torch(mpnet.model_dir(), "mpnet", tmp_path)
