"""Cross-lingual alignment: translated sentences found through the multilingual encoder, same-event reports not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from storymatch.alignment.aligner import align
from storymatch.alignment.translation import sentence_pairs
from storymatch.alignment.types import AlignParams
from storymatch.inputs.article import Article
from storymatch.text.spans import Span

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


def read(name: str) -> str:
    return (ARTICLES / name).read_text(encoding="utf-8")


def spans(*texts: str) -> list[Span]:
    return [Span(0, len(t), t) for t in texts]


def test_sentence_pairs_need_mutual_best():
    sa = spans("The convoy was hit near the border on Thursday.", "Officials said 18 people died.",
               "Nobody claimed the attack.")
    sb = spans("Der Konvoi wurde am Donnerstag nahe der Grenze getroffen.", "Beamte sagten, 18 Menschen starben.",
               "Das Wetter war gut.")
    sim = np.array([[0.9, 0.3, 0.1], [0.3, 0.85, 0.2], [0.1, 0.2, 0.3]])
    assert [(i, j) for i, j, _ in sentence_pairs(sa, sb, sim, 0.8)] == [(0, 0), (1, 1)]
    # two sentences of A close to one of B: only the closer one can be its translation
    near = np.array([[0.9, 0.1, 0.1], [0.88, 0.2, 0.1], [0.1, 0.2, 0.3]])
    assert [(i, j) for i, j, _ in sentence_pairs(sa, sb, near, 0.8)] == [(0, 0)]


def test_sentence_pairs_check_numbers_and_runs():
    sa = spans("Officials said 18 people died.", "The convoy was large.")
    sb = spans("Beamte sagten, 25 Menschen starben.", "Der Konvoi war groß.")
    sim = np.array([[0.9, 0.1], [0.1, 0.65]])
    assert [(i, j) for i, j, _ in sentence_pairs(sa, sb, sim, 0.8)] == []  # 18 is not 25; 0.65 alone is low
    sb = spans("Beamte sagten, 18 Menschen starben.", "Der Konvoi war groß.")
    assert [(i, j) for i, j, _ in sentence_pairs(sa, sb, sim, 0.8, 0.6)] == [(0, 0), (1, 1)]  # a run of two


def _sim(n_a: int, n_b: int, pairs: dict[tuple[int, int], float], rest: float = 0.2) -> np.ndarray:
    sim = np.full((n_a, n_b), rest)
    for (i, j), c in pairs.items():
        sim[i, j] = c
    return sim


def test_scattered_sentences_in_order_make_a_chain():
    """A patchwork's translated sentences keep their order at any distance: a chain from CHAIN_BARE_COSINE (no
    particulars shared); the same cosines out of order are independent sentences on the same facts, and none reaches
    a rule alone."""
    from storymatch.alignment import translation as t

    sa = spans(*[f"Ein Satz des deutschen Textes ({'abcdef'[k]}), ohne Zahlen und ohne Namen." for k in range(6)])
    sb = spans(*[f"A sentence of the English text ({'abcdefghij'[k]}), no figures, no names." for k in range(10)])
    c = t.CHAIN_BARE_COSINE + 0.02
    in_order = _sim(6, 10, {(0, 0): c, (2, 4): c, (5, 9): c})
    assert [(i, j) for i, j, _ in sentence_pairs(sa, sb, in_order, 0.8, 0.45)] == [(0, 0), (2, 4), (5, 9)]
    shuffled = _sim(6, 10, {(0, 9): c, (2, 4): c, (5, 0): c})
    assert sentence_pairs(sa, sb, shuffled, 0.8, 0.45) == []


def test_particulars_confirm_a_sentence_and_contradict_one():
    from storymatch.alignment import translation as t

    sa = spans("Kim Jong Un traf Donald Trump 2019 in Vietnam, berichtete die Agentur KCNA.", "Das Wetter war gut.")
    sb = spans("Kim Jong Un met Donald Trump in Vietnam in 2019, the KCNA agency reported.", "It rained all day.")
    c = t.ANCHORED_COSINE + 0.01
    assert [(i, j) for i, j, _ in sentence_pairs(sa, sb, _sim(2, 2, {(0, 0): c}), 0.8)] == [(0, 0)]
    bare = spans("Er traf ihn damals dort, berichtete die Agentur.", "Das Wetter war gut.")
    assert sentence_pairs(bare, sb, _sim(2, 2, {(0, 0): c}), 0.8) == []  # the same cosine, nothing to confirm it
    # 0.85 is not enough when the figures disagree
    sa = spans("Beamte sagten, 25 Menschen seien gestorben.", "Das Wetter war gut.")
    sb = spans("Officials said 18 people died.", "It rained all day.")
    assert sentence_pairs(sa, sb, _sim(2, 2, {(0, 0): 0.85}), 0.8) == []


def test_a_run_needs_two_good_pairs():
    """Two reports written apart often tell two facts in neighbouring sentences in the same order: a run counts
    when its best pair reaches RUN_ANCHOR and its second RUN_SECOND."""
    from storymatch.alignment import translation as t

    sa = spans("Der Konvoi fuhr auf die Basis zu, sagten Beamte.", "Er reagierte nicht auf Warnungen der Soldaten.")
    sb = spans("The convoy headed for the base, officials said.", "It ignored the soldiers' warnings.")
    good = _sim(2, 2, {(0, 0): t.RUN_ANCHOR + 0.01, (1, 1): t.RUN_SECOND + 0.01})
    assert [(i, j) for i, j, _ in sentence_pairs(sa, sb, good, 0.8, 0.45)] == [(0, 0), (1, 1)]
    weak = _sim(2, 2, {(0, 0): t.RUN_ANCHOR + 0.01, (1, 1): t.RUN_SECOND - 0.05})
    assert [(i, j) for i, j, _ in sentence_pairs(sa, sb, weak, 0.8, 0.45)] == []


def test_two_pairs_in_order_are_a_chain_only_with_a_pair_confirmed_alone():
    """Two matches keep their order by chance half the time: a chain of two counts only when one of its pairs is
    confirmed alone (here by a cosine of 0.8), a chain of CHAIN_MIN from CHAIN_BARE_COSINE (the test above)."""
    from storymatch.alignment import translation as t

    sa = spans(*[f"Ein Satz des deutschen Textes ({'abcdef'[k]}), ohne Zahlen und ohne Namen." for k in range(6)])
    sb = spans(*[f"A sentence of the English text ({'abcdefghij'[k]}), no figures, no names." for k in range(10)])
    c = t.CHAIN_BARE_COSINE + 0.02
    assert sentence_pairs(sa, sb, _sim(6, 10, {(0, 0): c, (3, 6): c}), 0.8, 0.45) == []
    confirmed = _sim(6, 10, {(0, 0): 0.85, (3, 6): c})
    assert [(i, j) for i, j, _ in sentence_pairs(sa, sb, confirmed, 0.8, 0.45)] == [(0, 0), (3, 6)]


def test_a_run_standing_alone_keeps_its_length_ratio_and_is_unambiguous():
    """A run that touches no pair confirmed otherwise must keep one length ratio (a sentence 1.3x its match next to
    one half its match is not one translation) and each of its two pairs must stand RUN_MARGIN above its
    runner-up; next to a pair confirmed alone the same run extends a translation already found."""
    from storymatch.alignment import translation as t

    head = "Der Konvoi fuhr in der Nacht auf die abgelegene Basis zu, sagten Beamte."
    sb = spans("The convoy headed for the remote base at night, officials said.",
               "It ignored the warnings that the soldiers gave it.", "Nobody was hurt.")
    hi, lo = t.RUN_ANCHOR + 0.01, t.RUN_SECOND + 0.01
    run = _sim(3, 3, {(0, 0): hi, (1, 1): lo})
    steady = spans(head, "Er ignorierte die Warnungen, die ihm die Soldaten gaben.", "Es war kalt.")
    assert [(i, j) for i, j, _ in sentence_pairs(steady, sb, run, 0.8, 0.45)] == [(0, 0), (1, 1)]
    shrunk = spans(head, "Er hörte nicht auf die Soldaten.", "Es war kalt.")  # 0.6x its match after 1.2x
    assert sentence_pairs(shrunk, sb, run, 0.8, 0.45) == []
    ambiguous = run.copy()
    ambiguous[1, 2] = lo - t.RUN_MARGIN / 2  # the second pair barely above another sentence of B
    assert sentence_pairs(steady, sb, ambiguous, 0.8, 0.45) == []
    ambiguous[0, 0] = 0.85  # its neighbour confirmed alone: the run extends a translation already found
    assert [(i, j) for i, j, _ in sentence_pairs(steady, sb, ambiguous, 0.8, 0.45)] == [(0, 0), (1, 1)]


def test_same_language_pairs_never_run_the_encoder(seed_a, seed_b, monkeypatch):
    from storymatch.alignment import translation

    monkeypatch.setattr(translation, "get_embedder", lambda name=None: pytest.fail("encoder loaded"))
    assert all(p.kind != "translation" for p in align(seed_a, seed_b).passages)
    assert align(read("seed-b-de.txt"), seed_b, AlignParams(translation_model=None)).passages == []


@pytest.mark.slow
def test_german_translation_of_the_wire_is_found(seed_b):
    """Each translated sentence paired with its English original, kind translation; the English wire, published
    a day earlier, is the likely source."""
    german = read("seed-b-de.txt")
    a = Article(german, date=dt.date(2017, 5, 19))
    b = Article(seed_b, date=dt.date(2017, 5, 18))
    result = align(a, b)
    assert a.language == "de" and b.language == "en"
    found = [p for p in result.passages if p.kind == "translation"]
    originals = ["A convoy going down the road didn't respond", "Then there was finally a strike",
                 "A second defence official told AFP", "Attempts to stop the convoy included a call",
                 "The first official said the convoy", "Coalition officials said Russian forces"]
    pairs = [pair for p in found for pair in p.substitutions]  # [English sentence, its German translation]
    for original in originals:
        hits = [german_sentence for english, german_sentence in pairs if original in english]
        assert len(hits) == 1, original
        assert german.index(hits[0]) >= 0
    for p in found:
        assert german[p.a_start:p.a_end] == p.a_text and seed_b[p.b_start:p.b_end] == p.b_text
        assert 0.0 < p.similarity <= 1.0
    # the German article's own sentences are nobody's translation
    assert not any("Bundesregierung" in p.a_text or "erneut" in p.a_text for p in found)
    assert result.likely_source == "b" and "2017-05-18" in result.source_reason
    assert result.coverage_a > 0.5


@pytest.mark.slow
def test_independent_same_event_report_in_another_language_has_no_translation(seed_b):
    result = align(read("syria-de-independent.txt"), seed_b)
    assert [p for p in result.passages if p.kind == "translation"] == []


@pytest.mark.slow
def test_cli_align_shows_translation_passages(seed_b_path):
    from typer.testing import CliRunner

    from storymatch.cli import app

    out = CliRunner().invoke(app, ["align", str(ARTICLES / "seed-b-de.txt"), str(seed_b_path), "--date-a",
                                   "2017-05-19", "--date-b", "2017-05-18"])
    assert out.exit_code == 0, out.output
    assert "translation · similarity" in out.output and "likely source: B" in out.output
    assert "6 sentences" in out.output  # each translated sentence beside its original


@pytest.mark.slow
def test_two_leads_of_one_event_are_not_a_translation():
    """The fixture week's English digest and the independent German report open alike (what happened, then where),
    two sentence pairs in a row at cosines 0.56 and 0.49: no pair of the run is close enough to be a translation."""
    import json

    week = Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "week.jsonl"
    digest = next(r["text"] for r in map(json.loads, week.read_text(encoding="utf-8").splitlines())
                  if r["id"] == "digest-0522")
    result = align(digest, read("syria-de-independent.txt"))
    assert [p for p in result.passages if p.kind == "translation"] == []


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["de", "ru"])
def test_scattered_translated_sentences_are_found(seed_b, lang):
    """The issue's case: three non-adjacent sentences of the wire (the opening, the convoy quote, the Russian-forces
    sentence), translated by hand, between two sentences of the paper's own: each translated sentence is paired with
    its original, and neither of the paper's own sentences is claimed."""
    text = (ARTICLES.parent / "languages" / f"seed-b-{lang}-patchwork.txt").read_text(encoding="utf-8")
    result = align(text, seed_b)
    found = [p for p in result.passages if p.kind == "translation"]
    pairs = [pair for p in found for pair in p.substitutions]  # [English sentence, its translation]
    originals = ["US-led coalition aircraft struck", "A convoy going down the road", "Coalition officials said Russian"]
    # the Russian translation of the third sentence ("российские военные ...") has a cosine of 0.60 to its
    # original and no particular in common with it: below every rule (one of the four Russian misses of
    # benchmarks/translated_patchworks.py)
    for original in originals if lang == "de" else originals[:2]:
        assert sum(original in english for english, _ in pairs) == 1, original
    own = {"de": ["Spannungen zwischen Washington", "Bundeswehr"], "ru": ["В Москве инцидент", "Россия поддерживает"]}
    assert not any(mark in p.a_text for p in found for mark in own[lang])
    for p in found:
        assert text[p.a_start:p.a_end] == p.a_text and seed_b[p.b_start:p.b_end] == p.b_text
