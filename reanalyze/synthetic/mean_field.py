r"""The mean-field magnet under the Bean–Rodbell model: Brillouin functions and the
equation of state with its metastable branches.

Pure numpy/scipy functions of reduced variables (:math:`x = g J μ_B B_{eff} / k_B T`,
:math:`σ = M / M_s`, :math:`τ = T / T_0`, :math:`b = μ_B B / k_B T_0`);
:class:`~reanalyze.synthetic.bean_rodbell.BeanRodbellMagnet` wraps them into a generator of
M(T, H) scans with exact entropies.

Examples
--------
>>> float(brillouin(1e-8, 0.5)) < 1e-7, round(float(brillouin(50.0, 0.5)), 6)
(True, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from scipy.interpolate import CubicSpline
from scipy.optimize import brentq

from reanalyze.arrays import FloatArray

__all__ = [
    "EQUILIBRIUM",
    "LOW",
    "UP",
    "MeanFieldEquation",
    "brillouin",
    "brillouin_entropy",
    "brillouin_log_partition",
]

_SMALL_X = 1e-2  # below this |x|, Brillouin functions use their Taylor series
LOW, UP, EQUILIBRIUM = -1, 1, 0


# --------------------------------------------------------------------------- Brillouin
def _coefficients(J: float) -> tuple[float, float, float, float, float]:
    """``A = (2J+1)/(2J)``, ``B = 1/(2J)`` and Taylor coefficients c1, c3, c5 of B_J."""
    a = (2 * J + 1) / (2 * J)
    b = 1 / (2 * J)
    c1 = (a**2 - b**2) / 3
    c3 = (a**4 - b**4) / 45
    c5 = 2 * (a**6 - b**6) / 945
    return a, b, c1, c3, c5


def _brillouin_and_derivatives(
    x: FloatArray, J: float, second: bool = False
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """B_J(x), B_J'(x) and (if ``second``) B_J''(x) for x ≥ 0.

    Taylor series below ``_SMALL_X``, elsewhere closed forms in ``e = exp(-2y)``:
    coth y = (1 + e)/(1 - e) and csch² y = 4e/(1 - e)², which never overflow.
    """
    a, b, c1, c3, c5 = _coefficients(J)
    small = x < _SMALL_X
    xs = np.where(small, 1.0, x)
    ea, eb = np.exp(-2 * a * xs), np.exp(-2 * b * xs)
    ma, mb = -np.expm1(-2 * a * xs), -np.expm1(-2 * b * xs)
    cotha, cothb = (1 + ea) / ma, (1 + eb) / mb
    csa, csb = 4 * ea / ma**2, 4 * eb / mb**2
    x2 = x * x
    value = np.where(small, x * (c1 - x2 * (c3 - x2 * c5)), a * cotha - b * cothb)
    first = np.where(small, c1 - x2 * (3 * c3 - 5 * c5 * x2), -(a**2) * csa + b**2 * csb)
    if not second:
        return value, first, None
    two = np.where(
        small, x * (-6 * c3 + 20 * c5 * x2), 2 * a**3 * csa * cotha - 2 * b**3 * csb * cothb
    )
    return value, first, two


def brillouin(x: npt.ArrayLike, J: float) -> FloatArray:
    r"""Brillouin function :math:`B_J(x)`.

    .. math::

        B_J(x) = \frac{2J+1}{2J}\coth\frac{(2J+1)x}{2J} - \frac{1}{2J}\coth\frac{x}{2J}
               = a_1 x - a_3 x^3 + O(x^5),

    with :math:`a_1 = (J+1)/(3J)` and :math:`a_3 = ((2J+1)^4 - 1)/(720 J^4)`.

    Parameters
    ----------
    x
        Reduced field :math:`g J \mu_B B_\mathrm{eff} / k_B T` (any sign).
    J
        Total angular momentum quantum number (a positive multiple of 1/2).

    Returns
    -------
    numpy.ndarray
        Reduced magnetization in [-1, 1].
    """
    arr = np.asarray(x, dtype=np.float64)
    value, _, _ = _brillouin_and_derivatives(np.abs(arr), J)
    return np.sign(arr) * value


def brillouin_log_partition(x: npt.ArrayLike, J: float) -> FloatArray:
    r"""Logarithm of the single-ion partition function :math:`\ln Z_J(x)`.

    .. math::

        Z_J(x) = \sum_{m=-J}^{J} e^{m x / J}
               = \frac{\sinh\big((2J+1)x/(2J)\big)}{\sinh\big(x/(2J)\big)},
        \qquad \frac{d \ln Z_J}{dx} = B_J(x).
    """
    arr = np.abs(np.asarray(x, dtype=np.float64))
    a, b, *_ = _coefficients(J)
    xs = np.where(arr > 0, arr, 1.0)

    def log_sinh(y: FloatArray) -> FloatArray:
        return y + np.log(-np.expm1(-2 * y)) - math.log(2.0)

    value = log_sinh(a * xs) - log_sinh(b * xs)
    return np.where(arr > 0, value, math.log(2 * J + 1))


def brillouin_entropy(x: npt.ArrayLike, J: float) -> FloatArray:
    r"""Entropy per ion, in units of :math:`k_B`, of a spin J polarized to :math:`B_J(x)`.

    .. math:: s = \ln Z_J(x) - x B_J(x),

    from :math:`\ln(2J+1)` at :math:`x = 0` down to 0 at saturation.
    """
    arr = np.abs(np.asarray(x, dtype=np.float64))
    return brillouin_log_partition(arr, J) - arr * brillouin(arr, J)


# ------------------------------------------------------------------ root finding
def _newton_bracketed(
    fun: Callable[..., tuple[FloatArray, FloatArray]],
    lo: FloatArray,
    hi: FloatArray,
    args: tuple[FloatArray, ...] = (),
    *,
    xtol: float = 1e-13,
    maxiter: int = 200,
) -> FloatArray:
    """Vectorized safeguarded Newton iteration for ``fun(x, *args) -> (f, f')``.

    Requires ``f(lo) <= 0 <= f(hi)`` elementwise; Newton steps that leave the current bracket
    are replaced by bisection, so every element converges to a root inside its bracket.
    """
    lo = np.array(lo, dtype=np.float64, copy=True)
    hi = np.array(hi, dtype=np.float64, copy=True)
    x = 0.5 * (lo + hi)
    out = x.copy()
    idx = np.arange(x.size)
    a = tuple(np.asarray(v, dtype=np.float64) for v in args)
    for _ in range(maxiter):
        if idx.size == 0:
            break
        f, df = fun(x, *a)
        below = f < 0
        lo = np.where(below, x, lo)
        hi = np.where(below, hi, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            new = x - f / df
        outside = ~((new > lo) & (new < hi))
        new = np.where(outside, 0.5 * (lo + hi), new)
        scale = xtol * (1.0 + np.abs(x))
        done = (f == 0) | (np.abs(new - x) <= scale) | (hi - lo <= scale)
        final = np.where(f == 0, x, new)
        out[idx[done]] = final[done]
        keep = ~done
        idx, x, lo, hi = idx[keep], new[keep], lo[keep], hi[keep]
        a = tuple(v[keep] for v in a)
    out[idx] = x
    return out


# ------------------------------------------------------------- equation of state
class MeanFieldEquation:
    r"""Bean–Rodbell self-consistency in reduced variables.

    With :math:`\tau = T_0/T`, :math:`b = m \mu_B B / k_B T` and :math:`\sigma = B_J(x)`,
    the state solves :math:`g(x) = x - \tau E(\sigma) - b = 0` with
    :math:`E(\sigma) = (\sigma + \eta c \sigma^3)/a_1` and :math:`c = a_3/a_1^3`, and the
    reduced Gibbs energy is
    :math:`G/k_BT = -\tau \Phi(\sigma) - b\sigma - s(x)`,
    :math:`\Phi = (\sigma^2/2 + \eta c \sigma^4/4)/a_1`.
    """

    def __init__(self, J: float, eta: float) -> None:
        if J <= 0 or abs(2 * J - round(2 * J)) > 1e-12:
            raise ValueError(f"J must be a positive multiple of 1/2, got {J}")
        if eta < 0:
            raise ValueError(f"eta must be >= 0, got {eta}")
        self.J = float(J)
        self.eta = float(eta)
        self.a1 = (J + 1) / (3 * J)
        self.a3 = ((2 * J + 1) ** 4 - 1) / (720 * J**4)
        self.c = self.a3 / self.a1**3
        self.first_order = eta > 1
        if self.first_order:
            self.x_m = self._argmax_q()
            self.q_max = float(self.q(np.array([self.x_m]))[0][0])
        else:
            self.x_m, self.q_max = 0.0, 1.0
        self.tau_c = 1.0 / self.q_max
        self.sigma_m = float(brillouin(self.x_m, J))
        self.b_c = self.x_m - self.tau_c * float(self.E(np.array(self.sigma_m)))
        # Table of q on its decreasing side, to bracket the upper stationary point.
        top = 745.0 * J + 10.0
        self._xq = np.concatenate([[self.x_m], self.x_m + np.geomspace(1e-6, top, 2000)])
        self._qq = self.q(self._xq)[0]
        if np.any(np.diff(self._qq) > 1e-12):
            raise ValueError(f"unsupported Bean-Rodbell parameters J={J}, eta={eta}")
        self.tau0 = 1.0
        if self.first_order:
            self.tau0 = self._tau0()
            self._coexistence = self._coexistence_line()

    # -- pieces of the equation -------------------------------------------------------
    def E(self, sigma: FloatArray) -> FloatArray:
        return (sigma + self.eta * self.c * sigma**3) / self.a1

    def phi(self, sigma: FloatArray) -> FloatArray:
        return (sigma**2 / 2 + self.eta * self.c * sigma**4 / 4) / self.a1

    def q(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """q(x) = E'(B_J(x)) B_J'(x) and its derivative; stationary g where τ q = 1."""
        sigma, d1, d2 = _brillouin_and_derivatives(x, self.J, second=True)
        assert d2 is not None
        e1 = (1 + 3 * self.eta * self.c * sigma**2) / self.a1
        e2 = 6 * self.eta * self.c * sigma / self.a1
        return e1 * d1, e2 * d1**2 + e1 * d2

    def _argmax_q(self) -> float:
        hi = 1.0
        while self.q(np.array([hi]))[1][0] > 0:
            hi *= 2
        return float(brentq(lambda x: self.q(np.array([x]))[1][0], 1e-9, hi, xtol=1e-15))

    def g(self, x: FloatArray, tau: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
        sigma, d1, _ = _brillouin_and_derivatives(x, self.J)
        e1 = (1 + 3 * self.eta * self.c * sigma**2) / self.a1
        return x - tau * self.E(sigma) - b, 1 - tau * e1 * d1

    def gibbs(self, x: FloatArray, tau: FloatArray, b: FloatArray) -> FloatArray:
        """Reduced Gibbs energy G/(k_B T) of the state with reduced field x."""
        sigma = brillouin(x, self.J)
        return -tau * self.phi(sigma) - b * sigma - brillouin_entropy(x, self.J)

    # -- stationary points of g --------------------------------------------------------
    def _x_a(self, tau: FloatArray) -> FloatArray:
        """Local maximum of g (q(x) = 1/τ on [0, x_m]); needs 1/q_max < τ < 1."""
        inv = 1 / tau

        def f(x: FloatArray, iv: FloatArray) -> tuple[FloatArray, FloatArray]:
            qv, dq = self.q(x)
            return qv - iv, dq

        return _newton_bracketed(f, np.zeros_like(tau), np.full_like(tau, self.x_m), (inv,))

    def _x_b(self, tau: FloatArray) -> FloatArray:
        """Local minimum of g (q(x) = 1/τ on [x_m, ∞)); needs τ > 1/q_max."""
        inv = 1 / tau
        desc = self._qq[::-1]  # increasing
        k = np.searchsorted(desc, inv)  # desc[k-1] < inv <= desc[k]
        k = np.clip(k, 1, desc.size - 1)
        n = self._xq.size
        hi = self._xq[n - k]
        lo = self._xq[n - 1 - k]
        beyond = inv <= desc[0]

        def f(x: FloatArray, iv: FloatArray) -> tuple[FloatArray, FloatArray]:
            qv, dq = self.q(x)
            return iv - qv, -dq

        x = _newton_bracketed(f, np.minimum(lo, hi), np.maximum(lo, hi), (inv,))
        return np.where(beyond, self._xq[-1], x)

    # -- solutions ------------------------------------------------------------------------
    def solve(self, tau: FloatArray, b: FloatArray, branch: int = EQUILIBRIUM) -> FloatArray:
        """Reduced field x of the requested solution branch (b ≥ 0, τ > 0, 1-D arrays).

        ``branch`` is ``LOW`` (disordered side), ``UP`` (ordered side) or
        ``EQUILIBRIUM`` (lowest Gibbs energy). Where the requested branch does not exist
        the other one is returned.
        """
        tau = np.asarray(tau, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        xmax = tau * self.E(np.array(1.0)) + b
        has_b = tau * self.q_max > 1  # g has a local minimum at x_b
        has_a = has_b & (tau < 1)  # ... and a local maximum at x_a < x_b
        xa = np.full_like(tau, np.nan)
        xb = np.full_like(tau, np.nan)
        low_ok = ~has_b  # g monotonic: the unique solution counts as the low branch
        up_ok = np.zeros_like(has_b)

        def check_low(mask: npt.NDArray[np.bool_]) -> None:
            m = mask & has_a
            if m.any():
                xa[m] = self._x_a(tau[m])
                low_ok[m] = self.g(xa[m], tau[m], b[m])[0] >= 0

        def check_up(mask: npt.NDArray[np.bool_]) -> None:
            m = mask & has_b
            if m.any():
                xb[m] = self._x_b(tau[m])
                up_ok[m] = self.g(xb[m], tau[m], b[m])[0] <= 0

        everywhere = np.ones_like(has_b)
        if branch == LOW:
            check_low(everywhere)
            check_up(~low_ok)
            want_low, want_up = low_ok, up_ok & ~low_ok
        elif branch == UP:
            check_up(everywhere)
            check_low(~up_ok)
            want_low, want_up = low_ok & ~up_ok, up_ok
        else:
            check_low(everywhere)
            check_up(everywhere)
            want_low, want_up = low_ok, up_ok
        x_up = np.full_like(tau, np.nan)
        if want_up.any():
            m = want_up
            x_up[m] = _newton_bracketed(self.g, xb[m], xmax[m], (tau[m], b[m]))
        x_low = np.full_like(tau, np.nan)
        x_low[want_low & (b == 0)] = 0.0  # g(0) = -b = 0: the disordered state exactly
        want_low_solve = want_low & (b != 0)
        if want_low_solve.any():
            m = want_low_solve
            hi = np.where(has_a, xa, xmax)[m]
            x_low[m] = _newton_bracketed(self.g, np.zeros(m.sum()), hi, (tau[m], b[m]))
        x = np.where(want_up, x_up, x_low)
        both = want_up & want_low
        if both.any():
            g_up = self.gibbs(x_up[both], tau[both], b[both])
            g_low = self.gibbs(x_low[both], tau[both], b[both])
            x[both] = np.where(g_up < g_low, x_up[both], x_low[both])
        neither = ~(want_up | want_low)
        if neither.any():  # rounding at a spinodal point, where the solution is unique
            m = neither
            x[m] = _newton_bracketed(self.g, np.zeros(m.sum()), xmax[m], (tau[m], b[m]))
        return x

    # -- first-order line --------------------------------------------------------------
    def _both_branches(
        self, tau: FloatArray, b: FloatArray, xa: FloatArray, xb: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """x of the low and the up branch where both exist (g(x_a) ≥ 0 ≥ g(x_b))."""
        xmax = tau * self.E(np.array(1.0)) + b
        x_up = _newton_bracketed(self.g, xb, xmax, (tau, b))
        x_low = np.zeros_like(tau)
        nonzero = b != 0
        if nonzero.any():
            m = nonzero
            x_low[m] = _newton_bracketed(self.g, np.zeros(m.sum()), xa[m], (tau[m], b[m]))
        return x_low, x_up

    def _tau0(self) -> float:
        """τ of the first-order transition at zero field, T0/T_t."""
        ln_states = math.log(2 * self.J + 1)
        zero = np.zeros(1)

        def spinodal(t: float) -> float:  # the upper branch appears where g(x_b) = 0
            tt = np.array([t])
            return float(self.g(self._x_b(tt), tt, zero)[0][0])

        t_sp = brentq(spinodal, self.tau_c * (1 + 1e-12), 1.0, xtol=1e-15)

        def diff(t: float) -> float:  # G_up − G(σ = 0), G(0)/k_BT = −ln(2J+1)
            tt = np.array([t])
            xb = self._x_b(tt)
            x_up = _newton_bracketed(self.g, xb, tt * self.E(np.array(1.0)), (tt, zero))
            return float(self.gibbs(x_up, tt, zero)[0] + ln_states)

        lo = t_sp + 1e-12 * (1.0 - t_sp)
        return float(brentq(diff, lo, 1.0, xtol=1e-15, rtol=1e-15))

    def _coexistence_line(self, n: int = 240) -> CubicSpline:
        r"""Spline of τ*(b) on the first-order line, from (0, τ0) to (b_c, τ_c)."""
        s = 0.5 * (1 - np.cos(np.linspace(0.0, np.pi, n)))[1:-1]
        tau = self.tau_c + (self.tau0 - self.tau_c) * s
        xa, xb = self._x_a(tau), self._x_b(tau)
        b_low_ends = np.maximum(xb - tau * self.E(brillouin(xb, self.J)), 0.0)
        b_high_ends = xa - tau * self.E(brillouin(xa, self.J))

        def f(
            bb: FloatArray, tt: FloatArray, ya: FloatArray, yb: FloatArray
        ) -> tuple[FloatArray, FloatArray]:
            """G_low − G_up, increasing in b with slope σ_up − σ_low."""
            x_low, x_up = self._both_branches(tt, bb, ya, yb)
            diff = self.gibbs(x_low, tt, bb) - self.gibbs(x_up, tt, bb)
            return diff, brillouin(x_up, self.J) - brillouin(x_low, self.J)

        b_star = _newton_bracketed(f, b_low_ends, b_high_ends, (tau, xa, xb), xtol=1e-15)
        b_all = np.concatenate([[0.0], b_star, [self.b_c]])
        tau_all = np.concatenate([[self.tau0], tau, [self.tau_c]])
        order = np.argsort(b_all)
        if np.any(np.diff(b_all[order]) <= 0):
            raise RuntimeError("Bean-Rodbell coexistence line is not monotonic")
        return CubicSpline(b_all[order], tau_all[order])

    def split_tau(self, b: FloatArray) -> FloatArray:
        """τ where the state changes branch at reduced field b ≥ 0.

        On the first-order line (b ≤ b_c) this is the coexistence τ*(b); beyond the critical
        end point it continues as the line σ = σ_m where the susceptibility peaks; for a
        second-order magnet it is τ = 1.
        """
        if not self.first_order:
            return np.ones_like(b)
        e_m = float(self.E(np.array(self.sigma_m)))
        widom = (self.x_m - b) / e_m
        inside = np.clip(b, 0.0, self.b_c)
        return np.where(b <= self.b_c, self._coexistence(inside), widom)
