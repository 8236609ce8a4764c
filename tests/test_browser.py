"""The page in a real browser: a uvicorn server on a loopback port, headless Chromium, the example pair.

Skips only where Chromium or its driver is not installed (Debian: chromium chromium-driver).
Saves the screenshot the README shows: docs/screenshots/compare.png.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")

SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "screenshots" / "compare.png"
# The example pair's two copied sentences (see examples/): one verbatim, one with US -> USA swapped.
COPIED = ["Coalition officials said Russian forces had apparently unsuccessfully tried to dissuade",
          "convoy going down the road didn"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_url():
    import uvicorn

    from storymatch.server import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 600  # start-up loads the models
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.2)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
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
        colour = lambda side: next(  # noqa: E731
            c for c in browser.find_element("css selector", f"#doc-{side} .passage[data-p~='{pid}']")
            .get_attribute("class").split() if c[0] == "c" and c[1:].isdigit())
        assert colour("a") == colour("b")

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

    # The rest of the result is on screen: verdict, seven score bars, evidence, backend.
    assert browser.find_element("css selector", "#verdict .verdict-line").text in ("Same story", "Different stories")
    assert len(browser.find_elements("css selector", "#scores rect.bar")) == 7
    assert browser.find_element("id", "backend").text not in ("", "?")
    assert browser.find_elements("css selector", "#evidence .ev-group")

    browser.execute_script("document.getElementById('results').scrollIntoView({block: 'start'})")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000


def test_bad_upload_shows_one_line_error(server_url, browser, tmp_path):
    from selenium.webdriver.support.ui import WebDriverWait

    bad = tmp_path / "broken.json"
    bad.write_text('{"title": "no text field here"}', encoding="utf-8")
    browser.get(server_url)
    browser.find_element("id", "file-a").send_keys(str(bad))
    status = browser.find_element("id", "status")
    WebDriverWait(browser, 60).until(lambda d: "error" in status.get_attribute("class"))
    assert "broken.json" in status.text and "no text field" in status.text
