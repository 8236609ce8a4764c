"""Spark job: the stories of a corpus too large for one machine — the stories `storymatch cluster` makes.

The clusterer (corpus/clusterer.py) reads a stream in date order; what it does for one article depends on earlier
decisions only through the stories the article links to. So the work splits:

1. views (executors): each article as the verifier sees it (`spark.story_tasks.make_views`, as a store keeps it);
2. stream order (executors, one small collect of a date per partition): the clusterer's order (date, then input
   order; an undated record takes the date of the record before it) and each article's place in it;
3. text candidates (JVM): articles sharing sentence LSH band keys (the keys `spark reuse` uses), within the window;
4. candidates and verification (executors): the articles are dealt into time blocks, one per day of the stream with
   the window before it (the rows the clusterer's scan holds for that day); in each block, every article of the day
   gets the clusterer's own candidates (`story_candidates.window_candidates`) and the verifier's probability for each;
5. story decision (executors): the connected components of the links at the verdict's threshold
   (`spark.components`, never collected) hold whole stories, since an article joins only a story it links to at the
   threshold; each component is decided by the clusterer in stream order (`StoryClusterer.add_verified`);
6. writing: every article's story, one record per story, the reuse inside each story (aligned as `spark reuse`
   aligns), the bad records, a summary, and the state the next run starts from.

Where this differs from one machine: nowhere by design. Cosines are computed by the same functions on the same
float16 vectors; the only difference left is floating point in the BLAS calls (a block's matrix is not the scan's),
which can swap two candidates whose cosines agree to seven digits; the tests and `benchmarks/spark.py --stories`
compare the two (B-cubed F1 between them).

Limits: a time block (one day and its window) and a connected component must each fit one executor; a day larger
than `block_size` articles is split into several blocks that each carry the whole window. A corpus without dates has
no window: it is one block, which is where one machine's limit is too.

Incremental runs (`previous=`): the new records are placed after the previous run's articles, in stream order among
themselves, as `StoryClusterer.load` and `add` would place them on one machine; the previous articles' candidates
and verdicts are not made again, and their stories change only when a new article merges two of them.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from storymatch import __version__
from storymatch.corpus.clusterer import ClusterParams
from storymatch.errors import InputError
from storymatch.features.lsh import MAX_BUCKET, LSHParams
from storymatch.scoring.story_view import is_mixed
from storymatch.scoring.verifier import Verifier, shipped_verifier
from storymatch.spark.components import connected_components
from storymatch.spark.output import write_records
from storymatch.spark.records import read_corpus, row_article
from storymatch.spark.reuse import PAIR_SCHEMA, align_pair
from storymatch.spark.story_tasks import Arriving, Member, Placed, block_candidates, decide_component, dump, load
from storymatch.spark.story_tasks import make_views as _make_views

STATE_FORMAT = "storymatch-spark-stories/1"
BLOCK_SIZE = 20_000  # articles of one day decided in one task; a larger day is split, each part with its window
UNDATED = -(10 ** 9)  # the stream day of records before the first dated one: no window reaches them


@dataclass
class StoriesRun:
    """What a `stories` run did; also written to OUT/summary.json."""

    input: str
    out: str
    previous: str | None = None
    records: int = 0
    articles: int = 0  # articles placed by this run (distinct ids, new ones in an incremental run)
    total_articles: int = 0  # all the stories' articles, the previous run's included
    bad: int = 0
    duplicates: int = 0  # records whose id came earlier (in this input or the previous run): the first one wins
    undated: int = 0
    stories: int = 0
    multi_article_stories: int = 0
    candidate_pairs: int = 0
    links: int = 0  # candidate pairs at the verdict's threshold or above
    components: int = 0
    largest_component: int = 0
    reuse_edges: int = 0
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


def stories(spark, input_path: str | Path, out_dir: str | Path, *, previous: str | Path | None = None,
            partitions: int | None = None, params: ClusterParams | None = None, verifier: Verifier | None = None,
            lsh: LSHParams | None = None, fmt: str = "jsonl", max_bucket: int = MAX_BUCKET,
            block_size: int = BLOCK_SIZE) -> StoriesRun:
    """The stories of a passim-style JSONL or Parquet corpus, written to `out_dir` (see the module docstring):
    OUT/articles (id, story, date, language, where, stream), OUT/stories (id, first, articles in time order, size,
    languages, first_date, last_date), OUT/reuse (aligned reuse pairs inside each story: `spark reuse`'s records
    with their story), OUT/bad, OUT/summary.json and OUT/state (what `previous=OUT` reads to add the next day).

    The output is written beside OUT and moved into place at the end, so an interrupted run leaves no OUT, and a
    rerun into the same OUT starts afresh.
    """
    if fmt not in ("jsonl", "parquet"):
        raise InputError("format", f"unknown output format {fmt!r} (jsonl or parquet)")
    params = params or ClusterParams()
    verifier = verifier or shipped_verifier()
    threshold = params.threshold if params.threshold is not None else verifier.threshold
    lsh = lsh or LSHParams()
    out = Path(out_dir)
    work = out.with_name(out.name + ".partial")
    if work.exists():
        shutil.rmtree(work)  # what an interrupted run left: nothing of it was ever OUT
    prev = Path(previous) if previous else None
    state = _read_state(prev, params, lsh) if prev else None
    run = StoriesRun(input=str(input_path), out=str(out), previous=str(prev) if prev else None)
    t0 = time.perf_counter()
    clock = _Clock(run)

    from pyspark.sql import functions as F  # pyspark only inside Spark jobs

    sc = spark.sparkContext
    parallelism = partitions or sc.defaultParallelism
    articles, keys, errors, parsed = read_corpus(spark, str(input_path), partitions, lsh)
    old = old_keys = None
    if prev is not None:
        old = spark.read.parquet(str(prev / "state" / "views")).persist()
        old_keys = spark.read.parquet(str(prev / "state" / "keys"))
        articles = articles.join(old.select("id"), "id", "left_anti")  # the first in the stream wins, as in ingest
    articles = articles.persist()
    languages = sorted({r[0] for r in articles.select("language").distinct().collect() if r[0]}
                       | set(state["languages"] if state else []))
    mixed = is_mixed(list(languages))
    if old is not None and state is not None and mixed and not state["mixed"]:
        old = _remix(spark, old, lsh).persist()  # the English views need their multilingual headlines now
    clock("read")

    # 1-2. views and the stream order: (id, sidx, day, payload)
    # kept: sortBy counts and samples its input for the range partitions before it sorts it, which ran the sentence
    # models three times over (the views stage took 392 s of a 536 s run on 10,000 articles before)
    views = articles.rdd.mapPartitions(lambda rows: _views(rows, mixed, lsh)).persist()
    latest = state["latest"] if state else None
    ordered = _stream_order(views, state["next_sidx"] if state else 0, latest).persist()
    run.articles = ordered.count()
    run.undated = ordered.filter(lambda r: r[4]).count()
    views.unpersist()
    new = spark.createDataFrame(ordered.map(lambda r: (r[0], r[1], r[2], bytearray(r[3]))),
                                "id string, sidx long, day long, payload binary").persist()
    clock("views")

    # 3. text candidates, from sentence band keys within the window
    window = params.window_days
    key_rows = keys.join(new.select("id", "sidx", "day"), "id").select("key", "id", "sent", "sidx", "day")
    all_keys = key_rows if old_keys is None else key_rows.unionByName(old_keys)
    text = _text_candidates(all_keys.select("key", "id", "sidx", "day").distinct(), window, params.text_candidates,
                            max_bucket, new.select("id"))
    clock("text candidates")

    # 4. time blocks: candidates and verdicts
    day_of = F.col("day") if window is not None else F.lit(0)  # no window: the whole corpus is one day
    by_day = {r["d"]: (r["n"], r["first"]) for r in new.groupBy(day_of.alias("d")).agg(
        F.count("*").alias("n"), F.min("sidx").alias("first")).collect()}
    members = ordered.map(lambda r: (r[0], (r[1], r[2], r[3], True)))
    if old is not None and by_day:
        earliest = min(d for d in by_day if d != UNDATED) if any(d != UNDATED for d in by_day) else UNDATED
        reach = old if window is None else old.where((F.col("day") >= earliest - math.floor(window))
                                                     | (F.col("day") == UNDATED))
        members = members.union(reach.rdd.map(lambda r: (r["id"], (r["sidx"], r["day"], bytes(r["payload"]),
                                                                   False))))
    text_of = text.rdd.map(lambda r: (r["x"], list(r["ys"])))
    blocks = (members.leftOuterJoin(text_of)
              .flatMap(lambda kv: _to_blocks(kv, by_day, window, block_size))
              .groupByKey(numPartitions=max(1, min(2 * len(by_day), 4 * parallelism))))
    timings = sc.accumulator({}, _dict_sum())
    found = blocks.flatMap(lambda kv: _block(kv[1], params, verifier, timings)).persist()
    pairs = found.filter(lambda r: r[0] == "pair").map(lambda r: r[1]).persist()
    run.candidate_pairs = pairs.count()
    clock("candidates and verification")
    run.stages.update({f"{k} (task seconds)": round(v, 2) for k, v in timings.value.items()})

    # 5. components of the links at the threshold, and the story decision in each
    graph = pairs.filter(lambda r: r[4] >= threshold).map(lambda r: (r[1], r[3]))
    run.links = graph.count()
    if old is not None:
        # an old article brings its whole story: its members are what a new article is judged against
        story_node = old.select("story").distinct().rdd.map(lambda r: r[0]).zipWithIndex().map(
            lambda kv: (kv[0], -1 - kv[1]))
        graph = graph.union(old.rdd.map(lambda r: (r["story"], r["sidx"])).join(story_node).values())
    component = connected_components(graph).persist()
    decided = _decide(ordered, old, component, found, params, verifier).persist()
    sizes = component.filter(lambda kv: kv[0] >= 0).map(lambda kv: (kv[1], 1)).reduceByKey(lambda a, b: a + b)
    run.components = sizes.count()
    run.largest_component = sizes.values().max() if run.components else 0
    clock("story decision")

    # 6. writing
    story_of = spark.createDataFrame(decided, "id string, story string, links string, joined double")
    if old is not None:  # stories no new article touched stay as they were
        story_of = story_of.unionByName(old.join(story_of.select("id"), "id", "left_anti")
                                        .select("id", "story", "links", "joined"))
    story_of = story_of.persist()
    table = _table(new, articles, old, story_of).persist()
    counts = _write(spark, work, fmt, table, all_keys, new, prev, state, errors, max_bucket)
    run.total_articles, run.stories, run.multi_article_stories, run.reuse_edges = counts
    _write_state(work, table, all_keys, state, languages, mixed, params, lsh, fmt, ordered, run)
    run.records = parsed.count()
    run.bad = errors.count()
    run.duplicates = run.records - run.bad - run.articles
    clock("writing")
    for cached in (ordered, pairs, found, component, decided):
        cached.unpersist()
    for frame in (articles, new, story_of, table, *([old] if old is not None else [])):
        frame.unpersist()
    parsed.unpersist()
    run.seconds = round(time.perf_counter() - t0, 3)
    (work / "summary.json").write_text(json.dumps(asdict(run), indent=2) + "\n", encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    os.replace(work, out)
    return run


class _Clock:
    """Seconds of each stage of a run, into run.stages (each stage ends with an action, so its time is its own)."""

    def __init__(self, run: StoriesRun) -> None:
        self.run, self.last = run, time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.run.stages[stage] = round(now - self.last, 2)
        self.last = now


def _dict_sum():
    """An accumulator of seconds by name, summed over tasks."""
    from pyspark.accumulators import AccumulatorParam  # pyspark only inside Spark jobs

    class DictSum(AccumulatorParam):
        def zero(self, value):
            return {}

        def addInPlace(self, a, b):
            for k, v in b.items():
                a[k] = a.get(k, 0.0) + v
            return a

    return DictSum()


def _views(rows, mixed: bool, lsh: LSHParams, batch: int = 256):
    """(id, pos, date ordinal or None, pickled view) for a partition's article rows, in batches."""
    chunk: list = []
    for row in rows:
        chunk.append((row["pos"], row_article(row)))
        if len(chunk) >= batch:
            yield from _view_rows(chunk, mixed, lsh)
            chunk = []
    if chunk:
        yield from _view_rows(chunk, mixed, lsh)


def _view_rows(chunk, mixed: bool, lsh: LSHParams):
    made = _make_views([a for _, a in chunk], mixed, lsh)
    for (pos, art), view in zip(chunk, made):
        yield art.id, pos, art.date.toordinal() if art.date else None, dump(view)


def _stream_order(views, offset: int, latest: int | None):
    """(id, stream index, stream day, payload, undated) in the clusterer's order.

    Dated records sort by date, an undated one after the record before it in the input (`stream_order`), ties in
    input order. An undated record is placed at the latest date seen before it (`StoryClusterer.stream_date`): the
    date of the last dated record before it in the input, and never before the previous run's latest (`latest`);
    before any date at all, UNDATED. The last date of each partition is collected (one number a partition) so that
    each partition starts from the date the ones before it end with.
    """
    by_pos = views.sortBy(lambda v: v[1]).persist()
    lasts = dict(by_pos.mapPartitionsWithIndex(lambda i, rows: [(i, _last_date(rows))]).collect())
    carry: dict[int, int | None] = {}
    current: int | None = None
    for i in sorted(lasts):
        carry[i] = current
        current = lasts[i] if lasts[i] is not None else current

    def place(i, rows):
        last = carry.get(i)
        for art_id, pos, date, payload in rows:
            if date is not None:
                last = date
            sort_day = last if last is not None else UNDATED
            day = date if date is not None else max(x for x in (last, latest, UNDATED) if x is not None)
            yield (sort_day, pos), (art_id, day, payload, date is None)

    ordered = by_pos.mapPartitionsWithIndex(place).sortByKey().zipWithIndex()
    return ordered.map(lambda kv: (kv[0][1][0], offset + kv[1], kv[0][1][1], kv[0][1][2], kv[0][1][3]))


def _last_date(rows) -> int | None:
    last = None
    for _, _, date, _ in rows:
        if date is not None:
            last = date
    return last


def _text_candidates(key_rows, window: float | None, k: int, max_bucket: int, targets):
    """DataFrame (x, ys): for each new article, the stream indices of the `k` earlier articles within its window
    that share the most of its sentence band keys (ties: the earlier first), a key counting only while at most
    `max_bucket` earlier articles hold it, as the clusterer counts."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F  # pyspark only inside Spark jobs

    ranked = key_rows.withColumn("rn", F.row_number().over(Window.partitionBy("key").orderBy("sidx")) - 1)
    live = ranked.where(F.col("rn") <= max_bucket)
    x = live.join(targets, "id").alias("x")
    y = live.alias("y")
    cond = (F.col("x.key") == F.col("y.key")) & (F.col("y.rn") < F.col("x.rn"))
    if window is not None:
        cond = cond & ((F.abs(F.col("x.day") - F.col("y.day")) <= window) | (F.col("x.day") == UNDATED)
                       | (F.col("y.day") == UNDATED))
    counts = (x.join(y, cond).groupBy(F.col("x.id").alias("x"), F.col("y.sidx").alias("y"))
              .agg(F.count("*").alias("n")))
    top = counts.withColumn("r", F.row_number().over(Window.partitionBy("x").orderBy(F.desc("n"), "y")))
    return top.where(F.col("r") <= k).groupBy("x").agg(F.collect_list("y").alias("ys"))


def _to_blocks(kv, by_day: dict[int, tuple[int, int]], window: float | None, block_size: int):
    """The time blocks an article belongs to: as a target, the part of its own day it falls in (a day is cut
    into parts of `block_size` articles by stream index); as a window member, every part of every day its window
    reaches (every day when there is no window, where `by_day` has one day, 0, or when it precedes every date)."""
    _, ((sidx, day, payload, new), text) = kv
    day = day if window is not None else 0
    for d, (n, first) in by_day.items():
        if window is not None and day != UNDATED and not 0 <= d - day <= math.floor(window):
            continue
        parts = max(1, math.ceil(n / block_size))
        own = (sidx - first) // block_size if new and d == day else -1
        for part in range(parts):
            yield (d, part), (sidx, payload, part == own, text or [])


def _block(rows, params: ClusterParams, verifier: Verifier, timings):
    """One time block's candidates and verdicts."""
    members = [Member(sidx, load(payload), target, list(text)) for sidx, payload, target, text in rows]
    spent: dict[str, float] = {}
    yield from block_candidates(members, params, verifier, spent)
    timings.add(spent)


def _decide(ordered, old, component, found, params: ClusterParams, verifier: Verifier):
    """(id, story, links as JSON, joining mean) of every article of every component with a new article, decided per
    component."""
    known = found.filter(lambda r: r[0] == "pair").map(lambda r: (r[1][1], (r[1][2], r[1][4]))).groupByKey()
    best = found.filter(lambda r: r[0] == "best").map(lambda r: r[1])
    new_rows = (ordered.map(lambda r: (r[1], (r[0], r[3]))).leftOuterJoin(known).leftOuterJoin(best)
                .map(lambda kv: (kv[0], ("new", kv[1][0][0][0], kv[1][0][0][1], list(kv[1][0][1] or []),
                                         kv[1][1]))))
    rows = new_rows
    if old is not None:
        rows = rows.union(old.rdd.map(lambda r: (r["sidx"], ("old", r["id"], bytes(r["payload"]), r["story"],
                                                               r["links"], r["joined"]))))
    labelled = rows.leftOuterJoin(component).map(lambda kv: (kv[1][1] if kv[1][1] is not None else kv[0],
                                                             (kv[0], kv[1][0])))
    return labelled.groupByKey().flatMap(lambda kv: _component(kv[1], params, verifier))


def _component(rows, params: ClusterParams, verifier: Verifier):
    placed, arriving = [], []
    for sidx, row in rows:
        if row[0] == "old":
            _, _, payload, story, links, joined = row
            placed.append(Placed(sidx, load(payload), story, [(b, float(p)) for b, p in json.loads(links or "[]")],
                                 float("nan") if joined is None else float(joined)))
        else:
            _, _, payload, known, best = row
            arriving.append(Arriving(sidx, load(payload), {b: float(p) for b, p in known},
                                     float(best) if best is not None else float("nan")))
    if not arriving:
        return  # a story no new article reaches: it stays as the previous run left it
    for art_id, story, links, joined in decide_component(placed, arriving, params, verifier):
        yield art_id, story, json.dumps([[b, p] for b, p in links]), None if math.isnan(joined) else joined


def _table(new, articles, old, story_of):
    """Every article with its place, view, record, language and story (the previous run's articles included)."""
    cols = ["id", "sidx", "day", "payload", "pos", "where", "line", "language"]
    rows = new.join(articles.select("id", "pos", "where", "line", "language"), "id").select(*cols)
    if old is not None:
        rows = rows.unionByName(old.select(*cols))
    return rows.join(story_of, "id")


def _remix(spark, old, lsh: LSHParams):
    """The previous run's views made again with both sentence models' headlines (the corpus now mixes languages)."""
    def again(rows):
        rows = list(rows)
        made = _make_views([row_article(r) for r in rows], True, lsh) if rows else []
        for r, view in zip(rows, made):
            d = r.asDict()
            d["payload"] = bytearray(dump(view))
            yield d
    return spark.createDataFrame(old.rdd.mapPartitions(again), old.schema)


def _read_state(previous: Path, params: ClusterParams, lsh: LSHParams) -> dict[str, Any]:
    meta_path = previous / "state" / "meta.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(str(previous), "not the output of `storymatch spark stories` (no state/meta.json)") from None
    if meta.get("format") != STATE_FORMAT:
        raise InputError(str(previous), f"state of another format ({meta.get('format')!r}, not {STATE_FORMAT})")
    if meta.get("params") != asdict(params) or meta.get("lsh") != asdict(lsh):
        raise InputError(str(previous), "made with other clustering or LSH settings; give the same ones")
    return meta


def _write(spark, work: Path, fmt: str, table, all_keys, new, prev: Path | None, state, errors, max_bucket: int):
    """OUT/articles, OUT/stories, OUT/reuse, OUT/bad; returns (articles, stories, multi-article stories, reuse)."""
    from pyspark.sql import functions as F  # pyspark only inside Spark jobs

    from storymatch.spark.reuse import candidate_pairs

    rows = table.rdd.map(lambda r: (r["id"], r["sidx"], r["story"], r["language"], r["where"],
                                    _iso(row_article(r).date))).persist()
    write_records(spark, rows.map(lambda r: {"id": r[0], "story": r[2], "date": r[5], "language": r[3],
                                             "where": r[4], "stream": r[1]}),
                  work / "articles", fmt,
                  "id string, story string, date string, language string, where string, stream long")
    per_story = (rows.map(lambda r: (r[2], (r[1], r[0], r[3], r[5]))).groupByKey()
                 .map(lambda kv: _story_record(kv[0], sorted(kv[1])))).persist()
    write_records(spark, per_story, work / "stories", fmt,
                  "id string, first string, articles array<string>, size long, languages array<string>, "
                  "first_date string, last_date string")
    # reuse inside each story: the band-key pairs `spark reuse` finds, aligned as it aligns them; in an
    # incremental run only pairs with a new article are aligned, the previous run's are carried over
    cands = candidate_pairs(all_keys.select("key", "id", "sent"), max_bucket=max_bucket)
    if prev is not None:
        fresh = new.select(F.col("id").alias("n"))
        cands = cands.join(fresh, (F.col("x") == F.col("n")) | (F.col("y") == F.col("n")), "left_semi")
    story = table.select("id", "story")
    same = (cands.join(story.select(F.col("id").alias("x"), F.col("story").alias("sx")), "x")
            .join(story.select(F.col("id").alias("y"), F.col("story").alias("sy")), "y")
            .where(F.col("sx") == F.col("sy")))
    positioned = table.select("id", F.col("sidx").alias("pos"), "where", "line", "language")
    cols = [F.struct(*[F.col(f"{s}.{c}").alias(c) for c in ("pos", "where", "line", "language")]).alias(s)
            for s in ("ax", "ay")]
    joined = (same.join(positioned.alias("ax"), F.col("x") == F.col("ax.id"))
              .join(positioned.alias("ay"), F.col("y") == F.col("ay.id"))
              .select(*cols, "shared", F.col("sx").alias("story")))
    reuse = joined.rdd.flatMap(lambda r: [{**rec, "story": r["story"]} for rec in
                                          [align_pair(r["ax"], r["ay"], r["shared"])] if rec])
    if prev is not None:
        earlier = (spark.read.parquet(str(prev / "reuse")) if state and state.get("output") == "parquet" else
                   spark.read.schema(PAIR_SCHEMA + ", story string").json(str(prev / "reuse")))
        relabel = earlier.drop("story").join(story.select(F.col("id").alias("a_id"), "story"), "a_id")
        reuse = reuse.union(relabel.rdd.map(lambda r: r.asDict(recursive=True)))
    reuse = reuse.persist()
    write_records(spark, reuse, work / "reuse", fmt, PAIR_SCHEMA + ", story string")
    errors.saveAsTextFile(str(work / "bad"))
    counts = (rows.count(), per_story.count(), per_story.filter(lambda s: s["size"] > 1).count(), reuse.count())
    for cached in (rows, per_story, reuse):
        cached.unpersist()
    return counts


def _story_record(story: str, members: list) -> dict[str, Any]:
    """One story: its articles in stream (time) order, the first giving its id."""
    ids = [m[1] for m in members]
    dates = sorted(m[3] for m in members if m[3])
    return {"id": story, "first": ids[0], "articles": ids, "size": len(ids),
            "languages": sorted({m[2] for m in members if m[2]}),
            "first_date": dates[0] if dates else None, "last_date": dates[-1] if dates else None}


def _iso(d) -> str | None:
    return d.isoformat() if d else None


def _write_state(work: Path, table, all_keys, state, languages: list[str], mixed: bool, params: ClusterParams,
                 lsh: LSHParams, fmt: str, ordered, run: StoriesRun) -> None:
    """OUT/state: every article's view, place, record and story (views), its band keys (keys), and meta.json."""
    table.write.parquet(str(work / "state" / "views"))
    all_keys.select("key", "id", "sent", "sidx", "day").write.parquet(str(work / "state" / "keys"))
    dated = ordered.filter(lambda r: not r[4]).map(lambda r: r[2])
    days = [d for d in (state["latest"] if state else None, None if dated.isEmpty() else dated.max())
            if d is not None]
    meta = {"format": STATE_FORMAT, "version": __version__, "params": asdict(params), "lsh": asdict(lsh),
            "languages": languages, "mixed": mixed, "latest": max(days) if days else None, "output": fmt,
            "next_sidx": (state["next_sidx"] if state else 0) + run.articles}
    (work / "state" / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
