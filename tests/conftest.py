"""Shared fixtures: the example pair shipped in examples/, and ../shared/ data when present."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def seed_a_path() -> Path:
    return EXAMPLES / "seed-a.txt"


@pytest.fixture(scope="session")
def seed_b_path() -> Path:
    return EXAMPLES / "seed-b.txt"


@pytest.fixture(scope="session")
def seed_a(seed_a_path) -> str:
    return seed_a_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_b(seed_b_path) -> str:
    return seed_b_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def follow_up(seed_a, seed_b) -> str:
    """A follow-up made of four of seed-a's sentences that seed-b does not have (Moscow's reaction, local reports): a
    report of the same strike that shares seed-a's particulars and little of the wire's. Alone it is unlike the wire
    (P(same story) 0.29), beside seed-a, moscow-courier and levant-post it is their story (0.97 to 1.0): in the
    fixture corpus a story joins it to the wire through them."""
    from storymatch.alignment.aligner import align
    from storymatch.inputs.article import Article
    from storymatch.text.spans import sentences

    shared = [(p.a_start, p.a_end) for p in align(Article(seed_a), Article(seed_b)).passages]
    own = [seed_a[s.start:s.end] for s in sentences(seed_a) if not any(a < s.end and s.start < b for a, b in shared)]
    return " ".join(own[11:15])


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only ../shared/ data folder; tests needing it skip only where it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared/ data folder is absent")
    return SHARED


@pytest.fixture(autouse=True)
def fresh_settings():
    """Settings are read once per process; a test that sets a STORYMATCH_* variable gets them read anew. And the
    analyses compare keeps of recent articles are dropped: a test with stand-in models must not hand its vectors
    to the next one."""
    from storymatch.comparison.analysis_cache import recent
    from storymatch.config import reset_settings

    reset_settings()
    recent.clear()
    yield
    reset_settings()
    recent.clear()


class FakeEmbedder:
    """A stand-in for a sentence model where the model adds nothing to a test: hashed word counts, unit rows.

    Deterministic and instant, so the fast tier (`pytest -m "not slow"`) checks contracts (shapes, JSON, errors,
    offsets) without loading torch or USE; texts sharing words still get high cosines.
    """

    def __init__(self, name: str, dim: int = 384):
        self.name, self.dim = name, dim

    def encode(self, texts):
        import zlib

        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                h = zlib.crc32(word.strip(".,;:!?\"'()").encode("utf-8"))
                out[i, h % self.dim] += 1.0 if h & 1 << 20 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


@pytest.fixture(scope="module")
def fake_embedder():
    """Every embedding backend replaced by FakeEmbedder for the tests of one module (the real models stay
    cached for other modules); the dict maps each backend name asked for to its one instance."""
    from storymatch.embedding import registry

    fakes: dict[str, FakeEmbedder] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(registry, "_load", lambda name: fakes.setdefault(name, FakeEmbedder(name)))
        yield fakes
