"""The classic interpolators a physicist would use instead of a twin.

Each one is fitted on the measured scan lines and predicts at any point inside them; they are
the baselines every twin is compared with on held-out lines (:mod:`reanalyze.validation`).

* ``linear`` and ``pchip`` — *between curves*: every measured line is interpolated along the
  fast axis (temperature, θ1) to the requested fast-axis value, then the line values are
  interpolated along the slow axis (field, θ2) at that fixed fast-axis value. This is what a
  physicist does by hand: at fixed T, draw M(H) through the measured fields. PCHIP is the
  shape-preserving cubic of Fritsch & Carlson (scipy's ``PchipInterpolator``): monotone data
  stay monotone, no overshoot.
* ``rbf`` — a thin-plate-spline radial basis function interpolant,
  ``f(x) = Σ_i w_i φ(|x − x_i|) + p(x)`` with ``φ(r) = r² log r`` and a linear polynomial
  ``p``, on axes scaled to [0, 1] (scipy's ``RBFInterpolator``). Above 2 000 points each
  prediction uses its 64 nearest measured points, on axes in units of their own step (so a
  neighbourhood spans several lines).
* ``gp`` — a Gaussian process (scikit-learn) with an anisotropic Matérn kernel plus white
  noise, e.g. for ν = 5/2 ``k(x, x') = σ² (1 + √5 r + 5r²/3) e^{−√5 r} + σ_n² δ``,
  ``r² = Σ_d (x_d − x'_d)²/ℓ_d²``, on axes scaled to [0, 1]; σ, σ_n and the length scales
  ``ℓ_d`` are fitted by maximum marginal likelihood, for ν = 3/2 and 5/2, and the ν with the
  higher likelihood is kept. The slow axis' length scale is bounded below by half the median
  spacing of the lines (shorter ones are not identifiable and make the GP revert to its mean
  between lines). Above 600
  points it is fitted on an even subsample of each line (exact GPs scale as n³).

Examples
--------
>>> import numpy as np
>>> t = np.tile(np.linspace(0, 1, 5), 3)
>>> h = np.repeat([0.0, 1.0, 2.0], 5)
>>> method = fit_classic("linear", np.column_stack([t, h]), 2 * t + h, slow=1)
>>> float(method.predict(np.array([[0.5, 1.5]]))[0])
2.5
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from reanalyze.arrays import FloatArray
from reanalyze.errors import DataError

__all__ = ["CLASSIC_METHODS", "ClassicMethod", "fit_classic"]


#: Names of the classic methods, in the order tables show them.
CLASSIC_METHODS = ("linear", "pchip", "rbf", "gp")

_RBF_EXACT_MAX = 2000
_RBF_NEIGHBORS = 64
_GP_MAX_ROWS = 600


class ClassicMethod(Protocol):
    """A fitted classic interpolator."""

    name: str

    def predict(self, x: FloatArray) -> FloatArray:
        """Predictions at the rows of ``x`` (same feature order as the fit)."""
        ...


def _interp_1d(kind: str, x: FloatArray, y: FloatArray) -> Callable[[FloatArray], FloatArray]:
    """A 1-D interpolant of one line (NaN more than a step outside its range)."""
    from scipy.interpolate import PchipInterpolator

    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    xs, first = np.unique(xs, return_index=True)
    # repeated fast-axis values within a line: average them
    if len(xs) != len(order):
        sums = np.add.reduceat(ys, first)
        counts = np.diff(np.append(first, len(ys)))
        ys = sums / counts
    else:
        ys = ys[first]
    if len(xs) == 1:
        value = float(ys[0])
        return lambda q: np.where(q == xs[0], value, np.nan)
    # a query up to one median step beyond the line's ends takes the end value (readbacks of
    # neighbouring lines scatter by a fraction of a step); farther out there is no value
    step = float(np.median(np.diff(xs)))
    low, high = xs[0] - step, xs[-1] + step
    inner = PchipInterpolator(xs, ys) if kind == "pchip" else None

    def along(q: FloatArray) -> FloatArray:
        clipped = np.clip(q, xs[0], xs[-1])
        values = inner(clipped) if inner is not None else np.interp(clipped, xs, ys)
        return np.where((q >= low) & (q <= high), values, np.nan)

    return along


@dataclass
class BetweenCurves:
    """Interpolation along the fast axis within lines, then along the slow axis across lines."""

    name: str
    slow: int
    lines: FloatArray
    along_fast: list[Callable[[FloatArray], FloatArray]]

    def predict(self, x: FloatArray) -> FloatArray:
        """Predict; NaN where a point is outside every line's fast range."""
        fast = x[:, 1 - self.slow]
        at_lines = np.stack([f(fast) for f in self.along_fast])  # (lines, n)
        out = np.full(len(x), np.nan)
        slow = x[:, self.slow]
        # points sharing the same set of available lines are interpolated together
        available = np.isfinite(at_lines)
        keys = np.packbits(available, axis=0)
        _, groups = np.unique(keys, axis=1, return_inverse=True)
        for group in np.unique(groups):
            rows = np.flatnonzero(groups == group)
            usable = available[:, rows[0]]
            if usable.sum() == 0:
                continue
            xs = self.lines[usable]
            values = at_lines[usable][:, rows]
            if len(xs) == 1:
                out[rows] = np.where(slow[rows] == xs[0], values[0], np.nan)
                continue
            if self.name == "pchip":
                from scipy.interpolate import PchipInterpolator

                curve = PchipInterpolator(xs, values, axis=0, extrapolate=False)
                levels, which = np.unique(slow[rows], return_inverse=True)
                for k, level in enumerate(levels):  # one evaluation per slow-axis value
                    cols = np.flatnonzero(which == k)
                    out[rows[cols]] = curve(level)[cols]
            else:
                idx = np.clip(np.searchsorted(xs, slow[rows]) - 1, 0, len(xs) - 2)
                lo, hi = xs[idx], xs[idx + 1]
                frac = (slow[rows] - lo) / (hi - lo)
                cols = np.arange(len(rows))
                value = values[idx, cols] * (1 - frac) + values[idx + 1, cols] * frac
                inside = (slow[rows] >= xs[0]) & (slow[rows] <= xs[-1])
                out[rows] = np.where(inside, value, np.nan)
        return out


def _between_curves(kind: str, x: FloatArray, y: FloatArray, slow: int) -> BetweenCurves:
    if x.shape[1] != 2:
        raise DataError(
            f"{kind}: interpolation between curves needs two features, not {x.shape[1]}"
        )
    lines = np.unique(x[:, slow])
    if len(lines) < 2:
        raise DataError(f"{kind}: needs at least two scan lines, found {len(lines)}")
    fast = 1 - slow
    along = [_interp_1d(kind, x[x[:, slow] == line, fast], y[x[:, slow] == line]) for line in lines]
    return BetweenCurves(kind, slow, lines, along)


@dataclass
class Scaled:
    """A scikit-learn/scipy model on axes scaled to [0, 1] by the training ranges."""

    name: str
    low: FloatArray
    span: FloatArray
    model: Any
    y_mean: float = 0.0
    y_scale: float = 1.0

    def predict(self, x: FloatArray) -> FloatArray:
        """Predict at the rows of ``x``."""
        z = (x - self.low) / self.span
        return np.asarray(self.model(z), dtype=np.float64).ravel() * self.y_scale + self.y_mean


def _scales(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    low = x.min(axis=0)
    span = np.ptp(x, axis=0)
    return low, np.where(span > 0, span, 1.0)


def _steps(x: FloatArray) -> FloatArray:
    """Median spacing of the distinct values of every column (1 where constant)."""
    steps = []
    for column in x.T:
        gaps = np.diff(np.unique(column))
        steps.append(float(np.median(gaps)) if gaps.size else 1.0)
    return np.asarray(steps)


def _rbf(x: FloatArray, y: FloatArray) -> Scaled:
    from scipy.interpolate import RBFInterpolator

    if len(x) <= _RBF_EXACT_MAX:
        low, span = _scales(x)
        neighbors = None
    else:  # local RBF: axes in units of their own step, so neighbourhoods span lines
        low, span = x.min(axis=0), _steps(x)
        neighbors = _RBF_NEIGHBORS
    y_mean, y_scale = float(y.mean()), float(y.std()) or 1.0
    model = RBFInterpolator(
        (x - low) / span, (y - y_mean) / y_scale, kernel="thin_plate_spline", neighbors=neighbors
    )
    return Scaled("rbf", low, span, model, y_mean, y_scale)


def _subsample(x: FloatArray, slow: int, limit: int) -> npt.NDArray[np.intp]:
    """Row indices: an even share of every line, at most ``limit`` in all."""
    if len(x) <= limit:
        return np.arange(len(x))
    keep = []
    lines = np.unique(x[:, slow])
    per_line = max(2, limit // len(lines))
    for line in lines:
        rows = np.flatnonzero(x[:, slow] == line)
        picks = np.unique(np.linspace(0, len(rows) - 1, min(per_line, len(rows))).round())
        keep.append(rows[picks.astype(int)])
    return np.concatenate(keep)


def _gp(x: FloatArray, y: FloatArray, slow: int, seed: int) -> Scaled:
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    low, span = _scales(x)
    rows = _subsample(x, slow, _GP_MAX_ROWS)
    z = (x[rows] - low) / span
    y_mean, y_scale = float(y.mean()), float(y.std()) or 1.0
    # no length scale shorter than half the spacing of the lines along the slow axis: the
    # data say nothing about structure between lines (a shorter one reverts to the mean there)
    gaps = np.diff(np.unique(z[:, slow]))
    bounds = [(1e-3, 1e2)] * x.shape[1]
    if gaps.size:
        bounds[slow] = (max(1e-3, 0.5 * float(np.median(gaps))), 1e2)
    start = [max(0.2, low_bound) for low_bound, _ in bounds]
    best: Any = None
    for nu in (1.5, 2.5):  # the smoothness with the higher marginal likelihood wins
        kernel = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(
            length_scale=start, length_scale_bounds=bounds, nu=nu
        ) + WhiteKernel(1e-4, (1e-10, 1e-1))
        model = GaussianProcessRegressor(kernel, random_state=seed)
        with warnings.catch_warnings():  # a length scale at its bound is a result, not news
            warnings.simplefilter("ignore")
            model.fit(z, (y[rows] - y_mean) / y_scale)
        if (
            best is None
            or model.log_marginal_likelihood_value_ > best.log_marginal_likelihood_value_
        ):
            best = model
    return Scaled("gp", low, span, best.predict, y_mean, y_scale)


def fit_classic(
    name: str, x: FloatArray, y: FloatArray, *, slow: int, seed: int = 0
) -> ClassicMethod:
    """Fit the classic method ``name`` on features ``x`` (n, d) and target ``y`` (n,).

    Parameters
    ----------
    name
        One of :data:`CLASSIC_METHODS`.
    x, y
        Measured points, features in their units.
    slow
        Column of ``x`` that labels the scan lines (the slow axis).
    seed
        Seed of the GP's optimizer restarts.

    Raises
    ------
    DataError
        An unknown method, or data the method cannot use.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if name in ("linear", "pchip"):
        return _between_curves(name, x, y, slow)
    if name == "rbf":
        return _rbf(x, y)
    if name == "gp":
        return _gp(x, y, slow, seed)
    raise DataError(f"unknown classic method {name!r} (choose from {', '.join(CLASSIC_METHODS)})")
