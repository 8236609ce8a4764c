"""The same-story verifier: do two articles report the same event? One answer for compare, search, cluster,
report, the story browser and Spark.

It reads what is cheap to keep for every article (features/story_signals.py: the article vector's cosine, title
words, names, countries and places, day-level dates, numbers, publication dates, shared text) so it can run on
every candidate pair of a corpus; the full comparison (comparison/) stays for explaining a verdict. Two events of
one topic share vocabulary but not particulars: the trees learn how much a shared name, a conflicting date or a
week between publications weigh against a high cosine. It is trained on the SemEval-2022 pairs (same story =
Overall <= 2) and the labelled clustering sets (evaluation/verifier_training.py; benchmarks/stories.py reports it
leave-one-dataset-out) and shipped as models/verifier.json.gz.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from storymatch.embedding.base import MINILM, USE_MULTILINGUAL
from storymatch.errors import InputError, ModelUnavailable
from storymatch.features.story_signals import StorySignals
from storymatch.scoring.trees import TreeEnsemble

FORMAT = "storymatch-verifier/1"
HEADLINE_BACKENDS = (MINILM, USE_MULTILINGUAL)
SHIPPED = Path(__file__).resolve().parents[1] / "models" / "verifier.json.gz"
FEATURES = ("cos", "title_overlap", "title_jaccard", "names_shared", "names_overlap", "names_min",
            "countries_overlap", "countries_conflict", "places_shared", "places_overlap", "dates_shared",
            "dates_gap", "numbers_shared", "numbers_overlap", "gap_days", "both_dated", "shared_text",
            "log_words_min", "log_words_max", "cos_rank", "cos_below_best", "headline_cos", "name_cos",
            "lead_names_in_other", "lead_numbers_in_other", "lead_when_in_other")


HEADLINE_WORDS = 60  # words of the text after the title that a headline vector reads


def _overlap(a: frozenset[str], b: frozenset[str]) -> tuple[int, float]:
    shared = len(a & b)
    return shared, shared / min(len(a), len(b)) if a and b else math.nan


def pair_features(a: StorySignals, b: StorySignals, cos: float, shared_text: float = 0.0, rank: float = math.nan,
                  best_cos: float = math.nan, headline_cos: float = math.nan) -> list[float]:
    """The verifier's input for one pair, in FEATURES order; NaN where a side has nothing to compare.

    `rank` and `best_cos` place b among a's candidates (b's rank by cosine, and a's best candidate's cosine), when
    the pair comes from a search for a's neighbours: a cosine means more as the nearest neighbour of a headline
    than as the tenth of a long article, and how far the best neighbour's cosine runs depends on the text form
    of a corpus, not on the story. A pair without that context (compare) leaves them missing. `headline_cos` is
    the sentence model's cosine of the two headlines (headline_vectors): two reports of one event written in other
    words, or in other languages, share few words but say the same thing at the top.
    """
    title_shared, title_overlap = _overlap(a.title, b.title)
    union = len(a.title | b.title)
    names_shared, names_overlap = _overlap(a.names, b.names)
    _, countries_overlap = _overlap(a.countries, b.countries)
    places_shared, places_overlap = _overlap(a.places, b.places)
    dates_shared, _ = _overlap(a.dates, b.dates)
    dates_gap = _nearest_days(a.dates, b.dates)
    numbers_shared, numbers_overlap = _overlap(a.numbers, b.numbers)
    both_dated = a.published is not None and b.published is not None
    # Days apart, the next day counted as the same: time zones and the next morning's papers put one event's
    # reports on two dates. Counted exactly, the trees learned from day-labelled sets that one day apart meant
    # another story (a German report of the At-Tanf strike the day after the English wire: p=0.08, same day 0.93).
    gap = max(abs((a.published - b.published).days) - 1, 0) if a.published and b.published else math.nan
    return [
        cos, title_overlap, title_shared / union if union else math.nan, float(names_shared), names_overlap,
        float(min(len(a.names), len(b.names))), countries_overlap,
        float(bool(a.countries) and bool(b.countries) and not a.countries & b.countries),
        float(places_shared), places_overlap, float(dates_shared),
        math.log1p(dates_gap) if not math.isnan(dates_gap) else math.nan, float(numbers_shared), numbers_overlap,
        math.log1p(gap) if both_dated else math.nan, float(both_dated), shared_text,
        # no same-language feature: a story is the same story in any language, and the only cross-language
        # pairs to learn from (127 SemEval de-en pairs) taught the trees to doubt every translated report
        math.log1p(min(a.words, b.words)), math.log1p(max(a.words, b.words)),
        rank, cos - best_cos, headline_cos, _count_cosine(a.name_counts, b.name_counts),
        _lead_in_other(a.lead, b.names, b.lead, a.names), _lead_in_other(a.lead_numbers, b.numbers, b.lead_numbers,
                                                                         a.numbers),
        _lead_in_other(a.lead_when, b.when, b.lead_when, a.when),
    ]


def _count_cosine(a: dict[str, int], b: dict[str, int]) -> float:
    """Cosine of two articles' name counts (NaN when one names nothing): who a report is about is who it names
    again and again. Two reports of one Oscar host name that host throughout, two of the next year's another; on
    the ECB+ pairs of one topic the counts' cosine told the two events apart better than the shared names alone
    (ROC-AUC 0.828 against 0.811)."""
    if not a or not b:
        return math.nan
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def _lead_in_other(lead_a: frozenset[str], all_b: frozenset[str], lead_b: frozenset[str],
                   all_a: frozenset[str]) -> float:
    """The share of each lead's particulars (names, numbers or days) that the other article mentions anywhere, the
    mean of both ways (NaN when neither lead has any).

    The lead says who, where, when and how many; a report of the same event says them too, one of another event of
    the kind does not: two Indian Navy actions against pirates in the Gulf of Aden, one "on Saturday" with 23
    captured, the other "on Thursday" with 26, share every name and differ in those.
    """
    shares = [len(x & y) / len(x) for x, y in ((lead_a, all_b), (lead_b, all_a)) if x]
    return sum(shares) / len(shares) if shares else math.nan


def headline_text(title: str | None, text: str, words: int = HEADLINE_WORDS) -> str:
    """What the headline vector reads: the title and the text's first words (the lead tier's text).

    The title alone was too little to recognise a retelling: a report headed "American jets hit Iran-backed
    fighters approaching desert garrison" met the At-Tanf wire's headline at cosine 0.44 (MiniLM), its lead at 0.61.
    The lead is where a news story says what happened, and MiniLM reads only 256 word pieces anyway.
    """
    lead = text.split()[:words]
    return " ".join([*title.split(), "."] + lead) if title else " ".join(lead)


def headline_cosine(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> float:
    """Cosine of two articles' headline vectors in a backend both have (English MiniLM first, then the
    multilingual space), NaN when they share none."""
    for backend in HEADLINE_BACKENDS:
        if backend in a and backend in b:
            return float(np.clip(a[backend] @ b[backend], -1.0, 1.0))
    return math.nan


def _nearest_days(a: frozenset[str], b: frozenset[str]) -> float:
    """Days between the closest pair of dates the two articles mention (NaN when one mentions none).

    A gap rather than "no date shared": one report of a night strike says "last night" (the 17th), the next
    "on Thursday" (the 18th); a day apart is one event, weeks apart another.
    """
    if not a or not b:
        return math.nan
    days_a = sorted(_dt.date.fromisoformat(d).toordinal() for d in a)
    return float(min(min(abs(x - y) for x in days_a) for y in (_dt.date.fromisoformat(d).toordinal() for d in b)))


def key_overlap(a: frozenset[int], b: frozenset[int]) -> float:
    """Shared text, from two articles' sentence LSH keys: the share of the smaller set both hold."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


@dataclass
class Verifier:
    """Trees over pair_features, giving P(same story); `threshold` is the verdict's cut (0.5 unless trained
    otherwise)."""

    trees: TreeEnsemble
    threshold: float = 0.5
    meta: dict[str, Any] = field(default_factory=dict)
    name: str = "verifier"

    def probabilities(self, rows: Sequence[Sequence[float]]) -> np.ndarray:
        if not len(rows):
            return np.zeros(0)
        margin = self.trees.predict(np.asarray(rows, dtype=np.float64))
        return 1.0 / (1.0 + np.exp(-margin))

    def probability(self, a: StorySignals, b: StorySignals, cos: float, shared_text: float = 0.0) -> float:
        return float(self.probabilities([pair_features(a, b, cos, shared_text)])[0])

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"format": FORMAT, "features": list(FEATURES), "threshold": self.threshold, "trees": self.trees.text,
               "meta": self.meta}
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
            fh.write(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
        return path

    @classmethod
    def load(cls, path: str | Path) -> "Verifier":
        name = str(path)
        try:
            with gzip.open(path, "rb") as fh:
                doc = json.loads(fh.read().decode("utf-8"))
            if doc.get("format") != FORMAT or doc.get("features") != list(FEATURES):
                raise ValueError("another format or feature set")
            return cls(TreeEnsemble.from_lightgbm(doc["trees"]), float(doc["threshold"]), doc.get("meta") or {})
        except FileNotFoundError:
            raise InputError(name, "no such verifier file") from None
        except (OSError, EOFError, ValueError, KeyError, TypeError, AttributeError):
            raise InputError(name, "not a storymatch verifier file (from benchmarks/stories.py --fit)") from None


def describe_verifier(verifier: Verifier, headline_backends: Sequence[str] = ()) -> str:
    """The verifier as results name it: which file, what it was fitted on, the models its headlines went through."""
    fitted = ", ".join(verifier.meta.get("trained_on", [])) or "unknown data"
    through = f"; headlines through {' and '.join(headline_backends)}" if headline_backends else ""
    return f"same-story verifier (storymatch/models/verifier.json.gz, fitted on {fitted}){through}"


@lru_cache(maxsize=1)
def shipped_verifier() -> Verifier:
    """The verifier shipped in the package, loaded once."""
    if not SHIPPED.is_file():
        raise ModelUnavailable(str(SHIPPED), "the shipped same-story verifier is missing; reinstall storymatch")
    return Verifier.load(SHIPPED)
