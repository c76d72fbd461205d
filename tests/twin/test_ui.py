"""`reanalyze ui`: it really serves the MLflow UI (checked in headless Chromium), stops all of
its server on SIGTERM, and never claims a port that something else serves."""

from __future__ import annotations

import http.server
import os
import platform
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reanalyze.twin.data import TrainingData
from reanalyze.twin.search import Search
from reanalyze.twin.space import SearchSpace
from reanalyze.twin.tracking import log_search

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
needs_chromium = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER), reason="chromium and chromedriver are not installed"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@needs_chromium
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
        if ui.stdout is not None:
            ui.stdout.close()


# ------------------------------------------------------------ stopping, ports
def _group_members(pgid: int) -> list[str]:
    """Running (not zombie) processes of process group ``pgid``, as their command lines."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        state, _ppid, group = text[text.rfind(")") + 2 :].split()[:3]
        if int(group) == pgid and state not in ("Z", "X"):
            members.append(cmdline.strip())
    return members


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if int(text[text.rfind(")") + 2 :].split()[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process groups from /proc")
def test_sigterm_stops_the_whole_server_and_frees_the_port(tmp_path: Path) -> None:
    """SIGTERM: exit status 143 (128 + SIGTERM), one line, no process of the server left."""
    from reanalyze.twin.ui import port_in_use

    port = free_port()
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    ui = subprocess.Popen(
        [sys.executable, "-m", "reanalyze", "ui", "--tracking-uri", uri, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    pgid = None
    try:
        assert ui.stdout is not None
        ready, _, _ = select.select([ui.stdout], [], [], 120)
        assert ready, "no URL within 120 s"
        line = ui.stdout.readline()
        assert line == f"MLflow UI for {uri}: http://127.0.0.1:{port} (Ctrl-C to stop)\n", line
        (pgid,) = _children(ui.pid)  # `mlflow server`, leader of its own group
        assert os.getpgid(pgid) == pgid != os.getpgid(ui.pid)
        members = _group_members(pgid)
        assert any("mlflow server" in m for m in members), members
        assert any("uvicorn" in m or "gunicorn" in m for m in members), members

        ui.send_signal(signal.SIGTERM)
        stdout, stderr = ui.communicate(timeout=60)
        assert ui.returncode == 143, stderr
        assert stderr == f"stopped the MLflow UI at http://127.0.0.1:{port}\n"
        assert stdout == ""
        assert _group_members(pgid) == []
        assert not port_in_use(port)
    finally:
        if ui.poll() is None:
            ui.kill()
            ui.wait()
        if pgid is not None and _group_members(pgid):  # never leave a server behind
            os.killpg(pgid, signal.SIGKILL)


@pytest.fixture
def http_port() -> Iterator[int]:
    """A port on which a plain HTTP server answers."""

    class Quiet(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_a_taken_port_is_refused_in_one_line(
    http_port: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from reanalyze.cli import main

    store = tmp_path / "mlflow.db"
    argv = ["ui", "--tracking-uri", f"sqlite:///{store}", "--port", str(http_port)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err == (
        f"error: port {http_port} on 127.0.0.1 is already in use: an HTTP server "
        f"(BaseHTTP/0.6 Python/{platform.python_version()}) answers there; "
        "stop it or choose another --port\n"
    )
    assert not store.exists()  # no server was started


def test_the_default_port_moves_to_a_free_one_when_taken(http_port: int) -> None:
    from reanalyze.errors import ReanalyzeError
    from reanalyze.twin.ui import choose_port, port_in_use

    with socket.socket() as listener:  # a listener that never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        silent = int(listener.getsockname()[1])
        for taken in (http_port, silent):
            assert port_in_use(taken)
            port, note = choose_port(None, default=taken)
            assert port != taken and not port_in_use(port)
            assert note is not None and note.startswith(f"port {taken} on 127.0.0.1 is in use: ")
            assert note.endswith(f"; using port {port}")
            with pytest.raises(ReanalyzeError, match=f"^port {taken} on 127.0.0.1 is already in"):
                choose_port(taken)
    free = free_port()
    assert choose_port(None, default=free) == (free, None)
    assert choose_port(free) == (free, None)
