"""Translated patchworks: scattered translated sentences found, independent reports of the same events not claimed.

    python benchmarks/translated_patchworks.py [--json out.json] [--languages de,fr,es,ru]

Data (`benchmarks/patchwork_data.py`, `benchmarks/data/translated_patchworks/`): for 19 news events, in German,
French, Spanish and Russian, a patchwork of three non-adjacent sentences of an English article translated by hand
and two sentences written in the language, and an independently written report of the same event; the English
articles are read from ../shared. Pairs, each aligned as `storymatch align TEXT ENGLISH` would (languages detected):

- patchwork / its English source: each translated sentence should be found, paired with its original
  (recall); a passage over a sentence written in the language is a false claim;
- independent report / the English source, independent report / another outlet's English report of the event,
  patchwork / that other report: no passage is a translation; a pair with one is a false claim (the target: at most
  2% of these pairs).

Settings of the translation level (`alignment/translation.py`: the cosine alone, the anchored cosine and how many
anchors it needs, the chain cosines, the run's best and second pairs; the chain's least length, the margin and the
length drift of a run standing alone are fixed in the grid) are chosen on one fold of events and
reported on the other (two folds: the events sorted by name, alternately), by the highest recall among settings
claiming at most 2% of the fold's negative pairs (`choose`). Each fold's figures are those of the setting chosen on
the other. With `--contiguous FOLDER` (benchmarks/multilingual_sets.py's translation-de-en.jsonl and
independent-de-en.jsonl, folded as benchmarks/translation_threshold.py folds them) a setting must also claim at
most 2% of their independent pairs, and their plagdet breaks ties. The same run measures the level before this
work (a cosine of 0.8 alone or a run of neighbours from 0.45 whose best pair reaches 0.6; the new rules off) as the
baseline, and the shipped setting on all events (in-sample for its chosen values). `--grid REPORT` reads the grid of
an earlier run's report instead of measuring it again (about 30 minutes on 2 shared cores; a report made before a
change of the rules or of the grid's knobs is not one to reuse).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import patchwork_data as data  # noqa: E402
from storymatch.alignment import translation  # noqa: E402
from storymatch.alignment.aligner import align  # noqa: E402
from storymatch.alignment.types import AlignParams  # noqa: E402
from storymatch.embedding.registry import get_embedder  # noqa: E402
from storymatch.evaluation import pan, plagdet  # noqa: E402
from storymatch.inputs.article import Article  # noqa: E402
from translation_threshold import CachingEmbedder  # noqa: E402  (one memory of encoded texts for every setting)

MAX_CLAIMS = 0.02  # the target: translation passages on at most 2% of the pairs without translated text
KNOBS = ("threshold", "anchored_cosine", "anchored_shared", "chain_cosine", "chain_bare_cosine", "run_anchor",
         "run_second", "chain_min", "run_margin", "run_length_drift")
GRID = {
    "threshold": (0.8,),
    "anchored_cosine": (0.73, 0.76, 0.78),
    "anchored_shared": (2, 3),
    "chain_cosine": (0.6, 0.65, 0.7),
    "chain_bare_cosine": (0.65, 0.7, 0.75),
    "run_anchor": (0.6, 0.65, 0.7),
    "run_second": (0.45, 0.55, 0.6),
    # fixed, from the statistics of what a translation keeps (translation.py says which): not searched
    "chain_min": (3,),
    "run_margin": (0.15,),
    "run_length_drift": (0.5,),
}
# The level before this work: a cosine of 0.8 alone, or a run of neighbours from 0.45 whose best pair reaches 0.6
# (no chains; a run standing alone needs no margin and no steady length ratio: a mutual best's margin is >= 0).
BEFORE = {"threshold": 0.8, "anchored_cosine": 9.0, "anchored_shared": 99, "chain_cosine": 9.0,
          "chain_bare_cosine": 9.0, "run_anchor": 0.6, "run_second": 0.45, "chain_min": 2, "run_margin": 0.0,
          "run_length_drift": 99.0}
MODULE_KNOBS = {"anchored_cosine": "ANCHORED_COSINE", "anchored_shared": "ANCHORED_SHARED",
                "chain_cosine": "CHAIN_COSINE", "chain_bare_cosine": "CHAIN_BARE_COSINE", "run_anchor": "RUN_ANCHOR",
                "run_second": "RUN_SECOND", "chain_min": "CHAIN_MIN", "run_margin": "RUN_MARGIN",
                "run_length_drift": "RUN_LENGTH_DRIFT"}


def shipped() -> dict:
    return {"threshold": AlignParams().translation_threshold,
            **{k: getattr(translation, name) for k, name in MODULE_KNOBS.items()}}


_ARTICLES: dict[str, Article] = {}


def _article(text: str) -> Article:
    """One Article a text, so its language is told once for every setting (align keeps it on the Article)."""
    if text not in _ARTICLES:
        _ARTICLES[text] = Article(text)
    return _ARTICLES[text]


def passages(pairs: list, setting: dict) -> list[list[tuple[int, int, int, int]]]:
    """The translation passages of every pair (data.Pair, or pan.PanPair) under a setting, as (a_start, a_end,
    b_start, b_end)."""
    saved = shipped()
    for k, name in MODULE_KNOBS.items():
        setattr(translation, name, setting[k])
    params = AlignParams(translation_threshold=setting["threshold"])
    try:
        out = []
        for p in pairs:
            a, b = (p.text, p.english) if isinstance(p, data.Pair) else (p.susp, p.src)
            result = align(_article(a), _article(b), params)
            out.append([(x.a_start, x.a_end, x.b_start, x.b_end) for x in result.passages if x.kind == "translation"])
        return out
    finally:
        for k, name in MODULE_KNOBS.items():
            setattr(translation, name, saved[k])


def contiguous(trans: list, indep: list, found_t: list, found_i: list) -> dict:
    """The contiguous-translation sets (benchmarks/multilingual_sets.py): plagdet of the translated runs, and the
    share of independent same-story SemEval de-en pairs with a translation passage."""
    scored = [(p.cases, [pan.Case(x[0], x[1] - x[0], x[2], x[3] - x[2]) for x in f])
              for p, f in zip(trans, found_t) if p.cases]
    neg = [f for p, f in zip(trans, found_t) if not p.cases]
    m = plagdet.plagdet([c for c, _ in scored], [d for _, d in scored])
    return {"plagdet": round(m.plagdet, 4), "precision": round(m.precision, 4), "recall": round(m.recall, 4),
            "granularity": round(m.granularity, 4), "negatives_claimed": sum(1 for f in neg if f),
            "negatives": len(neg), "independent_claimed": sum(1 for f in found_i if f), "independent": len(found_i)}


def _covers(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """At least half of [start, end) lies inside the spans."""
    inside = sum(max(0, min(e, end) - max(s, start)) for s, e in spans)
    return inside >= 0.5 * (end - start)


def measure(pairs: list[data.Pair], found: list[list[tuple[int, int, int, int]]]) -> dict:
    """Per language and over all: recall of translated sentences, own sentences claimed, negative pairs claimed."""
    acc: dict[str, dict] = defaultdict(lambda: {"translated": 0, "found": 0, "own": 0, "own_claimed": 0,
                                                "negative_pairs": 0, "negative_claimed": 0, "draft_pairs": 0,
                                                "draft_claimed": 0})
    for p, f in zip(pairs, found):
        for key in (p.language, "all"):
            a = acc[key]
            if p.kind == "patchwork":
                for t in p.translated:
                    a["translated"] += 1
                    a["found"] += any(_covers([(x[0], x[1])], t.start, t.end) and
                                      _covers([(x[2], x[3])], t.src_start, t.src_end) for x in f)
                for s, e in p.own:
                    a["own"] += 1
                    a["own_claimed"] += _covers([(x[0], x[1]) for x in f], s, e)
            elif p.kind == "independent-draft":  # measured apart: free translations of a kind (patchwork_data)
                a["draft_pairs"] += 1
                a["draft_claimed"] += bool(f)
            else:
                a["negative_pairs"] += 1
                a["negative_claimed"] += bool(f)
    return {key: _rates(a) for key, a in acc.items()}


COUNTS = ("translated", "found", "own", "own_claimed", "negative_pairs", "negative_claimed", "draft_pairs",
          "draft_claimed")


def _rates(t: dict) -> dict:
    return {**t, "recall": round(t["found"] / max(t["translated"], 1), 4),
            "claimed_share": round(t["negative_claimed"] / max(t["negative_pairs"], 1), 4)}


def merge(parts: list[dict]) -> dict:
    """Figures of disjoint parts (folds) added up per language; contiguous plagdet averaged over the parts."""
    out: dict = {}
    for m in parts:
        for lang, v in m.items():
            if lang == "contiguous":
                continue
            t = out.setdefault(lang, dict.fromkeys(COUNTS, 0))
            for key in COUNTS:
                t[key] += v[key]
    merged = {lang: _rates(t) for lang, t in out.items()}
    if all("contiguous" in m for m in parts):
        merged["contiguous"] = merge_contiguous([m["contiguous"] for m in parts])
    return merged


def merge_contiguous(parts: list) -> dict:
    out = {k: round(float(np.mean([p[k] for p in parts])), 4) for k in ("plagdet", "precision", "recall",
                                                                         "granularity")}
    for k in ("negatives_claimed", "negatives", "independent_claimed", "independent"):
        out[k] = sum(p[k] for p in parts)
    return out


def choose(results: list[tuple[dict, dict]]) -> tuple[dict, dict]:
    """The setting with the highest recall among those claiming at most MAX_CLAIMS of the negative pairs (and, with
    the contiguous sets, of their independent pairs); ties go to the higher contiguous plagdet, then to fewer
    claims. When no setting claims so little, the one claiming fewest.

    The contiguous plagdet is an aim here, not a bound (the level before is measured beside it): with the run rule
    of issue 24 alone (a best pair of 0.7 and a second of 0.55) no setting kept it without claiming translations on
    the independent reports; a run standing alone now needs a margin and a steady length ratio instead
    (docs/EVALUATION.md)."""
    def fits(m: dict) -> bool:
        c = m.get("contiguous")
        return (m["all"]["claimed_share"] <= MAX_CLAIMS
                and (c is None or c["independent_claimed"] <= MAX_CLAIMS * c["independent"]))

    def key(r: tuple[dict, dict]) -> tuple:
        m = r[1]
        return (m["all"]["recall"], m.get("contiguous", {}).get("plagdet", 0.0), -m["all"]["negative_claimed"],
                -m["all"]["own_claimed"])

    ok = [r for r in results if fits(r[1])]
    if ok:
        return max(ok, key=key)
    return min(results, key=lambda r: (r[1]["all"]["negative_claimed"], -r[1]["all"]["recall"]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", type=Path)
    ap.add_argument("--languages", default=",".join(data.LANGUAGES))
    ap.add_argument("--grid", type=Path, help="a --json report of an earlier run: its grid is read, not measured again")
    ap.add_argument("--contiguous", type=Path,
                    help="folder of benchmarks/multilingual_sets.py's translation-de-en.jsonl and "
                         "independent-de-en.jsonl, held to their level before")
    args = ap.parse_args()
    if not data.available():
        sys.exit(f"{data.SHARED}: the shared data this benchmark reads is not there")
    start = time.perf_counter()
    pairs = data.load(tuple(args.languages.split(",")))
    cached = CachingEmbedder(get_embedder("use-multilingual"))
    translation.get_embedder = lambda name=None: cached  # type: ignore[assignment]
    events = sorted({p.event for p in pairs})
    fold_of = {e: k % 2 for k, e in enumerate(events)}
    folds = [[p for p in pairs if fold_of[p.event] == k] for k in (0, 1)]
    trans: list = []
    indep: list = []
    if args.contiguous:
        trans = list(pan.read_jsonl(args.contiguous / "translation-de-en.jsonl"))
        indep = list(pan.read_jsonl(args.contiguous / "independent-de-en.jsonl"))
    # the contiguous sets' folds as benchmarks/translation_threshold.py makes them (by newstest chunk, by pair)
    cfolds = [([p for p in trans if p.meta["chunk"] % 2 == k], [p for i, p in enumerate(indep) if i % 2 == k])
              for k in (0, 1)]

    def grade(fold: int, setting: dict) -> dict:
        m = measure(folds[fold], passages(folds[fold], setting))
        if trans:
            t, i = cfolds[fold]
            m["contiguous"] = contiguous(t, i, passages(t, setting), passages(i, setting))
        return m

    settings = [dict(zip(KNOBS, values)) for values in itertools.product(*(GRID[k] for k in KNOBS))]
    settings = [s for s in settings if s["chain_cosine"] <= s["chain_bare_cosine"]
                and s["anchored_cosine"] < s["threshold"] and s["run_second"] <= s["run_anchor"]]
    report: dict = {"pairs": len(pairs), "settings": len(settings), "held_out": []}
    graded: dict[int, list[tuple[dict, dict]]] = {0: [], 1: []}
    if args.grid:
        for g in json.loads(args.grid.read_text())["grid"]:
            graded[0].append((g["setting"], g["fold0"]))
            graded[1].append((g["setting"], g["fold1"]))
    for n, st in enumerate(settings if not args.grid else []):
        for k in (0, 1):
            graded[k].append((st, grade(k, st)))
        if n % 50 == 0:
            print(f"{n} of {len(settings)} settings, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    report["settings"] = len(graded[0])
    for k in (0, 1):
        chosen, _ = choose(graded[k])
        other = next(m for st, m in graded[1 - k] if st == chosen)
        report["held_out"].append({"chosen_on_fold": k, "setting": chosen, "reported_on_fold": 1 - k,
                                   "before_on_reported_fold": grade(1 - k, BEFORE), **other})
    # the setting to ship: the same choice on both folds' events together (in-sample for its values)
    merged = [(st, merge([m0, m1])) for (st, m0), (_, m1) in zip(graded[0], graded[1])]
    report["chosen_on_all"] = choose(merged)[0]
    report["grid"] = [{"setting": st, "fold0": m0, "fold1": m1} for (st, m0), (_, m1) in zip(graded[0], graded[1])]
    if args.json:  # the grid before anything else, so a failure below loses no hour of work
        args.json.write_text(json.dumps(report, indent=2))
    # each fold's figures from the setting chosen on the other fold, added up per language
    report["held_out_pooled"] = merge([{k: v for k, v in h.items() if isinstance(v, dict) and "found" in v}
                                       for h in report["held_out"]])
    if trans:
        report["held_out_pooled"]["contiguous"] = merge_contiguous([h["contiguous"] for h in report["held_out"]])
        report["held_out_pooled"]["contiguous_before"] = merge_contiguous(
            [h["before_on_reported_fold"]["contiguous"] for h in report["held_out"]])
    report["before"] = measure(pairs, passages(pairs, BEFORE))
    report["shipped"] = {"setting": shipped(), **measure(pairs, passages(pairs, shipped()))}
    if trans:
        report["before"]["contiguous"] = contiguous(trans, indep, passages(trans, BEFORE), passages(indep, BEFORE))
        report["shipped"]["contiguous"] = contiguous(trans, indep, passages(trans, shipped()),
                                                     passages(indep, shipped()))
    report["seconds"] = round(time.perf_counter() - start, 1)
    for name in ("held_out_pooled", "before", "shipped"):
        print(name)
        for lang, v in report[name].items():
            if isinstance(v, dict) and "found" in v:
                print(f"  {lang:4} recall {v['recall']:.3f} ({v['found']}/{v['translated']})  own sentences claimed "
                      f"{v['own_claimed']}/{v['own']}  negative pairs claimed {v['negative_claimed']}/"
                      f"{v['negative_pairs']} ({v['claimed_share']:.1%}); first drafts in the source's order "
                      f"claimed {v['draft_claimed']}/{v['draft_pairs']}")
        for key in ("contiguous", "contiguous_before"):
            if key in report[name]:
                print(f"  {key}: {json.dumps(report[name][key])}")
    print(f"chosen on all events: {json.dumps(report['chosen_on_all'])}")
    for h in report["held_out"]:
        print(f"chosen on fold {h['chosen_on_fold']}: {json.dumps(h['setting'])}")
        if "contiguous" in h:
            print(f"  reported on fold {h['reported_on_fold']}, contiguous: {json.dumps(h['contiguous'])}; before: "
                  f"{json.dumps(h['before_on_reported_fold']['contiguous'])}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
