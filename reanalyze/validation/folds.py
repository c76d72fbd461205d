"""Which scan lines are held out together, and how a prediction of a line is scored.

A fold holds out whole scan lines (curves at fixed slow-axis values); the first and last lines
are never held out, because predicting them is extrapolation, not interpolation. With at most
:data:`MAX_LEAVE_ONE_OUT` interior lines each is held out in turn; with more (an ARPES map's
31 cuts) they are split into ``k`` interleaved folds so no two neighbours go together.

Examples
--------
>>> line_folds(np.array([0.01, 0.1, 0.5, 1, 2, 3, 4, 5]))
[array([0.1]), array([0.5]), array([1.]), array([2.]), array([3.]), array([4.])]
>>> [f.tolist() for f in line_folds(np.arange(12.0), n_folds=3)]
[[1.0, 4.0, 7.0, 10.0], [2.0, 5.0, 8.0], [3.0, 6.0, 9.0]]
"""

from __future__ import annotations

import numpy as np

from reanalyze.arrays import FloatArray
from reanalyze.validation.result import LineResult

__all__ = ["MAX_LEAVE_ONE_OUT", "line_folds", "score_line"]


#: Interior lines up to which every line is held out on its own.
MAX_LEAVE_ONE_OUT = 8
#: Folds when there are more interior lines than that.
DEFAULT_FOLDS = 5


def line_folds(lines: FloatArray, n_folds: int | None = None) -> list[FloatArray]:
    """The held-out lines of every fold.

    Parameters
    ----------
    lines
        The distinct slow-axis values.
    n_folds
        Folds to make; default: one per interior line up to :data:`MAX_LEAVE_ONE_OUT`
        interior lines, else :data:`DEFAULT_FOLDS`. Interior line ``i`` goes to fold
        ``i % n_folds``.
    """
    interior = np.sort(np.unique(lines))[1:-1]
    if interior.size == 0:
        return []
    if n_folds is None:
        n_folds = interior.size if interior.size <= MAX_LEAVE_ONE_OUT else DEFAULT_FOLDS
    n_folds = max(1, min(int(n_folds), interior.size))
    index = np.arange(interior.size) % n_folds
    return [interior[index == k] for k in range(n_folds)]


def score_line(line: float, measured: FloatArray, predicted: FloatArray) -> LineResult:
    """Score a prediction of one measured line (points predicted as NaN count as missing)."""
    measured = np.asarray(measured, dtype=np.float64)
    predicted = np.asarray(predicted, dtype=np.float64)
    ok = np.isfinite(predicted)
    error = predicted[ok] - measured[ok]
    span = float(np.ptp(measured)) if measured.size else 0.0
    rmse = float(np.sqrt(np.mean(error**2))) if error.size else float("nan")
    return LineResult(
        line=float(line),
        rmse=rmse,
        rel_rmse=rmse / span if span > 0 else float("nan"),
        max_error=float(np.max(np.abs(error))) if error.size else float("nan"),
        n=int(ok.sum()),
        missing=int((~ok).sum()),
    )
