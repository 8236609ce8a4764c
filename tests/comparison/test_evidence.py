"""The evidence lists as a reader sees them: no sentence-opening common words, no titles glued to names, one entry
per person, no "said" among shared terms, "syria" and "syria's" as one term."""

from __future__ import annotations

from collections import Counter

from storymatch.comparison.evidence import _shared_terms, _with_surnames, readable_entities
from storymatch.features.analysis import ArticleFeatures
from storymatch.features.entities import Entity
from storymatch.features.names import group_names
from storymatch.inputs.article import Article

TEXT = ("A second defence official told AFP the forces in the convoy appeared to have been Shia militia.\n\n"
        "Attempts to stop the convoy included a call to the Russians.\n\n"
        "Syria has condemned the strike. Officials in Syria said so.\n\n"
        "Later, Secretary of Defence Jim Mattis stressed that US is not getting more involved in Syria's civil war.\n\n"
        "\"We will defend our troops,\" Mattis said. The White House said nothing; a white flag flew.")


def entity(text: str, label: str = "PERSON", nth: int = 0) -> Entity:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(text, start + 1)
    return Entity(text, label, start, start + len(text))


def names(entities: list[Entity]) -> list[str]:
    return [e.text for e in readable_entities(entities, TEXT, "en")]


def test_a_common_word_opening_a_sentence_is_not_a_name():
    assert names([entity("Attempts", "PRODUCT")]) == []  # spaCy's en_core_web_sm took it for a product


def test_names_that_open_sentences_stay():
    """"Syria" opens a sentence but is also met mid-sentence (and is a place); "Mattis" is rare as a word."""
    assert names([entity("Syria", "GPE"), entity("Mattis", "PERSON", 1)]) == ["Syria", "Mattis"]


def test_a_title_glued_to_a_name_is_cut_off():
    """"Defence Jim Mattis": the text writes "defence" in lower case, and "Mattis" alone; the offsets follow."""
    found = readable_entities([entity("Defence Jim Mattis", "ORG"), entity("Mattis", "PERSON", 1)], TEXT, "en")
    assert [e.text for e in found] == ["Jim Mattis", "Mattis"]
    assert TEXT[found[0].start:found[0].end] == "Jim Mattis"


def test_a_name_with_a_common_word_is_left_whole():
    """"White House": "white" is written in lower case too, but two words would not be left and "House" is
    never met alone, so it stays whole."""
    assert names([entity("White House", "ORG")]) == ["White House"]


def test_a_surname_is_listed_with_the_full_name():
    groups = _with_surnames(group_names([entity("Jim Mattis"), entity("Mattis", nth=1), entity("AFP", "ORG")]))
    assert [(g.name, g.count) for g in groups.values()] == [("Jim Mattis", 2), ("AFP", 1)]


def features(words: dict[str, int]) -> ArticleFeatures:
    return ArticleFeatures(article=Article("x"), language="en", sentences=[], entities=[], places=[], dates=[],
                           numbers=[], quotes=[], content_words=Counter(words))


def test_shared_terms_leave_out_common_words_and_merge_possessives():
    a = features({"said": 4, "syria": 2, "syria's": 1, "coalition": 3, "convoy": 1})
    b = features({"said": 5, "syria's": 2, "coalition": 1, "strike": 2})
    terms = _shared_terms(a, b)
    assert "said" not in terms  # English's 99th commonest word
    assert "syria's" not in terms and terms.count("syria") == 1
    assert terms[:2] == ["syria", "coalition"]
