"""In a real browser, `evlaunch serve my-plan.yaml` (not the bundled scenario): the dashboard
shows that plan, its own option's slider moves P(target), and stored runs open and compare."""

import os
from pathlib import Path

import pytest

from evlaunch.web.local import CHROMIUM, CHROMIUM_ARGS

from .conftest import OWN_OPTION, serve, store_report_runs

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TOKEN = "a-token-for-the-browser-0123456789"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright


def _answered(page) -> None:
    page.wait_for_function(
        "document.getElementById('timing').textContent.includes('paths')", timeout=60_000
    )


def test_my_plan_in_the_dashboard_with_its_own_sliders_and_stored_runs(own_plan, tmp_path):
    store = tmp_path / "runs.duckdb"
    first, second = store_report_runs(store, own_plan)
    args = (str(own_plan), "--host", "0.0.0.0", "--store", str(store))
    with serve(*args, env={"EVLAUNCH_TOKEN": TOKEN}) as (base, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        errors, outside = [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "request",
            lambda r: None if r.url.startswith("http://127.0.0.1") else outside.append(r.url),
        )
        page.goto(f"{base}/?token={TOKEN}")
        _answered(page)
        assert "token" not in page.url  # the cookie carries it; links shared carry none
        assert page.inner_text("#what").startswith("Acme EV plan · built with " + OWN_OPTION)
        assert page.locator("#controls b, #controls h3 b").count() >= 5
        assert page.locator("#controls h3 >> text=Option: " + OWN_OPTION).count() == 1
        before = float(page.inner_text("#ptarget").rstrip("%"))
        key = f"oc:{OWN_OPTION}"
        page.evaluate(
            "k => { const e = [...document.querySelectorAll('#controls input')]"
            ".find(i => i.dataset.key === k); e.value = '3';"
            " e.dispatchEvent(new Event('input')); }",
            key,
        )
        page.wait_for_function(
            f"document.getElementById('ptarget').textContent !== '{before}%'", timeout=60_000
        )
        page.wait_for_timeout(1500)  # let the last request land
        assert float(page.inner_text("#ptarget").rstrip("%")) > before
        assert "oc%3AAcme" in page.url  # the move is in the link
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard-my-plan.png"), full_page=True)
        # stored runs: the list, newest first; one opened; two side by side
        page.click("#tab-runs")
        page.wait_for_selector("#runs button")
        ids = page.locator("#runs tr td:nth-child(6)").all_inner_texts()
        assert ids == [second, first]
        page.locator("#runs button").first.click()
        frame = page.frame_locator("#run-frame")
        frame.locator(".plot .main-svg").first.wait_for(timeout=60_000)
        assert "Acme EV plan" in frame.locator("body").inner_text()
        for tick in page.locator("#runs input[type=checkbox]").all():
            tick.check()
        page.click("#compare")
        page.wait_for_function(
            "document.getElementById('run-frame').src.includes('/runs/compare')", timeout=10_000
        )
        frame.locator(f"text={first}").first.wait_for(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "dashboard-runs.png"))
        browser.close()
    assert not errors, errors
    assert not outside, outside
