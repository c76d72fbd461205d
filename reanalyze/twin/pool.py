"""The local worker processes that train networks: one TensorFlow thread each, kept warm.

Trials and ensemble members of :class:`~reanalyze.twin.search.Search`, and the members that
``reanalyze validate`` retrains, run in processes started with ``multiprocessing``'s
``forkserver`` method: one server process, started fresh (no state inherited from the
caller), imports TensorFlow and Keras once (:mod:`reanalyze.twin._preload`), and every worker
is forked from it before any TensorFlow computation has run, so a worker starts in
milliseconds instead of the seconds an import takes. (Measured on 2 cores: three imports of
TensorFlow were about 40 % of the CPU time of ``reanalyze train erco2``.) Where
``forkserver`` is not available (Windows), workers are spawned and import it themselves. A
pool of a given size is kept for the life of the calling process and reused by the next
search or validation in it (a notebook, the GUI, the tests). A pool that was interrupted is
discarded and the next call starts a new one.

Each process configures TensorFlow for one thread before any TensorFlow work, which is what
makes a computation give the same numbers whichever process runs it.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import multiprocessing.util
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["discard", "local_pool", "process_gone", "submit", "warm_up"]

T = TypeVar("T")

_POOLS: dict[int, ProcessPoolExecutor] = {}


def process_gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie, not yet reaped by its parent, has)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False  # no /proc (macOS): the signal test above is all there is
    return state in ("Z", "X")


def _exit_with_caller(caller: int) -> None:
    """End this worker when the process that made the pool is gone (killed with SIGKILL,
    say): never an orphan. (A forkserver worker's parent is the server, which lives as long
    as its workers do, so the caller is watched, not the parent.)"""
    while not process_gone(caller):
        time.sleep(1.0)
    os._exit(1)


def _start_process(caller: int) -> None:
    # Ctrl-C reaches every process of the terminal's group: the parent stops the pool, so a
    # worker ignores it (no traceback per worker) and ends when the parent terminates it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_caller, args=(caller,), daemon=True).start()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from reanalyze.twin.network import configure_threads

    configure_threads(1)


def _context() -> Any:
    """``forkserver`` with TensorFlow preloaded in the server, else ``spawn``."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["reanalyze.twin._preload"])
    return context


def _ensure_server() -> None:
    """Start the server the workers are forked from, deaf to Ctrl-C.

    The terminal sends Ctrl-C's SIGINT to the whole foreground process group, the server
    included; a server that took it while starting or importing TensorFlow printed a
    traceback (or ``Fatal Python error: init_import_site``) under the caller's one line.
    An ignored SIGINT stays ignored through ``exec``, so in the main thread it is ignored for
    the moment the server is started (a Ctrl-C in those milliseconds is lost); elsewhere
    :mod:`reanalyze.twin._preload` ignores it once the server runs Python.
    """
    from multiprocessing import forkserver

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        forkserver.ensure_running()
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back until the block has run, then act on the first one as
    the handler in place would have (in the main thread; elsewhere nothing is held)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[tuple[int, Any]] = []
    stops = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, lambda signum, frame: caught.append((signum, frame)))
                for s in stops}  # fmt: skip
    try:
        yield
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)
    for number, frame in caught[:1]:
        first = previous[signal.Signals(number)]
        if callable(first):
            first(number, frame)
        elif first == signal.SIG_DFL:
            signal.raise_signal(number)


def local_pool(workers: int) -> ProcessPoolExecutor:
    """The pool of ``workers`` processes (started on first use, then reused)."""
    pool = _POOLS.get(workers)
    if pool is None or getattr(pool, "_broken", False) or getattr(pool, "_shutdown_thread", False):
        pool = ProcessPoolExecutor(
            workers, mp_context=_context(), initializer=_start_process, initargs=(os.getpid(),)
        )
        _POOLS[workers] = pool
    return pool


def submit(pool: ProcessPoolExecutor, fn: Callable[..., T], *args: Any) -> Future[T]:
    """``pool.submit(fn, *args)`` with Ctrl-C and SIGTERM held back until it has returned.

    A submit can start a worker process, and waits for the server to fork it (seconds while
    the server still imports TensorFlow). Interrupted halfway, that worker was not yet among
    the pool's processes, so :func:`discard` did not stop it, and it printed a traceback
    (``SemLock._rebuild … FileNotFoundError``) once the caller had exited. Held back, the
    signal is acted on as soon as the submit returns, with every worker known to the pool.
    """
    if _context().get_start_method() == "forkserver":
        _ensure_server()
    with _signals_held():
        return pool.submit(fn, *args)


def warm_up() -> None:
    """Start the server the workers are forked from, now (starting it takes milliseconds;
    it imports TensorFlow in its own process).

    That import then overlaps with what the caller does before the first trial
    (reading the data, preparing the study); calling it is optional and harmless.
    """
    if _context().get_start_method() == "forkserver":
        _ensure_server()


def discard(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now, without waiting for running work (after an error or Ctrl-C)."""
    processes: list[Any] = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for key, value in list(_POOLS.items()):
        if value is pool:
            del _POOLS[key]


@atexit.register
def _close_all() -> None:
    for pool in list(_POOLS.values()):
        pool.shutdown(wait=False, cancel_futures=True)
    _POOLS.clear()


def _stop_all() -> None:
    for pool in list(_POOLS.values()):
        discard(pool)


# A process started by multiprocessing (a GUI's background search, say) joins its children
# when it ends, before atexit runs and after its queues are closed: stop the workers first,
# or that join waits for ever.
multiprocessing.util.Finalize(None, _stop_all, exitpriority=100)
