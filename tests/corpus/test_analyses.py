"""A stored article is analysed once: search reads the analysis back from the store, and what it finds equals
`compare` on the same two articles to the last digit. A search that is not asked for full comparisons analyses
nothing and embeds no sentence, and finds what a full one finds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storymatch.comparison.pipeline import compare
from storymatch.corpus import analyses, related
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


def test_a_quick_search_analyses_nothing_and_finds_what_a_full_one_finds(tmp_path, fake_embedder, monkeypatch):
    seen = _count_analyses(monkeypatch)
    embedded: list[str] = []
    real_embedded = related.embedded_for
    monkeypatch.setattr(related, "embedded_for", lambda st, stored, *rest: embedded.append(stored.article.id)
                        or real_embedded(st, stored, *rest))
    with Store(tmp_path / "s", create=True) as s:
        ingest([CORPUS], s, tier="fast")
        quick = search(s, s.get("seed-a"))
        assert seen == [] and embedded == []
        full = search(s, s.get("seed-a"), full=True)
        assert seen and embedded
        again = search(s, s.get("seed-a"))  # the full comparisons were kept: a later search shows them
    assert quick and all(h.comparison is None and h.to_dict()["scores"] is None for h in quick)
    assert all(h.comparison is not None for h in full)
    assert [h.comparison for h in again] == [h.comparison for h in full]

    def found(hits):
        return [(h.stored.article.id, h.probability, h.relation, h.same_story, h.story, h.shared.passages,
                 h.shared.coverage_query, h.shared.coverage_hit, h.shared.likely_source) for h in hits]

    assert found(quick) == found(full) == found(again)  # English only: the translation level has nothing to add
    assert all(h.shared.words_only for h in quick) and not any(h.shared.words_only for h in full + again)
    source = next(h for h in quick if h.stored.article.id == "seed-b")  # the wire seed-a took its sentences from
    assert source.relation == "source" and source.shared.passages >= 3 and source.same_story


def test_search_comparison_equals_compare_and_each_article_is_analysed_once(store, monkeypatch):
    seen = _count_analyses(monkeypatch)
    query = store.get("seed-a")
    hits = search(store, query, cache=False, full=True)
    assert hits and len(seen) == len(set(seen))  # the query once, each candidate once
    top = hits[0]
    a, b = query.article, top.stored.article
    fresh = compare(Article(a.text, title=a.title, date=a.date, language=a.language),
                    Article(b.text, title=b.title, date=b.date, language=b.language)).to_dict()
    for key in ("same_story", "probability", "scores", "features", "reuse"):
        assert json.dumps(top.comparison[key]) == json.dumps(fresh[key]), key

    seen.clear()
    search(store, query, cache=False, full=True)  # everything is stored now: nothing is analysed again
    search(store, store.get("seed-b"), cache=False, full=True)
    assert seen == []


def test_analyses_made_by_other_code_are_not_reused(store, monkeypatch):
    seen = _count_analyses(monkeypatch)
    monkeypatch.setattr(analyses, "analysis_code", lambda: "another-version")
    search(store, store.get("seed-a"), cache=False, full=True)
    assert "seed-a" in seen
