"""``reanalyze gui``: the browser interface (Streamlit), on 127.0.0.1 and a free port."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from reanalyze.cli._app import app
from reanalyze.cli._common import err, out
from reanalyze.errors import OptionError, ReanalyzeError

#: The GUI's usual port (Streamlit's); the next free one is taken when it is in use.
DEFAULT_PORT = 8501
LOCAL = "127.0.0.1"


def _healthy(host: str, port: int) -> bool:
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


@app.command("gui")
def gui(
    host: Annotated[
        str, typer.Option(help="Address to serve on (another than 127.0.0.1 is warned about).")
    ] = LOCAL,
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Port (default 8501, or the next free one)."),
    ] = None,
    workdir: Annotated[
        Path,
        typer.Option(help="Working folder: runs/, mlflow.db and the sessions' uploads."),
    ] = Path("."),
    max_upload_mb: Annotated[
        int, typer.Option(min=1, help="Largest file a browser may upload, MB.")
    ] = 50,
) -> None:
    """Start the browser interface (upload, train, validate, simulate, plan) and print its URL.

    The server runs until Ctrl-C (or SIGTERM, SIGHUP); searches it started are stopped with
    it and can be resumed from the Train page of the next one.
    """
    import importlib.util

    from reanalyze.gui import APP_SCRIPT
    from reanalyze.gui.state import ENV_MAX_UPLOAD, ENV_WORKDIR, PRIVATE
    from reanalyze.twin.ui import Stopped, StopSignals, choose_port

    if importlib.util.find_spec("streamlit") is None:
        raise ReanalyzeError("reanalyze gui needs Streamlit: pip install 'reanalyze[gui]'")
    if workdir.exists() and not workdir.is_dir():
        raise OptionError(f"--workdir {workdir}: exists and is not a folder")
    folder = workdir.resolve()
    (folder / PRIVATE).mkdir(parents=True, exist_ok=True)
    if host != LOCAL:
        err.print(
            f"warning: serving on {host}: anyone who can reach this address can use the "
            "GUI, its uploads and the runs of the working folder",
            markup=False,
        )
    chosen, note = choose_port(port, default=DEFAULT_PORT, host=host)
    if note:
        err.print(note, markup=False, highlight=False)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_SCRIPT),
        "--server.address",
        host,
        "--server.port",
        str(chosen),
        "--server.headless",
        "true",
        "--server.maxUploadSize",
        str(max_upload_mb),
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        "--browser.gatherUsageStats",
        "false",
        "--global.developmentMode",
        "false",
        "--client.toolbarMode",
        "minimal",
        "--theme.base",
        "light",
    ]
    env = {
        **os.environ,
        ENV_WORKDIR: str(folder),
        ENV_MAX_UPLOAD: str(max_upload_mb),
        "MPLBACKEND": "Agg",
    }
    log_path = folder / PRIVATE / "server.log"
    probe = LOCAL if host in ("0.0.0.0", "", "::") else host
    status = 0
    with StopSignals() as signals, open(log_path, "ab") as log:
        process = subprocess.Popen(
            command,
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=os.name == "posix",
        )
        try:
            deadline = time.monotonic() + 120.0
            while not _healthy(probe, chosen):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise ReanalyzeError(
                        f"the GUI server did not start: {_last_line(log_path)} (log: {log_path})"
                    )
                time.sleep(0.3)
            url = f"http://{probe if host == LOCAL else host}:{chosen}/"
            out.print(
                f"reanalyze GUI: {url} (working folder {folder}; Ctrl-C to stop)",
                markup=False,
                highlight=False,
            )
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
    err.print("stopped the GUI", markup=False, highlight=False)
    raise typer.Exit(status)
