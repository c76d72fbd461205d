"""Imported by the server that pool workers are forked from: TensorFlow and Keras, once.

See :mod:`reanalyze.twin.pool`. Only imports happen here; no TensorFlow computation runs
before a worker is forked (TensorFlow's thread pools start at the first operation, in the
worker, after it has set one thread).
"""

from __future__ import annotations

import os
import signal

# Ctrl-C is for the process that started the pool (it stops the workers); multiprocessing's
# server ignores SIGINT too, but only after its preloads (see reanalyze.twin.pool._ensure_server)
signal.signal(signal.SIGINT, signal.SIG_IGN)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from reanalyze.twin.quiet import import_tensorflow  # noqa: E402

import_tensorflow()

import reanalyze.twin.network  # noqa: E402, F401
