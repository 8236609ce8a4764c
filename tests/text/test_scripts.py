"""Units for every script: words where words are spaced, character bigrams where they are not; offsets exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from storymatch.text.language import detect_language
from storymatch.text.scripts import dominant_script, script_language, unit_list, units, weighted_length
from storymatch.text.spans import sentences, word_list

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


def read(name: str) -> str:
    return (ARTICLES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["zh-wire.txt", "ja-wire.txt", "th-wire.txt", "seed-b-de.txt"])
def test_units_index_the_text_as_given(name):
    text = read(name)
    u = units(text)
    assert len(u) > 20
    for s, e, w in zip(u.starts.tolist(), u.ends.tolist(), u.strings):
        assert text[s:e].lower() == w


def test_spaced_scripts_keep_the_word_rule(seed_b):
    assert unit_list(seed_b) == word_list(seed_b)
    assert dominant_script(seed_b) is None and weighted_length(seed_b) == len(seed_b)


def test_dense_scripts_get_character_bigrams():
    assert unit_list("美国国防官员")[:3] == ["美国", "国国", "国防"]
    assert unit_list("2017年5月iPhone发布") == ["2017", "年", "5", "月", "iphone", "发布"]
    assert unit_list("정부는 오늘 발표했다") == ["정부", "부는", "오늘", "발표", "표했", "했다"]
    # Thai vowel and tone marks stay on their consonant: ที่ and นี่ are one cluster each, one bigram together
    assert unit_list("ที่นี่") == ["ที่นี่"]
    assert unit_list("ที่นี่ครับ")[:2] == ["ที่นี่", "นี่ค"]


def test_script_tells_the_language():
    assert script_language(read("zh-wire.txt")) == "zh"
    assert script_language(read("ja-wire.txt")) == "ja"
    assert script_language(read("th-wire.txt")) == "th"
    assert script_language("정부는 오늘 발표했다") == "ko"
    assert script_language("The Times said 北京 was quiet on Tuesday, and so was the rest of the region.") is None
    assert weighted_length("国防官员") == 12.0


def test_sentences_end_at_cjk_and_thai_marks():
    zh = read("zh-wire.txt")
    sents = sentences(zh)
    assert len(sents) == 4
    assert sents[1].text == "一名美国国防官员对法新社表示，车队没有回应多种警告方式，离坦夫的联军部队太近。"
    ja = sentences(read("ja-wire.txt"))
    assert len(ja) == 4 and all(s.text.endswith("。") for s in ja)
    th = read("th-wire.txt")
    for s in sentences(th):
        assert th[s.start:s.end] == s.text


def test_short_text_has_no_language_guess():
    assert detect_language("Hello world.\n") is None  # lingua's trigrams said Vietnamese
    assert detect_language("Breaking news") is None
    assert detect_language("一名美国国防官员") == "zh"  # a script of one language decides at any length
    assert detect_language("車列は警告に応じなかった。") == "ja"
    assert detect_language("The convoy did not respond to numerous warnings, a US defence official said.") == "en"
