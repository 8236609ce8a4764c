"""Corpus commands: ingest, search, trace, cluster, report over a store folder."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from storymatch.cli.app import app
from storymatch.cli.common import console, err_console, fail, print_json

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


def _article_ref(store, ref: str):
    """A stored article by id; or an article file, which is its stored copy when the store holds the
    same text under its id or file name, else a query ranked after everything stored (never stored)."""
    from storymatch.errors import InputError
    from storymatch.inputs.files import load_article
    from storymatch.inputs.readers import _strip_suffixes

    found = store.get(ref)
    if found is not None:
        return found
    p = Path(ref)
    if p.exists():
        try:
            art = load_article(p)
        except InputError as e:
            fail(str(e))
        return store.as_query(art, _strip_suffixes(p.name))  # also under the id ingest gives a loose file
    fail(f"{ref}: no article with this id in {store.folder}, and no such file")


@app.command()
def ingest(paths: list[Path] = typer.Argument(...,
                                              help="Files or folders: .txt/.json/.html, .jsonl, .csv, .gz of these."),
           store: Path = STORE_OPT,
           tier: Optional[str] = typer.Option(None, "--tier",
                                              help="Vector tier: fast (default), quality, lead, hybrid, none."),
           batch_size: int = typer.Option(256, "--batch-size", min=1, help="Articles written per transaction."),
           index: bool = typer.Option(True, "--index/--no-index",
                                      help="Extend the approximate vector index at the end "
                                           "(else the first query does)."),
           json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON.")) -> None:
    """Add articles to a store (created if absent); re-ingesting the same ids changes nothing."""
    from storymatch.corpus.ingestion import ingest as run_ingest
    from storymatch.inputs.readers import count_records

    st = _open(store, create=True)
    with st:
        total = count_records(paths)
        columns = [TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), RateColumn(), TimeElapsedColumn(),
                   TextColumn("ETA"), TimeRemainingColumn()]
        with Progress(*columns, console=err_console, transient=json_out, disable=json_out) as bar:
            task = bar.add_task("ingest", total=total)

            def on_progress(stats) -> None:
                bar.update(task, completed=min(stats.read, total) if total else stats.read)

            try:
                stats = run_ingest(paths, st, tier=tier, batch_size=batch_size, progress=on_progress,
                                   build_index=False)
            except KeyboardInterrupt:
                bar.stop()
                fail(f"interrupted; the store holds {st.count()} articles, every batch whole. "
                     "Run the same command again to resume.", code=130)
            bar.update(task, completed=total)
        if index and stats.added:
            from storymatch.corpus.ingestion import refresh_vector_index

            if json_out:
                refresh_vector_index(st)
            else:
                with err_console.status("extending the approximate vector index"):
                    refresh_vector_index(st)
        summary = {"store": str(store), "read": stats.read, "added": stats.added, "existing": stats.existing,
                   "bad": stats.bad, "articles": st.count(), "tier": stats.tier, "seconds": round(stats.seconds, 2),
                   "rate": round(stats.rate, 1), "report": str(st.report_path)}
    if json_out:
        print_json(summary)
    else:
        console.print(f"{stats.added} added, {stats.existing} already stored, {stats.bad} bad "
                      f"({stats.rate:,.0f} records/s); store has {summary['articles']} articles.", highlight=False)
        if stats.bad:
            for line in stats.errors[:5]:
                err_console.print(f"  skipped {line}", highlight=False, markup=False)
            more = f" ({stats.bad - 5} more)" if stats.bad > 5 else ""
            err_console.print(f"{stats.bad} bad records{more}: see {st.report_path}", highlight=False)
    if stats.bad and not stats.added and not stats.existing:
        raise typer.Exit(2)


@app.command("cluster")
def cluster_cmd(store: Path = STORE_OPT, json_out: bool = typer.Option(False, "--json", help="Print JSON."),
                threshold: Optional[float] = typer.Option(None, "--threshold", min=-1.0, max=1.0,
                                                          help="Cosine to join a story (default: the tier's)."),
                window_days: Optional[float] = typer.Option(None, "--window-days", min=0.0,
                                                            help="Days a story stays open "
                                                                 "(default 7; 0: no window).")) -> None:
    """Group the store's articles into stories, in publication order, as a stream would."""
    from storymatch.corpus.clusterer import params_for
    from storymatch.corpus.stories import cluster

    with _open(store) as st:
        params = None
        if threshold is not None or window_days is not None:
            extra = {} if window_days is None else {"window_days": window_days or None}
            params = params_for(st.get_meta("tier"), threshold=threshold, **extra)
        stories = cluster(st, params)
    if json_out:
        print_json({"stories": [s.to_dict() for s in stories]})
        return
    multi = [s for s in stories if s.size > 1]
    console.print(f"{len(stories)} stories, {len(multi)} with more than one article.", highlight=False)
    for s in sorted(multi, key=lambda s: -s.size)[:20]:
        console.print(f"  {s.id}  {s.size:>4}  first: {s.first}", highlight=False)


@app.command("trace")
def trace_cmd(article: str = typer.Argument(..., help="A stored article id, or an article file."),
              store: Path = STORE_OPT, paraphrase_model: Optional[str] = PARAPHRASE_OPT,
              json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """For every sentence, the earlier articles it was taken from (verbatim, spun, paraphrased) or none."""
    from storymatch.corpus.provenance import trace

    with _open(store) as st:
        result = trace(st, _article_ref(st, article), params=_align_params(paraphrase_model))
    if json_out:
        print_json(result.to_dict())
        return
    a = result.article
    console.print(f"[bold]{a['id']}[/bold] {a.get('source') or ''} {a.get('date') or ''}: "
                  f"{result.attributed} of {len(result.sentences)} sentences taken from earlier articles "
                  f"({result.candidates} candidates aligned)", highlight=False)
    for s in result.sentences:
        console.print(Text.assemble((("<- " if s.sources else "   "), "green"), f"[{s.index + 1}] {s.text}"))
        for m in s.sources:
            swaps = "; ".join(f"{b} -> {a}" for b, a in m.substitutions)
            console.print(Text(f"      {m.kind} {m.similarity:.2f} from {m.id} "
                               f"({m.source or '?'}, {m.date or 'undated'})"
                               + (f"  swaps: {swaps}" if swaps else ""), style="cyan"))


@app.command("search")
def search_cmd(article: str = typer.Argument(..., help="A stored article id, or an article file."),
               store: Path = STORE_OPT,
               limit: int = typer.Option(10, "--limit", min=1, help="Articles compared in full."),
               backend: Optional[str] = typer.Option(None, "--backend", help="Embedding backend for compare."),
               json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The stored articles telling the same story as ARTICLE and those sharing its text, ranked."""
    from storymatch.corpus.related import search

    with _open(store) as st:
        query = _article_ref(st, article)
        hits = search(st, query, limit=limit, backend=backend)
    if json_out:
        print_json({"article": query.article.summary(), "results": [h.to_dict() for h in hits]})
        return
    console.print(f"[bold]{query.article.id}[/bold]: {len(hits)} related articles", highlight=False)
    for h in hits:
        d = h.to_dict()
        a = d["article"]
        console.print(Text(f"{d['score']:.2f}  {a['id']}  {h.relation:<10}  p(same)={d['probability']:.2f}  "
                           f"overall={d['scores']['overall']:.1f}  reused {d['reuse']['coverage_query']:.0%} of query"
                           f"  ({a.get('source') or '?'}, {a.get('date') or 'undated'})  {a.get('title') or ''}"))


@app.command("report")
def report_cmd(store: Path = STORE_OPT, json_out: bool = typer.Option(False, "--json", help="Print JSON."),
               csv_out: Optional[Path] = typer.Option(None, "--csv",
                                                      help="Write the reuse graph's edges to this CSV file."),
               top: int = typer.Option(20, "--top", min=1, help="Most-reused passages to list."),
               paraphrase_model: Optional[str] = PARAPHRASE_OPT) -> None:
    """Corpus-wide reuse: per story who published first, who reused whom and how much."""
    from storymatch.corpus.reuse_report import report

    with _open(store) as st:
        with Progress(TextColumn("report"), BarColumn(), MofNCompleteColumn(), RateColumn(), TimeRemainingColumn(),
                      console=err_console, transient=True) as bar:
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
    console.print(f"{rep.articles} articles, {len(rep.edges)} reuse edges, {len(rep.stories)} stories with "
                  "more than one article.", highlight=False)
    for e in rep.edges[:top]:
        console.print(Text(f"  {e.source} -> {e.reuser}: {e.sentences} sentences, {e.chars} chars "
                           f"({e.share:.0%} of {e.reuser})"))
    if rep.passages:
        console.print("Most-reused passages:")
    for p in rep.passages[:top]:
        console.print(Text(f"  {len(p.reusers)}x  {p.source}[{p.start}:{p.end}]  {p.text[:100]}"))
