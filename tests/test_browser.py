"""The dashboard in a real browser: Debian's Chromium driven by Playwright (never
``playwright install``). Starts ``naqsha dashboard`` on a small store with a hostile
article, waits for the map canvas, checks it is drawn, hovers a place for its tooltip,
clicks it for its evidence, and checks that the hostile text is shown and runs nothing
and that the page asks nothing of the network beyond the app's own server.

Screenshots land in ``$NAQSHA_SCREENSHOTS`` (default: the test's temporary folder).
"""

from __future__ import annotations

import io
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from naqsha import store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from factories import HOSTILE, HOSTILE_SCRIPT, small_tables  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--enable-unsafe-swiftshader"]
CANVAS = "[data-testid='stDeckGlJsonChart'] canvas"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the dashboard exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError("the dashboard did not answer its health check")


@pytest.fixture(scope="module")
def server(geodata, tmp_path_factory):
    """``naqsha dashboard`` on a small store, in its own process group (killed whole)."""
    home = tmp_path_factory.mktemp("browser-home")
    env = dict(os.environ, NAQSHA_HOME=str(home), NAQSHA_GEODATA_CACHE=str(geodata))
    env.pop("NAQSHA_STORE", None)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NAQSHA_GEODATA_CACHE", str(geodata))
        store.write_tables(_tables(), home / "store")
    port = free_port()
    log = open(home / "dashboard.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "naqsha.cli", "dashboard", "--store", str(home / "store"),
                             "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _tables():
    from naqsha.etl.layers import load_layer

    return small_tables(load_layer("districts", web=True), load_layer("provinces", web=True))


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def page(browser, server):
    """A fresh page that records dialogs and every request leaving the app's server."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    pg = context.new_page()
    pg.dialogs, pg.outside, pg.layer_data = [], [], []

    def on_dialog(d):
        pg.dialogs.append(d.message)
        d.dismiss()

    pg.on("dialog", on_dialog)
    pg.on("request", lambda r: None if r.url.startswith((server, "data:", "blob:")) else pg.outside.append(r.url))
    pg.on("requestfinished", lambda r: pg.layer_data.append(r.url) if "/naqsha/layer-data/" in r.url else None)
    yield pg
    context.close()


def shots_dir(tmp_path) -> Path:
    d = Path(os.environ.get("NAQSHA_SCREENSHOTS") or tmp_path)
    d.mkdir(parents=True, exist_ok=True)
    return d


def open_view(page, server, view="violence"):
    page.goto(f"{server}/?view={view}")
    page.wait_for_selector(CANVAS, timeout=120_000)
    page.wait_for_timeout(1500)  # let deck.gl draw its first frames


def is_drawn(png: bytes) -> bool:
    """Not blank: many colours, and a good share of pixels away from the background."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB").resize((200, 160))
    pixels = list(img.get_flattened_data()) if hasattr(img, "get_flattened_data") else list(img.getdata())
    background = max(set(pixels), key=pixels.count)
    differ = sum(1 for p in pixels if sum(abs(a - b) for a, b in zip(p, background)) > 30)
    return len(set(pixels)) > 20 and differ / len(pixels) > 0.05


def mercator(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    world = 512 * 2 ** zoom
    x = (lon + 180) / 360 * world
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * world
    return x, y


def screen_point(page, lon, lat, view=None):
    """Where (lon, lat) is on the first map's canvas, from the deck's initial view."""
    from naqsha.dashboard.deck import AFG_VIEW

    view = view or AFG_VIEW
    box = page.locator(CANVAS).first.bounding_box()
    cx, cy = mercator(view.longitude, view.latitude, view.zoom)
    px, py = mercator(lon, lat, view.zoom)
    return box["x"] + box["width"] / 2 + (px - cx), box["y"] + box["height"] / 2 + (py - cy)


def test_map_draws_offline_and_tooltips_show_text(page, server, tmp_path):
    open_view(page, server)
    canvas = page.locator(CANVAS).first
    png = canvas.screenshot(path=str(shots_dir(tmp_path) / "browser-violence-map.png"))
    assert is_drawn(png), "the map canvas is blank"
    assert page.layer_data, "the map's data should come by URL from the app's own server, not inline"

    x, y = screen_point(page, 69.1723, 34.5281)  # Kabul
    tooltip = page.locator(".deck-tooltip")
    for dx, dy in ((0, 0), (2, 2), (-2, -2), (3, -3)):
        page.mouse.move(x + dx, y + dy)
        page.wait_for_timeout(400)
        if tooltip.count() and tooltip.first.is_visible() and "Kabul" in tooltip.first.inner_text():
            break
    text = tooltip.first.inner_text()
    assert text.startswith("Kabul") and "2 reports" in text and "42 deaths stated" in text
    page.screenshot(path=str(shots_dir(tmp_path) / "browser-violence-tooltip.png"))
    assert page.dialogs == [] and page.outside == []


def select_kabul(page) -> str:
    """Click Kabul on the map; under software WebGL on a busy machine deck.gl sometimes
    reads a click as a long press (its picking blocks the page for longer than a tap),
    so retry, then fall back to the evidence picker, the keyboard path to the same pane.
    Returns which path worked."""
    x, y = screen_point(page, 69.1723, 34.5281)
    sentence = page.get_by_text("A car bomb in Kabul killed 40 people")
    for _ in range(3):
        page.mouse.move(x, y)
        page.wait_for_timeout(800)
        page.mouse.click(x, y)
        try:
            sentence.wait_for(timeout=8_000)
            return "map click"
        except Exception:
            continue
    page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").first.click()
    page.keyboard.type("Kabul")
    page.get_by_role("option").filter(has_text="Kabul (exact place)").first.click()
    sentence.wait_for(timeout=30_000)
    return "evidence picker"


def test_selecting_a_place_shows_escaped_evidence_and_runs_nothing(page, server, tmp_path):
    open_view(page, server)
    how = select_kabul(page)
    print(f"evidence opened by {how}")
    assert page.get_by_text(HOSTILE, exact=False).count() >= 1  # shown as text
    assert page.locator("img[src='x']").count() == 0
    page.wait_for_timeout(500)
    page.screenshot(path=str(shots_dir(tmp_path) / "browser-evidence.png"))
    assert page.evaluate("() => window.__naqsha_pwned === undefined")
    assert page.dialogs == [] and page.outside == []


def test_control_view_cards_show_hostile_source_as_text(page, server, tmp_path):
    open_view(page, server, "control")
    page.get_by_text("window.__naqsha_pwned=1", exact=False).first.wait_for(timeout=30_000)
    assert page.locator("script:has-text('__naqsha_pwned')").count() == 0
    assert page.evaluate("() => window.__naqsha_pwned === undefined")
    page.screenshot(path=str(shots_dir(tmp_path) / "browser-control.png"))
    assert page.dialogs == [] and page.outside == []


def test_venues_view_draws_both_maps(page, server, tmp_path):
    open_view(page, server, "venues")
    page.wait_for_function(f"document.querySelectorAll(\"{CANVAS}\").length >= 2", timeout=120_000)
    page.wait_for_timeout(1500)
    canvases = page.locator(CANVAS)
    assert is_drawn(canvases.nth(0).screenshot(path=str(shots_dir(tmp_path) / "browser-venues-abroad.png")))
    assert page.dialogs == [] and page.outside == []
