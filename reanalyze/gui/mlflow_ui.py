"""The MLflow UI of the working folder's tracking store, started from the Runs page.

One server per GUI server (:func:`reanalyze.twin.ui.start_ui`: 127.0.0.1, a free port from
5000 up, its own process group); every session shares it, and it is stopped with the GUI.
"""

from __future__ import annotations

import atexit
import threading

from reanalyze.servers import ChildServer, choose_port
from reanalyze.twin.ui import DEFAULT_PORT, start_ui, stop_ui, wait_until_up

__all__ = ["mlflow_url", "start_mlflow", "stop_mlflow"]

_SERVER: list[ChildServer] = []
_LOCK = threading.Lock()


def mlflow_url() -> str | None:
    """The URL of the running MLflow UI, or ``None``."""
    with _LOCK:
        if _SERVER and _SERVER[0].process.poll() is None:
            return _SERVER[0].url
    return None


def start_mlflow(tracking_uri: str, timeout: float = 90.0) -> str:
    """Start the MLflow UI for ``tracking_uri`` (or find it running); return its URL.

    Raises
    ------
    ReanalyzeError
        The server exited or did not answer within ``timeout`` seconds.
    """
    with _LOCK:
        if _SERVER and _SERVER[0].process.poll() is None:
            return _SERVER[0].url
        _SERVER.clear()
        port, _ = choose_port(None, default=DEFAULT_PORT)
        server = start_ui(tracking_uri, port=port)
        try:
            wait_until_up(server, timeout=timeout)
        except BaseException:
            stop_ui(server)
            raise
        _SERVER.append(server)
        return server.url


@atexit.register
def stop_mlflow() -> None:
    """Stop the MLflow UI (and every process of its group), if it runs."""
    with _LOCK:
        for server in _SERVER:
            stop_ui(server)
        _SERVER.clear()
