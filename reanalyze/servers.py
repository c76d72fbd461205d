"""Local web servers run as child processes: a free port, start, health check, serve, stop.

reanalyze starts two such servers: the MLflow UI (:mod:`reanalyze.twin.ui`) and the browser
interface (:mod:`reanalyze.gui.server`). Both run in a session and process group of their own
(POSIX), so :func:`stop_server` can end all of a server at once: SIGTERM, then SIGKILL to what
is left of the group after a timeout. A port is never shared: :func:`choose_port` refuses a
port that something already listens on (or picks a free one when the user did not ask for a
particular port), and :func:`wait_until_healthy` accepts an answer only while our server is
alive. :class:`StopSignals` turns SIGTERM, SIGHUP and SIGINT into :class:`Stopped`, and
:func:`serve_until_stopped` puts these together: wait until the server answers, serve until a
stop signal, stop.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO

from reanalyze.errors import ReanalyzeError
from reanalyze.wording import option

__all__ = [
    "HOST",
    "ChildServer",
    "StopSignals",
    "Stopped",
    "choose_port",
    "describe_port",
    "port_in_use",
    "serve_until_stopped",
    "start_server",
    "stop_server",
    "wait_until_healthy",
]

HOST = "127.0.0.1"
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


def http_get(host: str, port: int, path: str, timeout: float) -> tuple[int, str, str]:
    """GET ``path`` from ``host:port``: the status, the ``Server`` header and the first
    200 characters of the body (stripped).

    Raises
    ------
    OSError, http.client.HTTPException
        Nothing answered, or not in HTTP.
    """
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
        status, server, body = http_get(host, port, "/version", timeout)
        if status == 200 and body and len(body) < 40 and body[0].isdigit():
            health = http_get(host, port, "/health", timeout)
            if health[0] == 200 and health[2] == "OK":
                return f"an MLflow server (version {body}) answers"
        return f"an HTTP server ({server}) answers" if server else "an HTTP server answers"
    except ConnectionRefusedError:
        return "something holds the port without accepting connections"
    except (OSError, http.client.HTTPException):
        return "something that does not answer HTTP listens"


def choose_port(
    port: int | None, *, default: int, host: str = HOST, tries: int = 100
) -> tuple[int, str | None]:
    """The port to serve on, and a note when it is not the one asked for.

    Parameters
    ----------
    port
        The port the user asked for, or ``None`` for ``default``.
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
class ChildServer:
    """A started server: its process (leader of its own group) and its log.

    Attributes
    ----------
    process
        The server process; on POSIX its pid is its process-group id.
    url
        Where it serves, e.g. ``"http://127.0.0.1:5000"``.
    name
        What it is called in messages, e.g. ``"the MLflow UI"``.
    log
        The server's standard output and error, open for reading (closed by
        :func:`stop_server`).
    log_path
        The log's file, named in messages; ``None`` for a temporary file.
    """

    process: subprocess.Popen[bytes]
    url: str
    name: str
    log: IO[bytes] = field(repr=False)
    log_path: Path | None = None

    def last_line(self) -> str:
        """The last line the server wrote (``"no output"`` when none), at most 300 characters."""
        try:
            self.log.flush()
            self.log.seek(0)
            lines = self.log.read().decode(errors="replace").strip().splitlines()
        except (OSError, ValueError):
            return "no output"
        return lines[-1].strip()[:300] if lines else "no output"

    def said(self) -> str:
        """Its last line and, when the log is a file of its own, where to read the rest."""
        return self.last_line() + (f" (log: {self.log_path})" if self.log_path else "")


def start_server(
    command: Sequence[str],
    url: str,
    name: str,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    log_path: Path | None = None,
) -> ChildServer:
    """Start ``command`` in a process group of its own; its output goes to a log.

    ``log_path`` (appended to) or a temporary file. Choose the port with
    :func:`choose_port` first: this does not check it.

    Raises
    ------
    ReanalyzeError
        The command could not be started.
    """
    if log_path is None:
        log = tempfile.TemporaryFile(prefix="reanalyze-server-")  # noqa: SIM115 - lives with it
    else:
        log = open(log_path, "a+b")  # noqa: SIM115 - closed by stop_server
    try:
        process = subprocess.Popen(
            list(command),
            env=None if env is None else dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=_POSIX,
            creationflags=0 if _POSIX else getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
        )
    except OSError as exc:
        log.close()
        raise ReanalyzeError(f"cannot start {name}: {exc}") from None
    return ChildServer(process, url, name, log, log_path)


def wait_until_healthy(
    server: ChildServer, path: str, answer: str, timeout: float, probe: str | None = None
) -> None:
    """Wait until ``GET path`` answers ``200`` and ``answer`` while the process is alive.

    The port was free when the server started (:func:`choose_port`), so an answer while our
    process runs is from our server; if the process dies (e.g. it could not bind the port),
    this raises instead. ``probe``: the host to ask, when not the one of ``server.url``
    (a server on 0.0.0.0 is asked on 127.0.0.1).

    Raises
    ------
    ReanalyzeError
        The process exited, or nothing answered within ``timeout`` seconds.
    """
    host, _, port = server.url.removeprefix("http://").rstrip("/").rpartition(":")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ReanalyzeError(
                f"{server.name} exited with status {server.process.returncode}: {server.said()}"
            )
        try:
            status, _, body = http_get(probe or host, int(port), path, 2.0)
        except (OSError, http.client.HTTPException):
            status, body = 0, ""
        if status == 200 and body == answer and server.process.poll() is None:
            return
        time.sleep(0.3)
    raise ReanalyzeError(
        f"{server.name} did not answer at {server.url} within {timeout:.0f} s: {server.said()}"
    )


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


def _wait_group(server: ChildServer, deadline: float) -> bool:
    pgid = server.process.pid
    while time.monotonic() < deadline:
        server.process.poll()  # reap the leader
        if not _group_alive(pgid):
            return True
        time.sleep(0.1)
    return not _group_alive(pgid)


def stop_server(server: ChildServer, timeout: float = 10.0, *, leader_first: bool = False) -> None:
    """Stop the server and every process of its group, then close its log.

    SIGTERM to the whole group, or with ``leader_first`` to the server alone (it stops what
    it started itself, e.g. the GUI's searches); SIGKILL to what is left of the group after
    ``timeout`` seconds (with ``leader_first``: as soon as the server has exited).
    """
    process = server.process
    try:
        if not _POSIX:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
        elif leader_first:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout)
            _signal_group(process.pid, signal.SIGKILL)
        else:
            _signal_group(process.pid, signal.SIGTERM)
            if not _wait_group(server, time.monotonic() + timeout):
                _signal_group(process.pid, signal.SIGKILL)
                _wait_group(server, time.monotonic() + 5.0)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5.0)
    finally:
        server.log.close()


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


def serve_until_stopped(
    start: Callable[[], ChildServer],
    until_up: Callable[[ChildServer], None],
    on_up: Callable[[ChildServer], None],
    stop: Callable[[ChildServer], None] = stop_server,
) -> int:
    """Start a server, serve until a stop signal, stop it; return the exit status.

    ``start`` starts it (:func:`start_server`), ``until_up`` waits until it answers
    (:func:`wait_until_healthy`), ``on_up`` tells the user, ``stop`` stops it
    (:func:`stop_server`). SIGINT, SIGTERM and SIGHUP (:class:`StopSignals`) end the serving;
    a second signal cannot interrupt the stopping.

    Returns
    -------
    int
        ``128 + signal number`` of the signal that stopped the server (130, 143, 129).

    Raises
    ------
    ReanalyzeError
        The server did not start, or exited by itself (its last line in the message).
    """
    server = None
    with StopSignals() as signals:
        try:
            server = start()
            until_up(server)
            on_up(server)
            code = server.process.wait()
            raise ReanalyzeError(
                f"{server.name} at {server.url} exited with status {code}: {server.said()}"
            )
        except Stopped as stopped:
            return 128 + stopped.signum
        finally:
            signals.stopping()
            if server is not None:
                stop(server)
