"""SemEval-2022 Task 8 pairs: reading them from JSONL or the official CSV layout.

A pair is two Articles and the annotators' seven scores (1 = very similar … 4 =
very dissimilar). The official CSV gives links only; users who scraped the
texts add them as columns (`text1`/`text2`, or `content1`, `body1`, …), which
is the layout read here along with the JSONL of ../shared/semeval22.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.inputs.files import decode_text
from storymatch.inputs.records import check_text, json_kind, parse_json
from storymatch.scoring.base import DIMENSIONS

SAME_STORY_MAX = 2.0  # gold same story: Overall <= 2.0 ("somewhat similar" or closer), as the issue defines it

_TEXT_COLS = ("text", "content", "body", "maintext", "ia_text")
_TITLE_COLS = ("title", "headline")
_LANG_COLS = ("lang", "language", "url{}_lang", "lang_{}")


@dataclass
class SemEvalPair:
    pair_id: str
    a: Article
    b: Article
    gold: dict[str, float] = field(default_factory=dict)

    @property
    def language_pair(self) -> str:
        return f"{self.a.language or '?'}-{self.b.language or '?'}"

    @property
    def same_story(self) -> bool | None:
        o = self.gold.get("overall")
        return None if o is None else o <= SAME_STORY_MAX

    @property
    def article_keys(self) -> tuple[str, str]:
        """Identities of the two articles, for grouping folds: the ids in pair_id when it has two."""
        parts = self.pair_id.split("_")
        if len(parts) == 2 and all(parts):
            return parts[0], parts[1]
        return str(self.a.id), str(self.b.id)


# The scale's ends: a gold score outside them (or "nan", "inf") is a broken file, not a very dissimilar pair.
SCALE = (1.0, 4.0)


def _col(row: Mapping[str, object], names: tuple[str, ...], side: str, where: str) -> str | None:
    """Value of the first column naming this side ('1'/'2') in any of the usual spellings; a JSON value that
    is not a string (`"text1": 5`) is an InputError rather than text."""
    lower = {str(k).strip().lower(): (k, v) for k, v in row.items() if k is not None}
    for n in names:
        for key in ((n.format(side),) if "{}" in n
                    else (f"{n}{side}", f"{n}_{side}", f"{n}_a" if side == "1" else f"{n}_b")):
            k, v = lower.get(key, (key, None))
            if v in (None, ""):
                continue
            if not isinstance(v, str):
                raise InputError(where, f"'{k}' is {json_kind(v)}, not a string")
            return v
    return None


def _score(v: Any, dim: str, pid: str, where: str) -> float:
    """A gold score: a finite number on the 1-4 scale (a number or a numeric string, as CSV gives it)."""
    try:
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            raise TypeError
        x = float(v)
    except (TypeError, ValueError):
        raise InputError(where, f"pair {pid}: {dim} score {v!r} is not a number") from None
    if not math.isfinite(x) or not SCALE[0] <= x <= SCALE[1]:
        raise InputError(where, f"pair {pid}: {dim} score {v!r} is not on the 1-4 scale")
    return x


def pair_from_record(rec: Mapping[str, object], name: str, line: int | None = None) -> SemEvalPair:
    """One JSON object or CSV row to a pair; an InputError names the file:line when something is missing."""
    where = f"{name}:{line}" if line else name
    if not isinstance(rec, Mapping):
        raise InputError(where, f"record is {json_kind(rec)}, not a JSON object")
    pid = str(rec.get("pair_id") or rec.get("id") or line or "")
    arts = []
    for side in ("1", "2"):
        text = _col(rec, _TEXT_COLS, side, where)
        if text is None or not text.strip():
            raise InputError(where, f"pair {pid}: no text for article {side} (expected a column like text{side}; "
                                    "the official CSV has links only, so add the scraped texts)")
        check_text(text, where)
        title = _col(rec, _TITLE_COLS, side, where)
        lang = _col(rec, _LANG_COLS, side, where)
        arts.append(Article(text=text, title=title, language=lang.strip().lower() if lang else None,
                            source=f"{name}:{pid}:{side}"))
    gold: dict[str, float] = {}
    lower: dict[str, Any] = {str(k).strip().lower(): v for k, v in rec.items() if k is not None}
    for dim in DIMENSIONS:
        v = lower.get(dim)
        if v in (None, ""):
            continue
        gold[dim] = _score(v, dim, pid, where)
    return SemEvalPair(pid, arts[0], arts[1], gold)


def _jsonl(text: str, name: str) -> Iterator[SemEvalPair]:
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        yield pair_from_record(parse_json(line, f"{name}:{i}", line=True), name, i)


def _csv(text: str, name: str) -> Iterator[SemEvalPair]:
    csv.field_size_limit(1 << 30)
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "pair_id" not in {f.strip().lower() for f in reader.fieldnames}:
        raise InputError(name, "CSV has no pair_id column (expected the SemEval-2022 Task 8 layout)")
    try:
        for row in reader:
            yield pair_from_record(row, name, reader.line_num)
    except csv.Error as e:
        raise InputError(f"{name}:{reader.line_num}", f"malformed CSV ({e})") from None


def read_pairs(path: str | Path, limit: int | None = None) -> list[SemEvalPair]:
    """All pairs in a SemEval JSONL or CSV file (the first `limit` when given)."""
    name = str(path)
    p = Path(path)
    if not p.exists():
        raise InputError(name, "no such file")
    if p.is_dir():
        raise InputError(name, "is a directory, not a SemEval pairs file")
    text = decode_text(p.read_bytes(), name)
    head = text.lstrip()[:1]
    rows: Iterator[SemEvalPair]
    if head == "[":  # a JSON array of records rather than JSON lines
        data = parse_json(text, name)
        rows = (pair_from_record(r, name, i) for i, r in enumerate(data, 1))
    elif head == "{" or p.suffix.lower() in (".jsonl", ".json"):
        rows = _jsonl(text, name)
    else:
        rows = _csv(text, name)
    out: list[SemEvalPair] = []
    for pair in rows:
        out.append(pair)
        if limit and len(out) >= limit:
            break
    if not out:
        raise InputError(name, "no pairs in file")
    return out
