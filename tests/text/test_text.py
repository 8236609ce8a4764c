"""Text primitives on real text: language, sentences with exact offsets, length-preserving normalisation."""

from __future__ import annotations

from storymatch.text.language import detect_language
from storymatch.text.normalize import normalize
from storymatch.text.spans import sentences


def test_language_detection(seed_b):
    assert detect_language(seed_b) == "en"
    german = "Flugzeuge der Koalition haben in Syrien einen Konvoi angegriffen, sagte ein Sprecher."
    assert detect_language(german) == "de"
    spanish = "La coalición liderada por Estados Unidos atacó un convoy en Siria cerca de la frontera."
    assert detect_language(spanish) == "es"
    assert detect_language("12 345 !!") is None


def test_sentences_keep_exact_offsets(seed_a):
    sents = sentences(seed_a)
    assert len(sents) >= 15
    for s in sents:
        assert seed_a[s.start:s.end] == s.text
    assert any(s.text == "But we will defend our troops." for s in sents)
    # "U.S. Marine General" must not be split after "U.S."
    assert any(s.text.startswith("U.S. Marine General Joseph Dunford") for s in sents)


def test_normalize_is_length_preserving(seed_a):
    assert len(normalize(seed_a)) == len(seed_a)
    assert normalize("“De-confliction” – zone’s") == "\"de-confliction\" - zone's"
