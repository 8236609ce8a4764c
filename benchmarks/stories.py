"""Story clustering, leave one data set out: storymatch's verified clustering against TF-IDF + average linkage.

    python benchmarks/stories.py [--sets basil basil_excerpts uci_newsagg_head googlenews_ts] [--json]
    python benchmarks/stories.py --within [--folds 3]       # held-out stories of each set, 3 folds grouped by story
    python benchmarks/stories.py --fit src/storymatch/models/verifier.json.gz    # the shipped verifier, all sets

For each labelled set of ../shared/clustering in turn, the same-story verifier is fitted on the other sets' pairs
and the SemEval-2022 pairs (evaluation/verifier_training.py), and the held-out set is clustered with it (the
clusterer's defaults, nothing tuned on the held-out set). Each set's stories are dealt into three folds
(`story_folds`); the clusterer's settings were chosen on fold 1 of every set under this same protocol (the verifier
fitted without the set), so the figures are those of folds 2 and 3, clustered together (`--all-stories`: every
story, fold 1 included). The baseline is the textbook one: TF-IDF vectors (fitted
on the held-out texts, unsupervised) and average-linkage agglomerative clustering on cosine distance, its one
threshold chosen on the other clustering sets (the best mean B-cubed F1 there), then applied to the held-out set.
Both run in this process on the same articles; B-cubed precision, recall and F1 are printed for each.

`--within` holds out stories rather than sets: each set's stories are split into folds, and each fold is clustered
with a verifier fitted on everything else (the other folds, the other sets, SemEval), the baseline's threshold chosen
on the set's other folds. That measures new events of a known kind of text; leaving a whole set out measures a kind
of text the verifier never saw (headlines only, say).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SETS = ("basil", "basil_excerpts", "uci_newsagg_head", "googlenews_ts")
THRESHOLDS = np.round(np.arange(0.30, 0.96, 0.025), 3)


EXCERPT_WORDS = 50
"""basil_excerpts: each BASIL article cut to its first paragraphs, up to the first that brings it to this many words
(the opening an aggregator shows), built at run time. It shares BASIL's stories, so holding one out holds out both."""


def family(name: str) -> str:
    return "basil" if name == "basil_excerpts" else name


def excerpt(text: str, words: int = EXCERPT_WORDS) -> str:
    kept: list[str] = []
    for para in (p for p in text.split("\n") if p.strip()):
        kept.append(para.strip())
        if sum(len(k.split()) for k in kept) >= words:
            break
    return "\n".join(kept)


def story_folds(name: str, gold: list[str], folds: int = 3) -> list[int]:
    """The fold of each article: its story's, stories dealt at random into `folds` (the same for every run, per set)."""
    stories = sorted(set(gold))
    rng = np.random.default_rng(zlib.crc32(family(name).encode()))
    fold_of = dict(zip(stories, rng.permutation(len(stories)) % folds))
    return [int(fold_of[g]) for g in gold]


def load_set(name: str):
    from dataclasses import replace

    from storymatch.evaluation.story_clustering import read_labelled

    located, gold = read_labelled(SHARED / "clustering" / f"{family(name)}.jsonl")
    articles = [a for _, a in located]
    if name == "basil_excerpts":
        articles = [replace(a, text=excerpt(a.text)) for a in articles]
    return articles, [gold[a.id] for a in articles]


def baseline_scores(Z, gold, threshold: float):
    from scipy.cluster.hierarchy import fcluster

    from storymatch.evaluation.clustering_scores import bcubed

    labels = fcluster(Z, t=threshold, criterion="distance")
    return bcubed(gold, labels.tolist())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", nargs="+", default=list(SETS))
    ap.add_argument("--fit", type=Path, help="fit the verifier on every set and SemEval, and write it here")
    ap.add_argument("--within", action="store_true", help="hold out stories of each set, not whole sets")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--all-stories", action="store_true",
                    help="report every story of the held-out set, fold 0 (which chose the settings) included")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not (SHARED / "clustering").is_dir():
        sys.exit(f"{SHARED}: the shared data folder is needed")

    from storymatch.corpus.clusterer import cluster_stream, labels_of
    from storymatch.evaluation.clustering_scores import bcubed
    from storymatch.evaluation.semeval import read_pairs
    from storymatch.evaluation.story_clustering import tfidf_dendrogram
    from storymatch.evaluation.verifier_training import fit_verifier, neighbour_pairs, semeval_pairs
    from storymatch.scoring.story_view import story_views

    t0 = time.perf_counter()
    data = {}
    for name in args.sets:
        articles, gold = load_set(name)
        items = story_views(articles)
        data[name] = (articles, gold, items, neighbour_pairs(name, items, gold))
        print(f"{name}: {len(articles)} articles, {len(set(gold))} stories, {len(data[name][3].labels)} pairs "
              f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    semeval = semeval_pairs(read_pairs(SHARED / "semeval22" / "train.jsonl"))

    if args.fit:
        trained_on = ["semeval22/train.jsonl", *(f"clustering/{n}.jsonl" for n in data)]
        verifier = fit_verifier([semeval, *(d[3] for d in data.values())], meta={"trained_on": trained_on})
        print(f"wrote {verifier.save(args.fit)}")
        return

    if args.within:
        results = within_sets(data, semeval, args.folds)
        if args.json:
            print(json.dumps(results, indent=2))
        else:
            print_table(results, f"B-cubed, stories held out ({args.folds} folds grouped by story; mean over folds "
                                 f"2-{args.folds}, fold 1 chose the link rule):")
        return

    dendrograms = {name: (tfidf_dendrogram(d[0]), d[1]) for name, d in data.items()}
    results = []
    for held in args.sets:
        others = [n for n in args.sets if family(n) != family(held)]
        verifier = fit_verifier([semeval, *(data[n][3] for n in others)])
        articles, gold, items, _ = data[held]
        if not args.all_stories:  # fold 0 of each set chose the clusterer's settings: reported are the others
            keep = [i for i, f in enumerate(story_folds(held, gold, args.folds)) if f != 0]
            articles, gold, items = [articles[i] for i in keep], [gold[i] for i in keep], [items[i] for i in keep]
        t = time.perf_counter()
        stories = cluster_stream(items, verifier=verifier)
        seconds = time.perf_counter() - t
        p, r, f = bcubed(gold, labels_of(stories, [it.id for it in items]))
        # the baseline's threshold: the best mean B-cubed F1 on the other clustering sets
        best = max(THRESHOLDS, key=lambda th: np.mean([baseline_scores(*dendrograms[n], th)[2] for n in others]))
        Z = tfidf_dendrogram(articles)
        bp, br, bf = baseline_scores(Z, gold, best)
        # the baseline at its best threshold for the held-out articles themselves: an oracle no user has, printed
        # so that the gap above is not only a threshold that did not carry over
        oracle = max(THRESHOLDS, key=lambda th: baseline_scores(Z, gold, th)[2])
        of = baseline_scores(Z, gold, oracle)[2]
        results.append({"set": held, "articles": len(articles), "stories": len(set(gold)),
                        "storymatch": {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3),
                                       "stories_found": len(stories), "seconds": round(seconds, 1)},
                        "baseline": {"precision": round(bp, 3), "recall": round(br, 3), "f1": round(bf, 3),
                                     "threshold": float(best)},
                        "baseline_oracle": {"f1": round(of, 3), "threshold": float(oracle)}})
        print(f"{held}: storymatch F1 {f:.3f} (P {p:.3f} R {r:.3f}); baseline F1 {bf:.3f} (P {bp:.3f} R {br:.3f}, "
              f"distance threshold {best}); baseline at its oracle threshold {oracle}: F1 {of:.3f}", file=sys.stderr)
    pairs = semeval_held_out(semeval, [d[3] for d in data.values()])
    if args.json:
        print(json.dumps({"clustering": results, "semeval_pairs": pairs}, indent=2))
        return
    print_table(results, "B-cubed, each set held out (verifier fitted on the others + SemEval; baseline threshold "
                         "chosen on the other sets; " + ("all stories" if args.all_stories else
                                                         "the stories of folds 2-3, fold 1 chose the settings") + "):")
    print(f"SemEval-2022 pairs held out (verifier fitted on the clustering sets only), same story = Overall <= 2: "
          f"ROC-AUC {pairs['verifier_auc']} (TF-IDF cosine {pairs['tfidf_auc']}), F1 at 0.5 {pairs['verifier_f1']}")


def semeval_held_out(semeval, clustering_sets) -> dict:
    """The verifier's pair-level verdict on the SemEval pairs when it never saw them, beside TF-IDF cosine."""
    from sklearn.metrics import f1_score, roc_auc_score

    from storymatch.evaluation.baselines import tfidf_cosine
    from storymatch.evaluation.semeval import read_pairs
    from storymatch.evaluation.verifier_training import fit_verifier

    verifier = fit_verifier(list(clustering_sets))
    p = verifier.probabilities(semeval.rows)
    pairs = [q for q in read_pairs(SHARED / "semeval22" / "train.jsonl") if "overall" in q.gold]
    tfidf = tfidf_cosine(pairs)
    return {"pairs": int(len(p)), "verifier_auc": round(float(roc_auc_score(semeval.labels, p)), 3),
            "verifier_f1": round(float(f1_score(semeval.labels, p >= 0.5)), 3),
            "tfidf_auc": round(float(roc_auc_score(semeval.labels, tfidf)), 3)}


def within_sets(data, semeval, folds: int) -> list[dict]:
    from storymatch.corpus.clusterer import cluster_stream, labels_of
    from storymatch.evaluation.clustering_scores import bcubed
    from storymatch.evaluation.story_clustering import tfidf_dendrogram
    from storymatch.evaluation.verifier_training import fit_verifier, neighbour_pairs

    results = []
    for held, (articles, gold, items, _) in data.items():
        stories = sorted(set(gold))
        fold_of = dict(zip(gold, story_folds(held, gold, folds)))
        ours, base = [], []
        for f in range(1, folds):  # fold 0 of every set chose the clusterer's link rule: never reported
            test = [i for i, g in enumerate(gold) if fold_of[g] == f]
            train = [i for i, g in enumerate(gold) if fold_of[g] != f]
            train_pairs = neighbour_pairs(held, [items[i] for i in train], [gold[i] for i in train])
            verifier = fit_verifier([semeval, train_pairs,
                                     *(d[3] for n, d in data.items() if family(n) != family(held))])
            test_items, test_gold = [items[i] for i in test], [gold[i] for i in test]
            found = cluster_stream(test_items, verifier=verifier)
            ours.append(bcubed(test_gold, labels_of(found, [it.id for it in test_items])))
            Z_train = tfidf_dendrogram([articles[i] for i in train])
            train_gold = [gold[i] for i in train]
            best = max(THRESHOLDS, key=lambda th: baseline_scores(Z_train, train_gold, th)[2])
            base.append(baseline_scores(tfidf_dendrogram([articles[i] for i in test]), test_gold, best))
            print(f"{held} fold {f}: storymatch F1 {ours[-1][2]:.3f}, baseline F1 {base[-1][2]:.3f} "
                  f"(threshold {best})", file=sys.stderr)
        mean = lambda xs, k: round(float(np.mean([x[k] for x in xs])), 3)  # noqa: E731
        results.append({"set": held, "articles": len(articles), "stories": len(stories),
                        "storymatch": {"precision": mean(ours, 0), "recall": mean(ours, 1), "f1": mean(ours, 2)},
                        "baseline": {"precision": mean(base, 0), "recall": mean(base, 1), "f1": mean(base, 2)}})
    return results


def print_table(results: list[dict], title: str) -> None:
    print(title)
    print(f"{'set':<20} {'articles':>8} {'stories':>7} | {'storymatch P / R / F1':>24} | {'baseline P / R / F1':>22}")
    for r in results:
        s, b = r["storymatch"], r["baseline"]
        oracle = f" | oracle F1 {r['baseline_oracle']['f1']:.3f}" if "baseline_oracle" in r else ""
        print(f"{r['set']:<20} {r['articles']:>8} {r['stories']:>7} | {s['precision']:.3f} / {s['recall']:.3f} / "
              f"{s['f1']:.3f}     | {b['precision']:.3f} / {b['recall']:.3f} / {b['f1']:.3f}{oracle}")


if __name__ == "__main__":
    main()
