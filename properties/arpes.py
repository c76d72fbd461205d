r"""ARPES Fermi-surface maps: resampled I(θ1, θ2), the (kx, ky) image and MDC peak positions.

An ARPES Fermi-surface map is measured as a set of *cuts*: at each angle θ2 (deflector or
tilt, perpendicular to the analyser slit) the analyser records the intensity along the slit
angle θ1. This plugin

1. **resamples** I(θ1, θ2) onto a regular angular grid (``theta1_step``, ``theta2_step``,
   optional ``theta1_range``/``theta2_range``; default: the input's own steps and extent) by
   linear interpolation of the input table (:mod:`scipy.interpolate`). Points outside the
   measured cone are NaN, never zero;
2. **converts** angles to in-plane momenta with the geometry of
   :class:`reanalyze.synthetic.arpes.ArpesFermiSurface` (θ1 along the slit, θ2 a rotation of
   the sample about the axis along the slit, applied after θ1):

   .. math::

       k_0 = c\sqrt{E_\mathrm{kin}},\quad E_\mathrm{kin} = h\nu - W - E_B,\quad
       k_x = k_0\sin\theta_1,\quad k_y = k_0\cos\theta_1\sin\theta_2
       \quad (\mathrm{Å^{-1}}),

   with :math:`c = \sqrt{2 m_e\,\mathrm{eV}}/\hbar = 0.51232` Å⁻¹ eV⁻¹ᐟ² (from
   :mod:`scipy.constants`; the generator uses the rounded 0.5123, 3×10⁻⁵ smaller) and
   :math:`E_B = 0` at the Fermi level. The defaults hν = 40 eV, W = 4.4 eV are the
   La(O,F)BiS2-like generator preset; the published data state no photon energy;
3. builds the **Fermi-surface image** I(kx, ky) on a regular k grid (``k_step``): every k
   point is mapped back to its angles, θ1 = arcsin(kx/k0), θ2 = arcsin(ky/(k0 cos θ1)), and
   the input is interpolated there (NaN where the angles were not measured). With
   ``jacobian=True`` the intensity is multiplied by

   .. math::

       \Big|\frac{\partial(\theta_1,\theta_2)}{\partial(k_x,k_y)}\Big|
           = \frac{1}{k_0^2\cos^2\theta_1\cos\theta_2}\quad(\mathrm{rad^2\,Å^2}),

   expressed in deg²·Å², so that counts per solid angle become counts per Å⁻²:
   :math:`\iint I_k\,dk_x\,dk_y = \iint I\,d\theta_1\,d\theta_2` (deg²);
4. finds the **MDC peaks** along every resampled cut (θ2 fixed): local maxima of I(θ1) with a
   prominence of at least ``prominence`` × (max − min of the cut) and ``map_prominence`` ×
   (max − min of the map), the latter keeping noise out of cuts that cross no sheet
   (:func:`scipy.signal.find_peaks`, after optional Savitzky–Golay ``smooth``-ing),
   refined below the grid spacing by a least-squares parabola (or a Lorentzian,
   :func:`scipy.optimize.curve_fit`) through the points within ``fit_window`` × FWHM of
   the grid maximum. They are reported as θ1 and (kx, ky), at most ``max_peaks`` per cut,
   ordered by θ1 and NaN-padded, so the table layout does not depend on the data
   (ensemble members line up row by row).

Linear interpolation of the measured table is the simplest resampler; a twin's
``reanalyze simulate`` (a network trained on the map) is the better one for fine grids,
since it interpolates between the 1° cuts with what it learned from the whole map. Its
output table can be passed straight to this plugin (with ensemble members: mean ± std).

NaN intensities are not measured: they are left out, and a run of them wider than ``max_gap``
θ1 spacings is a hole in the cone. The real La(O,F)BiS2 map pads much of the region outside
the detector with exact zeros; ``mask_zeros=True`` treats those as not measured too.

Examples
--------
>>> result = ArpesMap().run(ArpesMap.example_table(), figures=False)
>>> sorted(result.tables), result.summary["n_peaks"].value > 0
(['angle_map', 'k_map', 'mdc_peaks'], True)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from scipy import constants
from scipy.interpolate import LinearNDInterpolator, make_interp_spline
from scipy.optimize import curve_fit
from scipy.signal import find_peaks, peak_widths, savgol_filter

from reanalyze.errors import DataError, PluginError
from reanalyze.properties.base import (
    Curve,
    PropertyPlugin,
    PropertyResult,
    Requirement,
    Summary,
    std_column,
)
from reanalyze.table import UnitTable

__all__ = [
    "K_PER_SQRT_EV",
    "ArpesMap",
    "MdcPeaks",
    "angle_grid",
    "angles_from_k",
    "angles_to_k",
    "build_interpolator",
    "find_mdc_peaks",
    "jacobian_angles_per_k",
    "photoelectron_k0",
]

FloatArray = npt.NDArray[np.float64]
Interpolator = Callable[[FloatArray, FloatArray], FloatArray]

#: √(2 m_e · 1 eV)/ħ in Å⁻¹ (≈ 0.512317): k = K_PER_SQRT_EV · √(E_kin / eV) · sin θ.
K_PER_SQRT_EV = math.sqrt(2 * constants.m_e * constants.eV) / constants.hbar * 1e-10

#: Largest number of points of the angle or k grid (beyond it: choose coarser steps).
MAX_GRID_POINTS = 5_000_000

#: Relative tolerance (of a grid step) for "on a cut" / "at the edge of a cut".
_SNAP = 1e-6


# ----------------------------------------------------------------------- kinematics
def photoelectron_k0(photon_energy: float, work_function: float, binding_energy: float) -> float:
    r"""Photoelectron momentum :math:`k_0 = 0.51232\sqrt{h\nu - W - E_B}`, Å⁻¹ (energies in eV).

    Raises
    ------
    PluginError
        The kinetic energy hν − W − E_B is not positive.
    """
    kinetic = photon_energy - work_function - binding_energy
    if kinetic <= 0:
        raise PluginError(
            f"photon_energy - work_function - binding_energy = {kinetic:g} eV: "
            "the kinetic energy must be positive"
        )
    return K_PER_SQRT_EV * math.sqrt(kinetic)


def angles_to_k(
    theta1_deg: npt.ArrayLike, theta2_deg: npt.ArrayLike, k0: float
) -> tuple[FloatArray, FloatArray]:
    r"""In-plane momenta :math:`k_x = k_0\sin\theta_1`, :math:`k_y = k_0\cos\theta_1\sin\theta_2`.

    Parameters
    ----------
    theta1_deg, theta2_deg
        Emission angles along and across the slit, degrees (broadcast together).
    k0
        Photoelectron momentum, Å⁻¹.

    Returns
    -------
    kx, ky
        Å⁻¹.
    """
    t1 = np.radians(np.asarray(theta1_deg, dtype=np.float64))
    t2 = np.radians(np.asarray(theta2_deg, dtype=np.float64))
    t1, t2 = np.broadcast_arrays(t1, t2)
    return k0 * np.sin(t1), k0 * np.cos(t1) * np.sin(t2)


def angles_from_k(kx: npt.ArrayLike, ky: npt.ArrayLike, k0: float) -> tuple[FloatArray, FloatArray]:
    r"""Inverse of :func:`angles_to_k`: θ1 = arcsin(kx/k0), θ2 = arcsin(ky/(k0 cos θ1)).

    Parameters
    ----------
    kx, ky
        In-plane momenta, Å⁻¹.
    k0
        Photoelectron momentum, Å⁻¹.

    Returns
    -------
    theta1, theta2
        Degrees, with |θ1|, |θ2| ≤ 90°; NaN where :math:`k_x^2 + k_y^2 > k_0^2` (no emission
        angle reaches that momentum).
    """
    kx, ky = np.broadcast_arrays(np.asarray(kx, dtype=np.float64), np.asarray(ky, dtype=np.float64))
    s1 = kx / k0
    reachable = (np.abs(s1) <= 1) & (kx**2 + ky**2 <= k0**2 * (1 + 1e-12))
    theta1 = np.arcsin(np.clip(s1, -1, 1))
    denom = k0 * np.cos(theta1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = np.where(denom > 0, ky / denom, np.sign(ky) * np.inf)
    reachable &= np.abs(s2) <= 1 + 1e-12
    theta2 = np.arcsin(np.clip(s2, -1, 1))
    return (
        np.where(reachable, np.degrees(theta1), np.nan),
        np.where(reachable, np.degrees(theta2), np.nan),
    )


def jacobian_angles_per_k(
    theta1_deg: npt.ArrayLike, theta2_deg: npt.ArrayLike, k0: float
) -> FloatArray:
    r"""|∂(θ1, θ2)/∂(kx, ky)| = (180/π)² / (k0² cos²θ1 cos θ2), deg²·Å².

    The inverse of the determinant of ∂(kx, ky)/∂(θ1, θ2) =
    [[k0 cos θ1, 0], [−k0 sin θ1 sin θ2, k0 cos θ1 cos θ2]] (per rad²).
    """
    t1 = np.radians(np.asarray(theta1_deg, dtype=np.float64))
    t2 = np.radians(np.asarray(theta2_deg, dtype=np.float64))
    with np.errstate(divide="ignore"):
        per_rad2 = 1.0 / np.abs(k0**2 * np.cos(t1) ** 2 * np.cos(t2))
    return np.asarray(per_rad2 * np.degrees(1.0) ** 2, dtype=np.float64)


# ----------------------------------------------------------------------- interpolation
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


def _native_steps(theta1: FloatArray, theta2: FloatArray) -> tuple[float, float]:
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


# ----------------------------------------------------------------------- MDC peaks
@dataclass(frozen=True)
class MdcPeaks:
    """Peaks of the MDCs, one row per cut, ``max_peaks`` columns, NaN-padded.

    Attributes
    ----------
    theta1
        Refined peak positions, degrees, ordered by θ1 within a row.
    height
        Intensity at the peak (from the local fit), unit of the input.
    n_found
        Peaks found per cut before truncation to ``max_peaks``.
    """

    theta1: FloatArray
    height: FloatArray
    n_found: npt.NDArray[np.int64]


def _lorentzian(x: FloatArray, amplitude: float, centre: float, hwhm: float, offset: float) -> Any:
    return amplitude / (1 + ((x - centre) / hwhm) ** 2) + offset


def _refine(
    x: FloatArray,
    y: FloatArray,
    peak: int,
    half: int,
    method: Literal["parabola", "lorentzian", "none"],
) -> tuple[float, float]:
    """Sub-grid position and height of the peak at index ``peak`` of (x, y).

    Fits the points ``peak − half … peak + half``; falls back to the grid point when the fit
    fails or its maximum lies outside the window.
    """
    if method == "none":
        return float(x[peak]), float(y[peak])
    lo, hi = max(peak - half, 0), min(peak + half + 1, x.size)
    xs, ys = x[lo:hi], y[lo:hi]
    dx = xs - x[peak]
    if method == "parabola":
        if xs.size < 3:
            return float(x[peak]), float(y[peak])
        c2, c1, c0 = np.polyfit(dx, ys, 2)
        if c2 >= 0:
            return float(x[peak]), float(y[peak])
        vertex = -c1 / (2 * c2)
        height = c0 - c1**2 / (4 * c2)
    else:
        if xs.size < 5:
            return _refine(x, y, peak, half, "parabola")
        span = float(dx[-1] - dx[0])
        base = float(np.min(ys))
        guess = (float(y[peak]) - base, 0.0, span / 4, base)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                popt, _ = curve_fit(_lorentzian, dx, ys, p0=guess, maxfev=2000)
        except (RuntimeError, ValueError):
            return _refine(x, y, peak, half, "parabola")
        vertex, height = float(popt[1]), float(popt[0] + popt[3])
    if not (dx[0] <= vertex <= dx[-1]) or not np.isfinite(height):
        return float(x[peak]), float(y[peak])
    return float(x[peak] + vertex), float(height)


def _finite_runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, stop) of the runs of True in ``mask``."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _smooth(y: FloatArray, points: int) -> FloatArray:
    """Savitzky–Golay smoothing (quadratic, ``points`` wide) of every finite run of ``y``."""
    if points < 5:
        return y
    out = y.copy()
    for start, stop in _finite_runs(np.isfinite(y)):
        if stop - start > points:
            out[start:stop] = savgol_filter(y[start:stop], points, 2, mode="interp")
    return out


def _peaks_of_cut(
    x: FloatArray,
    y: FloatArray,
    threshold: float,
    max_peaks: int,
    refine: Literal["parabola", "lorentzian", "none"],
    fit_window: float,
) -> tuple[FloatArray, FloatArray, int]:
    """Peaks of one MDC: positions, heights (NaN-padded to ``max_peaks``) and the count found.

    ``threshold`` is the minimum absolute prominence (unit of ``y``).
    """
    pos = np.full(max_peaks, np.nan)
    hgt = np.full(max_peaks, np.nan)
    finite = np.isfinite(y)
    if finite.sum() < 3 or not threshold > 0:
        return pos, hgt, 0
    found: list[tuple[float, int, int]] = []  # (prominence, absolute index, half window)
    for start, stop in _finite_runs(finite):
        seg = y[start:stop]
        if seg.size < 3:
            continue
        idx, props = find_peaks(seg, prominence=threshold)
        if not idx.size:
            continue
        widths = peak_widths(
            seg,
            idx,
            rel_height=0.5,
            prominence_data=(props["prominences"], props["left_bases"], props["right_bases"]),
        )[0]
        for i, prom, width in zip(idx, props["prominences"], widths, strict=True):
            found.append((float(prom), start + int(i), max(1, round(fit_window * float(width)))))
    kept = sorted(found, key=lambda item: -item[0])[:max_peaks]
    refined = sorted(_refine(x, y, i, half, refine) for _, i, half in kept)
    for j, (p, h) in enumerate(refined):
        pos[j], hgt[j] = p, h
    return pos, hgt, len(found)


def find_mdc_peaks(
    theta1: FloatArray,
    intensity: FloatArray,
    *,
    prominence: float = 0.2,
    map_prominence: float = 0.1,
    smooth: float = 0.0,
    max_peaks: int = 8,
    refine: Literal["parabola", "lorentzian", "none"] = "parabola",
    fit_window: float = 0.5,
) -> MdcPeaks:
    """MDC peaks of every cut of a map on a regular grid.

    A peak is a local maximum of I(θ1) whose prominence is at least
    max(``prominence`` × (max − min of the cut), ``map_prominence`` × (max − min of the map)).
    The second term keeps noise out of cuts that cross no Fermi-surface sheet.

    Parameters
    ----------
    theta1
        θ1 grid of the cuts, degrees, increasing and evenly spaced (shape ``(n1,)``).
    intensity
        I(θ2, θ1), shape ``(n_cuts, n1)``, NaN outside the measured cone (any unit).
    prominence
        Minimum peak prominence as a fraction of the cut's max − min (dimensionless).
    map_prominence
        Minimum peak prominence as a fraction of the whole map's max − min (dimensionless).
    smooth
        Width of a quadratic Savitzky–Golay filter applied along θ1 before the search,
        degrees (0: none; less than 5 grid points: none).
    max_peaks
        Peaks kept per cut (the most prominent), reported ordered by θ1.
    refine
        Sub-grid refinement: ``"parabola"`` (least squares), ``"lorentzian"``
        (:func:`scipy.optimize.curve_fit` of A/(1+((θ−θ0)/w)²)+c) or ``"none"``.
    fit_window
        Half-width of the fit window as a fraction of the peak's FWHM at half prominence
        (at least one grid point each side).

    Returns
    -------
    MdcPeaks
        Positions (degrees) and heights, shape ``(n_cuts, max_peaks)``.
    """
    n_cuts = intensity.shape[0]
    theta = np.full((n_cuts, max_peaks), np.nan)
    height = np.full((n_cuts, max_peaks), np.nan)
    counts = np.zeros(n_cuts, dtype=np.int64)
    points = 0
    if smooth > 0 and theta1.size > 1:
        points = 2 * round(smooth / (2 * abs(_step(theta1)))) + 1
    finite = intensity[np.isfinite(intensity)]
    map_span = float(np.ptp(finite)) if finite.size else 0.0
    for row in range(n_cuts):
        y = _smooth(intensity[row], points)
        ok = np.isfinite(y)
        span = float(np.ptp(y[ok])) if ok.any() else 0.0
        threshold = max(prominence * span, map_prominence * map_span)
        theta[row], height[row], counts[row] = _peaks_of_cut(
            theta1, y, threshold, max_peaks, refine, fit_window
        )
    return MdcPeaks(theta, height, counts)


# ----------------------------------------------------------------------- the plugin
class ArpesMapParams(BaseModel):
    """Parameters of :class:`ArpesMap` (angles in degrees, energies in eV, k in Å⁻¹)."""

    model_config = ConfigDict(extra="forbid")

    theta1_step: float | None = Field(
        None, gt=0, description="θ1 step of the resampled map, degree (default: the input's)."
    )
    theta2_step: float | None = Field(
        None, gt=0, description="θ2 step of the resampled map, degree (default: the input's)."
    )
    theta1_range: tuple[float, float] | None = Field(
        None, description="First and last θ1 of the resampled map, degree (default: the input's)."
    )
    theta2_range: tuple[float, float] | None = Field(
        None, description="First and last θ2 of the resampled map, degree (default: the input's)."
    )
    method: Literal["auto", "cuts", "delaunay"] = Field(
        "auto",
        description="Interpolation: 'cuts' (linear along and between cuts), 'delaunay' "
        "(scattered points, convex hull) or 'auto'.",
    )
    max_gap: float = Field(
        3.0,
        gt=1,
        description="Cuts method: NaN-intensity gaps wider than max_gap × the median θ1 "
        "spacing are holes in the cone, not bridged (dimensionless).",
    )
    mask_zeros: bool = Field(
        False,
        description="Treat intensities of exactly 0 as not measured (the La(O,F)BiS2 file pads "
        "the area outside the detector with zeros).",
    )
    photon_energy: float = Field(40.0, gt=0, description="Photon energy hν, eV.")
    work_function: float = Field(4.4, ge=0, description="Work function W of the analyser, eV.")
    binding_energy: float = Field(
        0.0, description="Binding energy E_B of the map, eV (0 = Fermi level)."
    )
    k_step: float | None = Field(
        None,
        gt=0,
        description="Step of the regular (kx, ky) grid, 1/angstrom (default: k0·√(Δθ1·Δθ2), "
        "steps in rad).",
    )
    jacobian: bool = Field(
        False,
        description="Multiply the k-space intensity by |∂(θ1,θ2)/∂(kx,ky)| in degree²·Å² "
        "(conserves the integrated counts).",
    )
    prominence: float = Field(
        0.2,
        gt=0,
        lt=1,
        description="Minimum MDC-peak prominence as a fraction of the cut's max − min "
        "(dimensionless).",
    )
    map_prominence: float = Field(
        0.1,
        ge=0,
        lt=1,
        description="Minimum MDC-peak prominence as a fraction of the whole map's max − min "
        "(dimensionless; 0: cut criterion only).",
    )
    smooth: float = Field(
        0.0,
        ge=0,
        description="Savitzky–Golay smoothing width along θ1 before the peak search, degree "
        "(0: none).",
    )
    max_peaks: int = Field(8, ge=1, le=64, description="MDC peaks kept per cut (dimensionless).")
    refine: Literal["parabola", "lorentzian", "none"] = Field(
        "parabola", description="Sub-grid refinement of the MDC peaks."
    )
    fit_window: float = Field(
        0.5,
        gt=0,
        le=5,
        description="Half-width of the refinement window as a fraction of the peak FWHM "
        "(dimensionless).",
    )

    @field_validator("theta1_range", "theta2_range")
    @classmethod
    def _increasing(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and not value[0] < value[1]:
            raise ValueError(f"must be (first, last) with first < last, got {value}")
        return value

    @model_validator(mode="after")
    def _positive_kinetic_energy(self) -> ArpesMapParams:
        kinetic = self.photon_energy - self.work_function - self.binding_energy
        if kinetic <= 0:
            raise ValueError(
                f"photon_energy - work_function - binding_energy = {kinetic:g} eV must be > 0"
            )
        return self


class ArpesMap(PropertyPlugin):
    """ARPES Fermi-surface map: resampled I(θ1, θ2), I(kx, ky) and MDC peak positions.

    See the module docstring for the formulas. Roles: ``theta1`` (angle along the analyser
    slit), ``theta2`` (angle between cuts) and ``intensity``.

    Tables
    ------
    ``angle_map``
        θ1, θ2 (degree), I (input unit, NaN outside the cone), kx, ky (1/angstrom); θ2 outer,
        θ1 inner.
    ``k_map``
        kx, ky (1/angstrom) on the regular k grid (ky outer), the angles θ1, θ2 (degree) they
        map to, and I (NaN outside the cone; with ``jacobian`` in input unit·degree²·Å²).
    ``mdc_peaks``
        θ2 (degree), peak index 0 … max_peaks − 1, θ1 (degree), kx, ky, |k| (1/angstrom) and
        the peak intensity; NaN where a cut has fewer peaks.

    Summaries
    ---------
    ``n_peaks``
        Total number of MDC peaks (before truncation to ``max_peaks``).
    ``k_peak_mean``
        Mean in-plane momentum |k∥| = √(kx² + ky²) of the MDC peaks, 1/angstrom: a
        Fermi-wavevector-like size of the contour seen from normal emission.
    ``k0``
        Photoelectron momentum 0.51232·√E_kin, 1/angstrom.
    """

    name = "arpes_map"
    description = (
        "ARPES I(theta1, theta2): resampled angle map, (kx, ky) Fermi-surface image, MDC peak "
        "positions"
    )
    requires = (
        Requirement("theta1", ("angle",), "emission angle along the analyser slit"),
        Requirement("theta2", ("angle",), "angle between cuts (deflector or tilt)"),
        Requirement(
            "intensity", ("intensity", "dimensionless"), "photoelectron intensity at the energy"
        ),
    )
    Params = ArpesMapParams

    @classmethod
    def example_table(cls) -> UnitTable:
        """A light synthetic La(O,F)BiS2-like map: 121 θ1 points × 31 cuts, seed 0."""
        from reanalyze.synthetic.arpes import ArpesFermiSurface

        return ArpesFermiSurface.lofbis2_like(n_theta1=121).scan(seed=0)

    # ------------------------------------------------------------------ compute
    def compute(self, table: UnitTable, params: Any) -> PropertyResult:
        p: ArpesMapParams = params
        theta1 = table.values("theta1", "degree")
        theta2 = table.values("theta2", "degree")
        intensity = table.values("intensity")
        unit = table.unit("intensity")
        kind = table.kind("intensity")
        if not (np.isfinite(theta1) & np.isfinite(theta2)).any():
            raise DataError("theta1/theta2: no finite angles")
        zeros = float(np.mean(intensity == 0))
        if p.mask_zeros:
            intensity = np.where(intensity == 0, np.nan, intensity)
        interp = build_interpolator(theta1, theta2, intensity, p.method, p.max_gap)
        grid1, grid2 = self._angle_grids(theta1, theta2, p)
        k0 = photoelectron_k0(p.photon_energy, p.work_function, p.binding_energy)

        mesh1, mesh2 = np.meshgrid(grid1, grid2)  # θ2 outer (rows), θ1 inner
        image = interp(mesh1.ravel(), mesh2.ravel()).reshape(mesh1.shape)
        kx, ky = angles_to_k(mesh1, mesh2, k0)
        angle_map = UnitTable(
            pd.DataFrame(
                {
                    "theta1": mesh1.ravel(),
                    "theta2": mesh2.ravel(),
                    "I": image.ravel(),
                    "kx": kx.ravel(),
                    "ky": ky.ravel(),
                }
            ),
            {
                "theta1": ("angle", "degree"),
                "theta2": ("angle", "degree"),
                "I": (kind, unit),
                "kx": ("wavevector", "1/angstrom"),
                "ky": ("wavevector", "1/angstrom"),
            },
            metadata={"shape": [grid2.size, grid1.size]},
        )
        k_map = self._k_map(interp, kx, ky, k0, p, unit, kind, grid1, grid2)
        peaks = find_mdc_peaks(
            grid1,
            image,
            prominence=p.prominence,
            map_prominence=p.map_prominence,
            smooth=p.smooth,
            max_peaks=p.max_peaks,
            refine=p.refine,
            fit_window=p.fit_window,
        )
        mdc = self._peak_table(peaks, grid2, k0, unit, kind)
        k_abs = mdc.values("k")
        finite = np.isfinite(k_abs)
        summary = {
            "n_peaks": Summary(
                float(peaks.n_found.sum()), "", description="MDC peaks found on all cuts"
            ),
            "k_peak_mean": Summary(
                float(np.mean(k_abs[finite])) if finite.any() else float("nan"),
                "1/angstrom",
                description="mean |k| = sqrt(kx^2 + ky^2) of the MDC peaks",
            ),
            "k0": Summary(
                k0, "1/angstrom", description="photoelectron momentum 0.51232 sqrt(E_kin)"
            ),
        }
        notes = [
            f"k0 = {k0:.5g} 1/angstrom from hν = {p.photon_energy:g} eV, W = "
            f"{p.work_function:g} eV, E_B = {p.binding_energy:g} eV; kx = k0 sinθ1, "
            "ky = k0 cosθ1 sinθ2",
            f"resampled onto {grid1.size} × {grid2.size} angles (θ1 step "
            f"{_step(grid1):.4g}°, θ2 step {_step(grid2):.4g}°) by linear interpolation; "
            f"{int(np.isnan(image).sum())} points outside the measured cone are NaN",
        ]
        truncated = int(np.sum(np.maximum(peaks.n_found - p.max_peaks, 0)))
        if truncated:
            notes.append(
                f"{truncated} weaker MDC peaks dropped: more than max_peaks={p.max_peaks} on a cut"
            )
        if zeros > 0.05:
            notes.append(
                f"{100 * zeros:.0f}% of the intensities are exactly 0 and are taken as "
                + (
                    "not measured (mask_zeros=true)"
                    if p.mask_zeros
                    else "measured; mask_zeros=true leaves them out of the cone"
                )
            )
        return PropertyResult(
            tables={"angle_map": angle_map, "k_map": k_map, "mdc_peaks": mdc},
            summary=summary,
            notes=notes,
        )

    @staticmethod
    def _angle_grids(
        theta1: FloatArray, theta2: FloatArray, p: ArpesMapParams
    ) -> tuple[FloatArray, FloatArray]:
        """The resampled θ1 and θ2 grids (degrees) from the coordinates and the parameters."""
        ok = np.isfinite(theta1) & np.isfinite(theta2)
        native1, native2 = _native_steps(theta1[ok], theta2[ok])
        step1 = p.theta1_step if p.theta1_step is not None else native1
        step2 = p.theta2_step if p.theta2_step is not None else native2
        range1 = p.theta1_range or (float(np.min(theta1[ok])), float(np.max(theta1[ok])))
        range2 = p.theta2_range or (float(np.min(theta2[ok])), float(np.max(theta2[ok])))
        if not np.isfinite(step1):
            raise DataError("theta1: fewer than two distinct angles along the cuts")
        if not np.isfinite(step2):
            if range2[0] != range2[1]:
                raise DataError("theta2: a single cut cannot be resampled over a θ2 range")
            step2 = 1.0
        n1 = math.floor((range1[1] - range1[0]) / step1) + 1
        n2 = math.floor((range2[1] - range2[0]) / step2) + 1
        if n1 * n2 > MAX_GRID_POINTS:
            raise PluginError(
                f"theta1_step/theta2_step: the angle grid would have {n1 * n2} points "
                f"(> {MAX_GRID_POINTS}); choose larger steps or smaller ranges"
            )
        return angle_grid(*range1, step1), angle_grid(*range2, step2)

    @staticmethod
    def _k_map(
        interp: Interpolator,
        kx: FloatArray,
        ky: FloatArray,
        k0: float,
        p: ArpesMapParams,
        unit: str,
        kind: str,
        grid1: FloatArray,
        grid2: FloatArray,
    ) -> UnitTable:
        """I on the regular (kx, ky) grid spanning the angle grid's momenta."""
        step = p.k_step
        if step is None:
            d1 = math.radians(_step(grid1)) if grid1.size > 1 else math.radians(1.0)
            d2 = math.radians(_step(grid2)) if grid2.size > 1 else d1
            step = k0 * math.sqrt(d1 * d2)
        nx = math.floor((kx.max() - kx.min()) / step) + 1
        ny = math.floor((ky.max() - ky.min()) / step) + 1
        if nx * ny > MAX_GRID_POINTS:
            raise PluginError(
                f"k_step: the k grid would have {nx * ny} points (> {MAX_GRID_POINTS}); "
                "choose a larger k_step"
            )
        gx = angle_grid(float(kx.min()), float(kx.max()), step)
        gy = angle_grid(float(ky.min()), float(ky.max()), step)
        mx, my = np.meshgrid(gx, gy)
        t1, t2 = angles_from_k(mx.ravel(), my.ravel(), k0)
        values = interp(t1, t2)
        i_unit, i_kind = unit, kind
        if p.jacobian:
            values = values * jacobian_angles_per_k(t1, t2, k0)
            base = unit if unit and unit.isidentifier() else f"({unit or 'dimensionless'})"
            i_unit, i_kind = f"{base}*degree**2*angstrom**2", "other"
        return UnitTable(
            pd.DataFrame(
                {"kx": mx.ravel(), "ky": my.ravel(), "theta1": t1, "theta2": t2, "I": values}
            ),
            {
                "kx": ("wavevector", "1/angstrom"),
                "ky": ("wavevector", "1/angstrom"),
                "theta1": ("angle", "degree"),
                "theta2": ("angle", "degree"),
                "I": (i_kind, i_unit),
            },
            metadata={"shape": [gy.size, gx.size], "jacobian": p.jacobian},
        )

    @staticmethod
    def _peak_table(
        peaks: MdcPeaks, grid2: FloatArray, k0: float, unit: str, kind: str
    ) -> UnitTable:
        """The NaN-padded ``mdc_peaks`` table: one row per (cut, peak index)."""
        n_cuts, max_peaks = peaks.theta1.shape
        theta2 = np.repeat(grid2, max_peaks)
        theta1 = peaks.theta1.ravel()
        kx, ky = angles_to_k(theta1, theta2, k0)
        return UnitTable(
            pd.DataFrame(
                {
                    "theta2": theta2,
                    "peak": np.tile(np.arange(max_peaks, dtype=np.float64), n_cuts),
                    "theta1": theta1,
                    "kx": kx,
                    "ky": ky,
                    "k": np.hypot(kx, ky),
                    "I": peaks.height.ravel(),
                }
            ),
            {
                "theta2": ("angle", "degree"),
                "peak": ("dimensionless", "dimensionless"),
                "theta1": ("angle", "degree"),
                "kx": ("wavevector", "1/angstrom"),
                "ky": ("wavevector", "1/angstrom"),
                "k": ("wavevector", "1/angstrom"),
                "I": (kind, unit),
            },
        )

    # ------------------------------------------------------------------ figures
    def convergence_curve(self, result: PropertyResult, params: Any) -> Curve | None:
        """The Fermi-surface intensity along ky through kx ≈ 0 (the k_map column nearest 0).

        Coarser θ2 steps (fewer cuts) blur this profile between the cuts; its maxima are the
        Fermi crossings along ky.
        """
        table = result.tables["k_map"]
        kx = table.values("kx")
        column = np.isclose(kx, kx[np.nanargmin(np.abs(kx))])
        ky = table.values("ky")[column]
        order = np.argsort(ky)
        std = std_column(table, "I")
        return Curve(
            x=ky[order],
            y=table.values("I")[column][order],
            x_name="ky",
            x_unit="1/angstrom",
            y_name="I(kx ≈ 0, ky)",
            y_unit=table.unit("I"),
            std=None if std is None else std[column][order],
        )

    def figures(self, result: PropertyResult, params: Any) -> dict[str, Any]:
        """``angle_map``, ``fermi_surface`` (k image with the MDC peaks) and ``mdc``."""
        return {
            "angle_map": _angle_figure(result),
            "fermi_surface": _fermi_surface_figure(result),
            "mdc": _mdc_figure(result),
        }


# ----------------------------------------------------------------------- figure helpers
def _step(grid: FloatArray) -> float:
    return float(grid[1] - grid[0]) if grid.size > 1 else float("nan")


def _image(table: UnitTable, x: str, y: str, z: str) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Grid axes and the (ny, nx) image of a table stored y outer, x inner."""
    ny, nx = table.metadata["shape"]
    xs = table.values(x)[:nx]
    ys = table.values(y)[::nx]
    return xs, ys, table.values(z).reshape(ny, nx)


def _label(name: str, unit: str) -> str:
    return f"{name} ({unit or 'dimensionless'})"


def _colorbar(fig: Any, mesh: Any, ax: Any, unit: str) -> None:
    """A colour bar labelled with the intensity and its unit."""
    bar = fig.colorbar(mesh, ax=ax)
    bar.ax.set_ylabel(_label("I", unit))


def _angle_figure(result: PropertyResult) -> Any:
    from matplotlib.figure import Figure

    table = result.tables["angle_map"]
    peaks = result.tables["mdc_peaks"]
    t1, t2, image = _image(table, "theta1", "theta2", "I")
    fig = Figure(figsize=(6.4, 4.8))
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(t1, t2, np.ma.masked_invalid(image), shading="auto", cmap="viridis")
    _colorbar(fig, mesh, ax, table.unit("I"))
    ax.plot(peaks.values("theta1"), peaks.values("theta2"), "r.", ms=3, label="MDC peaks")
    ax.set_xlabel("θ1 (degree)")
    ax.set_ylabel("θ2 (degree)")
    ax.set_title("resampled angle map (NaN outside the cone blank)")
    ax.legend(loc="upper right", fontsize="small")
    return fig


def _fermi_surface_figure(result: PropertyResult) -> Any:
    from matplotlib.figure import Figure

    table = result.tables["k_map"]
    peaks = result.tables["mdc_peaks"]
    kx, ky, image = _image(table, "kx", "ky", "I")
    fig = Figure(figsize=(6.4, 5.2))
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(kx, ky, np.ma.masked_invalid(image), shading="auto", cmap="viridis")
    _colorbar(fig, mesh, ax, table.unit("I"))
    xerr, yerr = std_column(peaks, "kx"), std_column(peaks, "ky")
    ax.errorbar(
        peaks.values("kx"),
        peaks.values("ky"),
        xerr=xerr,
        yerr=yerr,
        fmt="r.",
        ms=3,
        elinewidth=0.8,
        label="MDC peaks" + (" (± std)" if xerr is not None else ""),
    )
    ax.set_xlabel("kx (1/angstrom)")
    ax.set_ylabel("ky (1/angstrom)")
    ax.set_aspect("equal", adjustable="box")
    ax.set_title("Fermi-surface map in k space")
    ax.legend(loc="upper right", fontsize="small")
    return fig


def _mdc_figure(result: PropertyResult, n_curves: int = 5) -> Any:
    from matplotlib.figure import Figure

    table = result.tables["angle_map"]
    peaks = result.tables["mdc_peaks"]
    t1, t2, image = _image(table, "theta1", "theta2", "I")
    std = std_column(table, "I")
    std_image = std.reshape(image.shape) if std is not None else None
    rows = np.unique(np.linspace(0, t2.size - 1, min(n_curves, t2.size)).round().astype(int))
    finite = image[np.isfinite(image)]
    offset = float(np.ptp(finite)) * 0.6 if finite.size else 1.0
    fig = Figure(figsize=(6.4, 5.6))
    ax = fig.add_subplot()
    for j, row in enumerate(rows):
        shift = j * offset
        (line,) = ax.plot(t1, image[row] + shift, lw=0.8, label=f"θ2 = {t2[row]:.3g}°")
        if std_image is not None:
            ax.fill_between(
                t1,
                image[row] - std_image[row] + shift,
                image[row] + std_image[row] + shift,
                color=line.get_color(),
                alpha=0.3,
                lw=0,
            )
        here = np.isclose(peaks.values("theta2"), t2[row])
        ax.plot(
            peaks.values("theta1")[here],
            peaks.values("I")[here] + shift,
            "v",
            color=line.get_color(),
            ms=5,
        )
    ax.set_xlabel("θ1 (degree)")
    ax.set_ylabel(_label("I + offset", table.unit("I")))
    ax.set_title("MDCs with peaks (▼)" + (" and ± std band" if std_image is not None else ""))
    ax.legend(fontsize="small")
    return fig
