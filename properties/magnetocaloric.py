r"""Magnetocaloric effect: magnetic entropy change from M(T, H) by the Maxwell relation.

The isothermal magnetic entropy change for the field change :math:`0 \to H` is

.. math::

    \Delta S_M(T, H) = \mu_0 \int_0^{H} \Big(\frac{\partial M}{\partial T}\Big)_{H'} dH'

(Maxwell relation :math:`(\partial S/\partial H)_T = \mu_0 (\partial M/\partial T)_H`). It is
negative for a ferromagnet: the field orders the moments. :class:`MagnetocaloricEffect`
evaluates it for every field of the grid as the upper field, from a simulated regular grid
or from measured M(T) lines at fixed fields, and derives the usual figures of merit: peak,
full width at half maximum, relative cooling power, refrigerant capacity, temperature
averaged entropy change, the field exponent and the Arrott/Banerjee order criterion.

Examples
--------
>>> from reanalyze.properties.magnetocaloric import MagnetocaloricEffect
>>> result = MagnetocaloricEffect().run(MagnetocaloricEffect.example_table(), figures=False)
>>> print(result.summary["delta_s_max"].unit)
J/(kg*K)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from scipy.integrate import cumulative_trapezoid
from scipy.optimize import minimize_scalar

from reanalyze.errors import DataError, UnitError
from reanalyze.properties.base import (
    Curve,
    PropertyPlugin,
    PropertyResult,
    Requirement,
    Summary,
    std_column,
)
from reanalyze.table import UnitTable
from reanalyze.units import convert, parse_unit, ureg

__all__ = ["MagnetocaloricEffect"]

FloatArray = npt.NDArray[np.float64]

#: Exponent n = 2 of a paramagnet; Law et al. (2018): n > 2 only at a first-order transition.
_N_PARAMAGNET = 2.0
#: A field line whose fields spread over more than this many tolerances is refused.
_MAX_LINE_SPREAD = 5.0

#: (delta_s unit, kind, energy unit) by the normalization of the magnetization.
_NORMALIZATIONS: dict[str, tuple[str, str, str]] = {
    "mass": ("J/(kg*K)", "entropy_change", "J/kg"),
    "sample": ("J/K", "other", "J"),
    "volume": ("J/(m**3*K)", "other", "J/m**3"),
}


# ----------------------------------------------------------------------------- data model
@dataclass(frozen=True)
class _Grid:
    """M on a common temperature grid, one row per field line."""

    temperature: FloatArray  # K, (n_T,)
    field: FloatArray  # µ0H in T, (n_H,), increasing
    magnetization: FloatArray  # (n_H, n_T) in ``unit``
    unit: str
    normalization: str  # key of _NORMALIZATIONS


@dataclass(frozen=True)
class _Changes:
    """ΔS_M for each field change, in the normalization's delta_s unit."""

    upper: FloatArray  # upper field µ0H, T, (n_c,)
    delta_h: FloatArray  # reported field change µ0ΔH, T, (n_c,)
    delta_s: FloatArray  # (n_c, n_T), sign kept


@dataclass(frozen=True)
class _Peak:
    """Figures of merit of one |ΔS_M|(T) curve (NaN where undetermined)."""

    height: float
    t_peak: float
    fwhm: float
    rcp: float
    rc: float
    tec: tuple[float, ...]


# ----------------------------------------------------------------------------- the plugin
class MagnetocaloricEffect(PropertyPlugin):
    r"""Magnetic entropy change :math:`\Delta S_M(T, \Delta H)` and magnetocaloric figures of merit.

    **Maxwell relation.** On a common temperature grid :math:`T_j` and the field lines
    :math:`H_0 < H_1 < \dots` of the data,

    .. math::

        \Delta S_M(T_j, H_i) = \mu_0 \sum_{k=1}^{i} \frac{H_k - H_{k-1}}{2}
            \Big[\frac{\partial M}{\partial T}(T_j, H_{k-1})
                 + \frac{\partial M}{\partial T}(T_j, H_k)\Big],

    with :math:`\partial M/\partial T` from :func:`numpy.gradient` (second order, also at the
    ends) along T and the trapezoid rule in H, for every field of the grid as the upper field.

    **Input.** A simulated regular grid or measured M(T) lines at fixed fields. Rows are
    grouped into lines by field (fields closer than ``field_tolerance`` belong to one line,
    so readback jitter does not split a line; the line's field is the median). Each line is
    sorted in T, duplicate temperatures are averaged, and the line is linearly interpolated
    onto an evenly spaced grid spanning the overlap of all lines, with the step nearest to
    ``t_step`` (default: the median temperature step of the data) that divides the overlap.
    Lines with fewer than 3 distinct temperatures are left out (a note names them). At least
    2 fields and 3 common temperatures are needed.

    **Units.** :math:`\mu_0 H` in T times M gives, via pint: J/(kg·K) when M is per mass (a
    magnetization such as emu/g, or a magnetic moment with a known sample mass), J/K per
    sample for a moment without a mass, and J/(m³·K) for a volume magnetization (emu/cm³,
    A/m; passed to :meth:`compute` directly, since the ``magnetization`` kind is per mass).

    **Low-field end** (``low_field``). Measured lines start at a small non-zero field
    :math:`H_\mathrm{min}` (0.01 T for the ErCo2 data):

    * ``"lowest"`` (default): integrate from :math:`H_\mathrm{min}` and report the field change
      as :math:`\mu_0(H - H_\mathrm{min})`. This is :math:`\Delta S_M(H_\mathrm{min} \to H)`,
      which is not :math:`\Delta S_M(0 \to H - H_\mathrm{min})`.
    * ``"constant"``: assume :math:`\partial M/\partial T` between 0 and :math:`H_\mathrm{min}`
      equals its value at :math:`H_\mathrm{min}`, i.e. add
      :math:`\mu_0 H_\mathrm{min}\,\partial M/\partial T|_{H_\mathrm{min}}`; field change
      :math:`\mu_0 H`.
    * ``"zero"``: prepend a line M = 0 at H = 0 (as a widely used tool does); field change
      :math:`\mu_0 H`. The T-derivative of that line is zero, so it adds no spurious
      :math:`\partial M/\partial T`: its trapezoid adds exactly half of the ``"constant"``
      term, :math:`\mu_0 H_\mathrm{min}\,\partial M/\partial T|_{H_\mathrm{min}}/2`, i.e. it
      assumes :math:`\partial M/\partial T` grows linearly from 0 at H = 0.

    Which is best depends on the magnet and on :math:`H_\mathrm{min}`. On a 1 T grid
    (1, 2, ..., 5 T, exact M of the synthetic Bean–Rodbell magnets, 0.5 K steps), the 0 → 5 T
    peak relative to the exact one is: second-order magnet ``"constant"`` 0.90,
    ``"zero"`` 0.77 (loses 23 %), ``"lowest"`` 0.63 (but that one is the 1 → 5 T change, which
    it gets right to 1 %); first-order ErCo2-like magnet, where ∂M/∂T at 1 T is a spike at the
    field-shifted transition: ``"constant"`` 1.88 and ``"zero"`` 1.29 of the exact 0 → 5 T
    peak, ``"lowest"`` 1.22 of the exact 1 → 5 T peak (the coarse grid's spikes). So on these
    magnets ``"zero"`` loses 23 % (second order) or overshoots (first order), not ~2/3 of the
    peak. With :math:`H_\mathrm{min}` = 0.01 T all three agree within 0.1 %.
    If the grid already contains H = 0 (within ``field_tolerance``) all options coincide. A
    digital twin can instead simulate dense low fields (e.g. 0, 0.05, 0.1 T, ...).

    **Figures of merit** per field change, on :math:`|\Delta S_M|(T)`: the maximum (parabola
    through the largest grid value and its neighbours), T_peak, the full width at half maximum
    :math:`\delta T_\mathrm{FWHM}` (half-maximum crossings by linear interpolation; NaN when a
    crossing is outside the grid), :math:`\mathrm{RCP} = |\Delta S_M|_\mathrm{max}
    \delta T_\mathrm{FWHM}`, :math:`\mathrm{RC} = \int_{T_1}^{T_2} |\Delta S_M| dT` over the
    FWHM, and (Griffith et al., J. Appl. Phys. 123, 034902 (2018))

    .. math::

        \mathrm{TEC}(\Delta T) = \max_{T_\mathrm{mid}} \frac{1}{\Delta T}
            \int_{T_\mathrm{mid} - \Delta T/2}^{T_\mathrm{mid} + \Delta T/2} |\Delta S_M| dT.

    **Field exponent** :math:`n(T, \Delta H) = d\ln|\Delta S_M| / d\ln \Delta H` (numpy.gradient
    on ln ΔH). Mean field: n = 1 well below T_C, 2/3 at T_C, 2 in the paramagnetic state; n > 2
    is the signature of a first-order transition (Law et al., Nat. Commun. 9, 2680 (2018)).

    **Arrott plot and Banerjee criterion** (Banerjee, Phys. Lett. 12, 16 (1964)): isotherms
    :math:`M^2` vs :math:`H/M` on the measured fields; a negative slope means a first-order
    transition. A segment counts as negative only if both :math:`\Delta(M^2)` and
    :math:`\Delta(H/M)` exceed ``banerjee_tolerance`` times the isotherm's largest value, so
    that noise on a saturated or a paramagnetic isotherm does not fake one.
    """

    name = "magnetocaloric"
    description = (
        "Magnetic entropy change by the Maxwell relation, RCP, RC, TEC, field exponent, "
        "Arrott/Banerjee"
    )
    requires = (
        Requirement("temperature", ("temperature",), "temperature of each point"),
        Requirement("field", ("magnetic_field",), "applied field H or µ0H of each point"),
        Requirement(
            "moment",
            ("magnetic_moment", "magnetization"),
            "magnetic moment (with the sample mass: per mass) or magnetization",
        ),
    )

    class Params(BaseModel):
        """Parameters of :class:`MagnetocaloricEffect`."""

        model_config = ConfigDict(extra="forbid")

        low_field: Literal["lowest", "constant", "zero"] = Field(
            "lowest",
            description=(
                "Low-field end when the grid has no H = 0: 'lowest' integrates from the lowest "
                "field and reports µ0(H - H_min); 'constant' adds H_min·dM/dT(H_min); 'zero' "
                "prepends M = 0 at H = 0."
            ),
        )
        t_step: float | None = Field(
            None,
            gt=0,
            description=(
                "Step of the common temperature grid, K (default: median T step of the data; "
                "adjusted slightly to divide the overlap of the field lines)."
            ),
        )
        field_tolerance: float = Field(
            0.002,
            gt=0,
            description="Rows whose fields differ by less than this form one field line, T.",
        )
        field_changes: list[float] = Field(
            default_factory=list,
            description=(
                "Upper fields µ0H of the field changes given per-ΔH summaries, T; they must be "
                "fields of the grid (within field_tolerance). Empty: all."
            ),
        )
        tec_widths: list[float] = Field(
            default_factory=lambda: [3.0, 10.0],
            description="Temperature spans ΔT_lift of the TEC figures of merit, K.",
        )
        exponent_min_fraction: float = Field(
            0.1,
            ge=0,
            lt=1,
            description=(
                "n_max considers only points where |ΔS_M| is at least this fraction of the "
                "largest |ΔS_M| (dimensionless)."
            ),
        )
        exponent_margin: float = Field(
            0.1,
            ge=0,
            description="n_max above 2 + this margin is reported as first-order (dimensionless).",
        )
        banerjee_tolerance: float = Field(
            0.02,
            ge=0,
            lt=1,
            description=(
                "Relative change of M² and of H/M (fraction of the isotherm's largest value) "
                "below which an Arrott segment is not counted as negative (dimensionless)."
            ),
        )

    # ------------------------------------------------------------------ compute
    def compute(self, table: UnitTable, params: Any) -> PropertyResult:
        """ΔS_M tables, figures of merit, field exponent and Arrott/Banerjee analysis.

        Parameters
        ----------
        table
            Columns ``temperature``, ``field`` and ``moment`` (any units of their kinds).
        params
            A :class:`MagnetocaloricEffect.Params`.

        Returns
        -------
        PropertyResult
            Tables ``delta_s_m``, ``peaks``, ``field_exponent``, ``arrott``; summaries of the
            largest field change and per field change; notes on the assumptions.

        Raises
        ------
        DataError
            Fewer than 2 fields or 3 common temperatures, negative fields, field lines that do
            not separate, or a ``field_changes`` value that is not a field of the grid.
        UnitError
            A moment unit that is neither per mass, per sample nor per volume.
        """
        p: MagnetocaloricEffect.Params = params
        notes: list[str] = []
        grid = _build_grid(table, p, notes)
        s_unit, s_kind, e_unit = _NORMALIZATIONS[grid.normalization]
        factor = float(convert(1.0, f"({grid.unit})*T/K", s_unit))
        changes = _maxwell(grid, p.low_field, factor, notes)
        peaks = [
            _figures_of_merit(grid.temperature, np.abs(s), p.tec_widths) for s in changes.delta_s
        ]
        exponent = _field_exponent(changes)
        m2, h_over_m, negative = _arrott(grid, p.banerjee_tolerance)
        n_max = _exponent_summary(changes, exponent, grid.temperature, p, notes)
        n_negative = int(negative.sum())
        notes.append(_banerjee_note(n_negative, grid.temperature, negative))

        tables = {
            "delta_s_m": _delta_s_table(grid, changes, s_unit, s_kind),
            "peaks": _peaks_table(changes, peaks, p.tec_widths, s_unit, s_kind, e_unit),
            "field_exponent": _exponent_table(
                grid, changes, exponent, _significant(changes, p.exponent_min_fraction)
            ),
            "arrott": _arrott_table(grid, m2, h_over_m, negative),
        }
        summary = _summaries(changes, peaks, p, s_unit, e_unit)
        summary["n_max"] = Summary(
            n_max,
            "",
            description=(
                "largest field exponent d ln|ΔS_M|/d ln ΔH where |ΔS_M| is significant "
                "(> 2: first order, Law et al. 2018)"
            ),
        )
        summary["banerjee_negative_isotherms"] = Summary(
            float(n_negative),
            "",
            description=(
                "Arrott isotherms (M² vs H/M) with a negative slope (Banerjee: first order)"
            ),
        )
        return PropertyResult(tables=tables, summary=summary, notes=notes)

    # ------------------------------------------------------------------ figures
    def figures(self, result: PropertyResult, params: Any) -> dict[str, Any]:
        """−ΔS_M(T) per field change, peaks vs ΔH, Arrott isotherms and n(T)."""
        out: dict[str, Any] = {}
        if "delta_s_m" in result.tables:
            out["delta_s_m"] = _figure_delta_s(result.tables["delta_s_m"])
        if "peaks" in result.tables:
            out["peaks"] = _figure_peaks(result.tables["peaks"])
        if "arrott" in result.tables:
            out["arrott"] = _figure_arrott(result.tables["arrott"])
        exponent = result.tables.get("field_exponent")
        if exponent is not None and np.isfinite(exponent.values("n")).any():
            out["field_exponent"] = _figure_exponent(exponent)
        return out

    def convergence_curve(self, result: PropertyResult, params: Any) -> Curve | None:
        """−ΔS_M(T) for the largest field change (or the last of ``field_changes``)."""
        table = result.tables["delta_s_m"]
        delta_h = table.values("delta_h")
        target = float(params.field_changes[-1]) if params.field_changes else np.nanmax(delta_h)
        upper = table.values("H")
        if params.field_changes:  # field_changes name the upper field H, in tesla
            rows = np.isclose(upper, upper[np.argmin(np.abs(upper - target))])
        else:
            rows = np.isclose(delta_h, target)
        t = table.values("T")[rows]
        order = np.argsort(t)
        std = std_column(table, "delta_s_m")
        return Curve(
            x=t[order],
            y=-table.values("delta_s_m")[rows][order],
            x_name="T",
            x_unit="K",
            y_name=f"−ΔS_M (µ0ΔH = {float(np.nanmax(delta_h[rows])):.3g} T)",
            y_unit=table.unit("delta_s_m"),
            std=None if std is None else std[rows][order],
        )

    @classmethod
    def example_table(cls) -> UnitTable:
        """The ErCo2-like Bean–Rodbell scan: 8 fields 0.01–5 T, 10–60 K, moment in emu."""
        from reanalyze.synthetic.bean_rodbell import BeanRodbellMagnet

        return BeanRodbellMagnet.erco2_like().scan(seed=0)


# ----------------------------------------------------------------------------- input → grid
def _build_grid(table: UnitTable, p: MagnetocaloricEffect.Params, notes: list[str]) -> _Grid:
    """Group rows into field lines and interpolate M onto a common temperature grid."""
    temperature = table.values("temperature", "K")
    field = table.values("field", "T")
    moment, unit, normalization = _magnetization(table, notes)
    usable = np.isfinite(temperature) & np.isfinite(field)
    temperature, field, moment = temperature[usable], field[usable], moment[usable]
    if np.any(field < -p.field_tolerance):
        raise DataError(
            f"column {_source(table, 'field')!r}: negative fields (down to {field.min():.6g} T); "
            "ΔS_M needs H ≥ 0 (take |H| or select one branch)"
        )
    fields, labels = _field_lines(field, p.field_tolerance, _source(table, "field"))
    lines = [
        _merge_duplicates(temperature[labels == i], moment[labels == i]) for i in range(len(fields))
    ]
    keep = [i for i, (t, _) in enumerate(lines) if t.size >= 3]
    if len(keep) < len(fields):
        dropped = ", ".join(f"{fields[i]:.6g} T" for i in range(len(fields)) if i not in keep)
        notes.append(f"field lines left out (fewer than 3 temperatures): {dropped}")
    if len(keep) < 2:
        raise DataError(
            f"column {_source(table, 'field')!r}: ΔS_M needs at least 2 field lines with 3 or "
            f"more temperatures each, found {len(keep)} of {len(fields)} distinct fields "
            "(M(T) must be measured at fixed fields)"
        )
    fields = fields[keep]
    lines = [lines[i] for i in keep]
    t_grid, step = _common_temperatures(lines, p.t_step, _source(table, "temperature"))
    values = np.vstack([_interpolate(t, m, t_grid) for t, m in lines])
    notes.append(
        f"ΔS_M by the Maxwell relation on {t_grid.size} temperatures {t_grid[0]:.6g}–"
        f"{t_grid[-1]:.6g} K (step {step:.4g} K, the overlap of the {fields.size} field lines "
        f"{fields[0]:.6g}–{fields[-1]:.6g} T); ∂M/∂T by numpy.gradient (2nd order), trapezoid in H"
    )
    return _Grid(t_grid, fields, values, unit, normalization)


def _source(table: UnitTable, role: str) -> str:
    """Name of the input column behind ``role`` (run() keeps it as the description)."""
    return table.schema.columns[role].description or role


def _magnetization(table: UnitTable, notes: list[str]) -> tuple[FloatArray, str, str]:
    """M as (values, unit, normalization): per mass, per sample or per volume."""
    kind, unit = table.kind("moment"), table.unit("moment")
    if kind == "magnetic_moment":
        sample = table.sample
        if sample is not None and sample.mass is not None:
            grams = sample.mass_in("g")
            notes.append(f"ΔS_M per mass: moment / sample mass {sample.mass:g} {sample.mass_unit}")
            return table.values("moment", "emu") / grams, "emu/g", "mass"
        notes.append("ΔS_M per sample in J/K: the sample mass is unknown (give it to get J/(kg·K))")
        return table.values("moment", "emu"), "emu", "sample"
    per = {
        "mass": "emu/g",
        "sample": "emu",
        "volume": "emu/cm**3",
    }
    dims = ureg.get_dimensionality(parse_unit(unit))
    for normalization, reference in per.items():
        if dims == ureg.get_dimensionality(parse_unit(reference)):
            if normalization == "volume":
                notes.append("ΔS_M per volume in J/(m³·K): the magnetization is per volume")
            return table.values("moment", reference), reference, normalization
    raise UnitError(
        f"column {_source(table, 'moment')!r}: unit {unit!r} is not a moment, a magnetization "
        "per mass or per volume"
    )


def _field_lines(
    field: FloatArray, tolerance: float, column: str
) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """Field value of each line (median, T) and each row's line index.

    Sorted fields split into lines wherever two neighbours differ by more than
    ``tolerance``; a line within ``tolerance`` of zero is taken as exactly H = 0.
    """
    if field.size == 0:
        raise DataError(f"column {column!r}: no rows with finite temperature and field")
    order = np.argsort(field, kind="stable")
    breaks = np.diff(field[order]) > tolerance
    sorted_labels = np.concatenate([[0], np.cumsum(breaks)])
    labels = np.empty_like(sorted_labels)
    labels[order] = sorted_labels
    n = int(sorted_labels[-1]) + 1
    values = np.array([np.median(field[labels == i]) for i in range(n)])
    for i in range(n):
        members = field[labels == i]
        if np.ptp(members) > _MAX_LINE_SPREAD * tolerance:
            raise DataError(
                f"column {column!r}: fields {members.min():.6g}–{members.max():.6g} T chain into "
                f"one line within field_tolerance={tolerance:g} T; measure at fixed fields or "
                "give a smaller field_tolerance"
            )
    if abs(values[0]) <= tolerance:
        values[0] = 0.0
    return values, labels


def _merge_duplicates(temperature: FloatArray, moment: FloatArray) -> tuple[FloatArray, FloatArray]:
    """One line sorted in T, M averaged over equal temperatures (NaN M ignored)."""
    unique, inverse = np.unique(temperature, return_inverse=True)
    finite = np.isfinite(moment)
    sums = np.bincount(inverse, weights=np.where(finite, moment, 0.0), minlength=unique.size)
    counts = np.bincount(inverse, weights=finite.astype(float), minlength=unique.size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / counts
    return unique, np.where(counts > 0, mean, np.nan)


def _common_temperatures(
    lines: list[tuple[FloatArray, FloatArray]], t_step: float | None, column: str
) -> tuple[FloatArray, float]:
    """Evenly spaced grid spanning the overlap of all lines, K.

    The step is the one nearest to ``t_step`` (default: the median step of the data) that
    divides the overlap into whole steps.
    """
    low = max(float(t[0]) for t, _ in lines)
    high = min(float(t[-1]) for t, _ in lines)
    if t_step is None:
        t_step = float(np.median(np.concatenate([np.diff(t) for t, _ in lines])))
    if not high > low:
        raise DataError(
            f"column {column!r}: the field lines share no temperature range "
            f"(overlap {low:.6g}–{high:.6g} K)"
        )
    count = int(np.rint((high - low) / t_step)) + 1
    if count < 3:
        raise DataError(
            f"column {column!r}: ΔS_M needs at least 3 common temperatures, the overlap "
            f"{low:.6g}–{high:.6g} K holds {count} at a step of {t_step:.4g} K (set t_step)"
        )
    grid = np.linspace(low, high, count)
    return grid, float(grid[1] - grid[0])


def _interpolate(temperature: FloatArray, moment: FloatArray, grid: FloatArray) -> FloatArray:
    """Linear interpolation of one line onto ``grid`` (NaN when < 2 finite points)."""
    finite = np.isfinite(moment)
    if finite.sum() < 2:
        return np.full(grid.size, np.nan)
    return np.interp(grid, temperature[finite], moment[finite])


# ----------------------------------------------------------------------------- Maxwell relation
def _maxwell(grid: _Grid, low_field: str, factor: float, notes: list[str]) -> _Changes:
    """ΔS_M for every upper field, with the chosen low-field end, in the delta_s unit."""
    d_m: FloatArray = np.asarray(
        np.gradient(grid.magnetization, grid.temperature, axis=1, edge_order=2), dtype=np.float64
    )
    fields = grid.field
    h_min = float(fields[0])
    if h_min == 0.0:
        integral = cumulative_trapezoid(d_m, fields, axis=0, initial=0.0)
        notes.append("the grid contains H = 0: ΔS_M is integrated from zero field")
        return _Changes(fields[1:], fields[1:], factor * integral[1:])
    if low_field == "lowest":
        integral = cumulative_trapezoid(d_m, fields, axis=0, initial=0.0)
        notes.append(
            f"low_field='lowest': integrated from the lowest field {h_min:.6g} T; the field "
            f"change is µ0(H − {h_min:.6g} T), i.e. ΔS_M({h_min:.6g} T → H)"
        )
        return _Changes(fields[1:], fields[1:] - h_min, factor * integral[1:])
    if low_field == "constant":
        integral = cumulative_trapezoid(d_m, fields, axis=0, initial=0.0) + h_min * d_m[0]
        notes.append(
            f"low_field='constant': ∂M/∂T between 0 and {h_min:.6g} T assumed equal to its "
            f"value at {h_min:.6g} T (adds {h_min:.6g} T·∂M/∂T); field change µ0H"
        )
        return _Changes(fields, fields.copy(), factor * integral)
    padded = np.vstack([np.zeros((1, d_m.shape[1])), d_m])  # ∂(M = 0)/∂T = 0
    integral = cumulative_trapezoid(padded, np.concatenate([[0.0], fields]), axis=0)
    notes.append(
        f"low_field='zero': M = 0 prepended at H = 0, which adds half of {h_min:.6g} T·∂M/∂T "
        f"at {h_min:.6g} T; field change µ0H"
    )
    return _Changes(fields, fields.copy(), factor * integral)


# ----------------------------------------------------------------------------- figures of merit
def _figures_of_merit(temperature: FloatArray, y: FloatArray, widths: list[float]) -> _Peak:
    """Peak, FWHM, RCP, RC and TEC of one |ΔS_M|(T) curve."""
    tec = tuple(_tec(temperature, y, w) for w in widths)
    if not np.isfinite(y).any() or np.nanmax(y) <= 0:
        return _Peak(np.nan, np.nan, np.nan, np.nan, np.nan, tec)
    k = int(np.nanargmax(y))
    height, t_peak = _parabola_peak(temperature, y, k)
    left = _half_crossing(temperature, y, k, height / 2, -1)
    right = _half_crossing(temperature, y, k, height / 2, +1)
    fwhm = right - left
    rc = _integral(temperature, y, left, right) if np.isfinite(fwhm) else np.nan
    return _Peak(height, t_peak, fwhm, height * fwhm, rc, tec)


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


def _tec(temperature: FloatArray, y: FloatArray, width: float) -> float:
    """TEC(ΔT): largest mean of y over a window of ``width`` K (Griffith et al. 2018)."""
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
def _field_exponent(changes: _Changes) -> FloatArray:
    """n = d ln|ΔS_M| / d ln ΔH along the field changes (NaN where undefined)."""
    n = np.full(changes.delta_s.shape, np.nan)
    positive = changes.delta_h > 0
    if positive.sum() < 2:
        return n
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(np.abs(changes.delta_s[positive]))
        log_s[~np.isfinite(log_s)] = np.nan
        log_h = np.log(changes.delta_h[positive])
        if positive.sum() >= 3:
            n[positive] = np.gradient(log_s, log_h, axis=0, edge_order=2)
        else:
            n[positive] = np.gradient(log_s, log_h, axis=0, edge_order=1)
    n[~np.isfinite(n)] = np.nan
    return n


def _significant(changes: _Changes, fraction: float) -> npt.NDArray[np.bool_]:
    """Where |ΔS_M| is at least ``fraction`` of its largest value (over all field changes)."""
    size = np.abs(changes.delta_s)
    if not np.isfinite(size).any():
        return np.zeros(size.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        return np.asarray(size >= fraction * np.nanmax(size), dtype=bool)


def _exponent_summary(
    changes: _Changes,
    exponent: FloatArray,
    temperature: FloatArray,
    p: MagnetocaloricEffect.Params,
    notes: list[str],
) -> float:
    """Largest n where |ΔS_M| is significant; a note on the first-order signature."""
    if not np.isfinite(changes.delta_s).any():
        return np.nan
    significant = _significant(changes, p.exponent_min_fraction)
    candidates = np.where(significant & np.isfinite(exponent), exponent, np.nan)
    if not np.isfinite(candidates).any():
        notes.append("field exponent n: undetermined (needs 2 or more non-zero field changes)")
        return np.nan
    i, j = np.unravel_index(int(np.nanargmax(candidates)), candidates.shape)
    n_max = float(candidates[i, j])
    where = f"at {temperature[j]:.4g} K, µ0ΔH = {changes.delta_h[i]:.4g} T"
    if n_max > _N_PARAMAGNET + p.exponent_margin:
        notes.append(
            f"field exponent n = d ln|ΔS_M|/d ln ΔH reaches {n_max:.3g} > 2 ({where}): "
            "signature of a first-order transition (Law et al., Nat. Commun. 2018)"
        )
    else:
        notes.append(
            f"field exponent n ≤ {_N_PARAMAGNET + p.exponent_margin:g} everywhere |ΔS_M| is "
            f"significant (max {n_max:.3g} {where}): no first-order signature"
        )
    return n_max


# ----------------------------------------------------------------------------- Arrott/Banerjee
def _arrott(grid: _Grid, tolerance: float) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """M², H/M (in the grid's M unit and Oe) and which isotherms have a negative slope."""
    h_oe = convert(grid.field, "T", "Oe", kind="magnetic_field")[:, None]
    m = np.where(grid.magnetization > 0, grid.magnetization, np.nan)
    m2 = m**2
    h_over_m = h_oe / m
    d_x = np.diff(h_over_m, axis=0)
    d_y = np.diff(m2, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        big_x = np.abs(d_x) > tolerance * np.nanmax(np.abs(h_over_m), axis=0)
        big_y = np.abs(d_y) > tolerance * np.nanmax(m2, axis=0)
    negative = (d_x * d_y < 0) & big_x & big_y
    return m2, h_over_m, negative.any(axis=0)


def _banerjee_note(count: int, temperature: FloatArray, negative: npt.NDArray[np.bool_]) -> str:
    """First or second order by the Banerjee criterion."""
    if count:
        t = temperature[negative]
        return (
            f"Banerjee criterion: {count} of {temperature.size} Arrott isotherms (M² vs H/M) "
            f"have a negative slope ({t.min():.4g}–{t.max():.4g} K): first-order transition"
        )
    return (
        f"Banerjee criterion: no negative slope in {temperature.size} Arrott isotherms: "
        "second-order (continuous) transition"
    )


# ----------------------------------------------------------------------------- tables
def _delta_s_table(grid: _Grid, changes: _Changes, unit: str, kind: str) -> UnitTable:
    n_t = grid.temperature.size
    frame = pd.DataFrame(
        {
            "T": np.tile(grid.temperature, changes.upper.size),
            "H": np.repeat(changes.upper, n_t),
            "delta_h": np.repeat(changes.delta_h, n_t),
            "delta_s_m": changes.delta_s.ravel(),
        }
    )
    specs = {
        "T": ("temperature", "K"),
        "H": ("magnetic_field", "T"),
        "delta_h": ("magnetic_field", "T"),
        "delta_s_m": (kind, unit),
    }
    return UnitTable(frame, specs)


def _peaks_table(
    changes: _Changes, peaks: list[_Peak], widths: list[float], unit: str, kind: str, energy: str
) -> UnitTable:
    columns: dict[str, Any] = {
        "H": changes.upper,
        "delta_h": changes.delta_h,
        "delta_s_max": [q.height for q in peaks],
        "t_peak": [q.t_peak for q in peaks],
        "fwhm": [q.fwhm for q in peaks],
        "rcp": [q.rcp for q in peaks],
        "rc": [q.rc for q in peaks],
    }
    specs: dict[str, tuple[str, str]] = {
        "H": ("magnetic_field", "T"),
        "delta_h": ("magnetic_field", "T"),
        "delta_s_max": (kind, unit),
        "t_peak": ("temperature", "K"),
        "fwhm": ("temperature", "K"),
        "rcp": ("other", energy),
        "rc": ("other", energy),
    }
    for i, width in enumerate(widths):
        key = _tec_key(width)
        columns[key] = [q.tec[i] for q in peaks]
        specs[key] = (kind, unit)
    return UnitTable(pd.DataFrame(columns), specs)


def _exponent_table(
    grid: _Grid, changes: _Changes, exponent: FloatArray, significant: npt.NDArray[np.bool_]
) -> UnitTable:
    n_t = grid.temperature.size
    frame = pd.DataFrame(
        {
            "T": np.tile(grid.temperature, changes.upper.size),
            "delta_h": np.repeat(changes.delta_h, n_t),
            "n": exponent.ravel(),
            "significant": significant.ravel().astype(float),
        }
    )
    specs = {
        "T": ("temperature", "K"),
        "delta_h": ("magnetic_field", "T"),
        "n": ("dimensionless", "dimensionless"),
        "significant": ("dimensionless", "dimensionless"),
    }
    return UnitTable(frame, specs)


def _arrott_table(
    grid: _Grid, m2: FloatArray, h_over_m: FloatArray, negative: npt.NDArray[np.bool_]
) -> UnitTable:
    n_h, n_t = grid.magnetization.shape
    frame = pd.DataFrame(
        {
            "T": np.tile(grid.temperature, n_h),
            "H": np.repeat(convert(grid.field, "T", "Oe", kind="magnetic_field"), n_t),
            "M": grid.magnetization.ravel(),
            "M2": m2.ravel(),
            "H_over_M": h_over_m.ravel(),
            "negative_slope": np.tile(negative.astype(float), n_h),
        }
    )
    specs = {
        "T": ("temperature", "K"),
        "H": ("magnetic_field", "Oe"),
        "M": ("other", grid.unit),
        "M2": ("other", f"({grid.unit})**2"),
        "H_over_M": ("other", f"Oe/({grid.unit})"),
        "negative_slope": ("dimensionless", "dimensionless"),
    }
    if grid.unit == "emu":
        specs["M"] = ("magnetic_moment", "emu")
    elif grid.unit == "emu/g":
        specs["M"] = ("magnetization", "emu/g")
    return UnitTable(frame, specs)


# ----------------------------------------------------------------------------- summaries
def _tec_key(width: float) -> str:
    return f"tec_{width:g}K"


def _field_key(field: float) -> str:
    return f"{field:.4g}T"


def _summaries(
    changes: _Changes,
    peaks: list[_Peak],
    p: MagnetocaloricEffect.Params,
    unit: str,
    energy: str,
) -> dict[str, Summary]:
    """Scalars of the largest field change and of the requested field changes."""
    summary = _peak_summaries(
        changes, peaks, changes.upper.size - 1, "", p.tec_widths, unit, energy
    )
    summary["delta_h"] = Summary(
        float(changes.delta_h[-1]), "T", description="largest field change µ0ΔH"
    )
    for i in _requested(changes, p):
        suffix = "_" + _field_key(float(changes.upper[i]))
        summary.update(_peak_summaries(changes, peaks, i, suffix, p.tec_widths, unit, energy))
    return summary


def _requested(changes: _Changes, p: MagnetocaloricEffect.Params) -> list[int]:
    """Indices of the field changes named in ``field_changes`` (all when empty)."""
    if not p.field_changes:
        return list(range(changes.upper.size))
    out = []
    for value in p.field_changes:
        distance = np.abs(changes.upper - value)
        i = int(np.argmin(distance))
        if distance[i] > p.field_tolerance:
            fields = ", ".join(f"{h:.6g}" for h in changes.upper)
            raise DataError(
                f"field_changes: {value:g} T is not an upper field of the grid within "
                f"field_tolerance={p.field_tolerance:g} T (fields: {fields} T)"
            )
        out.append(i)
    return out


def _peak_summaries(
    changes: _Changes,
    peaks: list[_Peak],
    i: int,
    suffix: str,
    widths: list[float],
    unit: str,
    energy: str,
) -> dict[str, Summary]:
    q = peaks[i]
    change = f"µ0ΔH = {changes.delta_h[i]:.4g} T (up to {changes.upper[i]:.4g} T)"
    out = {
        "delta_s_max" + suffix: Summary(q.height, unit, description=f"|ΔS_M|max for {change}"),
        "t_peak" + suffix: Summary(
            q.t_peak, "K", description=f"temperature of |ΔS_M|max, {change}"
        ),
        "fwhm" + suffix: Summary(q.fwhm, "K", description=f"full width at half maximum, {change}"),
        "rcp" + suffix: Summary(
            q.rcp, energy, description=f"relative cooling power |ΔS_M|max·δT_FWHM, {change}"
        ),
        "rc" + suffix: Summary(
            q.rc, energy, description=f"refrigerant capacity ∫|ΔS_M|dT over the FWHM, {change}"
        ),
    }
    for k, width in enumerate(widths):
        out[_tec_key(width) + suffix] = Summary(
            q.tec[k], unit, description=f"TEC({width:g} K) (Griffith et al. 2018), {change}"
        )
    return out


# ----------------------------------------------------------------------------- plotting
def _label(name: str, unit: str) -> str:
    return f"{name} ({unit})" if unit and unit != "dimensionless" else f"{name} (dimensionless)"


def _curves(table: UnitTable, key: str) -> list[tuple[float, npt.NDArray[np.bool_]]]:
    values = table.values(key)
    return [(float(v), values == v) for v in np.unique(values)]


def _colors(count: int) -> Any:
    from matplotlib import colormaps

    return colormaps["viridis"](np.linspace(0.0, 0.9, max(count, 1)))


def _band(ax: Any, x: FloatArray, y: FloatArray, std: FloatArray | None, color: Any) -> None:
    if std is not None:
        ax.fill_between(x, y - std, y + std, color=color, alpha=0.25, linewidth=0)


def _figure_delta_s(table: UnitTable) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.4))
    ax = fig.add_subplot()
    t, s = table.values("T"), table.values("delta_s_m")
    std = std_column(table, "delta_s_m")
    curves = _curves(table, "delta_h")
    for (dh, rows), color in zip(curves, _colors(len(curves)), strict=True):
        _band(ax, t[rows], -s[rows], None if std is None else std[rows], color)
        ax.plot(t[rows], -s[rows], color=color, lw=1.2, label=f"{dh:.3g} T")
    ax.set_xlabel(_label("T", "K"))
    ax.set_ylabel(_label("−ΔS_M", table.unit("delta_s_m")))
    if len(curves) <= 12:
        ax.legend(title="µ0ΔH", fontsize="small")
    ax.set_title("Magnetic entropy change (Maxwell relation)")
    return fig


def _figure_peaks(table: UnitTable) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.2, 4.0))
    ax = fig.add_subplot()
    std = std_column(table, "delta_s_max")
    ax.errorbar(
        table.values("delta_h"), table.values("delta_s_max"), yerr=std, marker="o", capsize=3
    )
    ax.set_xlabel(_label("µ0ΔH", "T"))
    ax.set_ylabel(_label("|ΔS_M|max", table.unit("delta_s_max")))
    ax.set_title("Peak entropy change vs field change")
    return fig


def _figure_arrott(table: UnitTable) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.4))
    ax = fig.add_subplot()
    x, y = table.values("H_over_M"), table.values("M2")
    negative = table.values("negative_slope")
    curves = _curves(table, "T")
    stride = max(1, len(curves) // 25)
    shown = curves[::stride]
    for (temp, rows), color in zip(shown, _colors(len(shown)), strict=True):
        style = "--" if negative[rows].max() >= 0.5 else "-"
        ax.plot(x[rows], y[rows], style, color=color, marker=".", lw=1, label=f"{temp:.4g} K")
    ax.set_xlabel(_label("H/M", table.unit("H_over_M")))
    ax.set_ylabel(_label("M²", table.unit("M2")))
    ax.set_title("Arrott plot (dashed: negative slope, Banerjee first order)")
    if len(shown) <= 12:
        ax.legend(fontsize="small")
    return fig


def _figure_exponent(table: UnitTable) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.4))
    ax = fig.add_subplot()
    t, n = table.values("T"), table.values("n")
    shown = np.where(table.values("significant") >= 0.5, n, np.nan)
    std = std_column(table, "n")
    curves = [c for c in _curves(table, "delta_h") if np.isfinite(n[c[1]]).any()]
    for (dh, rows), color in zip(curves, _colors(len(curves)), strict=True):
        ax.plot(t[rows], n[rows], color=color, lw=0.6, alpha=0.3)
        _band(ax, t[rows], shown[rows], None if std is None else std[rows], color)
        ax.plot(t[rows], shown[rows], color=color, lw=1.4, label=f"{dh:.3g} T")
    for level in (2 / 3, 1.0, 2.0):
        ax.axhline(level, color="0.6", lw=0.8, ls=":")
    if np.isfinite(shown).any():
        ax.set_ylim(
            min(0.0, float(np.nanmin(shown))) - 0.2, max(2.2, float(np.nanmax(shown))) + 0.3
        )
    ax.set_xlabel(_label("T", "K"))
    ax.set_ylabel(_label("n = d ln|ΔS_M| / d ln ΔH", "dimensionless"))
    ax.set_title("Field exponent (bold where |ΔS_M| is significant; n > 2: first order)")
    if len(curves) <= 12:
        ax.legend(title="µ0ΔH", fontsize="small")
    return fig
