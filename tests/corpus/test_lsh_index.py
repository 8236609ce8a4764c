"""The LSH key index: one row of keys an article, looked up in sorted arrays (from the rows, or the derived file and
the articles stored after it), answering as a (key, seq) table would; schema-2 stores read and upgraded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from storymatch.corpus import lsh_index, lsh_rows
from storymatch.corpus.ingestion import prepare
from storymatch.corpus.integrity import check_store, repair_store
from storymatch.corpus.lsh_index import INDEX_NAME, lsh_index_for, refresh_lsh_index
from storymatch.corpus.store import DB_NAME, SCHEMA_VERSION, Store
from storymatch.corpus.store_rules import row_problems
from storymatch.features.lsh import LSHParams, text_keys
from storymatch.inputs.article import Article
from storymatch.text.spans import sentences

ARTICLES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


def _articles(seed_a: str, seed_b: str) -> list[Article]:
    """The fixture articles, seed-a and seed-b, and each one's paragraphs as articles of their own: texts that
    share sentences, as a corpus with reuse does."""
    texts = {"seed-a": seed_a, "seed-b": seed_b}
    texts.update({p.stem: p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt"))})
    out = [Article(text, id=name) for name, text in texts.items()]
    for name, text in list(texts.items()):
        spans = sentences(text)
        for i in range(0, len(spans) - 2, 3):
            out.append(Article(" ".join(s.text for s in spans[i:i + 3]), id=f"{name}/{i}"))
    return out


def _add(store: Store, articles: list[Article]) -> None:
    store.add_batch([prepare(a, "test", LSHParams()) for a in articles])


def _table_hits(store: Store, query: np.ndarray, max_bucket: int) -> list[tuple[int, int]]:
    """What the (key, seq) table answered: a sentence's keys as a set iterates, each key's articles by seq."""
    keys, seqs = store.key_rows()
    by_key: dict[int, list[int]] = {}
    for k, s in zip(keys.tolist(), seqs.tolist()):
        by_key.setdefault(k, []).append(s)
    out = []
    for sentence, row in enumerate(query):
        for key in {int(k) for k in row if k != 0}:
            held = sorted(by_key.get(key, []))
            if len(held) <= max_bucket:
                out.extend((s, sentence) for s in held)
    return out


@pytest.fixture
def corpus(seed_a, seed_b) -> list[Article]:
    return _articles(seed_a, seed_b)


def test_hits_are_the_tables(tmp_path, corpus, seed_a):
    with Store(tmp_path / "s", create=True) as store:
        _add(store, corpus)
        one_row_each = store.db.execute("SELECT COUNT(*) FROM lsh_keys").fetchone()[0]
        assert one_row_each == len(store.lsh_keys()) > 30
        assert store.db.execute("SELECT COUNT(*) FROM lsh").fetchone()[0] == 0
        _, query = text_keys(seed_a)
        hits = lsh_index_for(store).hits(query)
        assert hits == _table_hits(store, query, 2000)
        assert {store.get("seed-a").seq, store.get("seed-b").seq} <= {seq for seq, _ in hits}
        assert lsh_index_for(store).hits(query, max_bucket=1) == _table_hits(store, query, 1) != hits


def test_the_file_and_the_articles_after_it(tmp_path, corpus, seed_a):
    """Written from `file_min` articles; articles stored after it are looked up beside it, as a fresh build
    would find them; a file that no longer agrees with the rows is not read; a read-only store writes none."""
    first, later = corpus[: len(corpus) // 2], corpus[len(corpus) // 2:]
    _, query = text_keys(seed_a)
    with Store(tmp_path / "s", create=True) as store:
        _add(store, first)
        refresh_lsh_index(store, file_min=10)
        assert (tmp_path / "s" / INDEX_NAME).exists()
    with Store(tmp_path / "s") as store:
        _add(store, later)
        index = lsh_index_for(store)
        assert len(index.runs) == 2  # the file, and the later articles sorted apart
        assert index.hits(query) == _table_hits(store, query, 2000)
        before = (tmp_path / "s" / INDEX_NAME).stat().st_mtime_ns
        refresh_lsh_index(store, file_min=10)  # half as many again as the file holds: written again
        assert (tmp_path / "s" / INDEX_NAME).stat().st_mtime_ns != before
    with Store(tmp_path / "s") as store:
        assert len(lsh_index_for(store).runs) == 1
        assert lsh_index_for(store).hits(query) == _table_hits(store, query, 2000)
    db = sqlite3.connect(tmp_path / "s" / DB_NAME)  # a row the file holds changes (seals lifted)
    db.execute("DROP TRIGGER seal_lsh_keys_delete")
    db.execute("DELETE FROM lsh_keys WHERE seq = 3")
    db.commit()
    db.close()
    with Store(tmp_path / "s", read_only=True) as store:
        assert lsh_index._from_file(store) is None
        index = lsh_index_for(store)
        assert index.hits(query) == _table_hits(store, query, 2000)
        assert 3 not in {seq for seq, _ in index.hits(query)}


def _as_schema_2(folder: Path) -> None:
    """Make a store what storymatch wrote before one row of keys an article: (key, seq) rows, version 2."""
    db = sqlite3.connect(folder / DB_NAME)
    rows = [(int(k), seq) for seq, blob in db.execute("SELECT seq, keys FROM lsh_keys")
            for k in np.frombuffer(blob, dtype="<i8")]
    db.executemany("INSERT INTO lsh(key, seq) VALUES (?, ?)", rows)
    for trigger in ("seal_lsh_keys_delete", "seal_lsh_keys_update"):
        db.execute(f"DROP TRIGGER {trigger}")
    db.execute("DROP TABLE lsh_keys")
    db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    db.commit()
    db.close()


@pytest.mark.parametrize("chunk", [1_000_000, 7])
def test_a_schema_2_store_is_read_as_it_is_and_upgraded_when_written(tmp_path, corpus, seed_a, chunk, monkeypatch):
    monkeypatch.setattr(lsh_rows, "UPGRADE_CHUNK", chunk)  # 7: every article split across reads
    _, query = text_keys(seed_a)
    with Store(tmp_path / "s", create=True) as store:
        _add(store, corpus)
        expected = lsh_index_for(store).hits(query)
        keys = store.lsh_keys()
    _as_schema_2(tmp_path / "s")
    with Store(tmp_path / "s", read_only=True) as store:
        assert lsh_index_for(store).hits(query) == expected and store.lsh_keys() == keys
    with Store(tmp_path / "s") as store:  # opened for writing: upgraded in one transaction
        assert store.get_meta("schema_version") == str(SCHEMA_VERSION)
        assert store.db.execute("SELECT COUNT(*) FROM lsh").fetchone()[0] == 0
        assert lsh_index_for(store).hits(query) == expected and store.lsh_keys() == keys
    found = check_store(tmp_path / "s")
    assert not found.problems, found.problems


def test_a_key_row_readers_cannot_parse_is_a_row_problem(tmp_path, corpus):
    with Store(tmp_path / "s", create=True) as store:
        _add(store, corpus[:5])
    db = sqlite3.connect(tmp_path / "s" / DB_NAME)
    assert row_problems(db) == ([], False)
    db.execute("DROP TRIGGER seal_lsh_keys_update")  # a change the seal would have recorded, past it
    db.execute("UPDATE lsh_keys SET keys = substr(keys, 1, 5) WHERE seq = 2")
    problems, past_repair = row_problems(db)
    assert problems == ["article seq 2: LSH keys of 5 bytes (not whole 8-byte keys)"] and not past_repair


def test_check_finds_a_changed_byte_in_the_file_and_repair_makes_it_again(tmp_path, corpus, seed_a):
    _, query = text_keys(seed_a)
    with Store(tmp_path / "s", create=True) as store:
        _add(store, corpus)
        expected = lsh_index_for(store).hits(query)
        refresh_lsh_index(store, file_min=10)
    assert not check_store(tmp_path / "s").problems
    path = tmp_path / "s" / INDEX_NAME
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x40  # a seq of the file's last pairs
    path.write_bytes(bytes(data))
    found = check_store(tmp_path / "s")
    assert found.problems == [f"LSH index file {INDEX_NAME} differs from the keys it was made from (derived: repair "
                              "makes it again)"] and found.repairable
    repair_store(tmp_path / "s", tier="none")
    assert not path.exists() and not check_store(tmp_path / "s").problems  # below FILE_MIN repair writes none
    with Store(tmp_path / "s") as store:
        assert lsh_index_for(store).hits(query) == expected
