"""SemEval pairs: reading both layouts, grouped folds, metrics, and `storymatch eval semeval`."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from storymatch.errors import InputError
from storymatch.evaluation.baselines import tfidf_cosine
from storymatch.evaluation.crossval import article_groups, grouped_folds, holdout_split
from storymatch.evaluation.metrics import pearson, pearson_interval
from storymatch.evaluation.semeval import DIMENSIONS, read_pairs
from storymatch.evaluation.semeval_report import report


@pytest.fixture(scope="module")
def train_file(shared_dir):
    return shared_dir / "semeval22" / "train.jsonl"


@pytest.fixture(scope="module")
def pairs(train_file):
    return read_pairs(train_file)


def test_reads_all_training_pairs_with_gold(pairs):
    assert len(pairs) == 1709
    langs = {p.language_pair for p in pairs}
    assert {"en-en", "de-en", "tr-tr", "ar-ar"} <= langs
    for p in pairs[:50]:
        assert set(p.gold) == set(DIMENSIONS)
        assert all(1.0 <= v <= 4.0 for v in p.gold.values())
        assert p.a.text and p.b.text and p.a.language and p.b.language
    assert any(p.same_story for p in pairs) and any(p.same_story is False for p in pairs)


def test_csv_layout_reads_the_same_pairs(pairs, tmp_path):
    sample = pairs[:4]
    path = tmp_path / "pairs.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["pair_id", "url1_lang", "url2_lang", "title1", "title2", "text1", "text2", "Overall", "Geography",
                    "Entities", "Time", "Narrative", "Style", "Tone"])
        for p in sample:
            w.writerow([p.pair_id, p.a.language, p.b.language, p.a.title or "", p.b.title or "", p.a.text, p.b.text,
                        *(p.gold[d] for d in DIMENSIONS)])
    got = read_pairs(path)
    assert [g.pair_id for g in got] == [p.pair_id for p in sample]
    assert [g.a.text for g in got] == [p.a.text for p in sample]
    assert [g.gold for g in got] == [p.gold for p in sample]
    assert [g.language_pair for g in got] == [p.language_pair for p in sample]


def test_official_csv_without_texts_is_one_clear_error(tmp_path):
    path = tmp_path / "eval.csv"
    path.write_text("pair_id,url1_lang,url2_lang,link1,link2,ia_link1,ia_link2,Overall\n"
                    "1_2,en,en,http://a,http://b,http://ia/a,http://ia/b,1.5\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_pairs(path)
    assert "no text for article 1" in str(e.value) and "eval.csv" in str(e.value)


def test_bad_score_names_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"pair_id": "1_2", "text1": "a b c", "text2": "d e f", "overall": "high"}) + "\n")
    with pytest.raises(InputError, match=r"bad.jsonl:1: .*overall"):
        read_pairs(path)


def test_grouped_folds_never_share_an_article(pairs):
    sub = pairs[:600]
    groups = article_groups(sub)
    assert len(set(groups)) < len(sub)  # some articles recur across pairs, so grouping matters
    for train, test in grouped_folds(sub, k=5):
        train_keys = {k for i in train for k in sub[i].article_keys}
        test_keys = {k for i in test for k in sub[i].article_keys}
        assert not train_keys & test_keys
    tr, te = holdout_split(sub, 0.2)
    assert not {k for i in tr for k in sub[i].article_keys} & {k for i in te for k in sub[i].article_keys}


def test_folds_are_reproducible(pairs):
    a = [t.tolist() for _, t in grouped_folds(pairs[:300], k=4, seed=5)]
    b = [t.tolist() for _, t in grouped_folds(pairs[:300], k=4, seed=5)]
    assert a == b


def test_tfidf_baseline_tracks_gold_with_sign_flipped(pairs):
    en = [p for p in pairs if p.language_pair == "en-en"][:150]
    sims = tfidf_cosine(en)
    r = pearson(sims, [p.gold["overall"] for p in en])
    assert r is not None and r < -0.4  # more shared vocabulary, lower (more similar) gold score
    out = report(en, [{d: 4.0 - 3.0 * s for d in DIMENSIONS} for s in sims], list(sims), 0.5, {"tfidf": sims})
    assert out["pearson"]["overall"] == pytest.approx(-r, abs=1e-3)
    assert out["baselines"]["tfidf"]["overall"] == pytest.approx(-r, abs=1e-3)
    assert set(out["same_story"]) >= {"roc_auc", "f1", "brier"}
    low, high = out["intervals"]["overall"]["all"]
    assert low <= out["pearson"]["overall"] <= high


def test_bootstrap_interval_holds_the_estimate_and_shrinks_with_more_pairs(pairs):
    en = [p for p in pairs if p.language_pair == "en-en"]
    sims = tfidf_cosine(en)
    gold = [p.gold["overall"] for p in en]
    r = pearson(sims, gold)
    few = pearson_interval(sims[:40], gold[:40])
    many = pearson_interval(sims, gold)
    assert many[0] < r < many[1] and few[0] < pearson(sims[:40], gold[:40]) < few[1]
    assert many[1] - many[0] < few[1] - few[0]  # 336 pairs pin r down better than 40
    # the same 40 pairs entered 5 times: as independent rows the interval looks 5x surer than it is;
    # as one group per pair (what article_groups gives) it stays as wide as the 40 distinct pairs
    x, y = np.tile(sims[:40], 5), np.tile(gold[:40], 5)
    naive, grouped = pearson_interval(x, y), pearson_interval(x, y, np.tile(np.arange(40), 5))
    assert naive[1] - naive[0] < 0.7 * (grouped[1] - grouped[0])
    assert pearson_interval([1, 1, 1], [1, 2, 3]) is None


def test_pearson_undefined_is_none():
    assert pearson([1, 1, 1], [1, 2, 3]) is None
    assert pearson([1, 2], [2, 1]) is None
    assert pearson(np.arange(5), np.arange(5)) == pytest.approx(1.0)


def _cli(*args):
    return subprocess.run([sys.executable, "-c", "from storymatch.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=600)


def test_eval_semeval_missing_file_is_one_line():
    r = _cli("eval", "semeval", "/nonexistent/pairs.jsonl")
    assert r.returncode == 2
    assert "/nonexistent/pairs.jsonl" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow
def test_eval_semeval_json_layout(pairs, tmp_path):
    path = tmp_path / "few.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for p in [q for q in pairs if q.language_pair == "en-en"][:6]:
            fh.write(json.dumps({"pair_id": p.pair_id, "lang1": "en", "lang2": "en", "title1": p.a.title,
                                 "title2": p.b.title, "text1": p.a.text, "text2": p.b.text, **p.gold}) + "\n")
    r = _cli("eval", "semeval", str(path), "--json", "--limit", "5", "--no-baselines")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["pairs"] == 5
    assert set(out["pearson"]) == set(DIMENSIONS)
    assert out["by_language"]["en-en"]["pairs"] == 5
    assert set(out["same_story"]) >= {"roc_auc", "f1", "brier"}


def _pairs_file(path, links: list[tuple[int, int]], overall=lambda i: 1.0 + (i % 4)):
    """SemEval JSONL of made-up pairs: pair i links articles links[i] (its pair_id names them, as SemEval's do)."""
    with open(path, "w", encoding="utf-8") as fh:
        for i, (x, y) in enumerate(links):
            gold = {d: overall(i) for d in DIMENSIONS}
            fh.write(json.dumps({"pair_id": f"{1000 + x}_{1000 + y}", "lang1": "en", "lang2": "en",
                                 "text1": f"Report number {x} on the council vote in town {x}.",
                                 "text2": f"Report number {y} on the council vote in town {y}.", **gold}) + "\n")
    return path


def test_train_on_pairs_sharing_one_article_says_what_they_lack(tmp_path):
    """36 pairs all sharing one article are one group: no split keeps an article on one side. One line saying so,
    exit 2, before any feature is computed (it was scikit-learn's ValueError at the end, with a traceback; with
    --holdout 0, another one from the folds)."""
    from storymatch.evaluation.training import shortfall

    path = _pairs_file(tmp_path / "hub.jsonl", [(0, i) for i in range(1, 37)])
    r = _cli("train", "semeval", str(path), "--out", str(tmp_path / "s.json.gz"))
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and "ValueError" not in r.stderr
    line = " ".join(r.stderr.split())
    assert str(path) in line and "36 pairs form 1 group with no article in common" in line
    assert "--folds 5 with --holdout 0.2 needs at least 7" in line and not (tmp_path / "s.json.gz").exists()
    assert "--folds 5 needs at least 5" in shortfall(read_pairs(path), 0.0, 5)


def test_train_needs_groups_for_every_fold_and_the_holdout(tmp_path):
    from storymatch.evaluation.training import shortfall

    # 30 pairs in 6 groups of 5 (each a chain through shared articles)
    pairs = read_pairs(_pairs_file(tmp_path / "six.jsonl", [(g * 10 + k, g * 10 + k + 1) for g in range(6)
                                                             for k in range(5)]))
    assert shortfall(pairs, 0.0, 5) is None
    assert shortfall(pairs, 0.0, 6) is None
    assert "form 6 groups" in shortfall(pairs, 0.0, 7) and "needs at least 7" in shortfall(pairs, 0.0, 7)
    assert "needs at least 7" in shortfall(pairs, 0.2, 5)  # two of 7 groups held out leave 5 for the folds
    same = read_pairs(_pairs_file(tmp_path / "same.jsonl", [(i * 2, i * 2 + 1) for i in range(30)],
                                  overall=lambda i: 1.5))
    assert "every pair fitted on tells the same story" in shortfall(same, 0.2, 5)
