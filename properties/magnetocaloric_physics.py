r"""Magnetocaloric physics as pure numpy functions: Maxwell relation, figures of merit, order.

The functions take plain arrays on a regular grid — temperatures :math:`T_j` in K, fields
:math:`\mu_0 H_i` in T (increasing), magnetization :math:`M(H_i, T_j)` in any unit — and know
nothing of tables, units or plugins; :class:`~reanalyze.properties.magnetocaloric.
MagnetocaloricEffect` grids measured data, converts units and calls them.

* :func:`maxwell_entropy_change`: :math:`\Delta S_M(T, H) = \mu_0 \int_{H_0}^{H}
  (\partial M/\partial T)_{H'}\,dH'` for every field of the grid as the upper field;
* :func:`figures_of_merit`: peak, FWHM, RCP, RC and TEC of one :math:`|\Delta S_M|(T)` curve;
* :func:`field_exponent`: :math:`n = d\ln|\Delta S_M| / d\ln\Delta H`;
* :func:`arrott_banerjee`: Arrott isotherms :math:`M^2` vs :math:`H/M` and the Banerjee
  criterion.

With M in A/m and µ0H in T, :math:`\Delta S_M` is in J/(m³·K) (T·A/m = J/m³); with M in
emu/g it is in emu·T/(g·K) = J/(kg·K) (1 emu·T = 10⁻³ J).

Examples
--------
A paramagnet with M = C·µ0H/T (Curie law) has :math:`\Delta S_M(0 \to H) =
-C(\mu_0H)^2/(2T^2)`:

>>> import numpy as np
>>> T = np.linspace(10.0, 20.0, 201)
>>> H = np.linspace(0.0, 2.0, 5)
>>> change = maxwell_entropy_change(T, H, 3.0 * H[:, None] / T)
>>> exact = -3.0 * H[-1] ** 2 / (2 * T**2)
>>> bool(np.allclose(change.delta_s[-1], exact, rtol=1e-3))
True
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.integrate import cumulative_trapezoid
from scipy.optimize import minimize_scalar

from reanalyze.arrays import BoolArray, FloatArray

__all__ = [
    "EntropyChange",
    "PeakFiguresOfMerit",
    "arrott_banerjee",
    "field_exponent",
    "figures_of_merit",
    "interpolate_line",
    "maxwell_entropy_change",
    "merge_duplicates",
    "significant",
    "temperature_averaged_entropy_change",
]


LowField = Literal["lowest", "constant", "zero"]


# ----------------------------------------------------------------------------- gridding
def merge_duplicates(temperature: FloatArray, moment: FloatArray) -> tuple[FloatArray, FloatArray]:
    """One M(T) line sorted in T, M averaged over equal temperatures (NaN M ignored).

    Parameters
    ----------
    temperature
        Temperatures of the line's points, K, any order.
    moment
        Magnetization at those points, any unit (NaN: not measured).

    Returns
    -------
    temperature, moment
        The distinct temperatures (K, increasing) and the mean M at each (NaN where all of
        its points are NaN).

    Examples
    --------
    >>> merge_duplicates(np.array([2.0, 1.0, 2.0]), np.array([3.0, 1.0, 5.0]))
    (array([1., 2.]), array([1., 4.]))
    """
    unique, inverse = np.unique(temperature, return_inverse=True)
    finite = np.isfinite(moment)
    sums = np.bincount(inverse, weights=np.where(finite, moment, 0.0), minlength=unique.size)
    counts = np.bincount(inverse, weights=finite.astype(float), minlength=unique.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / counts
    return unique, np.where(counts > 0, mean, np.nan)


def interpolate_line(temperature: FloatArray, moment: FloatArray, grid: FloatArray) -> FloatArray:
    """Linear interpolation of one M(T) line onto ``grid`` (K); all NaN if < 2 finite points.

    Examples
    --------
    >>> interpolate_line(np.array([0.0, 2.0]), np.array([1.0, 3.0]), np.array([0.5, 1.0]))
    array([1.5, 2. ])
    """
    finite = np.isfinite(moment)
    if finite.sum() < 2:
        return np.full(grid.size, np.nan)
    return np.interp(grid, temperature[finite], moment[finite])


# ----------------------------------------------------------------------------- Maxwell relation
@dataclass(frozen=True)
class EntropyChange:
    """ΔS_M for each field change of a grid (result of :func:`maxwell_entropy_change`).

    Attributes
    ----------
    upper
        Upper field µ0H of each field change, T, shape ``(n_c,)``.
    delta_h
        Reported field change µ0ΔH, T, shape ``(n_c,)``.
    delta_s
        ΔS_M(T) per field change, shape ``(n_c, n_T)``, in (unit of M)·T/K, sign kept
        (negative for a ferromagnet).
    """

    upper: FloatArray
    delta_h: FloatArray
    delta_s: FloatArray


def maxwell_entropy_change(
    temperature: FloatArray,
    field: FloatArray,
    magnetization: FloatArray,
    low_field: LowField = "lowest",
) -> EntropyChange:
    r"""Magnetic entropy change by the Maxwell relation, every grid field as the upper field.

    .. math::

        \Delta S_M(T, H) = \mu_0 \int_{H_0}^{H} \Big(\frac{\partial M}{\partial T}\Big)_{H'}
            dH' \approx \mu_0 \sum_{k=1}^{i} \frac{H_k - H_{k-1}}{2}
            \Big[\frac{\partial M}{\partial T}(T_j, H_{k-1})
                 + \frac{\partial M}{\partial T}(T_j, H_k)\Big]

    (:math:`(\partial S/\partial H)_T = \mu_0 (\partial M/\partial T)_H`), with
    :math:`\partial M/\partial T` from :func:`numpy.gradient` (second order, also at the ends)
    along T and the trapezoid rule in H.

    Parameters
    ----------
    temperature
        Common temperature grid :math:`T_j`, K, increasing, shape ``(n_T,)``, ``n_T ≥ 3``.
    field
        Fields :math:`\mu_0 H_i`, T, increasing, ``≥ 0``, shape ``(n_H,)``, ``n_H ≥ 2``.
    magnetization
        :math:`M(H_i, T_j)`, shape ``(n_H, n_T)``, any unit.
    low_field
        The low-field end when ``field[0]`` = :math:`H_\mathrm{min} > 0` (with
        :math:`H_\mathrm{min} = 0` all coincide: integrate from zero field):

        * ``"lowest"``: integrate from :math:`H_\mathrm{min}`; field change
          :math:`\mu_0(H - H_\mathrm{min})`, one per field above :math:`H_\mathrm{min}`;
        * ``"constant"``: :math:`\partial M/\partial T` on :math:`[0, H_\mathrm{min}]` equal
          to its value at :math:`H_\mathrm{min}`, i.e. add :math:`\mu_0 H_\mathrm{min}\,
          \partial M/\partial T|_{H_\mathrm{min}}`; field change :math:`\mu_0 H`;
        * ``"zero"``: prepend M = 0 at H = 0 (adds half of the ``"constant"`` term); field
          change :math:`\mu_0 H`.

    Returns
    -------
    EntropyChange
        ``delta_s`` in (unit of M)·T/K: multiply by the unit factor (e.g. 1 for emu/g → J/(kg·K)).

    Examples
    --------
    M = a·µ0H·(T₀ − T) has ∂M/∂T = −a·µ0H, so ΔS_M(0 → H) = −a(µ0H)²/2 exactly:

    >>> T = np.linspace(10.0, 20.0, 11)
    >>> H = np.array([0.0, 1.0, 2.0])
    >>> change = maxwell_entropy_change(T, H, 0.5 * H[:, None] * (30.0 - T))
    >>> change.delta_h, change.delta_s[:, 0]
    (array([1., 2.]), array([-0.25, -1.  ]))
    """
    d_m: FloatArray = np.asarray(
        np.gradient(magnetization, temperature, axis=1, edge_order=2), dtype=np.float64
    )
    h_min = float(field[0])
    if h_min == 0.0:
        integral = cumulative_trapezoid(d_m, field, axis=0, initial=0.0)
        return EntropyChange(field[1:], field[1:], integral[1:])
    if low_field == "lowest":
        integral = cumulative_trapezoid(d_m, field, axis=0, initial=0.0)
        return EntropyChange(field[1:], field[1:] - h_min, integral[1:])
    if low_field == "constant":
        integral = cumulative_trapezoid(d_m, field, axis=0, initial=0.0) + h_min * d_m[0]
        return EntropyChange(field, field.copy(), integral)
    padded = np.vstack([np.zeros((1, d_m.shape[1])), d_m])  # ∂(M = 0)/∂T = 0
    integral = cumulative_trapezoid(padded, np.concatenate([[0.0], field]), axis=0)
    return EntropyChange(field, field.copy(), integral)


# ----------------------------------------------------------------------------- figures of merit
@dataclass(frozen=True)
class PeakFiguresOfMerit:
    r"""Figures of merit of one |ΔS_M|(T) curve (NaN where undetermined).

    Attributes
    ----------
    height
        :math:`|\Delta S_M|_\mathrm{max}`, unit of the curve.
    t_peak
        Temperature of the maximum, K.
    fwhm
        Full width at half maximum :math:`\delta T_\mathrm{FWHM}`, K.
    rcp
        Relative cooling power height·fwhm, unit of the curve·K.
    rc
        Refrigerant capacity, unit of the curve·K.
    tec
        TEC(ΔT) for each requested ΔT, unit of the curve.
    """

    height: float
    t_peak: float
    fwhm: float
    rcp: float
    rc: float
    tec: tuple[float, ...]


def figures_of_merit(
    temperature: FloatArray, y: FloatArray, tec_widths: list[float]
) -> PeakFiguresOfMerit:
    r"""Peak, FWHM, RCP, RC and TEC of one :math:`y = |\Delta S_M|(T)` curve.

    The maximum is the vertex of the parabola through the largest grid value and its
    neighbours; the half-maximum crossings are linearly interpolated (NaN when one lies
    outside the grid), and

    .. math::

        \mathrm{RCP} = |\Delta S_M|_\mathrm{max}\,\delta T_\mathrm{FWHM},\qquad
        \mathrm{RC} = \int_{T_1}^{T_2} |\Delta S_M|\,dT

    over the FWHM :math:`[T_1, T_2]` (of the linear interpolant); TEC as in
    :func:`temperature_averaged_entropy_change`.

    Parameters
    ----------
    temperature
        Temperature grid, K, increasing.
    y
        :math:`|\Delta S_M|` on the grid (≥ 0), any unit.
    tec_widths
        Windows ΔT of the TEC values, K.

    Examples
    --------
    A triangle of height 1 and half-width 5 K at 20 K: FWHM 5 K, RCP 5, RC 3.75 K, TEC(2 K)
    0.9:

    >>> T = np.linspace(10.0, 30.0, 41)
    >>> q = figures_of_merit(T, np.maximum(0.0, 1 - np.abs(T - 20) / 5), [2.0])
    >>> [round(v, 9) for v in (q.height, q.t_peak, q.fwhm, q.rcp, q.rc, q.tec[0])]
    [1.0, 20.0, 5.0, 5.0, 3.75, 0.9]
    """
    tec = tuple(temperature_averaged_entropy_change(temperature, y, w) for w in tec_widths)
    if not np.isfinite(y).any() or np.nanmax(y) <= 0:
        return PeakFiguresOfMerit(np.nan, np.nan, np.nan, np.nan, np.nan, tec)
    k = int(np.nanargmax(y))
    height, t_peak = _parabola_peak(temperature, y, k)
    left = _half_crossing(temperature, y, k, height / 2, -1)
    right = _half_crossing(temperature, y, k, height / 2, +1)
    fwhm = right - left
    rc = _integral(temperature, y, left, right) if np.isfinite(fwhm) else np.nan
    return PeakFiguresOfMerit(height, t_peak, fwhm, height * fwhm, rc, tec)


def _parabola_peak(temperature: FloatArray, y: FloatArray, k: int) -> tuple[float, float]:
    """Vertex of the parabola through the grid maximum and its neighbours."""
    if k == 0 or k == y.size - 1 or not np.all(np.isfinite(y[k - 1 : k + 2])):
        return float(y[k]), float(temperature[k])
    x = temperature[k - 1 : k + 2] - temperature[k]
    coefficients = np.polynomial.polynomial.polyfit(x, y[k - 1 : k + 2], 2)
    c0, c1, c2 = (float(c) for c in coefficients)
    if c2 >= 0:
        return float(y[k]), float(temperature[k])
    shift = -c1 / (2 * c2)
    return float(c0 - c1**2 / (4 * c2)), float(temperature[k] + shift)


def _half_crossing(
    temperature: FloatArray, y: FloatArray, k: int, half: float, direction: int
) -> float:
    """Temperature where y falls to ``half`` walking from index ``k`` (NaN if it never does)."""
    i = k
    while 0 <= i + direction < y.size:
        j = i + direction
        if not np.isfinite(y[j]):
            return np.nan
        if y[j] < half:
            fraction = (y[i] - half) / (y[i] - y[j])
            return float(temperature[i] + fraction * (temperature[j] - temperature[i]))
        i = j
    return np.nan


def _antiderivative(temperature: FloatArray, y: FloatArray, t: FloatArray) -> FloatArray:
    """∫ from temperature[0] to t of the linear interpolant of y (t inside the grid)."""
    cumulative = cumulative_trapezoid(y, temperature, initial=0.0)
    k = np.clip(np.searchsorted(temperature, t, side="right") - 1, 0, temperature.size - 2)
    y_t = np.interp(t, temperature, y)
    return np.asarray(cumulative[k] + (t - temperature[k]) * (y[k] + y_t) / 2, dtype=np.float64)


def _integral(temperature: FloatArray, y: FloatArray, low: float, high: float) -> float:
    """∫_low^high of the linear interpolant of y."""
    bounds = _antiderivative(temperature, y, np.array([low, high]))
    return float(bounds[1] - bounds[0])


def temperature_averaged_entropy_change(
    temperature: FloatArray, y: FloatArray, width: float
) -> float:
    r"""TEC(ΔT): the largest mean of :math:`|\Delta S_M|` over a window ΔT = ``width`` K.

    .. math::

        \mathrm{TEC}(\Delta T) = \max_{T_\mathrm{mid}} \frac{1}{\Delta T}
            \int_{T_\mathrm{mid} - \Delta T/2}^{T_\mathrm{mid} + \Delta T/2}
            |\Delta S_M|\,dT

    (Griffith et al., J. Appl. Phys. 123, 034902 (2018)), of the linear interpolant of ``y``
    on ``temperature`` (K); NaN when ``y`` has a NaN or the window is wider than the grid.
    Unit of ``y``.

    Examples
    --------
    On a linear ramp y = T the best window is the last one, mean = its centre:

    >>> T = np.linspace(0.0, 10.0, 11)
    >>> round(temperature_averaged_entropy_change(T, T, 4.0), 9)
    8.0
    """
    low, high = temperature[0] + width / 2, temperature[-1] - width / 2
    if not np.all(np.isfinite(y)) or high < low:
        return np.nan

    def mean(mid: FloatArray) -> FloatArray:
        bounds = _antiderivative(temperature, y, np.concatenate([mid - width / 2, mid + width / 2]))
        return (bounds[mid.size :] - bounds[: mid.size]) / width

    step = float(np.min(np.diff(temperature)))
    mids = np.linspace(low, high, max(int((high - low) / step * 10) + 1, 2))
    values = mean(mids)
    best = int(np.argmax(values))
    a, b = mids[max(best - 1, 0)], mids[min(best + 1, mids.size - 1)]
    if b > a:
        found = minimize_scalar(
            lambda m: -float(mean(np.array([m]))[0]), bounds=(a, b), method="bounded"
        )
        return float(max(values[best], -found.fun))
    return float(values[best])


# ----------------------------------------------------------------------------- field exponent
def field_exponent(delta_h: FloatArray, delta_s: FloatArray) -> FloatArray:
    r"""Local field exponent :math:`n(T, \Delta H) = d\ln|\Delta S_M| / d\ln \Delta H`.

    By :func:`numpy.gradient` on :math:`\ln\Delta H` over the field changes with
    :math:`\Delta H > 0` (second order with 3 or more, first order with 2). Mean field: n = 1
    well below :math:`T_C`, 2/3 at :math:`T_C`, 2 in the paramagnetic state; n > 2 is the
    signature of a first-order transition (Law et al., Nat. Commun. 9, 2680 (2018)).

    Parameters
    ----------
    delta_h
        Field changes µ0ΔH, T, shape ``(n_c,)``.
    delta_s
        ΔS_M, shape ``(n_c, n_T)``, any unit.

    Returns
    -------
    numpy.ndarray
        n, dimensionless, shape ``(n_c, n_T)``; NaN where undefined (ΔH ≤ 0, ΔS_M = 0, or
        fewer than 2 positive field changes).

    Examples
    --------
    A power law ΔS_M = −c·ΔHⁿ gives n exactly:

    >>> dh = np.array([1.0, 2.0, 4.0])
    >>> field_exponent(dh, -0.3 * dh[:, None] ** np.array([2 / 3, 2.0]))
    array([[0.66666667, 2.        ],
           [0.66666667, 2.        ],
           [0.66666667, 2.        ]])
    """
    n = np.full(delta_s.shape, np.nan)
    positive = delta_h > 0
    if positive.sum() < 2:
        return n
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(np.abs(delta_s[positive]))
        log_s[~np.isfinite(log_s)] = np.nan
        log_h = np.log(delta_h[positive])
        if positive.sum() >= 3:
            n[positive] = np.gradient(log_s, log_h, axis=0, edge_order=2)
        else:
            n[positive] = np.gradient(log_s, log_h, axis=0, edge_order=1)
    n[~np.isfinite(n)] = np.nan
    return n


def significant(delta_s: FloatArray, fraction: float) -> BoolArray:
    """Where |ΔS_M| is at least ``fraction`` (dimensionless) of its largest value overall.

    Examples
    --------
    >>> significant(np.array([[-1.0, -0.05], [-2.0, np.nan]]), 0.1)
    array([[ True, False],
           [ True, False]])
    """
    size = np.abs(delta_s)
    if not np.isfinite(size).any():
        return np.zeros(size.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        return np.asarray(size >= fraction * np.nanmax(size), dtype=bool)


# ----------------------------------------------------------------------------- Arrott/Banerjee
def arrott_banerjee(
    field: FloatArray, magnetization: FloatArray, tolerance: float
) -> tuple[FloatArray, FloatArray, BoolArray]:
    r"""Arrott isotherms :math:`M^2` vs :math:`H/M` and the Banerjee order criterion.

    Mean field (:math:`H = aM + bM^3`) makes the isotherms straight lines
    :math:`M^2 = (H/M - a)/b`; a negative slope (:math:`b < 0`) means a first-order
    transition (Banerjee, Phys. Lett. 12, 16 (1964)). A segment counts as negative only if
    both :math:`|\Delta(M^2)|` and :math:`|\Delta(H/M)|` exceed ``tolerance`` times the
    isotherm's largest value, so that noise on a saturated or a paramagnetic isotherm does
    not fake one.

    Parameters
    ----------
    field
        H of the rows, increasing, shape ``(n_H,)``, any unit (e.g. Oe).
    magnetization
        M, shape ``(n_H, n_T)``, any unit; M ≤ 0 is left out (NaN).
    tolerance
        Relative size of a counted segment, dimensionless.

    Returns
    -------
    m2, h_over_m, negative
        :math:`M^2` and :math:`H/M`, shape ``(n_H, n_T)`` (units M² and field/M), and per
        isotherm (shape ``(n_T,)``) whether it has a negative slope.

    Examples
    --------
    Mean field with a = b = 1 (slope 1/b = 1) and a metamagnetic jump (negative slope):

    >>> h = np.array([2.0, 10.0, 30.0])
    >>> m = np.array([[1.0, 1.0], [2.0, 20.0], [3.0, 25.0]])
    >>> m2, h_over_m, negative = arrott_banerjee(h, m, 0.02)
    >>> np.diff(m2[:, 0]) / np.diff(h_over_m[:, 0]), negative
    (array([1., 1.]), array([False,  True]))
    """
    m = np.where(magnetization > 0, magnetization, np.nan)
    m2 = m**2
    h_over_m = field[:, None] / m
    d_x = np.diff(h_over_m, axis=0)
    d_y = np.diff(m2, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        big_x = np.abs(d_x) > tolerance * np.nanmax(np.abs(h_over_m), axis=0)
        big_y = np.abs(d_y) > tolerance * np.nanmax(m2, axis=0)
    negative = (d_x * d_y < 0) & big_x & big_y
    return m2, h_over_m, negative.any(axis=0)
