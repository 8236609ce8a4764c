"""Matching names across two articles: one rule for entities, places and evidence lists."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz

from storymatch.features.entities import Entity


@dataclass(frozen=True)
class NameGroup:
    """All mentions of one name in an article, under its matching key."""

    key: str
    name: str  # the most frequent surface form
    count: int


def group_names(entities: list[Entity]) -> dict[str, NameGroup]:
    by_key: dict[str, Counter] = {}
    for e in entities:
        k = e.key
        if k:
            by_key.setdefault(k, Counter())[e.text] += 1
    return {k: NameGroup(k, c.most_common(1)[0][0], sum(c.values())) for k, c in by_key.items()}


def keys_match(a: str, b: str) -> bool:
    """Same key, a near spelling, or one a short extension of the other (Syria/Syrian)."""
    if a == b:
        return True
    if a.startswith("country:") or b.startswith("country:"):
        return False
    if min(len(a), len(b)) >= 5 and (a.startswith(b) or b.startswith(a)) and abs(len(a) - len(b)) <= 3:
        return True
    # last-name mentions: "mattis" against "jim mattis"
    if " " in a or " " in b:
        ta, tb = a.split(), b.split()
        if ((len(ta) == 1 and ta[0] == tb[-1] and len(ta[0]) >= 4)
                or (len(tb) == 1 and tb[0] == ta[-1] and len(tb[0]) >= 4)):
            return True
    return min(len(a), len(b)) >= 6 and fuzz.ratio(a, b) >= 90


def match_groups(a: dict[str, NameGroup], b: dict[str, NameGroup]) -> list[tuple[NameGroup, NameGroup]]:
    """Pairs of name groups naming the same thing; each group used once."""
    pairs, used = [], set()
    for ka, ga in sorted(a.items(), key=lambda kv: -kv[1].count):
        if ka in b and ka not in used:
            pairs.append((ga, b[ka]))
            used.add(ka)
            continue
        for kb, gb in b.items():
            if kb not in used and keys_match(ka, kb):
                pairs.append((ga, gb))
                used.add(kb)
                break
    return pairs
