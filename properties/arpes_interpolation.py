"""Resampling of a measured ARPES map I(θ1, θ2): linear interpolation that keeps NaN outside.

A function (θ1, θ2) → I (:func:`build_interpolator`) that is linear along each measured cut
and between neighbouring cuts (or on the Delaunay triangulation of scattered points), NaN
outside the measured cone and in holes, and exact on measured points; :func:`angle_grid`
and :func:`native_steps` give the regular grids it is evaluated on. Angles in degrees.

Examples
--------
>>> theta1 = np.tile([0.0, 1.0, 2.0], 2)
>>> theta2 = np.repeat([0.0, 1.0], 3)
>>> interp = build_interpolator(theta1, theta2, theta1 + 10 * theta2)
>>> interp(np.array([0.5, 1.5, 3.0]), np.array([0.5, 1.0, 0.0]))
array([ 5.5, 11.5,  nan])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.interpolate import LinearNDInterpolator, make_interp_spline

from reanalyze.arrays import FloatArray
from reanalyze.errors import DataError

__all__ = ["Interpolator", "angle_grid", "build_interpolator", "grid_step", "native_steps"]

Interpolator = Callable[[FloatArray, FloatArray], FloatArray]

#: Relative tolerance (of a grid step) for "on a cut" / "at the edge of a cut".
_SNAP = 1e-6


@dataclass(frozen=True)
class _Cut:
    """One measured cut: sorted, unique θ1 (degrees), the intensity there, the largest gap.

    ``max_gap`` (degrees): an interval between neighbouring measured θ1 wider than this is
    a hole in the cone and stays NaN.
    """

    theta1: FloatArray
    intensity: FloatArray
    max_gap: float = math.inf

    def __call__(self, theta1: FloatArray) -> FloatArray:
        """Linear interpolation along the cut; NaN outside its θ1 range and in holes."""
        out = np.full(theta1.shape, np.nan)
        x = self.theta1
        if x.size == 0:
            return out
        if x.size == 1:
            out[np.abs(theta1 - x[0]) <= _SNAP] = self.intensity[0]
            return out
        spacing = np.diff(x)
        tol = _SNAP * float(np.min(spacing))
        inside = (theta1 >= x[0] - tol) & (theta1 <= x[-1] + tol)
        q = np.clip(theta1[inside], x[0], x[-1])
        spline = make_interp_spline(x, self.intensity, k=1)
        values = spline(q)
        right = np.clip(np.searchsorted(x, q), 1, x.size - 1)
        at_right = np.abs(q - x[right]) <= tol
        at_left = np.abs(q - x[right - 1]) <= tol
        values[(spacing[right - 1] > self.max_gap) & ~(at_left | at_right)] = np.nan
        # On a measured point (within 1e-6 step): the measured value, exactly.
        values = np.where(at_left, self.intensity[right - 1], values)
        values = np.where(at_right, self.intensity[right], values)
        out[inside] = values
        return out


def _group_cuts(theta2: FloatArray) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """θ2 of the cuts (sorted) and, per row, the index of its cut."""
    keys = np.round(theta2, 9)
    values, index = np.unique(keys, return_inverse=True)
    return values.astype(np.float64), index.astype(np.intp)


def _make_cut(theta1: FloatArray, intensity: FloatArray, max_gap: float) -> _Cut:
    """A :class:`_Cut` from one cut's rows: NaN intensities dropped, equal θ1 averaged.

    ``max_gap`` is in units of the cut's median θ1 spacing (of all its rows, NaN or not).
    """
    spacing = np.diff(np.unique(theta1[np.isfinite(theta1)]))
    gap = max_gap * float(np.median(spacing)) if spacing.size else math.inf
    ok = np.isfinite(theta1) & np.isfinite(intensity)
    x, inverse = np.unique(theta1[ok], return_inverse=True)
    counts = np.bincount(inverse, minlength=x.size)
    y = np.bincount(inverse, weights=intensity[ok], minlength=x.size) / np.maximum(counts, 1)
    return _Cut(x.astype(np.float64), y.astype(np.float64), gap)


def _cut_interpolator(
    theta1: FloatArray, theta2: FloatArray, intensity: FloatArray, max_gap: float
) -> Interpolator:
    """Linear along each cut, then linear in θ2 between the two neighbouring cuts.

    A point between two cuts is NaN unless both cuts measured its θ1 (the cone is the
    per-cut θ1 range, joined between cuts); a point on a cut needs only that cut. Holes
    (runs of NaN intensity wider than ``max_gap`` median spacings) stay NaN.
    """
    cut_theta2, index = _group_cuts(theta2)
    order = np.argsort(index, kind="stable")
    rows = np.split(order, np.searchsorted(index[order], np.arange(1, cut_theta2.size)))
    cuts = [_make_cut(theta1[r], intensity[r], max_gap) for r in rows]
    gaps = np.diff(cut_theta2)
    snap2 = _SNAP * (float(np.min(gaps)) if gaps.size else 1.0)

    def evaluate(q1: FloatArray, q2: FloatArray) -> FloatArray:
        q1 = np.asarray(q1, dtype=np.float64).ravel()
        q2 = np.asarray(q2, dtype=np.float64).ravel()
        if cut_theta2.size == 1:
            out = cuts[0](q1)
            out[np.abs(q2 - cut_theta2[0]) > snap2] = np.nan
            return out
        lower = np.clip(np.searchsorted(cut_theta2, q2, side="right") - 1, 0, cut_theta2.size - 2)
        upper = lower + 1
        weight = (q2 - cut_theta2[lower]) / (cut_theta2[upper] - cut_theta2[lower])
        weight = np.where(np.abs(weight) * gaps[lower] <= snap2, 0.0, weight)
        weight = np.where(np.abs(1 - weight) * gaps[lower] <= snap2, 1.0, weight)
        v_lower = _evaluate_by_cut(cuts, lower, q1)
        v_upper = _evaluate_by_cut(cuts, upper, q1)
        mixed = (1 - weight) * v_lower + weight * v_upper
        out = np.where(weight == 0, v_lower, np.where(weight == 1, v_upper, mixed))
        out[(weight < 0) | (weight > 1) | ~np.isfinite(q2)] = np.nan
        return np.asarray(out, dtype=np.float64)

    return evaluate


def _evaluate_by_cut(cuts: list[_Cut], which: npt.NDArray[np.intp], q1: FloatArray) -> FloatArray:
    """``cuts[which[i]](q1[i])`` for every i, one vectorized call per cut."""
    out = np.full(q1.shape, np.nan)
    order = np.argsort(which, kind="stable")
    bounds = np.searchsorted(which[order], np.arange(len(cuts) + 1))
    for i, cut in enumerate(cuts):
        rows = order[bounds[i] : bounds[i + 1]]
        if rows.size:
            out[rows] = cut(q1[rows])
    return out


def _scattered_interpolator(
    theta1: FloatArray, theta2: FloatArray, intensity: FloatArray
) -> Interpolator:
    """Linear interpolation on the Delaunay triangulation; NaN outside the convex hull."""
    ok = np.isfinite(theta1) & np.isfinite(theta2) & np.isfinite(intensity)
    if ok.sum() < 3:
        raise DataError("intensity: fewer than 3 finite points to triangulate")
    try:
        interp = LinearNDInterpolator(
            np.column_stack([theta1[ok], theta2[ok]]),
            intensity[ok],
            fill_value=np.nan,
            rescale=True,
        )
    except Exception as exc:  # qhull errors (all points on a line)
        raise DataError(f"theta1/theta2: the points cannot be triangulated ({exc})") from None

    def evaluate(q1: FloatArray, q2: FloatArray) -> FloatArray:
        return np.asarray(interp(np.ravel(q1), np.ravel(q2)), dtype=np.float64)

    return evaluate


def _is_cut_layout(theta2: FloatArray) -> bool:
    """True when the rows form cuts: on average at least 3 points per distinct θ2."""
    return bool(np.unique(np.round(theta2, 9)).size * 3 <= theta2.size)


def build_interpolator(
    theta1: FloatArray,
    theta2: FloatArray,
    intensity: FloatArray,
    method: Literal["auto", "cuts", "delaunay"] = "auto",
    max_gap: float = 3.0,
) -> Interpolator:
    """A function (θ1, θ2) → I interpolating the measured map linearly, NaN outside it.

    Parameters
    ----------
    theta1, theta2
        Angles of the measured points, degrees.
    intensity
        Measured intensity (any unit); NaN values count as not measured.
    method
        ``"cuts"``: linear along each cut (rows of equal θ2) and linear between neighbouring
        cuts; the measured cone is each cut's θ1 range. ``"delaunay"``:
        :class:`scipy.interpolate.LinearNDInterpolator` on the scattered points; the cone is
        their convex hull. ``"auto"``: ``"cuts"`` when the rows form cuts (≥ 3 points per θ2
        value on average), else ``"delaunay"``.
    max_gap
        ``"cuts"`` only: an interval between neighbouring finite points of a cut wider than
        ``max_gap`` × the cut's median θ1 spacing is a hole and stays NaN (dimensionless).

    Raises
    ------
    DataError
        No finite intensity, or the points cannot be triangulated.
    """
    if not np.isfinite(intensity).any():
        raise DataError("intensity: no finite values")
    if method == "auto":
        method = "cuts" if _is_cut_layout(theta2) else "delaunay"
    if method == "cuts":
        return _cut_interpolator(theta1, theta2, intensity, max_gap)
    return _scattered_interpolator(theta1, theta2, intensity)


def native_steps(theta1: FloatArray, theta2: FloatArray) -> tuple[float, float]:
    """The input's own θ1 step (median spacing within cuts) and θ2 step (between cuts), degrees."""
    cut_theta2, index = _group_cuts(theta2)
    if _is_cut_layout(theta2):
        order = np.lexsort((theta1, index))
        d1 = np.diff(theta1[order])[np.diff(index[order]) == 0]
        d1 = d1[d1 > 0]
    else:
        d1 = np.diff(np.unique(theta1))
    d2 = np.diff(cut_theta2)
    step1 = float(np.median(d1)) if d1.size else float("nan")
    step2 = float(np.median(d2)) if d2.size else float("nan")
    return step1, step2


def angle_grid(lo: float, hi: float, step: float) -> FloatArray:
    """Grid ``lo + i·step`` for i = 0, 1, … up to ``hi`` (with a 10⁻⁶-step tolerance), degrees."""
    n = math.floor((hi - lo) / step + _SNAP) + 1
    return np.asarray(lo + step * np.arange(max(n, 1)), dtype=np.float64)


def grid_step(grid: FloatArray) -> float:
    """Step of an evenly spaced grid (NaN for fewer than two points)."""
    return float(grid[1] - grid[0]) if grid.size > 1 else float("nan")
