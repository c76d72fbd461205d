r"""Superconducting transport: R_n, Tc criteria, transition widths and Hc2(T) from R(T, H).

The input is a set of resistance (or resistivity) sweeps R(T) at fixed applied fields, such
as the PdH data of Terashima et al., Digital Discovery 2, 339 (2023). The analysis, per
field line and then across fields:

1. **Lines.** Rows are grouped into R(T) lines by their field set point (sorted fields closer
   than ``field_tolerance`` tesla belong to one line) and sorted by temperature. Optionally a
   3-point running median removes isolated spikes (it leaves monotonic data unchanged) and a
   Savitzky–Golay filter (:func:`scipy.signal.savgol_filter`, window ``smoothing_window`` in
   K, polynomial order ``smoothing_order``) reduces the noise.
2. **Normal state.** :math:`R_n(T)` is a least-squares fit above the transition,

   .. math::

       R_n(T) = a + bT\ (\text{linear}),\qquad R_n(T) = a + cT^2\ (\text{quadratic}),
       \qquad R_n(T) = a\ (\text{constant}),

   over temperatures :math:`T \ge T_{90} + m\,(T_{90} - T_{10})` (``normal_margin`` = m;
   the upper half of the range above :math:`T_{90}` when :math:`T_{10}` is not reached; a
   constant fitted to the ``normal_min_points`` highest temperatures when fewer points are
   left; the whole line when it shows no transition) or over an explicit ``normal_window``.
   The window and the crossings are iterated until the window no longer changes. The noise
   :math:`\sigma` of a line is the robust scatter (1.4826 × median absolute deviation) of the
   measured R about this fit in the normal-state window.
3. **Criteria.** :math:`T_c(f)` is where the (smoothed) :math:`R/R_n(T)` falls below the
   fraction :math:`f` coming down from the normal state: the highest-temperature downward
   crossing confirmed by the median of ``confirm_points`` points at and below it (an isolated
   spike is not a crossing), linearly interpolated between the two points that bracket it.
   The ``"zero"`` criterion is the same crossing of the smoothed R with the level
   :math:`k\sigma` (``zero_sigma`` = k): zero resistance within the noise. A line that never
   crosses a level inside its measured range gives NaN (its row stays in every table). The
   transition width is :math:`T_{90} - T_{10}`.
4. **Upper critical field.** The points :math:`(T_c(f), \mu_0|H|)` of each criterion form
   :math:`\mu_0H_{c2}(T)`. For the chosen ``criterion``:

   * Ginzburg–Landau: :math:`\mu_0H_{c2}(T) = \mu_0H_{c2}(0)\,(1 - t^2)/(1 + t^2)`,
     :math:`t = T/T_c`, :math:`\mu_0H_{c2}(0)` and :math:`T_c` free
     (:func:`scipy.optimize.curve_fit`);
   * WHH slope formula (dirty limit, no spin paramagnetism):
     :math:`\mu_0H_{c2}(0) = -0.693\,T_c\,(d\mu_0H_{c2}/dT)|_{T_c}`, the slope from a linear
     fit of :math:`T_c(H)` over fields :math:`\mu_0H \le` ``slope_field_max``, and
     :math:`T_c` its zero-field intercept (0.693 stands for :math:`\pi^2e^{-\gamma}/8 =
     0.69267`);
   * full WHH digamma form (:math:`\alpha = \lambda_{so} = 0`),
     :math:`\ln(1/t) = \psi(\tfrac12 + \bar h/2t) - \psi(\tfrac12)`,
     :math:`\bar h = 4H_{c2}/(\pi^2 T_c\,(-dH_{c2}/dT)|_{T_c})`, fitted with
     :func:`scipy.optimize.least_squares` (:math:`T_c` and the slope free);
     :math:`\mu_0H_{c2}(0) = 0.69267\,T_c\,(-d\mu_0H_{c2}/dT)|_{T_c}`.

   Derived: Pauli limit :math:`\mu_0H_P = 1.84\,\mathrm{T/K}\cdot T_{c0}`, Maki parameter
   :math:`\alpha = \sqrt2\,H_{c2}^{orb}(0)/H_P` with the orbital limit from the WHH slope
   formula, and the GL coherence length :math:`\xi(0) = \sqrt{\Phi_0/(2\pi\mu_0H_{c2}(0))}`
   with :math:`\Phi_0 = h/2e` and the GL-fit :math:`\mu_0H_{c2}(0)`.

The formulas are implemented as pure functions in
:mod:`reanalyze.properties.superconducting_physics`; the figures are in
:mod:`reanalyze.properties.superconducting_figures`.

Examples
--------
>>> from reanalyze.synthetic.superconductor import Superconductor
>>> result = SuperconductingTransport().run(Superconductor.pdh_like().scan(seed=0),
...                                         figures=False)
>>> round(result.summary["tc0"].value, 1), result.summary["tc0"].unit
(7.2, 'K')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from numpy.polynomial import Polynomial
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from scipy.stats import median_abs_deviation

from reanalyze.arrays import FloatArray
from reanalyze.errors import DataError
from reanalyze.properties.base import (
    ENSEMBLE_KEY,
    Curve,
    PropertyPlugin,
    PropertyResult,
    Requirement,
    Summary,
)
from reanalyze.properties.curves import table_curve
from reanalyze.properties.superconducting_physics import (
    PAULI_COEFFICIENT,
    WHH_RATIO,
    Hc2Fits,
    crossing,
    fit_hc2,
    fit_normal,
    gl_coherence_length,
    gl_hc2,
    group_fields,
    maki_parameter,
    pauli_limit,
    smooth_resistance,
    whh_hc2,
)
from reanalyze.table import ColumnSpec, UnitTable

__all__ = ["PAULI_COEFFICIENT", "WHH_RATIO", "SuperconductingTransport", "whh_hc2"]


#: Fraction pair of the transition width T90 − T10.
_WIDTH_FRACTIONS = (0.9, 0.1)
#: Fewest points of a line that is analysed at all (fewer: NaN throughout).
_MIN_LINE_POINTS = 5
#: Points of the T grid of the ``hc2_fit`` table.
_GRID_POINTS = 401


# --------------------------------------------------------------------------- parameters
class SuperconductingParams(BaseModel):
    """Parameters of :class:`SuperconductingTransport`."""

    model_config = ConfigDict(extra="forbid")

    criteria: list[float] = Field(
        default_factory=lambda: [0.9, 0.5, 0.1],
        description="Resistance criteria as fractions of R_n(T), each in (0, 1) "
        "(0.9 onset, 0.5 midpoint, 0.1 near zero); dimensionless.",
    )
    criterion: float | Literal["zero"] = Field(
        0.5,
        description="Criterion of tc0 and of the Hc2 fits: one of `criteria` or 'zero'; "
        "dimensionless.",
    )
    field_tolerance: float = Field(
        0.001, gt=0, description="Fields closer than this belong to one R(T) line, T."
    )
    smoothing_window: float = Field(
        0.25,
        ge=0,
        description="Savitzky–Golay window, K (0: no smoothing; shorter than "
        "smoothing_order + 2 points: no smoothing).",
    )
    smoothing_order: int = Field(
        2, ge=1, le=5, description="Savitzky–Golay polynomial order; dimensionless."
    )
    despike: bool = Field(
        True, description="Apply a 3-point running median before smoothing (removes spikes)."
    )
    normal_fit: Literal["linear", "quadratic", "constant"] = Field(
        "linear",
        description="Normal-state model: a + b·T (linear), a + c·T² (quadratic) or a (constant); "
        "R in the input's unit, T in K.",
    )
    normal_window: tuple[float, float] | None = Field(
        None,
        description="Explicit temperature range (low, high) of the normal-state fit, K; "
        "None: above the onset plus normal_margin.",
    )
    normal_margin: float = Field(
        1.5,
        ge=0,
        description="Start of the normal-state fit above T90, in units of the width "
        "T90 − T10 (K per K, dimensionless).",
    )
    normal_min_points: int = Field(
        8, ge=3, description="Fewest points of the normal-state fit (highest temperatures)."
    )
    confirm_points: int = Field(
        3,
        ge=1,
        description="A crossing counts when the median of this many points at and below it "
        "is below the level (robust to single-point spikes).",
    )
    zero_sigma: float = Field(
        3.0,
        gt=0,
        description="'zero' criterion: R below zero_sigma × noise σ (σ from the normal-state "
        "residuals), in units of σ.",
    )
    slope_field_max: float | None = Field(
        None,
        gt=0,
        description="Largest µ0H of the linear dHc2/dT fit near Tc, T; None: 0.25 × the "
        "GL-fit µ0Hc2(0) (at least the two lowest fields).",
    )

    @field_validator("criteria")
    @classmethod
    def _fractions(cls, value: list[float]) -> list[float]:
        if not value:
            raise ValueError("give at least one fraction")
        bad = [f for f in value if not 0 < f < 1]
        if bad:
            raise ValueError(f"fractions must lie in (0, 1), got {bad[0]}")
        if len(set(value)) != len(value):
            raise ValueError("fractions must differ")
        return [float(f) for f in value]

    @field_validator("criterion")
    @classmethod
    def _chosen(cls, value: float | str, info: ValidationInfo) -> float | str:
        criteria = info.data.get("criteria")
        if value == "zero" or criteria is None:
            return value
        if not any(math.isclose(float(value), f) for f in criteria):
            raise ValueError(f"{value} is not one of criteria {criteria} nor 'zero'")
        return float(value)

    @field_validator("normal_window")
    @classmethod
    def _window(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and not value[0] < value[1]:
            raise ValueError(f"needs low < high in K, got {value}")
        return value


# --------------------------------------------------------------------------- lines
def smooth_line(T: FloatArray, R: FloatArray, params: SuperconductingParams) -> FloatArray:
    """R of one line (sorted by T, K) despiked and smoothed with the plugin's parameters.

    :func:`~reanalyze.properties.superconducting_physics.smooth_resistance` with
    ``smoothing_window`` (K), ``smoothing_order`` and ``despike``.
    """
    return smooth_resistance(
        T, R, params.smoothing_window, params.smoothing_order, despike=params.despike
    )


@dataclass
class LineAnalysis:
    """Results for one R(T) line (temperatures in K, resistances in the input's unit)."""

    field_t: float
    T: FloatArray
    R: FloatArray
    smooth: FloatArray
    normal: Polynomial | None = None
    noise: float = math.nan
    tc: dict[str, float] = field(default_factory=dict)
    width: float = math.nan
    rn_onset: float = math.nan
    window_fallback: bool = False

    @property
    def ratio(self) -> FloatArray:
        """Smoothed R / R_n(T), dimensionless (NaN without a normal-state fit)."""
        if self.normal is None:
            return np.full_like(self.smooth, np.nan)
        rn = self.normal(self.T)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(rn > 0, self.smooth / rn, np.nan)


def _label(criterion: float | str) -> str:
    return "zero" if criterion == "zero" else f"{float(criterion):g}"


def _normal_mask(
    line: LineAnalysis, t90: float, t10: float, params: SuperconductingParams
) -> tuple[npt.NDArray[np.bool_], bool]:
    """Points of the normal-state fit, and whether the minimum-points fallback was used."""
    temps = line.T
    if params.normal_window is not None:
        low, high = params.normal_window
        return (temps >= low) & (temps <= high), False
    if not math.isfinite(t90):
        return np.ones(temps.size, dtype=bool), False
    if math.isfinite(t10):
        start = t90 + params.normal_margin * (t90 - t10)
    else:  # width unknown (T10 below the range): the upper half above the onset
        start = 0.5 * (t90 + float(temps[-1]))
    mask = temps >= start
    if mask.sum() >= params.normal_min_points:
        return mask, False
    top = np.zeros(temps.size, dtype=bool)
    top[-min(params.normal_min_points, temps.size) :] = True
    return top, True


def analyze_line(
    field_t: float, T: FloatArray, R: FloatArray, params: SuperconductingParams
) -> LineAnalysis:
    """R_n, noise, Tc for every criterion and the width of one line (T sorted, K)."""
    line = LineAnalysis(field_t=field_t, T=T, R=R, smooth=smooth_line(T, R, params))
    labels = [_label(f) for f in params.criteria] + ["zero"]
    line.tc = dict.fromkeys(labels, math.nan)
    if T.size < _MIN_LINE_POINTS:
        return line
    n_top = max(params.normal_min_points, T.size // 10)
    line.normal = Polynomial([float(np.median(R[-n_top:]))])
    mask: npt.NDArray[np.bool_] | None = None
    for _ in range(5):
        ratio = line.ratio
        t90, t10 = (crossing(T, ratio - f, params.confirm_points) for f in _WIDTH_FRACTIONS)
        new_mask, line.window_fallback = _normal_mask(line, t90, t10, params)
        if new_mask.sum() < 2:
            line.normal = None
            return line
        if mask is not None and np.array_equal(mask, new_mask):
            break
        mask = new_mask
        # a few points just above the transition cannot fix a slope: fit a constant there
        model = "constant" if line.window_fallback else params.normal_fit
        line.normal = fit_normal(T[mask], R[mask], model)
    assert mask is not None
    residual = R[mask] - line.normal(T[mask])
    line.noise = float(median_abs_deviation(residual, scale="normal"))
    ratio = line.ratio
    for f in params.criteria:
        line.tc[_label(f)] = crossing(T, ratio - f, params.confirm_points)
    level = params.zero_sigma * line.noise
    line.tc["zero"] = crossing(T, line.smooth - level, params.confirm_points)
    t90, t10 = (crossing(T, ratio - f, params.confirm_points) for f in _WIDTH_FRACTIONS)
    line.width = t90 - t10
    line.rn_onset = float(line.normal(t90 if math.isfinite(t90) else T[0]))
    return line


# --------------------------------------------------------------------------- the plugin
class SuperconductingTransport(PropertyPlugin):
    """R_n, Tc by resistance criteria, widths and Hc2(T) fits from R(T, H) sweeps.

    See the module docstring for the method and formulas.
    """

    name = "superconducting_transport"
    description = (
        "R_n, Tc by resistance criteria, transition width, Hc2(T) with WHH and GL fits, "
        "Pauli limit, coherence length"
    )
    requires = (
        Requirement("temperature", ("temperature",), "temperature of the R(T) sweeps"),
        Requirement("field", ("magnetic_field",), "applied field of each sweep (H or µ0H)"),
        Requirement(
            "resistance", ("resistance", "resistivity"), "measured resistance or resistivity"
        ),
    )
    Params = SuperconductingParams

    @classmethod
    def example_table(cls) -> UnitTable:
        """The PdH-like synthetic scan (seed 0): columns T (K), H (Oe), R (ohm)."""
        from reanalyze.synthetic.superconductor import Superconductor

        return Superconductor.pdh_like().scan(seed=0)

    # ------------------------------------------------------------------ compute
    def compute(self, table: UnitTable, params: Any) -> PropertyResult:
        """Analyse every field line, then fit Hc2(T) (see the module docstring)."""
        p: SuperconductingParams = params
        T_all = table.values("temperature", "K")
        H_all = table.values("field", "T")
        R_all = table.values("resistance")
        r_unit, r_kind = table.unit("resistance"), table.kind("resistance")
        finite = np.isfinite(T_all) & np.isfinite(H_all)
        if not (finite & np.isfinite(R_all)).any():
            raise DataError(
                "superconducting_transport: no row with finite temperature, field and resistance"
            )
        labels, centers = group_fields(np.where(finite, H_all, np.inf), p.field_tolerance)
        lines: list[LineAnalysis] = []
        rows: list[npt.NDArray[np.int64]] = []
        for k, center in enumerate(centers):
            if not math.isfinite(center):
                continue
            idx = np.flatnonzero((labels == k) & finite)
            idx = idx[np.argsort(T_all[idx], kind="stable")]
            good = idx[np.isfinite(R_all[idx])]
            lines.append(analyze_line(float(center), T_all[good], R_all[good], p))
            rows.append(idx)
        criteria = [_label(f) for f in p.criteria] + ["zero"]
        chosen = _label(p.criterion)
        fields = np.array([line.field_t for line in lines])
        tc_chosen = np.array([line.tc[chosen] for line in lines])
        fits = fit_hc2(tc_chosen, fields, p.slope_field_max)
        zero = [i for i, line in enumerate(lines) if abs(line.field_t) <= p.field_tolerance]
        notes = self._notes(lines, p, fits, bool(zero))
        tc0 = lines[zero[0]].tc[chosen] if zero else fits.tc_gl
        width0 = lines[zero[0]].width if zero else math.nan
        tables = {
            "transitions": self._transitions(lines, criteria, r_unit, r_kind),
            "hc2": self._hc2_points(lines, criteria),
            "hc2_fit": self._hc2_fit(fits, float(np.nanmax(T_all))),
            "curves": self._curves(lines, table, rows, r_unit, r_kind),
        }
        summary = self._summary(fits, tc0, width0, chosen)
        return PropertyResult(tables=tables, summary=summary, notes=notes)

    @staticmethod
    def _notes(
        lines: list[LineAnalysis], p: SuperconductingParams, fits: Hc2Fits, has_zero: bool
    ) -> list[str]:
        notes = [
            f"{len(lines)} field lines; Tc criteria {', '.join(map(_label, p.criteria))} of "
            f"R_n(T) ({p.normal_fit} fit) and 'zero' = R < {p.zero_sigma:g}σ of the "
            "normal-state residuals",
            f"Hc2 fits use criterion {_label(p.criterion)}; the WHH slope fit used the "
            f"{fits.slope_fields} lowest fields",
        ]
        fallback = [f"{line.field_t:g} T" for line in lines if line.window_fallback]
        if fallback:
            notes.append(
                f"normal state from a constant fit to the {p.normal_min_points} highest "
                f"temperatures only (too few points above the onset margin) at "
                f"{', '.join(fallback)}"
            )
        chosen = _label(p.criterion)
        missing = [f"{line.field_t:g} T" for line in lines if not math.isfinite(line.tc[chosen])]
        if missing:
            notes.append(
                f"criterion {chosen} not met inside the measured range at {', '.join(missing)}"
            )
        if not has_zero:
            notes.append("no zero-field line: tc0 is the Tc of the GL fit")
        return notes

    @staticmethod
    def _transitions(
        lines: list[LineAnalysis], criteria: list[str], r_unit: str, r_kind: str
    ) -> UnitTable:
        data: dict[str, Any] = {
            "field": [line.field_t for line in lines],
            "R_n": [line.rn_onset for line in lines],
            "noise": [line.noise for line in lines],
        }
        specs: dict[str, ColumnSpec] = {
            "field": ColumnSpec(kind="magnetic_field", unit="T", description="µ0H of the line"),
            "R_n": ColumnSpec(
                kind=r_kind, unit=r_unit, description="normal-state fit at the 90 % onset"
            ),
            "noise": ColumnSpec(
                kind=r_kind, unit=r_unit, description="robust scatter σ of the normal state"
            ),
        }
        for c in criteria:
            data[f"Tc_{c}"] = [line.tc[c] for line in lines]
            specs[f"Tc_{c}"] = ColumnSpec(
                kind="temperature",
                unit="K",
                description="R < zero_sigma·σ" if c == "zero" else f"R/R_n = {c}",
            )
        data["width"] = [line.width for line in lines]
        specs["width"] = ColumnSpec(kind="temperature", unit="K", description="T90 − T10")
        return UnitTable(pd.DataFrame(data), specs)

    @staticmethod
    def _hc2_points(lines: list[LineAnalysis], criteria: list[str]) -> UnitTable:
        data = {
            "criterion": [c for c in criteria for _ in lines],
            "T": [line.tc[c] for c in criteria for line in lines],
            "mu0Hc2": [abs(line.field_t) for _ in criteria for line in lines],
        }
        specs = {
            "criterion": ColumnSpec(kind="label", unit=""),
            "T": ColumnSpec(kind="temperature", unit="K", description="Tc of the criterion"),
            "mu0Hc2": ColumnSpec(kind="magnetic_field", unit="T", description="µ0|H|"),
        }
        return UnitTable(pd.DataFrame(data), specs)

    @staticmethod
    def _hc2_fit(fits: Hc2Fits, t_max: float) -> UnitTable:
        grid = np.linspace(0.0, t_max, _GRID_POINTS)
        nan = np.full_like(grid, np.nan)
        gl = gl_hc2(grid, fits.hc2_gl, fits.tc_gl) if math.isfinite(fits.tc_gl) else nan
        whh = whh_hc2(grid, fits.tc_whh, fits.slope_whh) if math.isfinite(fits.tc_whh) else nan
        data = {"T": grid, "mu0Hc2_GL": gl, "mu0Hc2_WHH": whh}
        specs = {
            "T": ColumnSpec(kind="temperature", unit="K"),
            "mu0Hc2_GL": ColumnSpec(kind="magnetic_field", unit="T", description="GL fit"),
            "mu0Hc2_WHH": ColumnSpec(
                kind="magnetic_field", unit="T", description="WHH digamma fit"
            ),
        }
        return UnitTable(pd.DataFrame(data), specs)

    @staticmethod
    def _curves(
        lines: list[LineAnalysis],
        table: UnitTable,
        rows: list[npt.NDArray[np.int64]],
        r_unit: str,
        r_kind: str,
    ) -> UnitTable:
        T_all = table.values("temperature", "K")
        R_all = table.values("resistance")
        parts: dict[str, list[FloatArray]] = {k: [] for k in ("field", "T", "R", "R_norm", "R_m")}
        for line, idx in zip(lines, rows, strict=True):
            smooth = np.full(idx.size, np.nan)
            ratio = np.full(idx.size, np.nan)
            ok = np.isfinite(R_all[idx])
            smooth[ok] = line.smooth
            ratio[ok] = line.ratio
            parts["field"].append(np.full(idx.size, line.field_t))
            parts["T"].append(T_all[idx])
            parts["R"].append(smooth)
            parts["R_norm"].append(ratio)
            parts["R_m"].append(R_all[idx])
        data = {
            "field": np.concatenate(parts["field"]),
            "T": np.concatenate(parts["T"]),
            "R": np.concatenate(parts["R"]),
            "R_over_Rn": np.concatenate(parts["R_norm"]),
            "R_measured": np.concatenate(parts["R_m"]),
        }
        specs = {
            "field": ColumnSpec(kind="magnetic_field", unit="T", description="µ0H of the line"),
            "T": ColumnSpec(kind="temperature", unit="K"),
            "R": ColumnSpec(kind=r_kind, unit=r_unit, description="smoothed"),
            "R_over_Rn": ColumnSpec(
                kind="dimensionless", unit="dimensionless", description="smoothed R / R_n(T)"
            ),
            "R_measured": ColumnSpec(kind=r_kind, unit=r_unit, description="as measured"),
        }
        # where the input came from (a twin's simulation or a measurement), for the figures
        meta = table.metadata
        origin = {k: meta[k] for k in (ENSEMBLE_KEY, "simulated_by") if k in meta}
        return UnitTable(pd.DataFrame(data), specs, metadata=origin or None)

    @staticmethod
    def _summary(fits: Hc2Fits, tc0: float, width0: float, chosen: str) -> dict[str, Summary]:
        pauli = pauli_limit(tc0)
        hc2_gl = fits.hc2_gl
        xi = gl_coherence_length(hc2_gl) * 1e9
        return {
            "tc0": Summary(tc0, "K", description=f"zero-field Tc, criterion {chosen}"),
            "hc2_0_gl": Summary(hc2_gl, "T", description="µ0Hc2(0) of the GL fit"),
            "tc_gl": Summary(fits.tc_gl, "K", description="Tc of the GL fit"),
            "hc2_0_whh": Summary(fits.hc2_whh, "T", description="µ0Hc2(0) of the WHH fit"),
            "tc_whh": Summary(fits.tc_whh, "K", description="Tc of the WHH digamma fit"),
            "hc2_0_whh_slope": Summary(
                fits.hc2_whh_slope, "T", description="−0.693·Tc·dµ0Hc2/dT|Tc (orbital limit)"
            ),
            "slope_at_tc": Summary(
                fits.slope, "T/K", description="dµ0Hc2/dT at Tc (linear fit near Tc)"
            ),
            "pauli_limit": Summary(pauli, "T", description="µ0H_P = 1.84 T/K · tc0"),
            "maki_alpha": Summary(
                maki_parameter(fits.hc2_whh_slope, pauli),
                "",
                description="√2·µ0Hc2_orb(0)/µ0H_P (orbital limit from the WHH slope)",
            ),
            "xi_gl": Summary(xi, "nm", description="GL coherence length √(Φ0/(2π µ0Hc2(0)))"),
            "width_0": Summary(width0, "K", description="zero-field T90 − T10"),
        }

    # ------------------------------------------------------------------ figures
    def convergence_curve(self, result: PropertyResult, params: Any) -> Curve | None:
        """The GL fit µ0Hc2(T) of the chosen criterion (on the fixed 0…T_max grid)."""
        name = f"µ0Hc2 (GL fit, criterion {params.criterion})"
        return table_curve(result.tables["hc2_fit"], "T", "mu0Hc2_GL", y_name=name)

    def figures(self, result: PropertyResult, params: Any) -> dict[str, Any]:
        """``curves``: R(T) per field with std bands; ``hc2``: µ0Hc2(T) points and fits."""
        from reanalyze.properties.superconducting_figures import superconducting_figures

        return dict(superconducting_figures(result, _label(params.criterion)))
