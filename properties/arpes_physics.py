r"""ARPES physics as pure numpy functions: photoelectron kinematics and MDC peak positions.

Angles in degrees, momenta in Å⁻¹, energies in eV; no tables or plugin parameters
(:class:`~reanalyze.properties.arpes.ArpesMap` resamples the measured map and calls these).
The geometry is that of :class:`reanalyze.synthetic.arpes.ArpesFermiSurface`: θ1 along the
analyser slit, θ2 a rotation of the sample about the axis along the slit, applied after θ1:

.. math::

    k_0 = c\sqrt{E_\mathrm{kin}},\quad E_\mathrm{kin} = h\nu - W - E_B,\quad
    k_x = k_0\sin\theta_1,\quad k_y = k_0\cos\theta_1\sin\theta_2,

with :math:`c = \sqrt{2 m_e\,\mathrm{eV}}/\hbar` (:data:`K_PER_SQRT_EV`).

* kinematics: :func:`photoelectron_k0`, :func:`angles_to_k`, :func:`angles_from_k` and the
  Jacobian :func:`jacobian_angles_per_k`;
* momentum distribution curves (MDCs): :func:`find_mdc_peaks` on a regular θ1 grid, refined
  below the grid spacing by a parabola or a :func:`lorentzian`.

Examples
--------
Normal emission at 40 eV photons, W = 4.4 eV, the Fermi level; θ1 = 30° gives kx = k0/2:

>>> k0 = photoelectron_k0(40.0, 4.4, 0.0)
>>> round(k0, 4), [round(float(k) / k0, 12) for k in angles_to_k(30.0, 0.0, k0)]
(3.0568, [0.5, 0.0])
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import constants
from scipy.optimize import curve_fit
from scipy.signal import find_peaks, peak_widths, savgol_filter

from reanalyze.arrays import FloatArray
from reanalyze.errors import PluginError

__all__ = [
    "K_PER_SQRT_EV",
    "MdcPeaks",
    "angles_from_k",
    "angles_to_k",
    "find_mdc_peaks",
    "jacobian_angles_per_k",
    "lorentzian",
    "photoelectron_k0",
]


#: √(2 m_e · 1 eV)/ħ in Å⁻¹ (≈ 0.512317): k = K_PER_SQRT_EV · √(E_kin / eV) · sin θ.
K_PER_SQRT_EV = math.sqrt(2 * constants.m_e * constants.eV) / constants.hbar * 1e-10


# ----------------------------------------------------------------------- kinematics
def photoelectron_k0(photon_energy: float, work_function: float, binding_energy: float) -> float:
    r"""Photoelectron momentum :math:`k_0 = 0.51232\sqrt{h\nu - W - E_B}`, Å⁻¹ (energies in eV).

    .. math:: k_0 = \frac{\sqrt{2 m_e E_\mathrm{kin}}}{\hbar},\qquad
        E_\mathrm{kin} = h\nu - W - E_B

    Parameters
    ----------
    photon_energy, work_function, binding_energy
        hν, W and E_B (0 at the Fermi level), eV.

    Raises
    ------
    PluginError
        The kinetic energy hν − W − E_B is not positive.

    Examples
    --------
    >>> round(photoelectron_k0(21.2, 4.2, 0.0) / math.sqrt(17.0), 5)
    0.51232
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

    Examples
    --------
    At θ1 = 0 the whole k0 cos θ1 sin θ2 lies along ky; |k| = k0 sin of the polar angle:

    >>> [round(float(k), 12) for k in angles_to_k(0.0, 30.0, 2.0)]
    [0.0, 1.0]
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

    Examples
    --------
    >>> theta1, theta2 = angles_from_k([1.0, 3.0], [0.0, 0.0], 2.0)
    >>> np.round(theta1, 9), theta2
    (array([30., nan]), array([ 0., nan]))
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

    .. math::

        \Big|\frac{\partial(\theta_1,\theta_2)}{\partial(k_x,k_y)}\Big|
            = \frac{1}{k_0^2\cos^2\theta_1\cos\theta_2}\quad(\mathrm{rad^2\,Å^2}),

    the inverse of the determinant of ∂(kx, ky)/∂(θ1, θ2) =
    [[k0 cos θ1, 0], [−k0 sin θ1 sin θ2, k0 cos θ1 cos θ2]], times (180/π)² deg²/rad².
    Angles in degrees, ``k0`` in Å⁻¹.

    Examples
    --------
    At normal emission it is 1/k0² rad²·Å²; at θ1 = 60° four times that:

    >>> j = jacobian_angles_per_k([0.0, 60.0], 0.0, 2.0) / np.degrees(1.0) ** 2
    >>> np.round(j, 12)
    array([0.25, 1.  ])
    """
    t1 = np.radians(np.asarray(theta1_deg, dtype=np.float64))
    t2 = np.radians(np.asarray(theta2_deg, dtype=np.float64))
    with np.errstate(divide="ignore"):
        per_rad2 = 1.0 / np.abs(k0**2 * np.cos(t1) ** 2 * np.cos(t2))
    return np.asarray(per_rad2 * np.degrees(1.0) ** 2, dtype=np.float64)


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


def lorentzian(x: FloatArray, amplitude: float, centre: float, hwhm: float, offset: float) -> Any:
    r"""Lorentzian MDC line shape on a constant background (units of x and of the intensity).

    .. math:: I(x) = \frac{A}{1 + ((x - x_0)/w)^2} + c

    with amplitude A, centre :math:`x_0`, half width at half maximum w and offset c.

    Examples
    --------
    >>> lorentzian(np.array([1.0, 3.0]), 2.0, 1.0, 2.0, 0.5)
    array([2.5, 1.5])
    """
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
                popt, _ = curve_fit(lorentzian, dx, ys, p0=guess, maxfev=2000)
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

    Examples
    --------
    One cut with a Lorentzian at θ1 = 1.3° between the 0.5° grid points:

    >>> theta1 = np.arange(-10.0, 10.01, 0.5)
    >>> cut = lorentzian(theta1, 1.0, 1.3, 2.0, 0.1)[None, :]
    >>> peaks = find_mdc_peaks(theta1, cut, refine="lorentzian", max_peaks=2)
    >>> np.round(peaks.theta1, 6), peaks.n_found
    (array([[1.3, nan]]), array([1]))
    """
    n_cuts = intensity.shape[0]
    theta = np.full((n_cuts, max_peaks), np.nan)
    height = np.full((n_cuts, max_peaks), np.nan)
    counts = np.zeros(n_cuts, dtype=np.int64)
    points = 0
    if smooth > 0 and theta1.size > 1:
        points = 2 * round(smooth / (2 * abs(float(theta1[1] - theta1[0])))) + 1
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
