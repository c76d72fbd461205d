"""`reanalyze ui`: it stops all of its server on SIGTERM, never claims a port that something
else serves, prints the page to open and opens it only for a person at a terminal (the page
itself is checked in headless Chromium in test_ui_browser.py)."""

from __future__ import annotations

import http.server
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_helpers import first_line, free_port, serving


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
    from reanalyze.servers import port_in_use

    port = free_port()
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    with serving(["ui", "--tracking-uri", uri, "--port", str(port)]) as ui:
        pgid = None
        try:
            line = first_line(ui)
            page = f"http://127.0.0.1:{port}/#/experiments?workflowType=machine_learning"
            assert line == f"MLflow UI for {uri}: {page} (Ctrl-C to stop)\n", line  # empty store
            (pgid,) = _children(ui.pid)  # `mlflow server`, leader of its own group
            assert os.getpgid(pgid) == pgid != os.getpgid(ui.pid)
            members = _group_members(pgid)
            assert any("mlflow server" in m for m in members), members
            assert any("uvicorn" in m or "gunicorn" in m for m in members), members

            ui.send_signal(signal.SIGTERM)
            stdout, stderr = ui.communicate(timeout=60)
            assert ui.returncode == 143, stderr
            store = tmp_path / "mlflow.db"  # an empty store, made by the server: said once
            assert stderr == (
                f"note: no tracking store at {store} yet: the UI starts on an empty one (runs "
                "are logged where train runs; --tracking-uri URI opens another)\n"
                f"stopped the MLflow UI at http://127.0.0.1:{port}\n"
            ), stderr
            assert stdout == ""
            assert _group_members(pgid) == []
            assert not port_in_use(port)
        finally:
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
        "stop it or choose another --port PORT\n"
    )
    assert not store.exists()  # no server was started


def test_the_default_port_moves_to_a_free_one_when_taken(http_port: int) -> None:
    from reanalyze.errors import ReanalyzeError
    from reanalyze.servers import choose_port, port_in_use

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
                choose_port(taken, default=taken)
    free = free_port()
    assert choose_port(None, default=free) == (free, None)
    assert choose_port(free, default=taken) == (free, None)


# ------------------------------------------------------------- the page, the browser
def test_without_an_mlflow_answer_the_page_is_the_list_of_experiments(http_port: int) -> None:
    from reanalyze.twin.ui import page_url

    url = f"http://127.0.0.1:{http_port}"
    assert page_url(url) == f"{url}/#/experiments?workflowType=machine_learning"


OPENER = """
import os, sys
from reanalyze.twin.ui import browser_available, open_browser
primary, secondary = os.openpty()
terminal = os.fdopen(secondary, "w")
print(browser_available(sys.stdout), browser_available(terminal), open_browser(sys.argv[1], terminal))
"""


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal (POSIX)")
@pytest.mark.parametrize(
    ("env", "opened"),
    [
        ({"DISPLAY": ":0"}, True),
        ({"DISPLAY": ":0", "CI": "true"}, False),  # never in CI
        pytest.param(  # no graphical session: no text-mode browser in the terminal
            {},
            False,
            marks=pytest.mark.skipif(
                sys.platform in ("darwin", "win32"), reason="always graphical on macOS, Windows"
            ),
        ),
    ],
)
def test_a_browser_is_opened_only_at_a_terminal_of_a_graphical_session(
    tmp_path: Path, env: dict[str, str], opened: bool
) -> None:
    """`webbrowser` runs $BROWSER: here a script that writes down the URL it was given."""
    seen = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {seen}\n')
    browser.chmod(0o755)
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "DISPLAY", "WAYLAND_DISPLAY")}
    url = "http://127.0.0.1:5000/#/experiments/1/runs?workflowType=machine_learning"
    result = subprocess.run(
        [sys.executable, "-c", OPENER, url],
        env={**clean, **env, "BROWSER": f"{browser} %s"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    # standard output here is a pipe (as in every test and in CI): never a browser
    assert result.stdout.split() == ["False", str(opened), str(opened)]
    assert (seen.read_text() if seen.exists() else None) == (url if opened else None)
