"""The PAN text-alignment corpus layout (reading and writing it), and storymatch's detections on a pair.

Layout: a `pairs` file (`<susp> <src>` per line), `susp/` and `src/` texts, and
`truth/<susp-stem>-<src-stem>.xml` with `<feature name="plagiarism" this_offset
this_length source_offset source_length obfuscation>`. The measures are plagdet.py's.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from storymatch.alignment.aligner import align
from storymatch.alignment.types import AlignParams
from storymatch.errors import InputError
from storymatch.inputs.files import decode_text
from storymatch.inputs.records import json_kind, parse_json


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
        try:  # a missing attribute reads as "", which int() rejects like any non-number
            out.append(Case(int(f.get("this_offset", "")), int(f.get("this_length", "")),
                            int(f.get("source_offset", "")), int(f.get("source_length", "")), f.get("obfuscation")))
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
    for lineno, line in enumerate(decode_text(pairs_file.read_bytes(), str(pairs_file)).splitlines(), 1):
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
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            where = f"{path}:{lineno}"
            try:
                line = raw.decode("utf-8-sig")
            except UnicodeDecodeError as e:
                raise InputError(where, f"not UTF-8 text (bad byte at offset {e.start})") from None
            if not line.strip():
                continue
            yield pair_from_json(parse_json(line, where, line=True), where, lineno)


def pair_from_json(rec: object, where: str, lineno: int) -> PanPair:
    """One pan_dev.jsonl record to a pair, every field checked: texts are strings, offsets and lengths whole
    numbers inside their text (a string offset or a numeric text is the file's fault, named by its line)."""
    if not isinstance(rec, dict):
        raise InputError(where, f"record is {json_kind(rec)}, not a PAN pair object")

    def field_of(obj: dict, key: str, kind: type, what: str):
        v = obj.get(key)
        if not isinstance(v, kind) or isinstance(v, bool):
            raise InputError(where, f"'{key}' is {json_kind(v) if key in obj else 'missing'}, not {what}")
        return v

    susp = field_of(rec, "suspicious", str, "a string")
    src = field_of(rec, "source", str, "a string")
    obf = field_of(rec, "obfuscation", str, "a string")
    meta = rec.get("meta", {})
    if not isinstance(meta, dict):
        raise InputError(where, f"'meta' is {json_kind(meta)}, not an object")
    raw_cases = rec.get("cases")
    cases: list[Case] | None = None
    if raw_cases is not None:
        if not isinstance(raw_cases, list):
            raise InputError(where, f"'cases' is {json_kind(raw_cases)}, not a list")
        cases = []
        for i, c in enumerate(raw_cases):
            if not isinstance(c, dict):
                raise InputError(where, f"case {i} is {json_kind(c)}, not an object")
            nums = [field_of(c, k, int, "a whole number") for k in ("susp_offset", "susp_length", "src_offset",
                                                                  "src_length")]
            if min(nums) < 0 or nums[0] + nums[1] > len(susp) or nums[2] + nums[3] > len(src):
                raise InputError(where, f"case {i} lies outside its texts (offsets and lengths {nums})")
            cases.append(Case(nums[0], nums[1], nums[2], nums[3], obf))
    name = str(meta.get("susp_doc") or f"susp-{lineno}")
    return PanPair(name, str(meta.get("src_doc") or f"src-{lineno}"), susp, src, cases, obf,
                   str(rec.get("id", lineno)), meta)


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



def detect(pair: PanPair, params: AlignParams | None = None) -> list[Case]:
    """storymatch's detections on a pair: align(suspicious, source) passages as PAN cases."""
    result = align(pair.susp, pair.src, params)
    return [Case(p.a_start, p.a_end - p.a_start, p.b_start, p.b_end - p.b_start) for p in result.passages]
