"""The local worker processes that train networks: one TensorFlow thread each, kept warm.

Trials and ensemble members of :class:`~reanalyze.twin.search.Search`, and the members that
``reanalyze validate`` retrains, run in processes started with ``multiprocessing``'s
``spawn`` method (a fresh interpreter, no state inherited from the caller). Importing
TensorFlow takes seconds, so a pool of a given size is kept for the life of the calling
process and reused by the next search or validation in it (a notebook, the GUI, the tests).
A pool that was interrupted is discarded and the next call starts a new one.

Each process configures TensorFlow for one thread before any TensorFlow work, which is what
makes a computation give the same numbers whichever process runs it.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

__all__ = ["discard", "local_pool"]

_POOLS: dict[int, ProcessPoolExecutor] = {}


def _exit_with_parent(parent: int) -> None:
    """End this worker when its parent is gone (killed with SIGKILL, say): never an orphan."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _start_process() -> None:
    # Ctrl-C reaches every process of the terminal's group: the parent stops the pool, so a
    # worker ignores it (no traceback per worker) and ends when the parent terminates it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from reanalyze.twin.network import configure_threads

    configure_threads(1)


def local_pool(workers: int) -> ProcessPoolExecutor:
    """The pool of ``workers`` processes (started on first use, then reused)."""
    pool = _POOLS.get(workers)
    if pool is None or getattr(pool, "_broken", False) or getattr(pool, "_shutdown_thread", False):
        pool = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_process
        )
        _POOLS[workers] = pool
    return pool


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
