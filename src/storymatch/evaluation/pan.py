"""The PAN text-alignment corpus layout and its character-level measures.

Layout: a `pairs` file (`<susp> <src>` per line), `susp/` and `src/` texts, and
`truth/<susp-stem>-<src-stem>.xml` with `<feature name="plagiarism" this_offset
this_length source_offset source_length obfuscation>`. Measures follow
Potthast et al. (2010), "An Evaluation Framework for Plagiarism Detection", as
computed by PAN's own evaluator: macro-averaged precision and recall over
characters of both documents, granularity, and plagdet = F1 / log2(1 + gran).
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from storymatch.alignment.aligner import align, union_length
from storymatch.alignment.types import AlignParams
from storymatch.errors import InputError
from storymatch.inputs.files import decode_text


@dataclass(frozen=True)
class Case:
    """A reused (or detected) passage: a range in the suspicious text and one in its source."""

    this_offset: int
    this_length: int
    source_offset: int
    source_length: int
    obfuscation: str | None = None

    @property
    def this_end(self) -> int:
        return self.this_offset + self.this_length

    @property
    def source_end(self) -> int:
        return self.source_offset + self.source_length


@dataclass
class PanPair:
    """One suspicious/source pair; `cases` is None where only pair-level truth is known."""

    susp_name: str
    src_name: str
    susp: str
    src: str
    cases: list[Case] | None
    obfuscation: str
    id: str = ""
    meta: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{Path(self.susp_name).stem}-{Path(self.src_name).stem}"


NO_REUSE = "no-plagiarism"


def read_truth(path: Path) -> list[Case]:
    """The plagiarism cases of one truth XML file."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        raise InputError(str(path), f"invalid truth XML ({e})") from None
    out = []
    for f in root.iter("feature"):
        if f.get("name") not in ("plagiarism", "detected-plagiarism") or f.get("this_offset") is None:
            continue
        try:
            out.append(Case(int(f.get("this_offset")), int(f.get("this_length")), int(f.get("source_offset")),
                            int(f.get("source_length")), f.get("obfuscation")))
        except (TypeError, ValueError):
            raise InputError(str(path), "feature without integer offsets and lengths") from None
    return out


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise InputError(str(path), "no such file")
    return decode_text(path.read_bytes(), str(path))


def read_layout(root: str | Path) -> list[PanPair]:
    """Every pair listed in `root/pairs`, with its texts and truth (None when there is no truth/)."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(str(root), "not a directory")
    pairs_file = root / "pairs"
    if not pairs_file.is_file():
        raise InputError(str(root), "no 'pairs' file: not a PAN text-alignment corpus")
    truth_dir = root / "truth"
    out = []
    for lineno, line in enumerate(pairs_file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2:
            raise InputError(str(pairs_file), f"line {lineno} is not '<susp> <src>'")
        susp_name, src_name = parts
        pair = PanPair(susp_name, src_name, _read_text(root / "susp" / susp_name), _read_text(root / "src" / src_name),
                       None, "unknown")
        if truth_dir.is_dir():
            tpath = truth_dir / f"{pair.key}.xml"
            pair.cases = read_truth(tpath) if tpath.is_file() else []
            kinds = sorted({c.obfuscation or "none" for c in pair.cases})
            pair.obfuscation = ",".join(kinds) if kinds else NO_REUSE
        out.append(pair)
    return out


def read_jsonl(path: str | Path) -> Iterator[PanPair]:
    """Pairs from a pan_dev.jsonl-style file (`source`, `suspicious`, `cases`, `obfuscation`)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "no such file")
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                cases = rec.get("cases")
                obf = rec["obfuscation"]
                pair = PanPair(rec.get("meta", {}).get("susp_doc", f"susp-{lineno}"),
                               rec.get("meta", {}).get("src_doc", f"src-{lineno}"), rec["suspicious"], rec["source"],
                               None if cases is None else
                               [Case(c["susp_offset"], c["susp_length"], c["src_offset"], c["src_length"], obf)
                                for c in cases], obf, str(rec.get("id", lineno)), rec.get("meta", {}))
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                raise InputError(str(path), f"line {lineno} is not a PAN pair record ({type(e).__name__}: {e})") \
                    from None
            yield pair


def write_detections(out_dir: str | Path, pair: PanPair, detections: Iterable[Case]) -> Path:
    """PAN's detection format: one `<susp-stem>-<src-stem>.xml` per pair."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    root = ET.Element("document", reference=pair.susp_name)
    for d in detections:
        ET.SubElement(root, "feature", name="detected-plagiarism", this_offset=str(d.this_offset),
                      this_length=str(d.this_length), source_reference=pair.src_name,
                      source_offset=str(d.source_offset), source_length=str(d.source_length))
    path = out_dir / f"{pair.key}.xml"
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def write_layout(out_dir: str | Path, pairs: list[PanPair]) -> Path:
    """A whole corpus in PAN's layout: `pairs`, `susp/`, `src/`, `truth/`."""
    out_dir = Path(out_dir)
    for sub in ("susp", "src", "truth"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    lines = []
    for p in pairs:
        (out_dir / "susp" / p.susp_name).write_text(p.susp, encoding="utf-8")
        (out_dir / "src" / p.src_name).write_text(p.src, encoding="utf-8")
        write_truth(out_dir / "truth", p)
        lines.append(f"{p.susp_name} {p.src_name}")
    (out_dir / "pairs").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out_dir


def write_truth(out_dir: str | Path, pair: PanPair) -> Path:
    """Truth XML for a pair with character-level cases (used by the synthetic generator)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    root = ET.Element("document", reference=pair.susp_name)
    for c in pair.cases or []:
        ET.SubElement(root, "feature", name="plagiarism", type="artificial", obfuscation=c.obfuscation or "none",
                      this_offset=str(c.this_offset), this_length=str(c.this_length),
                      source_reference=pair.src_name, source_offset=str(c.source_offset),
                      source_length=str(c.source_length))
    path = out_dir / f"{pair.key}.xml"
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


# ---- measures -------------------------------------------------------------------------------------------------

def _overlap(a0: int, a1: int, b0: int, b1: int) -> tuple[int, int] | None:
    lo, hi = max(a0, b0), min(a1, b1)
    return (lo, hi) if lo < hi else None


def _detects(r: Case, s: Case) -> bool:
    """PAN: r detects s when they share characters in both the suspicious and the source text."""
    return (_overlap(r.this_offset, r.this_end, s.this_offset, s.this_end) is not None
            and _overlap(r.source_offset, r.source_end, s.source_offset, s.source_end) is not None)


def _covered_share(x: Case, others: list[Case]) -> float:
    """Share of x's characters (both documents) inside the others that overlap it in both."""
    this, src = [], []
    for o in others:
        if _detects(o, x):
            this.append(_overlap(x.this_offset, x.this_end, o.this_offset, o.this_end))
            src.append(_overlap(x.source_offset, x.source_end, o.source_offset, o.source_end))
    size = x.this_length + x.source_length
    return (union_length(this) + union_length(src)) / size if size else 0.0


@dataclass
class Scores:
    precision: float
    recall: float
    granularity: float
    plagdet: float
    pairs: int
    cases: int
    detections: int

    def to_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def plagdet(truth: list[list[Case]], detections: list[list[Case]]) -> Scores:
    """PAN measures over a corpus given as per-pair lists of true cases and of detections."""
    n_cases = sum(len(t) for t in truth)
    n_det = sum(len(d) for d in detections)
    rec_sum = prec_sum = 0.0
    detected_cases = gran_sum = 0
    for cases, dets in zip(truth, detections):
        for s in cases:
            rec_sum += _covered_share(s, dets)
            hits = sum(1 for r in dets if _detects(r, s))
            if hits:
                detected_cases += 1
                gran_sum += hits
        for r in dets:
            prec_sum += _covered_share(r, cases)
    if n_cases == 0 and n_det == 0:
        precision = recall = 1.0
    else:
        # PAN's evaluator scores an empty side as 0.
        precision = prec_sum / n_det if n_det else 0.0
        recall = rec_sum / n_cases if n_cases else 0.0
    gran = gran_sum / detected_cases if detected_cases else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, gran, f1 / math.log2(1 + gran), len(truth), n_cases, n_det)


def report(pairs: list[PanPair], detections: list[list[Case]]) -> dict:
    """Overall and per-obfuscation PAN measures.

    Pairs with character truth are scored by plagdet; pairs without reuse report
    the share where something was wrongly claimed; pairs with only pair-level
    truth (`cases` None) report the share where reuse was found.
    """
    scored = [(p, d) for p, d in zip(pairs, detections) if p.cases is not None]
    overall = plagdet([p.cases for p, _ in scored], [d for _, d in scored])
    groups: dict[str, list[tuple[PanPair, list[Case]]]] = defaultdict(list)
    for p, d in zip(pairs, detections):
        if p.cases is None:
            groups[p.obfuscation].append((p, d))
            continue
        if not p.cases:
            groups[p.obfuscation if p.obfuscation != "unknown" else NO_REUSE].append((p, d))
            continue
        for k in {c.obfuscation or "none" for c in p.cases}:
            groups[k].append((p, d))
    by: dict[str, dict] = {}
    for k, items in sorted(groups.items()):
        n = len(items)
        hit = sum(1 for _, d in items if d)
        if items[0][0].cases is None:
            by[k] = {"pairs": n, "found": round(hit / n, 4), "pairs_found": hit}
        elif not items[0][0].cases:
            by[k] = {"pairs": n, "wrongly_claimed": round(hit / n, 4), "pairs_with_detections": hit,
                     "detections": sum(len(d) for _, d in items)}
        else:
            # In pairs mixing kinds, detections of the other kinds' cases are not this kind's errors.
            truth = [[c for c in p.cases if (c.obfuscation or "none") == k] for p, _ in items]
            dets = [[r for r in d if not any(_detects(r, c) for c in p.cases if (c.obfuscation or "none") != k)]
                    for p, d in items]
            by[k] = plagdet(truth, dets).to_dict()
    out = overall.to_dict()
    if not scored:  # no character-level truth at all: nothing to score
        out.update(precision=None, recall=None, granularity=None, plagdet=None)
    out["pairs"] = len(pairs)
    out["detections"] = sum(len(d) for d in detections)
    out["pairs_scored"] = len(scored)
    out["by_obfuscation"] = by
    return out


def detect(pair: PanPair, params: AlignParams | None = None) -> list[Case]:
    """storymatch's detections on a pair: align(suspicious, source) passages as PAN cases."""
    result = align(pair.susp, pair.src, params)
    return [Case(p.a_start, p.a_end - p.a_start, p.b_start, p.b_end - p.b_start) for p in result.passages]
