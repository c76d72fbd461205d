"""`reanalyze ui` really serves the MLflow UI: checked in headless Chromium."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from reanalyze.train.data import TrainingData
from reanalyze.train.search import Search
from reanalyze.train.space import SearchSpace
from reanalyze.train.tracking import log_search

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER), reason="chromium and chromedriver are not installed"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_ui_shows_the_search_and_its_trial_runs(
    magnet_data: TrainingData, tiny_space: SearchSpace, tmp_path: Path
) -> None:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    search = Search(tiny_space, n_trials=3, workers=1, ensemble=1).fit(magnet_data, tmp_path / "r")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    log_search(search, magnet_data, tracking_uri=uri)
    port = free_port()
    ui = subprocess.Popen(
        [sys.executable, "-m", "reanalyze", "ui", "--tracking-uri", uri, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )
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
        "--window-size=1400,900",
    ):
        options.add_argument(flag)
    driver = None
    try:
        assert ui.stdout is not None
        line = ui.stdout.readline()  # printed once the server answers /health
        assert f"http://127.0.0.1:{port}" in line, line
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.get(f"http://127.0.0.1:{port}/#/experiments")
        WebDriverWait(driver, 60).until(lambda d: "reanalyze/data" in d.page_source)
        experiment = re.search(r"#/experiments/(\d+)", driver.page_source)
        assert experiment, "no link to the experiment"
        driver.get(f"http://127.0.0.1:{port}/#/experiments/{experiment.group(1)}/runs")
        WebDriverWait(driver, 60).until(lambda d: "search reanalyze-" in d.page_source)
        expand = driver.find_elements(
            By.CSS_SELECTOR, "button[data-component-id*='runnamecellrenderer']"
        )
        assert expand, "the search run has no button to show its trials"
        expand[0].click()
        WebDriverWait(driver, 30).until(lambda d: "trial 2" in d.page_source)
        shown = set(re.findall(r"trial \d+", driver.page_source))
        assert shown == {"trial 0", "trial 1", "trial 2"}
        driver.save_screenshot(str(tmp_path / "ui.png"))
    finally:
        if driver is not None:
            driver.quit()
        ui.terminate()
        ui.wait(timeout=30)
