"""`reanalyze ui` in headless Chromium: the URL it prints opens the runs table of the latest
search, whose columns compare twins without expanding their trials (best objective, held-out
line errors of the twin and of the best classic method, wall time, the property headline),
and the search run lasts as long as the search did.

With ``REANALYZE_SCREENSHOTS=1`` the page is saved as docs/figures/mlflow-runs.png (the
screenshot in docs/training.md)."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from server_helpers import first_line, free_port, serving
from support import browser_missing

from reanalyze.twin.data import TrainingData
from reanalyze.twin.search import Search
from reanalyze.twin.space import SearchSpace
from reanalyze.twin.tracking import SEARCH_COLUMNS, log_search
from reanalyze.workflows import compute_property

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "docs" / "figures" / "mlflow-runs.png"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing())),
]


def duration_text(ms: int) -> str:
    """A duration as MLflow's runs table writes it (its ``Utils.formatDuration``)."""
    if ms < 500:
        return f"{ms}ms"
    for limit, unit, scale in ((6e4, "s", 1e3), (36e5, "min", 6e4), (864e5, "h", 36e5)):
        if ms < limit:
            return f"{ms / scale:.1f}{unit}"
    return f"{ms / 864e5:.1f}d"


def chrome(profile: Path, width: int, height: int) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def headers_seen(driver: Any) -> set[str]:
    """The runs table's column headers, scrolling it sideways (the grid only draws the
    columns in view)."""
    seen: set[str] = set()
    position = 0
    while True:
        for element in driver.find_elements("css selector", "[data-testid^='sort-header-']"):
            seen.add(str(element.get_attribute("data-testid")).removeprefix("sort-header-"))
        moved = driver.execute_script(
            "const v = document.querySelector('.ag-body-horizontal-scroll-viewport');"
            "if (!v) return -1; v.scrollLeft = arguments[0];"
            "v.dispatchEvent(new Event('scroll')); return v.scrollLeft;",
            position + 300,
        )
        if moved is None or moved <= position:
            break
        position = int(moved)
        time.sleep(0.3)  # the grid draws the columns scrolled into view
    driver.execute_script(
        "const v = document.querySelector('.ag-body-horizontal-scroll-viewport');"
        "if (v) { v.scrollLeft = 0; v.dispatchEvent(new Event('scroll')); }"
    )
    return seen


def test_the_printed_url_opens_the_runs_table_with_the_twins_headline(
    magnet_data: TrainingData, tiny_space: SearchSpace, tmp_path: Path
) -> None:
    import mlflow
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    # the store as `reanalyze train` and `reanalyze property run` leave it: a search with
    # the property of its twin, then a second search with another objective
    run_dir = tmp_path / "run"
    search = Search(tiny_space, n_trials=3, workers=1, ensemble=2).fit(magnet_data, run_dir)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    log_search(search, magnet_data, tracking_uri=uri)
    lo, hi = search.bundle_.ranges["T"]
    grid = f"T={lo + 1:.1f}:{hi - 1:.1f}:0.5K H=0.01:5T:0.5T"
    compute_property("magnetocaloric", [str(run_dir)], tmp_path / "mce", grid=grid)
    second = Search(
        tiny_space, n_trials=2, workers=1, ensemble=1, objective="train", study_name="train-r2"
    ).fit(magnet_data, tmp_path / "run-train")
    log_search(second, magnet_data, tracking_uri=uri)
    record = json.loads((run_dir / "mlflow.json").read_text())
    latest = json.loads((tmp_path / "run-train" / "mlflow.json").read_text())
    assert latest["experiment_id"] == record["experiment_id"]
    client = mlflow.MlflowClient(tracking_uri=uri)
    parent = client.get_run(record["run_id"])
    shown_metrics = [*SEARCH_COLUMNS, "magnetocaloric/delta_s_max"]
    assert set(shown_metrics) <= set(parent.data.metrics)
    wall_ms = parent.info.end_time - parent.info.start_time
    wall_s = search.bundle_.summary["wall_s"]  # the run adds the saving of the members
    assert wall_s * 1000 - 10 <= wall_ms <= wall_s * 1000 + 3000

    port = free_port()
    with serving(["ui", "--tracking-uri", uri, "--port", str(port)]) as ui:
        driver = None
        try:
            line = first_line(ui)
            url = f"http://127.0.0.1:{port}/#/experiments/{record['experiment_id']}/runs"
            url += "?workflowType=machine_learning&viewStateShareKey=reanalyze"
            assert line == f"MLflow UI for {uri}: {url} (Ctrl-C to stop)\n"

            screenshot = os.environ.get("REANALYZE_SCREENSHOTS") == "1"
            width = 2150 if screenshot else 1400
            driver = chrome(tmp_path / "chromium-profile", width, 560 if screenshot else 900)
            driver.get(url)
            WebDriverWait(driver, 90).until(
                lambda d: d.find_elements(
                    By.CSS_SELECTOR, "[data-testid='sort-header-best_objective']"
                )
            )
            assert "Model training" in driver.page_source  # not the GenAI landing page
            for close in driver.find_elements(
                By.CSS_SELECTOR, "[data-component-id='mlflow.assistant.chat_panel.close']"
            ):
                close.click()  # MLflow's assistant panel takes a third of the page
            assert set(shown_metrics) <= headers_seen(driver)

            # a row per search, the latest first, trials folded: true durations, headlines
            rows = driver.execute_script(
                "return Array.from(document.querySelectorAll('.ag-center-cols-container .ag-row'))"
                ".map(r => [r.getAttribute('row-index'), r.getAttribute('row-id')]);"
            )
            assert [run_id for _, run_id in sorted(rows)] == [latest["run_id"], record["run_id"]]
            cells = dict(
                driver.execute_script(
                    "return Array.from(document.querySelectorAll("
                    "`.ag-row[row-id='${arguments[0]}'] [col-id]`))"
                    ".map(c => [c.getAttribute('col-id'), c.textContent.trim()]);",
                    record["run_id"],
                )
            )
            assert cells["duration"] == duration_text(wall_ms)
            assert cells["metrics.`best_objective`"] == repr(parent.data.metrics["best_objective"])
            assert cells["params.`objective`"] == "lines"

            if screenshot:
                SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                driver.save_screenshot(str(SCREENSHOT))

            # the trials are a click away
            expand = driver.find_elements(
                By.CSS_SELECTOR,
                f".ag-row[row-id='{record['run_id']}'] button[data-component-id*='runnamecellrenderer']",
            )
            assert len(expand) == 1, "the search run has no button to show its trials"
            expand[0].click()
            WebDriverWait(driver, 30).until(lambda d: "trial 2" in d.page_source)
            shown = set(re.findall(r"trial \d+", driver.page_source))
            assert shown == {"trial 0", "trial 1", "trial 2"}
            assert "property magnetocaloric" in driver.page_source
        finally:
            if driver is not None:
                driver.quit()
            ui.terminate()
            ui.communicate(timeout=60)
