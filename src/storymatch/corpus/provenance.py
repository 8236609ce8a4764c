"""Provenance map: for every sentence of an article, the earlier articles it was taken from.

Candidates come from the store's LSH and vector indexes (candidates.py); each
earlier candidate is aligned with the article by `alignment.align`, the same
pair logic the `align` command uses, and every aligned passage is credited to
the sentences it covers. "Earlier" means an earlier publication date when both
dates are known and differ, else an earlier ingest. A sentence no earlier
article shares is reported with no sources: the article's own text.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from storymatch.alignment.aligner import align
from storymatch.alignment.types import Alignment, AlignParams
from storymatch.corpus.candidates import find_candidates
from storymatch.corpus.store import Store, Stored
from storymatch.errors import StoreDamaged
from storymatch.text.spans import sentences

ALIGN_KIND = "align"
MIN_SHARE = 0.5  # a passage credits a sentence when it covers this share of it...
MIN_CHARS = 40  # ...or at least this many of its characters (a long sentence partly copied)


@dataclass
class SourceMatch:
    """Where one sentence (or the part of it in `start:end`) was taken from."""

    id: str
    source: str | None
    title: str | None
    date: str | None
    kind: str  # verbatim | near-verbatim | paraphrase
    similarity: float
    start: int  # the reused passage in the traced article
    end: int
    source_start: int  # and in the source article
    source_end: int
    source_text: str
    substitutions: list[list[str]] = field(default_factory=list)


@dataclass
class SentenceTrace:
    index: int
    start: int
    end: int
    text: str
    sources: list[SourceMatch] = field(default_factory=list)


@dataclass
class Trace:
    article: dict[str, Any]
    sentences: list[SentenceTrace]
    candidates: int  # earlier articles aligned

    @property
    def attributed(self) -> int:
        return sum(1 for s in self.sentences if s.sources)

    def to_dict(self) -> dict[str, Any]:
        return {"article": self.article, "sentences": [asdict(s) for s in self.sentences],
                "attributed": self.attributed, "total": len(self.sentences), "candidates": self.candidates}


def cached_align(store: Store, a: Stored, b: Stored, *, params: AlignParams | None = None,
                 cache: bool = True) -> Alignment:
    """align(a, b, params), kept in the store's results when both articles are stored ones."""
    stored = cache and store.holds(a) and store.holds(b)
    key = f"{a.article.id}\x1f{b.article.id}\x1f{json.dumps(asdict(params), sort_keys=True) if params else ''}"
    if stored and (hit := store.get_result(ALIGN_KIND, key)) is not None:
        try:
            return Alignment.from_dict(hit)
        except (KeyError, TypeError, ValueError, AttributeError) as e:  # a JSON object of another shape
            raise StoreDamaged(str(store.folder), f"cached align result {key[:40]!r} is not what storymatch writes "
                                                  f"({type(e).__name__}; repair drops the cache)") from None
    result = align(a.article, b.article, params)
    if stored:
        store.put_results(ALIGN_KIND, [(key, result.to_dict())])
    return result


def earlier_sources(store: Store, query: Stored, **kw) -> list[Stored]:
    """The query's candidates published (or ingested) before it, oldest first."""
    cands = [c.stored for c in find_candidates(store, query, **kw) if c.stored.earlier_than(query)]
    return sorted(cands, key=_age)


def _age(s: Stored) -> tuple:
    return (s.article.date is None, s.article.date.toordinal() if s.article.date else 0, s.seq)


def trace(store: Store, query: Stored, *, params: AlignParams | None = None, cache: bool = True,
          k_vector: int = 20) -> Trace:
    """The provenance map of `query` against the earlier articles in `store`.

    `params` go to align(); AlignParams(paraphrase_model="minilm") adds sentence-level
    paraphrases to the verbatim and spun passages (slower: it embeds every candidate).
    `k_vector` same-story neighbours are aligned besides the LSH candidates: they catch
    copies too edited for the LSH keys; 0 keeps to LSH candidates (what `report` does).
    """
    spans = sentences(query.article.text)
    out = [SentenceTrace(i, s.start, s.end, s.text) for i, s in enumerate(spans)]
    sources = earlier_sources(store, query, k_vector=k_vector)
    for src in sources:
        assert src.article.id is not None  # Article.__post_init__ always sets an id
        for p in cached_align(store, query, src, params=params, cache=cache).passages:
            match = SourceMatch(id=src.article.id, source=src.article.source, title=src.article.title,
                                date=src.article.date.isoformat() if src.article.date else None, kind=p.kind,
                                similarity=round(p.similarity, 4), start=p.a_start, end=p.a_end,
                                source_start=p.b_start, source_end=p.b_end, source_text=p.b_text,
                                substitutions=p.substitutions)
            for st in out:
                overlap = min(st.end, p.a_end) - max(st.start, p.a_start)
                if overlap > 0 and (overlap >= MIN_SHARE * (st.end - st.start) or overlap >= MIN_CHARS):
                    st.sources.append(match)
    return Trace(article=query.article.summary(), sentences=out, candidates=len(sources))
