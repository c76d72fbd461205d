"""Imported by the server that pool workers are forked from: TensorFlow and Keras, once.

See :mod:`reanalyze.twin.pool`. Only imports happen here; no TensorFlow computation runs
before a worker is forked (TensorFlow's thread pools start at the first operation, in the
worker, after it has set one thread).
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from reanalyze.twin.quiet import import_tensorflow

import_tensorflow()

import reanalyze.twin.network  # noqa: E402, F401
