"""Damaged stores through the real command line and the server: every damage x every command gives one line naming
the store and the problem, a non-zero exit, no traceback, and a store whose files are byte for byte what they were;
`check` names the damage, `repair` restores a store that clusters exactly as the intact one did, and a read-only
store still answers reads."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_CORPUS = ROOT / "tests" / "fixtures" / "corpus"
NEW_ARTICLE = ROOT / "tests" / "fixtures" / "articles"
CLI = [sys.executable, "-m", "storymatch"]
# SQLite's own transient files: a read-only connection (check) may leave an empty pair behind; they hold no data
TRANSIENT = ("-wal", "-shm")


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args, "--quiet"], capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "COLUMNS": "400", **(env or {})})


def checksums(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.endswith(TRANSIENT)}


def set_meta(key: str, value: str):
    def damage(store: Path) -> None:
        db = sqlite3.connect(store / "storymatch.sqlite")
        db.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
        db.commit()
        db.close()
    return damage


def garble_articles_page(store: Path) -> None:
    """Overwrite the root page of the articles table: SQLite then says "database disk image is malformed"."""
    db = sqlite3.connect(store / "storymatch.sqlite")
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'articles'").fetchone()[0]
    size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    with open(store / "storymatch.sqlite", "r+b") as fh:
        fh.seek((root - 1) * size)
        fh.write(b"\xa5" * size)


def truncate_vectors(store: Path) -> None:
    path = store / "vectors-fast.f16"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def foreign_file(store: Path) -> None:
    for p in store.iterdir():
        p.unlink()
    db = sqlite3.connect(store / "storymatch.sqlite")
    db.execute("CREATE TABLE users (name TEXT, email TEXT)")
    db.execute("INSERT INTO users VALUES ('ann', 'ann@example.org')")
    db.commit()
    db.close()


def empty_file(store: Path) -> None:
    for p in store.iterdir():
        p.unlink()
    (store / "storymatch.sqlite").write_bytes(b"")


# damage -> (how to make it, what the one line says, whether repair can fix it)
DAMAGES = {
    "vectors missing": (lambda s: (s / "vectors-fast.f16").unlink(), "vector file vectors-fast.f16 is missing", True),
    "vectors short": (truncate_vectors, "vector file vectors-fast.f16 is short", True),
    "garbled page": (garble_articles_page, "database disk image is malformed", False),
    "schema_version abc": (set_meta("schema_version", "abc"), "schema_version is 'abc', not a number", True),
    "tier bogus": (set_meta("tier", "bogus"), "tier is 'bogus', not a tier storymatch knows", True),
    "lsh not json": (set_meta("lsh", "not json"), "lsh parameters are not JSON", True),
    "dim 512": (set_meta("dim:fast", "512"), "dim:fast is 512, but fast vectors have 1024 dimensions", True),
    "foreign file": (foreign_file, "not a storymatch store (it holds other tables: users)", False),
    "empty file": (empty_file, "storymatch.sqlite is an empty file (0 bytes)", False),
}
COMMANDS = {
    "search": ("search", "seed-b"),
    "trace": ("trace", "seed-a"),
    "cluster": ("cluster", "--json"),
    "report": ("report", "--json"),
    "ingest": ("ingest", str(NEW_ARTICLE)),
}


@pytest.fixture(scope="module")
def intact(tmp_path_factory) -> tuple[Path, str]:
    """The fixture corpus ingested, and its `cluster --json` (clustered once, so the analyses are kept)."""
    folder = tmp_path_factory.mktemp("intact") / "store"
    r = run("ingest", str(FIXTURE_CORPUS), "--store", str(folder))
    assert r.returncode == 0, r.stderr
    c = run("cluster", "--json", "--store", str(folder))
    assert c.returncode == 0, c.stderr
    return folder, c.stdout


def damaged(intact_folder: Path, tmp_path: Path, damage: str) -> Path:
    store = tmp_path / "store"
    shutil.copytree(intact_folder, store)
    DAMAGES[damage][0](store)
    return store


# one damage in the fast tier (each case runs five commands as processes); all nine in the full suite
@pytest.mark.parametrize("damage", [d if d == "vectors missing" else pytest.param(d, marks=pytest.mark.slow)
                                    for d in DAMAGES])
def test_every_command_on_a_damaged_store_is_one_line_and_changes_nothing(intact, tmp_path, damage):
    store = damaged(intact[0], tmp_path, damage)
    before = checksums(store)
    for name, args in COMMANDS.items():
        r = run(*args, "--store", str(store))
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 2, (name, r.stdout, r.stderr)
        assert len(lines) == 1 and "Traceback" not in r.stderr, (name, r.stderr)
        assert str(store) in lines[0] and DAMAGES[damage][1] in lines[0], (name, lines[0])
        assert r.stdout == "", (name, r.stdout)
        assert checksums(store) == before, name  # nothing written, not even the ingest report
    r = run("check", "--store", str(store))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert DAMAGES[damage][1] in r.stderr
    assert checksums(store) == before


@pytest.mark.parametrize("damage", [d for d, (_, _, fixable) in DAMAGES.items() if fixable])
def test_check_names_the_damage_and_repair_restores_the_clustering(intact, tmp_path, damage):
    folder, clustered = intact
    store = damaged(folder, tmp_path, damage)
    r = run("repair", "--store", str(store))
    assert r.returncode == 0, r.stderr
    assert "repaired" in r.stdout and DAMAGES[damage][1] in r.stdout  # says what it fixed
    assert run("check", "--store", str(store)).returncode == 0
    assert (store / "vectors-fast.f16").read_bytes() == (folder / "vectors-fast.f16").read_bytes()
    c = run("cluster", "--json", "--store", str(store))
    assert c.returncode == 0, c.stderr
    assert c.stdout == clustered


@pytest.mark.parametrize("damage", [d for d, (_, _, fixable) in DAMAGES.items() if not fixable])
def test_repair_refuses_what_it_cannot_rebuild_in_one_line(intact, tmp_path, damage):
    store = damaged(intact[0], tmp_path, damage)
    before = checksums(store)
    r = run("repair", "--store", str(store))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert DAMAGES[damage][1] in r.stderr
    if damage == "garbled page":
        assert "ingest the source files into a new store" in r.stderr
    assert checksums(store) == before


def test_ingest_after_losing_the_vector_file_never_fills_it_with_zeros(intact, tmp_path):
    """The issue's case: rm vectors-fast.f16, ingest more, cluster gave every article a story of its own."""
    store = damaged(intact[0], tmp_path, "vectors missing")
    r = run("ingest", str(NEW_ARTICLE), "--store", str(store))
    assert r.returncode == 2 and "vector file vectors-fast.f16 is missing" in r.stderr
    assert not (store / "vectors-fast.f16").exists()
    assert run("repair", "--store", str(store)).returncode == 0
    assert run("ingest", str(NEW_ARTICLE), "--store", str(store)).returncode == 0
    assert run("check", "--store", str(store)).returncode == 0


def test_a_sound_store_checks_sound(intact):
    r = run("check", "--store", str(intact[0]))
    assert r.returncode == 0 and f"store {intact[0]} is sound (10 articles)" in r.stdout


READ_ONLY = ("import sys; import storymatch.corpus.store as s; s.store_writable = lambda folder: False; "
             "from storymatch.cli import main; sys.argv = ['storymatch', *sys.argv[1:]]; main()")


def test_a_read_only_store_answers_reads_with_caches_off(intact, tmp_path):
    """Root ignores file permissions, so the test stands in for a read-only file system where storymatch asks
    (store_writable); the database is then opened with SQLite's mode=ro, which refuses writes even to root."""
    store = tmp_path / "store"
    shutil.copytree(intact[0], store)
    with sqlite3.connect(store / "storymatch.sqlite") as db:
        db.execute("DELETE FROM results")  # no cached answers: the reads below must compute theirs
    before = checksums(store)

    def ro(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", READ_ONLY, *args, "--store", str(store), "--quiet"],
                              capture_output=True, text=True, timeout=300, cwd=ROOT)

    c = ro("cluster", "--json")
    assert c.returncode == 0, c.stderr
    assert c.stdout == intact[1]
    for args in (("search", "seed-b", "--json"), ("trace", "seed-a", "--json"), ("report", "--json")):
        r = ro(*args)
        assert r.returncode == 0, (args, r.stderr)
        assert json.loads(r.stdout)
    i = ro("ingest", str(NEW_ARTICLE))
    assert i.returncode == 2 and "read-only" in i.stderr and "Traceback" not in i.stderr
    assert checksums(store) == before


# -- the server ------------------------------------------------------------------------------------------------------

GETS = ["/api/store", "/api/articles", "/api/articles/seed-b", "/api/search/seed-b", "/api/trace/seed-a",
        "/api/stories", "/api/report"]


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_the_server_on_a_damaged_store_answers_503_without_paths_and_refuses_to_write(intact, tmp_path, damage,
                                                                                      fake_embedder):
    from storymatch.errors import StoreError
    from storymatch.serving.app import create_app

    store = tmp_path / "store"
    shutil.copytree(intact[0], store)
    with TestClient(create_app(store_dir=store, warm=False)) as client:  # started on the sound store
        DAMAGES[damage][0](store)
        before = checksums(store)
        for path in GETS:
            resp = client.get(path)
            if path == "/api/store" and damage == "garbled page":  # counted from the id index: not the bad page
                assert resp.json() == {"articles": 10, "tier": "fast"}
                continue
            assert resp.status_code == 503, (path, resp.text)
            error = resp.json()["error"]
            assert DAMAGES[damage][1] in error and str(tmp_path) not in error, (path, error)
        resp = client.post("/api/ingest", json={"articles": [{"text": "A new article about a harbour strike. " * 5}]})
        assert resp.status_code == 503 and str(tmp_path) not in resp.json()["error"]
        assert checksums(store) == before
    with pytest.raises(StoreError, match=DAMAGES[damage][1].replace("(", r"\(").replace(")", r"\)")):
        create_app(store_dir=store, warm=False)  # `serve` at start-up: one line (cli.serve prints it)
