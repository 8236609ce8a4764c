"""A stored article is analysed once: search reads the analysis back from the store, and what it finds equals
`compare` on the same two articles to the last digit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storymatch.comparison.pipeline import compare
from storymatch.corpus import analyses
from storymatch.corpus.ingestion import ingest
from storymatch.corpus.related import search
from storymatch.corpus.store import Store
from storymatch.inputs.article import Article

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"


@pytest.fixture(scope="module")
def store(tmp_path_factory, fake_embedder):
    with Store(tmp_path_factory.mktemp("store"), create=True) as s:
        ingest([CORPUS], s, tier="fast")
        yield s


def _count_analyses(monkeypatch) -> list[str]:
    seen: list[str] = []
    real = analyses.analyse

    def counting(article: Article):
        seen.append(article.id or "")
        return real(article)

    monkeypatch.setattr(analyses, "analyse", counting)
    return seen


def test_search_comparison_equals_compare_and_each_article_is_analysed_once(store, monkeypatch):
    seen = _count_analyses(monkeypatch)
    query = store.get("seed-a")
    hits = search(store, query, cache=False)
    assert hits and len(seen) == len(set(seen))  # the query once, each candidate once
    top = hits[0]
    a, b = query.article, top.stored.article
    fresh = compare(Article(a.text, title=a.title, date=a.date, language=a.language),
                    Article(b.text, title=b.title, date=b.date, language=b.language)).to_dict()
    for key in ("same_story", "probability", "scores", "features", "reuse"):
        assert json.dumps(top.comparison[key]) == json.dumps(fresh[key]), key

    seen.clear()
    search(store, query, cache=False)  # everything is stored now: nothing is analysed again
    search(store, store.get("seed-b"), cache=False)
    assert seen == []


def test_analyses_made_by_other_code_are_not_reused(store, monkeypatch):
    seen = _count_analyses(monkeypatch)
    monkeypatch.setattr(analyses, "analysis_code", lambda: "another-version")
    search(store, store.get("seed-a"), cache=False)
    assert "seed-a" in seen
