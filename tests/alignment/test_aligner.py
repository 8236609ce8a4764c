"""Text-reuse alignment on the example pair and on controlled edits of real sentences."""

from __future__ import annotations

import datetime as dt

import pytest

from storymatch.alignment.aligner import align
from storymatch.alignment.types import Alignment, AlignParams
from storymatch.inputs.article import Article

CONVOY_B = ("\"A convoy going down the road didn't respond to numerous ways for it to be warned off from getting too "
            "close to coalition forces in At-Tanf,\" a US defence official told AFP on condition of anonymity.")


def assert_exact(result: Alignment, a: str, b: str) -> None:
    for p in result.passages:
        assert a[p.a_start:p.a_end] == p.a_text
        assert b[p.b_start:p.b_end] == p.b_text


def covered(result: Alignment, a: str, sentence: str) -> float:
    """Share of `sentence` (as it appears in A) inside one passage of the result."""
    start = a.index(sentence)
    end = start + len(sentence)
    best = 0
    for p in result.passages:
        best = max(best, min(end, p.a_end) - max(start, p.a_start))
    return best / len(sentence)


@pytest.fixture(scope="module")
def seed_result(seed_a, seed_b) -> Alignment:
    return align(seed_a, seed_b)


def test_example_pair_copied_sentences_found(seed_result, seed_a, seed_b):
    assert_exact(seed_result, seed_a, seed_b)
    coalition = "Coalition officials said Russian forces had apparently unsuccessfully tried to dissuade the " \
                "pro-regime movement south."
    assert covered(seed_result, seed_a, coalition) == 1.0
    convoy_a = seed_a[seed_a.index("\u201cA convoy"):seed_a.index("anonymity.") + len("anonymity.")]
    assert covered(seed_result, seed_a, convoy_a) > 0.95
    swaps = [s for p in seed_result.passages for s in p.substitutions]
    assert ["US", "USA"] in swaps


def test_example_pair_fragment_found_and_nothing_after_local_media(seed_result, seed_a):
    assert covered(seed_result, seed_a, "But we will defend our troops") == 1.0
    cut = seed_a.index("Local media have reported")
    assert all(p.a_end <= cut for p in seed_result.passages), [p.a_text for p in seed_result.passages]


def test_example_pair_kinds_coverage_and_source(seed_result, seed_a, seed_b):
    kinds = {p.a_text[:20]: p.kind for p in seed_result.passages}
    assert kinds["Coalition officials "] == "verbatim"
    assert "near-verbatim" in kinds.values()  # the convoy quote, US -> USA
    assert 0 < seed_result.coverage_a < 0.5 and 0 < seed_result.coverage_b < 0.5
    # B's sentence holds the whole Mattis quote A cut down to a fragment.
    assert seed_result.likely_source == "b"
    assert seed_result.source_reason
    swapped = align(seed_b, seed_a)  # the same verdict seen from the other side
    assert swapped.likely_source == "a"
    assert ["USA", "US"] in [s for p in swapped.passages for s in p.substitutions]


def test_dates_decide_the_source(seed_a, seed_b):
    a = Article(seed_a, date=dt.date(2017, 5, 20))
    b = Article(seed_b, date=dt.date(2017, 5, 19))
    assert align(a, b).likely_source == "b"
    assert align(b, a).likely_source == "a"
    assert "2017-05-19" in align(a, b).source_reason


def test_normalised_quotes_dashes_and_case_are_verbatim():
    b = "Officials said the strike \u2013 the first of its kind \u2013 was \"purely defensive\", officials added."
    a = ("Other news first. OFFICIALS SAID THE STRIKE - THE FIRST OF ITS KIND - WAS \u201cPURELY DEFENSIVE\u201d, "
         "officials added. More text follows here.")
    r = align(a, b)
    assert len(r.passages) == 1
    p = r.passages[0]
    assert p.kind == "verbatim" and p.similarity == 1.0
    assert p.a_text.startswith("OFFICIALS SAID") and p.a_text.endswith("added.")
    assert_exact(r, a, b)


def test_word_swaps_and_insertions_reported():
    b = ("US-led coalition aircraft struck a pro-regime convoy near the Jordanian border last night, after Russia "
         "failed to turn it back, US officials said on Friday.")
    a = ("USA-led coalition aircraft struck a pro-regime convoy near the remote Jordanian border yesterday, after "
         "Russian Federation failed to turn it back, USA officials said on Friday.")
    r = align(a, b)
    assert len(r.passages) == 1
    p = r.passages[0]
    assert p.kind == "near-verbatim"
    swaps = p.substitutions
    assert ["last night", "yesterday"] in swaps
    assert ["Russia", "Russian Federation"] in swaps
    assert ["US", "USA"] in swaps
    assert_exact(r, a, b)


def test_reordered_sentences_are_separate_passages():
    s = ["The bridge over the Elbe river was closed to traffic after inspectors found deep cracks in two pillars.",
         "Engineers expect repairs to take at least eighteen months and cost about forty million euros.",
         "Commuters were told to use the ferry service, which will run every twenty minutes from Monday.",
         "The city council called an emergency meeting to discuss compensation for local shop owners."]
    b = " ".join(s)
    a = " ".join([s[2], "A line written by the copier alone sits here.", s[0], s[3], s[1]])
    r = align(a, b)
    assert_exact(r, a, b)
    for sent in s:
        assert covered(r, a, sent) > 0.95, sent
    assert "copier" not in " ".join(p.a_text for p in r.passages)


def test_stock_phrases_alone_are_not_reuse():
    a = ("The mayor resigned on Tuesday, according to officials, who spoke on condition of anonymity. "
         "A spokesman told reporters the city budget would be revised.")
    b = ("Heavy rain flooded the northern valley, according to officials who spoke on condition of anonymity, "
         "and the army told reporters that roads were closed.")
    assert align(a, b).passages == []


def test_unrelated_texts_share_nothing(seed_b):
    other = ("The central bank kept interest rates unchanged on Thursday, saying inflation was easing faster than "
             "expected while wage growth remained strong across most of the economy.")
    r = align(other, seed_b)
    assert r.passages == [] and r.coverage_a == 0.0 and r.likely_source is None


def test_identical_texts_cover_everything(seed_b):
    r = align(seed_b, seed_b)
    assert r.coverage_a > 0.97 and r.coverage_b > 0.97
    assert all(p.kind == "verbatim" for p in r.passages)
    assert_exact(r, seed_b, seed_b)


def test_parameters_change_what_counts():
    b = "Protesters gathered outside parliament and demanded new elections within a month."
    a = "Elsewhere, protesters gathered outside parliament again."
    assert align(a, b).passages == []  # 4 shared words: below the default minimum
    loose = align(a, b, AlignParams(min_words=3, min_chars=10))
    assert [p.a_text for p in loose.passages] == ["protesters gathered outside parliament"]


def test_contract_of_to_dict(seed_result):
    d = seed_result.to_dict()
    assert set(d) == {"passages", "coverage_a", "coverage_b", "likely_source", "source_reason"}
    assert set(d["passages"][0]) == {"a_start", "a_end", "b_start", "b_end", "a_text", "b_text", "kind",
                                     "similarity", "substitutions"}


def test_empty_and_wordless_texts():
    assert align("", "").passages == []
    assert align("...", "!!! ???").coverage_a == 0.0


def test_align_command_json_and_errors(seed_a_path, seed_b_path, tmp_path):
    import json

    from typer.testing import CliRunner

    from storymatch.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["align", str(seed_a_path), str(seed_b_path), "--json", "--date-a", "2017-05-20",
                            "--date-b", "2017-05-19"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["likely_source"] == "b" and d["a"]["date"] == "2017-05-20" and d["passages"]
    human = runner.invoke(app, ["align", str(seed_a_path), str(seed_b_path)])
    assert human.exit_code == 0 and "near-verbatim" in human.output and "'US' → 'USA'" in human.output
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    bad = runner.invoke(app, ["align", str(empty), str(seed_b_path)])
    assert bad.exit_code == 2 and "file is empty" in bad.output and "Traceback" not in bad.output


@pytest.mark.slow
def test_optional_paraphrase_level(seed_a, seed_b):
    r = align(seed_a, seed_b, AlignParams(paraphrase_model="minilm"))
    assert_exact(r, seed_a, seed_b)
    para = [p for p in r.passages if p.kind == "paraphrase"]
    # "Syria today condemned ... a 'brazen attack'" rewrites "Syria has condemned the strike as a 'brazen attack'".
    assert any("brazen attack" in p.a_text and "brazen attack" in p.b_text for p in para)
    cut = seed_a.index("Local media have reported")
    assert all(p.a_end <= cut for p in r.passages)
    # The word-level passages are the same as without the paraphrase level.
    plain = align(seed_a, seed_b)
    assert [x for x in r.passages if x.kind != "paraphrase"] == [x for x in plain.passages if x.kind != "paraphrase"]


ARTICLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "fixtures" / "articles"
ZH_SHARED = "一名美国国防官员对法新社表示，车队没有回应多种警告方式，离坦夫的联军部队太近。"


@pytest.mark.parametrize("lang", ["zh", "ja", "th"])
def test_shared_sentence_found_where_words_are_not_spaced(lang):
    """The issue's Chinese pair (and a Japanese and a Thai one): the shared sentence is one verbatim passage with
    exact offsets, the languages named, and nothing else claimed."""
    from storymatch.inputs.files import load_article

    a = load_article(ARTICLES / f"{lang}-digest.txt")
    b = load_article(ARTICLES / f"{lang}-wire.txt")
    result = align(a, b)
    assert a.language == lang and b.language == lang
    assert len(result.passages) == 1
    p = result.passages[0]
    assert p.kind == "verbatim" and p.similarity == 1.0
    assert_exact(result, a.text, b.text)
    shared = [s.strip() for s in a.text.split("\n\n") if s.strip() in b.text][0]
    assert p.a_text == shared and a.text.index(shared) == p.a_start and b.text.index(shared) == p.b_start
    if lang == "zh":
        assert p.a_text == ZH_SHARED


def test_chinese_spun_copy_and_unrelated_text():
    wire = (ARTICLES / "zh-wire.txt").read_text(encoding="utf-8")
    spun = "据报道，" + ZH_SHARED.replace("美国国防官员", "美方国防官员").replace("太近", "过近") + "此外，天气晴朗。"
    result = align(spun, wire)
    assert len(result.passages) == 1 and result.passages[0].kind == "near-verbatim"
    assert_exact(result, spun, wire)
    unrelated = "今年夏天北京的气温创下历史新高，气象部门提醒市民注意防暑降温，尽量减少户外活动。"
    assert align(unrelated, wire).passages == []


def test_cli_align_json_names_the_language_of_a_chinese_pair():
    import json

    from typer.testing import CliRunner

    from storymatch.cli import app

    out = CliRunner().invoke(app, ["align", str(ARTICLES / "zh-digest.txt"), str(ARTICLES / "zh-wire.txt"), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["a"]["language"] == "zh" and data["b"]["language"] == "zh"
    assert [p["a_text"] for p in data["passages"]] == [ZH_SHARED]
