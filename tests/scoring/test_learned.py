"""The learned scorer: fit on a small real subset, round-trip through its file, and the shipped
model's verdicts on the example pair, unrelated articles and a cross-lingual pair."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.scoring.base import DIMENSIONS
from storymatch.scoring.learned import LearnedScorer
from storymatch.scoring.shipped import SHIPPED, load_shipped

# Fits on SemEval pairs and compares real articles with the shipped scorer: real models throughout.
pytestmark = pytest.mark.slow

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


@pytest.fixture(scope="module")
def small_fit(shared_dir, tmp_path_factory):
    """Fit on every 30th training pair (mixed languages), with 3 grouped folds."""
    from storymatch.evaluation import training as st
    from storymatch.evaluation.pair_data import pair_feature_rows
    from storymatch.evaluation.semeval import read_pairs

    pairs = read_pairs(shared_dir / "semeval22" / "train.jsonl")[::30]
    rows = pair_feature_rows(pairs)
    scorer, cv = st.fit(pairs, rows, k=3, seed=7)
    path = scorer.save(tmp_path_factory.mktemp("model") / "scorer.json.gz")
    return pairs, rows, scorer, cv, path


def test_fitted_scorer_round_trips_and_predicts_in_range(small_fit):
    pairs, rows, scorer, cv, path = small_fit
    loaded = LearnedScorer.load(path)
    assert loaded.feature_names == scorer.feature_names
    before, after = scorer.score_many(rows), loaded.score_many(rows)
    for x, y in zip(before, after):
        assert x.scores == y.scores and x.probability == y.probability
        assert all(1.0 <= x.scores[d] <= 4.0 for d in DIMENSIONS)
        assert 0.0 <= x.probability <= 1.0
    assert path.stat().st_size < 3_000_000
    assert set(cv["pearson"]) == set(DIMENSIONS)


def test_fit_is_reproducible(small_fit):
    from storymatch.evaluation import training as st

    pairs, rows, scorer, _, _ = small_fit
    again, _ = st.fit(pairs, rows, k=3, seed=7)
    a = [r.scores for r in scorer.score_many(rows)]
    b = [r.scores for r in again.score_many(rows)]
    assert a == b


def test_probability_falls_as_predicted_overall_rises(small_fit):
    scorer = small_fit[2]
    probs = scorer.probability(np.linspace(1.0, 4.0, 13))
    assert np.all(np.diff(probs) <= 1e-12)


def test_missing_feature_is_tolerated(small_fit):
    pairs, rows, scorer, _, _ = small_fit
    partial = {k: v for k, v in rows[0].items() if not k.startswith("reuse")}
    res = scorer.score(partial)
    assert 1.0 <= res.scores["overall"] <= 4.0


def test_pairs_without_embeddings_get_the_model_fitted_without_them(small_fit):
    """A pair no embedding model reads has no embedding features: the file's second model, fitted on the same pairs
    without them, scores it, and round-trips through the file."""
    from storymatch.scoring.learned import WITHOUT_EMBEDDINGS
    from storymatch.scoring.pair_features import EMBEDDING_FEATURES

    pairs, rows, scorer, cv, path = small_fit
    bare = scorer.variants[WITHOUT_EMBEDDINGS]
    assert not EMBEDDING_FEATURES & set(bare.feature_names)
    assert set(cv["without_embeddings"]["overall_by_language"]) >= {"all"}
    row = {k: v for k, v in rows[0].items() if k not in EMBEDDING_FEATURES}
    assert scorer.uses_variant(row) == WITHOUT_EMBEDDINGS and scorer.uses_variant(rows[0]) is None
    assert scorer.score(row).scores == bare.score(row).scores
    mixed = scorer.score_many([rows[0], row])
    assert mixed[0].scores == scorer.score(rows[0]).scores and mixed[1].scores == bare.score(row).scores
    loaded = LearnedScorer.load(path)
    assert loaded.score(row).scores == bare.score(row).scores


def test_a_kept_english_model_scores_english_pairs_only(small_fit, tmp_path):
    """`train semeval --english-from FILE`: pairs of two English articles keep FILE's scores exactly, others not."""
    from storymatch.evaluation import training as st
    from storymatch.scoring.learned import ENGLISH

    pairs, rows, scorer, _, path = small_fit
    other, _ = st.fit(pairs, rows, k=3, seed=8, without_embeddings=False)
    st.keep_english(scorer, other, "other.json.gz")
    try:
        for p, row in zip(pairs, rows):
            if p.language_pair == "en-en":
                assert scorer.uses_variant(row) == ENGLISH and scorer.score(row).scores == other.score(row).scores
            else:
                assert scorer.uses_variant(row) is None
        saved = LearnedScorer.load(scorer.save(tmp_path / "kept.json.gz"))
        assert saved.score_many(rows)[0].scores == scorer.score_many(rows)[0].scores
    finally:
        del scorer.variants[ENGLISH]


def test_bad_scorer_file_is_one_clear_error(tmp_path):
    junk = tmp_path / "junk.json.gz"
    junk.write_bytes(b"not gzip at all")
    with pytest.raises(InputError, match="junk.json.gz.*not a storymatch scorer"):
        LearnedScorer.load(junk)
    wrong = tmp_path / "wrong.json.gz"
    wrong.write_bytes(gzip.compress(b'{"format": "other"}'))
    with pytest.raises(InputError, match="wrong.json.gz"):
        LearnedScorer.load(wrong)
    with pytest.raises(InputError, match="no such scorer file"):
        LearnedScorer.load(tmp_path / "absent.json.gz")


# --- the shipped scorer, through compare() ---------------------------------------------------

needs_shipped = pytest.mark.skipif(not SHIPPED.is_file(), reason="no shipped scorer file in the package")


def _read(name: str) -> Article:
    return Article((ARTICLES / name).read_text(encoding="utf-8"), source=name)


@needs_shipped
def test_compare_uses_the_shipped_scorer_by_default(seed_a, seed_b):
    from storymatch.comparison.pipeline import compare

    c = compare(Article(seed_a), Article(seed_b))
    assert c.scorer == load_shipped().name
    assert c.same_story and c.probability >= 0.5
    assert c.scores["overall"] <= 2.0


@needs_shipped
@pytest.mark.parametrize("x, y", [("football.txt", "rates.txt"), ("quake-wire.txt", "rates.txt")])
def test_unrelated_articles_are_different_stories(x, y):
    from storymatch.comparison.pipeline import compare

    c = compare(_read(x), _read(y))
    assert not c.same_story
    assert c.scores["overall"] > 3.0


@needs_shipped
def test_same_event_told_independently_reads_as_same_story():
    from storymatch.comparison.pipeline import compare

    c = compare(_read("quake-wire.txt"), _read("quake-local.txt"))
    assert c.same_story


@needs_shipped
def test_cross_lingual_pair_uses_multilingual_embedder(seed_b):
    from storymatch.comparison.pipeline import compare

    c = compare(_read("syria-de.txt"), Article(seed_b))
    assert c.backend == "use-multilingual"
    assert c.same_story
    unrelated = compare(_read("syria-de.txt"), _read("football.txt"))
    assert not unrelated.same_story


def test_train_and_eval_commands_round_trip(small_fit, tmp_path):
    """`train semeval` writes a scorer that `eval semeval --heldout --scorer` reads back on its held-out pairs."""
    import json
    import subprocess
    import sys

    pairs = small_fit[0]
    data = tmp_path / "pairs.jsonl"
    with open(data, "w", encoding="utf-8") as fh:
        for p in pairs:
            fh.write(json.dumps({"pair_id": p.pair_id, "lang1": p.a.language, "lang2": p.b.language,
                                 "title1": p.a.title, "title2": p.b.title, "text1": p.a.text, "text2": p.b.text,
                                 **p.gold}) + "\n")
    out = tmp_path / "s.json.gz"

    def cli(*args):
        return subprocess.run([sys.executable, "-c", "from storymatch.cli import main; main()", *args],
                              capture_output=True, text=True, timeout=900)

    r = cli("train", "semeval", str(data), "--out", str(out), "--holdout", "0.25", "--folds", "3", "--json")
    assert r.returncode == 0, r.stderr
    trained = json.loads(r.stdout)
    held = LearnedScorer.load(out).meta["heldout_pair_ids"]
    assert trained["heldout"]["pairs"] == len(held) > 0
    assert trained["fitted_on"] + len(held) == len(pairs)
    r = cli("eval", "semeval", str(data), "--scorer", str(out), "--heldout", "--no-baselines", "--json")
    assert r.returncode == 0, r.stderr
    ev = json.loads(r.stdout)
    assert ev["pairs"] == len(held) and "note" not in ev
    assert ev["pearson"]["overall"] == pytest.approx(trained["heldout"]["pearson"]["overall"], abs=1e-4)


def test_trees_never_see_refiner_features(small_fit):
    from storymatch.evaluation import training as st
    from storymatch.scoring.pair_features import ENGLISH_HEADLINE

    rows = [dict(r, **{ENGLISH_HEADLINE: 0.5}) for r in small_fit[1]]
    assert ENGLISH_HEADLINE not in st.feature_names(rows)
    assert ENGLISH_HEADLINE not in small_fit[2].feature_names


@needs_shipped
def test_shipped_refiner_follows_the_english_headline_cosine(seed_a, seed_b):
    """The large English model's headline cosine moves English scores the right way, and only when present."""
    from storymatch.comparison.pipeline import compare
    from storymatch.scoring.pair_features import ENGLISH_HEADLINE

    scorer = load_shipped()
    assert scorer.refiner and scorer.refiner["features"] == [ENGLISH_HEADLINE]
    features = compare(Article(seed_a), Article(seed_b), scorer=scorer).features
    feats = {k: v for k, v in features.items() if k != ENGLISH_HEADLINE}
    plain = scorer.score(feats)
    close = scorer.score({**feats, ENGLISH_HEADLINE: 0.9})
    far = scorer.score({**feats, ENGLISH_HEADLINE: 0.1})
    assert close.scores["overall"] < far.scores["overall"]
    assert close.probability > far.probability
    from storymatch.scoring.learned import ENGLISH

    english = scorer.variants.get(ENGLISH, scorer)  # the model English pairs get (the previous file's, kept)
    unrefined = LearnedScorer(english.feature_names, english.trees, (english.cal_x, english.cal_y),
                              english.threshold, linear=english.linear)
    assert unrefined.score(feats).scores == plain.scores  # without the feature, the refiner does nothing
