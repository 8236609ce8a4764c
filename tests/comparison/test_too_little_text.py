"""A pair with too little text for a verdict: "cannot tell" (same_story None) and why, in the result, its JSON,
the report and the API, instead of SAME STORY 0.63 for a one-character text. Stand-in embeddings: the rule reads
the texts' words, not a model."""

from __future__ import annotations

import pytest

from storymatch import compare
from storymatch.comparison.result import MIN_WORDS, too_little_text
from storymatch.inputs.article import Article


def words(n: int) -> str:
    return " ".join(f"word{i}" for i in range(n))


def test_the_rule_counts_title_and_text_on_each_side():
    enough = Article(words(MIN_WORDS))
    assert too_little_text(enough, enough) is None
    short = Article(words(MIN_WORDS - 1))
    why = too_little_text(short, enough)
    assert f"A has {MIN_WORDS - 1} words" in why and "B" not in why
    assert too_little_text(Article(words(MIN_WORDS - 3), title="three more words"), enough) is None
    both = too_little_text(Article("…"), Article("x"))
    assert "A has 0 words and B has 1 word" in both and f"at least {MIN_WORDS}" in both
    # Chinese is counted in character pairs, as the aligner counts it: a paragraph is enough
    chinese = "美国领导的联军周四空袭了一支开往叙利亚与约旦边境附近联军驻地的亲政府车队，官员表示。"
    assert too_little_text(Article(chinese), enough) is None


def test_a_one_character_text_gets_cannot_tell(fake_embedder, seed_b):
    c = compare(Article("x"), Article(seed_b))
    assert c.same_story is None and "A has 1 word" in c.too_little_text
    out = c.to_dict()
    assert out["same_story"] is None and out["too_little_text"] == c.too_little_text
    assert 0.0 <= out["probability"] <= 1.0 and set(out["scores"]) >= {"overall"}  # the guess, still shown
    full = compare(Article(seed_b), Article(seed_b)).to_dict()
    assert full["same_story"] is True and full["too_little_text"] is None


def test_the_readmes_curl_example_cannot_tell(fake_embedder):
    """README's `curl .../api/compare -d '{"a": {"text": "…", "title": "…", ...}, "b": {"text": "…"}}'` said
    "same_story": true, "probability": 0.6281."""
    from fastapi.testclient import TestClient

    from storymatch.serving.app import create_app

    with TestClient(create_app()) as client:
        body = {"a": {"text": "…", "title": "…", "date": "2017-05-19"}, "b": {"text": "…"}}
        resp = client.post("/api/compare", json=body)
    assert resp.status_code == 200, resp.text
    assert resp.json()["same_story"] is None and "too little text" in resp.json()["too_little_text"]


@pytest.mark.parametrize("same", [True, False, None])
def test_the_report_names_the_probability_and_says_cannot_tell(same):
    import io

    from rich.console import Console

    from storymatch.cli import compare as cli_compare

    class Result:  # what verdict_lines reads
        same_story, probability = same, 0.63
        too_little_text = "too little text to tell whether they report the same story: A has 1 word" if same is None \
            else None

    buffer = io.StringIO()
    Console(file=buffer, width=200, color_system=None).print("\n".join(cli_compare.verdict_lines(Result())))
    text = buffer.getvalue()
    assert "probability that they report the same story: 0.63" in text
    assert {True: "SAME STORY", False: "DIFFERENT STORIES", None: "CANNOT TELL"}[same] in text
    assert ("A has 1 word" in text) == (same is None)
