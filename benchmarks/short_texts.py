"""How much text the same-story verdict needs: choose comparison.result.MIN_WORDS (the "cannot tell" rule).

    python benchmarks/short_texts.py [--pairs 400] [--json]

Each pair's two texts are cut to their first N words (units: words, or character bigrams in Chinese, Japanese,
Korean and Thai) and given without titles, as a pasted snippet comes, and the shipped verifier judges them.
Figures per N: ROC-AUC of its probability against the gold label (0.5 = chance), and its accuracy at its own
threshold beside the share of pairs the majority label alone gets right; beside them, the AUC of a TF-IDF cosine
of the same cut texts (the baseline). The rule is chosen on SemEval-2022 pairs (gold: same story = Overall <= 2)
and checked on pairs from a labelled clustering set the verifier was not fitted on (ECB+ even topics: same story =
same `story` label; half the other pairs from the same topic, another event of the same kind), never used for the
choice. Chosen: the smallest N from which the verifier's AUC on the choice data reaches 0.75, the usual bar of an
acceptable discrimination; below it, it ranks pairs little better than chance and its verdict is hardly more often
right than always answering "different stories". (Beating that answer alone was tried first: at 300 pairs it
picked 3 words, on a 0.004 margin, noise.) The verifier was fitted on these SemEval pairs, so its whole-text
figures there are optimistic; cut texts are far from what it saw.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from storymatch.inputs.article import Article  # noqa: E402
from storymatch.scoring.story_view import same_story_probability  # noqa: E402
from storymatch.scoring.verifier import shipped_verifier  # noqa: E402
from storymatch.text.scripts import units  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
WORDS = (1, 3, 5, 8, 12, 16, 25, 40, None)  # None: the whole text
MIN_AUC = 0.75


def cut(text: str, n: int | None) -> str:
    if n is None:
        return text
    u = units(text)
    return text[:int(u.ends[n - 1])] if len(u.ends) > n else text


def semeval_pairs(limit: int, seed: int) -> list[tuple[str, str, bool, str, str]]:
    rows = [json.loads(line) for line in open(SHARED / "semeval22" / "train.jsonl", encoding="utf-8")]
    rows = [r for r in rows if r.get("text1") and r.get("text2") and r.get("overall") is not None]
    random.Random(seed).shuffle(rows)
    return [(r["text1"], r["text2"], float(r["overall"]) <= 2.0, r.get("lang1") or "", r.get("lang2") or "")
            for r in rows[:limit]]


def ecb_pairs(limit: int, seed: int) -> list[tuple[str, str, bool, str, str]]:
    arts = [json.loads(line) for line in open(SHARED / "clustering" / "ecbplus_even_topics.jsonl", encoding="utf-8")]
    rng = random.Random(seed)
    by_story: dict[str, list[dict]] = {}
    for a in arts:
        by_story.setdefault(a["story"], []).append(a)
    same = [(x, y) for group in by_story.values() for i, x in enumerate(group) for y in group[i + 1:]]
    rng.shuffle(same)
    out = [(x["text"], y["text"], True, "en", "en") for x, y in same[:limit // 2]]
    while len(out) < limit:
        x, y = rng.sample(arts, 2)
        if x["story"] != y["story"] and (len(out) % 2 or x.get("topic") == y.get("topic")):
            out.append((x["text"], y["text"], False, "en", "en"))
    return out


def measure(pairs: list[tuple[str, str, bool, str, str]]) -> list[dict]:
    threshold = shipped_verifier().threshold
    gold = [g for _, _, g, _, _ in pairs]
    majority = max(sum(gold), len(gold) - sum(gold)) / len(gold)
    out = []
    for n in WORDS:
        probs, cuts = [], []
        for t1, t2, _, l1, l2 in pairs:
            a, b = Article(cut(t1, n), language=l1 or None), Article(cut(t2, n), language=l2 or None)
            probs.append(same_story_probability(a, b))
            cuts.append((a.text, b.text))
        tfidf = TfidfVectorizer().fit([x for c in cuts for x in c])
        cos = [float((tfidf.transform([x]) @ tfidf.transform([y]).T).toarray()[0, 0]) for x, y in cuts]
        right = sum((p >= threshold) == g for p, g in zip(probs, gold)) / len(gold)
        out.append({"words": n or "all", "verifier_auc": round(roc_auc_score(gold, probs), 3),
                    "verifier_accuracy": round(right, 3), "majority_accuracy": round(majority, 3),
                    "tfidf_auc": round(roc_auc_score(gold, cos), 3),
                    "said_same_story": round(sum(p >= threshold for p in probs) / len(probs), 3)})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=400)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    choice = measure(semeval_pairs(args.pairs, args.seed))
    chosen = next(r["words"] for r in choice if r["verifier_auc"] >= MIN_AUC)
    check = measure(ecb_pairs(args.pairs, args.seed))
    result = {"chosen_min_words": chosen, "semeval (choice)": choice, "ecb+ (check)": check}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"chosen: at least {chosen} words on each side (from there the verifier's AUC reaches {MIN_AUC})")
    for name in ("semeval (choice)", "ecb+ (check)"):
        print(f"\n{name}: words  verifier AUC  accuracy (majority)  TF-IDF AUC  said same story")
        for r in result[name]:
            print(f"  {str(r['words']):>5}  {r['verifier_auc']:>12}  {r['verifier_accuracy']:>8} "
                  f"({r['majority_accuracy']})  {r['tfidf_auc']:>10}  {r['said_same_story']:>15}")


if __name__ == "__main__":
    main()
