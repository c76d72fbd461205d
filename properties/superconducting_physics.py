r"""Superconducting transport physics as pure numpy functions: Tc criteria and µ0Hc2(T) models.

Plain arrays in, plain numbers out — temperatures in K, fields µ0H in T, resistances in any
unit — with no tables or plugin parameters;
:class:`~reanalyze.properties.superconducting.SuperconductingTransport` groups the sweeps
and calls these.

* R(T) lines: :func:`group_fields`, :func:`smooth_resistance`, :func:`fit_normal` and
  :func:`crossing` (where R/R_n falls below a criterion);
* µ0Hc2(T) models: Ginzburg–Landau :func:`gl_hc2` and Werthamer–Helfand–Hohenberg
  :func:`whh_hc2` (:func:`whh_reduced_field`), with the fits :func:`fit_gl`,
  :func:`fit_slope`, :func:`fit_whh` and :func:`fit_hc2`;
* derived limits: :func:`pauli_limit`, :func:`maki_parameter` and
  :func:`gl_coherence_length`.

Examples
--------
The WHH curve at T = 0 is µ0Hc2(0) = 0.693·Tc·(−dµ0Hc2/dT)|Tc:

>>> round(float(whh_hc2(0.0, 10.0, 2.0)) / (10.0 * 2.0), 5)
0.69267
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.polynomial import Polynomial
from scipy import constants
from scipy.ndimage import median_filter
from scipy.optimize import OptimizeWarning, curve_fit, elementwise, least_squares
from scipy.signal import savgol_filter
from scipy.special import digamma

from reanalyze.arrays import FloatArray

__all__ = [
    "FLUX_QUANTUM",
    "PAULI_COEFFICIENT",
    "WHH_RATIO",
    "Hc2Fits",
    "crossing",
    "fit_gl",
    "fit_hc2",
    "fit_normal",
    "fit_slope",
    "fit_whh",
    "gl_coherence_length",
    "gl_hc2",
    "group_fields",
    "maki_parameter",
    "pauli_limit",
    "smooth_resistance",
    "whh_hc2",
    "whh_reduced_field",
]


#: WHH dirty-limit ratio µ0Hc2(0) / (Tc·(−dµ0Hc2/dT)|Tc) = π² e^(−γ) / 8 ≈ 0.6927 ("0.693").
WHH_RATIO: float = math.pi**2 * math.exp(-float(np.euler_gamma)) / 8
#: Clogston–Chandrasekhar (BCS) Pauli limit µ0H_P / Tc, T/K.
PAULI_COEFFICIENT: float = 1.84
#: Superconducting flux quantum Φ0 = h/2e, Wb (T·m²).
FLUX_QUANTUM: float = constants.h / (2 * constants.e)
#: Reduced WHH field h̄ at T = 0: e^(−γ)/2.
_HBAR_ZERO: float = math.exp(-float(np.euler_gamma)) / 2
_PSI_HALF: float = float(digamma(0.5))


# --------------------------------------------------------------------------- R(T) lines
def group_fields(field_t: FloatArray, tolerance: float) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """Group rows into lines by field set point.

    Sorted distinct fields whose gap is at most ``tolerance`` (T) form one group.

    Parameters
    ----------
    field_t
        µ0H of every row, T.
    tolerance
        Largest gap between sorted fields of one group, T.

    Returns
    -------
    labels, centers
        Group index of every row, and the median field of every group (T), ascending.

    Examples
    --------
    >>> group_fields(np.array([1.0, 0.0, 1.0004, 0.0, 0.9996]), 0.001)
    (array([1, 0, 1, 0, 1]), array([0., 1.]))
    """
    order = np.argsort(field_t, kind="stable")
    sorted_fields = field_t[order]
    starts = np.concatenate([[True], np.diff(sorted_fields) > tolerance])
    sorted_labels = np.cumsum(starts) - 1
    labels = np.empty_like(sorted_labels)
    labels[order] = sorted_labels
    centers = np.array(
        [np.median(sorted_fields[sorted_labels == k]) for k in range(sorted_labels[-1] + 1)]
    )
    return labels.astype(np.int64), centers


def smooth_resistance(
    T: FloatArray, R: FloatArray, window: float, order: int = 2, despike: bool = True
) -> FloatArray:
    """R of one line (sorted by T, K) despiked and Savitzky–Golay smoothed (unit of R).

    A 3-point running median (``despike``; it leaves monotonic data unchanged) is followed by
    :func:`scipy.signal.savgol_filter` of polynomial ``order`` over ``window`` K, which becomes
    an odd number of points from the median temperature step; ``window`` ≤ 0 or shorter than
    ``order + 2`` points means no smoothing. Polynomials up to ``order`` pass the
    Savitzky–Golay step unchanged.

    Examples
    --------
    >>> T = np.linspace(0.0, 10.0, 101)
    >>> bool(np.allclose(smooth_resistance(T, 2 * T + 1, window=1.0), 2 * T + 1))
    True
    """
    out = median_filter(R, size=3, mode="nearest") if despike and R.size >= 3 else R
    if window <= 0 or R.size < 3:
        return np.asarray(out, dtype=np.float64)
    step = float(np.median(np.diff(T)))
    if step <= 0:
        return np.asarray(out, dtype=np.float64)
    points = round(window / step)
    points = min(points, R.size)
    points -= 1 - points % 2  # odd
    if points < order + 2:
        return np.asarray(out, dtype=np.float64)
    return np.asarray(savgol_filter(out, points, order, mode="interp"), dtype=np.float64)


def crossing(T: FloatArray, excess: FloatArray, confirm: int = 3) -> float:
    r"""Temperature (K) where ``excess`` (value − level) first turns negative coming from high T.

    For a criterion f, ``excess`` = R/R_n − f and the crossing is :math:`T_c(f)`. Downward
    crossings are tried from the highest temperature down; one is accepted when the median of
    ``excess`` over the ``confirm`` points at and below it is negative (an isolated spike is
    rejected). The crossing is linearly interpolated between the bracketing points
    :math:`T_i, T_{i+1}`:

    .. math:: T_c = T_i + (T_{i+1} - T_i)\,\frac{-e_i}{e_{i+1} - e_i}

    Parameters
    ----------
    T
        Temperatures, K, increasing.
    excess
        Value minus level at each temperature (any unit).
    confirm
        Points at and below a crossing whose median must be below the level.

    Returns
    -------
    float
        The crossing, K; NaN when ``excess`` never falls below zero, or already is below
        zero at the highest temperature (no normal state above it).

    Examples
    --------
    A linear transition R/R_n = T/9 crosses f = 0.5 at T = 4.5 K:

    >>> T = np.arange(10.0)
    >>> crossing(T, T / 9 - 0.5)
    4.5
    """
    below = excess < 0
    valid = np.isfinite(excess)
    if not valid.all() or not below.any() or below[-1]:
        return math.nan
    candidates = np.flatnonzero(below[:-1] & ~below[1:])
    for i in candidates[::-1]:
        lo = max(0, i - confirm + 1)
        if np.median(excess[lo : i + 1]) < 0:
            d0, d1 = excess[i], excess[i + 1]
            return float(T[i] + (T[i + 1] - T[i]) * (-d0) / (d1 - d0))
    return math.nan


def fit_normal(T: FloatArray, R: FloatArray, model: str) -> Polynomial:
    r"""Least-squares normal-state resistance :math:`R_n(T)` as a polynomial (unit of R, T in K).

    .. math::

        R_n(T) = a + bT\ (``"linear"``),\qquad a + cT^2\ (``"quadratic"``),
        \qquad a\ (``"constant"``)

    Examples
    --------
    >>> T = np.array([10.0, 12.0, 14.0])
    >>> [round(float(c), 9) for c in fit_normal(T, 1.5 + 0.1 * T, "linear").coef]
    [1.5, 0.1]
    """
    powers = {"linear": (0, 1), "quadratic": (0, 2), "constant": (0,)}[model]
    design = np.column_stack([T**p for p in powers])
    coef, *_ = np.linalg.lstsq(design, R, rcond=None)
    full = np.zeros(max(powers) + 1)
    full[list(powers)] = coef
    return Polynomial(full)


# --------------------------------------------------------------------------- Hc2 models
def gl_hc2(T: npt.ArrayLike, hc2_zero: float, tc: float) -> FloatArray:
    r"""Ginzburg–Landau upper critical field, T; 0 above Tc.

    .. math:: \mu_0 H_{c2}(T) = \mu_0 H_{c2}(0)\,\frac{1 - t^2}{1 + t^2},\qquad t = T/T_c

    Parameters
    ----------
    T
        Temperatures, K.
    hc2_zero
        :math:`\mu_0 H_{c2}(0)`, T.
    tc
        :math:`T_c`, K.

    Examples
    --------
    Half of µ0Hc2(0) at t² = 1/3:

    >>> gl_hc2([0.0, 10.0 / np.sqrt(3), 10.0, 12.0], 5.0, 10.0)
    array([5. , 2.5, 0. , 0. ])
    """
    t = np.asarray(T, dtype=np.float64) / tc
    return np.where(t < 1, hc2_zero * (1 - t**2) / (1 + t**2), 0.0)


def _whh_residual(hbar: FloatArray, t: FloatArray) -> FloatArray:
    """ψ(½ + h̄/2t) − ψ(½) − ln(1/t), increasing in h̄, zero on the WHH curve."""
    return np.asarray(digamma(0.5 + hbar / (2 * t)) - _PSI_HALF + np.log(t), dtype=np.float64)


def whh_reduced_field(t: npt.ArrayLike) -> FloatArray:
    r"""WHH reduced field :math:`\bar h(t)` of the dirty limit without spin effects (α = λso = 0).

    .. math::

        \ln\frac{1}{t} = \psi\Big(\frac12 + \frac{\bar h}{2t}\Big) - \psi\Big(\frac12\Big),
        \qquad \bar h = \frac{4 H_{c2}}{\pi^2 T_c\,(-dH_{c2}/dT)|_{T_c}}

    :math:`\bar h = e^{-\gamma}/2` at t ≤ 0 and 0 at t ≥ 1; the root by
    :func:`scipy.optimize.elementwise.find_root`.

    Parameters
    ----------
    t
        Reduced temperature T/Tc, dimensionless.

    Returns
    -------
    numpy.ndarray
        :math:`\bar h`, dimensionless, the shape of ``t``.

    Examples
    --------
    >>> h = whh_reduced_field([0.0, 1.0])
    >>> round(float(h[0]), 6) == round(math.exp(-np.euler_gamma) / 2, 6), float(h[1])
    (True, 0.0)
    """
    tt = np.atleast_1d(np.asarray(t, dtype=np.float64))
    out = np.where(tt <= 0, _HBAR_ZERO, 0.0)
    inside = (tt > 0) & (tt < 1)
    if inside.any():
        ti = tt[inside]
        root = elementwise.find_root(
            _whh_residual, (np.zeros_like(ti), np.full_like(ti, _HBAR_ZERO)), args=(ti,)
        )
        out[inside] = root.x
    return out.reshape(np.shape(t))


def whh_hc2(T: npt.ArrayLike, tc: float, slope: float) -> FloatArray:
    r"""WHH µ0Hc2(T), T, for Tc (K) and ``slope`` = −dµ0Hc2/dT at Tc (T/K, positive).

    .. math:: \mu_0 H_{c2}(T) = \tfrac{\pi^2}{4}\,\bar h(T/T_c)\,T_c\,(-d\mu_0H_{c2}/dT)|_{T_c}

    with :math:`\bar h` from :func:`whh_reduced_field`; at T = 0 this is
    :data:`WHH_RATIO`·Tc·slope.

    Examples
    --------
    >>> bool(np.isclose(whh_hc2(0.0, 7.0, 1.5), WHH_RATIO * 7.0 * 1.5))
    True
    """
    t = np.asarray(T, dtype=np.float64) / tc
    return (math.pi**2 / 4) * whh_reduced_field(t) * tc * slope


@dataclass
class Hc2Fits:
    """Fits of µ0Hc2(T) (tesla, K, T/K)."""

    hc2_gl: float = math.nan
    tc_gl: float = math.nan
    slope: float = math.nan  # dµ0Hc2/dT at Tc (negative), T/K
    tc_slope: float = math.nan
    slope_fields: int = 0
    tc_whh: float = math.nan
    slope_whh: float = math.nan  # −dµ0Hc2/dT of the digamma fit (positive), T/K

    @property
    def hc2_whh_slope(self) -> float:
        """µ0Hc2(0) = −0.693·Tc·dµ0Hc2/dT|Tc, T."""
        return -WHH_RATIO * self.tc_slope * self.slope

    @property
    def hc2_whh(self) -> float:
        """µ0Hc2(0) of the WHH digamma fit, T."""
        return WHH_RATIO * self.tc_whh * self.slope_whh


def fit_gl(T: FloatArray, H: FloatArray) -> tuple[float, float]:
    """GL fit (:func:`gl_hc2`) of points (T in K, µ0H in T): (µ0Hc2(0) in T, Tc in K).

    By :func:`scipy.optimize.curve_fit`; NaN when fewer than 2 points or one field.

    Examples
    --------
    >>> T = np.array([2.0, 4.0, 6.0])
    >>> [round(v, 6) for v in fit_gl(T, gl_hc2(T, 3.0, 8.0))]
    [3.0, 8.0]
    """
    if T.size < 2 or np.ptp(H) <= 0:
        return math.nan, math.nan
    tc0 = float(T[np.argmin(H)]) if H.min() == 0 else float(T.max()) * 1.05

    def model(x: FloatArray, h0: float, tc: float) -> FloatArray:
        t = x / tc
        return np.asarray(h0 * (1 - t**2) / (1 + t**2), dtype=np.float64)

    try:
        with warnings.catch_warnings():  # two points: no covariance, which is not used
            warnings.simplefilter("ignore", OptimizeWarning)
            (h0, tc), _ = curve_fit(
                model, T, H, p0=(2 * float(H.max()), tc0), bounds=([0, 0], [np.inf, np.inf])
            )
    except (RuntimeError, ValueError):
        return math.nan, math.nan
    return float(h0), float(tc)


def fit_slope(T: FloatArray, H: FloatArray, field_max: float) -> tuple[float, float, int]:
    """Linear fit T = Tc + µ0H/(dµ0Hc2/dT) over µ0H ≤ ``field_max`` (T).

    At least the two lowest fields are used.

    Returns
    -------
    slope, tc, points
        dµ0Hc2/dT in T/K (negative), Tc in K (the zero-field intercept) and the number of
        points used; NaN slope and Tc for a non-negative slope or one field.

    Examples
    --------
    >>> slope, tc, points = fit_slope(np.array([9.0, 8.0, 7.0]), np.array([0.5, 1.0, 1.5]), 10.0)
    >>> round(slope, 9), round(tc, 9), points
    (-0.5, 10.0, 3)
    """
    fields = H
    order = np.argsort(fields)
    count = max(2, int(np.sum(fields <= field_max)))
    use = order[:count]
    if use.size < 2 or np.ptp(H[use]) <= 0:
        return math.nan, math.nan, int(use.size)
    inverse_slope, tc = np.polynomial.polynomial.polyfit(H[use], T[use], 1)[::-1]
    if inverse_slope >= 0:
        return math.nan, math.nan, int(use.size)
    return float(1 / inverse_slope), float(tc), int(use.size)


def fit_whh(T: FloatArray, H: FloatArray, tc0: float, slope0: float) -> tuple[float, float]:
    """WHH digamma fit (:func:`whh_hc2`, Tc and −dµ0Hc2/dT free) of points (K, T).

    By :func:`scipy.optimize.least_squares` from the start (``tc0`` K, ``slope0`` T/K).

    Returns
    -------
    tc, slope
        Tc in K and −dµ0Hc2/dT|Tc in T/K; NaN when the fit fails or the start is invalid.

    Examples
    --------
    >>> T = np.array([1.0, 3.0, 5.0, 6.0])
    >>> [round(v, 5) for v in fit_whh(T, whh_hc2(T, 7.0, 1.5), 6.0, 1.0)]
    [7.0, 1.5]
    """
    if T.size < 2 or not (math.isfinite(tc0) and math.isfinite(slope0)) or slope0 <= 0:
        return math.nan, math.nan

    def residual(x: FloatArray) -> FloatArray:
        return whh_hc2(T, x[0], x[1]) - H

    try:
        fit = least_squares(
            residual, x0=[tc0, slope0], bounds=([1e-6, 1e-9], [np.inf, np.inf]), x_scale="jac"
        )
    except ValueError:
        return math.nan, math.nan
    if not fit.success:
        return math.nan, math.nan
    return float(fit.x[0]), float(fit.x[1])


def fit_hc2(T: FloatArray, H: FloatArray, slope_field_max: float | None = None) -> Hc2Fits:
    """GL, WHH-slope and WHH-digamma fits of µ0Hc2(T) points (T in K, µ0H in T).

    Non-finite points are left out and fields taken as |µ0H|. The slope fit uses fields up
    to ``slope_field_max`` (T; None: 0.25 × the GL µ0Hc2(0)); the digamma fit starts from the
    GL fit (or the slope fit when the GL fit failed).

    Examples
    --------
    >>> T = np.array([7.0, 6.0, 4.0, 2.0])
    >>> fits = fit_hc2(T, gl_hc2(T, 4.0, 7.0))
    >>> round(fits.hc2_gl, 6), round(fits.tc_gl, 6), fits.slope_fields
    (4.0, 7.0, 2)
    """
    keep = np.isfinite(T) & np.isfinite(H)
    T, H = T[keep], np.abs(H[keep])
    fits = Hc2Fits()
    fits.hc2_gl, fits.tc_gl = fit_gl(T, H)
    field_max = slope_field_max
    if field_max is None:
        field_max = 0.25 * fits.hc2_gl if math.isfinite(fits.hc2_gl) else math.inf
    fits.slope, fits.tc_slope, fits.slope_fields = fit_slope(T, H, field_max)
    if math.isfinite(fits.tc_gl) and fits.tc_gl > 0:
        start = (fits.tc_gl, fits.hc2_gl / fits.tc_gl)
    else:
        start = (fits.tc_slope, -fits.slope)
    fits.tc_whh, fits.slope_whh = fit_whh(T, H, *start)
    return fits


# --------------------------------------------------------------------------- derived limits
def pauli_limit(tc: float) -> float:
    r"""Clogston–Chandrasekhar Pauli limit :math:`\mu_0 H_P = 1.84\,\mathrm{T/K}\cdot T_c`, T.

    Examples
    --------
    >>> pauli_limit(10.0)
    18.400000000000002
    """
    return PAULI_COEFFICIENT * tc


def maki_parameter(hc2_orbital: float, h_pauli: float) -> float:
    r"""Maki parameter :math:`\alpha = \sqrt2\,H_{c2}^{orb}(0)/H_P` (dimensionless; NaN if H_P ≤ 0).

    Parameters
    ----------
    hc2_orbital
        Orbital limit µ0Hc2(0), T (e.g. the WHH slope formula).
    h_pauli
        Pauli limit µ0H_P, T.

    Examples
    --------
    >>> round(maki_parameter(1.0, math.sqrt(2)), 12)
    1.0
    """
    return math.sqrt(2) * hc2_orbital / h_pauli if h_pauli > 0 else math.nan


def gl_coherence_length(hc2_zero: float) -> float:
    r"""GL coherence length :math:`\xi(0) = \sqrt{\Phi_0/(2\pi\mu_0H_{c2}(0))}`, m.

    :math:`\Phi_0 = h/2e` (:data:`FLUX_QUANTUM`); ``hc2_zero`` in T; NaN when it is ≤ 0.

    Examples
    --------
    At :math:`\mu_0H_{c2}(0) = \Phi_0/(2\pi\,(10\,\mathrm{nm})^2)`, ξ(0) = 10 nm:

    >>> round(gl_coherence_length(FLUX_QUANTUM / (2 * math.pi * 1e-16)) * 1e9, 9)
    10.0
    """
    return math.sqrt(FLUX_QUANTUM / (2 * math.pi * hc2_zero)) if hc2_zero > 0 else math.nan
