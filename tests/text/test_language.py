"""quick_language: CLD2 where it is sure, lingua (today's rules) everywhere else; the answers lingua would give."""

from __future__ import annotations

from pathlib import Path

import pycld2
import pytest

from storymatch.text import language
from storymatch.text.language import SUPPORTED_CODES, detect_language, quick_language

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"

# Written for this test: Galician, which CLD2 knows and storymatch does not support (lingua is limited to SUPPORTED).
GALICIAN = ("O goberno galego anunciou onte que a nova lei de vivenda entrará en vigor o próximo mes, despois de "
            "que o Parlamento aprobase o texto coa maioría dos votos. Segundo a conselleira, as axudas chegarán "
            "primeiro ás familias mozas que viven no rural, onde os prezos subiron moito nos últimos anos.")


def test_supported_codes_are_linguas_languages():
    from lingua import Language

    codes = {getattr(Language, name).iso_code_639_1.name.lower() for name in language.SUPPORTED
             if hasattr(Language, name)}
    assert SUPPORTED_CODES == {"no" if c in ("nb", "nn") else c for c in codes}


@pytest.mark.parametrize("name, expected", [("syria-de.txt", "de"), ("football.txt", "en"), ("rates.txt", "en"),
                                            ("zh-wire.txt", "zh"), ("th-wire.txt", "th"), ("ja-wire.txt", "ja")])
def test_articles_get_linguas_answer(name, expected):
    text = (ARTICLES / name).read_text(encoding="utf-8")
    assert quick_language(text) == detect_language(text) == expected


def test_cld2_answers_a_long_text_without_lingua(monkeypatch, seed_b):
    monkeypatch.setattr(language, "detect_language", lambda text: pytest.fail("lingua was asked"))
    assert quick_language(seed_b) == "en"


def test_short_text_keeps_linguas_rule():
    """CLD2 calls "Hello world." English, reliably; too short a text is unknown here, as before."""
    assert quick_language("Hello world.") is None
    assert quick_language("12 345 !!") is None


def test_a_language_outside_supported_is_unknown_as_lingua_says():
    assert language._cld2(GALICIAN) is None  # CLD2 says Galician: not a language storymatch names
    assert quick_language(GALICIAN) is None and detect_language(GALICIAN) is None


# Written for this test: a German report quoting English at length, which CLD2 reads but is not sure of.
MIXED = ("Der amerikanische Außenminister hat am Donnerstag in Berlin erklärt, die Gespräche über das Abkommen "
         "würden in der kommenden Woche fortgesetzt. \"We are making progress, but there is still a lot of work to "
         "do before anyone can sign anything,\" he told reporters after the meeting. Die Bundesregierung wollte "
         "sich zunächst nicht äußern; ein Sprecher verwies auf die laufenden Verhandlungen und sagte, man werde "
         "die Ergebnisse abwarten. \"Nobody should expect a breakthrough this month,\" a senior official added. "
         "Die Opposition im Bundestag forderte dagegen, das Parlament früher und umfassender zu informieren.")


def test_a_text_cld2_is_unsure_of_is_weighed_among_its_languages(monkeypatch):
    """lingua weighs only the languages CLD2 found (and their neighbours), without loading all of SUPPORTED's
    models, and answers as lingua among all of them does."""
    code, candidates = language._cld2_reading(MIXED)
    assert code is None and {"de", "en"} <= set(candidates)
    expected = detect_language(MIXED)
    assert expected == "de"
    monkeypatch.setattr(language, "_detector", lambda: pytest.fail("lingua among all languages was asked"))
    assert quick_language(MIXED) == expected


def test_control_characters_do_not_stop_cld2(monkeypatch, seed_b):
    """CLD2 refuses C1 controls (cp1252 leftovers such as \\x96 in scraped text); they are blanked and it answers."""
    monkeypatch.setattr(language, "detect_language", lambda text: pytest.fail("lingua was asked"))
    scraped = seed_b[:200] + " \x96 " + seed_b[200:]
    with pytest.raises(pycld2.error):
        pycld2.detect(scraped[:1000], isPlainText=True)
    assert quick_language(scraped) == "en"
