"""The README's "first ten minutes" and its fixture-corpus paragraph, run: every claim they make about what the
commands print is stated once below as data, checked against the real commands' output, and found, in the same
words and numbers, in the README's text.

A claim drifted silently before ("then a weekly digest": the digest had become fifth). When a change moves one of
these results (a ranking, a probability, a count), the test names the claim that no longer holds: change its
data here and its sentence in the README together (the README check prints the sentence it expects).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 10: "ten", 15: "fifteen"}

# ---- the claims, as data ------------------------------------------------------------------------------------------
COMPARE = {"verdict": "SAME STORY", "probability": "0.94", "passages": 3, "copier": "seed-a", "source": "seed-b"}
ALIGN = {"passages": 3, "swap": ("US", "USA"), "likely_source": "B"}
INGEST = {"articles": 10}
# search seed-b: hits in this order, a group of equals in any order among themselves
SEARCH = {
    "query": "seed-b",
    "first": {"id": "seed-a", "relation": "reuser", "shared": "16%"},
    "then": {"ids": ["levant-post-0519", "moscow-courier-0519", "northern-wire-0518"], "relation": "same story"},
    "after": {"id": "digest-0522", "relation": "reuser", "shared": "6%", "own_story": True},
}
TRACE = {"article": "seed-a", "copied": 3, "from": "seed-b", "own": 15, "swap": ("US", "USA"),
         "paraphrase": "Syria today condemned"}
STORY = {"first": "seed-b", "title": "US-led coalition strikes pro-regime convoy", "with": "seed-a"}
REPORT = {"edges": [("seed-b", "seed-a"), ("seed-b", "digest-0522"), ("northern-wire-0518", "digest-0522")]}


def readme_says() -> dict[str, list[str]]:
    """Each claim as the README words it, made from the data above; by section."""
    first = SEARCH["first"]
    then, after = SEARCH["then"], SEARCH["after"]
    ten_minutes = [
        f"**{COMPARE['verdict']}** (probability that they report the same story: {COMPARE['probability']})",
        f"the {WORDS[COMPARE['passages']]} passages {COMPARE['copier']} took from {COMPARE['source']}",
        f"The {WORDS[ALIGN['passages']]} shared passages side by side",
        f"the swap `{ALIGN['swap'][0]} → {ALIGN['swap'][1]}` marked, and the likely source: {ALIGN['likely_source']}",
        f"stores the {WORDS[INGEST['articles']]} articles of the fixture corpus",
        f"{first['id']} first (a later article that took {first['shared']} of the wire's text)",
        f"then {WORDS[len(then['ids'])]} reports of the same strike that share no text",
        f"then a weekly digest that took {after['shared']} of the wire's text"
        + (" (a round-up of the week, a story of its own)" if after["own_story"] else
           " (a round-up of the week, put in the wire's story)"),
        f"that {TRACE['article']}'s {WORDS[TRACE['copied']]} copied sentences came from {TRACE['from']}",
        f"its other {WORDS[TRACE['own']]} sentences from no earlier article",
        f"pick the one whose first article is the wire report (\"{STORY['title']} …\")",
    ]
    corpus = [
        f"`storymatch trace {TRACE['article']}` credits the {WORDS[TRACE['copied']]} sentences {TRACE['article']} "
        f"copied (one with the swap {TRACE['swap'][0]} -> {TRACE['swap'][1]}) to {TRACE['from']} and leaves its "
        f"{WORDS[TRACE['own']]} other sentences unattributed",
        f"it also credits \"{TRACE['paraphrase']} ... a 'brazen attack'\" to {TRACE['from']} as a paraphrase",
        "`storymatch cluster` puts the pair in one story",
        "`storymatch report` gives the edges " + _edges(REPORT["edges"]),
    ]
    return {"## The first ten minutes": ten_minutes, "## Working with a corpus": corpus}


def _edges(edges: list[tuple[str, str]]) -> str:
    short = [f"{a.split('-0')[0]} -> {b.split('-0')[0]}" for a, b in edges]
    return f"{short[0]} and, for a later digest, {short[1]} and {short[2]}"


def _flat(text: str) -> str:
    """Text as one line of words: line breaks, wrapping and the report's box borders gone."""
    return " ".join(text.replace("│", " ").split())


def section(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(heading + "\n")
    end = text.find("\n## ", start + len(heading))
    return _flat(text[start:end if end > 0 else len(text)])


def test_the_readme_states_these_claims():
    """The README's sentences, as the data above words them: the README and this test say the same."""
    missing = [f"{heading}: {claim}" for heading, claims in readme_says().items() for claim in claims
               if _flat(claim) not in section(heading)]
    assert not missing, "the README no longer says:\n" + "\n".join(missing)


# ---- the commands, run ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """The `storymatch` command in this process, as a user on a default install runs it from the checkout."""
    from typer.testing import CliRunner

    from storymatch.cli import app

    runner = CliRunner()
    mp = pytest.MonkeyPatch()
    for name in ("STORYMATCH_ENGLISH_LARGE", "STORYMATCH_MODEL"):
        mp.delenv(name, raising=False)
    mp.setenv("COLUMNS", "200")
    mp.chdir(ROOT)
    store = str(tmp_path_factory.mktemp("first") / "store")

    def run(*args: str) -> str:
        result = runner.invoke(app, [a.replace("STORE", store) for a in args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    yield run
    mp.undo()


@pytest.fixture(scope="module")
def ingested(cli):
    return json.loads(cli("ingest", str(CORPUS), "--store", "STORE", "--json"))


@pytest.mark.slow
def test_compare_says_what_the_readme_says(cli):
    report = _flat(cli("compare", "examples/seed-a.txt", "examples/seed-b.txt"))
    assert f"{COMPARE['verdict']} (probability that they report the same story: {COMPARE['probability']})" in report
    out = json.loads(cli("compare", "examples/seed-a.txt", "examples/seed-b.txt", "--json"))
    assert out["same_story"] is True and f"{out['probability']:.2f}" == COMPARE["probability"]
    assert len(out["reuse"]["passages"]) == COMPARE["passages"] and out["reuse"]["likely_source"] == "b"
    # the models the README says the box names
    for part in ("embeddings", "entities", "language", "scorer", "verifier"):
        assert out["models"][part], part
    for line in ("embeddings:", "names:", "language:", "scores:", "verdict:"):
        assert line in report


@pytest.mark.slow
def test_align_says_what_the_readme_says(cli):
    out = json.loads(cli("align", "examples/seed-a.txt", "examples/seed-b.txt", "--json"))
    assert len(out["passages"]) == ALIGN["passages"]
    assert [list(ALIGN["swap"])] in [p["substitutions"] for p in out["passages"]]
    assert out["likely_source"] == ALIGN["likely_source"].lower()
    shown = _flat(cli("align", "examples/seed-a.txt", "examples/seed-b.txt"))
    assert f"'{ALIGN['swap'][0]}' → '{ALIGN['swap'][1]}'" in shown and "likely source: B" in shown


@pytest.mark.slow
def test_ingest_stores_what_the_readme_says(ingested):
    assert ingested["articles"] == INGEST["articles"] and ingested["bad"] == 0


@pytest.mark.slow
def test_search_ranks_as_the_readme_says(cli, ingested):
    hits = json.loads(cli("search", SEARCH["query"], "--store", "STORE", "--json"))["results"]
    ids = [h["id"] for h in hits]
    first, then, after = SEARCH["first"], SEARCH["then"], SEARCH["after"]
    n = len(then["ids"])
    assert ids[0] == first["id"], ids
    assert sorted(ids[1:1 + n]) == sorted(then["ids"]), ids
    assert ids[1 + n] == after["id"], ids
    by_id = {h["id"]: h for h in hits}
    assert by_id[first["id"]]["relation"] == first["relation"]
    assert f"{by_id[first['id']]['reuse']['coverage_query']:.0%}" == first["shared"]
    assert all(by_id[i]["relation"] == then["relation"] and by_id[i]["reuse"]["coverage_query"] == 0
               for i in then["ids"])
    assert by_id[after["id"]]["relation"] == after["relation"]
    assert f"{by_id[after['id']]['reuse']['coverage_query']:.0%}" == after["shared"]
    stories = {h["story"] for h in hits if h["story"] and h["id"] != after["id"]}
    assert (by_id[after["id"]]["story"] not in stories) == after["own_story"]
    table = _flat(cli("search", SEARCH["query"], "--store", "STORE"))  # "a table explained under it"
    assert "p(same): probability" in table and "relation: reuser = a later article" in table


@pytest.mark.slow
def test_trace_says_what_the_readme_says(cli, ingested):
    out = json.loads(cli("trace", TRACE["article"], "--store", "STORE", "--json"))
    copied = [s for s in out["sentences"] if s["sources"]]
    assert len(copied) == TRACE["copied"] and len(out["sentences"]) - len(copied) == TRACE["own"]
    assert all(m["id"] == TRACE["from"] for s in copied for m in s["sources"])
    swaps = [m["substitutions"] for s in copied for m in s["sources"] if m["substitutions"]]
    assert swaps == [[list(TRACE["swap"])]]
    shown = cli("trace", TRACE["article"], "--store", "STORE")
    assert shown.count("<-") == TRACE["copied"] + 1  # each copied sentence, and the legend


@pytest.mark.slow
def test_trace_with_paraphrases_says_what_the_readme_says(cli, ingested):
    out = json.loads(cli("trace", TRACE["article"], "--store", "STORE", "--json", "--paraphrase-model", "minilm"))
    found = [m for s in out["sentences"] if s["text"].startswith(TRACE["paraphrase"]) for m in s["sources"]]
    assert [(m["id"], m["kind"]) for m in found] == [(TRACE["from"], "paraphrase")]


@pytest.mark.slow
def test_the_story_and_the_report_are_what_the_readme_says(cli, ingested):
    stories = json.loads(cli("cluster", "--store", "STORE", "--json"))["stories"]
    story = next(s for s in stories if STORY["first"] in s["articles"])
    assert story["first"] == STORY["first"] and STORY["with"] in story["articles"]
    title = json.loads(cli("search", STORY["first"], "--store", "STORE", "--json"))["article"]["title"]
    assert title.startswith(STORY["title"])
    report = json.loads(cli("report", "--store", "STORE", "--json"))
    edges = {(e["source"], e["reuser"]) for e in report["edges"]}
    assert edges == set(REPORT["edges"])


def test_the_readme_numbers_are_words_this_test_knows():
    """A claim's number is written as a word in the README ("ten articles"): the data must give one."""
    counts = [COMPARE["passages"], ALIGN["passages"], INGEST["articles"], TRACE["copied"], TRACE["own"],
              len(SEARCH["then"]["ids"])]
    assert all(n in WORDS for n in counts)
    assert re.fullmatch(r"\d\.\d\d", COMPARE["probability"])
