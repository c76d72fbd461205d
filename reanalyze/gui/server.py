"""Serve the browser interface: start ``streamlit run`` on the app, wait until it answers,
keep it until a stop signal, then stop it with every search it started.

:func:`serve` is what ``reanalyze gui`` runs. The Streamlit server runs in a session of its
own (POSIX), its output in ``<workdir>/.reanalyze-gui/server.log``; SIGINT, SIGTERM and
SIGHUP stop it cleanly (:class:`~reanalyze.twin.ui.StopSignals`): SIGTERM to the server, which
stops its searches, then SIGKILL to whatever of its group is left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

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
    """Serve the GUI on ``host:port`` until a stop signal; return the exit status.

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

    Returns
    -------
    int
        ``128 + signal number`` of the signal that stopped the server (130, 143, 129).

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
    from reanalyze.twin.ui import Stopped, StopSignals, choose_port

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
    chosen, note = choose_port(port, default=DEFAULT_PORT, host=host)
    if note:
        say(note)
    env = {**os.environ, ENV_WORKDIR: str(folder), ENV_MAX_UPLOAD: str(max_upload_mb),
           "MPLBACKEND": "Agg"}  # fmt: skip
    log_path = folder / PRIVATE / "server.log"
    probe = LOCAL if host in ("0.0.0.0", "", "::") else host
    status = 0
    with StopSignals() as signals, open(log_path, "ab") as log:
        process = subprocess.Popen(
            streamlit_command(host, chosen, max_upload_mb), cwd=folder, env=env,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=os.name == "posix",
        )  # fmt: skip
        try:
            _wait_until_healthy(process, probe, chosen, log_path)
            on_ready(f"http://{probe if host == LOCAL else host}:{chosen}/", folder)
            code = process.wait()
            raise ReanalyzeError(
                f"the GUI server exited with status {code}: "
                f"{_last_line(log_path)} (log: {log_path})"
            )
        except Stopped as stop:
            status = 128 + stop.signum
        finally:
            signals.stopping()
            _stop(process)
    say("stopped the GUI")
    return status


def _wait_until_healthy(
    process: subprocess.Popen[bytes], host: str, port: int, log_path: Path
) -> None:
    """Until Streamlit answers its health check; raise if it exits or takes too long."""
    deadline = time.monotonic() + START_TIMEOUT
    while not _healthy(host, port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise ReanalyzeError(
                f"the GUI server did not start: {_last_line(log_path)} (log: {log_path})"
            )
        time.sleep(0.3)


def _healthy(host: str, port: int) -> bool:
    """Whether Streamlit answers ``ok`` to its health check on ``host:port``."""
    import http.client  # here: it imports ssl, which the command line need not load

    connection = http.client.HTTPConnection(host, port, timeout=2.0)
    try:
        connection.request("GET", "/_stcore/health")
        response = connection.getresponse()
        return response.status == 200 and response.read(10).strip() == b"ok"
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def _last_line(log: Path) -> str:
    with contextlib.suppress(OSError):
        lines = [x for x in log.read_text(errors="replace").splitlines() if x.strip()]
        if lines:
            return lines[-1].strip()[:300]
    return "no output"


def _stop(process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """SIGTERM to the server (it stops its searches), then SIGKILL to what is left."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # searches and workers still alive
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(5.0)
