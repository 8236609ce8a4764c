"""The hostile-input matrix (issue 17): every reader and every command that reads articles, fed wrong-typed fields,
deep nesting, non-UTF-8, empty and huge files, in each file kind.

Each case runs the real `storymatch` command (in-process, through the same entry point and error handling as
`main()`) and asserts: the exit status; exactly one line on stderr naming the file (or, for ingest, one line of
the ingest report naming file:line); no "Traceback" anywhere; and a store the command read from or refused to
write to left byte-identical (its ingest report aside, which a run rewrites by design). The counts of cases and of
tracebacks are printed by `python -m pytest tests/test_hostile_inputs.py -s -k count` and reported in
docs/EVALUATION.md.
"""

from __future__ import annotations

import hashlib
import io
import json
import traceback
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from storymatch.cli import command, user_error
from storymatch.cli.common import error_line
from storymatch.errors import StorymatchError

ROOT = Path(__file__).resolve().parents[1]
SEED_B = ROOT / "examples" / "seed-b.txt"
GOOD = {"id": "good-1", "title": "Convoy struck near At-Tanf", "date": "2017-05-18", "language": "en",
        "text": "Coalition aircraft struck a convoy of pro-government fighters near the At-Tanf garrison on "
                "Thursday, officials said, after the vehicles ignored warnings to turn back."}

# field -> values of the wrong type or form; each is one bad record
WRONG = {
    "title": [["a", "b"], {"x": 1}, 7, True],
    "text": [["a"], 5, {"t": "x"}, "", "   "],
    "language": [7, ["en"], "english language!!"],
    "id": [["x"], {"a": 1}, True, 1.5],
    "source": [5, ["x"]],
    "url": [5, {"u": "x"}],
    "date": ["Smarch 45", {"y": 2017}, 20170519, [2017]],
}
DEEP = "[" * 200_000 + "]" * 200_000


@dataclass
class Run:
    code: int | str
    out: str
    err: str

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.out or "Traceback" in self.err

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def cli(*args: str) -> Run:
    """`storymatch ARGS` in-process, as `storymatch.cli.main` runs it; an escaping exception is a traceback."""
    out, err = io.StringIO(), io.StringIO()
    code: int | str = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            command()(args=list(args), prog_name="storymatch")
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except (StorymatchError, OSError) as e:
            if user_error(e) is None:
                err.write(traceback.format_exc())
                code = "traceback"
            else:
                error_line(user_error(e) or "")
                code = 2
        except BaseException:  # noqa: BLE001 - what main() would show as a traceback is what this test counts
            err.write(traceback.format_exc())
            code = "traceback"
    return Run(code, out.getvalue(), err.getvalue())


def store_digest(folder: Path) -> dict[str, str]:
    """Checksums of a store's files but its ingest report (rewritten by every ingest run by design)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file() and p.name != "ingest-report.txt"}


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "store"
    r = cli("ingest", str(ROOT / "tests" / "fixtures" / "corpus"), "--store", str(folder), "--tier", "fast")
    assert r.code == 0, r.err
    return folder


def _bad_records() -> list[tuple[str, object]]:
    return [(f"{field}={json.dumps(v)}", {**GOOD, "id": "bad-x", field: v}) for field, values in WRONG.items()
            for v in values]


def _single_files(tmp: Path) -> list[tuple[str, Path, str]]:
    """(case, file, what the error line must say) for files holding one bad article."""
    cases = []
    for i, (label, rec) in enumerate(_bad_records()):
        p = tmp / f"bad-{i}.json"
        p.write_text(json.dumps(rec), encoding="utf-8")
        cases.append((f".json {label}", p, label.split("=")[0] if not label.startswith("text=\"") else "text"))
    raw = {
        "deep.json": (DEEP, "nested"),
        "deep-meta.json": ('{"text": "x y z", "extra": ' + DEEP + "}", "nested"),
        "list.json": ("[1, 2]", "not a JSON object"),
        "number.json": ("5", "not a JSON object"),
        "unterminated.json": ('{"text": "abc', "invalid JSON"),
        "empty.json": ("", "empty"),
        "empty.txt": ("   \n", "empty"),
        "latin1.txt": ("Caf\xe9 ouvert le dimanche".encode("latin-1"), "UTF-8"),
        "latin1.json": (b'{"text": "Caf\xe9"}', "UTF-8"),
        "binary.txt": (b"\x00\x01\x02" * 100, "binary"),
        "huge.txt": ("word " * 700_000, "limit"),
        "long.txt": ("word " * 41_000, "200,000-character limit"),
        "deep.html": ("<html>" + "<div>" * 10 + "</div>" * 10 + "</html>", "no extractable"),
    }
    for name, (content, says) in raw.items():
        p = tmp / name
        p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        cases.append((name, p, says))
    return cases


def _says(line: str, says: str) -> bool:
    return says.lower() in line.lower() or (says == "date" and "date" in line)


COMMANDS = ["compare", "align", "search", "trace"]


def test_count_single_file_matrix(store, tmp_path, capsys):
    """Every command that reads one article file refuses every bad one with one line naming it, exit 2, no
    traceback, and the store it was to be searched or traced against unchanged."""
    files = _single_files(tmp_path)
    before = store_digest(store)
    failures, tracebacks, n = [], 0, 0
    for case, path, says in files:
        for cmd in COMMANDS:
            args = [cmd, str(path), str(SEED_B)] if cmd in ("compare", "align") else \
                [cmd, str(path), "--store", str(store)]
            r = cli(*args)
            n += 1
            tracebacks += r.traceback
            lines = r.err_lines
            ok = (r.code == 2 and not r.traceback and len(lines) == 1 and str(path) in lines[0]
                  and _says(lines[0], says))
            if not ok:
                failures.append(f"{cmd} {case}: exit {r.code}, stderr {r.err[-300:]!r}")
    assert store_digest(store) == before
    with capsys.disabled():
        print(f"\nsingle-file matrix: {n} cases ({len(files)} files x {len(COMMANDS)} commands), "
              f"{tracebacks} tracebacks, {len(failures)} failures")
    assert not failures, "\n".join(failures[:20])
    assert tracebacks == 0


def _bad_lines(kind: str) -> list[tuple[str, bytes, bool]]:
    """(case, the bad record as a line of `kind`, kept-with-a-note) for JSONL and CSV."""
    if kind == ".jsonl":
        out = [(label, json.dumps(rec).encode(), label.startswith("date=")) for label, rec in _bad_records()]
        out += [("deep", DEEP.encode(), False), ("list", b"[1, 2]", False), ("latin1", b'{"text": "Caf\xe9"}', False),
                ("unterminated", b'{"text": "abc', False), ("huge", json.dumps({"text": "w " * 2_000_000}).encode(),
                                                           False)]
        return out
    return [("empty text", b'bad-x,,"Some title"', False), ("latin1", b'bad-x,"Caf\xe9 ouvert",t', False),
            ("long", b'bad-x,"' + b"w " * 150_000 + b'",t', False), ("bad date", b'bad-x,"Some text here.",t,Smarch 45',
                                                                     True)]


def test_count_corpus_matrix(tmp_path, capsys):
    """ingest over JSONL and CSV with one bad record among good ones: the bad one is one line of the report naming
    file:line, the good ones are stored, exit 0; a record with an unreadable date is stored without it and
    reported. A file holding only the bad record exits 2 and leaves the store as it was."""
    failures, tracebacks, n = [], 0, 0
    for kind in (".jsonl", ".csv"):
        for i, (case, line, kept) in enumerate(_bad_lines(kind)):
            folder = tmp_path / f"s{kind[1:]}{i}"
            src = tmp_path / f"in{i}{kind}"
            if kind == ".jsonl":
                good2 = {**GOOD, "id": "good-2", "text": GOOD["text"] + " A second report."}
                src.write_bytes(json.dumps(GOOD).encode() + b"\n" + line + b"\n" + json.dumps(good2).encode() + b"\n")
            else:
                src.write_bytes(b"id,text,title,date\ngood-1,\"" + GOOD["text"].encode() + b"\",t,2017-05-18\n"
                                + line + b"\ngood-2,\"" + GOOD["text"].encode() + b' Again.",t,2017-05-18\n')
            r = cli("ingest", str(src), "--store", str(folder), "--json")
            n += 1
            tracebacks += r.traceback
            report = (folder / "ingest-report.txt").read_text(encoding="utf-8").splitlines()
            summary = json.loads(r.out) if r.code == 0 else {}
            want_added = 3 if kept else 2
            bad_line = 2 if kind == ".jsonl" else 3
            ok = (r.code == 0 and not r.traceback and len(report) == 1 and report[0].startswith(f"{src}:{bad_line}:")
                  and summary.get("added") == want_added and summary.get("bad") == (0 if kept else 1))
            if not ok:
                failures.append(f"ingest {kind} {case}: exit {r.code}, report {report}, out {r.out[-200:]!r}, "
                                f"err {r.err[-300:]!r}")
            if kept:
                continue
            # the bad record alone: nothing readable, exit 2, the store (made by the run above) unchanged
            alone = tmp_path / f"alone{i}{kind}"
            alone.write_bytes((b"id,text,title,date\n" if kind == ".csv" else b"") + line + b"\n")
            before = store_digest(folder)
            r = cli("ingest", str(alone), "--store", str(folder))
            n += 1
            tracebacks += r.traceback
            if not (r.code == 2 and not r.traceback and store_digest(folder) == before
                    and f"{alone}:" in (folder / "ingest-report.txt").read_text(encoding="utf-8")):
                failures.append(f"ingest alone {kind} {case}: exit {r.code}, err {r.err[-300:]!r}")
    with capsys.disabled():
        print(f"\ncorpus matrix: {n} ingest runs, {tracebacks} tracebacks, {len(failures)} failures")
    assert not failures, "\n".join(failures[:20])


def _eval_lines() -> dict[str, list[tuple[str, bytes]]]:
    pan_good = {"suspicious": "a b c d", "source": "a b c d", "obfuscation": "none",
                "cases": [{"susp_offset": 0, "susp_length": 3, "src_offset": 0, "src_length": 3}]}
    sem_good = {"pair_id": "1_2", "text1": "a b c", "text2": "d e f", "overall": 2.0}
    pan = [("list", b"[1, 2]"), ("latin1", b'{"suspicious": "caf\xe9"}'), ("deep", DEEP.encode()),
           ("string offset", json.dumps({**pan_good, "cases": [{**pan_good["cases"][0], "susp_offset": "0"}]})
            .encode()),
           ("numeric text", json.dumps({**pan_good, "suspicious": 5}).encode()),
           ("outside", json.dumps({**pan_good, "cases": [{**pan_good["cases"][0], "susp_length": 99}]}).encode()),
           ("cases object", json.dumps({**pan_good, "cases": {"a": 1}}).encode()),
           ("no obfuscation", json.dumps({k: v for k, v in pan_good.items() if k != "obfuscation"}).encode())]
    sem = [("list", b"[1, 2]\n"), ("latin1", b'{"text1": "caf\xe9"}'), ("deep", DEEP.encode()),
           ("nan", json.dumps({**sem_good, "overall": "nan"}).encode()),
           ("inf", json.dumps({**sem_good, "overall": "inf"}).encode()),
           ("off scale", json.dumps({**sem_good, "overall": 9}).encode()),
           ("text1 number", json.dumps({**sem_good, "text1": 5}).encode()),
           ("title list", json.dumps({**sem_good, "title1": ["a"]}).encode())]
    return {"pan": pan, "semeval": sem}


def test_count_eval_matrix(tmp_path, capsys):
    """`eval pan` and `eval semeval` on a JSONL whose second line is bad: one line naming file:2, exit 2."""
    failures, tracebacks, n = [], 0, 0
    good = {"pan": json.dumps({"suspicious": "a b c d", "source": "a b c d", "obfuscation": "none"}).encode(),
            "semeval": json.dumps({"pair_id": "1_2", "text1": "a b c", "text2": "d e f", "overall": 2.0}).encode()}
    for task, cases in _eval_lines().items():
        for i, (case, line) in enumerate(cases):
            src = tmp_path / f"{task}{i}.jsonl"
            src.write_bytes(good[task] + b"\n" + line.rstrip(b"\n") + b"\n")
            r = cli("eval", task, str(src), "--json")
            n += 1
            tracebacks += r.traceback
            lines = r.err_lines
            # semeval decodes its file whole: a stray byte is named by its offset in the file rather than a line
            named = f"{src}:2" in lines[0] if lines else False
            named |= bool(lines) and case == "latin1" and str(src) in lines[0] and "UTF-8" in lines[0]
            if not (r.code == 2 and not r.traceback and len(lines) == 1 and named):
                failures.append(f"eval {task} {case}: exit {r.code}, err {r.err[-300:]!r}")
    with capsys.disabled():
        print(f"\neval matrix: {n} cases, {tracebacks} tracebacks, {len(failures)} failures")
    assert not failures, "\n".join(failures)


def test_invalid_json_reads_cleanly(tmp_path):
    """"Unterminated string starting at at column 12" read as a stutter: the position follows a colon."""
    p = tmp_path / "u.jsonl"
    p.write_text('{"text": "abc\n', encoding="utf-8")
    from storymatch.inputs.readers import read_corpus

    [(where, err)] = list(read_corpus([p]))
    assert "invalid JSON (Unterminated string starting at: column 10)" in str(err) and " at at " not in str(err)


def test_max_chars_raises_the_limit(tmp_path):
    """The text limit is one setting the CLI raises per run: refused at 200,000 characters, read with more."""
    p = tmp_path / "long.txt"
    p.write_text("word " * 41_000, encoding="utf-8")
    r = cli("align", str(p), str(SEED_B), "--json")
    assert r.code == 2 and "205,000 characters, over the 200,000-character limit" in r.err
    r = cli("align", str(p), str(SEED_B), "--json", "--max-chars", "300000")
    assert r.code == 0 and json.loads(r.out)["a"]["chars"] == 205_000


@pytest.mark.slow  # about 20 s: 3,000 records through the real entry point
def test_one_wrong_typed_record_in_3000_costs_only_itself(tmp_path):
    """Issue 17's case: line 1,501's title a list stopped ingest at 1,280 stored, every run. Now the first run
    stores the 2,999 good records, names the bad line in the report and exits 0 (the real entry point)."""
    import subprocess
    import sys

    texts = [json.loads(line)["text"] for line in
             (ROOT / "tests" / "fixtures" / "corpus" / "week.jsonl").read_text(encoding="utf-8").splitlines()]
    src = tmp_path / "corpus.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for i in range(1, 3001):
            rec = {"id": f"r{i}", "title": f"Report {i}", "date": f"2017-05-{1 + i % 28:02d}",
                   "text": f"{texts[i % len(texts)]}\n\nFiled as report {i} of the week."}
            if i == 1501:
                rec["title"] = ["a", "b"]
            fh.write(json.dumps(rec) + "\n")
    folder = tmp_path / "S"
    r = subprocess.run([sys.executable, "-m", "storymatch", "ingest", str(src), "--store", str(folder), "--json"],
                       capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    summary = json.loads(r.stdout)
    assert summary["added"] == 2999 and summary["bad"] == 1 and summary["articles"] == 2999
    report = (folder / "ingest-report.txt").read_text(encoding="utf-8").splitlines()
    assert report == [f"{src}:1501: 'title' is a list, not a string"]
