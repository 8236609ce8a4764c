"""Which scorer a comparison uses: the learned one shipped in the package, "rules", or a file the user names.

The shipped file, storymatch/models/scorer.json.gz, is loaded once per process. There is no silent fallback:
a missing or unreadable scorer is an error naming it, never quietly the rule scorer.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from storymatch.errors import ModelUnavailable
from storymatch.scoring.base import Scorer
from storymatch.scoring.learned import LearnedScorer
from storymatch.scoring.rules import RuleScorer

SHIPPED = Path(__file__).resolve().parents[1] / "models" / "scorer.json.gz"
RULES = "rules"


@lru_cache(maxsize=1)
def load_shipped() -> LearnedScorer:
    """The scorer shipped inside the package, loaded once."""
    if not SHIPPED.is_file():
        raise ModelUnavailable(str(SHIPPED), "the shipped scorer is missing from this install; reinstall storymatch "
                                             "(or pass --scorer rules)")
    return LearnedScorer.load(SHIPPED)


def default_scorer() -> Scorer:
    """The learned scorer shipped in the package."""
    return load_shipped()


def describe_scorer(scorer: Scorer) -> str:
    """The scorer as results name it: the shipped file, the user's file (and what it was fitted on), or the rules."""
    if isinstance(scorer, RuleScorer):
        return "rules (hand-set, storymatch/scoring/rules.py)"
    if isinstance(scorer, LearnedScorer):
        source = scorer.source or "in memory"
        if source == str(SHIPPED):
            source = "shipped, storymatch/models/scorer.json.gz"
        fitted = (scorer.meta or {}).get("trained_on")
        return f"learned ({source}" + (f", fitted on {fitted})" if fitted else ")")
    return scorer.name


def load_scorer(path: str | None) -> Scorer:
    """A scorer from a file (`compare --scorer PATH`), "rules", or the default."""
    if not path:
        return default_scorer()
    if path == RULES:
        return RuleScorer()
    return LearnedScorer.load(path)
