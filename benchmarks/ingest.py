"""Ingest speed of the fast tier on real news, against scikit-learn's TfidfVectorizer on the same texts and against
the code before this round's speed work, in one run; and MinHash signatures a second: storymatch, datasketch and
rensa on the same shingles.

    python benchmarks/ingest.py [--runs 3] [--baseline-rev dbde0c2] [--lingua-rev 499d9c8] [--minhash-docs 2000]
                                [--no-parts] [--json]

Articles: the unique texts of ../shared/semeval22 (whole articles, several languages) and ../shared/clustering's
BASIL articles, written once as JSONL with their language (as a passim-style corpus carries it) and once without
it (as most corpora come: scraped JSONL, folders of .txt, CSV exports), so that ingest tells each language itself.
Each ingest is a fresh process into a new store; the current code with one process (workers=1) and with two worker
processes (workers=2, what `storymatch ingest` does on two cores), on both files, scikit-learn's TfidfVectorizer
(fit_transform of the texts read from the file, in a fresh process: the cost of a plain TF-IDF pass) and the
baseline revision (its source extracted with `git archive`) alternate, so load on a shared machine hits all alike;
medians are printed with their ratios to TF-IDF and to the baseline. Each rate is articles (documents) a second
of the work inside the process (reading the file included, the interpreter's start not).
MinHash: word 3-gram shingles of the first --minhash-docs articles, 128 permutations, each library timed on the
same documents (hashing included), in this process.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# Each child prints what it did and its wall time. Its CPU time (user + system of the whole process tree: the
# interpreter's start, the fork server and the worker processes included) is read here: this process adopts the
# child's orphaned descendants (PR_SET_CHILD_SUBREAPER) and reaps them all before reading its children's usage. On a
# machine shared with other jobs the wall time moves with their load, the CPU time much less.
CHILD = """
import sys, time, tempfile
from storymatch.corpus.store import Store
from storymatch.corpus.ingestion import ingest
kw = {"workers": int(sys.argv[2])} if len(sys.argv) > 2 else {}  # the baseline has no workers
with tempfile.TemporaryDirectory() as tmp, Store(tmp + "/s", create=True) as store:
    t = time.perf_counter()
    stats = ingest([sys.argv[1]], store, tier="fast", **kw)
    print(stats.added, time.perf_counter() - t)
"""

TFIDF = """
import json, sys, time
from sklearn.feature_extraction.text import TfidfVectorizer
t = time.perf_counter()
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
TfidfVectorizer().fit_transform(texts)
print(len(texts), time.perf_counter() - t)
"""

# Where one process's time goes: each step of `corpus.ingest_analysis.analyse`, in its order, on the same records
# (batches of 256, as ingest makes them), after a first batch that builds the caches. "words" is the split into
# words alone (normalising included), timed on its own; "keys" is the rest of the LSH keys (hashing, signing,
# banding). What is left of the whole one-process ingest, read off the same run, is the store's writing and what a
# fresh process pays once (imports, the language models and word weights it loads on first use: the steps' first
# batch, not counted, paid those).
PARTS = """
import json, sys, time
from storymatch.corpus.ingest_analysis import article_language
from storymatch.embedding.tiers import LexicalTier
from storymatch.features.lsh import LSHParams, shingles, shingles_keys
from storymatch.inputs.readers import read_corpus
from storymatch.text.normalize import normalize
from storymatch.text.scripts import sentence_units
from storymatch.text.spans import sentences
lsh, took = LSHParams(), dict.fromkeys(("read", "language", "sentences", "words", "keys", "vector"), 0.0)
def step(name, f):
    t = time.perf_counter(); out = f(); took[name] += time.perf_counter() - t; return out
warm = [a for _, a in read_corpus([sys.argv[1]])][:256]
for a in warm:
    a.language = article_language(a)
LexicalTier().encode_articles(warm, body_words=shingles([a.text for a in warm], lsh).words)
took = dict.fromkeys(took, 0.0)
arts = step("read", lambda: [a for _, a in read_corpus([sys.argv[1]])])
for i in range(0, len(arts), 256):
    b = arts[i:i + 256]
    step("language", lambda: [setattr(a, "language", article_language(a)) for a in b])
    spans = step("sentences", lambda: [sentences(a.text) for a in b])
    step("words", lambda: [sentence_units(normalize(a.text), [(s.start, s.end) for s in sp])
                           for a, sp in zip(b, spans)])
    sh = step("keys", lambda: shingles([a.text for a in b], lsh, spans))
    step("keys", lambda: shingles_keys(sh, lsh))
    step("vector", lambda: LexicalTier().encode_articles(b, body_words=sh.words))
took["keys"] -= took["words"]  # shingles() splits the words again: that part is "words"
print(json.dumps({"articles": len(arts), **took}))
"""

# TfidfVectorizer's own split into words (its default analyzer: lower-casing and one regex call a document), the
# part of a TF-IDF pass that ingest's "sentences", "words" and "language" stand beside.
TFIDF_SPLIT = """
import json, sys, time
from sklearn.feature_extraction.text import TfidfVectorizer
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
analyzer = TfidfVectorizer().build_analyzer()
t = time.perf_counter()
for text in texts:
    analyzer(text)
print(json.dumps({"split": time.perf_counter() - t}))
"""


def parts(corpus: Path, script: str = PARTS) -> dict[str, float]:
    """Seconds of each step (PARTS or TFIDF_SPLIT) in one fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", script, str(corpus)], env=env, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def articles() -> list[dict]:
    out, seen = [], set()
    sem, basil = SHARED / "semeval22" / "train.jsonl", SHARED / "clustering" / "basil.jsonl"
    if not sem.exists():
        sys.exit(f"{sem}: the shared data folder is needed")
    for line in sem.open(encoding="utf-8"):
        r = json.loads(line)
        for k in ("1", "2"):
            text = (r.get("text" + k) or "").strip()
            if len(text) > 300 and text[:200] not in seen:
                seen.add(text[:200])
                out.append({"id": f"s{len(out)}", "text": text, "title": r.get("title" + k), "lang": r.get("lang" + k)})
    if basil.exists():
        for line in basil.open(encoding="utf-8"):
            r = json.loads(line)
            out.append({"id": f"b{len(out)}", "text": r["text"], "title": r.get("title"), "lang": "en"})
    return out


CPU_RATES: dict[str, list[float]] = {}  # articles per CPU second, by the same keys as the wall rates


def ingest_rate(src: Path, corpus: Path, workers: int | None = None, script: str = CHILD, key: str = "") -> float:
    """Articles a second (wall) of one fresh process; its articles per CPU second go to CPU_RATES[key]."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    args = [str(workers)] if workers is not None else []
    before = _tree_cpu()
    out = subprocess.run([sys.executable, "-c", script, str(corpus), *args], env=env, check=True, capture_output=True,
                         text=True).stdout.split()
    while True:  # the child's fork server and workers, adopted here when it ended: wait for them (about a second)
        try:
            os.wait()
        except ChildProcessError:
            break
    CPU_RATES.setdefault(key, []).append(int(out[0]) / (_tree_cpu() - before))
    return int(out[0]) / float(out[1])


def _tree_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _adopt_orphans() -> None:
    """Make this process the reaper of its descendants' orphans (Linux), so their CPU time reaches RUSAGE_CHILDREN."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def minhash_rates(texts: list[str]) -> dict[str, float]:
    import rensa
    from datasketch import MinHash

    from storymatch.features.minhash import MinHasher, shingle_sets
    from storymatch.text.normalize import normalize
    from storymatch.text.spans import WORD

    # every method starts from the same word lists and ends with 128 values a document
    words = [WORD.findall(normalize(t)) for t in texts]

    def grams() -> list[list[str]]:
        return [[" ".join(w[i:i + 3]) for i in range(len(w) - 2)] for w in words]

    rates = {}
    t = time.perf_counter()
    flat, offsets = shingle_sets(words, 3)
    MinHasher(num_perm=128).signatures_flat(flat, offsets)
    rates["storymatch (rensa inside)"] = len(texts) / (time.perf_counter() - t)
    t = time.perf_counter()
    MinHash.bulk([[g.encode("utf-8") for g in gs] for gs in grams()], num_perm=128)
    rates["datasketch bulk"] = len(texts) / (time.perf_counter() - t)
    t = time.perf_counter()
    rensa.RMinHash.digest_matrix_from_token_sets(grams(), 128, 1)
    rates["rensa RMinHash"] = len(texts) / (time.perf_counter() - t)
    return rates


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline-rev", default="dbde0c2",
                    help="git revision of the baseline (before the speed work); '' skips it")
    ap.add_argument("--lingua-rev", default="499d9c8",
                    help="git revision to ingest the records without a language with too, in the same runs (e.g. "
                         "the last stop's; default: 499d9c8, whose ingest told every language with lingua, before "
                         "quick_language); '' skips")
    ap.add_argument("--minhash-docs", type=int, default=2000, help="0 skips MinHash (it needs the bench extra)")
    ap.add_argument("--no-parts", dest="parts", action="store_false",
                    help="skip timing each step of a one-process ingest (the records without a language)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    _adopt_orphans()
    arts = articles()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, bare = Path(tmp) / "corpus.jsonl", Path(tmp) / "no-language.jsonl"
        corpus.write_text("".join(json.dumps(a) + "\n" for a in arts), encoding="utf-8")
        bare.write_text("".join(json.dumps({k: v for k, v in a.items() if k != "lang"}) + "\n" for a in arts),
                        encoding="utf-8")
        archive = Path(tmp) / "baseline.tar"
        baseline_src = None
        if args.baseline_rev:
            subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), args.baseline_rev, "src"],
                           check=True)
            with tarfile.open(archive) as tar:
                tar.extractall(Path(tmp) / "baseline", filter="data")
            baseline_src = Path(tmp) / "baseline" / "src"
        lingua_src = None
        if args.lingua_rev:
            subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), args.lingua_rev, "src"], check=True)
            with tarfile.open(archive) as tar:
                tar.extractall(Path(tmp) / "lingua", filter="data")
            lingua_src = Path(tmp) / "lingua" / "src"
        ingest_rate(ROOT / "src", bare, 1)  # builds this code's caches (word frequencies) once: not counted
        rates: dict[str, list[float]] = {k: [] for k in ("one", "two", "bare_one", "bare_two", "tfidf", "before")}
        steps: list[dict[str, float]] = []
        tfidf_split: list[float] = []
        if lingua_src is not None:
            rates.update(lingua_one=[], lingua_two=[])
        for _ in range(args.runs):
            rates["one"].append(ingest_rate(ROOT / "src", corpus, 1, key="one"))
            rates["two"].append(ingest_rate(ROOT / "src", corpus, 2, key="two"))
            rates["bare_one"].append(ingest_rate(ROOT / "src", bare, 1, key="bare_one"))
            rates["bare_two"].append(ingest_rate(ROOT / "src", bare, 2, key="bare_two"))
            rates["tfidf"].append(ingest_rate(ROOT / "src", bare, script=TFIDF, key="tfidf"))
            if baseline_src is not None:
                rates["before"].append(ingest_rate(baseline_src, corpus))
            if lingua_src is not None:
                rates["lingua_one"].append(ingest_rate(lingua_src, bare, 1, key="lingua_one"))
                rates["lingua_two"].append(ingest_rate(lingua_src, bare, 2, key="lingua_two"))
            if args.parts:
                steps.append(parts(bare))
                tfidf_split.append(parts(bare, TFIDF_SPLIT)["split"])
    med = {k: statistics.median(v) for k, v in rates.items() if v}
    cpu = {k: statistics.median(v) for k, v in CPU_RATES.items() if k}
    rates_mh = minhash_rates([a["text"] for a in arts[: args.minhash_docs]]) if args.minhash_docs else {}
    result = {"articles": len(arts), "mean_chars": round(statistics.mean(len(a["text"]) for a in arts)),
              "ingest_per_s": round(med["two"]), "ingest_one_process_per_s": round(med["one"]),
              "no_language_per_s": round(med["bare_two"]), "no_language_one_process_per_s": round(med["bare_one"]),
              "tfidf_docs_per_s": round(med["tfidf"]),
              "no_language_vs_tfidf": round(med["bare_two"] / med["tfidf"], 2),
              "no_language_one_process_vs_tfidf": round(med["bare_one"] / med["tfidf"], 2),
              "language_given_vs_tfidf": round(med["two"] / med["tfidf"], 2),
              "language_given_one_process_vs_tfidf": round(med["one"] / med["tfidf"], 2),
              "per_cpu_second": {k: round(v) for k, v in cpu.items()},
              "per_cpu_second_vs_tfidf": {k: round(v / cpu["tfidf"], 2) for k, v in cpu.items()},
              "minhash_docs_per_s": {k: round(v) for k, v in rates_mh.items()},
              "load_average": round(os.getloadavg()[0], 1)}
    if baseline_src is not None:
        result.update(baseline_ingest_per_s=round(med["before"]), ingest_ratio=round(med["two"] / med["before"], 2),
                      ingest_one_process_ratio=round(med["one"] / med["before"], 2))
    if lingua_src is not None:
        result.update(lingua_no_language_per_s=round(med["lingua_two"]),
                      lingua_no_language_one_process_per_s=round(med["lingua_one"]),
                      lingua_no_language_vs_tfidf=round(med["lingua_two"] / med["tfidf"], 2),
                      lingua_no_language_one_process_vs_tfidf=round(med["lingua_one"] / med["tfidf"], 2))
    if steps:
        # seconds a step, medians over the runs; "store, first use": the one-process ingest's wall less the steps
        split = {k: statistics.median(r[k] for r in steps) for k in steps[0] if k != "articles"}
        split["store, first use"] = len(arts) / med["bare_one"] - sum(split.values())
        tfidf_s = len(arts) / med["tfidf"]
        result["one_process_seconds"] = {k: round(v, 3) for k, v in split.items()}
        result["tfidf_seconds"] = round(tfidf_s, 3)
        result["tfidf_split_seconds"] = round(statistics.median(tfidf_split), 3)
        result["budget_at_0.8_seconds"] = round(tfidf_s / 0.8, 3)
    if rates_mh:
        result["minhash_vs_rensa"] = round(rates_mh["rensa RMinHash"] / rates_mh["storymatch (rensa inside)"], 2)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"fast-tier ingest of {result['articles']:,} real articles (mean {result['mean_chars']:,} chars), "
          f"medians of {args.runs}, load average {result['load_average']}:")
    print(f"  records without a language: workers=2 {result['no_language_per_s']:,} art/s "
          f"(x{result['no_language_vs_tfidf']} TfidfVectorizer), workers=1 "
          f"{result['no_language_one_process_per_s']:,} art/s (x{result['no_language_one_process_vs_tfidf']}); "
          f"TfidfVectorizer {result['tfidf_docs_per_s']:,} docs/s")
    if "lingua_no_language_per_s" in result:
        note = " (lingua alone)" if args.lingua_rev.startswith("499d9c8") else ""
        print(f"  the same at {args.lingua_rev}{note}: workers=2 "
              f"{result['lingua_no_language_per_s']:,} "
              f"art/s (x{result['lingua_no_language_vs_tfidf']}), workers=1 "
              f"{result['lingua_no_language_one_process_per_s']:,} art/s "
              f"(x{result['lingua_no_language_one_process_vs_tfidf']})")
    print(f"  records with their language: workers=2 {result['ingest_per_s']:,} art/s "
          f"(x{result['language_given_vs_tfidf']} TF-IDF), workers=1 {result['ingest_one_process_per_s']:,} art/s "
          f"(x{result['language_given_one_process_vs_tfidf']} TF-IDF)")
    print("  articles per CPU second (whole process trees: interpreter, fork server, workers), against TF-IDF: "
          + ", ".join(f"{k} {v:,} (x{result['per_cpu_second_vs_tfidf'][k]})"
                      for k, v in result["per_cpu_second"].items()))
    if baseline_src is not None:
        print(f"  against the baseline ({args.baseline_rev}, {result['baseline_ingest_per_s']:,} art/s, records with "
              f"their language): workers=2 x{result['ingest_ratio']}, workers=1 x{result['ingest_one_process_ratio']}")
    if steps:
        budget = result["budget_at_0.8_seconds"]
        print(f"  where a one-process ingest of the records without a language spends its time (s, medians), against "
              f"TfidfVectorizer's whole pass ({result['tfidf_seconds']} s, of which its split into words "
              f"{result['tfidf_split_seconds']} s) and the time x0.8 allows ({budget} s):")
        for k, v in result["one_process_seconds"].items():
            print(f"    {k:<20} {v:6.3f}  ({v / result['tfidf_seconds']:.0%} of TF-IDF's pass)")
        splitting = sum(result["one_process_seconds"][k] for k in ("read", "language", "sentences", "words"))
        print(f"    reading, the language, sentences and words alone: {splitting:.3f} s, {splitting / budget:.0%} of "
              "the time x0.8 allows")
    if rates_mh:
        print(f"MinHash, {min(len(arts), args.minhash_docs):,} articles, word 3-grams, 128 permutations (docs/s):")
        for k, v in result["minhash_docs_per_s"].items():
            print(f"  {k:<28} {v:>8,}")
        print(f"  rensa / storymatch: x{result['minhash_vs_rensa']}")


if __name__ == "__main__":
    main()
