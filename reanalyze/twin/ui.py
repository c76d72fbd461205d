"""Start the MLflow UI for a tracking store, on 127.0.0.1, with a small memory footprint.

``mlflow server`` with its defaults takes ~2.9 GB; one worker and no job execution bring it to
~0.5 GB, which suits a laptop.

The server (``mlflow server`` and the uvicorn process it starts) is a
:class:`~reanalyze.servers.ChildServer`: a session and process group of its own, so
:func:`stop_ui` can end all of it at once, and a port no one else listens on.
:func:`serve_ui` (what ``reanalyze ui`` runs) starts it, waits until it answers, serves until
a stop signal and stops it (:func:`reanalyze.servers.serve_until_stopped`).

:func:`page_url` is the page to open rather than the server's root (MLflow 3's GenAI landing
page): the runs table of the experiment of the latest search, in the "Model training" view,
with the columns that compare twins (the view :mod:`reanalyze.twin.tracking` keeps on the
experiment under :data:`VIEW_KEY`). :func:`open_browser` opens it when a person is there to
see it.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from reanalyze.servers import (
    HOST,
    ChildServer,
    choose_port,
    serve_until_stopped,
    start_server,
    stop_server,
    wait_until_healthy,
)
from reanalyze.wording import option

__all__ = [
    "DEFAULT_PORT",
    "VIEW_KEY",
    "VIEW_TAG",
    "browser_available",
    "open_browser",
    "page_url",
    "serve_ui",
    "start_ui",
    "stop_ui",
    "wait_until_up",
]

DEFAULT_PORT = 5000
#: Name of the runs-table view reanalyze keeps on each of its experiments: an MLflow
#: "shared view", stored in the experiment tag :data:`VIEW_TAG` and applied by the UI when
#: its URL carries ``viewStateShareKey=reanalyze``.
VIEW_KEY = "reanalyze"
VIEW_TAG = f"mlflow.sharedViewState.{VIEW_KEY}"


# ----------------------------------------------------------------- server
def start_ui(tracking_uri: str, *, port: int = DEFAULT_PORT, host: str = HOST) -> ChildServer:
    """Start ``mlflow server`` for ``tracking_uri`` in a process group of its own.

    Choose the port with :func:`reanalyze.servers.choose_port` first: this does not check it.
    """
    command = [sys.executable, "-m", "mlflow", "server", "--backend-store-uri", tracking_uri,
               "--host", host, "--port", str(port), "--workers", "1"]  # fmt: skip
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    return start_server(command, f"http://{host}:{port}", "the MLflow UI", env=env)


def wait_until_up(server: ChildServer, timeout: float = 90.0) -> None:
    """Wait until the server answers ``/health`` while its process is alive.

    Raises
    ------
    ReanalyzeError
        The process exited, or nothing answered within ``timeout`` seconds.
    """
    wait_until_healthy(server, "/health", "OK", timeout)


def stop_ui(server: ChildServer, timeout: float = 10.0) -> None:
    """Stop the server and every process of its group: SIGTERM, then SIGKILL after ``timeout``."""
    stop_server(server, timeout)


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


# ------------------------------------------------------------ serving until stopped
def serve_ui(
    tracking_uri: str,
    port: int | None = None,
    *,
    browser: bool = True,
    on_ready: Callable[[str], None],
    say: Callable[[str], None],
) -> int:
    """Serve the MLflow UI for ``tracking_uri`` until a stop signal; return 128 + its number.

    The port is chosen with :func:`~reanalyze.servers.choose_port`, the server started with
    :func:`start_ui` and, once it answers, the page to open (:func:`page_url`) is handed to
    ``on_ready`` and opened with :func:`open_browser` when ``browser``. SIGINT, SIGTERM and
    SIGHUP stop the server and every process of its group
    (:func:`~reanalyze.servers.serve_until_stopped`).

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

    Raises
    ------
    ReanalyzeError
        ``port`` is taken, or the server did not start or exited by itself.
    """
    store = Path(tracking_uri.removeprefix("sqlite:///"))
    empty = tracking_uri.startswith("sqlite:///") and not store.exists()  # the server makes it
    started: list[ChildServer] = []

    def start() -> ChildServer:
        chosen, note = choose_port(port, default=DEFAULT_PORT)
        if note:
            say(note)
        started.append(start_ui(tracking_uri, port=chosen))
        return started[0]

    def up(server: ChildServer) -> None:
        if empty:
            say(
                f"note: no tracking store at {store} yet: the UI starts on an empty one (runs "
                f"are logged where train runs; {option('tracking_uri', value='URI')} opens "
                "another)"
            )
        page = page_url(server.url)
        on_ready(page)
        if browser:
            open_browser(page)

    status = serve_until_stopped(start, wait_until_up, up, stop_ui)
    if started:
        say(f"stopped the MLflow UI at {started[0].url}")
    return status
