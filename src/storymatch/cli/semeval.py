"""`storymatch eval semeval` and `storymatch train semeval`: measuring and fitting the
scorer on SemEval-2022 Task 8 pairs."""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Any, Iterator, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from storymatch.cli.app import eval_app, train_app
from storymatch.cli.common import console, err_console, fail, print_json
from storymatch.cli.progress import progress_bar


@contextlib.contextmanager
def _progress() -> Iterator[Progress]:
    """A progress bar on stderr, so `--json` output on stdout stays clean."""
    with progress_bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TimeRemainingColumn()) as prog:
        yield prog


def _step(prog: Progress, label: str, total: int):
    task = prog.add_task(label, total=total)
    return lambda n=1: prog.advance(task, n)


ENGLISH_LARGE_OPT = typer.Option(False, "--english-large",
                                 help="Add the large English model's headline cosine to English pairs, as "
                                      "`compare --english-large` does (the shipped scorer's refiner was fitted "
                                      "with it; or STORYMATCH_ENGLISH_LARGE=1).")


def _features(pairs, prog: Progress, english_large: bool = False) -> list[dict]:
    from storymatch.evaluation.pair_data import pair_feature_rows

    return pair_feature_rows(pairs, progress=_step(prog, "pair features", len(pairs)),
                             english_large=True if english_large else None)


def _baselines(pairs, prog: Progress) -> dict:
    from storymatch.embedding.base import MINILM, USE_MULTILINGUAL
    from storymatch.embedding.cache import cached_embedder
    from storymatch.evaluation.baselines import embedding_cosine, tfidf_cosine

    out = {"tfidf": tfidf_cosine(pairs)}
    for name in (MINILM, USE_MULTILINGUAL):
        out[f"{name} cosine"] = embedding_cosine(pairs, cached_embedder(name),
                                                 _step(prog, f"{name} baseline", len(pairs)))
    return out


@eval_app.command("semeval")
def eval_semeval(
    file: Path = typer.Argument(..., help="SemEval-2022 Task 8 pairs with texts: JSONL, "
                                          "or CSV (pair_id, lang1, lang2, title1, text1, ...)."),
    json_out: bool = typer.Option(False, "--json", help="Print the results as JSON."),
    scorer_path: Optional[str] = typer.Option(None, "--scorer", help="Scorer file (from `storymatch train semeval`), "
                                                                     "or 'rules'. Default: the shipped scorer."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Score only the first N pairs."),
    heldout: bool = typer.Option(False, "--heldout", help="Score only the pairs the scorer held out from its fit "
                                                          "(recorded in the scorer file)."),
    baselines: bool = typer.Option(True, "--baselines/--no-baselines", help="Compute the TF-IDF and embedding-cosine "
                                                                             "baselines on the same pairs."),
    english_large: bool = ENGLISH_LARGE_OPT,
) -> None:
    """Score every pair and report Pearson per dimension and language pair, the same-story verdict, and baselines."""
    from storymatch.evaluation.semeval import read_pairs
    from storymatch.evaluation.semeval_report import report
    from storymatch.scoring.shipped import load_scorer

    pairs = read_pairs(file, limit)
    scorer = load_scorer(scorer_path)
    if heldout:
        ids = set(getattr(scorer, "meta", {}).get("heldout_pair_ids") or [])
        if not ids:
            fail(f"{scorer_path or 'the shipped scorer'}: records no held-out pairs (it was fitted on everything)")
        pairs = [p for p in pairs if p.pair_id in ids]
        if not pairs:
            fail(f"{file}: none of the scorer's held-out pairs are in this file")
    with _progress() as prog:
        rows = _features(pairs, prog, english_large)
        tick = _step(prog, f"scoring ({scorer.name})", len(pairs))
        results = []
        for r in rows:
            results.append(scorer.score(r))
            tick()
        base = _baselines(pairs, prog) if baselines else {}
    out = report(pairs, [r.scores for r in results], [r.probability for r in results],
                 getattr(scorer, "threshold", 0.5), base)
    out = {"file": str(file), "scorer": scorer_path or scorer.name, **out}
    fitted = set((getattr(scorer, "meta", {}) or {}).get("fitted_pair_ids") or [])
    seen = sum(p.pair_id in fitted for p in pairs)
    if seen:
        out["note"] = (f"the scorer was fitted on {seen} of these {len(pairs)} pairs, so these figures are optimistic; "
                       "--heldout scores only the pairs it never saw")
    if json_out:
        print_json(out)
        return
    _print_report(out)


def _fmt(v) -> str:
    return "–" if v is None else f"{v:.3f}"


def _span(v) -> str:
    return "–" if not v else f"{v[0]:.2f}–{v[1]:.2f}"


def _print_report(out: dict) -> None:
    if out.get("note"):
        err_console.print(f"[yellow]note:[/yellow] {out['note']}")
    console.print(f"[bold]{out['pairs']}[/bold] pairs from {out['file']} · scorer: {out['scorer']} "
                  "[dim](Pearson, higher is better)[/dim]")
    dims = list(out["pearson"])
    t = Table(title="Pearson per dimension and language pair")
    t.add_column("pairs", no_wrap=True)
    t.add_column("n", justify="right")
    for d in dims:
        t.add_column(d, justify="right")
    for lp, sub in out["by_language"].items():
        t.add_row(lp, str(sub["pairs"]), *(_fmt(sub[d]) for d in dims))
    t.add_row("[bold]all[/bold]", str(out["pairs"]), *(f"[bold]{_fmt(out['pearson'][d])}[/bold]" for d in dims))
    console.print(t)
    spans = out["intervals"]["overall"]
    console.print(f"Overall, {out['intervals']['level']:.0%} bootstrap interval: " +
                  " · ".join(f"{lp} {_span(v)}" for lp, v in spans.items()))
    if out["baselines"]:
        langs = list(out["by_language"])
        b = Table(title="Overall: scorer vs baselines on the same pairs")
        b.add_column("method", no_wrap=True)
        for lp in langs + ["all"]:
            b.add_column(lp, justify="right")
        b.add_row("[bold]scorer[/bold]", *(_fmt(out["by_language"][lp]["overall"]) for lp in langs),
                  _fmt(out["pearson"]["overall"]))
        for name, v in out["baselines"].items():
            b.add_row(name, *(_fmt(v["by_language"].get(lp)) for lp in langs), _fmt(v["overall"]))
        console.print(b)
    s = out["same_story"]
    console.print(f"same story (gold Overall ≤ 2.0; {s['positives']} of {s['pairs']}): ROC-AUC {_fmt(s['roc_auc'])} · "
                  f"F1 at {s['threshold']} {_fmt(s['f1'])} · Brier {_fmt(s['brier'])}")


@train_app.command("semeval")
def train_semeval(
    file: Path = typer.Argument(..., help="Labelled SemEval-2022 Task 8 pairs with texts (JSONL or CSV)."),
    out: Path = typer.Option(..., "--out", help="Where to write the scorer file (gzipped JSON)."),
    holdout: float = typer.Option(0.2, "--holdout", min=0.0, max=0.9,
                                  help="Share of pairs (grouped by article) held out from the fit and scored "
                                       "at the end; 0 fits on all."),
    folds: int = typer.Option(5, "--folds", min=2, help="Grouped cross-validation folds."),
    seed: int = typer.Option(13, "--seed", help="Seed for the split, the folds and the trees."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="Use only the first N pairs."),
    json_out: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    english_large: bool = ENGLISH_LARGE_OPT,
    english_from: Optional[Path] = typer.Option(None, "--english-from", metavar="FILE",
                                                help="Keep this scorer file's model for pairs of two English "
                                                     "articles (their scores stay exactly as FILE gives them)."),
) -> None:
    """Fit the learned scorer (seven dimensions + calibrated same-story probability), reproducibly."""
    from storymatch.evaluation import training as st
    from storymatch.evaluation.semeval import read_pairs
    from storymatch.evaluation.semeval_report import report
    from storymatch.scoring.learned import LearnedScorer

    pairs = read_pairs(file, limit)
    if len(pairs) < 5 * folds:
        fail(f"{file}: {len(pairs)} pairs are too few to fit and cross-validate with {folds} folds")
    lacking = st.shortfall(pairs, holdout, folds, seed)
    if lacking:
        fail(f"{file}: {lacking}")
    with _progress() as prog:
        rows = _features(pairs, prog, english_large)
        train_idx, test_idx = st.split(pairs, holdout, seed)
        tr_pairs, tr_rows = [pairs[i] for i in train_idx], [rows[i] for i in train_idx]
        meta = {"trained_on": Path(file).name, "sha1": hashlib.sha1(Path(file).read_bytes()).hexdigest()[:12],
                "holdout": holdout, "heldout_pair_ids": [pairs[i].pair_id for i in test_idx],
                "fitted_pair_ids": [pairs[i].pair_id for i in train_idx]}
        scorer, cv = st.fit(tr_pairs, tr_rows, folds, seed, meta, _step(prog, "cross-validation folds", folds))
        if english_from:
            st.keep_english(scorer, LearnedScorer.load(english_from), str(english_from))
    result: dict[str, Any] = {"pairs": len(pairs), "fitted_on": len(train_idx), "cv": cv}
    if test_idx:
        te_pairs = [pairs[i] for i in test_idx]
        preds = scorer.score_many([rows[i] for i in test_idx])
        held = report(te_pairs, [p.scores for p in preds], [p.probability for p in preds], scorer.threshold)
        del held["baselines"]
        result["heldout"] = held
        scorer.meta["heldout"] = {"pairs": held["pairs"], "pearson": held["pearson"], "same_story": held["same_story"],
                                  "overall_by_language": {lp: v["overall"] for lp, v in held["by_language"].items()}}
    path = scorer.save(out)
    result["out"] = str(path)
    result["bytes"] = path.stat().st_size
    if json_out:
        print_json(result)
        return
    console.print(f"fitted on {len(train_idx)} of {len(pairs)} pairs · wrote {path} ({result['bytes'] / 1024:.0f} KiB)")
    spans = cv["overall_by_language_interval"]
    console.print("grouped CV Pearson (Overall, 95% bootstrap interval): " +
                  " · ".join(f"{lp} {_fmt(v)} ({_span(spans.get(lp))})" for lp, v in cv["overall_by_language"].items()))
    console.print("grouped CV Pearson per dimension: " + " · ".join(f"{d} {_fmt(v)}" for d, v in cv["pearson"].items()))
    if "heldout" in result:
        h = result["heldout"]
        console.print(f"held out ({h['pairs']} pairs, no shared article): Overall {_fmt(h['pearson']['overall'])} "
                      f"({_span(h['intervals']['overall'].get('all'))}) · " +
                      " · ".join(f"{lp} {_fmt(v['overall'])}" for lp, v in h["by_language"].items()) +
                      f" · same-story ROC-AUC {_fmt(h['same_story']['roc_auc'])}, F1 {_fmt(h['same_story']['f1'])}, "
                      f"Brier {_fmt(h['same_story']['brier'])}")
