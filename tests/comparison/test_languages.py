"""Languages no embedding model reads, scripts no part reads, mixed-language texts: compared without a cosine
from a model that never saw them, and named in the result's `models`."""

from __future__ import annotations

from pathlib import Path

import pytest

from storymatch.comparison.pipeline import compare
from storymatch.inputs.article import Article

# compare runs the real verifier and, for the mixed text, the real multilingual encoder
pytestmark = pytest.mark.slow

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
LANGUAGES = Path(__file__).resolve().parents[1] / "fixtures" / "languages"  # texts written for these tests


def _read(name: str) -> Article:
    return Article((LANGUAGES / name).read_text(encoding="utf-8"))


def test_malay_is_compared_on_names_numbers_and_shared_text():
    same = compare(_read("ms-flood-a.txt"), _read("ms-flood-b.txt"))
    other = compare(_read("ms-flood-a.txt"), _read("ms-football.txt"))
    for c in (same, other):
        assert c.a.language == "ms" and c.backend == "none"
        models = c.to_dict()["models"]
        assert models["embeddings"]["model"] == "none" and "ms" in models["embeddings"]["runtime"]
        assert "without embeddings" in models["scorer"] and models["translation"] is None
        assert not any(k.endswith("_cos") and "char" not in k and "word" not in k for k in c.features)
    assert same.scores["overall"] < other.scores["overall"]
    assert "120" in same.evidence.shared_numbers
    assert same.evidence.sentence_pairs  # closest sentences by shared character 4-grams


def test_a_script_no_part_reads_is_named(seed_b):
    c = compare(_read("ka-news.txt"), Article(seed_b))
    models = c.to_dict()["models"]
    assert c.a.language is None and "Georgian" in models["language"]["a"]
    assert c.backend == "none" and "Georgian" in models["embeddings"]["runtime"]


def test_a_language_no_part_names_is_compared_without_a_model(seed_b):
    swahili = Article("Habari za asubuhi, serikali imetangaza mpango mpya wa kilimo ambao utasaidia wakulima wadogo "
                      "katika mikoa yote ya nchi hii mwaka ujao. Waziri wa kilimo alisema kwamba fedha zitatolewa "
                      "kupitia benki za wananchi na vikundi vya ushirika vijijini.")
    c = compare(swahili, Article(seed_b))
    models = c.to_dict()["models"]
    assert c.a.language is None and "CLD2 reads it as sw" in models["language"]["a"]
    assert c.backend == "none" and models["translation"] is None


def test_a_mixed_text_names_its_second_language(seed_b):
    mixed = Article((ARTICLES / "seed-b-de.txt").read_text(encoding="utf-8") + "\n\n" + seed_b)
    c = compare(mixed, Article(seed_b))
    models = c.to_dict()["models"]
    assert c.a.language == "de" and "partly in en" in models["language"]["a"]
    assert c.backend == "use-multilingual"
