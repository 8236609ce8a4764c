"""The translated-patchwork evaluation data: hand-written texts in four languages, and the English news they use.

`benchmarks/data/translated_patchworks/` holds only text written for this project, and references:

- `sources.json`: for each event, where its English article is (`source`: a file of ../shared, the record's id and
  field, or the project's `examples/seed-b.txt`), the three sentences of it that were translated, as character
  offsets with the first 12 hex digits of the sentence's SHA-1 (checked when the texts are read, so a changed file
  is noticed), and `other`: another outlet's English report of the same event (BASIL's other outlets, the other
  side of a SemEval same-story pair), where there is one.
- `de.json`, `fr.json`, `es.json`, `ru.json`: for each event, a `patchwork` (the three sentences translated by hand,
  as a human translator would, `[k, text]` with k the sentence's place in `sentences`, mixed with two sentences
  written in that language for the occasion, `[null, text]`) and an `independent` report (four sentences written
  in that language telling the same event's facts in other words and another order: a report that shares facts,
  names and numbers with the English article and no sentence). Where the first draft of a report told its facts
  in the English article's order, sentence by sentence (28 of the 76: a free translation, rather than a report of
  its own), it was rewritten in another order and the draft kept as `independent_first_draft`: those drafts are a
  harder negative, measured apart (`independent-draft` pairs).

No text of ../shared is stored in the project (its licences forbid it): the English articles are read from there
when the benchmark runs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "translated_patchworks"
SHARED = ROOT.parent / "shared"
LANGUAGES = ("de", "fr", "es", "ru")
PARAGRAPH = 2  # sentences a paragraph of an assembled text: news paragraphs hold one to three


@dataclass
class Translated:
    """One translated sentence: its range in the patchwork and its original's range in the English article."""

    start: int
    end: int
    src_start: int
    src_end: int


@dataclass
class Pair:
    """A text in another language against an English article, with what of it translates what."""

    language: str
    event: str
    kind: str  # "patchwork" | "patchwork-other" | "independent" | "independent-other" | "independent-draft"
    text: str
    english: str
    translated: list[Translated] = field(default_factory=list)  # empty: nothing of it is a translation
    own: list[tuple[int, int]] = field(default_factory=list)  # sentences written in the language (patchworks)


def _record(file: str, record: str, fld: str, shared: Path) -> str:
    with (shared / file).open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r.get("pair_id", r.get("id")) == record:
                return r[fld]
    raise KeyError(f"{file}: no record {record}")


def _text(ref: dict, shared: Path) -> str:
    if "record" not in ref:
        return (ROOT / ref["file"]).read_text(encoding="utf-8")
    return _record(ref["file"], ref["record"], ref["field"], shared)


def available(shared: Path = SHARED) -> bool:
    return (shared / "semeval22" / "train.jsonl").is_file() and (shared / "clustering" / "basil.jsonl").is_file()


def assemble(sentences: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Sentences into one text, PARAGRAPH a paragraph, and each sentence's range in it."""
    parts: list[str] = []
    spans = []
    pos = 0
    for k, s in enumerate(sentences):
        if k:
            sep = "\n\n" if k % PARAGRAPH == 0 else " "
            parts.append(sep)
            pos += len(sep)
        spans.append((pos, pos + len(s)))
        parts.append(s)
        pos += len(s)
    return "".join(parts), spans


def load(languages: tuple[str, ...] = LANGUAGES, shared: Path = SHARED) -> list[Pair]:
    """Every pair of the evaluation, its English side read from `shared` (KeyError/ValueError if it moved)."""
    sources = json.loads((DATA / "sources.json").read_text(encoding="utf-8"))
    english: dict[str, tuple[str, str | None]] = {}
    for event, ref in sources.items():
        text = _text(ref["source"], shared)
        for s, e, digest in ref["sentences"]:
            if hashlib.sha1(text[s:e].encode("utf-8")).hexdigest()[:12] != digest:
                raise ValueError(f"{ref['source']}: sentence {s}-{e} of {event} is not the one translated")
        english[event] = (text, _text(ref["other"], shared) if "other" in ref else None)
    pairs: list[Pair] = []
    for lang in languages:
        cases = json.loads((DATA / f"{lang}.json").read_text(encoding="utf-8"))
        for event, case in cases.items():
            src, other = english[event]
            src_spans = sources[event]["sentences"]
            text, spans = assemble([t for _, t in case["patchwork"]])
            done = [Translated(a, b, src_spans[k][0], src_spans[k][1])
                    for (k, _), (a, b) in zip(case["patchwork"], spans) if k is not None]
            own = [span for (k, _), span in zip(case["patchwork"], spans) if k is None]
            pairs.append(Pair(lang, event, "patchwork", text, src, done, own))
            report, _ = assemble(case["independent"])
            pairs.append(Pair(lang, event, "independent", report, src))
            if other is not None:
                pairs.append(Pair(lang, event, "patchwork-other", text, other, [], own))
                pairs.append(Pair(lang, event, "independent-other", report, other))
            if "independent_first_draft" in case:
                draft, _ = assemble(case["independent_first_draft"])
                pairs.append(Pair(lang, event, "independent-draft", draft, src))
    return pairs
