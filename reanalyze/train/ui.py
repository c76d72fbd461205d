"""Start the MLflow UI for a tracking store, on 127.0.0.1, with a small memory footprint.

``mlflow server`` with its defaults takes ~2.9 GB; one worker and no job execution bring it to
~0.5 GB, which suits a laptop.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

from reanalyze.errors import ReanalyzeError

__all__ = ["start_ui", "wait_until_up"]


def start_ui(
    tracking_uri: str, *, port: int = 5000, host: str = "127.0.0.1"
) -> subprocess.Popen[bytes]:
    """Start ``mlflow server`` for ``tracking_uri`` and return its process."""
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
    return subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 90.0) -> None:
    """Wait for the server's ``/health`` endpoint; raise if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            message = process.stderr.read().decode(errors="replace") if process.stderr else ""
            last = message.strip().splitlines()[-1] if message.strip() else "no output"
            raise ReanalyzeError(f"the MLflow UI exited with status {process.returncode}: {last}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    process.terminate()
    raise ReanalyzeError(f"the MLflow UI did not answer at {url} within {timeout:.0f} s")
