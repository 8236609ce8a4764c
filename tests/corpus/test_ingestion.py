"""Ingest: idempotent, resumable after kill -9, and bad records cost only themselves."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from storymatch.corpus.ingestion import ingest
from storymatch.corpus.store import DB_NAME, Store

CLI = [sys.executable, "-c", "from storymatch.cli import main; main()"]


def synthetic_corpus(path: Path, n: int, seed: int = 0) -> Path:
    """n short English-like articles over a 3,000-word vocabulary, some sharing a sentence."""
    rng = np.random.default_rng(seed)
    syllables = ("ka", "lo", "mi", "ne", "po", "ru", "sa", "ti", "vu", "ze")
    vocab = np.array([f"{a}{b}" for a in syllables for b in range(300)])
    shared = [" ".join(rng.choice(vocab, 12)).capitalize() + "." for _ in range(50)]
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            sents = [" ".join(rng.choice(vocab, rng.integers(8, 16))).capitalize() + "."
                     for _ in range(rng.integers(3, 7))]
            if i % 10 == 0:
                sents.insert(1, shared[i % 50])
            fh.write(json.dumps({"id": f"n{i}", "text": " ".join(sents), "lang": "en",
                                 "date": f"2020-01-{1 + i % 28:02d}", "source": f"outlet{i % 7}"}) + "\n")
    return path


def dump(store_dir: Path) -> dict:
    """Every table's content, for comparing two stores."""
    db = sqlite3.connect(store_dir / DB_NAME)
    out = {t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
           for t in ("articles", "features", "lsh_keys", "vectors", "meta")}
    rows = db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
    db.close()
    vec_file = store_dir / "vectors-fast.f16"
    if vec_file.exists():  # the committed rows only: that is all a reader ever sees
        out["vector_file"] = vec_file.read_bytes()[: rows * 1024 * 2]
        assert len(out["vector_file"]) == rows * 1024 * 2
    return out


def run_cli(*args, **kw):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=600, **kw)


def descendants(pid: int) -> list[int]:
    """The processes started by `pid`, and theirs (Linux: read from /proc)."""
    parent = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(stat.parent.name)] = int(fields[1])
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        children = [child for child, up in parent.items() if up == current]
        found += children
        todo += children
    return found


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def start_ingest_until(src: Path, store: Path, args: list[str], count: int) -> subprocess.Popen:
    """An ingest running in a subprocess, returned once the store holds at least `count` articles."""
    # Ctrl-C at a terminal: SIGINT as a shell's foreground command has it. A test run started in the background of
    # a non-interactive shell (`.ci/run &`) passes SIGINT on ignored, and the ingest ran to its end (exit 0).
    proc = subprocess.Popen([*CLI, "ingest", str(src), "--store", str(store), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
        try:
            with sqlite3.connect(store / DB_NAME, timeout=1) as db:
                if db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] >= count:
                    break
        except sqlite3.Error:
            continue
    assert proc.poll() is None, "ingest finished before it could be interrupted"
    return proc


@pytest.fixture(scope="module")
def corpus_10k(tmp_path_factory) -> Path:
    return synthetic_corpus(tmp_path_factory.mktemp("corpus") / "news.jsonl", 10_000)


@pytest.mark.slow
def test_kill_9_mid_ingest_then_rerun_equals_uninterrupted(tmp_path, corpus_10k):
    reference = tmp_path / "reference"
    args = ["--tier", "fast", "--batch-size", "200", "--no-index"]
    r = run_cli("ingest", str(corpus_10k), "--store", str(reference), *args)
    assert r.returncode == 0, r.stderr

    killed = tmp_path / "killed"
    proc = start_ingest_until(corpus_10k, killed, args, 3000)
    helpers = descendants(proc.pid)  # its worker pool: workers, fork server, resource tracker
    assert helpers or (os.cpu_count() or 1) < 2  # two cores: the pool runs from 1,000 records
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 20
    while time.time() < deadline and [p for p in helpers if Path(f"/proc/{p}").exists()]:
        time.sleep(0.2)
    left = [p for p in helpers if Path(f"/proc/{p}").exists() and "Z" not in _state(p)]
    assert not left, f"processes of the killed ingest still running: {left}"
    with Store(killed) as s:  # consistent: every stored article has its features and its vector
        n = s.count()
        assert 3000 <= n < 10_000
        assert s.db.execute("SELECT COUNT(*) FROM features").fetchone()[0] == n
        assert s.vector_count("fast") == n

    r = run_cli("ingest", str(corpus_10k), "--store", str(killed), *args, "--json")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["existing"] == n and summary["added"] == 10_000 - n
    assert dump(killed) == dump(reference)


@pytest.mark.slow
def test_ctrl_c_stops_between_batches_with_one_line(tmp_path, corpus_10k):
    store = tmp_path / "s"
    proc = start_ingest_until(corpus_10k, store, ["--tier", "none", "--batch-size", "200"], 1000)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "Run the same command again to resume" in err and "Traceback" not in err
    with Store(store) as s:
        n = s.count()
        assert n % 200 == 0 and s.db.execute("SELECT COUNT(*) FROM features").fetchone()[0] == n


def test_reingest_changes_nothing(tmp_path):
    src = synthetic_corpus(tmp_path / "small.jsonl", 300, seed=3)
    with Store(tmp_path / "s", create=True) as s:
        first = ingest([src], s, tier="none")
        before = dump(tmp_path / "s")
        again = ingest([src], s)
        assert (first.added, again.added, again.existing) == (300, 0, 300)
        assert dump(tmp_path / "s") == before


def test_bad_files_and_lines_are_reported_and_the_rest_ingested(tmp_path, seed_a, seed_b):
    data = tmp_path / "in"
    data.mkdir()
    good = [{"id": "j1", "text": seed_b}, {"id": "j2", "text": "A short but good record about a ferry."}]
    (data / "mixed.jsonl").write_text("\n".join([json.dumps(good[0]), '{"id": "broken", "text": "unterminated',
                                                 "\x00\x01\x02 binary junk", json.dumps(good[1])]) + "\n",
                                      encoding="utf-8")
    (data / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 20)
    (data / "empty.txt").write_bytes(b"")
    (data / "seed-a.txt").write_text(seed_a, encoding="utf-8")
    store = tmp_path / "store"
    r = run_cli("ingest", str(data), "--store", str(store), "--tier", "none")
    assert r.returncode == 0, r.stderr
    assert "4 bad records" in " ".join(r.stderr.split())
    report = (store / "ingest-report.txt").read_text(encoding="utf-8").splitlines()
    assert len(report) == 4
    assert any(line.startswith(f"{data / 'mixed.jsonl'}:2:") and "invalid JSON" in line for line in report)
    assert any(line.startswith(f"{data / 'mixed.jsonl'}:3:") for line in report)
    assert any(line.startswith(str(data / "photo.jpg")) and "binary" in line for line in report)
    assert any(line.startswith(str(data / "empty.txt")) and "empty" in line for line in report)
    with Store(store) as s:
        assert sorted(a.article.id for a in s.iter_articles()) == ["j1", "j2", "seed-a"]


def test_tier_is_fixed_by_the_first_ingest(tmp_path, seed_a):
    (tmp_path / "a.txt").write_text(seed_a, encoding="utf-8")
    store = tmp_path / "s"
    assert run_cli("ingest", str(tmp_path / "a.txt"), "--store", str(store), "--tier", "none").returncode == 0
    r = run_cli("ingest", str(tmp_path / "a.txt"), "--store", str(store), "--tier", "fast")
    assert r.returncode == 2 and "tier 'none'" in r.stderr and "Traceback" not in r.stderr


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def real_news(path: Path) -> Path:
    """The real articles of tests/fixtures and examples/ as JSONL (English, German, Chinese, Japanese, Thai), some
    without a language (detected in whichever process analyses them), and an id repeated in the next batch."""
    records = [json.loads(line) for line in (FIXTURES / "corpus" / "week.jsonl").read_text("utf-8").splitlines()]
    records += [json.loads((FIXTURES / "corpus" / f"{name}.json").read_text("utf-8")) for name in ("seed-a", "seed-b")]
    for f in sorted((FIXTURES / "articles").glob("*.txt")) + sorted((FIXTURES.parents[1] / "examples").glob("*.txt")):
        records.append({"id": f.stem, "text": f.read_text("utf-8")})
    records.insert(3, dict(records[1]))  # stored from the batch before (still being analysed or written): existing
    # (examples/seed-a.txt and seed-b.txt have the ids of the fixtures' seed-a.json and seed-b.json: existing too)
    with open(path, "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    return path


@pytest.fixture
def parallel_from_start(monkeypatch):
    """Worker processes from the first batch on (an ingest starts them only from PARALLEL_FROM records)."""
    from storymatch.corpus import ingest_analysis

    monkeypatch.setattr(ingest_analysis, "PARALLEL_FROM", 1)
    started = []
    pool = ingest_analysis.ProcessPoolExecutor
    monkeypatch.setattr(ingest_analysis, "ProcessPoolExecutor", lambda *a, **kw: started.append(1) or pool(*a, **kw))
    return started


def test_workers_store_exactly_what_one_process_stores(tmp_path, parallel_from_start):
    src = real_news(tmp_path / "news.jsonl")
    stats = {}
    for workers in (1, 2):
        with Store(tmp_path / f"w{workers}", create=True) as s:
            got = ingest([src], s, tier="fast", batch_size=2, workers=workers)
            stats[workers] = (got.read, got.added, got.existing, got.bad)
    assert parallel_from_start == [1]  # the two-worker run used its pool, the one-process run none
    assert stats[1] == stats[2] == (25, 22, 3, 0)
    one, two = dump(tmp_path / "w1"), dump(tmp_path / "w2")
    assert one == two
    languages = {row[4] for row in one["articles"]}
    assert {"en", "de", "zh", "ja", "th"} <= languages  # detected in the workers as in the one process
    assert len(one["lsh_keys"]) > 15 and len(one["vector_file"]) == 22 * 1024 * 2


def test_an_interrupted_parallel_ingest_resumes_to_the_same_store(tmp_path, parallel_from_start):
    src = real_news(tmp_path / "news.jsonl")
    with Store(tmp_path / "reference", create=True) as s:
        ingest([src], s, tier="fast", batch_size=3, workers=1)

    def stop_after_two_batches(stats) -> None:
        if stats.added >= 6:
            raise KeyboardInterrupt

    with Store(tmp_path / "resumed", create=True) as s:
        with pytest.raises(KeyboardInterrupt):
            ingest([src], s, tier="fast", batch_size=3, workers=2, progress=stop_after_two_batches)
        n = s.count()
        assert 6 <= n < 22 and s.vector_count("fast") == n  # whole batches only
        again = ingest([src], s, tier="fast", batch_size=3, workers=2)
        assert (again.added, again.existing) == (22 - n, n + 3)
    assert dump(tmp_path / "resumed") == dump(tmp_path / "reference")


def test_a_small_ingest_starts_no_worker_process(tmp_path, monkeypatch, seed_a, seed_b):
    from storymatch.corpus import ingest_analysis

    monkeypatch.setattr(ingest_analysis, "ProcessPoolExecutor", lambda *a, **kw: pytest.fail("a pool was started"))
    (tmp_path / "a.txt").write_text(seed_a, encoding="utf-8")
    (tmp_path / "b.txt").write_text(seed_b, encoding="utf-8")
    with Store(tmp_path / "s", create=True) as s:
        assert ingest([tmp_path], s, tier="fast", batch_size=1, workers=2).added == 2


def test_a_large_input_starts_its_workers_with_its_first_batch(tmp_path, monkeypatch):
    """An input whose size says it holds PARALLEL_FROM records starts the pool with its first batch, not once
    that many records have been read; what it stores is what one process stores."""
    from storymatch.corpus import ingest_analysis
    from storymatch.inputs import readers

    src = real_news(tmp_path / "news.jsonl")
    with Store(tmp_path / "one", create=True) as s:
        ingest([src], s, tier="fast", batch_size=2, workers=1)
    monkeypatch.setattr(readers, "BYTES_PER_RECORD", 10)  # 25 records of ~2 KB: "large" at 10 bytes a record
    events: list = []
    pool = ingest_analysis.ProcessPoolExecutor
    monkeypatch.setattr(ingest_analysis, "ProcessPoolExecutor",
                        lambda *a, **kw: events.append("pool") or pool(*a, **kw))
    with Store(tmp_path / "two", create=True) as s:
        ingest([src], s, tier="fast", batch_size=2, workers=2, progress=lambda stats: events.append(stats.read))
    assert events.count("pool") == 1  # 25 records: none would start by their count
    assert dump(tmp_path / "two") == dump(tmp_path / "one")


def test_expected_records_guesses_low_from_file_sizes_and_stops_counting(tmp_path):
    from storymatch.inputs.readers import BYTES_PER_RECORD, GZIP_RATIO, expected_records

    folder = tmp_path / "news"
    folder.mkdir()
    for i in range(30):
        (folder / f"{i:02d}.txt").write_bytes(b"x" * BYTES_PER_RECORD)
    (tmp_path / "wire.jsonl.gz").write_bytes(b"y" * BYTES_PER_RECORD * 2)
    assert expected_records([folder], enough=1000) == 30
    assert expected_records([folder, tmp_path / "wire.jsonl.gz"], enough=1000) == 30 + 2 * GZIP_RATIO
    assert expected_records([folder], enough=5) == 5  # a folder is walked only as far as it needs
    assert expected_records(["-", tmp_path / "missing.jsonl"], enough=1000) == 0
    os.mkfifo(tmp_path / "pipe")  # never opened: a FIFO waits for a writer
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    assert expected_records([tmp_path / "pipe", tmp_path / "loop", folder], enough=1000) == 30


def test_workers_that_cannot_start_leave_the_ingest_to_this_process(tmp_path, monkeypatch, parallel_from_start,
                                                                    caplog):
    """The pool is started in a thread of its own while this process analyses; when it cannot start (here: the
    system refuses new processes), the ingest goes on in this process and stores what one process stores."""
    from storymatch.corpus import ingest_analysis

    src = real_news(tmp_path / "news.jsonl")
    with Store(tmp_path / "one", create=True) as s:
        ingest([src], s, tier="fast", batch_size=2, workers=1)

    def refused(*args, **kwargs):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(ingest_analysis, "ProcessPoolExecutor", refused)
    with Store(tmp_path / "two", create=True) as s, caplog.at_level("WARNING", logger="storymatch"):
        assert ingest([src], s, tier="fast", batch_size=2, workers=2).added == 22
    assert "no ingest worker process could start" in caplog.text
    assert dump(tmp_path / "two") == dump(tmp_path / "one")
