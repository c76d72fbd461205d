"""``reanalyze gui`` in real headless Chromium: upload a CSV, train a tiny twin, validate it,
simulate a grid, download the CSV and check its numbers against the library's prediction on
the same run folder; compute a property, plan, list the runs.

With ``REANALYZE_SCREENSHOTS=1`` every page is saved to ``docs/figures/gui-<page>.png`` (the
pictures of docs/gui.md); CI leaves the docs alone.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gui_helpers import scan_csv

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FIGURES = Path(__file__).resolve().parents[2] / "docs" / "figures"
SCREENSHOTS = os.environ.get("REANALYZE_SCREENSHOTS") == "1"
FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--disable-dev-shm-usage", "--window-size=1400,1000",
)  # fmt: skip


def _missing() -> str | None:
    missing = [name for name, found in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER))
               if not found]  # fmt: skip
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    return f"{' and '.join(missing)} not installed" if missing else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def gui(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``reanalyze gui`` started as a command; its URL and working folder."""
    workdir = tmp_path / "work"
    port = free_port()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    server = subprocess.Popen(
        [sys.executable, "-m", "reanalyze", "gui", "--workdir", str(workdir), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        env=env,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        line = server.stdout.readline()  # printed once the server answers
        url = f"http://127.0.0.1:{port}/"
        assert line.startswith(f"reanalyze GUI: {url} (working folder {workdir.resolve()}"), (
            line + server.stderr.read() if server.stderr else line
        )
        yield url, workdir
    finally:
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=90)
        assert server.returncode == 128 + signal.SIGTERM, err
        assert err.strip().splitlines()[-1] == "stopped the GUI", err


class Browser:
    """Just enough of a person at a Streamlit page."""

    def __init__(self, driver: Any) -> None:
        from selenium.webdriver.common.by import By

        self.driver = driver
        self.by = By

    def idle(self, timeout: float = 60) -> None:
        """Until the script has stopped running."""
        time.sleep(0.4)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.driver.find_elements(
                self.by.CSS_SELECTOR, '[data-testid="stStatusWidget"]'
            ):
                return
            time.sleep(0.3)

    def find(self, css: str, timeout: float = 60) -> Any:
        """The first element matching ``css``, once it is there."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.driver.find_elements(self.by.CSS_SELECTOR, css)
            if found:
                return found[0]
            time.sleep(0.3)
        raise AssertionError(f"no {css} in the page:\n{self.body()[-2000:]}")

    def body(self) -> str:
        return str(self.driver.find_element(self.by.TAG_NAME, "body").text)

    def wait_text(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.body():
                return
            time.sleep(0.5)
        raise AssertionError(f"{text!r} not shown; the page says:\n{self.body()[-3000:]}")

    def page(self, name: str) -> None:
        link = self.driver.find_element(self.by.CSS_SELECTOR, f'a[href$="/{name}"]')
        link.click()
        self.idle()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            titles = [h.text for h in self.driver.find_elements(self.by.TAG_NAME, "h1")]
            if name.capitalize() in titles:
                return
            time.sleep(0.3)
        raise AssertionError(f"page {name} did not open: {self.body()[-2000:]}")

    def widget(self, testid: str, label: str, timeout: float = 30) -> Any:
        xpath = (
            f'//div[@data-testid="{testid}"][.//*[@data-testid="stWidgetLabel"]'
            f'[normalize-space(.)="{label}"]]'
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.driver.find_elements(self.by.XPATH, xpath) if e.is_displayed()]
            if found:
                return found[0]
            time.sleep(0.3)
        raise AssertionError(f"no {testid} {label!r} in the page:\n{self.body()[-2000:]}")

    def type(self, label: str, value: str, testid: str = "stTextInput") -> None:
        from selenium.webdriver.common.keys import Keys

        field = self.widget(testid, label).find_element(self.by.TAG_NAME, "input")
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(Keys.DELETE)
        field.send_keys(value, Keys.ENTER)
        self.idle()

    def number(self, label: str, value: int) -> None:
        self.type(label, str(value), "stNumberInput")

    def choose(self, label: str, option: str) -> None:
        from selenium.webdriver.common.keys import Keys

        box = self.widget("stSelectbox", label).find_element(self.by.TAG_NAME, "input")
        box.click()
        box.send_keys(option, Keys.ENTER)
        self.idle()

    def click(self, text: str, timeout: float = 60) -> None:
        xpath = f'//button[.//p[normalize-space(text())="{text}"]]'
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.driver.find_elements(self.by.XPATH, xpath) if e.is_enabled()]
            if found:
                found[0].click()
                self.idle()
                return
            time.sleep(0.3)
        raise AssertionError(f"no button {text!r} in the page:\n{self.body()[-2000:]}")

    def untick(self, label: str) -> None:
        box = self.driver.find_element(
            self.by.XPATH,
            f'//div[@data-testid="stCheckbox"][contains(normalize-space(.), "{label}")]',
        )
        box.find_element(self.by.TAG_NAME, "label").click()
        self.idle()

    def expand(self, title: str) -> None:
        self.driver.find_element(
            self.by.XPATH, f'//summary[contains(normalize-space(.), "{title}")]'
        ).click()
        time.sleep(0.3)

    def screenshot(self, name: str) -> None:
        if not SCREENSHOTS:
            return
        from PIL import Image

        self.idle()
        self.driver.execute_script("document.activeElement && document.activeElement.blur();")
        measure = (
            "if (!Array.from(document.images).every(i => i.complete)) return -1;"
            "let h = document.body.scrollHeight;"
            "for (const e of document.querySelectorAll('*')) {"
            "  if (e.scrollHeight > e.clientHeight + 1) { h = Math.max(h, e.scrollHeight); }"
            "  e.scrollTop = 0; }"
            "return h;"
        )
        height, deadline = -1, time.monotonic() + 30
        while time.monotonic() < deadline:  # until the images are in and the page is still
            time.sleep(0.5)
            now = int(self.driver.execute_script(measure))
            if now > 0 and now == height:
                break
            height = now
        self.driver.set_window_size(1400, min(max(int(height) + 60, 800), 3400))
        time.sleep(1.0)
        self.driver.execute_script(
            "for (const e of document.querySelectorAll('*')) e.scrollTop = 0;"
        )
        time.sleep(0.3)
        target = FIGURES / f"gui-{name}.png"
        self.driver.save_screenshot(str(target))
        image = Image.open(target).convert("RGB")  # a palette keeps the docs small
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
        self.driver.set_window_size(1400, 1000)


@pytest.mark.skipif(_missing() is not None, reason=str(_missing()))
def test_the_gui_in_chromium_trains_and_simulates_what_the_library_predicts(
    gui: tuple[str, Path], tmp_path: Path
) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from reanalyze.load import load
    from reanalyze.twin.run_folder import read_bundle_file
    from reanalyze.twin.simulate import simulate

    started = time.monotonic()
    url, workdir = gui
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    scan = tmp_path / "ErCo2-like scan.csv"
    scan.write_bytes(scan_csv((100.0, 10000.0, 20000.0, 35000.0, 50000.0), 2.0))
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium'}")
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    me = Browser(driver)
    try:
        driver.get(url)
        me.wait_text("Upload one or more files")
        # Data: upload, sample mass
        upload = me.find('input[type="file"]')
        upload.send_keys(str(scan))
        me.wait_text("ErCo2-like scan.csv: 130 rows")
        me.type("Sample mass", "0.61 mg")
        me.wait_text("The Train and Property pages use this table.")
        me.screenshot("data")
        # Train: a tiny search, followed live
        me.page("train")
        me.number("Trials", 2)
        me.number("Ensemble members", 2)
        me.number("Worker processes", 1)
        me.expand("Search space (blank: the recipe's)")
        me.type("hidden layers LOW:HIGH", "1:2")
        me.type("nodes per layer LOW:HIGH", "8:16")
        me.type("max epochs", "40")
        me.untick("Log to MLflow")
        me.type("Run name (folder under runs/)", "browser")
        me.click("Start the search")
        me.wait_text("twin saved in runs/browser", timeout=240)
        me.screenshot("train")
        run = workdir / "runs" / "browser"
        assert (run / "bundle.json").is_file()
        # Validate
        me.page("validate")
        me.click("Validate")
        me.wait_text("held-out lines (", timeout=240)
        me.screenshot("validate")
        # Simulate the default grid (the training ranges) and download the CSV
        me.page("simulate")
        me.wait_text("Grid: ")
        captions = driver.find_elements(me.by.CSS_SELECTOR, '[data-testid="stCaptionContainer"]')
        (caption,) = [e.text for e in captions if e.text.startswith("Grid: ")]
        specs = caption.removeprefix("Grid: ").split()
        me.click("Simulate")
        me.wait_text("points:", timeout=120)
        me.click("Download CSV (units in the header)")
        csv = downloads / "simulation.csv"
        deadline = time.monotonic() + 60
        while not csv.is_file() and time.monotonic() < deadline:
            time.sleep(0.3)
        assert csv.is_file(), list(downloads.iterdir())
        me.screenshot("simulate")
        # Property and Plan on the same twin
        me.page("property")
        me.click("Compute")
        me.wait_text("Download the result folder (zip)", timeout=180)
        me.screenshot("property")
        me.page("plan")
        me.choose("Instrument profile", "mpms3")
        me.click("Plan")
        me.wait_text("Download the plan folder (zip)", timeout=240)
        assert re.search(r"recommended H step|no candidate but the finest", me.body())
        me.screenshot("plan")
        me.page("runs")
        me.wait_text("Start the MLflow UI")
        me.screenshot("runs")
    finally:
        driver.quit()
    seconds = time.monotonic() - started
    # the downloaded numbers are the library's prediction on the same run folder
    table = load(str(csv))
    assert table.unit("T") == "K" and table.unit("H") == "Oe" and table.unit("M") == "emu"
    header = csv.read_text().splitlines()[1]
    assert header.startswith("T (K),H (Oe),M (emu),M_std (emu)")
    library = simulate(run, specs)
    assert len(table) == len(library) > 100
    assert not library.metadata.get("notes"), library.metadata["notes"]
    # the default grid spans the training ranges to both ends (100 … 50000 Oe: step 100 Oe)
    for name, (lo, hi) in read_bundle_file(run).ranges.items():
        assert (table.values(name).min(), table.values(name).max()) == pytest.approx((lo, hi))
    for name in ("T", "H", "M", "M_std", "M_m0", "M_m1"):
        np.testing.assert_allclose(table.values(name), library.values(name), rtol=1e-6, atol=0)
    print(f"chromium test: {seconds:.0f} s in the browser")
