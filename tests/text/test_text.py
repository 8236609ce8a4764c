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


def test_german_ordinals_and_french_guillemets():
    from storymatch.text.spans import sentences

    de = "Henri war für den 20. Dezember errechnet. Der den 27. Wahlbezirk vertrat, trat zurück. Sie stieg auf 12. Die"
    assert [s.text for s in sentences(de)] == ["Henri war für den 20. Dezember errechnet.",
                                               "Der den 27. Wahlbezirk vertrat, trat zurück.", "Sie stieg auf 12.",
                                               "Die"]
    fr = "On l'a appris mardi. « Je n'arrive pas à y croire », a-t-il dit."
    assert len(sentences(fr)) == 2
    assert len(sentences("The toll rose to 12. Officials said so.")) == 2


def test_unread_scripts_and_mixed_texts_are_named(seed_b):
    from pathlib import Path

    from storymatch.text.language import UNREAD, identify_language, second_language

    lang, told = identify_language("ერთ-ერთი ყველაზე მნიშვნელოვანი საკითხი არის ეკონომიკის განვითარება ქვეყანაში.")
    assert lang is None and told.startswith(UNREAD) and "Georgian" in told
    assert identify_language("Kerajaan Malaysia mengumumkan bahawa sekolah akan dibuka semula pada bulan depan "
                             "selepas penutupan yang panjang akibat wabak.")[0] == "ms"
    # a language storymatch does not name is unknown, not the supported language lingua would take it for
    swahili = ("Habari za asubuhi, serikali imetangaza mpango mpya wa kilimo ambao utasaidia wakulima wadogo katika "
               "mikoa yote ya nchi hii mwaka ujao. Waziri wa kilimo alisema kwamba fedha zitatolewa kupitia benki "
               "za wananchi na vikundi vya ushirika vijijini.")
    lang, told = identify_language(swahili)
    assert lang is None and "sw" in told
    german = (Path(__file__).resolve().parents[1] / "fixtures" / "articles" / "seed-b-de.txt").read_text("utf-8")
    mixed = german + "\n\n" + seed_b
    lang, _ = identify_language(mixed)
    assert lang == "de" and second_language(mixed, lang) == "en"
    assert second_language(seed_b, "en") is None
