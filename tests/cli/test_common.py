"""The CLI's text helpers: passages cut between words with an ellipsis, counts with the right plural."""

from __future__ import annotations

from storymatch.cli.common import clip, plural

SENTENCE = "Coalition officials said Russian forces had apparently unsuccessfully tried to dissuade the pro-regime " \
           "movement south."


def test_clip_cuts_between_words_and_says_so():
    cut = clip(SENTENCE, 100)
    assert len(cut) <= 100 and cut.endswith("…")
    assert cut == "Coalition officials said Russian forces had apparently unsuccessfully tried to dissuade the…"
    assert not cut.endswith("movemen…")  # the "…dissuade the pro-regime movemen"
    assert SENTENCE.startswith(cut[:-1])


def test_clip_leaves_short_text_whole_on_one_line():
    assert clip("But we will\n defend our troops", 60) == "But we will defend our troops"
    assert clip(SENTENCE, len(SENTENCE)) == SENTENCE


def test_clip_cuts_a_very_long_word_rather_than_leave_nothing():
    cut = clip("Donaudampfschifffahrtsgesellschaftskapitänswitwe war da", 20)
    assert len(cut) == 20 and cut.endswith("…")


def test_plural():
    assert plural(1, "sentence") == "1 sentence"
    assert plural(3, "sentence") == "3 sentences"
    assert plural(0, "story", "stories") == "0 stories"
    assert plural(1_234, "article") == "1,234 articles"
