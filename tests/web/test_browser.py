"""In a real browser: Debian's chromium, driven by Playwright."""

import os
import re
import shutil
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs

from evlaunch.report.html import build_report, write_report
from evlaunch.scenario.load import load_scenario
from evlaunch.web.local import CHROMIUM, CHROMIUM_ARGS, serving

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server():
    with serving(8767) as url:
        yield url


def test_dashboard_loads_and_a_slider_changes_the_answer(browser, server):
    page = browser.new_page(viewport={"width": 1300, "height": 800})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/")
    page.wait_for_function(
        "document.getElementById('timing').textContent.includes('paths')", timeout=60_000
    )
    before = page.inner_text("#ptarget")
    assert re.fullmatch(r"\d+(\.\d+)?%", before)
    traces_before = page.evaluate("document.getElementById('fan').data[2].y.slice(-1)[0]")
    # more capacity, faster adoption and a lower target: P(target) must rise from 0
    for slider, value in (("cap", "3"), ("p", "0.2"), ("target", "500000")):
        page.evaluate(
            "([id, v]) => { const e = document.getElementById(id); e.value = v; "
            "e.dispatchEvent(new Event('input')); }",
            [slider, value],
        )
    page.wait_for_function(
        f"document.getElementById('ptarget').textContent !== '{before}'", timeout=60_000
    )
    # while the sliders move the answers come from 10,000 paths; once they rest, 100,000
    page.wait_for_function(
        "document.getElementById('timing').textContent.startsWith('100,000 paths') && "
        "!document.getElementById('timing').textContent.includes('moving')",
        timeout=60_000,
    )
    after = float(page.inner_text("#ptarget").rstrip("%"))
    assert after > float(before.rstrip("%"))
    traces_after = page.evaluate("document.getElementById('fan').data[2].y.slice(-1)[0]")
    assert traces_after > traces_before  # the median curve was redrawn, higher
    assert page.locator("#fan .main-svg").count() >= 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    assert not errors, errors


def test_report_is_offline_and_every_chart_draws(browser, tmp_path):
    scenario, text = load_scenario()
    html, data, summary = build_report(scenario, text, paths=4000, seed=0)
    out = tmp_path / "report.html"
    folder = write_report(out, html, data, summary)
    # the page itself (plotly.js aside: it spells out links it never loads) refers to
    # nothing on the web: no src/href/url()/@import to http(s), no external script or style
    markup = html.replace(get_plotlyjs(), "")
    refs = re.findall(
        r"""(?:src|href)\s*=\s*["']?\s*https?://|url\(\s*["']?https?://|@import""",
        markup,
        flags=re.IGNORECASE,
    )
    assert refs == []
    assert "<script src" not in markup and "<link" not in markup
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{name}.csv" for name in data] + ["report.json"]
    )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(out.as_uri())
    page.wait_for_timeout(1500)
    drawn = page.locator(".plot .main-svg").count()
    assert drawn >= len(summary["figures"]) == page.locator(".plot").count()
    assert all(u.startswith(("file:", "data:", "blob:")) for u in requests), requests
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"))
    shutil.copy(out, ARTIFACTS / "report.html")
    assert not errors, errors


def test_api_docs_draw_offline(browser, server):
    page = browser.new_page()
    blocked = []

    def only_loopback(route):
        if route.request.url.startswith(("http://127.0.0.1", "data:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.goto(server + "/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=60_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/whatif" in p for p in paths) and any("/api/risk" in p for p in paths)
    assert not blocked, blocked  # it asked for nothing outside this machine


def test_a_what_if_is_shared_as_a_link(browser, server):
    page = browser.new_page()
    page.goto(server + "/?cap=2&target=500000&evil=%3Cscript%3E")
    page.wait_for_function(
        "document.getElementById('timing').textContent.includes('paths')", timeout=60_000
    )
    assert page.inner_text("#v-cap") == "2.00" and page.inner_text("#v-target") == "500,000"
    linked = float(page.inner_text("#ptarget").rstrip("%"))
    # the same what-if from the bare page, moved by hand, gives the same answer and link
    other = browser.new_page()
    other.goto(server + "/")
    other.wait_for_function(
        "document.getElementById('timing').textContent.includes('paths')", timeout=60_000
    )
    for slider, value in (("cap", "2"), ("target", "500000")):
        other.evaluate(
            "([id, v]) => { const e = document.getElementById(id); e.value = v; "
            "e.dispatchEvent(new Event('input')); }",
            [slider, value],
        )
    other.wait_for_function("location.search.includes('target=500000')", timeout=60_000)
    other.wait_for_timeout(2000)
    assert float(other.inner_text("#ptarget").rstrip("%")) == linked
    assert "evil" not in page.evaluate("location.search")  # unknown names are dropped


def test_a_moving_slider_gets_quick_answers_then_the_full_one(server, browser):
    page = browser.new_page()
    page.goto(server + "/")
    page.wait_for_function(
        "document.getElementById('timing').textContent.includes('paths')", timeout=60_000
    )
    seen = page.evaluate(
        """async () => {
        const timing = document.getElementById('timing');
        const seen = [];
        const done = new Promise(resolve => new MutationObserver((_, observer) => {
            seen.push(timing.textContent);
            if (!timing.textContent.includes('moving')) { observer.disconnect(); resolve(); }
        }).observe(timing, {childList: true}));
        const cap = document.getElementById('cap');
        cap.value = 2.5;
        cap.dispatchEvent(new Event('input'));
        await done;
        return seen;
    }"""
    )
    assert seen[0].startswith("10,000 paths") and seen[0].endswith("(moving)"), seen
    assert seen[-1].startswith("100,000 paths"), seen
