"""The ingest pipeline: read -> Article -> language, sentence LSH keys, vector -> store.

Records are processed in batches; each batch is written in one transaction, so a
killed ingest loses at most the batch in flight and the next run, reading the same
records in the same order, skips the ids already stored and carries on. Bad
records never stop a run: each is one line in the store's ingest report.
"""

from __future__ import annotations

import time
from collections import deque
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from storymatch.corpus.ingest_analysis import PARALLEL_FROM, Analyser, Analysis, analyse, starting_worker
from storymatch.corpus.lsh_index import refresh_lsh_index
from storymatch.corpus.store import NewArticle, Store
from storymatch.corpus.vector_index import USEARCH_MIN, index_for
from storymatch.embedding.tiers import FAST, NO_VECTORS, Tier, get_tier
from storymatch.errors import InputError, StoreError, printable
from storymatch.features.lsh import LSHParams
from storymatch.inputs.article import Article
from storymatch.inputs.readers import expected_records, read_corpus

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


def prepare(article: Article, origin: str | None, lsh: LSHParams) -> NewArticle:
    """What the store keeps for one article besides its text: language, counts, LSH keys."""
    return prepare_many([(origin, article)], lsh)[0]


def prepare_many(batch: Sequence[tuple[str | None, Article]], lsh: LSHParams) -> list[NewArticle]:
    """`prepare` for a batch of (origin, article): the LSH keys of all their sentences computed at once."""
    return [_new_article(origin, a, it) for (origin, a), it in zip(batch, analyse([a for _, a in batch], lsh))]


def _new_article(origin: str | None, article: Article, analysis: Analysis) -> NewArticle:
    return NewArticle(article=article, origin=origin, lsh_keys=analysis.lsh_keys, n_words=analysis.n_words,
                      n_sentences=analysis.n_sentences, vector=analysis.vector)


def ingest(paths: Iterable[str | Path], store: Store, *, tier: str | None = None, batch_size: int = 256,
           progress: Progress | None = None, limit: int | None = None, build_index: bool = True,
           max_chars: int | None = None, workers: int | None = None) -> IngestStats:
    """Add every readable record under `paths` to `store`; returns what happened.

    `limit` stops after that many records (for sampling a large corpus); `build_index`
    brings the derived indexes up to date at the end (else the first query does it); `max_chars` is the
    text limit (default: the setting): a longer record is reported and skipped; `workers`: see `ingest_records`.
    """
    paths = list(paths)
    expected = min(expected_records(paths, PARALLEL_FROM), limit if limit is not None else PARALLEL_FROM)
    stats = ingest_records(read_corpus(paths, max_chars=max_chars), store, tier=tier, batch_size=batch_size,
                           progress=progress, limit=limit, workers=workers, expected=expected)
    if stats.added and build_index:
        refresh_indexes(store)
    return stats


def refresh_indexes(store: Store) -> None:
    """Bring the derived indexes (the approximate vector index, the LSH key file) up to date now, so the first
    query after an ingest does not pay for them."""
    tier = store.get_meta("tier")
    if tier and tier != NO_VECTORS and store.vector_max_seq(tier) >= USEARCH_MIN:
        index_for(store, tier).ann()
    refresh_lsh_index(store)


def ingest_records(records: Iterable[tuple[str, Article | InputError]], store: Store, *, tier: str | None = None,
                   batch_size: int = 256, progress: Progress | None = None, limit: int | None = None,
                   report: bool = True, workers: int | None = None, expected: int = 0) -> IngestStats:
    """Add (where, Article or InputError) records to `store`, e.g. ones a client sent to the server.

    Bad records are counted, kept in `stats.errors` and, with `report`, written one a line
    to the store's ingest report (rewritten by each run); a record kept without a field it could not
    read (a date) is stored, and its note goes to `stats.notes` and the report. `workers` (default: the setting,
    else the cores) analyse batches in other processes while this one writes (corpus.ingest_analysis); what is
    stored is the same whatever their number. `expected`: how many records there are at least, if known (it
    decides only when the workers start).
    """
    if store.read_only:
        raise StoreError(f"{store.folder}: the store is read-only here; ingest needs write access")
    if starting_worker():
        raise StoreError(f"{store.folder}: ingest called while an ingest worker process starts (the script's "
                         "ingest needs to be under `if __name__ == \"__main__\":`); nothing written from it")
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
    # Batches are written in the order they were read. Each batch's articles already stored, or in a batch
    # submitted before it and not yet written, are counted as existing when it is submitted: exactly those a
    # one-process run finds stored when it writes the batch.
    origins: deque[list[str]] = deque()
    in_flight: set[str] = set()
    analyser: Analyser | None = None

    def submit() -> None:
        nonlocal embedder, tier_resolved, analyser
        if not batch:
            return
        if not tier_resolved:
            embedder = resolve_tier(store, tier, [a.language for _, a in batch])
            tier_resolved = True
        if analyser is None:
            analyser = stack.enter_context(Analyser(lsh, embedder.name if embedder is not None else None, workers,
                                                    expected=expected))
        fresh = _not_stored(batch, store, in_flight, stats)
        in_flight.update(a.id for _, a in fresh if a.id is not None)
        origins.append([where for where, _ in fresh])
        analyser.submit([a for _, a in fresh])
        batch.clear()
        while analyser.in_flight > analyser.window:
            write_next()

    def write_next() -> None:
        assert analyser is not None
        articles, analyses = analyser.next_done()
        items = [_new_article(where, a, it) for where, a, it in zip(origins.popleft(), articles, analyses)]
        _write_batch(items, store, embedder, stats)
        in_flight.difference_update(a.id for a in articles if a.id is not None)
        stats.tier = store.get_meta("tier")
        stats.seconds = time.perf_counter() - start
        if progress:
            progress(stats)

    with ExitStack() as stack:
        if report_fh:
            stack.enter_context(report_fh)
        for where, rec in records:
            if limit is not None and stats.read >= limit:
                break
            stats.read += 1
            if isinstance(rec, InputError):
                stats.bad += 1
                stats.errors.append(str(rec))
                if report_fh:
                    report_fh.write(f"{printable(rec)}\n")
                    report_fh.flush()
                continue
            for note in rec.problems:
                stats.notes.append(note)
                if report_fh:
                    report_fh.write(f"{printable(note)}\n")
                    report_fh.flush()
            batch.append((where, rec))
            if len(batch) >= batch_size:
                submit()
        submit()
        while analyser is not None and analyser.in_flight:
            write_next()
    stats.seconds = time.perf_counter() - start
    stats.tier = store.get_meta("tier")
    if progress:
        progress(stats)
    return stats


def _not_stored(batch: list[tuple[str, Article]], store: Store, in_flight: set[str],
                stats: IngestStats) -> list[tuple[str, Article]]:
    """The batch's records whose id is neither stored, nor in a batch on its way to the store, nor earlier in the
    batch; the others are counted as existing."""
    ids: list[str] = []
    for _, a in batch:
        assert a.id is not None  # Article.__post_init__ always sets an id
        ids.append(a.id)
    seen = store.existing_ids(ids) | in_flight
    fresh: list[tuple[str, Article]] = []
    for where, art in batch:
        assert art.id is not None  # Article.__post_init__ always sets an id
        if art.id in seen:
            stats.existing += 1
            continue
        seen.add(art.id)
        fresh.append((where, art))
    return fresh


def _write_batch(items: list[NewArticle], store: Store, embedder, stats: IngestStats) -> None:
    """Write one analysed batch; vectors of a model tier are computed here (the fast tier's came with the
    analyses). A batch whose every record was stored already writes nothing."""
    if not items:
        return
    if embedder is not None and any(it.vector is None for it in items):
        vecs = embedder.encode_articles([it.article for it in items])
        for it, v in zip(items, np.asarray(vecs, dtype=np.float32)):
            it.vector = v
    stats.added += store.add_batch(items, embedder.name if embedder is not None else None)
