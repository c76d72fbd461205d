"""Running the commands that serve until stopped (``reanalyze ui``, ``reanalyze gui``) the way
a user does: started in a subprocess, read up to the URL they print, stopped with Ctrl-C."""

from __future__ import annotations

import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(
    args: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[str]]:
    """``python -m reanalyze ARGS`` in a subprocess, its output in pipes; killed on the way out
    if it still runs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "reanalyze", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def first_line(process: subprocess.Popen[str], timeout: float = 120) -> str:
    """The first line the server prints: the page to open, once the server answers."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, f"{process.args!r} printed no URL within {timeout:g} s"
    return process.stdout.readline()


def interrupt(process: subprocess.Popen[str], after: float = 1.0) -> tuple[str, str]:
    """Ctrl-C (SIGINT) ``after`` s from now; what the server prints until it exits."""
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    return process.communicate(timeout=60)
