"""Corpus readers: every format yields its records, and a bad record never hides a good one."""

from __future__ import annotations

import gzip
import json

from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.inputs.readers import count_records, read_corpus


def _split(paths):
    good, bad = [], []
    for where, rec in read_corpus(paths):
        (good if isinstance(rec, Article) else bad).append((where, rec))
    return good, bad


def test_folder_of_txt_json_html_named_by_path(tmp_path, seed_a, seed_b):
    (tmp_path / "sub").mkdir()
    (tmp_path / "seed-a.txt").write_text(seed_a, encoding="utf-8")
    (tmp_path / "sub" / "seed-b.json").write_text(json.dumps({"text": seed_b, "title": "Strike", "date": "2017-05-18"}))
    (tmp_path / "page.html").write_text(
        "<html><head><title>Heat</title></head><body><article><h1>Heat</h1><p>"
        + "Temperatures in Seville climbed above forty degrees on Friday, the weather agency said. " * 4
        + "</p></article></body></html>", encoding="utf-8")
    good, bad = _split([tmp_path])
    assert not bad
    ids = {a.id: a for _, a in good}
    assert set(ids) == {"page", "seed-a", "sub/seed-b"}
    assert ids["seed-a"].text == seed_a
    assert ids["sub/seed-b"].title == "Strike" and ids["sub/seed-b"].date.isoformat() == "2017-05-18"
    assert "Seville" in ids["page"].text


def test_jsonl_keeps_extra_fields_and_reports_each_bad_line(tmp_path, seed_b):
    lines = [
        json.dumps({"id": "w1", "text": seed_b, "series": "AFP", "date_publish": "2017-05-18 21:00:00",
                    "lang": "en", "url": "http://example.org/1", "page": 3, "tags": ["syria"]}),
        "{not json",
        json.dumps({"id": "w2", "title": "no text here"}),
        "",
        json.dumps(["a list"]),
        json.dumps({"id": "w3", "text": "Second good record, after three bad ones."}),
    ]
    f = tmp_path / "news.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    good, bad = _split([f])
    assert [a.id for _, a in good] == ["w1", "w3"]
    w1 = good[0][1]
    assert (w1.source, w1.language, w1.url, w1.date.isoformat()) == ("AFP", "en", "http://example.org/1", "2017-05-18")
    assert w1.meta == {"page": 3, "tags": ["syria"]}
    assert [where for where, _ in bad] == [f"{f}:2", f"{f}:3", f"{f}:5"]
    assert all(isinstance(e, InputError) and str(e).startswith(f"{f}:") for _, e in bad)
    assert "invalid JSON" in str(bad[0][1]) and "no text field" in str(bad[1][1])
    assert good[0][0] == f"{f}:1"


def test_gzip_jsonl_and_csv(tmp_path, seed_a):
    recs = [{"id": f"g{i}", "text": f"Record number {i} of a gzipped file, long enough to be text."} for i in range(3)]
    with gzip.open(tmp_path / "part.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(json.dumps(r) for r in recs))
    import csv

    with open(tmp_path / "table.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "Title", "Text", "source", "extra"])
        w.writerow(["c1", "Patchwork", seed_a, "Aggregator", "x"])
        w.writerow(["c2", "Empty", "", "Aggregator", "y"])
    with gzip.open(tmp_path / "doc.txt.gz", "wb") as fh:
        fh.write(seed_a.encode("utf-8"))
    good, bad = _split([tmp_path])
    ids = [a.id for _, a in good]
    assert ids == ["doc", "g0", "g1", "g2", "c1"]
    c1 = good[-1][1]
    assert c1.text == seed_a and c1.title == "Patchwork" and c1.meta == {"extra": "x"}
    assert len(bad) == 1 and "no text field" in str(bad[0][1]) and "table.csv:" in bad[0][0]
    assert good[0][1].text == seed_a
    assert count_records([tmp_path]) == 1 + 3 + 2


def test_binary_empty_and_missing_inputs_are_errors_not_crashes(tmp_path, seed_b):
    (tmp_path / "image.bin").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "broken.jsonl.gz").write_bytes(b"not gzip at all")
    (tmp_path / "notext.csv").write_text("id,headline\n1,hello\n")
    (tmp_path / "ok.txt").write_text(seed_b, encoding="utf-8")
    (tmp_path / "store").mkdir()  # a store kept inside the input folder is not read as articles
    (tmp_path / "store" / "storymatch.sqlite").write_bytes(b"SQLite format 3\x00" + bytes(100))
    (tmp_path / "store" / "ingest-report.txt").write_text("x.jsonl:1: invalid JSON\n")
    good, bad = _split([tmp_path, tmp_path / "missing.jsonl"])
    assert [a.id for _, a in good] == ["ok"]
    problems = {where.rsplit("/", 1)[-1]: str(e) for where, e in bad}
    assert "binary" in problems["image.bin"]
    assert "empty" in problems["empty.txt"]
    assert "cannot read" in problems["broken.jsonl.gz"]
    assert "no text column" in problems["notext.csv"]
    assert "no such file" in problems["missing.jsonl"]
