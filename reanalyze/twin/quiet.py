"""Import TensorFlow and Keras without their C++ start-up lines on the terminal.

TensorFlow's native logging (``WARNING: All log messages before absl::InitializeLog() is
called …``, ``oneDNN custom operations are on …``, ``cpu_feature_guard …``) is written to file
descriptor 2 by C++ code while the module is imported, and ``TF_CPP_MIN_LOG_LEVEL`` no longer
silences all of it. :func:`import_tensorflow` imports both libraries once per process with
descriptor 2 pointed at ``/dev/null`` for the duration of the import; Python exceptions are
not affected (they are raised, not printed). Set ``REANALYZE_VERBOSE=1`` to see the lines.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator

__all__ = ["VERBOSE_ENV", "import_tensorflow", "is_verbose"]

#: Set to 1 (``reanalyze --verbose`` does) to let the libraries' own messages through.
VERBOSE_ENV = "REANALYZE_VERBOSE"

_LOCK = threading.Lock()
_DONE = False


def is_verbose() -> bool:
    """Whether the libraries' own messages should reach the terminal (``$REANALYZE_VERBOSE``
    set and not ``0``)."""
    return os.environ.get(VERBOSE_ENV, "").strip() not in ("", "0")


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    if is_verbose():
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:  # no descriptor 2 (a daemon): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def import_tensorflow() -> None:
    """Import ``tensorflow`` and ``keras`` once, quietly (see the module docstring)."""
    global _DONE
    with _LOCK:
        if _DONE:
            return
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        with _native_stderr_silenced():
            import keras  # noqa: F401
            import tensorflow  # noqa: F401
        _DONE = True
