"""Start the MLflow UI for a tracking store, on 127.0.0.1, with a small memory footprint.

``mlflow server`` with its defaults takes ~2.9 GB; one worker and no job execution bring it to
~0.5 GB, which suits a laptop.

The server (``mlflow server`` and the uvicorn process it starts) runs in a session and process
group of its own, so :func:`stop_ui` can end all of it at once: SIGTERM to the group, SIGKILL
to what is left after a timeout. A port is never shared: :func:`choose_port` refuses a port
that something already listens on (or picks a free one when the user did not ask for a
particular port), and :func:`wait_until_up` accepts an answer only while our server is alive.
:class:`StopSignals` turns SIGTERM, SIGHUP and SIGINT into :class:`Stopped`, so a command can
shut the server down cleanly when it is stopped; :func:`serve_ui` (what ``reanalyze ui``
runs) puts these together: start, wait until it answers, serve until a stop signal, stop.

:func:`page_url` is the page to open rather than the server's root (MLflow 3's GenAI landing
page): the runs table of the experiment of the latest search, in the "Model training" view,
with the columns that compare twins (the view :mod:`reanalyze.twin.tracking` keeps on the
experiment under :data:`VIEW_KEY`). :func:`open_browser` opens it when a person is there to
see it.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any

from reanalyze.errors import ReanalyzeError
from reanalyze.wording import option

__all__ = [
    "DEFAULT_PORT",
    "HOST",
    "VIEW_KEY",
    "VIEW_TAG",
    "StopSignals",
    "Stopped",
    "UIServer",
    "browser_available",
    "choose_port",
    "describe_port",
    "open_browser",
    "page_url",
    "port_in_use",
    "serve_ui",
    "start_ui",
    "stop_ui",
    "wait_until_up",
]

HOST = "127.0.0.1"
DEFAULT_PORT = 5000
#: Name of the runs-table view reanalyze keeps on each of its experiments: an MLflow
#: "shared view", stored in the experiment tag :data:`VIEW_TAG` and applied by the UI when
#: its URL carries ``viewStateShareKey=reanalyze``.
VIEW_KEY = "reanalyze"
VIEW_TAG = f"mlflow.sharedViewState.{VIEW_KEY}"
_POSIX = os.name == "posix"


# ------------------------------------------------------------------ ports
def port_in_use(port: int, host: str = HOST) -> bool:
    """Whether something answers on, or listens on, ``host:port``.

    Raises
    ------
    ReanalyzeError
        The port cannot be bound for another reason than being in use (e.g. a privileged
        port).
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        if probe.connect_ex((host, port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        if _POSIX:  # ignore connections in TIME_WAIT, as the server itself will
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
                return True
            raise ReanalyzeError(f"port {port} on {host} cannot be used: {exc.strerror}") from None
    return False


def _http_get(host: str, port: int, path: str, timeout: float) -> tuple[int, str, str]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read(200).decode(errors="replace").strip()
        return response.status, response.getheader("Server", ""), body
    finally:
        connection.close()


def describe_port(port: int, host: str = HOST, timeout: float = 1.5) -> str:
    """What answers on ``host:port``, e.g. ``"an MLflow server (version 3.1.0) answers"``."""
    try:
        status, server, body = _http_get(host, port, "/version", timeout)
        if status == 200 and body and len(body) < 40 and body[0].isdigit():
            health = _http_get(host, port, "/health", timeout)
            if health[0] == 200 and health[2] == "OK":
                return f"an MLflow server (version {body}) answers"
        return f"an HTTP server ({server}) answers" if server else "an HTTP server answers"
    except ConnectionRefusedError:
        return "something holds the port without accepting connections"
    except (OSError, http.client.HTTPException):
        return "something that does not answer HTTP listens"


def choose_port(
    port: int | None, *, default: int = DEFAULT_PORT, host: str = HOST, tries: int = 100
) -> tuple[int, str | None]:
    """The port to serve on, and a note when it is not the one asked for.

    Parameters
    ----------
    port
        The port the user asked for (``--port``), or ``None`` for ``default``.
    default
        The usual port; when it is taken, the next free one above it is used.
    host
        Address to serve on.
    tries
        How many ports above ``default`` to try before letting the system choose.

    Returns
    -------
    port, note
        The free port, and ``None`` or one line saying why another port was chosen.

    Raises
    ------
    ReanalyzeError
        ``port`` was given and something already listens on it.
    """
    if port is not None:
        if port_in_use(port, host):
            raise ReanalyzeError(
                f"port {port} on {host} is already in use: {describe_port(port, host)} there; "
                f"stop it or choose another {option('port', value='PORT')}"
            )
        return port, None
    if not port_in_use(default, host):
        return default, None
    why = f"port {default} on {host} is in use: {describe_port(default, host)} there"
    for candidate in range(default + 1, min(default + 1 + tries, 65536)):
        if not port_in_use(candidate, host):
            return candidate, f"{why}; using port {candidate}"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        candidate = int(probe.getsockname()[1])
    return candidate, f"{why}; using port {candidate}"


# ----------------------------------------------------------------- server
@dataclass
class UIServer:
    """A started ``mlflow server``: its process (leader of its own group) and its log.

    Attributes
    ----------
    process
        The ``mlflow server`` process; on POSIX its pid is its process-group id.
    url
        Where it serves, e.g. ``"http://127.0.0.1:5000"``.
    log
        The server's standard output and error (a temporary file; closed by :func:`stop_ui`).
    """

    process: subprocess.Popen[bytes]
    url: str
    log: IO[bytes] = field(repr=False)

    def last_line(self) -> str:
        """The last line the server wrote (``"no output"`` when none)."""
        try:
            self.log.flush()
            self.log.seek(0)
            lines = self.log.read().decode(errors="replace").strip().splitlines()
        except (OSError, ValueError):
            return "no output"
        return lines[-1].strip() if lines else "no output"


def start_ui(tracking_uri: str, *, port: int = DEFAULT_PORT, host: str = HOST) -> UIServer:
    """Start ``mlflow server`` for ``tracking_uri`` in a process group of its own.

    Choose the port with :func:`choose_port` first: this does not check it.
    """
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    command = [
        sys.executable,
        "-m",
        "mlflow",
        "server",
        "--backend-store-uri",
        tracking_uri,
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    log = tempfile.TemporaryFile(prefix="reanalyze-ui-")  # noqa: SIM115 - lives with the server
    try:
        process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=_POSIX,
            creationflags=0 if _POSIX else getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
        )
    except OSError as exc:
        log.close()
        raise ReanalyzeError(f"cannot start the MLflow UI: {exc}") from None
    return UIServer(process, f"http://{host}:{port}", log)


def wait_until_up(server: UIServer, timeout: float = 90.0) -> None:
    """Wait until the server answers ``/health`` while its process is alive.

    The port was free when the server started (:func:`choose_port`), so an answer while our
    process runs is from our server; if the process dies (e.g. it could not bind the port),
    this raises instead.

    Raises
    ------
    ReanalyzeError
        The process exited, or nothing answered within ``timeout`` seconds.
    """
    host, _, port = server.url.removeprefix("http://").rpartition(":")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ReanalyzeError(
                f"the MLflow UI exited with status {server.process.returncode}: "
                f"{server.last_line()}"
            )
        try:
            status, _, body = _http_get(host, int(port), "/health", 2.0)
        except (OSError, http.client.HTTPException):
            status, body = 0, ""
        if status == 200 and body == "OK" and server.process.poll() is None:
            return
        time.sleep(0.5)
    raise ReanalyzeError(f"the MLflow UI did not answer at {server.url} within {timeout:.0f} s")


def _group_alive(pgid: int) -> bool:
    """Whether a process of group ``pgid`` is still running (zombies do not count)."""
    proc = Path("/proc")
    if proc.is_dir():
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2 :].split()
            if len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
                return True
        return False
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _wait_group(server: UIServer, deadline: float) -> bool:
    pgid = server.process.pid
    while time.monotonic() < deadline:
        server.process.poll()  # reap the leader
        if not _group_alive(pgid):
            return True
        time.sleep(0.1)
    return not _group_alive(pgid)


def stop_ui(server: UIServer, timeout: float = 10.0) -> None:
    """Stop the server and every process of its group: SIGTERM, then SIGKILL after ``timeout``."""
    process = server.process
    try:
        if _POSIX:
            pgid = process.pid
            _signal_group(pgid, signal.SIGTERM)
            if not _wait_group(server, time.monotonic() + timeout):
                _signal_group(pgid, signal.SIGKILL)
                _wait_group(server, time.monotonic() + 5.0)
        elif process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5.0)
    finally:
        server.log.close()


# ------------------------------------------------------------- the page to open
def _api(url: str, endpoint: str, body: dict[str, Any], timeout: float) -> dict[str, Any]:
    """POST ``body`` to MLflow's REST API ``/api/2.0/mlflow/<endpoint>``; the JSON answer."""
    host, _, port = url.removeprefix("http://").rpartition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request(
            "POST",
            f"/api/2.0/mlflow/{endpoint}",
            json.dumps(body),
            {"Content-Type": "application/json"},
        )
        response = connection.getresponse()
        answer = json.loads(response.read().decode() or "{}")
    finally:
        connection.close()
    if response.status != 200 or not isinstance(answer, dict):
        raise OSError(f"{endpoint}: HTTP {response.status}")
    return answer


def page_url(url: str, timeout: float = 10.0) -> str:
    """The page of the MLflow UI at ``url`` to show: the runs table of the latest search.

    That is ``<url>/#/experiments/<id>/runs`` for the experiment holding the search run
    (tag ``reanalyze.kind = search``) that started last, in the "Model training" view
    (``workflowType=machine_learning``) and, when the experiment has reanalyze's view
    (:data:`VIEW_TAG`), with its columns (``viewStateShareKey=``:data:`VIEW_KEY`). Without
    any search: the runs of the latest ``reanalyze/…`` experiment, or the list of
    experiments. If the server cannot be asked, the list of experiments.
    """
    root = url.rstrip("/")
    listing = f"{root}/#/experiments?workflowType=machine_learning"
    try:
        found = _api(root, "experiments/search", {"max_results": 1000}, timeout)
        experiments = {e["experiment_id"]: e for e in found.get("experiments", [])}
        if not experiments:
            return listing
        runs = _api(
            root,
            "runs/search",
            {
                "experiment_ids": list(experiments),
                "filter": "tags.`reanalyze.kind` = 'search'",
                "order_by": ["attributes.start_time DESC"],
                "max_results": 1,
            },
            timeout,
        ).get("runs", [])
    except (OSError, ValueError, KeyError, http.client.HTTPException):
        return listing
    if runs:
        chosen = experiments.get(runs[0]["info"]["experiment_id"])
    else:
        ours = [e for e in experiments.values() if str(e.get("name", "")).startswith("reanalyze/")]
        chosen = max(ours, key=lambda e: int(e.get("last_update_time", 0)), default=None)
    if chosen is None:
        return listing
    page = f"{root}/#/experiments/{chosen['experiment_id']}/runs?workflowType=machine_learning"
    if any(tag.get("key") == VIEW_TAG for tag in chosen.get("tags", [])):
        page += f"&viewStateShareKey={VIEW_KEY}"
    return page


def browser_available(stream: IO[str] | None = None) -> bool:
    """Whether :func:`open_browser` would open a browser.

    Only for a person at a terminal: ``stream`` (standard output) is a terminal, ``$CI`` is
    not set, a graphical session is there (``$DISPLAY`` or ``$WAYLAND_DISPLAY`` outside macOS
    and Windows, so that no text-mode browser takes over the terminal) and :mod:`webbrowser`
    knows a browser.
    """
    stream = sys.stdout if stream is None else stream
    try:
        if not stream.isatty():
            return False
    except (AttributeError, ValueError):
        return False
    if os.environ.get("CI"):
        return False
    graphical = sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if not graphical:
        return False
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def open_browser(url: str, stream: IO[str] | None = None) -> bool:
    """Open ``url`` in a new browser tab when :func:`browser_available`; whether it did."""
    if not browser_available(stream):
        return False
    try:
        return bool(webbrowser.open(url, new=2))
    except (webbrowser.Error, OSError):
        return False


# ---------------------------------------------------------------- signals
class Stopped(Exception):
    """Raised in the main thread when a stop signal arrives (see :class:`StopSignals`).

    Attributes
    ----------
    signum
        The signal number; a command exits with ``128 + signum`` (130 for Ctrl-C, 143 for
        SIGTERM, 129 for SIGHUP).
    """

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


class StopSignals(contextlib.AbstractContextManager["StopSignals"]):
    """While active, SIGINT, SIGTERM and SIGHUP raise :class:`Stopped` in the main thread.

    After :meth:`stopping`, further signals are ignored, so the cleanup cannot be
    interrupted halfway. Outside the main thread nothing is changed.
    """

    def __init__(self) -> None:
        names = ("SIGINT", "SIGTERM", "SIGHUP")
        self.signums = [getattr(signal, n) for n in names if hasattr(signal, n)]
        self._previous: dict[int, object] = {}
        self._stopping = False

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        if not self._stopping:
            self._stopping = True
            raise Stopped(signum)

    def __enter__(self) -> StopSignals:
        try:
            for signum in self.signums:
                self._previous[signum] = signal.signal(signum, self._handler)
        except ValueError:  # not the main thread
            pass
        return self

    def stopping(self) -> None:
        """Ignore further stop signals (call before cleaning up)."""
        self._stopping = True

    def __exit__(self, *exc_info: object) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)  # type: ignore[arg-type]
        self._previous.clear()


# ------------------------------------------------------------ serving until stopped
def serve_ui(
    tracking_uri: str,
    port: int | None = None,
    *,
    browser: bool = True,
    on_ready: Callable[[str], None],
    say: Callable[[str], None],
) -> int:
    """Serve the MLflow UI for ``tracking_uri`` until a stop signal; return the exit status.

    The port is chosen with :func:`choose_port`, the server started with :func:`start_ui`
    and, once it answers, the page to open (:func:`page_url`) is handed to ``on_ready`` and
    opened with :func:`open_browser` when ``browser``. SIGINT, SIGTERM and SIGHUP
    (:class:`StopSignals`) stop the server and every process of its group (:func:`stop_ui`).

    Parameters
    ----------
    tracking_uri
        The tracking store, e.g. ``sqlite:///mlflow.db``.
    port
        TCP port on 127.0.0.1, or ``None`` for :data:`DEFAULT_PORT` or the next free one.
    browser
        Open the page in a browser (only for a person at a terminal, see
        :func:`browser_available`).
    on_ready
        Called once the server answers, with the page to open.
    say
        Called with each line for the user: the port note, ``stopped the MLflow UI at URL``.

    Returns
    -------
    int
        ``128 + signal number`` of the signal that stopped the server (130, 143, 129).

    Raises
    ------
    ReanalyzeError
        ``port`` is taken, or the server did not start or exited by itself.
    """
    status = 0
    server = None
    with StopSignals() as signals:
        try:
            chosen, note = choose_port(port)
            if note:
                say(note)
            server = start_ui(tracking_uri, port=chosen)
            wait_until_up(server)
            page = page_url(server.url)
            on_ready(page)
            if browser:
                open_browser(page)
            code = server.process.wait()
            raise ReanalyzeError(
                f"the MLflow UI at {server.url} exited with status {code}: {server.last_line()}"
            )
        except Stopped as stop:
            status = 128 + stop.signum
        finally:
            signals.stopping()  # a second signal must not interrupt the cleanup
            if server is not None:
                stop_ui(server)
    if server is not None:
        say(f"stopped the MLflow UI at {server.url}")
    return status
