"""The synthetic reuse generator: exact truth, PAN layout round trip, and the aligner on its output."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from storymatch.evaluation import pan, plagdet, synthetic
from storymatch.text.spans import word_list

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


@pytest.fixture(scope="module")
def corpus(seed_b):
    sources = [seed_b, (ARTICLES / "quake-wire.txt").read_text(encoding="utf-8")]
    fillers = [(ARTICLES / "football.txt").read_text(encoding="utf-8"),
               (ARTICLES / "rates.txt").read_text(encoding="utf-8")]
    return synthetic.generate(sources, fillers, n_docs=24, seed=7, negatives=4)


def test_truth_offsets_are_exact(corpus):
    kinds = set()
    for p in corpus:
        for c in p.cases:
            kinds.add(c.obfuscation)
            got, src = p.susp[c.this_offset:c.this_end], p.src[c.source_offset:c.source_end]
            if c.obfuscation in ("verbatim", "fragment"):
                assert got == src
            elif c.obfuscation == "shuffle":
                assert sorted(word_list(got)) == sorted(word_list(src)) and got != src
            else:  # swap, random: the same text up to some changed words
                assert len(set(word_list(got)) & set(word_list(src))) >= 0.6 * len(set(word_list(src)))
    assert kinds == set(synthetic.OPERATIONS)


def test_several_sources_are_mixed_into_one_document(corpus):
    by_doc = {}
    for p in corpus:
        if p.cases:
            by_doc.setdefault(p.susp_name, set()).add(p.src_name)
    assert any(len(srcs) > 1 for srcs in by_doc.values())


def test_swaps_follow_the_list():
    rng = random.Random(0)
    out = synthetic.swap_words("US officials said Russia acted last night.", rng, rate=1.0)
    assert out == "USA officials stated Russian Federation acted yesterday."


def test_random_edits_change_about_the_rate_of_words():
    rng = random.Random(3)
    text = " ".join(f"w{k}" for k in range(100))
    out = synthetic.random_edits(text, rng, ["x", "y"], rate=0.2).split()
    kept = set(out) & set(text.split())
    assert 60 <= len(kept) < 100 and out != text.split()


def test_layout_round_trip(corpus, tmp_path):
    pan.write_layout(tmp_path, corpus)
    back = pan.read_layout(tmp_path)
    assert [(p.susp_name, p.src_name) for p in back] == [(p.susp_name, p.src_name) for p in corpus]
    for a, b in zip(corpus, back):
        assert a.susp == b.susp and a.src == b.src
        assert [(c.this_offset, c.this_length, c.source_offset, c.source_length, c.obfuscation) for c in a.cases] == \
               [(c.this_offset, c.this_length, c.source_offset, c.source_length, c.obfuscation) for c in b.cases]


def test_aligner_finds_the_synthetic_reuse(corpus):
    dets = [pan.detect(p) for p in corpus]
    res = plagdet.report(corpus, dets)
    by = res["by_obfuscation"]
    for kind in ("verbatim", "swap", "fragment"):
        assert by[kind]["recall"] > 0.9 and by[kind]["precision"] > 0.9, (kind, by[kind])
    assert by["shuffle"]["recall"] > 0.85  # found, though as one passage per moved sentence
    assert by["random"]["recall"] > 0.7 and by["random"]["precision"] > 0.9
    assert by["no-plagiarism"]["wrongly_claimed"] == 0.0

def test_passage_offsets_exact_on_synthetic_pairs(corpus):
    from storymatch.alignment.aligner import align

    n = 0
    for p in corpus:
        for x in align(p.susp, p.src).passages:
            assert p.susp[x.a_start:x.a_end] == x.a_text and p.src[x.b_start:x.b_end] == x.b_text
            n += 1
    assert n > len(corpus) // 2


ZH_FILLER = ("今年夏天北京的气温创下历史新高，气象部门提醒市民注意防暑降温。上海的地铁客流量在节假日期间明显增加，"
             "部分线路延长了运营时间。广州市政府宣布将新建三座公园，预计明年年底完工。深圳的科技企业继续扩大招聘规模，"
             "应届毕业生的就业前景有所改善。杭州举办了一场国际马拉松比赛，吸引了两万多名选手参加。")


def test_chinese_reuse_has_exact_truth_and_is_found():
    from storymatch.evaluation.synthetic import SWAPS_BY_LANGUAGE, generate

    wire = (Path(__file__).resolve().parents[1] / "fixtures" / "articles" / "zh-wire.txt").read_text(encoding="utf-8")
    pairs = generate([wire], [ZH_FILLER], n_docs=6, seed=3, operations=("verbatim", "swap"), sources_per_doc=1,
                     negatives=2, swaps=SWAPS_BY_LANGUAGE["zh"])
    for p in pairs:
        for c in p.cases or []:
            if c.obfuscation == "verbatim":
                assert p.susp[c.this_offset:c.this_end] == p.src[c.source_offset:c.source_end]
    scores = plagdet.plagdet([p.cases or [] for p in pairs], [pan.detect(p) for p in pairs])
    assert scores.plagdet > 0.9 and scores.precision > 0.95
