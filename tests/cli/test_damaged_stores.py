"""Damaged stores through the real command line and the server: every damage x every command gives one line naming
the store and the problem, a non-zero exit, no traceback, and a store whose files are byte for byte what they were;
`check` names the damage, `repair` restores a store that clusters exactly as the intact one did, and a read-only
store still answers reads."""

from __future__ import annotations

import hashlib
import json
import os
import re
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


def checksums(folder: Path, with_wal: bool = False) -> dict[str, str]:
    """SHA-256 of the store's files; `with_wal`: a WAL that holds something too (an empty one holds nothing; the
    -shm file is SQLite's index of the WAL, rebuilt by any reader)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file() and (not p.name.endswith(TRANSIENT)
                                or with_wal and p.name.endswith("-wal") and p.stat().st_size)}


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


def sql(*statements: str):
    def damage(store: Path) -> None:
        db = sqlite3.connect(store / "storymatch.sqlite")
        for statement in statements:
            db.execute(statement)
        db.commit()
        db.close()
    return damage


def poisoned_date(store: Path) -> None:
    """What an older storymatch stored from a record dated 0001-01-01 (stores of then keep no digest)."""
    db = sqlite3.connect(store / "storymatch.sqlite")
    digest = any(r[1] == "digest" for r in db.execute("PRAGMA table_info(articles)"))
    clear = ", digest = NULL" if digest else ""
    db.execute(f"UPDATE articles SET date = '0001-01-01'{clear} WHERE id = 'seed-a'")
    db.commit()
    db.close()


def nan_vector(store: Path) -> None:
    path = store / "vectors-fast.f16"
    data = bytearray(path.read_bytes())
    data[0:2] = b"\x00\x7e"  # float16 NaN in the first row
    path.write_bytes(bytes(data))


def vectors_a_folder(store: Path) -> None:
    (store / "vectors-fast.f16").unlink()
    (store / "vectors-fast.f16").mkdir()
    (store / "vectors-fast.f16" / "x").write_text("x")


def flipped_text_byte(store: Path) -> None:
    """One byte of an article's text changed inside the file: SQLite's page check cannot see it."""
    db = sqlite3.connect(store / "storymatch.sqlite")
    text = db.execute("SELECT text FROM articles WHERE id = 'seed-a'").fetchone()[0]
    db.close()
    raw = (store / "storymatch.sqlite").read_bytes()
    probe = text[100:140].encode("utf-8")
    at = raw.index(probe) + 5
    with open(store / "storymatch.sqlite", "r+b") as fh:
        fh.seek(at)
        fh.write(bytes([raw[at] ^ 0x01]))


def foreign_with_meta(store: Path) -> None:
    """Another program's database with a meta(key, value) table holding schema_version = '2', and a live WAL."""
    for p in store.iterdir():
        p.unlink()
    db = sqlite3.connect(store / "storymatch.sqlite")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    db.execute("CREATE TABLE articles (id TEXT, body TEXT)")
    db.commit()
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("INSERT INTO articles VALUES ('x', 'their data')")
    db.commit()
    # leave the connection's WAL behind as a live program would: copy the files before it closes
    copies = {p.name: p.read_bytes() for p in store.iterdir()}
    db.close()
    for name, data in copies.items():
        (store / name).write_bytes(data)


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
    # issue 28 (ISSUE28 below)
    "lsh rows deleted (a few)": (sql("DELETE FROM lsh_keys WHERE seq IN (SELECT seq FROM lsh_keys LIMIT 3)"),
                                 "rows deleted in its lsh_keys table outside storymatch", True),
    "lsh rows deleted (half)": (sql("DELETE FROM lsh_keys WHERE seq % 2 = 0"), "rows deleted in its lsh_keys table",
                                True),
    "lsh keys cut": (sql("UPDATE lsh_keys SET keys = substr(keys, 1, 5) WHERE seq = 2"),
                     "rows changed in its lsh_keys table", True),
    "features rows deleted": (sql("DELETE FROM features WHERE seq > 5"), "rows deleted in its features table",
                              True),
    "tier row deleted": (sql("DELETE FROM meta WHERE key = 'tier'"), "rows deleted in its meta table", True),
    "dim row deleted": (sql("DELETE FROM meta WHERE key = 'dim:fast'"), "rows deleted in its meta table", True),
    "date not-a-date": (sql("UPDATE articles SET date = 'not-a-date' WHERE id = 'seed-a'"),
                        "its date 'not-a-date' is not a day", "cleared"),
    "date 0001-01-01": (poisoned_date,
                        "its date '0001-01-01' is not a day", "cleared"),
    "analyses garbled": (sql("UPDATE analyses SET value = x'7b6e6f74206a736f6e' WHERE kind = 'signals'"),
                         "cached analysis 'signals' is not a JSON object", True),
    "results garbled": (sql("UPDATE results SET value = '{not json' WHERE kind = 'story'"),
                        "cached story result", True),
    "results wrong type": (sql("UPDATE results SET value = '[1, 2]' WHERE kind = 'story'"),
                           "cached story result", True),
    "NaN vector": (nan_vector, "rows hold NaN or infinite values", True),
    "vector file a folder": (vectors_a_folder, "vector file vectors-fast.f16 is not a file", False),
    "flipped text byte": (flipped_text_byte, "is not what was stored (a changed byte?)", False),
    "foreign with meta": (foreign_with_meta, "not a storymatch store (it holds other tables: articles, meta)",
                          False),
}
# Issue 28's damages run in the full suite only (each case runs several commands as processes), but one a test.
FAST28 = {"lsh rows deleted (a few)", "foreign with meta"}


def cases(names) -> list:
    return [n if n not in ISSUE28 or n in FAST28 else pytest.param(n, marks=pytest.mark.slow) for n in names]


# Damage to what only some reads touch (a cached row, one article's row, a vector's values): a command either
# refuses it in one line naming it, or answers exactly as the intact store did (an answer the damage did not
# reach is no silent answer from a damaged store); ingest refuses every damage `check` finds.
ISSUE28 = set(list(DAMAGES)[9:])
PARTIAL = {"analyses garbled", "results garbled", "results wrong type", "date not-a-date", "date 0001-01-01",
           "NaN vector", "flipped text byte"}
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


@pytest.fixture(scope="module")
def intact_answers(intact) -> dict[str, str]:
    """What each read command prints on the intact store (with --json), to hold a damaged store's answers to."""
    return {name: run(*args, "--json", "--store", str(intact[0])).stdout
            for name, args in COMMANDS.items() if name != "ingest"}


# one damage in the fast tier (each case runs five commands as processes); all in the full suite
@pytest.mark.parametrize("damage", [d if d == "vectors missing" else pytest.param(d, marks=pytest.mark.slow)
                                    for d in DAMAGES])
def test_every_command_on_a_damaged_store_is_one_line_and_changes_nothing(intact, intact_answers, tmp_path,
                                                                          damage):
    store = damaged(intact[0], tmp_path, damage)
    before = checksums(store)
    # ingest first: a command that answers may rewrite a cache it did not read (cluster's stories)
    for name, args in sorted(COMMANDS.items(), key=lambda kv: kv[0] != "ingest"):
        if damage in PARTIAL and name != "ingest":
            r = run(*args, "--json", "--store", str(store))
            if r.returncode == 0:  # the damage did not reach this answer: it must be the intact store's (cluster
                # may rewrite the cached stories it did not read)
                assert r.stdout == intact_answers[name], (name, "a silent answer from a damaged store")
                before = checksums(store)
                continue
        else:
            r = run(*args, "--store", str(store))
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 2, (name, r.stdout, r.stderr)
        assert len(lines) == 1 and "Traceback" not in r.stderr, (name, r.stderr)
        assert str(store) in lines[0] and DAMAGES[damage][1] in lines[0], (name, lines[0])
        assert r.stdout == "", (name, r.stdout)
        assert checksums(store) == before, name  # nothing written, not even the ingest report
    if damage in PARTIAL:  # a command that answered may have rewritten the damaged cache: check a fresh copy
        store = damaged(intact[0], tmp_path / "again", damage)
        before = checksums(store)
    r = run("check", "--store", str(store))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert DAMAGES[damage][1] in r.stderr
    problems = [line for line in r.stderr.splitlines() if not line.startswith(("store ", f"{store} holds"))]
    assert all(line.startswith(f"{store}: ") for line in problems), r.stderr  # one line per problem, each named
    assert checksums(store) == before


# two damages in the fast tier (each case runs repair, check and cluster as processes: 16 s for seven); all in the
# full suite
@pytest.mark.parametrize("damage", [d if d in ("vectors missing", "lsh rows deleted (a few)")
                                    else pytest.param(d, marks=pytest.mark.slow)
                                    for d, (_, _, fixable) in DAMAGES.items() if fixable is True])
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


@pytest.mark.parametrize("damage", cases(d for d, (_, _, fixable) in DAMAGES.items() if fixable == "cleared"))
def test_repair_clears_a_date_no_reader_takes_and_says_so(intact, tmp_path, damage):
    """A stored date no reader can take (written by hand, or 0001-01-01 by an older storymatch, which made every
    read of the store fail): repair clears it, names it, and the store reads again (that article undated)."""
    store = damaged(intact[0], tmp_path, damage)
    r = run("repair", "--store", str(store))
    assert r.returncode == 0 and DAMAGES[damage][1] in r.stdout, r.stderr
    assert run("check", "--store", str(store)).returncode == 0
    for name, args in COMMANDS.items():
        if name != "ingest":
            assert run(*args, "--store", str(store)).returncode == 0, name
    got = subprocess.run([*CLI, "report", "--json", "--store", str(store), "--quiet"], capture_output=True,
                         text=True, cwd=ROOT).stdout
    assert json.loads(got)["articles"] == 10


@pytest.mark.parametrize("damage", cases(d for d, (_, _, fixable) in DAMAGES.items() if not fixable))
def test_repair_refuses_what_it_cannot_rebuild_in_one_line(intact, tmp_path, damage):
    store = damaged(intact[0], tmp_path, damage)
    before = checksums(store, with_wal=True)
    r = run("repair", "--store", str(store))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert DAMAGES[damage][1] in r.stderr
    if damage in ("garbled page", "flipped text byte"):
        assert "ingest the source files into a new store" in r.stderr
    assert checksums(store, with_wal=True) == before  # a foreign database's WAL is neither checkpointed nor deleted


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


def _mount_read_only(source: Path, target: Path) -> bool:
    """A real read-only bind mount of `source` at `target` (root only); False where it cannot be made here."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    target.mkdir()
    if subprocess.run(["mount", "--bind", str(source), str(target)], capture_output=True).returncode:
        return False
    if subprocess.run(["mount", "-o", "remount,ro,bind", str(target)], capture_output=True).returncode:
        subprocess.run(["umount", str(target)], capture_output=True)
        return False
    return True


@pytest.mark.slow  # six commands as processes, each case
@pytest.mark.parametrize("transient", ["none", "empty -wal and -shm"])
def test_a_store_on_a_real_read_only_mount_answers_reads(intact, tmp_path, transient):
    """Issue 28: on a read-only bind mount search, trace, cluster and report ended in "unable to open database
    file" (SQLite could not make the -shm file) and check called the sound store's file damaged beyond repair.
    No stand-in here: the store is mounted read-only, so SQLite and the file system say no, even to root."""
    source = tmp_path / "source"
    shutil.copytree(intact[0], source)
    for suffix in TRANSIENT:
        (source / f"storymatch.sqlite{suffix}").unlink(missing_ok=True)
        if transient != "none":
            (source / f"storymatch.sqlite{suffix}").write_bytes(b"")
    before = checksums(source, with_wal=True)
    mounted = tmp_path / "mounted"
    if not _mount_read_only(source, mounted):
        pytest.skip("a read-only bind mount needs root and mount(8)")
    try:
        assert subprocess.run(["touch", str(mounted / "probe")], capture_output=True).returncode != 0
        c = run("cluster", "--json", "--store", str(mounted))
        assert c.returncode == 0 and c.stdout == intact[1], c.stderr
        for args in (("search", "seed-b", "--json"), ("trace", "seed-a", "--json"), ("report", "--json")):
            r = run(*args, "--store", str(mounted))
            assert r.returncode == 0 and json.loads(r.stdout), (args, r.stderr)
        r = run("check", "--store", str(mounted))
        assert r.returncode == 0 and "is sound (10 articles)" in r.stdout, r.stderr
        i = run("ingest", str(NEW_ARTICLE), "--store", str(mounted))
        assert i.returncode == 2 and "read-only" in i.stderr and "Traceback" not in i.stderr
    finally:
        subprocess.run(["umount", str(mounted)], capture_output=True)
    assert checksums(source, with_wal=True) == before


# -- the server ------------------------------------------------------------------------------------------------------

GETS = ["/api/store", "/api/articles", "/api/articles/seed-b", "/api/search/seed-b", "/api/trace/seed-a",
        "/api/stories", "/api/report"]


@pytest.mark.parametrize("damage", cases(DAMAGES))
def test_the_server_on_a_damaged_store_answers_503_without_paths_and_refuses_to_write(intact, tmp_path, damage,
                                                                                      fake_embedder):
    from storymatch.errors import StoreError
    from storymatch.serving.app import create_app

    store = tmp_path / "store"
    shutil.copytree(intact[0], store)
    with TestClient(create_app(store_dir=store, warm=False)) as client:  # started on the sound store
        intact_answers = {path: client.get(path).json() for path in GETS} if damage in PARTIAL else {}
        DAMAGES[damage][0](store)
        before = checksums(store)
        for path in GETS:
            resp = client.get(path)
            if path == "/api/store" and damage == "garbled page":  # counted from the id index: not the bad page
                assert resp.json() == {"articles": 10, "tier": "fast"}
                continue
            if damage in PARTIAL and resp.status_code == 200:  # the damage did not reach this answer
                assert resp.json() == intact_answers[path], (path, "a silent answer from a damaged store")
                continue
            assert resp.status_code == 503, (path, resp.text)
            error = resp.json()["error"]
            assert DAMAGES[damage][1] in error and str(tmp_path) not in error, (path, error)
        resp = client.post("/api/ingest", json={"articles": [{"text": "A new article about a harbour strike. " * 5}]})
        assert resp.status_code == 503 and str(tmp_path) not in resp.json()["error"]
        assert checksums(store) == before
    with pytest.raises(StoreError, match=re.escape(DAMAGES[damage][1])):
        create_app(store_dir=store, warm=False)  # `serve` at start-up: one line (cli.serve prints it)
