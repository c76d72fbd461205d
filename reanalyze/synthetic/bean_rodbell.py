r"""Synthetic magnetization M(T, H) of a mean-field Bean–Rodbell magnet.

The Bean–Rodbell model (Bean & Rodbell, Phys. Rev. 126, 104 (1962)) is the simplest
thermodynamically consistent model of a magnetic transition that turns first order through
magnetoelastic coupling. Its exact magnetic entropy makes it a ground truth for magnetic
entropy changes :math:`\Delta S_M(T, H)` derived from coarse M(T, H) scans such as the ErCo2
data of Terashima et al., Digital Discovery 2, 339 (2023).

Examples
--------
>>> magnet = BeanRodbellMagnet.erco2_like()
>>> table = magnet.scan(seed=0)
>>> table.columns
['T', 'H', 'M']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from scipy.constants import Avogadro, gas_constant, physical_constants
from scipy.optimize import brentq
from scipy.special import ndtr, ndtri

from reanalyze.arrays import FloatArray
from reanalyze.synthetic._grid import Column, TemperatureFieldScan, grid_columns
from reanalyze.synthetic.mean_field import (
    LOW,
    UP,
    MeanFieldEquation,
    brillouin,
    brillouin_entropy,
    brillouin_log_partition,
)
from reanalyze.table import Sample, UnitTable

__all__ = [
    "BeanRodbellMagnet",
    "brillouin",
    "brillouin_entropy",
    "brillouin_log_partition",
]

#: Bohr magneton over Boltzmann constant, K/T.
MU_B_OVER_K_B: float = physical_constants["Bohr magneton in K/T"][0]
#: Avogadro constant times Bohr magneton, A·m²/mol (= emu/mmol).
N_A_MU_B: float = Avogadro * physical_constants["Bohr magneton"][0]
#: Oersted to tesla for µ0H (conventional µ0, 10 000 Oe = 1 T).
OE_TO_T = 1e-4
_Z_MAX = 6.0  # the T0 distribution is truncated at ±6 standard deviations


# --------------------------------------------------------------------------- generator
def _default_temperatures() -> tuple[float, ...]:
    return tuple(float(t) for t in np.linspace(10.0, 60.0, 101))


def _default_fields() -> tuple[float, ...]:
    return (100.0, 1000.0, 5000.0, 10000.0, 20000.0, 30000.0, 40000.0, 50000.0)


@dataclass(frozen=True)
class BeanRodbellMagnet(TemperatureFieldScan):
    r"""Mean-field Bean–Rodbell magnet with a Gaussian spread of ordering temperatures.

    The reduced magnetization :math:`\sigma = B_J(x)` solves

    .. math::

        x = \frac{T_0}{T}\,\frac{1}{a_1}\Big(\sigma + \eta \frac{a_3}{a_1^3}\sigma^3\Big)
            + \frac{m \mu_B B}{k_B T},

    with the Brillouin function :math:`B_J`, its Taylor coefficients
    :math:`a_1 = (J+1)/(3J)`, :math:`a_3 = ((2J+1)^4-1)/(720J^4)`, :math:`B = \mu_0 H` and
    :math:`m` the moment per formula unit in µB (``moment_per_fu``, default :math:`gJ`).
    :math:`\eta = 1` is the tricritical point: :math:`\eta > 1` gives a first-order
    transition at :math:`T_t > T_0`, :math:`\eta < 1` a second-order one at :math:`T_0`.
    Among several solutions the one of lowest Gibbs energy per formula unit is taken,

    .. math::

        G(\sigma)/k_B = -\frac{T_0}{a_1}\Big(\frac{\sigma^2}{2}
            + \eta\frac{a_3}{a_1^3}\frac{\sigma^4}{4}\Big)
            - \frac{m\mu_B B\sigma}{k_B} - T s(\sigma),
        \qquad s = \ln Z_J(x) - x\sigma,

    (equilibrium, no hysteresis). The exchange and elastic terms do not depend on T, so the
    magnetic entropy is exactly :math:`S = R\,s(\sigma)/M_\mathrm{mol}` per mass and

    .. math::

        \Delta S_M(T, H) = \frac{R}{M_\mathrm{mol}}\big[s(\sigma(T,H)) - s(\sigma(T,0))\big]
                         = \mu_0\int_0^H \Big(\frac{\partial M}{\partial T}\Big)_{H'} dH'.

    Real samples are smeared: :math:`T_0` is Gaussian-distributed with standard deviation
    ``t0_spread`` and M, S are averages over it (truncated at ±6 standard deviations). The
    average is computed by Gauss–Legendre quadrature in the cumulative probability, split
    where the state jumps between branches, so the result is smooth in T and H and the
    Maxwell relation holds to quadrature accuracy.

    Parameters
    ----------
    T0 : float
        Mean ordering temperature of the undistorted lattice, K (the second-order Curie
        temperature for ``eta <= 1``).
    J : float
        Angular momentum quantum number (a positive multiple of 1/2).
    g : float
        Landé factor.
    eta : float
        Bean–Rodbell magnetoelastic parameter (dimensionless).
    t0_spread : float
        Standard deviation of T0 over the sample, K; 0 gives a sharp transition.
    molar_mass : float
        Molar mass of a formula unit, g/mol.
    moment_per_fu : float or None
        Saturated moment per formula unit coupling to the field, µB; ``None`` means
        ``g * J``. Use it for a ferrimagnet whose net moment is smaller than gJ.
    mass_mg : float
        Sample mass, mg (converts magnetization to the measured moment).
    noise : float
        Relative standard deviation of the Gaussian noise on the measured moment.
    temperature_jitter : float
        Standard deviation of the recorded temperatures about the nominal grid, K (the
        truth is evaluated at the recorded temperatures).
    temperatures : tuple of float
        Nominal temperatures of every M(T) sweep, K.
    fields_oe : tuple of float
        Applied fields H of the sweeps, Oe.
    n_quad : int
        Gauss–Legendre nodes on each side of the branch jump for the T0 average.
    material : str
        Name written into the scan's :class:`~reanalyze.table.Sample`.

    Examples
    --------
    >>> magnet = BeanRodbellMagnet.erco2_like()
    >>> float(magnet.delta_s_m(36.0, 50000.0)) < 0
    True
    """

    T0: float = 19.2
    J: float = 1.5
    g: float = 2.0
    eta: float = 8.0
    t0_spread: float = 0.5
    molar_mass: float = 285.1
    moment_per_fu: float | None = 5.8
    mass_mg: float = 0.61
    noise: float = 2e-3
    temperature_jitter: float = 0.01
    temperatures: tuple[float, ...] = field(default_factory=_default_temperatures)
    fields_oe: tuple[float, ...] = field(default_factory=_default_fields)
    n_quad: int = 12
    material: str = "ErCo2-like (synthetic Bean-Rodbell)"

    name: ClassVar[str] = "bean_rodbell"
    target: ClassVar[Column] = Column("M", "emu", "magnetic_moment")

    # ------------------------------------------------------------------ presets
    @classmethod
    def erco2_like(cls, **overrides: Any) -> BeanRodbellMagnet:
        """First-order magnet like ErCo2 (Terashima et al. 2023, Sec. 3.1).

        First-order transition at 34.7 K at 0.01 T, moving up with field to 50.0 K at 5 T
        (the first-order line ends at 5.16 T); about 114 emu/g (0.069 emu for 0.61 mg) at
        10 K and 5 T; peak ΔS_M of −32.5 J/(kg·K) near 37 K for 0 → 5 T. Scanned 10–60 K
        in 0.5 K steps at 8 fields from 100 Oe to 5 T; trapezoid integration over those
        fields gives the spiky, overestimated ΔS_M the paper describes.

        The net moment per formula unit (5.8 µB) couples to the field, J = 3/2 sets the
        entropy capacity R ln 4 / M_mol, and the large magnetoelastic ``eta`` keeps the
        transition first order up to 5 T (with eta ≈ 2 it would end near 0.5 T).
        """
        params: dict[str, Any] = {
            "T0": 19.2,
            "J": 1.5,
            "g": 2.0,
            "eta": 8.0,
            "t0_spread": 0.5,
            "molar_mass": 285.1,
            "moment_per_fu": 5.8,
            "material": "ErCo2-like (synthetic Bean-Rodbell)",
        }
        params.update(overrides)
        return cls(**params)

    @classmethod
    def second_order(cls, **overrides: Any) -> BeanRodbellMagnet:
        """Second-order magnet (eta = 0.5) with a Curie temperature of 35 K, same scan."""
        params: dict[str, Any] = {
            "T0": 35.0,
            "J": 1.5,
            "g": 2.0,
            "eta": 0.5,
            "t0_spread": 0.5,
            "molar_mass": 285.1,
            "moment_per_fu": 5.8,
            "material": "second-order Bean-Rodbell magnet (synthetic)",
        }
        params.update(overrides)
        return cls(**params)

    # ------------------------------------------------------------------ derived
    @property
    def description(self) -> str:
        order = "first-order" if self.eta > 1 else "second-order"
        return (
            f"Bean-Rodbell magnet ({order}, eta={self.eta:g}, J={self.J:g}, T0={self.T0:g} K "
            f"± {self.t0_spread:g} K): magnetic moment M(T, H) of a {self.mass_mg:g} mg sample"
        )

    @property
    def moment_fu(self) -> float:
        """Saturated moment per formula unit, µB."""
        return float(self.g * self.J if self.moment_per_fu is None else self.moment_per_fu)

    @property
    def saturation_magnetization(self) -> float:
        """Saturation magnetization, emu/g."""
        return self.moment_fu * N_A_MU_B / (self.molar_mass * 1e-3)

    @cached_property
    def _equation(self) -> MeanFieldEquation:
        if self.t0_spread < 0 or self.t0_spread * _Z_MAX >= self.T0:
            raise ValueError(
                f"t0_spread must be in [0, T0/{_Z_MAX:g}), got {self.t0_spread} (T0={self.T0})"
            )
        if self.n_quad < 2:
            raise ValueError(f"n_quad must be at least 2, got {self.n_quad}")
        return MeanFieldEquation(self.J, self.eta)

    def _zeeman(self, H_oe: FloatArray) -> FloatArray:
        """m µB µ0H / k_B in K."""
        return self.moment_fu * MU_B_OVER_K_B * OE_TO_T * H_oe

    def _averages(self, T: npt.ArrayLike, H_oe: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """T0-averaged reduced magnetization σ and entropy s per formula unit (k_B)."""
        eq = self._equation
        t_arr, h_arr = np.broadcast_arrays(
            np.asarray(T, dtype=np.float64), np.asarray(H_oe, dtype=np.float64)
        )
        shape = t_arr.shape
        temp = t_arr.ravel()
        if np.any(temp <= 0):
            raise ValueError("temperatures must be positive")
        hz = self._zeeman(h_arr.ravel())
        sign = np.where(hz < 0, -1.0, 1.0)
        b = np.abs(hz) / temp
        if self.t0_spread == 0:
            x = eq.solve(self.T0 / temp, b)
            sigma = brillouin(x, self.J)
            entropy = brillouin_entropy(x, self.J)
        else:
            sigma, entropy = self._spread_average(temp, b)
        return (sign * sigma).reshape(shape), entropy.reshape(shape)

    def _spread_average(self, temp: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
        eq = self._equation
        nodes, weights = np.polynomial.legendre.leggauss(self.n_quad)
        nodes, weights = 0.5 * (nodes + 1), 0.5 * weights
        u_lo, u_hi = float(ndtr(-_Z_MAX)), float(ndtr(_Z_MAX))
        t0_split = temp * eq.split_tau(b)
        u_s = np.clip(ndtr((t0_split - self.T0) / self.t0_spread), u_lo, u_hi)
        sigma = np.zeros_like(temp)
        entropy = np.zeros_like(temp)
        pieces = ((np.full_like(u_s, u_lo), u_s, LOW), (u_s, np.full_like(u_s, u_hi), UP))
        for start, stop, branch in pieces:
            width = (stop - start)[:, None]
            u = start[:, None] + width * nodes
            w = width * weights / (u_hi - u_lo)
            t0 = self.T0 + self.t0_spread * ndtri(u)
            tau = (t0 / temp[:, None]).ravel()
            bb = np.repeat(b, self.n_quad)
            x = eq.solve(tau, bb, branch).reshape(u.shape)
            sigma += np.sum(w * brillouin(x, self.J), axis=1)
            entropy += np.sum(w * brillouin_entropy(x, self.J), axis=1)
        return sigma, entropy

    # ------------------------------------------------------------- exact answers
    def reduced_magnetization(self, T: npt.ArrayLike, H_oe: npt.ArrayLike) -> FloatArray:
        """σ = M / M_sat averaged over the T0 distribution (dimensionless)."""
        return self._averages(T, H_oe)[0]

    def magnetization(self, T: npt.ArrayLike, H_oe: npt.ArrayLike) -> FloatArray:
        """Magnetization at temperature ``T`` (K) and field ``H_oe`` (Oe), emu/g."""
        return self.saturation_magnetization * self.reduced_magnetization(T, H_oe)

    def moment(self, T: npt.ArrayLike, H_oe: npt.ArrayLike) -> FloatArray:
        """Magnetic moment of the ``mass_mg`` sample, emu."""
        return self.magnetization(T, H_oe) * self.mass_mg * 1e-3

    def truth(self, *features: npt.ArrayLike) -> FloatArray:
        """Noise-free scan target: :meth:`moment` at (T in K, H in Oe), emu."""
        T, H_oe = features
        return self.moment(T, H_oe)

    def magnetic_entropy(self, T: npt.ArrayLike, H_oe: npt.ArrayLike) -> FloatArray:
        """Magnetic entropy R s(σ)/M_mol at (T, H), J/(kg·K) (R ln(2J+1)/M_mol when free)."""
        entropy = self._averages(T, H_oe)[1]
        return gas_constant * entropy / (self.molar_mass * 1e-3)

    def delta_s_m(self, T: npt.ArrayLike, H_oe: npt.ArrayLike) -> FloatArray:
        """Exact magnetic entropy change for the field change 0 → H, J/(kg·K).

        Negative for a ferromagnet: the field orders the moments.
        """
        t_arr, h_arr = np.broadcast_arrays(
            np.asarray(T, dtype=np.float64), np.asarray(H_oe, dtype=np.float64)
        )
        return self.magnetic_entropy(t_arr, h_arr) - self.magnetic_entropy(t_arr, 0.0 * h_arr)

    @property
    def critical_field_oe(self) -> float:
        """Field H (Oe) where the first-order line of the mean T0 ends; 0 if second order."""
        eq = self._equation
        if not eq.first_order:
            return 0.0
        h_c = eq.b_c * self.T0 / eq.tau_c
        return float(h_c / (self.moment_fu * MU_B_OVER_K_B * OE_TO_T))

    def transition_temperature(self, H_oe: npt.ArrayLike) -> FloatArray:
        """Temperature (K) of the magnetization jump at field ``H_oe`` (Oe), for the mean T0.

        For ``eta > 1`` this is where the ordered and disordered states have equal Gibbs
        energy; NaN above :attr:`critical_field_oe`. For ``eta <= 1`` it is T0 at zero
        field and NaN otherwise (only a crossover in a field).
        """
        eq = self._equation
        fields = np.abs(np.asarray(H_oe, dtype=np.float64))
        out = np.full(fields.shape, np.nan)
        flat = out.reshape(-1)
        for i, hval in enumerate(fields.reshape(-1)):
            h = float(self._zeeman(np.array(hval)))
            if not eq.first_order:
                flat[i] = self.T0 if h == 0 else np.nan
            elif h == 0:
                flat[i] = self.T0 / eq.tau0
            elif h < eq.b_c * self.T0 / eq.tau_c:

                def f(bb: float, h: float = h) -> float:
                    return bb * self.T0 - h * float(eq.split_tau(np.array(bb)))

                b_t = brentq(f, 0.0, eq.b_c, xtol=1e-15, rtol=1e-14)
                flat[i] = h / b_t
        return out

    # ------------------------------------------------------------------ the scan
    def scan(self, seed: int | None = 0) -> UnitTable:
        """Simulated M(T) sweeps at each field, with noise.

        Temperatures are the nominal grid plus Gaussian jitter (``temperature_jitter``);
        moments are the truth at the recorded temperature times ``1 + noise·N(0, 1)``.

        Returns
        -------
        UnitTable
            Columns ``T`` (K), ``H`` (Oe), ``M`` (emu); sample mass and molar mass set.
        """
        rng = np.random.default_rng(seed)
        temp, fields = grid_columns(self.fields_oe, self.temperatures)
        temp = temp + self.temperature_jitter * rng.standard_normal(temp.size)
        moment = self.moment(temp, fields)
        measured = moment * (1 + self.noise * rng.standard_normal(temp.size))
        sample = Sample(
            material=self.material,
            mass=self.mass_mg,
            mass_unit="mg",
            molar_mass=self.molar_mass,
        )
        extra = {
            "saturation_magnetization_emu_per_g": self.saturation_magnetization,
            "critical_field_oe": self.critical_field_oe,
        }
        return self._table([temp, fields, measured], sample, seed, extra)
