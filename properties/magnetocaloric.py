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

from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from reanalyze.arrays import FloatArray
from reanalyze.errors import DataError
from reanalyze.properties.base import Curve, PropertyPlugin, PropertyResult, Requirement, Summary
from reanalyze.properties.curves import table_curve
from reanalyze.properties.magnetocaloric_grid import MagnetizationGrid, build_grid
from reanalyze.properties.magnetocaloric_physics import (
    EntropyChange,
    LowField,
    PeakFiguresOfMerit,
    arrott_banerjee,
    field_exponent,
    figures_of_merit,
    maxwell_entropy_change,
    significant,
)
from reanalyze.properties.magnetocaloric_tables import (
    arrott_table,
    delta_s_table,
    exponent_table,
    peaks_table,
    tec_key,
)
from reanalyze.table import UnitTable
from reanalyze.units import convert

__all__ = ["MagnetocaloricEffect"]


#: Exponent n = 2 of a paramagnet; Law et al. (2018): n > 2 only at a first-order transition.
_N_PARAMAGNET = 2.0

#: (delta_s unit, kind, energy unit) by the normalization of the magnetization.
_NORMALIZATIONS: dict[str, tuple[str, str, str]] = {
    "mass": ("J/(kg*K)", "entropy_change", "J/kg"),
    "sample": ("J/K", "other", "J"),
    "volume": ("J/(m**3*K)", "other", "J/m**3"),
}


# ----------------------------------------------------------------------------- the plugin
class MagnetocaloricEffect(PropertyPlugin):
    r"""Magnetic entropy change :math:`\Delta S_M(T, \Delta H)` and magnetocaloric figures of merit.

    **Maxwell relation** (:func:`~reanalyze.properties.magnetocaloric_physics.
    maxwell_entropy_change`, which states the discretization): on a common temperature grid
    :math:`T_j` and the field lines :math:`H_0 < H_1 < \dots` of the data, ∂M/∂T by
    :func:`numpy.gradient` along T and the trapezoid rule in H, for every field of the grid as
    the upper field. The physics functions are in
    :mod:`reanalyze.properties.magnetocaloric_physics`, the gridding of the input in
    :mod:`~reanalyze.properties.magnetocaloric_grid`, the figures in
    :mod:`~reanalyze.properties.magnetocaloric_figures`.

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

    **Figures of merit** per field change, on :math:`|\Delta S_M|(T)`
    (:func:`~reanalyze.properties.magnetocaloric_physics.figures_of_merit`): the maximum,
    T_peak, :math:`\delta T_\mathrm{FWHM}` (NaN when a half-maximum crossing is outside the
    grid), RCP, RC and TEC(ΔT) for each of ``tec_widths`` (Griffith et al. 2018).

    **Field exponent** :math:`n = d\ln|\Delta S_M| / d\ln \Delta H`
    (:func:`~reanalyze.properties.magnetocaloric_physics.field_exponent`); n > 2 where
    :math:`|\Delta S_M|` is significant is the signature of a first-order transition (Law
    et al. 2018).

    **Arrott plot and Banerjee criterion** (:func:`~reanalyze.properties.
    magnetocaloric_physics.arrott_banerjee`): isotherms :math:`M^2` vs :math:`H/M` on the
    measured fields, H in Oe; a negative slope (segments larger than ``banerjee_tolerance``)
    means a first-order transition.
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
                "Upper fields µ0H of the field changes given their own summaries, T; they must "
                "be fields of the grid (within field_tolerance). The summaries are named by the "
                "field change µ0ΔH (delta_s_max_0.99T for 0.01 → 1 T). Empty: all."
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
        grid = build_grid(table, p.field_tolerance, p.t_step, notes)
        s_unit, s_kind, e_unit = _NORMALIZATIONS[grid.normalization]
        factor = float(convert(1.0, f"({grid.unit})*T/K", s_unit))
        changes = _maxwell(grid, p.low_field, factor, notes)
        peaks = [
            figures_of_merit(grid.temperature, np.abs(s), p.tec_widths) for s in changes.delta_s
        ]
        exponent = field_exponent(changes.delta_h, changes.delta_s)
        h_oe = convert(grid.field, "T", "Oe", kind="magnetic_field")
        m2, h_over_m, negative = arrott_banerjee(h_oe, grid.magnetization, p.banerjee_tolerance)
        n_max = _exponent_summary(changes, exponent, grid.temperature, p, notes)
        n_negative = int(negative.sum())
        notes.append(_banerjee_note(n_negative, grid.temperature, negative))

        tables = {
            "delta_s_m": delta_s_table(grid, changes, s_unit, s_kind),
            "peaks": peaks_table(changes, peaks, p.tec_widths, s_unit, s_kind, e_unit),
            "field_exponent": exponent_table(
                grid, changes, exponent, significant(changes.delta_s, p.exponent_min_fraction)
            ),
            "arrott": arrott_table(grid, m2, h_over_m, negative),
        }
        summary = _summaries(changes, peaks, p, s_unit, e_unit)
        summary["n_max"] = Summary(
            n_max,
            "",
            description=(
                "largest field exponent d ln|ΔS_M|/d ln ΔH where |ΔS_M| is significant "
                "(> 2: first order)"
            ),
        )
        summary["banerjee_negative_isotherms"] = Summary(
            float(n_negative),
            "",
            description=("Arrott isotherms with a negative slope (Banerjee: first order)"),
        )
        return PropertyResult(tables=tables, summary=summary, notes=notes)

    # ------------------------------------------------------------------ figures
    def figures(self, result: PropertyResult, params: Any) -> dict[str, Any]:
        """−ΔS_M(T) per field change, peaks vs ΔH, Arrott isotherms and n(T)."""
        from reanalyze.properties.magnetocaloric_figures import magnetocaloric_figures

        return dict(magnetocaloric_figures(result))

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
        name = f"−ΔS_M at µ0ΔH = {field_text(float(np.nanmax(delta_h[rows])))} T"
        return table_curve(table, "T", "delta_s_m", y_name=name, rows=rows, sign=-1.0)

    @classmethod
    def example_table(cls) -> UnitTable:
        """The ErCo2-like Bean–Rodbell scan: 8 fields 0.01–5 T, 10–60 K, moment in emu."""
        from reanalyze.synthetic.bean_rodbell import BeanRodbellMagnet

        return BeanRodbellMagnet.erco2_like().scan(seed=0)


# ----------------------------------------------------------------------------- Maxwell relation
def _maxwell(
    grid: MagnetizationGrid, low_field: LowField, factor: float, notes: list[str]
) -> EntropyChange:
    """ΔS_M for every upper field, with the chosen low-field end, in the delta_s unit."""
    change = maxwell_entropy_change(grid.temperature, grid.field, grid.magnetization, low_field)
    h_min = float(grid.field[0])
    if h_min == 0.0:
        notes.append("the grid contains H = 0: ΔS_M is integrated from zero field")
    elif low_field == "lowest":
        notes.append(
            f"low_field='lowest': integrated from the lowest field {h_min:.6g} T; the field "
            f"change is µ0(H − {h_min:.6g} T), i.e. ΔS_M({h_min:.6g} T → H)"
        )
    elif low_field == "constant":
        notes.append(
            f"low_field='constant': ∂M/∂T between 0 and {h_min:.6g} T assumed equal to its "
            f"value at {h_min:.6g} T (adds {h_min:.6g} T·∂M/∂T); field change µ0H"
        )
    else:
        notes.append(
            f"low_field='zero': M = 0 prepended at H = 0, which adds half of {h_min:.6g} T·∂M/∂T "
            f"at {h_min:.6g} T; field change µ0H"
        )
    return EntropyChange(change.upper, change.delta_h, factor * change.delta_s)


# ----------------------------------------------------------------------------- field exponent
def _exponent_summary(
    changes: EntropyChange,
    exponent: FloatArray,
    temperature: FloatArray,
    p: MagnetocaloricEffect.Params,
    notes: list[str],
) -> float:
    """Largest n where |ΔS_M| is significant; a note on the first-order signature."""
    if not np.isfinite(changes.delta_s).any():
        return np.nan
    big = significant(changes.delta_s, p.exponent_min_fraction)
    candidates = np.where(big & np.isfinite(exponent), exponent, np.nan)
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


# ----------------------------------------------------------------------------- summaries
def field_text(value: float, digits: int = 4) -> str:
    """A field in tesla as the summaries name and describe it (``4.95``, ``0.1``, ``5``)."""
    return f"{value:.{digits}g}"


def _field_digits(delta_h: FloatArray) -> int:
    """Significant digits (at least 4) that tell every field change apart by name."""
    for digits in range(4, 17):
        if len({field_text(float(v), digits) for v in delta_h}) == delta_h.size:
            return digits
    return 17


def _span_text(changes: EntropyChange, i: int, digits: int = 4) -> str:
    """The lower and upper field of a field change: ``0.01 → 4.96 T``."""
    upper = float(changes.upper[i])
    lower = upper - float(changes.delta_h[i])
    lower = 0.0 if abs(lower) < 1e-12 * max(abs(upper), 1.0) else lower
    return f"{field_text(lower, digits)} → {field_text(upper, digits)} T"


def _change_text(changes: EntropyChange, i: int, digits: int = 4) -> str:
    """One field change said the one way every summary says it:
    ``µ0ΔH = 4.95 T (0.01 → 4.96 T)`` (the field change, then the lower and upper field)."""
    delta_h = field_text(float(changes.delta_h[i]), digits)
    return f"µ0ΔH = {delta_h} T ({_span_text(changes, i, digits)})"


def _summaries(
    changes: EntropyChange,
    peaks: list[PeakFiguresOfMerit],
    p: MagnetocaloricEffect.Params,
    unit: str,
    energy: str,
) -> dict[str, Summary]:
    """Scalars of the largest field change and of the requested field changes.

    A field change is named and described by one rounded value, µ0ΔH (the upper field minus
    the lower one): ``delta_s_max_4.95T`` is "|ΔS_M|max for µ0ΔH = 4.95 T (0.01 → 4.96 T)".
    """
    digits = _field_digits(changes.delta_h)
    last = changes.upper.size - 1
    summary = _peak_summaries(changes, peaks, last, "", p.tec_widths, unit, energy, digits)
    summary["delta_h"] = Summary(
        float(changes.delta_h[-1]),
        "T",
        description=f"largest field change, {_span_text(changes, last, digits)}",
    )
    for i in _requested(changes, p):
        suffix = f"_{field_text(float(changes.delta_h[i]), digits)}T"
        summary.update(
            _peak_summaries(changes, peaks, i, suffix, p.tec_widths, unit, energy, digits)
        )
    return summary


def _requested(changes: EntropyChange, p: MagnetocaloricEffect.Params) -> list[int]:
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
    changes: EntropyChange,
    peaks: list[PeakFiguresOfMerit],
    i: int,
    suffix: str,
    widths: list[float],
    unit: str,
    energy: str,
    digits: int = 4,
) -> dict[str, Summary]:
    q = peaks[i]
    change = _change_text(changes, i, digits)
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
        out[tec_key(width) + suffix] = Summary(
            q.tec[k], unit, description=f"TEC({width:g} K) (Griffith et al. 2018), {change}"
        )
    return out
