"""The page in a real browser: a uvicorn server on a loopback port, headless Chromium, the example pair.

Skips only where Chromium or its driver is not installed (Debian: chromium chromium-driver).
Saves the screenshots the README shows: docs/screenshots/compare.png and stories.png.
"""

from __future__ import annotations

import json
import shutil
from contextlib import contextmanager
from pathlib import Path

import live_server
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="chromium and chromium-driver are not installed "
                                       "(apt-get install chromium chromium-driver)")]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCREENSHOT = SHOTS / "compare.png"
# The example pair's two copied sentences (see examples/): one verbatim, one with US -> USA swapped.
COPIED = ["Coalition officials said Russian forces had apparently unsuccessfully tried to dissuade",
          "convoy going down the road didn"]


@contextmanager
def running(app):
    """`app` served by uvicorn on a free loopback port, in a thread of this process."""
    with live_server.running(app) as port:
        yield f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def server_url():
    from storymatch.serving.app import create_app

    with running(create_app()) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the console, to see failed requests
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1440,1500",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    yield driver
    driver.quit()


def passage_texts(driver, side: str) -> dict[str, str]:
    """Highlighted text on one side, joined per passage id."""
    out: dict[str, str] = {}
    for span in driver.find_elements("css selector", f"#doc-{side} .passage"):
        for pid in span.get_attribute("data-p").split():
            out[pid] = out.get(pid, "") + span.text
    return out


def colour_of(browser, side: str, pid: str) -> str:
    """The colour class of passage `pid` on one side of the page."""
    classes = browser.find_element("css selector", f"#doc-{side} .passage[data-p~='{pid}']").get_attribute("class")
    return next(c for c in classes.split() if c[0] == "c" and c[1:].isdigit())


def test_example_pair_side_by_side(server_url, browser, seed_a_path, seed_b_path, seed_a, seed_b):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server_url)
    wait = WebDriverWait(browser, 300)
    # Upload both files: the page reads them through /api/parse and fills the text boxes.
    browser.find_element("id", "file-a").send_keys(str(seed_a_path))
    wait.until(lambda d: d.find_element("id", "text-a").get_attribute("value").strip() == seed_a.strip())
    browser.find_element("id", "file-b").send_keys(str(seed_b_path))
    wait.until(lambda d: d.find_element("id", "text-b").get_attribute("value").strip() == seed_b.strip())
    browser.find_element("id", "compare-btn").click()
    wait.until(lambda d: d.find_elements("css selector", "#doc-a .passage") or "error" in d.find_element(
        "id", "status").get_attribute("class"))
    assert browser.find_element("id", "status").text == ""

    # Both copied sentences are highlighted on both sides, as the same passage (same id, same colour).
    in_a, in_b = passage_texts(browser, "a"), passage_texts(browser, "b")
    for sentence in COPIED:
        ids_a = {pid for pid, t in in_a.items() if sentence in t}
        ids_b = {pid for pid, t in in_b.items() if sentence in t}
        assert ids_a & ids_b, f"not highlighted on both sides as one passage: {sentence!r}"
        pid = sorted(ids_a & ids_b)[0]
        assert colour_of(browser, "a", pid) == colour_of(browser, "b", pid)

    # The US -> USA swap is marked on both sides, with the swap in the title.
    swaps_a = browser.find_elements("css selector", "#doc-a mark.swap")
    swaps_b = browser.find_elements("css selector", "#doc-b mark.swap")
    assert any(m.text.strip() == "USA" and "US \u2192 USA" in m.get_attribute("title") for m in swaps_a)
    assert any(m.text.strip() == "US" and "US \u2192 USA" in m.get_attribute("title") for m in swaps_b)

    # Hovering a passage on A lights up its twin on B.
    convoy = next(s for s in browser.find_elements("css selector", "#doc-a .passage") if "convoy going" in s.text)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", convoy)
    ActionChains(browser).move_to_element(convoy).perform()
    pid = convoy.get_attribute("data-p").split()[0]
    twin = browser.find_element("css selector", f"#doc-b .passage[data-p~='{pid}']")
    assert "lit" in twin.get_attribute("class").split()

    # The rest of the result is on screen: verdict, seven score bars, evidence, the models.
    assert browser.find_element("css selector", "#verdict .verdict-line").text in ("Same story", "Different stories")
    assert "null" not in browser.find_element("id", "verdict").text.split()
    assert len(browser.find_elements("css selector", "#scores rect.bar")) == 7
    assert browser.find_element("id", "backend").text not in ("", "?")
    models = browser.find_element("id", "models").text
    for named in ("embeddings", "all-MiniLM-L6-v2", "names", "spaCy en_core_web_sm", "language", "scores", "verdict",
                  "same-story verifier"):
        assert named in models, models
    assert browser.find_elements("css selector", "#evidence .ev-group")

    # One bar convention with the command line: the longer the bar, the more similar, said under the chart.
    width = {r.get_attribute("data-score"): float(r.get_attribute("width"))
             for r in browser.find_elements("css selector", "#scores rect.bar")}
    scores = browser.execute_script("return [...document.querySelectorAll('#scores .score-value')]"
                                    ".map(t => Number(t.textContent))")
    by_name = dict(zip(["overall", "geography", "entities", "time", "narrative", "style", "tone"], scores))
    most, least = min(by_name, key=by_name.get), max(by_name, key=by_name.get)
    assert by_name[most] < by_name[least] and width[most] > width[least]  # lower score (more similar): longer
    assert "The longer the bar, the more similar" in browser.find_element("css selector", ".bar-legend").text

    # Only the kinds of evidence the pair has (it shares no number: no "Shared numbers (0) none").
    groups = browser.find_elements("css selector", "#evidence .ev-group")
    assert all(g.find_elements("css selector", "li") for g in groups)
    assert not browser.find_elements("css selector", "#evidence .ev-group[data-key='shared_numbers']")

    # Nothing failed to load (the favicon was a 404 in the console).
    failed = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert failed == []

    # The whole page in one picture (inputs, verdict, chart, both texts, evidence), the twin lit.
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1440, min(3600, height + 200))
    browser.execute_script("window.scrollTo(0, 0)")
    ActionChains(browser).move_to_element(convoy).perform()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOT))
    browser.set_window_size(1440, 1500)
    assert SCREENSHOT.stat().st_size > 10_000


def test_uploaded_html_keeps_its_paragraphs(server_url, browser, tmp_path):
    """trafilatura separates an HTML page's paragraphs with one line break; the page draws each as a gap between
    paragraphs, while the text (and so every offset) stays exactly what storymatch read."""
    from selenium.webdriver.support.ui import WebDriverWait

    paragraphs = ["US-led coalition aircraft struck a pro-regime convoy apparently transporting Shia militia men in "
                  "Syria as it headed toward a remote coalition garrison near the Jordanian border last night.",
                  "While officials stressed the defensive strike did not signal deepening US involvement in Syria's "
                  "civil war, it nonetheless raises questions about the coalition's singular focus.",
                  "Coalition officials said Russian forces had apparently unsuccessfully tried to dissuade the "
                  "pro-regime movement south."]
    page = tmp_path / "wire.html"
    page.write_text("<html><head><title>Strike near At-Tanf</title></head><body><article><h1>Strike near At-Tanf</h1>"
                    + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>", encoding="utf-8")
    browser.get(server_url)
    wait = WebDriverWait(browser, 300)
    browser.find_element("id", "file-a").send_keys(str(page))
    wait.until(lambda d: "coalition garrison" in d.find_element("id", "text-a").get_attribute("value"))
    browser.execute_script("document.getElementById('text-b').value = arguments[0];", paragraphs[2])
    browser.find_element("id", "compare-btn").click()
    wait.until(lambda d: d.find_elements("css selector", "#doc-a .passage") or "error" in d.find_element(
        "id", "status").get_attribute("class"))
    breaks = browser.find_elements("css selector", "#doc-a .para-break")
    assert len(breaks) >= len(paragraphs) - 1
    assert all(b.size["height"] > 5 for b in breaks)  # drawn as a gap, not run together
    text = browser.find_element("id", "text-a").get_attribute("value")
    drawn = browser.execute_script("return document.getElementById('doc-a').textContent")
    assert drawn == text  # the offsets index the same text


def test_paraphrase_level_can_be_turned_on(server_url, browser, seed_a_path, seed_b_path, seed_a, seed_b):
    """The legend offers "paraphrase", so the page can ask for the paraphrase level: "Syria today condemned ...
    a 'brazen attack'" is a reworded sentence of the wire's, found only with it (and scored never)."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server_url)
    wait = WebDriverWait(browser, 300)
    browser.execute_script("document.getElementById('text-a').value = arguments[0];"
                           "document.getElementById('text-b').value = arguments[1];", seed_a, seed_b)
    browser.find_element("id", "paraphrase").click()
    browser.find_element("id", "compare-btn").click()
    wait.until(lambda d: d.find_elements("css selector", "#doc-a .passage") or "error" in d.find_element(
        "id", "status").get_attribute("class"))
    reworded = browser.find_elements("css selector", "#doc-a .passage.kind-paraphrase")
    assert any("brazen attack" in p.text for p in reworded)
    assert "paraphrases" in browser.find_element("id", "models").text


def test_bad_upload_shows_one_line_error(server_url, browser, tmp_path):
    from selenium.webdriver.support.ui import WebDriverWait

    bad = tmp_path / "broken.json"
    bad.write_text('{"title": "no text field here"}', encoding="utf-8")
    browser.get(server_url)
    browser.find_element("id", "file-a").send_keys(str(bad))
    status = browser.find_element("id", "status")
    WebDriverWait(browser, 60).until(lambda d: "error" in status.get_attribute("class"))
    assert "broken.json" in status.text and "no text field" in status.text


def test_story_browser_and_provenance_map(browser, tmp_path, seed_a, seed_b):
    """With a store: the example pair's story, oldest first, the wire -> patchwork edge, the provenance map."""
    import httpx
    from selenium.webdriver.support.ui import WebDriverWait

    from storymatch.serving.app import create_app

    with running(create_app(store_dir=tmp_path / "store", token="t0k")) as url:
        body = {"articles": [
            {"text": seed_a, "source": "patchwork", "title": "Syria condemns strike", "date": "2017-05-19"},
            {"text": seed_b, "source": "wire", "title": "US-led coalition strikes convoy", "date": "2017-05-18"}]}
        resp = httpx.post(url + "api/ingest", json=body, headers={"Authorization": "Bearer t0k"}, timeout=300)
        assert resp.status_code == 200 and resp.json()["added"] == 2, resp.text
        browser.get(url)
        wait = WebDriverWait(browser, 300)
        wait.until(lambda d: d.find_element("id", "stories-tab").is_displayed())
        browser.find_element("id", "stories-tab").click()
        story = wait.until(lambda d: next((li for li in d.find_elements("css selector", "#story-list li[data-story]")
                                           if li.text.startswith("2 articles")), None))
        story.click()
        wait.until(lambda d: d.find_elements("css selector", "#timeline li"))
        timeline = [li.text for li in browser.find_elements("css selector", "#timeline li")]
        assert "wire" in timeline[0] and "patchwork" in timeline[1]  # time order
        edges = browser.find_element("id", "edges").text
        assert "wire \u2192 patchwork" in edges
        browser.find_elements("css selector", "#timeline li button")[1].click()  # the patchwork's provenance map
        wait.until(lambda d: d.find_elements("css selector", "#trace-doc .traced"))
        traced = " ".join(s.text for s in browser.find_elements("css selector", "#trace-doc .traced"))
        for sentence in COPIED:
            assert sentence in traced.replace("\u2019", "'")
        untraced = browser.find_element("id", "trace-doc").text
        assert "The yesterday strike" in untraced and "The yesterday strike" not in traced  # its own text stays plain
        browser.save_screenshot(str(SHOTS / "stories.png"))

        # Search by pasted text: each hit labelled (relation, p(same story), the share of the query's text), the
        # columns explained once under the list.
        browser.find_element("id", "search-q").send_keys(seed_b.split("\n")[0])
        browser.find_element("css selector", "#search-form button").click()
        hits = wait.until(lambda d: d.find_elements("css selector", "#search-results li"))
        first = hits[0].text
        assert first.startswith("source") and "wire" in first and "p(same story)" in first
        assert "of the query's text" in first
        assert "Best first" in browser.find_element("id", "story-detail").text

        # Search by a stored id: a hit opens side by side, the query as A and the hit as B, compared in full.
        ids = {a["source"]: a["id"] for a in httpx.get(url + "api/articles", timeout=60).json()["articles"]}
        query = browser.find_element("id", "search-q")
        query.clear()
        query.send_keys(ids["patchwork"])
        browser.find_element("css selector", "#search-form button").click()
        opener = wait.until(lambda d: next((b for b in d.find_elements("css selector", "#search-results li button")
                                            if b.text == "Compare side by side"), None))
        opener.click()
        wait.until(lambda d: d.find_elements("css selector", "#doc-a .passage"))
        assert browser.find_element("id", "source-a").get_attribute("value") == "patchwork"
        assert browser.find_element("id", "source-b").get_attribute("value") == "wire"

        # The address of the Stories tab opens it: /#stories typed or linked, not the Compare view
        browser.get("about:blank")
        browser.get(url + "#stories")
        wait.until(lambda d: d.find_elements("css selector", "#story-list li[data-story]"))
        assert browser.find_element("id", "view-stories").is_displayed()
        assert not browser.find_element("id", "view-compare").is_displayed()
        browser.find_element("css selector", ".tab[data-view='compare']").click()
        assert browser.current_url.endswith("#compare")


def test_a_search_hit_in_the_story_under_the_verdict_says_why(browser, tmp_path, follow_up):
    """The page's search says how the story joins a hit whose pair probability alone is under the verdict."""
    from selenium.webdriver.support.ui import WebDriverWait

    from storymatch.corpus.clusterer import ClusterParams
    from storymatch.corpus.ingestion import ingest_records
    from storymatch.corpus.store import Store
    from storymatch.corpus.stories import cluster
    from storymatch.inputs.records import article_from_record
    from storymatch.serving.app import create_app

    corpus = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
    records = [json.loads(f.read_text(encoding="utf-8")) for f in sorted(corpus.glob("*.json"))]
    records += [json.loads(line) for line in (corpus / "week.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip()]
    records.append({"id": "follow-up", "text": follow_up, "date": "2017-05-20"})
    with Store(tmp_path / "store", create=True) as store:  # clustered without the cohesion rule (see the corpus test)
        ingest_records([(r["id"], article_from_record(r, r["id"])) for r in records], store)
        cluster(store, ClusterParams(cohesion_margin=None))
    with running(create_app(store_dir=tmp_path / "store", token="t0k")) as url:
        browser.get(url)
        wait = WebDriverWait(browser, 300)
        wait.until(lambda d: d.find_element("id", "stories-tab").is_displayed())
        browser.find_element("id", "stories-tab").click()
        browser.find_element("id", "search-q").send_keys("seed-b")
        browser.find_element("css selector", "#search-form button").click()
        hits = wait.until(lambda d: d.find_elements("css selector", "#search-results li"))
        line = next(li.text for li in hits if "follow-up" in li.text)
        assert "same story, through" in line and "p(same story)" in line


def test_pasted_markup_stays_text_and_offsets_survive_astral_characters(server_url, browser):
    """Offsets count code points, JavaScript counts UTF-16 units: an emoji before a passage must not shift it."""
    from selenium.webdriver.support.ui import WebDriverWait

    copied = ("Coalition officials said Russian forces had apparently unsuccessfully tried to dissuade "
              "the pro-regime movement south of the garrison.")
    text_a = (f"\U0001F6A8\U0001F6A8 <b>Breaking</b> <img src=x onerror=alert(1)> news from the border."
              f"\n\n{copied}\n\nMore later.")
    text_b = f"Reporters in Amman heard this first.\n\n{copied}\n\nNo one else commented."
    browser.get(server_url)
    browser.execute_script("document.getElementById('text-a').value = arguments[0];"
                           "document.getElementById('text-b').value = arguments[1];", text_a, text_b)
    browser.find_element("id", "compare-btn").click()
    WebDriverWait(browser, 300).until(lambda d: d.find_elements("css selector", "#doc-a .passage")
                                      or "error" in d.find_element("id", "status").get_attribute("class"))
    passage_a = " ".join(s.text for s in browser.find_elements("css selector", "#doc-a .passage"))
    passage_b = " ".join(s.text for s in browser.find_elements("css selector", "#doc-b .passage"))
    assert passage_a.startswith("Coalition officials") and passage_a.rstrip(".").endswith("garrison")
    assert passage_a == passage_b
    doc_a = browser.find_element("id", "doc-a")
    assert "<b>Breaking</b> <img src=x onerror=alert(1)>" in doc_a.text  # shown as text, not markup
    assert not doc_a.find_elements("css selector", "b, img")


def test_translation_drawn_sentence_by_sentence(server_url, browser, seed_b_path, seed_b, tmp_path):
    """A German article translating the wire: the translated run is one passage of kind translation on both
    sides, and each German sentence carries its English original as a tooltip."""
    from selenium.webdriver.support.ui import WebDriverWait

    german_path = Path(__file__).resolve().parents[1] / "fixtures" / "articles" / "seed-b-de.txt"
    german = german_path.read_text(encoding="utf-8")
    browser.get(server_url)
    wait = WebDriverWait(browser, 300)
    browser.find_element("id", "file-a").send_keys(str(german_path))
    wait.until(lambda d: d.find_element("id", "text-a").get_attribute("value").strip() == german.strip())
    browser.find_element("id", "file-b").send_keys(str(seed_b_path))
    wait.until(lambda d: d.find_element("id", "text-b").get_attribute("value").strip() == seed_b.strip())
    browser.find_element("id", "compare-btn").click()
    wait.until(lambda d: d.find_elements("css selector", "#doc-a .passage") or "error" in d.find_element(
        "id", "status").get_attribute("class"))
    assert browser.find_elements("css selector", "#doc-a .passage.kind-translation")
    assert browser.find_elements("css selector", "#doc-b .passage.kind-translation")
    titles = [m.get_attribute("title") for m in browser.find_elements("css selector", "#doc-a mark.tsent")]
    assert any("Coalition officials said Russian forces" in t for t in titles)
    browser.save_screenshot(str(tmp_path / "translation.png"))


def test_api_docs_render_without_a_network(server_url, browser):
    """/docs draws its operations from files the package serves: from a CDN it was blank offline (as here)."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server_url + "docs")
    ops = WebDriverWait(browser, 60).until(lambda d: d.find_elements("css selector", ".opblock"))
    assert any("/api/compare" in op.text for op in ops) and any("/api/align" in op.text for op in ops)


def test_too_little_text_is_cannot_tell_with_why(server_url, browser, seed_b):
    """A one-word text against the wire: "Cannot tell" and why, not "Same story" for a guess; and the source card
    says what share of each text is shared ("A reused 15% · B reused 16%" read as if B took from A)."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server_url)
    wait = WebDriverWait(browser, 300)
    browser.execute_script("document.getElementById('text-a').value = 'Strike.';"
                           "document.getElementById('text-b').value = arguments[0];", seed_b)
    browser.find_element("id", "compare-btn").click()
    wait.until(lambda d: d.find_elements("css selector", "#verdict .verdict-line"))
    assert browser.find_element("css selector", "#verdict .verdict-line").text == "Cannot tell"
    why = browser.find_element("id", "too-little-text").text
    assert "A has 1 word" in why and "at least 16" in why
    assert "(a guess)" in browser.find_element("css selector", "#verdict .prob").text
    shared = browser.find_element("id", "source-card").text
    assert "the shared text is" in shared and "reused" not in shared.split("·")[-1]
