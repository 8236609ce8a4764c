"""Build reuse evaluation sets in Chinese, Japanese and across languages (German -> English) from public text.

    python benchmarks/multilingual_sets.py --cnews CNEWS.txt --livedoor LIVEDOOR_DIR --parallel-js TURKLE.js \
        --semeval ../shared/semeval22/train.jsonl --out /tmp/storymatch-multilingual
    storymatch eval pan /tmp/storymatch-multilingual/zh.jsonl          # and ja.jsonl, translation-de-en.jsonl,
    storymatch eval pan /tmp/storymatch-multilingual/independent-de-en.jsonl

Where the texts come from (public repositories; their licences do not let the project ship copies or
derivatives, so this script builds the sets at run time, in a folder outside the project):
- Chinese: Chinese technology news (one `label;;text` article a line), `cnews/cnews.train.txt` of the GitHub
  repository Hecate-DynMist/data (commit 8c2694a).
- Japanese: the livedoor news corpus (RONDHUIT, CC BY-ND 2.1 JP: used, never redistributed), its `topic-news`
  folder, as copied in the GitHub repository jkatsuta/18_4q_doc2vec, `experiments/text/topic-news/`.
- German-English: 724 consecutive sentences of the WMT newstest2014 English-German test set (news articles and
  their professional German translations), as `translations_single.js` of kuserich/turkle-evaluation
  (`imports/api/`); its English side is BPE-tokenised and is detokenised here.
- Independent same-story reports in two languages: the SemEval-2022 Task 8 de-en training pairs whose gold Overall
  score is at most 2 ("same story"), from ../shared: written by different outlets, so they share facts, not
  sentences (a translation passage there is a false claim).

Sets (PAN jsonl, exact character truth from evaluation.synthetic: every case is assembled piece by piece):
- zh.jsonl, ja.jsonl: 40 suspicious documents each mixing passages of 2 source articles (verbatim, word swaps,
  a fragment of a sentence, random character edits, sentence shuffle) into filler articles of the same corpus,
  plus 20 negatives (filler only);
- translation-de-en.jsonl: 40 German documents mixing the German translations of 2-4 consecutive sentences of an
  English newstest article (the source) into German filler sentences (SemEval de-de articles), plus 20
  negatives (German filler only against an English article);
- independent-de-en.jsonl: the SemEval same-story de-en pairs, as pairs without reuse.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from storymatch.evaluation.pan import Case, PanPair  # noqa: E402
from storymatch.evaluation.synthetic import OPERATIONS, SWAPS_BY_LANGUAGE, Piece, assemble, generate  # noqa: E402
from storymatch.text.spans import sentences  # noqa: E402


def chinese_articles(path: Path) -> list[str]:
    out, seen = [], set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip().strip('"')
        if ";;" not in line:
            continue
        text = html.unescape(line.split(";;", 1)[1]).strip()
        if 300 <= len(text) <= 4000 and text[:100] not in seen:
            seen.add(text[:100])
            out.append(text)
    return out


def japanese_articles(folder: Path) -> list[str]:
    out = []
    for path in sorted(folder.glob("topic-news-*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()[3:]  # url, date, title, then the body
        body = [x.strip() for x in lines if x.strip() and "http" not in x and not x.startswith(("■", "【"))]
        text = "\n\n".join(body)
        if 300 <= len(text) <= 4000:
            out.append(text)
    return out


def _detokenize(s: str) -> str:
    s = html.unescape(s.replace("@@ ", ""))
    s = re.sub(r'" (.*?) "', r'"\1"', s)
    s = re.sub(r" ([,.;:!?%)])", r"\1", s)
    s = re.sub(r"\( ", "(", s)
    s = re.sub(r" ('s|n't|'re|'ve|'ll|'d|'m)\b", r"\1", s)
    return s.replace(" - ", "-").replace(" @-@ ", "-")


def parallel_sentences(path: Path) -> list[tuple[str, str]]:
    """(English, German) sentence pairs, in the test set's order, from the turkle-evaluation JS file."""
    text = path.read_text(encoding="utf-8")
    out, seen = [], set()
    for m in re.finditer(r'"sources": "(.*?)\\n",\s*"targets": "(.*?)\\n"', text):
        en, de = _detokenize(json.loads(f'"{m.group(1)}"')), json.loads(f'"{m.group(2)}"')
        if en not in seen:
            seen.add(en)
            out.append((en, de))
    return out


def semeval_pairs(path: Path, langs: tuple[str, str]) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [r for r in map(json.loads, fh) if (r["lang1"], r["lang2"]) == langs]


def monolingual(articles: list[str], language: str, seed: int, n_docs: int = 40, negatives: int = 20) -> list[PanPair]:
    rng = random.Random(seed)
    rng.shuffle(articles)
    sources, fillers = articles[:20], articles[20:80]
    pairs = generate(sources, fillers, n_docs=n_docs, seed=seed, operations=OPERATIONS, negatives=negatives,
                     swaps=SWAPS_BY_LANGUAGE[language])
    for k, p in enumerate(pairs):
        p.id = f"{language}-{k}"
        p.meta = {"language": language}
    return pairs


def translated(parallel: list[tuple[str, str]], german_fillers: list[str], seed: int, n_docs: int = 40,
               negatives: int = 20, chunk: int = 8) -> list[PanPair]:
    """German documents with translated runs of English newstest articles (cut into chunks of `chunk` sentences)."""
    rng = random.Random(seed)
    chunks = [parallel[k:k + chunk] for k in range(0, len(parallel) - chunk + 1, chunk)]
    filler_sents = [s.text for f in german_fillers for s in sentences(f) if 40 <= len(s.text) <= 300]
    pairs: list[PanPair] = []

    def filler() -> list[Piece]:
        return [Piece(rng.choice(filler_sents)) for _ in range(rng.randint(2, 5))]

    for d in range(n_docs):
        ci = rng.randrange(len(chunks))
        sents = chunks[ci]
        source = " ".join(en for en, _ in sents)
        starts = [0]
        for en, _ in sents[:-1]:
            starts.append(starts[-1] + len(en) + 1)
        pieces = filler()
        used: set[int] = set()
        for _ in range(rng.randint(1, 2)):
            k = rng.randint(2, 4)
            first = rng.randint(0, len(sents) - k)
            if used & set(range(first, first + k)):
                continue
            used |= set(range(first, first + k))
            german = " ".join(de for _, de in sents[first:first + k])
            src_start = starts[first]
            src_end = starts[first + k - 1] + len(sents[first + k - 1][0])
            pieces += [Piece(german, Case(0, len(german), src_start, src_end - src_start, "translation"), 0)]
            pieces += filler()
        text, cases = assemble(pieces, 1)
        pairs.append(PanPair(f"suspicious-de{d:05d}.txt", f"source-en{ci:05d}.txt", text, source, cases[0],
                             "translation", f"translation-{d}", {"chunk": ci}))
    for n in range(negatives):
        ci = rng.randrange(len(chunks))
        text, _ = assemble(filler() + filler(), 0)
        pairs.append(PanPair(f"suspicious-de{n_docs + n:05d}.txt", f"source-en{ci:05d}.txt", text,
                             " ".join(en for en, _ in chunks[ci]), [], "no-plagiarism",
                             f"translation-negative-{n}", {"chunk": ci}))
    return pairs


def independent(semeval: Path, max_overall: float = 2.0) -> list[PanPair]:
    out = []
    for r in semeval_pairs(semeval, ("de", "en")):
        if r["overall"] <= max_overall and r["text1"] and r["text2"]:
            out.append(PanPair(f"{r['pair_id']}-de.txt", f"{r['pair_id']}-en.txt", r["text1"], r["text2"], [],
                               "independent-same-story", r["pair_id"], {"overall": r["overall"]}))
    return out


def write_jsonl(pairs: list[PanPair], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for p in pairs:
            cases = None if p.cases is None else [
                {"susp_offset": c.this_offset, "susp_length": c.this_length, "src_offset": c.source_offset,
                 "src_length": c.source_length} for c in p.cases]
            # a pair's obfuscation is its kind; pairs without reuse are 'negative', as in pan_dev.jsonl
            kind = p.obfuscation if p.cases else "negative"
            fh.write(json.dumps({"id": p.id, "obfuscation": kind, "source": p.src, "suspicious": p.susp,
                                 "cases": cases, "meta": {**p.meta, "susp_doc": p.susp_name,
                                                          "src_doc": p.src_name}}, ensure_ascii=False) + "\n")
    print(f"{path}: {len(pairs)} pairs", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cnews", type=Path, required=True)
    ap.add_argument("--livedoor", type=Path, required=True)
    ap.add_argument("--parallel-js", type=Path, required=True)
    ap.add_argument("--semeval", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "semeval22"
                    / "train.jsonl")
    ap.add_argument("--out", type=Path, default=Path("/tmp/storymatch-multilingual"))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    write_jsonl(monolingual(chinese_articles(args.cnews), "zh", args.seed), args.out / "zh.jsonl")
    write_jsonl(monolingual(japanese_articles(args.livedoor), "ja", args.seed), args.out / "ja.jsonl")
    german = [r["text1"] for r in semeval_pairs(args.semeval, ("de", "de"))[:150]]
    write_jsonl(translated(parallel_sentences(args.parallel_js), german, args.seed),
                args.out / "translation-de-en.jsonl")
    write_jsonl(independent(args.semeval), args.out / "independent-de-en.jsonl")


if __name__ == "__main__":
    main()
