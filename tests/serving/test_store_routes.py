"""The corpus endpoints of `storymatch serve --store`: token-guarded ingest, then trace, search, stories, report."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from storymatch.inputs.article import Article
from storymatch.serving.app import create_app

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def store_client(tmp_path_factory, fake_embedder):
    """The corpus endpoints on stand-in models: candidates, alignment and the store are real."""
    with TestClient(create_app(store_dir=tmp_path_factory.mktemp("store"), token=TOKEN)) as c:
        yield c


@pytest.fixture(scope="module")
def ingested(store_client, seed_a, seed_b):
    """The example pair stored: the wire (B) dated a day before the patchwork (A)."""
    body = {"articles": [{"text": seed_a, "source": "patchwork", "date": "2017-05-19"},
                         {"text": seed_b, "source": "wire", "date": "2017-05-18"}]}
    resp = store_client.post("/api/ingest", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["added"] == 2
    return Article(seed_a, date="2017-05-19").id, Article(seed_b, date="2017-05-18").id


def test_ingest_needs_the_token(store_client, seed_b):
    body = {"articles": [{"text": seed_b}]}
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        resp = store_client.post("/api/ingest", json=body, headers=headers)
        assert resp.status_code == 401 and "token" in resp.json()["error"]
    assert store_client.get("/api/store").json()["articles"] in (0, 2)  # nothing added by the refused calls


def test_ingest_is_idempotent_and_reports_bad_files(store_client, ingested, seed_a):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    article = {"text": seed_a, "source": "patchwork", "date": "2017-05-19"}
    again = store_client.post("/api/ingest", json={"articles": [article]},
                              headers=auth)
    assert again.json()["added"] == 0 and again.json()["existing"] == 1
    files = [("files", ("note.txt", b"A short unrelated note about a village fete and its cake stall.", "text/plain")),
             ("files", ("broken.json", b'{"title": "no body"}', "application/json"))]
    resp = store_client.post("/api/ingest", files=files, headers=auth)
    assert resp.status_code == 200, resp.text
    out = resp.json()
    assert (out["added"], out["bad"], out["articles"]) == (1, 1, 3)
    assert "broken.json" in out["errors"][0]


def test_articles_in_time_order_and_404(store_client, ingested):
    a_id, b_id = ingested
    listed = [a["id"] for a in store_client.get("/api/articles").json()["articles"]]
    assert listed.index(b_id) < listed.index(a_id)
    assert store_client.get(f"/api/articles/{a_id}").json()["text"].startswith("The yesterday strike")
    resp = store_client.get("/api/articles/nope")
    assert resp.status_code == 404 and "nope" in resp.json()["error"]


def test_trace_credits_the_copied_sentences_to_the_wire(store_client, ingested):
    a_id, b_id = ingested
    resp = store_client.get(f"/api/trace/{a_id}")
    assert resp.status_code == 200, resp.text
    t = resp.json()
    copied = [s for s in t["sentences"] if s["sources"]]
    assert any("convoy going down the road" in s["text"] for s in copied)
    assert any("Coalition officials said Russian forces" in s["text"] for s in copied)
    assert all(m["id"] == b_id for s in copied for m in s["sources"])
    assert t["text"][copied[0]["start"]:copied[0]["end"]] == copied[0]["text"]


def test_search_finds_the_source(store_client, ingested, seed_a):
    a_id, b_id = ingested
    hits = store_client.get(f"/api/search/{a_id}").json()["results"]
    assert hits and hits[0]["id"] == b_id and hits[0]["relation"] == "source"
    posted = store_client.post("/api/search", json={"article": {"text": seed_a}, "limit": 5}).json()["results"]
    assert posted[0]["id"] == b_id
    assert hits[0]["scores"] is None and posted[0]["scores"] is None  # no hit compared in full unless asked
    full = store_client.get(f"/api/search/{a_id}?full=true").json()["results"]
    assert full[0]["id"] == b_id and set(full[0]["scores"]) >= {"overall", "narrative"}
    assert full[0]["probability"] == hits[0]["probability"] == full[0]["compare"]["probability"]


def test_stories_and_who_reused_whom(store_client, ingested):
    a_id, b_id = ingested
    stories = store_client.get("/api/stories").json()["stories"]
    story = next(s for s in stories if a_id in [x["id"] for x in s["articles"]])
    assert [x["id"] for x in story["articles"]][:2] == [b_id, a_id]  # oldest first
    detail = store_client.get(f"/api/stories/{story['id']}").json()
    assert any(e["source"] == b_id and e["reuser"] == a_id and e["sentences"] >= 2 for e in detail["edges"])
    report = store_client.get("/api/report").json()
    assert any(e["source"] == b_id and e["reuser"] == a_id for e in report["edges"])
    assert store_client.get("/api/stories/nope").status_code == 404


def test_a_store_error_names_no_server_path(tmp_path, fake_embedder, seed_b, monkeypatch):
    # a store the server can only read (simulated: tests run as root): ingest is refused with 409, and the line
    # says why without telling the client where the server keeps its files
    import storymatch.corpus.store as store_module

    folder = tmp_path / "private-store-folder"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(create_app(store_dir=folder, token=TOKEN)) as c:
        assert c.post("/api/ingest", json={"articles": [{"text": seed_b}]}, headers=auth).status_code == 200
    monkeypatch.setattr(store_module, "store_writable", lambda _folder: False)
    with TestClient(create_app(store_dir=folder, token=TOKEN)) as c:
        resp = c.post("/api/ingest", json={"articles": [{"text": seed_b + " More."}]}, headers=auth)
        assert resp.status_code == 409, resp.text
        assert "read-only" in resp.json()["error"]
        assert "private-store-folder" not in resp.text and str(tmp_path) not in resp.text


def test_a_wrong_typed_article_costs_only_itself(tmp_path, fake_embedder, seed_b):
    # as a bad record in `storymatch ingest`: the good article is stored, each bad one is one line naming it
    body = {"articles": [{"text": seed_b, "id": "wire"}, {"text": 5}, {"text": "A fine body.", "title": ["a", "b"]},
                         "not an object"]}
    with TestClient(create_app(store_dir=tmp_path / "s", token=TOKEN)) as c:
        resp = c.post("/api/ingest", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
        assert resp.status_code == 200, resp.text
        out = resp.json()
        assert (out["added"], out["bad"]) == (1, 3)
        assert [e.split(":")[0] for e in out["errors"]] == ["articles[1]", "articles[2]", "articles[3]"]
        assert "text" in out["errors"][0] and "title" in out["errors"][1] and "JSON object" in out["errors"][2]
        assert c.get("/api/articles/wire").status_code == 200


@pytest.fixture(scope="module")
def corpus_client(tmp_path_factory, fake_embedder):
    """A store ingested from the fixture corpus's files, as `storymatch ingest tests/fixtures/corpus` makes it:
    its articles have the ids of their files and records ("seed-b"), not the hash a posted text gets."""
    from pathlib import Path

    from storymatch.corpus import Store, ingest

    folder = tmp_path_factory.mktemp("corpus-store")
    with Store(folder, create=True) as st:
        ingest([Path(__file__).resolve().parents[1] / "fixtures" / "corpus"], st)
    with TestClient(create_app(store_dir=folder)) as c:
        yield c


def test_a_posted_copy_of_a_stored_article_searches_as_that_article(corpus_client):
    """POST /api/search with an article's own text finds what GET /api/search/{its id} finds, as the CLI's
    `search FILE` does: it was its own top hit, a "source" at p 0.9996."""
    stored = corpus_client.get("/api/articles/seed-b").json()
    assert Article(stored["text"]).id != "seed-b"  # posted without an id, the text gets a hash of its own
    by_id = corpus_client.get("/api/search/seed-b").json()
    posted = corpus_client.post("/api/search", json={"article": {"text": stored["text"]}}).json()
    assert posted["article"]["id"] == "seed-b"
    assert "seed-b" not in [h["id"] for h in posted["results"]]
    assert posted["results"] == by_id["results"] and posted["results"][0]["id"] == "seed-a"
    traced = corpus_client.post("/api/trace", json={"article": {"text": stored["text"]}}).json()
    assert traced == corpus_client.get("/api/trace/seed-b").json()
    # a text the store does not hold is still a query of its own
    edited = stored["text"].replace("US officials said", "officials in Washington said")
    other = corpus_client.post("/api/search", json={"article": {"text": edited}}).json()
    assert other["article"]["id"] != "seed-b" and other["results"][0]["id"] == "seed-b"


def test_without_a_store_the_corpus_endpoints_say_so(store_client, fake_embedder):
    """`storymatch serve` without --store: /api/store and every other corpus endpoint answer why they are not
    there, not a bare "Not Found"; an unknown path is still a plain 404."""
    from storymatch.serving.store_routes import STORE_PATHS

    paths = {r.path for r in store_client.app.routes if getattr(r, "path", "").startswith("/api/")}
    corpus = {p for p in paths if p.split("/")[2] not in ("compare", "align", "parse", "health")}
    assert corpus and all(any(p == s or p.startswith(s + "/") for s in STORE_PATHS) for p in corpus), corpus
    with TestClient(create_app()) as c:
        assert c.get("/api/health").json()["store"] is False
        for path in sorted(corpus):
            concrete = path.replace("{article_id}", "seed-b").replace("{story_id}", "s-1")
            for method in ("GET", "POST"):
                resp = c.request(method, concrete)
                assert resp.status_code == 404, (method, concrete)
                assert "started without a store" in resp.json()["error"] and "--store" in resp.json()["error"]
        assert c.get("/api/nothing-here").json() == {"error": "Not Found"}
