"""Imported by the server that pool workers are forked from: TensorFlow and Keras, once.

See :mod:`reanalyze.twin.pool`. Only imports happen here; no TensorFlow computation runs
before a worker is forked (TensorFlow's thread pools start at the first operation, in the
worker, after it has set one thread).
"""

from __future__ import annotations

import os
import signal
import sys

# Ctrl-C is for the process that started the pool (it stops the workers); multiprocessing's
# server ignores SIGINT too, but only after its preloads (see reanalyze.twin.pool._ensure_server)
signal.signal(signal.SIGINT, signal.SIG_IGN)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from reanalyze.twin.quiet import import_tensorflow  # noqa: E402

# Keras imports scikit-learn for its scikit-learn wrappers, which no worker uses: about 1 s of
# the ~6 s import on the path to the first trial. Hidden while Keras is imported (Keras goes
# on without the wrappers, as without scikit-learn), importable again afterwards.
_HIDDEN = "sklearn" not in sys.modules
if _HIDDEN:
    sys.modules["sklearn"] = None  # type: ignore[assignment]
try:
    import_tensorflow()
finally:
    if _HIDDEN:
        del sys.modules["sklearn"]

import reanalyze.twin.network  # noqa: E402, F401
