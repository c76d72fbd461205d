r"""Synthetic ARPES Fermi-surface map I(θ1, θ2) of a square-lattice tight-binding band.

Ground truth for Fermi-surface maps reconstructed from a coarse set of angle cuts, like the
La(O,F)BiS2 data of Terashima et al., Digital Discovery 2, 339 (2023).

Examples
--------
>>> arpes = ArpesFermiSurface.lofbis2_like(n_theta1=121)
>>> table = arpes.scan(seed=0)
>>> table.columns, len(table)
(['theta1', 'theta2', 'I'], 3751)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

import numpy as np
import numpy.typing as npt
from scipy.optimize import brentq

from reanalyze.arrays import FloatArray
from reanalyze.synthetic._grid import Column, SyntheticGenerator, grid_columns
from reanalyze.table import Sample, UnitTable

__all__ = ["K_PER_SQRT_EV", "ArpesFermiSurface", "FermiContour", "FermiCrossings"]

#: √(2 m_e)/ħ in Å⁻¹ per √eV: k = 0.5123 √E_kin sin θ.
K_PER_SQRT_EV = 0.5123


class FermiCrossings(NamedTuple):
    """Fermi-level crossings along one cut: angle θ1 (degrees) and momenta (Å⁻¹)."""

    theta1: FloatArray
    kx: FloatArray
    ky: FloatArray


class FermiContour(NamedTuple):
    """Points of the Fermi contour inside the measured window, in angles and momenta."""

    theta1: FloatArray
    theta2: FloatArray
    kx: FloatArray
    ky: FloatArray


def _default_theta2() -> tuple[float, ...]:
    return tuple(float(v) for v in np.arange(-15.0, 15.5, 1.0))


@dataclass(frozen=True)
class ArpesFermiSurface(SyntheticGenerator):
    r"""Photoemission intensity at the Fermi level versus two emission angles.

    Band (square lattice, lattice constant :math:`a`):

    .. math::

        \varepsilon(\mathbf k) = -2t(\cos k_x a + \cos k_y a)
            - 4t'\cos k_x a \cos k_y a - \mu \quad (\mathrm{eV}),

    spectral weight at :math:`E_F` with Lorentzian broadening :math:`\Gamma`,
    :math:`A(\mathbf k) = (\Gamma/\pi)/(\varepsilon^2 + \Gamma^2)` (1/eV). Angles to momenta
    (θ1 along the analyser slit, θ2 the deflector/tilt angle perpendicular to it):

    .. math::

        k_0 = 0.5123\sqrt{E_\mathrm{kin}},\quad E_\mathrm{kin} = h\nu - W - E_B,\quad
        k_x = k_0\sin\theta_1,\quad k_y = k_0\cos\theta_1\sin\theta_2
        \quad (\mathrm{Å^{-1}}),

    with :math:`E_B = 0` at the Fermi level. Measured intensity (arb):

    .. math::

        I = D(\theta_1)\,\big[I_0\,\pi\Gamma A(\mathbf k) + I_\mathrm{bg}\big],\qquad
        D(\theta_1) = \Big(1 + c\,\frac{\theta_1^2}{\theta_\mathrm{edge}^2}\Big)
            \prod_j \Big(1 - d\,e^{-(\theta_1-\theta_j)^2/2w_d^2}\Big),

    a detector sensitivity rising towards the slit edges with dead angles θ_j as narrow
    dips. The scan draws Poisson counts with mean ``exposure · I`` and reports
    ``counts / exposure``, so it is ≥ 0 with mean I and variance I/exposure.

    Parameters
    ----------
    a : float
        Lattice constant, Å.
    t, t_prime, mu : float
        Hopping integrals and chemical potential, eV.
    gamma : float
        Lorentzian half width Γ, eV.
    photon_energy, work_function : float
        hν and analyser work function W, eV.
    amplitude : float
        Intensity I0 on the Fermi surface (where πΓA = 1), arb.
    background : float
        Constant background I_bg, arb.
    edge_gain : float
        c: relative sensitivity gain at ``theta1 = ±theta_edge``.
    theta_edge : float or None
        Angle (degrees) where the gain reaches 1 + c; ``None`` means the largest |θ1| of the
        scan.
    dead_angles : tuple of float
        Centres θ_j (degrees) of the detector's dead angles (detection limits).
    dead_width : float
        Gaussian width w_d of a dead angle, degrees.
    dead_depth : float
        Depth d of a dead angle, 0 (none) to 1 (no signal).
    exposure : float
        Counts per unit of intensity; higher means less Poisson noise.
    theta1_range : tuple of float
        First and last θ1 of a cut, degrees.
    n_theta1 : int
        Points per cut.
    theta2_values : tuple of float
        θ2 of the cuts, degrees.
    material : str
        Name written into the scan's sample.
    """

    a: float = 4.05
    t: float = 0.10
    t_prime: float = -0.30
    mu: float = -0.35
    gamma: float = 0.05
    photon_energy: float = 40.0
    work_function: float = 4.4
    amplitude: float = 300.0
    background: float = 20.0
    edge_gain: float = 1.0
    theta_edge: float | None = None
    dead_angles: tuple[float, ...] = (-13.5, 3.0, 17.0)
    dead_width: float = 0.15
    dead_depth: float = 0.9
    exposure: float = 1.0
    theta1_range: tuple[float, float] = (-22.7, 24.3)
    n_theta1: int = 967
    theta2_values: tuple[float, ...] = field(default_factory=_default_theta2)
    material: str = "La(O,F)BiS2-like (synthetic tight-binding band)"

    name: ClassVar[str] = "arpes"
    features: ClassVar[tuple[Column, ...]] = (
        Column("theta1", "degree", "angle"),
        Column("theta2", "degree", "angle"),
    )
    target: ClassVar[Column] = Column("I", "arb", "intensity")

    @classmethod
    def lofbis2_like(cls, **overrides: Any) -> ArpesFermiSurface:
        """Fermi-surface map like La(O,F)BiS2 (Terashima et al. 2023, Sec. 3.4).

        Electron pockets around X and Y of a square lattice with a = 4.05 Å, measured at
        hν = 40 eV (W = 4.4 eV): cuts of 967 points from θ1 = −22.7° to 24.3° at 31 values of
        θ2 from −15° to 15°. Pass ``n_theta1`` for a lighter map.
        """
        params: dict[str, Any] = {
            "a": 4.05,
            "t": 0.10,
            "t_prime": -0.30,
            "mu": -0.35,
            "gamma": 0.05,
            "photon_energy": 40.0,
            "work_function": 4.4,
        }
        params.update(overrides)
        return cls(**params)

    @property
    def description(self) -> str:
        return (
            f"ARPES intensity at E_F of a square-lattice band (a={self.a:g} Å, "
            f"hν={self.photon_energy:g} eV): I(θ1, θ2)"
        )

    # ----------------------------------------------------------------- kinematics
    @property
    def kinetic_energy(self) -> float:
        """E_kin = hν − W at the Fermi level, eV."""
        return self.photon_energy - self.work_function

    @property
    def k0(self) -> float:
        """Photoelectron momentum 0.5123 √E_kin, Å⁻¹."""
        if self.kinetic_energy <= 0:
            raise ValueError("photon_energy must exceed work_function")
        return K_PER_SQRT_EV * math.sqrt(self.kinetic_energy)

    def k_from_angles(
        self, theta1_deg: npt.ArrayLike, theta2_deg: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray]:
        """In-plane momenta (kx, ky) in Å⁻¹ of emission angles θ1, θ2 in degrees."""
        t1 = np.radians(np.asarray(theta1_deg, dtype=np.float64))
        t2 = np.radians(np.asarray(theta2_deg, dtype=np.float64))
        kx = self.k0 * np.sin(t1) * np.ones_like(t2)
        ky = self.k0 * np.cos(t1) * np.sin(t2)
        return kx, ky

    # ----------------------------------------------------------------- band
    def band_energy(self, kx: npt.ArrayLike, ky: npt.ArrayLike) -> FloatArray:
        """ε(k) relative to the Fermi level, eV (k in Å⁻¹)."""
        cx = np.cos(np.asarray(kx, dtype=np.float64) * self.a)
        cy = np.cos(np.asarray(ky, dtype=np.float64) * self.a)
        return np.asarray(
            -2 * self.t * (cx + cy) - 4 * self.t_prime * cx * cy - self.mu, dtype=np.float64
        )

    def spectral_weight_k(self, kx: npt.ArrayLike, ky: npt.ArrayLike) -> FloatArray:
        """Spectral weight at E_F, A(k) = (Γ/π)/(ε² + Γ²), 1/eV."""
        eps = self.band_energy(kx, ky)
        return np.asarray((self.gamma / np.pi) / (eps**2 + self.gamma**2), dtype=np.float64)

    # ----------------------------------------------------------------- detector
    def sensitivity(self, theta1_deg: npt.ArrayLike) -> FloatArray:
        """Detector sensitivity D(θ1): edge gain times the dead-angle dips (dimensionless)."""
        t1 = np.asarray(theta1_deg, dtype=np.float64)
        edge = self.theta_edge
        if edge is None:
            edge = max(abs(self.theta1_range[0]), abs(self.theta1_range[1]))
        gain = 1 + self.edge_gain * (t1 / edge) ** 2
        for centre in self.dead_angles:
            gain = gain * (
                1 - self.dead_depth * np.exp(-0.5 * ((t1 - centre) / self.dead_width) ** 2)
            )
        return np.asarray(gain, dtype=np.float64)

    def truth(self, *features: npt.ArrayLike, detector: bool = True) -> FloatArray:
        """Noise-free intensity (arb) at angles (θ1, θ2) in degrees.

        With ``detector=False`` the intrinsic intensity I0·πΓA(k) + I_bg, without the
        detector's edge gain and dead angles.
        """
        theta1, theta2 = features
        kx, ky = self.k_from_angles(theta1, theta2)
        intrinsic = self.amplitude * np.pi * self.gamma * self.spectral_weight_k(kx, ky)
        intrinsic = intrinsic + self.background
        if not detector:
            return np.asarray(intrinsic, dtype=np.float64)
        return np.asarray(intrinsic * self.sensitivity(theta1), dtype=np.float64)

    # ----------------------------------------------------------------- Fermi surface
    def fermi_crossings_along_cut(
        self, theta2_deg: float, theta1_range: tuple[float, float] | None = None
    ) -> FermiCrossings:
        """Exact θ1 (degrees) where ε(k) = 0 along the cut at fixed θ2: the MDC peaks.

        Sign changes of ε on a fine θ1 grid are refined with :func:`scipy.optimize.brentq`
        (a contour that only touches the cut without crossing it is not reported).
        """
        lo, hi = theta1_range if theta1_range is not None else self.theta1_range
        grid = np.linspace(lo, hi, 20001)

        def eps(theta1: float) -> float:
            kx, ky = self.k_from_angles(theta1, theta2_deg)
            return float(self.band_energy(kx, ky))

        kx, ky = self.k_from_angles(grid, theta2_deg)
        values = self.band_energy(kx, ky)
        roots = []
        for i in np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) <= 0):
            if values[i] == 0:
                roots.append(float(grid[i]))
            elif values[i + 1] != 0:
                roots.append(brentq(eps, grid[i], grid[i + 1], xtol=1e-12))
        if values[-1] == 0:
            roots.append(float(grid[-1]))
        theta1 = np.unique(np.asarray(roots, dtype=np.float64))
        kx, ky = self.k_from_angles(theta1, theta2_deg)
        return FermiCrossings(theta1, np.asarray(kx), np.asarray(ky))

    def fermi_contour(self, theta2_deg: npt.ArrayLike | None = None) -> FermiContour:
        """Fermi-contour points inside the measured window, from crossings along cuts.

        Parameters
        ----------
        theta2_deg
            Cuts to intersect with the contour; default 601 values over the scan's θ2 range.
        """
        if theta2_deg is None:
            theta2_deg = np.linspace(min(self.theta2_values), max(self.theta2_values), 601)
        parts = [(t2, self.fermi_crossings_along_cut(float(t2))) for t2 in np.ravel(theta2_deg)]
        theta1 = np.concatenate([c.theta1 for _, c in parts])
        theta2 = np.concatenate([np.full(c.theta1.size, t2) for t2, c in parts])
        kx = np.concatenate([c.kx for _, c in parts])
        ky = np.concatenate([c.ky for _, c in parts])
        return FermiContour(theta1, theta2.astype(np.float64), kx, ky)

    # ----------------------------------------------------------------- the scan
    def theta1_values(self) -> FloatArray:
        """θ1 of the points of one cut, degrees."""
        return np.linspace(self.theta1_range[0], self.theta1_range[1], self.n_theta1)

    def scan(self, seed: int | None = 0) -> UnitTable:
        """Simulated map: Poisson counts on every cut, divided by the exposure.

        Returns
        -------
        UnitTable
            Columns ``theta1`` (degree), ``theta2`` (degree), ``I`` (arb).
        """
        if self.exposure <= 0:
            raise ValueError(f"exposure must be positive, got {self.exposure}")
        rng = np.random.default_rng(seed)
        theta1, theta2 = grid_columns(self.theta2_values, self.theta1_values())
        expected = self.truth(theta1, theta2)
        counts = rng.poisson(self.exposure * expected)
        intensity = counts.astype(np.float64) / self.exposure
        extra = {"k0_per_angstrom": self.k0, "kinetic_energy_eV": self.kinetic_energy}
        return self._table([theta1, theta2, intensity], Sample(material=self.material), seed, extra)
