"""Reading articles: every supported input, and one clear line for every bad one."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from storymatch.errors import InputError
from storymatch.inputs.files import load_article, parse_article

HTML = """<html><head><title>Coalition strikes convoy near At-Tanf</title>
<meta property="og:site_name" content="Example Wire"><meta name="date" content="2017-05-19"></head>
<body><nav>Home | World | Sport</nav><article><h1>Coalition strikes convoy near At-Tanf</h1>
<p>US-led coalition aircraft struck a pro-regime convoy in Syria as it headed toward a remote coalition garrison near
the Jordanian border, officials said on Thursday night.</p>
<p>The coalition said the strike had occurred well inside an established de-confliction zone northwest of the At-Tanf
garrison, where British and US special forces have been training local fighters.</p>
<p>Attempts to stop the convoy included a call to the Russians, a show of force in the skies and warning shots.</p>
</article><footer>Copyright Example Wire</footer></body></html>"""


def test_txt_is_the_whole_body(seed_b_path, seed_b):
    art = load_article(seed_b_path, title="Coalition strike", date="2017-05-19")
    assert art.text == seed_b
    assert art.title == "Coalition strike"
    assert art.date.isoformat() == "2017-05-19"
    assert art.source == str(seed_b_path)


def test_json_with_news_please_keys(tmp_path, seed_b):
    p = tmp_path / "b.json"
    p.write_text(json.dumps({"title": "Strike", "maintext": seed_b, "date_publish": "2017-05-19 08:12:00",
                             "language": "en", "url": "https://example.org/x", "source_domain": "example.org"}))
    art = load_article(p)
    assert art.text == seed_b and art.title == "Strike" and art.language == "en"
    assert art.date.isoformat() == "2017-05-19"
    assert art.url == "https://example.org/x" and art.source == "example.org"


def test_html_through_trafilatura(tmp_path):
    p = tmp_path / "page.html"
    p.write_text(HTML)
    art = load_article(p)
    assert "de-confliction zone" in art.text
    assert "Home | World" not in art.text and "Copyright" not in art.text
    assert art.title == "Coalition strikes convoy near At-Tanf"
    assert art.date is not None and art.date.year == 2017


def test_sniffs_kind_without_extension():
    art = parse_article(b'{"text": "Coalition officials said Russian forces had tried to dissuade the movement."}', "x")
    assert art.text.startswith("Coalition officials")


@pytest.mark.parametrize(
    "name,content,problem",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n ", "empty"),
        ("binary.txt", bytes(range(256)) * 4, "binary"),
        ("latin1.txt", "Café in Zürich war geöffnet".encode("latin-1"), "UTF-8"),
        ("notext.json", b'{"title": "only a title"}', "no text field"),
        ("broken.json", b'{"text": "unterminated', "invalid JSON"),
        ("nothing.html", b"<html><body><nav>Home</nav></body></html>", "no extractable"),
    ],
)
def test_bad_input_names_file_and_problem(tmp_path, name, content, problem):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(InputError) as e:
        load_article(p)
    assert str(p) in str(e.value) and problem in str(e.value)


def test_missing_file():
    with pytest.raises(InputError, match="no such file"):
        load_article("/nonexistent/article.txt")


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary\x00", "caf\u00e9".encode("latin-1"), b'{"title": "t"}'])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, seed_b_path, content):
    bad = tmp_path / ("bad.json" if content.startswith(b"{") else "bad.txt")
    bad.write_bytes(content)
    proc = subprocess.run([sys.executable, "-m", "storymatch", "compare", str(bad), str(seed_b_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert str(bad) in lines[0] and "Traceback" not in proc.stderr


def test_cli_missing_file_exit_2(seed_b_path):
    proc = subprocess.run([sys.executable, "-m", "storymatch", "compare", "missing.txt", str(seed_b_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "missing.txt: no such file" in proc.stderr


def test_json_lone_surrogate_is_replaced_not_a_crash(tmp_path):
    p = tmp_path / "s.json"
    p.write_text('{"text": "Coalition officials said Russian forces \\ud800 had tried to dissuade the movement."}')
    art = load_article(p)
    assert "\ud800" not in art.text and art.text.startswith("Coalition officials")
    art.text.encode("utf-8")
