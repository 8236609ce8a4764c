"""The ingest pipeline: read -> Article -> language, sentence LSH keys, vector -> store.

Records are processed in batches; each batch is written in one transaction, so a
killed ingest loses at most the batch in flight and the next run, reading the same
records in the same order, skips the ids already stored and carries on. Bad
records never stop a run: each is one line in the store's ingest report.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from storymatch.corpus.store import NewArticle, Store
from storymatch.corpus.vector_index import USEARCH_MIN, index_for
from storymatch.embedding.tiers import FAST, NO_VECTORS, Tier, get_tier
from storymatch.errors import InputError, StoreError
from storymatch.features.lsh import LSHParams, texts_keys
from storymatch.inputs.article import Article
from storymatch.inputs.readers import read_corpus
from storymatch.text.language import detect_language
from storymatch.text.spans import sentences

DEFAULT_TIER = FAST


@dataclass
class IngestStats:
    read: int = 0       # records read, good or bad
    added: int = 0      # articles newly stored
    existing: int = 0   # articles whose id was stored already (re-ingest, resume, duplicates)
    bad: int = 0        # records skipped as unreadable
    errors: list[str] = field(default_factory=list)
    # records kept with a field let go (an unreadable date), one line each, also in the report
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    tier: str | None = None

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0


Progress = Callable[[IngestStats], None]


def resolve_tier(store: Store, requested: str | None, languages: Sequence[str | None] = ()) -> Tier | None:
    """The store's embedding tier: fixed by its first ingest, so all its vectors share a space.

    Returns None for a store without vectors ("none"). A different explicit request is an
    error rather than a silently mixed index.
    """
    stored = store.get_meta("tier")
    if stored is not None:
        if requested and requested != stored and not stored.startswith(requested + ":"):
            raise StoreError(f"{store.folder}: this store's vectors are tier {stored!r}, not {requested!r}; "
                             f"ingest with tier {stored} or use a new store")
        return None if stored == NO_VECTORS else get_tier(stored)
    name = requested or DEFAULT_TIER
    if name == NO_VECTORS:
        store.set_meta("tier", NO_VECTORS)
        return None
    tier = get_tier(name, languages)
    store.set_meta("tier", tier.name)
    return tier


def article_language(article: Article) -> str | None:
    """The language of an article's body, as ingest records it."""
    return detect_language(article.text)


def prepare(article: Article, origin: str | None, lsh: LSHParams) -> NewArticle:
    """What the store keeps for one article besides its text: language, counts, LSH keys."""
    return prepare_many([(origin, article)], lsh)[0]


def prepare_many(batch: Sequence[tuple[str | None, Article]], lsh: LSHParams) -> list[NewArticle]:
    """`prepare` for a batch of (origin, article): the LSH keys of all their sentences computed at once."""
    for _, article in batch:
        if not article.language:
            article.language = article_language(article)
    spans = [sentences(a.text) for _, a in batch]
    keys = texts_keys([a.text for _, a in batch], lsh, spans)
    return [NewArticle(article=a, origin=origin, lsh_keys=k, n_words=len(a.text.split()), n_sentences=len(s))
            for (origin, a), s, (_, k) in zip(batch, spans, keys)]


def ingest(paths: Iterable[str | Path], store: Store, *, tier: str | None = None, batch_size: int = 256,
           progress: Progress | None = None, limit: int | None = None, build_index: bool = True,
           max_chars: int | None = None) -> IngestStats:
    """Add every readable record under `paths` to `store`; returns what happened.

    `limit` stops after that many records (for sampling a large corpus); `build_index`
    extends the approximate vector index at the end (else the first query does it); `max_chars` is the
    text limit (default: the setting): a longer record is reported and skipped.
    """
    stats = ingest_records(read_corpus(paths, max_chars=max_chars), store, tier=tier, batch_size=batch_size,
                           progress=progress, limit=limit)
    if stats.added and build_index:
        refresh_vector_index(store)
    return stats


def refresh_vector_index(store: Store) -> None:
    """Bring the approximate index up to date now, so the first query after an ingest does not pay for it."""
    tier = store.get_meta("tier")
    if tier and tier != NO_VECTORS and store.vector_max_seq(tier) >= USEARCH_MIN:
        index_for(store, tier).ann()


def ingest_records(records: Iterable[tuple[str, Article | InputError]], store: Store, *, tier: str | None = None,
                   batch_size: int = 256, progress: Progress | None = None, limit: int | None = None,
                   report: bool = True) -> IngestStats:
    """Add (where, Article or InputError) records to `store`, e.g. ones a client sent to the server.

    Bad records are counted, kept in `stats.errors` and, with `report`, written one a line
    to the store's ingest report (rewritten by each run); a record kept without a field it could not
    read (a date) is stored, and its note goes to `stats.notes` and the report.
    """
    if store.read_only:
        raise StoreError(f"{store.folder}: the store is read-only here; ingest needs write access")
    store.verify_pages()
    stats = IngestStats()
    lsh = store.lsh_params()
    start = time.perf_counter()
    embedder = None
    tier_resolved = store.get_meta("tier") is not None
    if tier_resolved:
        embedder = resolve_tier(store, tier)
    report_fh = open(store.report_path, "w", encoding="utf-8") if report else None
    batch: list[tuple[str, Article]] = []

    def flush() -> None:
        nonlocal embedder, tier_resolved
        if not batch:
            return
        if not tier_resolved:
            embedder = resolve_tier(store, tier, [a.language for _, a in batch])
            tier_resolved = True
        stats.tier = store.get_meta("tier")
        _write_batch(batch, store, embedder, lsh, stats)
        batch.clear()
        stats.seconds = time.perf_counter() - start
        if progress:
            progress(stats)

    try:
        for where, rec in records:
            if limit is not None and stats.read >= limit:
                break
            stats.read += 1
            if isinstance(rec, InputError):
                stats.bad += 1
                stats.errors.append(str(rec))
                if report_fh:
                    report_fh.write(f"{rec}\n")
                    report_fh.flush()
                continue
            for note in rec.problems:
                stats.notes.append(note)
                if report_fh:
                    report_fh.write(f"{note}\n")
                    report_fh.flush()
            batch.append((where, rec))
            if len(batch) >= batch_size:
                flush()
        flush()
    finally:
        if report_fh:
            report_fh.close()
    stats.seconds = time.perf_counter() - start
    stats.tier = store.get_meta("tier")
    if progress:
        progress(stats)
    return stats


def _write_batch(batch: list[tuple[str, Article]], store: Store, embedder, lsh: LSHParams, stats: IngestStats) -> None:
    ids: list[str] = []
    for _, a in batch:
        assert a.id is not None  # Article.__post_init__ always sets an id
        ids.append(a.id)
    seen = store.existing_ids(ids)
    fresh: list[tuple[str, Article]] = []
    for where, art in batch:
        assert art.id is not None  # Article.__post_init__ always sets an id
        if art.id in seen:
            stats.existing += 1
            continue
        seen.add(art.id)
        fresh.append((where, art))
    if not fresh:
        return
    items = prepare_many(fresh, lsh)
    if embedder is not None:
        vecs = embedder.encode_articles([it.article for it in items])
        for it, v in zip(items, np.asarray(vecs, dtype=np.float32)):
            it.vector = v
    stats.added += store.add_batch(items, embedder.name if embedder is not None else None)
