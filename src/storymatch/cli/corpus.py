"""Corpus commands: ingest, search, trace, cluster, report over a store folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from storymatch.cli.app import app
from storymatch.cli.common import clip, console, err_console, fail, max_chars_option, plural, print_json
from storymatch.cli.progress import progress_bar, working
from storymatch.errors import printable

STORE_OPT = typer.Option(..., "--store", help="Store folder (created by ingest).")
PARAPHRASE_OPT = typer.Option(None, "--paraphrase-model",
                              help="Also find paraphrased sentences with this embedder (minilm, use-multilingual).")


def _align_params(paraphrase_model: str | None):
    from storymatch.alignment.types import AlignParams

    return AlignParams(paraphrase_model=paraphrase_model) if paraphrase_model else None


class RateColumn(ProgressColumn):
    """Articles per second, from the task's own speed estimate."""

    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} art/s" if speed else "– art/s", style="progress.data.speed")


def _open(store_dir: Path, create: bool = False):
    from storymatch.corpus.store import Store
    from storymatch.errors import StoreError

    try:
        return Store(store_dir, create=create)
    except StoreError as e:
        fail(str(e))


def _article_ref(store, ref: str, max_chars: int | None = None):
    """A stored article by id; or an article file, which is its stored copy when the store holds the
    same text (corpus.candidates.query_article), else a query ranked after everything stored (never stored)."""
    from storymatch.corpus.candidates import query_article
    from storymatch.errors import InputError
    from storymatch.inputs.files import load_article
    from storymatch.inputs.readers import _strip_suffixes

    found = store.get(ref)
    if found is not None:
        return found
    p = Path(ref)
    if p.exists():
        try:
            art = load_article(p, max_chars=max_chars)
        except InputError as e:
            fail(str(e))
        return query_article(store, art, _strip_suffixes(p.name))  # also the id ingest gives a loose file
    fail(f"{ref}: no article with this id in {store.folder}, and no such file")


@app.command()
def ingest(paths: list[Path] = typer.Argument(...,
                                              help="Files or folders: .txt/.json/.html, .jsonl, .csv, .gz of these."),
           store: Path = STORE_OPT,
           tier: Optional[str] = typer.Option(None, "--tier",
                                              help="Vector tier: fast (default), quality, lead, hybrid, none."),
           batch_size: int = typer.Option(256, "--batch-size", min=1, help="Articles written per transaction."),
           index: bool = typer.Option(True, "--index/--no-index",
                                      help="Bring the approximate vector index and the LSH key file up to date "
                                           "at the end (else each query builds what it needs)."),
           json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
           max_chars: Optional[int] = max_chars_option(),
           workers: Optional[int] = typer.Option(None, "--workers", min=1,
                                                 help="Processes analysing articles while this one writes "
                                                      "(default: STORYMATCH_WORKERS, else the cores up to 4; 1: none).")
           ) -> None:
    """Add articles to a store (created if absent); re-ingesting the same ids changes nothing.

    A bad record (a field of the wrong type, text over --max-chars, invalid JSON) is one line of the store's
    ingest report and is skipped; one with an unreadable date is stored without it and reported. The run
    exits 0 unless nothing at all could be read."""
    from storymatch.corpus.ingestion import ingest as run_ingest
    from storymatch.inputs.readers import count_records

    st = _open(store, create=True)
    with st, working("ingest") as spinner:
        total = count_records(paths)
        columns = [TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), RateColumn(), TimeElapsedColumn(),
                   TextColumn("ETA"), TimeRemainingColumn()]
        # the bar is drawn from the first stored batch on, so a store refused at once (another tier, another
        # schema) is one error line and no bar; until then the spinner says what is loading
        bar = progress_bar(*columns) if not json_out else None
        task = bar.add_task("ingest", total=total) if bar else None

        def on_progress(stats) -> None:
            if bar is None or task is None:
                return
            if not bar.live.is_started:
                spinner.stop()
                bar.start()
            bar.update(task, completed=min(stats.read, total) if total else stats.read)

        try:
            stats = run_ingest(paths, st, tier=tier, batch_size=batch_size, progress=on_progress,
                               build_index=False, max_chars=max_chars, workers=workers)
        except KeyboardInterrupt:
            if bar:
                bar.stop()
            fail(f"interrupted; the store holds {plural(st.count(), 'article')}, every batch whole. "
                 "Run the same command again to resume.", code=130)
        finally:
            if bar:
                bar.stop()
            spinner.stop()
        if index and stats.added:
            from storymatch.corpus.ingestion import refresh_indexes

            with working("extending the indexes"):
                refresh_indexes(st)
        summary = {"store": str(store), "read": stats.read, "added": stats.added, "existing": stats.existing,
                   "bad": stats.bad, "dates_dropped": len(stats.notes), "articles": st.count(), "tier": stats.tier,
                   "seconds": round(stats.seconds, 2), "rate": round(stats.rate, 1), "report": str(st.report_path)}
    if json_out:
        print_json(summary)
    else:
        console.print(f"{stats.added:,} added, {stats.existing:,} already stored, {stats.bad:,} bad "
                      f"({stats.rate:,.0f} records/s); the store has {plural(summary['articles'], 'article')}.",
                      highlight=False)
        if stats.bad:
            for line in stats.errors[:5]:
                err_console.print(f"  skipped {printable(line)}", highlight=False, markup=False, soft_wrap=True)
            more = f" ({stats.bad - 5} more)" if stats.bad > 5 else ""
            err_console.print(f"{plural(stats.bad, 'bad record')}{more}: see {st.report_path}", highlight=False,
                              markup=False)
        if stats.notes:
            for line in stats.notes[:5]:
                err_console.print(f"  stored {printable(line)}", highlight=False, markup=False, soft_wrap=True)
            more = f" ({len(stats.notes) - 5} more)" if len(stats.notes) > 5 else ""
            err_console.print(f"{plural(len(stats.notes), 'record')} stored without an unreadable date{more}: "
                              f"see {st.report_path}", highlight=False, markup=False)
    if stats.bad and not stats.added and not stats.existing:
        raise typer.Exit(2)


def _described(article: dict[str, Any]) -> str:
    """"seed-a (aggregator, 2017-05-19)", leaving out what is not known rather than leaving gaps."""
    extra = ", ".join(str(x) for x in (article.get("source"), article.get("date")) if x)
    return f"{article.get('id')} ({extra})" if extra else str(article.get("id"))


@app.command("cluster")
def cluster_cmd(store: Path = STORE_OPT, json_out: bool = typer.Option(False, "--json", help="Print JSON."),
                threshold: Optional[float] = typer.Option(None, "--threshold", min=0.0, max=1.0,
                                                          help="Least average same-story probability (the "
                                                               "verifier's, 0 to 1) for an article to join a "
                                                               "story (default: the verifier's own threshold)."),
                window_days: Optional[float] = typer.Option(None, "--window-days", min=0.0,
                                                            help="Days a story stays open "
                                                                 "(default 7; 0: no window).")) -> None:
    """Group the store's articles into stories, in publication order, as a stream would."""
    from storymatch.corpus.clusterer import params_for
    from storymatch.corpus.stories import cluster

    with _open(store) as st, working("cluster"):
        params = None
        if threshold is not None or window_days is not None:
            extra = {} if window_days is None else {"window_days": window_days or None}
            params = params_for(st.get_meta("tier"), threshold=threshold, **extra)
        stories = cluster(st, params)
    if json_out:
        print_json({"stories": [s.to_dict() for s in stories]})
        return
    multi = [s for s in stories if s.size > 1]
    console.print(f"{plural(len(stories), 'story', 'stories')}, {len(multi):,} with more than one article.",
                  highlight=False)
    for s in sorted(multi, key=lambda s: -s.size)[:20]:
        console.print(f"  {s.id}  {plural(s.size, 'article'):>12}  first: {s.first}", highlight=False, markup=False)


@app.command("trace")
def trace_cmd(article: str = typer.Argument(..., help="A stored article id, or an article file."),
              store: Path = STORE_OPT, paraphrase_model: Optional[str] = PARAPHRASE_OPT,
              json_out: bool = typer.Option(False, "--json", help="Print JSON."),
              max_chars: Optional[int] = max_chars_option()) -> None:
    """For every sentence, the earlier articles it was taken from (verbatim, spun, paraphrased) or none."""
    from storymatch.corpus.provenance import trace

    with _open(store) as st, working("trace"):
        result = trace(st, _article_ref(st, article, max_chars), params=_align_params(paraphrase_model))
    if json_out:
        print_json(result.to_dict())
        return
    console.print(Text.assemble((_described(result.article), "bold"),
                                f": {result.attributed:,} of {plural(len(result.sentences), 'sentence')} taken from "
                                f"earlier articles ({plural(result.candidates, 'earlier candidate')} aligned)"))
    t = Table(box=None, show_header=False, padding=(0, 1, 0, 0), pad_edge=False)
    t.add_column(no_wrap=True, style="green")
    t.add_column(no_wrap=True, justify="right")
    t.add_column(overflow="fold")
    for s in result.sentences:
        t.add_row("<-" if s.sources else "", f"[{s.index + 1}]", Text(s.text))
        for m in s.sources:
            swaps = "; ".join(f"{b} -> {a}" for b, a in m.substitutions)
            t.add_row("", "", Text(f"  {m.kind} {m.similarity:.2f} from "
                                   f"{_described({'id': m.id, 'source': m.source, 'date': m.date or 'undated'})}"
                                   + (f"  swaps: {swaps}" if swaps else ""), style="cyan"))
    console.print(t)
    console.print(Text("<- : a sentence found in an earlier article (listed under it, oldest first)", style="dim"))


# What the search table's relation column says, explained once under it; another value is shown as it is.
RELATIONS = {
    "source": "an earlier article that QUERY took text from",
    "reuser": "a later article that took text from QUERY",
    "same story": "tells QUERY's story without sharing its text",
    "related": "a candidate that is neither",
}


@app.command("search")
def search_cmd(article: str = typer.Argument(..., help="A stored article id, or an article file."),
               store: Path = STORE_OPT,
               limit: int = typer.Option(10, "--limit", min=1, help="Most related articles shown."),
               full: bool = typer.Option(False, "--full",
                                         help="Compare each hit in full: its SemEval scores (the overall column) "
                                              "and evidence in --json. Embeds every sentence of both articles, "
                                              "about a second a hit the first time; kept in the store after."),
               model: Optional[str] = typer.Option(None, "--model",
                                                   help="Embedding backend for --full: minilm, "
                                                        "use-multilingual, or a sentence-transformers model "
                                                        "name/path. Default: chosen from the languages."),
               backend: Optional[str] = typer.Option(None, "--backend", hidden=True,
                                                     help="Old name of --model, kept for one release."),
               json_out: bool = typer.Option(False, "--json", help="Print JSON."),
               max_chars: Optional[int] = max_chars_option()) -> None:
    """The stored articles telling the same story as ARTICLE and those sharing its text, ranked."""
    from storymatch.corpus.related import search

    with _open(store) as st, working("search"):
        query = _article_ref(st, article, max_chars)
        hits = search(st, query, limit=limit, backend=model or backend, full=full)
    results = [h.to_dict() for h in hits]
    if json_out:
        print_json({"article": query.article.summary(), "results": results})
        return
    render_hits(query.article.id or article, results)
    if results and any(r.get("scores") is None for r in results):
        console.print(Text("SemEval scores (overall) are shown for hits compared in full: add --full, or open a hit "
                           f"with `storymatch compare {query.article.id or 'QUERY'} HIT --store {store}`.",
                           style="dim"))


def render_hits(query_id: str, results: list[dict[str, Any]]) -> None:
    """The search results as a table with labelled columns, explained once under it.

    Read from each hit's `to_dict()` and shown as far as it goes: a field a hit lacks is left blank, and a
    column (such as the store story a hit belongs to) appears when the hits carry it.
    """
    console.print(Text.assemble((query_id, "bold"), f": {plural(len(results), 'related article')}, best first"))
    if not results:
        return
    with_story = any(r.get("story") for r in results)
    ids = [str(r.get("id") or (r.get("article") or {}).get("id") or "") for r in results]
    stories = [_story_id(r.get("story")) for r in results]
    # fixed widths, so that at 80 columns each hit is one line: the title takes what is left, or is left out
    with_overall = any((r.get("scores") or {}).get("overall") is not None for r in results)
    widths = {"#": len(str(len(results))), "article": min(24, max(7, *map(len, ids))), "date": 10, "relation": 10,
              "story": min(16, max(5, *map(len, stories))) if with_story else 0, "p(same)": 7,
              "overall": 7 if with_overall else 0, "shared": 6}
    widths = {k: v for k, v in widths.items() if v}
    room = console.width - sum(widths.values()) - len(widths)
    t = Table(box=None, padding=(0, 1, 0, 0), pad_edge=False, header_style="bold")
    for name, width in widths.items():
        t.add_column(name, width=width, no_wrap=True, overflow="ellipsis",
                     justify="right" if name in ("#", "p(same)", "overall", "shared") else "left")
    if room >= 10:
        t.add_column("title", width=room, no_wrap=True, overflow="ellipsis")
    for rank, (r, hit_id, story) in enumerate(zip(results, ids, stories), 1):
        art = r.get("article") or {}
        reuse = r.get("reuse") or {}
        row = [str(rank), hit_id, art.get("date") or "undated", str(r.get("relation") or "")]
        if with_story:
            row.append(story)
        row.append(_num(r.get("probability")))
        if with_overall:
            row.append(_num((r.get("scores") or {}).get("overall")))
        row.append(_share(reuse.get("coverage_query")))
        if room >= 10:
            row.append(art.get("title") or art.get("source") or "")
        t.add_row(*(escape(x) for x in row))
    console.print(t, highlight=False)
    shown = [rel for rel in RELATIONS if any(r.get("relation") == rel for r in results)]
    notes = [
        "Ranked by the higher of p(same) and the share of either text that the two share.",
        "p(same): probability that it tells the same story (calibrated in steps, so articles can share a value); "
        + ("overall: SemEval-2022 similarity, 1 = very similar … 4 = very dissimilar; " if with_overall else "")
        + f"shared: share of {query_id}'s text also found in it.",
        "relation: " + "; ".join(f"{rel} = {RELATIONS[rel].replace('QUERY', query_id)}" for rel in shown) + ".",
    ]
    if not shown:
        notes.pop()
    if with_story:  # the store's story ids mean nothing until said what they are
        own = next((story for r, story in zip(results, stories) if r.get("same_story") and story), None)
        notes.append("story: the story the store's clustering put it in (`storymatch cluster`), named after that "
                     "story's first article" + (f"; {own} is {query_id}'s story." if own else "."))
    for note in notes:
        console.print(Text(note, style="dim"))
    for r, hit_id in zip(results, ids):
        if r.get("story_reason"):  # in the query's story though the pair alone falls short: say how
            console.print(Text(f"{hit_id}: {r['story_reason']} (the pair alone: p(same) {_num(r.get('probability'))})",
                               style="dim"))


def _story_id(story: Any) -> str:
    if isinstance(story, dict):
        return str(story.get("id") or "")
    return str(story or "")


def _num(x: Any) -> str:
    return f"{x:.2f}" if isinstance(x, (int, float)) else ""


def _share(x: Any) -> str:
    return f"{x:.0%}" if isinstance(x, (int, float)) else ""


@app.command("report")
def report_cmd(store: Path = STORE_OPT, json_out: bool = typer.Option(False, "--json", help="Print JSON."),
               csv_out: Optional[Path] = typer.Option(None, "--csv",
                                                      help="Write the reuse graph's edges to this CSV file."),
               top: int = typer.Option(20, "--top", min=1, help="Most-reused passages to list."),
               paraphrase_model: Optional[str] = PARAPHRASE_OPT) -> None:
    """Corpus-wide reuse: per story who published first, who reused whom and how much."""
    from storymatch.corpus.reuse_report import report

    with _open(store) as st:
        with progress_bar(TextColumn("report"), BarColumn(), MofNCompleteColumn(), RateColumn(),
                          TimeRemainingColumn()) as bar:
            task = bar.add_task("report", total=st.count())
            rep = report(st, top_passages=top, params=_align_params(paraphrase_model),
                         progress=lambda k: bar.advance(task, k))
    if csv_out:
        try:
            rep.write_csv(csv_out)
        except OSError as err:
            fail(f"{csv_out}: cannot write ({err.strerror})")
    if json_out:
        print_json(rep.to_dict())
        return
    console.print(f"{plural(rep.articles, 'article')}, {plural(len(rep.edges), 'reuse edge')}, "
                  f"{plural(len(rep.stories), 'story', 'stories')} with more than one article.", highlight=False)
    if rep.edges:
        t = Table(box=None, padding=(0, 1, 0, 0), header_style="bold")
        for name in ("source", "", "reuser", "sentences", "characters", "share"):
            t.add_column(name, justify="right" if name in ("sentences", "characters", "share") else "left",
                         overflow="fold")
        for e in rep.edges[:top]:
            t.add_row(e.source, "->", e.reuser, f"{e.sentences:,}", f"{e.chars:,}", f"{e.share:.0%}")
        console.print(t, highlight=False)
        console.print(Text("source -> reuser: the reuser took text from the earlier source; sentences and characters: "
                           "how much of the reuser's text came from it; share: that much of the reuser's whole text.",
                           style="dim"))
    if rep.passages:
        console.print("Most-reused passages: how many later articles took each, and where it is in its source "
                      "(characters from the start of the text):")
    for p in rep.passages[:top]:
        head = (f"  reused by {plural(len(p.reusers), 'article')} · {p.source}, characters {p.start:,}–{p.end:,}: ")
        console.print(Text(head + clip(p.text, max(30, console.width - len(head)))))


@app.command("check")
def check_cmd(store: Path = typer.Option(..., "--store", help="Store folder to check."),
              json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Check a store: its SQLite file, meta rows, vector file and indexes. Exit 1 when it is damaged."""
    from storymatch.corpus.integrity import check_store

    with working("check"):
        found = check_store(store)
    if json_out:
        print_json(found.to_dict())
    else:
        for problem in found.problems:
            err_console.print(printable(f"{store}: {problem}"), highlight=False, markup=False, soft_wrap=True)
        for note in found.notes:
            console.print(printable(f"{store}: note: {note}"), highlight=False, markup=False, soft_wrap=True)
        if found.sound:
            console.print(f"store {store} is sound ({plural(found.articles or 0, 'article')})", highlight=False,
                          markup=False)
        elif found.repairable:
            err_console.print(f"store {store} is damaged ({plural(len(found.problems), 'problem')}): "
                              f"`storymatch repair --store {store}` rebuilds what is derived from its texts",
                              highlight=False, markup=False, soft_wrap=True)
        elif found.foreign:
            err_console.print(f"{store} holds no storymatch store: nothing to check or repair", highlight=False,
                              markup=False)
        else:
            err_console.print(f"store {store} cannot be repaired from itself: ingest the source files into a new "
                              "store", highlight=False, markup=False, soft_wrap=True)
    if not found.sound:
        raise typer.Exit(1)


@app.command("repair")
def repair_cmd(store: Path = typer.Option(..., "--store", help="Store folder to repair."),
               tier: Optional[str] = typer.Option(None, "--tier",
                                                  help="The store's vector tier, when its meta no longer says."),
               json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON.")) -> None:
    """Rebuild a store's derived files (vectors, LSH and vector indexes, caches) from its stored texts."""
    from storymatch.corpus.integrity import repair_store
    from storymatch.errors import StoreError

    try:
        with working("repair"):
            done = repair_store(store, tier=tier)
    except StoreError as e:
        fail(str(e))
    if json_out:
        print_json(done.to_dict())
        return
    what = f"{plural(done.articles, 'article')}: {plural(done.vectors, 'vector')} ({done.tier or 'no tier'}), " \
           f"{done.lsh_keys:,} LSH keys"
    fixed = f"; fixed: {'; '.join(done.fixed)}" if done.fixed else "; nothing was wrong"
    console.print(f"store {store} repaired in {done.seconds:.1f} s, {what}{fixed}", highlight=False, markup=False,
                  soft_wrap=True)
