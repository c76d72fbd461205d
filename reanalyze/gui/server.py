"""Serve the browser interface: start ``streamlit run`` on the app, wait until it answers,
keep it until a stop signal, then stop it with every search it started.

:func:`serve` is what ``reanalyze gui`` runs. The Streamlit server runs in a session of its
own (POSIX), its output in ``<workdir>/.reanalyze-gui/server.log``; SIGINT, SIGTERM and
SIGHUP stop it cleanly (:func:`~reanalyze.servers.serve_until_stopped`): SIGTERM to the
server, which stops its searches, then SIGKILL to whatever of its group is left.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from reanalyze import servers
from reanalyze.errors import OptionError, ReanalyzeError

__all__ = ["DEFAULT_PORT", "LOCAL", "serve", "streamlit_command"]

#: The GUI's usual port (Streamlit's); the next free one is taken when it is in use.
DEFAULT_PORT = 8501
LOCAL = "127.0.0.1"
#: Seconds the server has to answer its health check after it was started.
START_TIMEOUT = 120.0


def streamlit_command(host: str, port: int, max_upload_mb: int) -> list[str]:
    """The ``streamlit run`` command line of the app on ``host:port``.

    Parameters
    ----------
    host
        Address to serve on.
    port
        TCP port to serve on.
    max_upload_mb
        Largest file a browser may upload, MB.
    """
    from reanalyze.gui import APP_SCRIPT

    settings = {
        "server.address": host,
        "server.port": str(port),
        "server.headless": "true",
        "server.maxUploadSize": str(max_upload_mb),
        "server.fileWatcherType": "none",
        "server.runOnSave": "false",
        "browser.gatherUsageStats": "false",
        "global.developmentMode": "false",
        "client.toolbarMode": "minimal",
        "theme.base": "light",
    }
    flags = [item for key, value in settings.items() for item in (f"--{key}", value)]
    return [sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT), *flags]


def serve(
    host: str = LOCAL,
    port: int | None = None,
    workdir: str | Path = ".",
    max_upload_mb: int = 50,
    *,
    on_ready: Callable[[str, Path], None],
    say: Callable[[str], None],
    option: str = "working folder",
) -> int:
    """Serve the GUI on ``host:port`` until a stop signal; return 128 + its number.

    Parameters
    ----------
    host
        Address to serve on; another than 127.0.0.1 is warned about (through ``say``).
    port
        TCP port, or ``None`` for :data:`DEFAULT_PORT` or the next free one above it.
    workdir
        Working folder: runs, ``mlflow.db`` and the sessions' uploads (created if missing).
    max_upload_mb
        Largest file a browser may upload, MB.
    on_ready
        Called once the server answers, with its URL and the working folder (resolved).
    say
        Called with each line for the user: a warning, the port note, ``stopped the GUI``.
    option
        The name of ``workdir`` in messages (``--workdir`` for the command line).

    Raises
    ------
    ReanalyzeError
        Streamlit is not installed, ``port`` is taken, or the server did not start or exited
        by itself (its last line and the log's path in the message).
    OptionError
        ``workdir`` exists and is not a folder.
    """
    import importlib.util

    from reanalyze.gui.state import ENV_MAX_UPLOAD, ENV_WORKDIR, PRIVATE

    if importlib.util.find_spec("streamlit") is None:
        raise ReanalyzeError("reanalyze gui needs Streamlit: pip install 'reanalyze[gui]'")
    workdir = Path(workdir)
    if workdir.exists() and not workdir.is_dir():
        raise OptionError(f"{option} {workdir}: exists and is not a folder")
    folder = workdir.resolve()
    (folder / PRIVATE).mkdir(parents=True, exist_ok=True)
    if host != LOCAL:
        say(
            f"warning: serving on {host}: anyone who can reach this address can use the "
            "GUI, its uploads and the runs of the working folder"
        )
    chosen, note = servers.choose_port(port, default=DEFAULT_PORT, host=host)
    if note:
        say(note)
    env = {**os.environ, ENV_WORKDIR: str(folder), ENV_MAX_UPLOAD: str(max_upload_mb),
           "MPLBACKEND": "Agg"}  # fmt: skip
    probe = LOCAL if host in ("0.0.0.0", "", "::") else host
    url = f"http://{probe if host == LOCAL else host}:{chosen}/"

    def start() -> servers.ChildServer:
        command = streamlit_command(host, chosen, max_upload_mb)
        log = folder / PRIVATE / "server.log"
        return servers.start_server(command, url, "the GUI server", env=env, cwd=folder,
                                    log_path=log)  # fmt: skip

    def until_up(server: servers.ChildServer) -> None:
        servers.wait_until_healthy(server, "/_stcore/health", "ok", START_TIMEOUT, probe)

    def stop(server: servers.ChildServer) -> None:  # SIGTERM: the server stops its searches
        servers.stop_server(server, 60.0, leader_first=True)

    status = servers.serve_until_stopped(
        start, until_up, lambda server: on_ready(server.url, folder), stop
    )
    say("stopped the GUI")
    return status
