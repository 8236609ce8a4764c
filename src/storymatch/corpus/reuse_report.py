"""Corpus-wide reuse: stories, who published first, who reused whom and how much.

Stories come from the online clusterer (cluster.py) over the store's vectors;
reuse edges from full alignment of each article with its earlier LSH candidates
(the same candidates and alignment `trace` uses). Pair alignments are cached in
the store's results table, so a second report only aligns new pairs.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from storymatch.corpus.provenance import trace
from storymatch.corpus.store import Store
from storymatch.corpus.stories import story_assignments


@dataclass
class ReuseEdge:
    """`reuser` took `sentences` sentences (`chars` characters, `share` of its text) from `source`."""

    source: str
    reuser: str
    sentences: int = 0
    chars: int = 0
    share: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict)
    source_date: str | None = None
    reuser_date: str | None = None
    story: str | None = None


@dataclass
class ReusedPassage:
    """A stretch of an original article and the later articles that took it."""

    source: str
    start: int
    end: int
    text: str
    reusers: list[str] = field(default_factory=list)


@dataclass
class ReuseReport:
    articles: int
    stories: list[dict[str, Any]]
    edges: list[ReuseEdge]
    passages: list[ReusedPassage]

    def to_dict(self) -> dict[str, Any]:
        return {"articles": self.articles, "stories": self.stories, "edges": [asdict(e) for e in self.edges],
                "passages": [asdict(p) for p in self.passages]}

    def write_csv(self, path: str | Path) -> None:
        """The reuse graph as CSV edges (source -> reuser), for Gephi, pandas or a spreadsheet."""
        cols = ["source", "reuser", "sentences", "chars", "share", "kinds", "source_date", "reuser_date", "story"]
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(cols)
            for e in self.edges:
                row = asdict(e)
                row["kinds"] = ";".join(f"{k}:{v}" for k, v in sorted(e.kinds.items()))
                w.writerow([row[c] for c in cols])


def report(store: Store, *, top_passages: int = 20, params=None,
                 progress: Callable[[int], None] | None = None) -> ReuseReport:
    """Who reused whom across the store: every article traced against its earlier candidates.

    Only LSH candidates (articles sharing a sentence key) are aligned, unless `params` asks for
    paraphrases: then same-story vector neighbours too, as `trace` does.

    Each sentence is credited to its earliest source only (trace lists sources oldest
    first), so a wire copied by an aggregator and then by a digest yields wire -> aggregator
    and wire -> digest, not aggregator -> digest, unless the digest took text only the
    aggregator had.
    """
    story_of = story_assignments(store)
    edges: dict[tuple[str, str], ReuseEdge] = {}
    spans: dict[str, list[list]] = {}  # source id -> [[start, end, text, {reusers}]]
    order: list[tuple[str, str | None, str | None]] = []  # (id, source, date) in time order, for the stories
    for st in store.iter_articles(chronological=True):
        a = st.article
        assert a.id is not None  # Article.__post_init__ always sets an id
        order.append((a.id, a.source, a.date.isoformat() if a.date else None))
        t = trace(store, st, params=params, k_vector=20 if params and params.paraphrase_model else 0)
        for sent in t.sentences:
            if not sent.sources:
                continue
            m = sent.sources[0]
            e = edges.setdefault((m.id, a.id), ReuseEdge(
                m.id, a.id, source_date=m.date, reuser_date=t.article.get("date"),
                story=story_of.get(a.id) if story_of.get(a.id) == story_of.get(m.id) else None))
            e.sentences += 1
            e.chars += min(sent.end, m.end) - max(sent.start, m.start)
            e.share = round(e.chars / max(len(st.article.text), 1), 4)
            e.kinds[m.kind] = e.kinds.get(m.kind, 0) + 1
            _credit(spans.setdefault(m.id, []), m.source_start, m.source_end, m.source_text, a.id)
        if progress:
            progress(1)
    passages = [ReusedPassage(src, s, e, text, sorted(users))
                for src, lst in spans.items() for s, e, text, users in lst]
    passages.sort(key=lambda p: (-len(p.reusers), -(p.end - p.start)))
    return ReuseReport(articles=len(order), stories=_story_summaries(order, story_of, edges.values()),
                       edges=sorted(edges.values(), key=lambda e: -e.chars), passages=passages[:top_passages])


def _credit(spans: list[list], start: int, end: int, text: str, reuser: str) -> None:
    """Count a reuser against the source span it took, merging spans that overlap."""
    for sp in spans:
        if start < sp[1] and end > sp[0]:
            if end - start > sp[1] - sp[0]:
                sp[0], sp[1], sp[2] = start, end, text
            sp[3].add(reuser)
            return
    spans.append([start, end, text, {reuser}])


def _story_summaries(order: list[tuple[str, str | None, str | None]], story_of: dict[str, str],
                     edges) -> list[dict[str, Any]]:
    """Per story with more than one article ((id, source, date) in time order): who published first, its reuse."""
    members: dict[str, list[tuple[str, str | None, str | None]]] = {}
    for a in order:
        if a[0] in story_of:
            members.setdefault(story_of[a[0]], []).append(a)
    out = []
    for sid, arts in members.items():
        if len(arts) < 2:
            continue
        inside = [e for e in edges if e.story == sid]
        first_id, first_source, first_date = arts[0]
        out.append({"id": sid, "size": len(arts), "first": first_id, "first_source": first_source,
                    "first_date": first_date, "articles": [a[0] for a in arts], "reuse_edges": len(inside),
                    "reused_chars": sum(e.chars for e in inside)})
    return sorted(out, key=lambda s: (-s["reused_chars"], -s["size"]))
