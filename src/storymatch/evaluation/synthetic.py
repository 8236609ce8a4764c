"""Synthetic text reuse with exact truth, in the PAN layout, for tests and stress runs.

A suspicious document is built from filler sentences (text that reuses nothing)
with passages taken from one or more source documents inserted between them,
each altered by one operation: a verbatim copy, word swaps from a substitution
list, a sentence shuffle, a cut-down fragment of a sentence, or PAN-style
random word edits. Because the
document is assembled piece by piece, the offsets of every case are exact.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from storymatch.evaluation.pan import Case, PanPair
from storymatch.text.scripts import has_dense
from storymatch.text.spans import Span, sentences

# Swaps seen in spun copies: country names, paraphrased time references, synonyms.
SWAPS: tuple[tuple[str, str], ...] = (
    ("US", "USA"), ("Russia", "Russian Federation"), ("last night", "yesterday"), ("said", "stated"),
    ("killed", "left dead"), ("government", "administration"), ("about", "around"), ("big", "large"),
    ("announced", "declared"), ("help", "assist"), ("begin", "commence"), ("show", "demonstrate"),
    ("buy", "purchase"), ("city", "town"), ("police", "officers"), ("people", "individuals"),
    ("attack", "assault"), ("forces", "troops"), ("told", "informed"), ("many", "numerous"),
)

# The same kind of swaps in Chinese and Japanese news: official titles, synonyms, reporting verbs.
SWAPS_BY_LANGUAGE: dict[str, tuple[tuple[str, str], ...]] = {
    "zh": (("表示", "称"), ("美国", "美方"), ("公司", "企业"), ("目前", "当前"), ("已经", "已"),
           ("进行", "开展"), ("发布", "推出"), ("研究", "研发"), ("技术", "科技"), ("用户", "使用者"),
           ("人工智能", "AI"), ("但是", "不过"), ("非常", "十分"), ("可以", "能够"), ("今天", "今日"),
           ("去年", "上一年"), ("很多", "许多"), ("一些", "部分")),
    "ja": (("発表した", "明らかにした"), ("会社", "企業"), ("警察", "警視庁"), ("しかし", "だが"),
           ("とても", "非常に"), ("今日", "本日"), ("昨日", "前日"), ("多くの", "数多くの"), ("話した", "語った"),
           ("番組", "テレビ番組"), ("男性", "男"), ("女性", "女"), ("ネット", "インターネット"), ("話題", "注目"),
           ("言った", "述べた")),
}

OPERATIONS = ("verbatim", "swap", "shuffle", "fragment", "random")


@dataclass
class Piece:
    """A stretch of the suspicious document; `case` is set where it reuses source text."""

    text: str
    case: Case | None = None
    source: int | None = None


def swap_words(text: str, rng: random.Random, swaps: tuple[tuple[str, str], ...] = SWAPS,
               rate: float = 0.7) -> str:
    """Replace listed words or phrases (whole words, same case) with their substitutes."""
    out = text
    for old, new in swaps:
        # whole words in spaced scripts; in Chinese and Japanese there are no word edges to look for
        pattern = re.compile(re.escape(old) if has_dense(old) else rf"(?<![\w-]){re.escape(old)}(?![\w-])")

        def swap(m: re.Match[str], new: str = new) -> str:
            return new if rng.random() < rate else m.group()

        out = pattern.sub(swap, out)
    return out


def random_edits(text: str, rng: random.Random, vocabulary: list[str], rate: float = 0.3) -> str:
    """PAN-style random obfuscation: shuffle, delete, insert and replace words at random.

    About `rate` x the number of words operations; inserted and replacing words
    come from `vocabulary` (words of unrelated text).
    """
    dense = has_dense(text)  # Chinese, Japanese: edit characters, as there are no spaced words
    tokens = list(text) if dense else text.split()
    for _ in range(max(1, int(rate * len(tokens)))):
        if len(tokens) < 3:
            break
        k = rng.randrange(len(tokens))
        op = rng.random()
        if op < 0.25:  # move a word a few places
            w = tokens.pop(k)
            tokens.insert(min(len(tokens), max(0, k + rng.randint(-3, 3))), w)
        elif op < 0.5:
            tokens.pop(k)
        elif op < 0.75:
            tokens.insert(k, rng.choice(vocabulary))
        else:
            tokens[k] = rng.choice(vocabulary)
    return ("" if dense else " ").join(tokens)


def _fragment(sent: Span, rng: random.Random, min_words: int, max_words: int) -> Span | None:
    """A contiguous run of words (characters, counted double, in Chinese and Japanese) from inside a sentence."""
    dense = has_dense(sent.text)
    ws = list(re.finditer(r"\S" if dense else r"\S+", sent.text))
    if dense:
        min_words, max_words = 2 * min_words, 2 * max_words
    if len(ws) < min_words + 3:
        return None
    size = rng.randint(min_words, min(max_words, len(ws) - 2))
    first = rng.randint(1, len(ws) - size)
    lo, hi = ws[first].start(), ws[first + size - 1].end()
    while hi - 1 > lo and not sent.text[hi - 1].isalnum():
        hi -= 1  # leave trailing punctuation out of a mid-sentence fragment
    return Span(sent.start + lo, sent.start + hi, sent.text[lo:hi])


def reused_piece(src: str, src_index: int, op: str, rng: random.Random, max_sentences: int = 4,
                 swaps: tuple[tuple[str, str], ...] = SWAPS, vocabulary: list[str] | None = None) -> Piece | None:
    """One altered passage of `src`, with its truth case (suspicious offsets filled in later)."""
    sents = sentences(src)
    if not sents:
        return None
    if op == "fragment":
        for _ in range(10):
            frag = _fragment(rng.choice(sents), rng, 6, 12)
            if frag:
                text = src[frag.start:frag.end]
                return Piece(text, Case(0, len(text), frag.start, frag.end - frag.start, op), src_index)
        return None
    k = min(len(sents), rng.randint(2, max_sentences))
    first = rng.randint(0, len(sents) - k)
    chosen = sents[first:first + k]
    start, end = chosen[0].start, chosen[-1].end
    if op == "verbatim":
        text = src[start:end]
    elif op == "swap":
        text = swap_words(src[start:end], rng, swaps)
    elif op == "shuffle":
        order = list(range(k))
        while k > 1 and order == sorted(order):
            rng.shuffle(order)
        text = " ".join(chosen[i].text for i in order)
    elif op == "random":
        text = random_edits(src[start:end], rng, vocabulary or src[start:end].split())
    else:
        raise ValueError(f"unknown reuse operation {op!r} (use one of {', '.join(OPERATIONS)})")
    return Piece(text, Case(0, len(text), start, end - start, op), src_index)


def assemble(pieces: list[Piece], n_sources: int) -> tuple[str, list[list[Case]]]:
    """Join pieces into one text; the cases of each source with their exact offsets in it."""
    parts: list[str] = []
    cases: list[list[Case]] = [[] for _ in range(n_sources)]
    pos = 0
    for k, piece in enumerate(pieces):
        if k and not (has_dense(pieces[k - 1].text[-2:]) and has_dense(piece.text[:1])):
            parts.append(" ")  # Chinese and Japanese sentences follow each other without a space
            pos += 1
        if piece.case is not None:
            c = piece.case
            assert piece.source is not None  # a piece that reuses text names its source
            cases[piece.source].append(Case(pos, len(piece.text), c.source_offset, c.source_length, c.obfuscation))
        parts.append(piece.text)
        pos += len(piece.text)
    return "".join(parts), cases


def generate(sources: list[str], fillers: list[str], n_docs: int = 10, seed: int = 0,
             operations: tuple[str, ...] = OPERATIONS, passages_per_doc: tuple[int, int] = (1, 4),
             sources_per_doc: int = 2, filler_sentences: tuple[int, int] = (2, 6),
             negatives: int = 0, swaps: tuple[tuple[str, str], ...] = SWAPS) -> list[PanPair]:
    """Suspicious documents mixing several sources' passages into filler text; one PanPair per (susp, src).

    Fillers must be text that reuses none of the sources. `negatives` extra pairs
    pair a filler-only document with a source, for false-claim checks.
    """
    if not sources or not fillers:
        raise ValueError("generate() needs at least one source text and one filler text")
    rng = random.Random(seed)
    filler_sents = [s.text for f in fillers for s in sentences(f)]
    vocabulary = [w for s in filler_sents for w in (list(s) if has_dense(s) else s.split())]
    pairs: list[PanPair] = []

    def filler() -> list[Piece]:
        return [Piece(rng.choice(filler_sents)) for _ in range(rng.randint(*filler_sentences))]

    for d in range(n_docs):
        chosen = rng.sample(range(len(sources)), min(sources_per_doc, len(sources)))
        pieces = filler()
        for _ in range(rng.randint(*passages_per_doc)):
            si = rng.choice(chosen)
            piece = reused_piece(sources[si], chosen.index(si), rng.choice(operations), rng, swaps=swaps,
                                 vocabulary=vocabulary)
            if piece:
                pieces += [piece] + filler()
        text, cases = assemble(pieces, len(chosen))
        for k, si in enumerate(chosen):
            # every case here comes from reused_piece, which names its operation: the filter drops nothing
            obf = sorted({c.obfuscation for c in cases[k] if c.obfuscation is not None})
            pairs.append(PanPair(f"suspicious-document{d:05d}.txt", f"source-document{si:05d}.txt", text,
                                 sources[si], cases[k], ",".join(obf) if obf else "no-plagiarism"))
    for n in range(negatives):
        si = rng.randrange(len(sources))
        text, _ = assemble(filler() + filler(), 0)
        pairs.append(PanPair(f"suspicious-document{n_docs + n:05d}.txt", f"source-document{si:05d}.txt", text,
                             sources[si], [], "no-plagiarism"))
    return pairs
