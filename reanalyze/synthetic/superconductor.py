r"""Synthetic resistance R(T, H) of a type-II superconductor with a known Hc2(T).

Ground truth for upper critical fields and Tc criteria derived from coarse R(T, H) scans
such as the PdH data of Terashima et al., Digital Discovery 2, 339 (2023).

Examples
--------
>>> sc = Superconductor.pdh_like()
>>> round(float(sc.tc(0.0)), 3)
7.25
>>> sc.scan(seed=0).columns
['T', 'H', 'R']
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from scipy.optimize import elementwise
from scipy.special import digamma

from reanalyze.arrays import FloatArray
from reanalyze.synthetic._grid import Column, TemperatureFieldScan, grid_columns
from reanalyze.table import Sample, UnitTable

__all__ = ["WHH_RATIO", "Superconductor"]

#: WHH dirty limit without spin paramagnetism: µ0Hc2(0) = WHH_RATIO · Tc0 · (−dµ0Hc2/dT)|Tc0,
#: WHH_RATIO = π² e^(−γ) / 8 ≈ 0.6927 (the "0.693" of Werthamer, Helfand and Hohenberg).
WHH_RATIO: float = math.pi**2 * math.exp(-float(np.euler_gamma)) / 8
#: Reduced field h̄ = (4/π²) Hc2 / (−dHc2/dt)|t=1 of the WHH equation at T = 0: e^(−γ)/2.
_HBAR_ZERO: float = math.exp(-float(np.euler_gamma)) / 2
_PSI_HALF: float = float(digamma(0.5))
_MODELS = ("GL", "WHH")


def _default_temperatures() -> tuple[float, ...]:
    return tuple(float(t) for t in np.linspace(2.0, 10.0, 148))


def _default_fields() -> tuple[float, ...]:
    return (0.0, 500.0, 1000.0, 3000.0, 6000.0, 10000.0, 14000.0)


def _whh_residual_in_h(hbar: FloatArray, t: FloatArray) -> FloatArray:
    """ψ(½ + h̄/2t) − ψ(½) − ln(1/t): zero on the WHH curve, increasing in h̄."""
    return digamma(0.5 + hbar / (2 * t)) - _PSI_HALF + np.log(t)


def _solve(func: Any, lo: FloatArray, hi: FloatArray, args: tuple[FloatArray, ...]) -> FloatArray:
    """Vectorized bracketed root (scipy's elementwise Chandrupatla solver)."""
    result = elementwise.find_root(
        func, (lo, hi), args=args, tolerances={"xatol": 1e-15, "xrtol": 4e-16}
    )
    return np.asarray(result.x, dtype=np.float64)


@dataclass(frozen=True)
class Superconductor(TemperatureFieldScan):
    r"""Resistive transition of a type-II superconductor in a magnetic field.

    .. math::

        R(T, H) = R_n(T)\, f\!\Big(\frac{T - T_c(H)}{w(H)}\Big),\qquad
        f(u) = \tfrac12\big(1 + \tanh u\big),

        R_n(T) = R_0 + A T^2,\qquad w(H) = w_0 + w_1 \mu_0 H,

    so that :math:`R = R_n/2` exactly at :math:`T_c(H)`, the inverse of the upper critical
    field :math:`\mu_0 H_{c2}(T)` (:math:`T_c(H) = 0` above :math:`H_{c2}(0)`). Two
    :math:`H_{c2}` models, with :math:`t = T/T_{c0}`:

    ``"GL"``
        :math:`\mu_0 H_{c2}(T) = \mu_0 H_{c2}(0)\,(1 - t^2)/(1 + t^2)`, slope at
        :math:`T_{c0}`: :math:`\mu_0 H_{c2}(0)/T_{c0}`.
    ``"WHH"``
        dirty-limit Werthamer–Helfand–Hohenberg without spin paramagnetism,
        :math:`\ln(1/t) = \psi(\tfrac12 + \bar h/2t) - \psi(\tfrac12)` with
        :math:`\bar h = (4/\pi^2)\,H_{c2}/(-dH_{c2}/dt)_{t=1}`; then
        :math:`\mu_0 H_{c2}(0) = 0.6927\,T_{c0}\,(-d\mu_0 H_{c2}/dT)_{T_{c0}}`.

    Parameters
    ----------
    Tc0 : float
        Zero-field critical temperature, K.
    hc2_zero : float
        Upper critical field at T = 0, µ0Hc2(0) in tesla.
    model : {"GL", "WHH"}
        Shape of Hc2(T).
    R0 : float
        Residual normal-state resistance, Ω.
    A : float
        T² coefficient of the normal-state resistance, Ω/K².
    w0 : float
        Transition width at zero field, K.
    w1 : float
        Increase of the width with field, K/T.
    noise : float
        Standard deviation of the additive Gaussian noise of the measured R, Ω (so the
        superconducting state can read slightly negative, as real data do).
    temperature_jitter : float
        Standard deviation of the recorded temperatures about the nominal grid, K.
    temperatures : tuple of float
        Nominal temperatures of each R(T) sweep, K.
    fields_oe : tuple of float
        Applied fields H of the sweeps, Oe.
    material : str
        Name written into the scan's sample.
    """

    Tc0: float = 7.25
    hc2_zero: float = 1.1
    model: str = "GL"
    R0: float = 0.066
    A: float = 2e-6
    w0: float = 0.04
    w1: float = 1.0
    noise: float = 8e-4
    temperature_jitter: float = 0.005
    temperatures: tuple[float, ...] = field(default_factory=_default_temperatures)
    fields_oe: tuple[float, ...] = field(default_factory=_default_fields)
    material: str = "PdH-like (synthetic superconductor)"

    name: ClassVar[str] = "superconductor"
    target: ClassVar[Column] = Column("R", "ohm", "resistance")

    @classmethod
    def pdh_like(cls, **overrides: Any) -> Superconductor:
        """Superconductor like the PdH data (Terashima et al. 2023, Sec. 3.3).

        Tc0 = 7.25 K, µ0Hc2(0) = 1.1 T (GL shape), R_n ≈ 0.066 Ω, noise 0.8 mΩ, widths
        growing from 0.04 K at zero field to 1.4 K at 1.4 T; sweeps 2–10 K in 0.054 K steps
        at 0, 500, 1000, 3000, 6000, 10000 and 14000 Oe.
        """
        params: dict[str, Any] = {
            "Tc0": 7.25,
            "hc2_zero": 1.1,
            "model": "GL",
            "R0": 0.066,
            "A": 2e-6,
            "w0": 0.04,
            "w1": 1.0,
            "noise": 8e-4,
        }
        params.update(overrides)
        return cls(**params)

    @property
    def description(self) -> str:
        return (
            f"type-II superconductor ({self.model} Hc2, Tc0={self.Tc0:g} K, "
            f"µ0Hc2(0)={self.hc2_zero:g} T): resistance R(T, H)"
        )

    def _check(self) -> None:
        if self.model not in _MODELS:
            raise ValueError(f"model must be one of {_MODELS}, got {self.model!r}")
        if self.Tc0 <= 0 or self.hc2_zero <= 0:
            raise ValueError("Tc0 and hc2_zero must be positive")

    # ------------------------------------------------------------- critical field
    @property
    def slope(self) -> float:
        """−dµ0Hc2/dT at Tc0, T/K."""
        self._check()
        if self.model == "GL":
            return self.hc2_zero / self.Tc0
        return self.hc2_zero / (WHH_RATIO * self.Tc0)

    def hc2(self, T: npt.ArrayLike) -> FloatArray:
        """Upper critical field µ0Hc2 (tesla) at temperature ``T`` (K); 0 above Tc0."""
        self._check()
        t = np.clip(np.asarray(T, dtype=np.float64) / self.Tc0, 0.0, 1.0)
        if self.model == "GL":
            return np.asarray(self.hc2_zero * (1 - t**2) / (1 + t**2), dtype=np.float64)
        out = np.zeros_like(t)
        out[t == 0] = self.hc2_zero
        inside = (t > 0) & (t < 1)
        if inside.any():
            values, inverse = np.unique(t[inside], return_inverse=True)
            hbar = _solve(
                _whh_residual_in_h,
                np.zeros_like(values),
                np.full_like(values, _HBAR_ZERO),
                (values,),
            )
            out[inside] = (self.hc2_zero * hbar / _HBAR_ZERO)[inverse.ravel()]
        return out

    def tc(self, field_t: npt.ArrayLike) -> FloatArray:
        """Critical temperature (K) in the field µ0H = ``field_t`` (tesla); 0 above Hc2(0).

        This is the 50 % point of the resistive transition, the inverse of :meth:`hc2`.
        """
        self._check()
        ratio = np.clip(np.abs(np.asarray(field_t, dtype=np.float64)) / self.hc2_zero, 0, 1)
        if self.model == "GL":
            return np.asarray(self.Tc0 * np.sqrt((1 - ratio) / (1 + ratio)), dtype=np.float64)
        out = np.zeros_like(ratio)
        out[ratio == 0] = self.Tc0
        inside = (ratio > 0) & (ratio < 1)
        if inside.any():
            values, inverse = np.unique(ratio[inside], return_inverse=True)
            hbar = _HBAR_ZERO * values

            def residual(t: FloatArray, hb: FloatArray) -> FloatArray:
                return _whh_residual_in_h(hb, t)

            lo = np.full_like(values, 1e-12)
            t = _solve(residual, lo, np.ones_like(values), (hbar,))
            t = np.where(residual(lo, hbar) >= 0, 0.0, t)  # field within 1e-16 of Hc2(0)
            out[inside] = (self.Tc0 * t)[inverse.ravel()]
        return out

    def width(self, field_t: npt.ArrayLike) -> FloatArray:
        """Transition width w = w0 + w1·|µ0H| (K) at µ0H = ``field_t`` (tesla)."""
        return np.asarray(
            self.w0 + self.w1 * np.abs(np.asarray(field_t, dtype=np.float64)), dtype=np.float64
        )

    def tc_criterion(self, field_t: npt.ArrayLike, fraction: float) -> FloatArray:
        """Temperature (K) where R/R_n(T) = ``fraction`` at µ0H = ``field_t`` (tesla).

        Exactly :math:`T_c(H) + w(H)\\,\\mathrm{atanh}(2\\,\\mathrm{fraction} - 1)`; NaN where
        that is not positive (the criterion is never met above 0 K).
        """
        if not 0 < fraction < 1:
            raise ValueError(f"fraction must be in (0, 1), got {fraction}")
        value = self.tc(field_t) + self.width(field_t) * math.atanh(2 * fraction - 1)
        return np.where(value > 0, value, np.nan)

    # ------------------------------------------------------------------ resistance
    def normal_resistance(self, T: npt.ArrayLike) -> FloatArray:
        """Normal-state resistance R0 + A·T², Ω."""
        temp = np.asarray(T, dtype=np.float64)
        return np.asarray(self.R0 + self.A * temp**2, dtype=np.float64)

    def resistance(self, T: npt.ArrayLike, H_oe: npt.ArrayLike) -> FloatArray:
        """Noise-free resistance (Ω) at temperature ``T`` (K) and field ``H_oe`` (Oe)."""
        temp, h_oe = np.broadcast_arrays(
            np.asarray(T, dtype=np.float64), np.asarray(H_oe, dtype=np.float64)
        )
        field_t = h_oe * 1e-4
        u = (temp - self.tc(field_t)) / self.width(field_t)
        return np.asarray(self.normal_resistance(temp) * 0.5 * (1 + np.tanh(u)), dtype=np.float64)

    def truth(self, *features: npt.ArrayLike) -> FloatArray:
        """Noise-free scan target: :meth:`resistance` at (T in K, H in Oe), Ω."""
        T, H_oe = features
        return self.resistance(T, H_oe)

    # ------------------------------------------------------------------ the scan
    def scan(self, seed: int | None = 0) -> UnitTable:
        """Simulated R(T) sweeps at each field with additive Gaussian noise.

        Returns
        -------
        UnitTable
            Columns ``T`` (K), ``H`` (Oe), ``R`` (ohm).
        """
        rng = np.random.default_rng(seed)
        temp, fields = grid_columns(self.fields_oe, self.temperatures)
        temp = temp + self.temperature_jitter * rng.standard_normal(temp.size)
        measured = self.resistance(temp, fields) + self.noise * rng.standard_normal(temp.size)
        extra = {"slope_T_per_K": self.slope}
        return self._table([temp, fields, measured], Sample(material=self.material), seed, extra)
