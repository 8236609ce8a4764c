"""What survives translation: numbers, clock hours, dates, names across scripts, countries by name or adjective."""

from __future__ import annotations

from storymatch.features.anchors import agreement, anchors, names_match, skeleton


def test_a_transliteration_meets_its_original():
    assert skeleton("Mattis") == skeleton("Мэттис")
    assert skeleton("Washington") == skeleton("Вашингтон")
    assert skeleton("Neeraj") == skeleton("Нирадж")
    assert names_match(skeleton("Курцем"), skeleton("Kurz"))  # a Russian case ending
    assert not names_match(skeleton("Kim"), skeleton("Kim"))  # two consonants tell nothing
    assert not names_match(skeleton("Mattis"), skeleton("Marston"))


def test_clock_times_and_numbers_meet_across_languages():
    en = anchors("Around 10 pm, Neeraj said they had to leave for Delhi.", "en")
    de = anchors("Gegen 22 Uhr habe Neeraj gesagt, sie müssten nach Delhi aufbrechen.", "de")
    ru = anchors("Около 22:00 Нирадж сказал, что им нужно ехать в Дели.", "ru")
    assert "22" in en.numbers and "10" in en.numbers
    assert de.numbers == {"22"} and ru.numbers == {"22"}  # 22:00 is one time, not 22 and 0
    for other in (de, ru):
        ag = agreement(en, other)
        assert ag.shared_numbers == 1 and ag.shared_names == 1 and not ag.conflict
    # scale words are each language's own: 22 million is 22 in every language
    assert anchors("С 22 миллионами клиентов", "ru").numbers == anchors("With 22 million customers", "en").numbers


def test_dates_meet_in_every_language():
    en = anchors("As of Jan. 1, 2020, Washington drivers will no longer take an emissions test.", "en")
    for text, lang in (("A partir del 1 de enero de 2020, los conductores", "es"),
                       ("Depuis le 1er janvier 2020, les automobilistes", "fr"),
                       ("С 1 января 2020 года водителям", "ru"), ("Seit dem 1. Januar 2020 müssen", "de")):
        assert {"y2020", "md01-01"} <= anchors(text, lang).dates, lang
    assert en.dates == {"y2020", "md01-01"}


def test_countries_by_name_case_and_adjective():
    ru = anchors("Самолёты коалиции во главе с США нанесли удар в Сирии у границы с Иорданией.", "ru")
    assert ru.places == {"US", "SY", "JO"}
    assert anchors("Nach Angaben der Koalition hatten russische Truppen versucht", "de").places == {"RU"}
    assert anchors("las fuerzas rusas habían intentado", "es").places == {"RU"}
    assert anchors("Coalition officials said Russian forces had tried", "en").places == {"RU"}
    # a name that merely begins like a country is none
    assert not anchors("Secretary of State Julian Smith and Pope Francis spoke.", "en").places
    assert anchors("Los Verdes ganaron en el Reino Unido y en Estados Unidos.", "es").places == {"GB", "US"}


def test_only_numbers_contradict():
    a = anchors("Officials said 18 people died in Syria.", "en")
    b = anchors("Beamte sagten, 25 Menschen seien in Syrien gestorben.", "de")
    assert agreement(a, b).conflict
    c = anchors("Der seltene Angriff auf einen Verbündeten Teherans.", "de")
    d = anchors("The rare assault on an Iranian proxy.", "en")
    assert not agreement(c, d).conflict  # a place named another way (Tehran for Iranian) is no contradiction


def test_word_features_split_dense_scripts_as_the_aligner_does():
    """Chinese has no spaces: a space-split "word" is a whole clause no other text repeats (every CJK pair had a word
    overlap of 0). Content words there are the aligner's character bigrams; English keeps its words."""
    from pathlib import Path

    from storymatch.features.analysis import content_words

    articles = Path(__file__).resolve().parents[1] / "fixtures" / "articles"
    wire = content_words((articles / "zh-wire.txt").read_text(encoding="utf-8"))
    digest = content_words((articles / "zh-digest.txt").read_text(encoding="utf-8"))
    assert wire and all(len(w) <= 2 or w.isascii() for w in wire)
    assert len(set(wire) & set(digest)) >= 10
    assert set(content_words("The convoy headed south, officials said.")) == {"convoy", "headed", "south",
                                                                               "officials", "said"}
