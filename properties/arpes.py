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

The kinematics and the MDC peak search are pure functions in
:mod:`reanalyze.properties.arpes_physics`, the resampling is
:mod:`reanalyze.properties.arpes_interpolation` and the figures
:mod:`reanalyze.properties.arpes_figures`.

Examples
--------
>>> result = ArpesMap().run(ArpesMap.example_table(), figures=False)
>>> sorted(result.tables), result.summary["n_peaks"].value > 0
(['angle_map', 'k_map', 'mdc_peaks'], True)
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from reanalyze.arrays import FloatArray
from reanalyze.errors import DataError, PluginError
from reanalyze.properties.arpes_interpolation import (
    Interpolator,
    angle_grid,
    build_interpolator,
    grid_step,
    native_steps,
)
from reanalyze.properties.arpes_physics import (
    K_PER_SQRT_EV,
    MdcPeaks,
    angles_from_k,
    angles_to_k,
    find_mdc_peaks,
    jacobian_angles_per_k,
    photoelectron_k0,
)
from reanalyze.properties.base import Curve, PropertyPlugin, PropertyResult, Requirement, Summary
from reanalyze.properties.curves import table_curve
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


#: Largest number of points of the angle or k grid (beyond it: choose coarser steps).
MAX_GRID_POINTS = 5_000_000


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
            f"{grid_step(grid1):.4g}°, θ2 step {grid_step(grid2):.4g}°) by linear interpolation; "
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
        native1, native2 = native_steps(theta1[ok], theta2[ok])
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
            d1 = math.radians(grid_step(grid1)) if grid1.size > 1 else math.radians(1.0)
            d2 = math.radians(grid_step(grid2)) if grid2.size > 1 else d1
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
        return table_curve(table, "ky", "I", y_name="I(kx ≈ 0, ky)", rows=column)

    def figures(self, result: PropertyResult, params: Any) -> dict[str, Any]:
        """``angle_map``, ``fermi_surface`` (k image with the MDC peaks) and ``mdc``."""
        from reanalyze.properties.arpes_figures import arpes_figures

        return dict(arpes_figures(result))
