"""Embedding tiers: unit vectors in one stable space, and the same story nearer than another."""

import json
from pathlib import Path

import numpy as np
import pytest

from storymatch.embedding.tiers import LexicalTier, get_tier
from storymatch.errors import InputError
from storymatch.inputs.article import Article


def _basil(shared_dir):
    rows = [json.loads(line) for line in (shared_dir / "clustering" / "basil.jsonl").open(encoding="utf-8")]
    articles = [Article(text=r["text"], title=r["title"], language="en", id=r["id"]) for r in rows]
    return articles, [r["story"] for r in rows]


def test_fast_vectors_are_unit_and_do_not_depend_on_the_batch(seed_a, seed_b):
    tier = get_tier("fast")
    a, b = Article(text=seed_a, language="en"), Article(text=seed_b, language="en")
    both = tier.encode_articles([a, b])
    alone = tier.encode_articles([b])
    assert both.shape == (2, tier.dim) and both.dtype == np.float32
    assert np.allclose(np.linalg.norm(both, axis=1), 1.0, atol=1e-5)
    # a vector never depends on what else is encoded with it: a store can add vectors batch by batch
    assert np.array_equal(both[1], alone[0])


def test_common_words_weigh_nothing_and_rare_ones_a_lot(seed_b):
    tier = LexicalTier()
    base = tier.encode_texts([seed_b])[0]
    padded = tier.encode_texts([seed_b + " the of and to in the of and"])[0]
    named = tier.encode_texts([seed_b + " Zelenskyy Zelenskyy Oligarchs Kharkiv"])[0]
    assert float(base @ padded) > 0.999
    assert float(base @ named) < float(base @ padded)


def test_the_frequency_list_follows_the_language():
    tier = LexicalTier()
    de = "Die Regierung hat am Montag die neuen Regeln für die Einwanderung vorgestellt."
    as_german = tier.encode_texts([de, de + " und der die das"], ["de", "de"])
    as_english = tier.encode_texts([de, de + " und der die das"], ["en", "en"])
    # German function words are common in German only
    assert float(as_german[0] @ as_german[1]) > float(as_english[0] @ as_english[1])


def test_fast_tier_puts_the_example_pair_nearer_than_other_stories(seed_a, seed_b, shared_dir):
    tier = get_tier("fast")
    others, _ = _basil(shared_dir)
    v = tier.encode_articles([Article(text=seed_a), Article(text=seed_b)] + others[:60])
    assert float(v[0] @ v[1]) > float((v[2:] @ v[0]).max())


def test_fast_tier_nearest_neighbour_tells_the_same_story_on_basil(shared_dir):
    articles, story = _basil(shared_dir)
    v = get_tier("fast").encode_articles(articles)
    sims = v @ v.T
    np.fill_diagonal(sims, -1)
    nearest = sims.argmax(axis=1)
    accuracy = np.mean([story[i] == story[j] for i, j in enumerate(nearest)])
    assert accuracy >= 0.9  # 0.97 measured (benchmarks/tiers.py); chance is 2/299


@pytest.mark.slow
def test_quality_tier_resolves_its_backend_from_languages(seed_a, seed_b):
    tier = get_tier("quality", ["en", "en"])
    assert tier.name == "quality:minilm"
    assert get_tier(tier.name).name == tier.name  # a store can ask again for exactly its space
    unrelated = Article(text="The central bank raised interest rates by a quarter point on Wednesday, "
                             "citing persistent inflation in services and a tight labour market.")
    v = tier.encode_articles([Article(text=seed_a), Article(text=seed_b), unrelated])
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.2
    hybrid = get_tier("hybrid", ["en"])
    assert (hybrid.name, hybrid.dim) == ("hybrid:minilm", tier.dim + get_tier("fast").dim)
    h = hybrid.encode_articles([Article(text=seed_a), Article(text=seed_b), unrelated])
    assert float(h[0] @ h[1]) > float(h[0] @ h[2])


def test_unknown_tier_is_refused():
    with pytest.raises(InputError, match="unknown tier"):
        get_tier("turbo")


def test_vectors_from_the_shingles_words_equal_vectors_from_the_texts(shared_dir):
    """Ingest reads an article's fast-tier terms off the words its LSH shingles were made of (each body split into
    words once): the vectors must be the ones the texts give, to the last bit, in every script and with the
    characters that lower-case differently inside `normalize` (İ, Σ), joined words, single letters and digits,
    titles kept or repeated by the body, and texts with no word at all."""
    from storymatch.features.lsh import shingles

    rows = [json.loads(line) for line in (shared_dir / "semeval22" / "train.jsonl").open(encoding="utf-8")]
    texts = [row[key] for row in rows[:150] for key in ("text1", "text2") if row[key]]
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    texts += [p.read_text(encoding="utf-8") for p in sorted(fixtures.glob("*/*.txt"))]
    texts += ["İstanbul'da İSTANBUL ΟΔΟΣ Σ ΣΑΣ ′Σ", "Al-Assad’s forces, don't: 5 a 7 b_c _ __ Trump´s ‐ x",
              "Zürich ΣΥΡΙΑ Σ′ ‛Σ and more words here.", "mixed 中文 text 2017年5月 iPhone发布。 下一句。",
              "🙂 🙂", "x"]
    articles = [Article(text=t, title=("Rebels say" if i % 3 == 0 else t[:30] if i % 3 == 1 else None), id=str(i))
                for i, t in enumerate(texts)]
    for i, article in enumerate(articles):
        article.language = ("de", "en", None)[i % 3]  # the weights are per language: a language of its own each
    tier = LexicalTier()
    from_texts = tier.encode_articles(articles)
    from_words = tier.encode_articles(articles, body_words=shingles([a.text for a in articles]).words)
    assert len(articles) > 250
    assert np.array_equal(from_words, from_texts)
    assert np.all(np.abs(np.linalg.norm(from_words, axis=1) - 1) < 1e-5)  # no text left without a vector
