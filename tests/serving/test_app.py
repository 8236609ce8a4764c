"""The HTTP API through FastAPI's test client: same JSON as the library, clear 4xx errors, no paths opened."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from storymatch.alignment.aligner import align, pair_json
from storymatch.comparison.pipeline import compare
from storymatch.inputs.article import Article
from storymatch.serving.app import WEB_DIR, create_app

LIMIT = 300_000


@pytest.fixture(scope="module")
def client(fake_embedder):
    """The app on stand-in models: these tests check the HTTP contract, not what a model says."""
    with TestClient(create_app(max_bytes=LIMIT)) as c:
        yield c


def as_json(data):
    return json.loads(json.dumps(data))


def pair(seed_a, seed_b, **extra):
    return {"a": {"text": seed_a, **extra}, "b": {"text": seed_b}}


def assert_one_line_error(resp, status, *needles):
    assert resp.status_code == status, resp.text
    err = resp.json()["error"]
    assert "\n" not in err and err.strip() == err and err
    for n in needles:
        assert n in err, err
    return err


def test_compare_returns_exactly_the_library_json(client, seed_a, seed_b):
    resp = client.post("/api/compare", json=pair(seed_a, seed_b, title="Syria strike", date="2017-05-19"))
    assert resp.status_code == 200, resp.text
    expected = compare(Article(seed_a, title="Syria strike", date="2017-05-19"), Article(seed_b)).to_dict()
    assert resp.json() == as_json(expected)
    assert resp.json()["a"]["date"] == "2017-05-19"


def test_align_returns_exactly_the_library_json(client, seed_a, seed_b):
    resp = client.post("/api/align", json=pair(seed_a, seed_b))
    assert resp.status_code == 200, resp.text
    a, b = Article(seed_a), Article(seed_b)
    assert resp.json() == as_json(pair_json(a, b, align(a, b)))
    assert resp.json()["a"]["chars"] == len(seed_a) and resp.json()["b"]["language"] == "en"
    for p in resp.json()["passages"]:  # offsets index the texts as sent
        assert seed_a[p["a_start"]:p["a_end"]] == p["a_text"]
        assert seed_b[p["b_start"]:p["b_end"]] == p["b_text"]


def test_uploads_give_the_same_alignment_as_json(client, seed_a_path, seed_b_path, seed_a, seed_b):
    files = {"a": ("seed-a.txt", seed_a_path.read_bytes(), "text/plain"),
             "b": ("seed-b.txt", seed_b_path.read_bytes(), "text/plain")}
    resp = client.post("/api/align", files=files)
    assert resp.status_code == 200, resp.text
    sent = client.post("/api/align", json=pair(seed_a, seed_b)).json()
    assert {**resp.json(), "a": None, "b": None} == {**sent, "a": None, "b": None}
    assert (resp.json()["a"]["source"], sent["a"]["source"]) == ("seed-a.txt", None)  # an upload is named by its file
    resp = client.post("/api/compare", files=files, data={"a_title": "Patchwork", "b_date": "19 May 2017"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["a"]["source"], body["a"]["title"], body["b"]["date"]) == ("seed-a.txt", "Patchwork", "2017-05-19")


def test_align_endpoint_answers_what_align_json_prints(client, seed_a_path, seed_b_path):
    """The README's word: POST /api/align is exactly `storymatch align --json`, article blocks and all (run
    beside the files, so that the CLI names them as the upload does)."""
    import subprocess
    import sys

    cli = subprocess.run([sys.executable, "-m", "storymatch", "align", "seed-a.txt", "seed-b.txt", "--json"],
                         cwd=seed_a_path.parent, capture_output=True, text=True, timeout=300)
    assert cli.returncode == 0, cli.stderr
    files = {"a": ("seed-a.txt", seed_a_path.read_bytes(), "text/plain"),
             "b": ("seed-b.txt", seed_b_path.read_bytes(), "text/plain")}
    resp = client.post("/api/align", files=files)
    assert resp.status_code == 200, resp.text
    assert resp.json() == json.loads(cli.stdout)
    assert set(resp.json()) >= {"a", "b", "passages", "coverage_a", "coverage_b", "likely_source"}


def test_json_and_html_uploads_are_parsed_from_their_bytes(client, seed_b):
    record = {"title": "Strike on convoy", "date_publish": "2017-05-18 22:10:00", "maintext": seed_b}
    resp = client.post("/api/parse", files={"file": ("wire.json", json.dumps(record).encode(), "application/json")})
    assert resp.status_code == 200, resp.text
    assert resp.json()["title"] == "Strike on convoy" and resp.json()["date"] == "2017-05-18"
    assert resp.json()["text"] == seed_b
    paras = "".join(f"<p>{p}</p>" for p in seed_b.split("\n\n"))
    html = f"<html><head><title>Wire</title></head><body><article><h1>Convoy hit</h1>{paras}</article></body></html>"
    resp = client.post("/api/parse", files={"file": ("page.html", html.encode(), "text/html")})
    assert resp.status_code == 200, resp.text
    assert "Coalition officials said Russian forces" in resp.json()["text"]


def test_a_client_named_path_is_never_opened(client, seed_b):
    secret = Path("/etc/hostname")
    resp = client.post("/api/parse", files={"file": (str(secret), b"Just the uploaded words.", "text/plain")})
    assert resp.status_code == 200
    assert resp.json()["text"] == "Just the uploaded words." and resp.json()["source"] == "hostname"
    # JSON bodies have no path field at all: an unknown key is refused, not looked up.
    resp = client.post("/api/compare", json={"a": {"path": "/etc/passwd"}, "b": {"text": seed_b}})
    assert_one_line_error(resp, 422, "a")


def test_bad_inputs_are_one_line_4xx(client, seed_b):
    post = client.post
    blank = {"a": {"text": "   \n"}, "b": {"text": seed_b}}
    assert_one_line_error(post("/api/compare", json=blank), 422, "a.text", "blank")
    smarch = {"a": {"text": "x", "date": "the 45th of Smarch"}, "b": {"text": seed_b}}
    assert_one_line_error(post("/api/compare", json=smarch), 422, "a:", "date")
    assert_one_line_error(post("/api/align", json={"a": {"text": "x"}}), 422, "b")
    assert_one_line_error(post("/api/compare", json={"a": {"text": "x"}, "b": {"text": "y"}, "backend": "/tmp/model"}),
                          422, "backend")
    cut = post("/api/compare", content=b'{"a": ', headers={"content-type": "application/json"})
    assert_one_line_error(cut, 422, "JSON")
    assert_one_line_error(post("/api/compare", content=b"a=1", headers={"content-type": "text/plain"}), 415)
    assert_one_line_error(post("/api/compare", files={"a": ("a.txt", b"some text")}), 422, "b", "missing")
    assert_one_line_error(post("/api/compare", files={"a": ("a.bin", b"\x00\x01\x02\x03"), "b": ("b.txt", b"text")}),
                          422, "a.bin", "binary")
    assert_one_line_error(post("/api/align", files={"a": ("a.txt", b"\xff\xfe\xfa bad"), "b": ("b.txt", b"text")}),
                          422, "a.txt", "UTF-8")
    untitled = post("/api/parse", files={"file": ("r.json", b'{"title": "only"}')})
    assert_one_line_error(untitled, 422, "r.json", "no text")
    assert_one_line_error(post("/api/parse", files={"file": ("r.json", b'{"text": ')}), 422, "r.json", "invalid JSON")
    # JSON may escape a lone surrogate, which no UTF-8 text can hold: replaced as the CLI does, never a 500.
    lone = b'{"text": "Officials said \\ud800 the convoy was hit."}'
    resp = post("/api/compare", files={"a": ("r.json", lone), "b": ("b.txt", b"text")})
    assert resp.status_code == 200 and resp.json()["a"]["chars"] == len("Officials said ? the convoy was hit.")
    # in a JSON body, the strict JSON parser refuses it: a one-line 4xx
    assert_one_line_error(post("/api/compare", content=b'{"a": ' + lone + b', "b": {"text": "text"}}',
                               headers={"content-type": "application/json"}), 422, "JSON")


def test_request_size_limit(client):
    big = {"a": {"text": "word " * (LIMIT // 5)}, "b": {"text": "other"}}
    err = assert_one_line_error(client.post("/api/compare", json=big), 413, "limit")
    assert f"{LIMIT:,}" in err

    def chunks():  # no Content-Length: the limit holds while streaming too
        yield b'{"a": {"text": "'
        for _ in range(LIMIT // 10_000 + 1):
            yield b"w" * 10_000
        yield b'"}, "b": {"text": "x"}}'

    resp = client.post("/api/compare", content=chunks(), headers={"content-type": "application/json"})
    assert_one_line_error(resp, 413, "limit")


def test_models_load_at_start_up_not_per_request(client, fake_embedder, seed_a, seed_b):
    assert client.get("/api/health").json()["models_loaded"] is True
    loaded = dict(fake_embedder)  # what the start-up loaded, before any request
    assert set(loaded) >= {"minilm", "use-multilingual"}
    client.post("/api/compare", json=pair(seed_a, seed_b))
    client.post("/api/compare", json=pair(seed_a, seed_b) | {"backend": "use-multilingual"})
    assert fake_embedder == loaded and all(fake_embedder[k] is v for k, v in loaded.items())


def test_openapi_documents_both_body_kinds(client):
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/api/compare"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"]["$ref"] == "#/components/schemas/CompareRequest"
    assert set(body["multipart/form-data"]["schema"]["required"]) == {"a", "b"}
    article = schema["components"]["schemas"]["ArticleIn"]
    assert article["properties"]["text"]["maxLength"] > 0 and "text" in article["required"]
    assert client.get("/docs").status_code == 200


def test_page_is_served_and_needs_no_network(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert {"/static/app.js", "/static/style.css"} <= set(assets)
    for asset in assets:
        assert client.get(asset).status_code == 200
    for f in WEB_DIR.iterdir():  # nothing fetched from another host (the SVG namespace is a name, not a fetch)
        text = f.read_text(encoding="utf-8").replace("http://www.w3.org/2000/svg", "")
        assert not re.search(r"https?://", text), f.name


def test_api_docs_load_nothing_from_other_hosts(client):
    """/docs is Swagger UI from the package (fastapi-swagger), not from a CDN: offline it was a blank page."""
    from urllib.parse import urlsplit

    page = client.get("/docs")
    assert page.status_code == 200 and "swagger-ui" in page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        url = urlsplit(asset)
        assert url.netloc in ("", "testserver"), asset  # this server, whatever its name
        got = client.get(url.path)
        assert got.status_code == 200 and len(got.content) > 500, asset
    assert "SwaggerUIBundle" in client.get(next(a for a in assets if a.endswith(".js"))).text
    assert not re.search(r"https?://(?!testserver)", page.text)
    assert client.get("/openapi.json").status_code == 200


def test_favicon_is_served(client):
    """Browsers ask for /favicon.ico whatever the page links: a 404 there showed in every console."""
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert client.get("/static/favicon.svg").status_code == 200


def test_compare_names_every_model(client, seed_a, seed_b):
    models = client.post("/api/compare", json=pair(seed_a, seed_b)).json()["models"]
    assert models["embeddings"]["backend"] == "minilm"
    assert set(models) == {"embeddings", "headline", "language", "entities", "translation", "paraphrase", "scorer",
                           "verifier"}
    assert set(models["entities"]) == {"a", "b"} and models["scorer"].startswith("learned")
    assert models["verifier"].startswith("same-story verifier") and "minilm" in models["verifier"]


def test_paraphrase_level_is_shown_never_scored(client, seed_a, seed_b):
    """The page's "reworded sentences" box: the paraphrase level adds passages to `reuse`; the scores and the
    probability come from the default alignment, so they do not move. Both body kinds take it."""
    plain = client.post("/api/compare", json=pair(seed_a, seed_b)).json()
    more = client.post("/api/compare", json={**pair(seed_a, seed_b), "paraphrase": True}).json()
    assert more["models"]["paraphrase"]["backend"] == "minilm" and plain["models"]["paraphrase"] is None
    assert more["scores"] == plain["scores"] and more["probability"] == plain["probability"]
    assert len(more["reuse"]["passages"]) >= len(plain["reuse"]["passages"])
    form = client.post("/api/compare", files={"a": ("a.txt", seed_a.encode()), "b": ("b.txt", seed_b.encode())},
                       data={"paraphrase": "true"}).json()
    assert form["models"]["paraphrase"]["backend"] == "minilm"
    bad = client.post("/api/compare", json={**pair(seed_a, seed_b), "paraphrase": "maybe"})
    assert_one_line_error(bad, 422, "paraphrase")
