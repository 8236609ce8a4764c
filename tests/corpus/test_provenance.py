"""trace, cluster and report on the fixture corpus: the example pair and other reports of that week."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from storymatch.corpus.ingestion import ingest
from storymatch.corpus.provenance import trace
from storymatch.corpus.store import Store
from storymatch.text.spans import sentences, word_list

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
CLI = [sys.executable, "-c", "from storymatch.cli import main; main()"]


def ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    w = word_list(text)
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("store")
    with Store(folder, create=True) as s:
        stats = ingest([CORPUS], s, tier="fast")
    assert stats.bad == 0 and stats.added == 10
    return folder


def test_fixture_holds_the_example_pair(seed_a, seed_b):
    assert json.loads((CORPUS / "seed-a.json").read_text(encoding="utf-8"))["text"] == seed_a
    assert json.loads((CORPUS / "seed-b.json").read_text(encoding="utf-8"))["text"] == seed_b


def test_trace_seed_a_credits_copied_sentences_to_seed_b_and_leaves_its_own(store_dir, seed_b):
    with Store(store_dir) as s:
        t = trace(s, s.get("seed-a"))
        others = [x.article.text for x in s.iter_articles() if x.article.id != "seed-a"]
    # Copied: the whole sentence is a run of seed-b's words, or it shares a run of 8 words with seed-b.
    b5, b8 = ngrams(seed_b, 5), ngrams(seed_b, 8)
    copied = [st for st in t.sentences
              if (len(word_list(st.text)) >= 5 and ngrams(st.text, 5) <= b5) or ngrams(st.text, 8) & b8]
    own = [st for st in t.sentences if not any(ngrams(st.text, 4) & ngrams(o, 4) for o in others)]
    assert len(copied) >= 3 and len(own) >= 8
    for st in copied:
        assert [m.id for m in st.sources][:1] == ["seed-b"], st.text
        m = st.sources[0]
        assert seed_b[m.source_start:m.source_end] == m.source_text
        assert m.start < st.end and m.end > st.start
    for st in own:
        assert st.sources == [], st.text
    spun = [m for st in copied for m in st.sources if m.substitutions]
    assert any(["US", "USA"] in m.substitutions for m in spun)


def test_trace_lists_every_earlier_source_oldest_first(store_dir):
    with Store(store_dir) as s:
        t = trace(s, s.get("digest-0522"))
    by_start = {st.text[:25]: [m.id for m in st.sources] for st in t.sentences}
    assert by_start["American warplanes bombed"] == ["northern-wire-0518"]
    assert by_start["Coalition officials said "] == ["seed-b", "seed-a"]
    assert by_start["Tensions rose in Syria's "] == []


def test_nothing_is_credited_to_a_later_article(store_dir):
    with Store(store_dir) as s:
        t = trace(s, s.get("seed-b"))  # the wire: seed-a and the digest copied it, not the reverse
    assert t.attributed == 0


def test_cli_trace_json_accepts_a_file_and_cluster_puts_the_pair_in_one_story(store_dir, seed_a_path):
    r = subprocess.run([*CLI, "trace", str(seed_a_path), "--store", str(store_dir), "--json"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["article"]["id"] == "seed-a" and out["total"] == len(sentences(seed_a_path.read_text("utf-8")))
    assert {m["id"] for s in out["sentences"] for m in s["sources"]} == {"seed-b"}

    r = subprocess.run([*CLI, "cluster", "--store", str(store_dir), "--json"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    stories = json.loads(r.stdout)["stories"]
    assert sum(s["size"] for s in stories) == 10
    pair = [s for s in stories if "seed-a" in s["articles"]][0]
    assert "seed-b" in pair["articles"] and pair["first"] == "seed-b" and pair["size"] == len(pair["articles"])
    unrelated = [s for s in stories if "harbour-gazette-0518" in s["articles"]][0]
    assert "seed-a" not in unrelated["articles"]


def test_cli_errors_are_one_line(store_dir, tmp_path):
    r = subprocess.run([*CLI, "trace", "no-such-id", "--store", str(store_dir)], capture_output=True, text=True)
    assert r.returncode == 2 and "no-such-id" in r.stderr and "Traceback" not in r.stderr
    r = subprocess.run([*CLI, "search", "x", "--store", str(tmp_path / "none")], capture_output=True, text=True)
    assert r.returncode == 2 and "not a storymatch store" in r.stderr


def test_report_reuse_graph_json_and_csv(store_dir, tmp_path):
    out_csv = tmp_path / "edges.csv"
    r = subprocess.run([*CLI, "report", "--store", str(store_dir), "--json", "--csv", str(out_csv)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    edges = {(e["source"], e["reuser"]): e for e in rep["edges"]}
    assert edges[("seed-b", "seed-a")]["sentences"] >= 3
    with Store(store_dir) as s:
        for e in rep["edges"]:
            assert s.get(e["source"]).earlier_than(s.get(e["reuser"])), e
        for p in rep["passages"]:
            assert s.get(p["source"]).article.text[p["start"]:p["end"]] == p["text"]
    assert ("seed-a", "digest-0522") not in edges  # the digest's copy is credited to the wire it came from
    pair_story = [st for st in rep["stories"] if "seed-a" in st["articles"]][0]
    assert pair_story["first"] == "seed-b" and pair_story["reused_chars"] > 0
    import csv

    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert {(row["source"], row["reuser"]) for row in rows} == set(edges)
    assert max(len(p["reusers"]) for p in rep["passages"]) >= 2


@pytest.mark.slow
def test_trace_with_paraphrase_model_credits_a_reworded_sentence(store_dir):
    from storymatch.alignment.types import AlignParams

    with Store(store_dir) as s:
        t = trace(s, s.get("seed-a"), params=AlignParams(paraphrase_model="minilm"))
    reworded = [st for st in t.sentences if st.text.startswith("Syria today condemned")][0]
    assert [(m.id, m.kind) for m in reworded.sources] == [("seed-b", "paraphrase")]
    assert "brazen attack" in reworded.sources[0].source_text
    assert t.sentences[0].sources == []  # "The yesterday strike comes in the context..." is seed-a's own


@pytest.mark.slow
def test_search_ranks_the_source_first_with_its_comparison(store_dir):
    from storymatch.corpus.related import search

    with Store(store_dir) as s:
        hits = search(s, s.get("seed-a"), limit=3, full=True)
    assert hits[0].stored.article.id == "seed-b" and hits[0].relation == "source"
    top = hits[0].to_dict()
    assert top["same_story"] and top["reuse"]["passages"] >= 3 and top["compare"]["b"]["id"] == "seed-b"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert not {"harbour-gazette-0518", "iberia-weather-0519", "markets"} & {h.stored.article.id for h in hits}


def test_trace_credits_a_chinese_sentence(tmp_path):
    """The store's LSH finds the Chinese wire as a candidate and trace credits the copied sentence to it."""
    articles = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
    records = tmp_path / "zh.jsonl"
    records.write_text("\n".join(json.dumps({"id": name, "date": date, "text": (articles / f"{name}.txt").read_text(
        encoding="utf-8")}, ensure_ascii=False) for name, date in (("zh-wire", "2017-05-18"),
                                                                    ("zh-digest", "2017-05-19"))) + "\n",
                       encoding="utf-8")
    with Store(tmp_path / "store", create=True) as s:
        ingest([records], s, tier="fast")
        t = trace(s, s.get("zh-digest"))
    credited = [st for st in t.sentences if st.sources]
    shared = "一名美国国防官员对法新社表示，车队没有回应多种警告方式，离坦夫的联军部队太近。"
    assert [st.text for st in credited] == [shared]
    assert credited[0].sources[0].id == "zh-wire"
    assert len(t.sentences) >= 3
