"""Spark job 3: a unit vector per article in one embedding tier, as Parquet (id, vector)."""

from __future__ import annotations

import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

from storymatch.embedding.base import MINILM, USE_MULTILINGUAL
from storymatch.embedding.registry import choose_backend
from storymatch.embedding.tiers import FAST, TIER_NAMES, get_tier
from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.spark.records import read_corpus, row_article


@lru_cache(maxsize=4)
def _tier(name: str):
    """One tier object (and its model) per worker process."""
    return get_tier(name)


def _embed_partition(rows: Iterable, tier: str, batch: int = 256) -> Iterator[tuple[str, list[float]]]:
    buf: list[Article] = []

    def flush():
        vecs = _tier(tier).encode_articles(buf)
        out = [(a.id, [float(v) for v in row]) for a, row in zip(buf, vecs)]
        buf.clear()
        return out

    for row in rows:
        buf.append(row_article(row))
        if len(buf) >= batch:
            yield from flush()
    if buf:
        yield from flush()


def embed_corpus(spark, input_jsonl: str | Path, out: str | Path, *, tier: str = "fast",
                 partitions: int | None = None) -> dict[str, Any]:
    """A unit vector per article (id, vector) in the named tier, as Parquet at `out`.

    The tier is resolved once on the driver (the model tiers pick their embedder from
    the corpus's languages), so every partition writes vectors of one space.
    """
    t0 = time.perf_counter()
    articles, _, errors, parsed = read_corpus(spark, str(input_jsonl), partitions, None)
    try:
        name = tier
        if tier.partition(":")[0] not in (*TIER_NAMES, MINILM, USE_MULTILINGUAL):
            raise InputError("tier", f"unknown tier {tier!r} (choose from: {', '.join(TIER_NAMES)})")
        if tier in TIER_NAMES and tier != FAST:  # a model tier's embedder follows the languages: choose it once
            langs = [r["language"] for r in articles.select("language").distinct().collect()]
            name = f"{tier}:{choose_backend(langs)}"
        rows = articles.rdd.mapPartitions(lambda it: _embed_partition(it, name))
        spark.createDataFrame(rows, "id string, vector array<float>").write.parquet(str(out))
        n, bad = articles.count(), errors.count()
    finally:
        articles.unpersist()
        parsed.unpersist()
    return {"articles": n, "bad": bad, "tier": name, "seconds": round(time.perf_counter() - t0, 3)}
