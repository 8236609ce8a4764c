"""compare() analyses an article it compared lately once, by content, and gives the same result as without."""

from __future__ import annotations

import json

from storymatch.comparison import analysis_cache
from storymatch.comparison.analysis_cache import AnalysisCache, content_key
from storymatch.comparison.pipeline import compare
from storymatch.features import analysis
from storymatch.inputs.article import Article


def test_one_article_against_several_is_analysed_once_and_results_do_not_change(monkeypatch, fake_embedder,
                                                                                 seed_a, seed_b):
    analysed: list[str] = []
    real = analysis_cache.analyse
    monkeypatch.setattr(analysis_cache, "analyse", lambda art: analysed.append(art.text[:30]) or real(art))
    embedded: list[str] = []
    real_embedder = analysis.get_embedder
    monkeypatch.setattr(analysis, "get_embedder", lambda name: embedded.append(name) or real_embedder(name))
    other = "The ferry terminal at the harbour reopened on Monday after a week of repairs to its main ramp."
    first = compare(Article(seed_a), Article(seed_b)).to_dict()
    assert len(embedded) == 2
    second = compare(Article(seed_a), Article(other)).to_dict()  # a new Article object, the same content
    assert len(analysed) == 3  # seed-a, seed-b, the ferry story: seed-a once
    assert len(embedded) == 3  # and embedded once: its kept vectors are reused
    other_model = compare(Article(seed_a), Article(seed_b), backend="use-multilingual").to_dict()
    assert other_model["backend"] == "use-multilingual" and other_model["features"] != first["features"]
    assert compare(Article(seed_a), Article(seed_b)).to_dict() == first  # what one compare added is not another's
    assert len(analysed) == 3
    analysis_cache.recent.clear()
    assert compare(Article(seed_a), Article(seed_b)).to_dict() == first  # analysed afresh: the same JSON
    assert json.dumps(second["a"]) == json.dumps(first["a"]) and second["a"]["language"] == "en"


def test_what_the_key_reads_and_the_bound():
    base = Article("Some text here.", title="T", language="en")
    assert content_key(base) == content_key(Article("Some text here.", title="T", language="en", source="elsewhere"))
    assert content_key(base) != content_key(Article("Some text here.", title="Other", language="en"))
    assert content_key(base) != content_key(Article("Some text here.", title="T", language="de"))
    assert content_key(base) != content_key(Article("Some text here.", title="T", language="en", date="2017-05-18"))
    cache = AnalysisCache(size=2)
    for text in ("One article about a strike.", "Another about a ferry.", "A third about shares."):
        cache.analysis(Article(text, language="en"))
    assert len(cache._kept) == 2
