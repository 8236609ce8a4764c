"""Stories of a store, and the one same-story answer: cluster puts the At-Tanf reports of the fixture corpus in one
story and each unrelated article alone, and search calls "same story" exactly the articles cluster put with the
query; a German and an English report of one event meet; odd stores behave."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storymatch.comparison.pipeline import compare
from storymatch.corpus.ingestion import ingest, ingest_records
from storymatch.corpus.related import search
from storymatch.corpus.store import Store
from storymatch.corpus.stories import cluster, story_assignments
from storymatch.inputs.article import Article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
AT_TANF = {"seed-a", "seed-b", "northern-wire-0518", "levant-post-0519", "moscow-courier-0519"}
ALONE = ("harbour-gazette-0518", "iberia-weather-0519", "markets")  # ferry terminal, heatwave, chip shares

pytestmark = pytest.mark.slow  # headline vectors through the packaged sentence models


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("store"), create=True) as s:
        ingest([FIXTURES / "corpus"], s)
        yield s


def test_search_reads_the_same_views_of_an_article_as_cluster(store):
    # views_of (what search hands the verifier) makes for a few stored articles exactly what store_items makes
    # for the whole store: one verdict on a pair, whichever command asks
    import numpy as np

    from storymatch.corpus.stories import store_items, views_of

    _, items = store_items(store)
    whole = {it.id: it for it in items}
    picked = [store.get(i) for i in ("seed-a", "levant-post-0519", "markets")]
    for view in views_of(store, picked):
        full = whole[view.id]
        assert np.allclose(view.vector, full.vector) and view.keys == full.keys and view.keys
        assert view.signals == full.signals and view.date == full.date
        assert set(view.headlines) == set(full.headlines)
        assert all(np.allclose(view.headlines[k], full.headlines[k]) for k in view.headlines)


def test_the_at_tanf_reports_are_one_story_and_unrelated_news_stands_alone(store):
    stories = {frozenset(s.articles) for s in cluster(store)}
    at_tanf = next(s for s in stories if "seed-b" in s)
    assert AT_TANF <= at_tanf
    for lone in ALONE:
        assert frozenset({lone}) in stories


def test_search_says_same_story_exactly_for_the_articles_cluster_puts_with_the_query(store):
    story_of = story_assignments(store)
    for query_id in sorted(AT_TANF):
        query = store.get(query_id)
        assert query is not None
        same = {h.stored.article.id for h in search(store, query, limit=20) if h.same_story}
        expected = {a for a, s in story_of.items() if s == story_of[query_id] and a != query_id}
        assert same == expected, query_id


def test_a_german_and_an_english_report_of_one_event_are_one_story(tmp_path, seed_b):
    german = (FIXTURES / "articles" / "syria-de.txt").read_text(encoding="utf-8")
    records = [("wire", Article(seed_b, id="en", date="2017-05-18", language="en")),
               ("de", Article(german, id="de", date="2017-05-19", language="de")),
               ("rates", Article((FIXTURES / "articles" / "rates.txt").read_text(encoding="utf-8"), id="rates",
                                 date="2017-05-18")),
               ("football", Article((FIXTURES / "articles" / "football.txt").read_text(encoding="utf-8"),
                                    id="football", date="2017-05-19"))]
    with Store(tmp_path / "s", create=True) as s:
        ingest_records(records, s)
        stories = {frozenset(st.articles) for st in cluster(s)}
    assert frozenset({"en", "de"}) in stories
    assert frozenset({"rates"}) in stories and frozenset({"football"}) in stories


def test_compare_gives_the_verifier_verdict(seed_a, seed_b):
    c = compare(Article(seed_a, date="2017-05-19"), Article(seed_b, date="2017-05-18"))
    assert c.same_story and c.probability >= 0.5
    rates = (FIXTURES / "articles" / "rates.txt").read_text(encoding="utf-8")
    other = compare(Article(seed_b), Article(rates))
    assert not other.same_story and other.probability < 0.2


def test_odd_stores(tmp_path, seed_a, seed_b):
    with Store(tmp_path / "empty", create=True) as empty:
        assert cluster(empty) == [] and story_assignments(empty) == {}
    undated = [("a", Article(seed_a, id="a")), ("b", Article(seed_b, id="b")), ("b", Article(seed_b, id="b"))]
    with Store(tmp_path / "undated", create=True) as s:
        stats = ingest_records(undated, s)
        assert (stats.added, stats.existing) == (2, 1)  # a repeated id is one article
        stories = cluster(s)
        assert sorted(a for st in stories for a in st.articles) == ["a", "b"]
        assert json.dumps([st.to_dict() for st in stories])  # plain data


def test_a_same_story_hit_under_the_verdict_says_how_the_story_joins_them(tmp_path, follow_up):
    # the follow-up alone is unlike the wire (its pair probability is low) but belongs to the story of the reports
    # it echoes (clustered here without the cohesion rule, which would keep a report this unlike the wire apart):
    # search of the wire puts it in the story and says through which articles; compare --store too
    from typer.testing import CliRunner

    from storymatch.cli import app
    from storymatch.corpus.clusterer import ClusterParams

    folder = tmp_path / "s"
    with Store(folder, create=True) as s:
        ingest([FIXTURES / "corpus"], s)
        ingest_records([("f", Article(follow_up, id="follow-up", date="2017-05-20", language="en"))], s)
        stories = {frozenset(st.articles) for st in cluster(s, ClusterParams(cohesion_margin=None))}
        assert any(AT_TANF | {"follow-up"} <= story for story in stories)
        hits = {h.stored.article.id: h for h in search(s, s.get("seed-b"), limit=20)}
    follow = hits["follow-up"]
    assert follow.same_story and follow.probability < 0.5
    assert follow.through and set(follow.through) <= AT_TANF
    assert follow.reason == "same story, through " + " and ".join(follow.through)
    for hit in hits.values():  # every same-story hit under the verdict carries its reason; none above it does
        assert (hit.reason is not None) == (hit.same_story and hit.probability < 0.5)
    runner = CliRunner()
    shown = runner.invoke(app, ["search", "seed-b", "--store", str(folder), "--limit", "20"], env={"COLUMNS": "120"})
    assert shown.exit_code == 0 and f"follow-up: {follow.reason}" in shown.output
    as_json = json.loads(runner.invoke(app, ["search", "seed-b", "--store", str(folder), "--limit", "20",
                                             "--json"]).output)
    row = next(r for r in as_json["results"] if r["id"] == "follow-up")
    assert row["story_reason"] == follow.reason and row["through"] == follow.through
    opened = runner.invoke(app, ["compare", "seed-b", "follow-up", "--store", str(folder)], env={"COLUMNS": "120"})
    assert opened.exit_code == 0 and "DIFFERENT STORIES" in opened.output
    assert "story: both in" in opened.output and follow.reason in opened.output
    opened_json = json.loads(runner.invoke(app, ["compare", "seed-b", "follow-up", "--store", str(folder),
                                                 "--json"]).output)
    assert opened_json["story"]["same"] and opened_json["story"]["through"]
