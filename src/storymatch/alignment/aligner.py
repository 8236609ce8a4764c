"""Text-reuse alignment: which passages of A were taken from B, and how they were altered.

The pipeline follows the PAN text-alignment shared tasks: seeding (shared word
n-grams, passim-style), extension (chaining seeds across small gaps, so word
swaps and insertions stay inside one passage while reordered sentences become
their own passages), then filtering (minimum length, distinctive words, and
similarity, so stock phrases alone are never reuse). Offsets are exact
character offsets into the original texts: normalisation is length-preserving.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from storymatch.alignment.edits import collapse, similarity, substitutions
from storymatch.alignment.extension import CandidatePassage, candidates
from storymatch.alignment.paraphrase import paraphrase_passages
from storymatch.alignment.source import likely_source
from storymatch.alignment.tokens import Tokens, tokenize
from storymatch.alignment.translation import translation_passages
from storymatch.alignment.types import Alignment, AlignParams, Passage
from storymatch.embedding.base import USE_LANGUAGES, USE_MULTILINGUAL
from storymatch.inputs.article import Article
from storymatch.text.language import quick_language
from storymatch.text.scripts import weighted_length

# The code that decides what an alignment holds, for caches of alignments (see features.analysis.ANALYSIS_CODE);
# the embedding code too, since articles in two languages are aligned through the multilingual encoder, and the
# features whose particulars (features.anchors) confirm or contradict a translated sentence.
ALIGNMENT_CODE = ("storymatch.alignment", "storymatch.text", "storymatch.embedding", "storymatch.features")

LANGUAGE_SAMPLE = 1000  # characters read to tell an article's language: a third of compare's sample, as
#                         accurate on article text, and 4x faster (align runs at a hundred pairs a second)


def _as_parts(x: Article | str) -> tuple[str, _dt.date | None, str | None]:
    """Text, date and language; the language detected (and kept on an Article) when it is not given."""
    if isinstance(x, Article):
        if x.language is None:
            x.language = quick_language(x.text[:LANGUAGE_SAMPLE])
        return x.text, x.date, x.language
    if isinstance(x, str):
        return x, None, quick_language(x[:LANGUAGE_SAMPLE])
    raise TypeError(f"align() takes Article or str, not {type(x).__name__}")


def _passage(ta: Tokens, tb: Tokens, c: CandidatePassage, p: AlignParams) -> Passage | None:
    a0, a1 = int(ta.starts[c.i0]), int(ta.ends[c.i1 - 1])
    b0, b1 = int(tb.starts[c.j0]), int(tb.ends[c.j1 - 1])
    a0, b0, a1, b1 = _extend_punctuation(ta.norm, tb.norm, a0, b0, a1, b1)
    if weighted_length(ta.text[a0:a1]) < p.min_chars:  # Latin-character equivalents: 25 is ~5 words anywhere
        return None
    a_norm, b_norm = ta.norm[a0:a1], tb.norm[b0:b1]
    verbatim = collapse(a_norm) == collapse(b_norm)
    sim = 1.0 if verbatim else similarity(a_norm, b_norm)
    if sim < p.min_similarity:
        return None
    kind = "verbatim" if verbatim else "near-verbatim" if sim >= p.near_verbatim else "paraphrase"
    subs = [] if verbatim else substitutions(
        ta.words[c.i0:c.i1], tb.words[c.j0:c.j1],
        list(zip(ta.starts[c.i0:c.i1].tolist(), ta.ends[c.i0:c.i1].tolist())),
        list(zip(tb.starts[c.j0:c.j1].tolist(), tb.ends[c.j0:c.j1].tolist())),
        ta.text, tb.text)
    return Passage(a0, a1, b0, b1, ta.text[a0:a1], tb.text[b0:b1], kind, round(sim, 4), subs)


# Chinese and Japanese put no space after a sentence's mark: the previous sentence's 。 is not this passage's.
_CLOSES_SENTENCE = "\u3002\uff01\uff1f"


def _extend_punctuation(na: str, nb: str, a0: int, b0: int, a1: int, b1: int) -> tuple[int, int, int, int]:
    """Take in punctuation both sides share at the passage edges (closing period, opening quote)."""
    while a1 < len(na) and b1 < len(nb) and na[a1] == nb[b1] and not na[a1].isalnum() and not na[a1].isspace():
        a1, b1 = a1 + 1, b1 + 1
    while (a0 > 0 and b0 > 0 and na[a0 - 1] == nb[b0 - 1] and not na[a0 - 1].isalnum()
           and not na[a0 - 1].isspace() and na[a0 - 1] not in _CLOSES_SENTENCE):
        a0, b0 = a0 - 1, b0 - 1
    return a0, b0, a1, b1


def _reads(model: str, *langs: str) -> bool:
    """Was the translation level's encoder trained on these languages? USE-multilingual's 16 are known; a model the
    user names is taken at its word. Malay against English gets no translation passages rather than a cosine from
    a model that never saw Malay."""
    return model != USE_MULTILINGUAL or all(lang.split("-")[0].lower() in USE_LANGUAGES for lang in langs)


def union_length(spans: list[tuple[int, int]]) -> int:
    """Characters inside the union of (start, end) spans, overlaps counted once."""
    total, end = 0, -1
    for s, e in sorted(spans):
        if e <= end:
            continue
        total += e - max(s, end)
        end = e
    return total


def coverage(spans: list[tuple[int, int]], length: int) -> float:
    """Share of a text's characters inside the union of the spans."""
    return round(union_length(spans) / length, 4) if length else 0.0


def align(a: Article | str, b: Article | str, params: AlignParams | None = None) -> Alignment:
    """Passages of text shared by A and B, with edits, coverage and the likely source."""
    p = params or AlignParams()
    a_text, a_date, a_lang = _as_parts(a)
    b_text, b_date, b_lang = _as_parts(b)
    # each text's stopwords in its own language (the same list for a pair in one language)
    ta = tokenize(a_text, p.language or a_lang or b_lang)
    tb = tokenize(b_text, p.language or b_lang or a_lang)
    passages = [x for c in candidates(ta, tb, p) if (x := _passage(ta, tb, c, p)) is not None]
    if p.paraphrase_model:
        passages += paraphrase_passages(a_text, b_text, passages, p)
    if p.translation_model and a_lang and b_lang and a_lang != b_lang and _reads(p.translation_model, a_lang, b_lang):
        passages += translation_passages(a_text, b_text, passages, p, a_lang, b_lang)
    passages.sort(key=lambda x: (x.a_start, x.b_start))
    a_spans = [(x.a_start, x.a_end) for x in passages]
    b_spans = [(x.b_start, x.b_end) for x in passages]
    side, reason = likely_source(a_text, b_text, a_spans, b_spans, a_date, b_date,
                                 translated=[x.kind == "translation" for x in passages])
    return Alignment(passages, coverage(a_spans, len(a_text)), coverage(b_spans, len(b_text)), side, reason)


def pair_json(a: Article, b: Article, result: Alignment) -> dict[str, Any]:
    """The JSON of an alignment as `storymatch align --json` prints it and POST /api/align answers: each
    article as it was read (its id, source, title, language, length and date), then the alignment."""
    return {"a": a.summary(), "b": b.summary(), **result.to_dict()}
