"""The aligner's types: its parameters, and what it finds (passages, and the alignment of two texts).

Kept apart from the pipeline so that every stage (seeding, paraphrase, the corpus, the server's schema) can
name them without importing the aligner itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Mapping

from storymatch.embedding.base import USE_MULTILINGUAL


@dataclass
class AlignParams:
    """Tunable knobs of the aligner; the README's "Alignment parameters" table documents them."""

    ngram: int = 3  # words per seed n-gram
    gap: int = 6  # most unmatched words allowed between two seeds of one passage (in either text)
    min_words: int = 6  # fewest words of A matched by seeds for a passage to count
    min_distinctive: int = 2  # fewest matched words that are neither stopwords nor inside stock phrases
    min_chars: int = 25  # shortest passage (characters, in A)
    min_similarity: float = 0.5  # lowest character similarity of the two sides of a passage
    near_verbatim: float = 0.8  # similarity from which an edited passage is near-verbatim, not paraphrase
    max_repeat: int = 8  # n-grams occurring more often than this in B are not seeds
    merge_gap: int = 40  # most words between two passages in order in both texts that are merged when the
    #                      text between them is itself similar (PAN's merging step)
    merge_similarity: float = 0.4  # least word-level similarity of the gap texts for such a merge
    language: str | None = None  # stopword language; None: the articles' language, else English
    paraphrase_model: str | None = None  # embedding backend for sentence-level paraphrase (off by default)
    paraphrase_threshold: float = 0.7  # cosine from which two unaligned sentences sharing more than
    #                                   min_distinctive non-stopwords are a paraphrase
    translation_model: str | None = USE_MULTILINGUAL  # multilingual encoder for articles in two languages
    #                                                   (alignment.translation); None switches the level off
    translation_threshold: float = 0.8  # cosine from which two sentences in two languages can be a translation
    translation_run_threshold: float = 0.45  # the same for a pair next to another pair in both texts (a run)


@dataclass
class Passage:
    """One reused passage: A[a_start:a_end] == a_text, B[b_start:b_end] == b_text."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_text: str
    b_text: str
    kind: str  # "verbatim" | "near-verbatim" | "paraphrase" | "translation"
    similarity: float
    substitutions: list[list[str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Passage":
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


@dataclass
class Alignment:
    """All passages shared by A and B, how much of each they cover, and the likely source."""

    passages: list[Passage]
    coverage_a: float
    coverage_b: float
    likely_source: str | None
    source_reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "passages": [p.to_dict() for p in self.passages],
            "coverage_a": self.coverage_a,
            "coverage_b": self.coverage_b,
            "likely_source": self.likely_source,
            "source_reason": self.source_reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Alignment":
        """The alignment back from its `to_dict()` (a cached result, a stored JSON)."""
        return cls(passages=[Passage.from_dict(p) for p in data["passages"]], coverage_a=data["coverage_a"],
                   coverage_b=data["coverage_b"], likely_source=data["likely_source"],
                   source_reason=data["source_reason"])
