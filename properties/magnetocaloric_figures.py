"""Figures of a :class:`~reanalyze.properties.magnetocaloric.MagnetocaloricEffect` result.

Each function takes the result's table and returns a :class:`matplotlib.figure.Figure`
(constrained layout) with units in conventional notation on both axes; ensemble results
(``<column>_std`` columns) get ± std bands. A figure of more than
:data:`~reanalyze.plotting.MANY_CURVES` curves (ΔS_M of ~100 field changes, n(T), Arrott
isotherms) has a colour bar for their parameter and draws a few representative curves bold
with their bands, the rest faint (:class:`~reanalyze.plotting.CurveFamily`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from matplotlib.figure import Figure

from reanalyze.arrays import FloatArray
from reanalyze.plotting import CurveFamily, label_axis, std_band
from reanalyze.properties.base import PropertyResult, std_column
from reanalyze.table import UnitTable
from reanalyze.units import pretty_unit

__all__ = [
    "arrott_figure",
    "arrott_limits",
    "delta_s_figure",
    "field_exponent_figure",
    "magnetocaloric_figures",
    "peaks_figure",
]


#: The field change µ0ΔH as the figures write it.
FIELD_CHANGE = "µ₀ΔH"
#: ΔS_M with a subscript M (matplotlib mathtext).
DELTA_S = "ΔS$_\\mathrm{M}$"
#: Isotherms of the Arrott plot drawn at most (evenly chosen).
ARROTT_ISOTHERMS = 25


def magnetocaloric_figures(result: PropertyResult) -> dict[str, Figure]:
    """−ΔS_M(T) per field change, peaks vs ΔH, Arrott isotherms and n(T) (where present)."""
    out: dict[str, Figure] = {}
    if "delta_s_m" in result.tables:
        out["delta_s_m"] = delta_s_figure(result.tables["delta_s_m"])
    if "peaks" in result.tables:
        out["peaks"] = peaks_figure(result.tables["peaks"])
    if "arrott" in result.tables:
        out["arrott"] = arrott_figure(result.tables["arrott"])
    exponent = result.tables.get("field_exponent")
    if exponent is not None and np.isfinite(exponent.values("n")).any():
        out["field_exponent"] = field_exponent_figure(exponent)
    return out


def _curves(table: UnitTable, key: str) -> list[tuple[float, npt.NDArray[np.bool_]]]:
    values = table.values(key)
    return [(float(v), values == v) for v in np.unique(values)]


def _rows(std: FloatArray | None, rows: npt.NDArray[np.bool_]) -> FloatArray | None:
    return None if std is None else std[rows]


def delta_s_figure(table: UnitTable) -> Figure:
    """−ΔS_M (unit of the table) vs T (K), one curve per field change µ₀ΔH (T)."""
    fig = Figure(figsize=(7.2, 4.6), layout="constrained")
    ax = fig.add_subplot()
    t, s = table.values("T"), table.values("delta_s_m")
    std = std_column(table, "delta_s_m")
    curves = _curves(table, "delta_h")
    family = CurveFamily([dh for dh, _ in curves], FIELD_CHANGE, table.unit("delta_h"))
    for i, (_, rows) in enumerate(curves):
        if family.is_bold(i):
            std_band(ax, t[rows], -s[rows], _rows(std, rows), family.colors[i], alpha=0.35)
        ax.plot(t[rows], -s[rows], **family.style(i))
    label_axis(ax.xaxis, "T", "K")
    label_axis(ax.yaxis, f"−{DELTA_S}", table.unit("delta_s_m"))
    family.finish(ax, band=std is not None, loc="upper left")
    ax.set_title("Magnetic entropy change (Maxwell relation)")
    return fig


def peaks_figure(table: UnitTable) -> Figure:
    """|ΔS_M|max (unit of the table) vs µ₀ΔH (T), ± std error bars for an ensemble."""
    fig = Figure(figsize=(5.6, 4.0), layout="constrained")
    ax = fig.add_subplot()
    std = std_column(table, "delta_s_max")
    ax.errorbar(
        table.values("delta_h"),
        table.values("delta_s_max"),
        yerr=std,
        marker="o",
        ms=3,
        capsize=2,
        label="twin ± 1 std (ensemble)" if std is not None else None,
    )
    label_axis(ax.xaxis, FIELD_CHANGE, table.unit("delta_h"))
    label_axis(ax.yaxis, f"|{DELTA_S}|$_\\mathrm{{max}}$", table.unit("delta_s_max"))
    ax.set_title("Peak entropy change vs field change")
    if std is not None:
        ax.legend(fontsize="small", loc="lower right")
    return fig


def arrott_limits(x: FloatArray) -> tuple[tuple[float, float] | None, int]:
    """H/M axis limits that fit the bulk of the points, and how many fall outside them.

    Points far beyond the 98th percentile (the lowest fields, where M is small and H/M
    large) would squeeze the isotherms into a corner: when the largest value is more than a
    quarter of the bulk's span above the percentile, the axis ends a tenth of the span above
    it. Returns ``(None, 0)`` when every point fits (matplotlib's own limits then).
    """
    finite = x[np.isfinite(x)]
    if finite.size < 10:
        return None, 0
    lo, hi = float(min(0.0, np.percentile(finite, 2))), float(np.percentile(finite, 98))
    span = hi - lo
    if span <= 0 or float(finite.max()) <= hi + 0.25 * span:
        return None, 0
    top = hi + 0.1 * span
    bottom = min(float(finite.min()), 0.0) - 0.02 * span
    return (bottom, top), int(np.sum(finite > top))


def arrott_figure(table: UnitTable) -> Figure:
    """Arrott isotherms M² vs H/M (at most 25 shown), dashed where the slope is negative.

    The H/M axis fits the bulk of the points (:func:`arrott_limits`); points beyond it are
    counted in the title. The colour bar gives the temperature (K).
    """
    fig = Figure(figsize=(7.2, 4.6), layout="constrained")
    ax = fig.add_subplot()
    x, y = table.values("H_over_M"), table.values("M2")
    negative = table.values("negative_slope")
    curves = _curves(table, "T")
    shown = curves[:: max(1, len(curves) // ARROTT_ISOTHERMS)]
    family = CurveFamily([temp for temp, _ in shown], "T", "K")
    for i, (_, rows) in enumerate(shown):
        style = "--" if negative[rows].max() >= 0.5 else "-"
        ax.plot(x[rows], y[rows], style, marker=".", ms=3, **family.style(i))
    m_unit = table.unit("M") if "M" in table.columns else ""
    x_unit = f"Oe/({m_unit})" if m_unit else table.unit("H_over_M")
    drawn = np.any([rows for _, rows in shown], axis=0) if shown else np.zeros(len(x), bool)
    limits, outside = arrott_limits(x[drawn])
    title = "Arrott plot (dashed: negative slope, Banerjee first order)"
    if limits is not None:
        ax.set_xlim(limits)
        inside = drawn & (x >= limits[0]) & (x <= limits[1]) & np.isfinite(y)
        if inside.any():
            low, high = float(y[inside].min()), float(y[inside].max())
            pad = 0.04 * (high - low or 1.0)
            ax.set_ylim(low - pad, high + pad)
        beyond = f"{limits[1]:.4g} {pretty_unit(x_unit)}"
        title += f"\n{outside} points with H/M > {beyond} (lowest fields) off scale"
    ax.set_title(title, fontsize="medium")
    label_axis(ax.xaxis, "H/M", x_unit)
    label_axis(ax.yaxis, "M²", table.unit("M2"))
    family.finish(ax, band=False, loc="upper right")
    return fig


def field_exponent_figure(table: UnitTable) -> Figure:
    """n = d ln|ΔS_M|/d ln ΔH (dimensionless) vs T (K), where |ΔS_M| is significant.

    Each field change's n is drawn only where |ΔS_M| is significant (elsewhere it is the
    ratio of two small numbers); a small family also shows that part thin and faint.
    """
    fig = Figure(figsize=(7.2, 4.6), layout="constrained")
    ax = fig.add_subplot()
    t, n = table.values("T"), table.values("n")
    shown = np.where(table.values("significant") >= 0.5, n, np.nan)
    std = std_column(table, "n")
    curves = [c for c in _curves(table, "delta_h") if np.isfinite(n[c[1]]).any()]
    family = CurveFamily([dh for dh, _ in curves], FIELD_CHANGE, table.unit("delta_h"))
    for i, (_, rows) in enumerate(curves):
        if not family.many:
            ax.plot(t[rows], n[rows], color=family.colors[i], lw=0.6, alpha=0.3)
        if family.is_bold(i):
            std_band(ax, t[rows], shown[rows], _rows(std, rows), family.colors[i], alpha=0.35)
        ax.plot(t[rows], shown[rows], **family.style(i))
    for level in (2 / 3, 1.0, 2.0):
        ax.axhline(level, color="0.6", lw=0.8, ls=":")
    if np.isfinite(shown).any():
        ax.set_ylim(
            min(0.0, float(np.nanmin(shown))) - 0.2, max(2.2, float(np.nanmax(shown))) + 0.3
        )
        ax.set_xlim(float(np.nanmin(t)), float(np.nanmax(t)))
    label_axis(ax.xaxis, "T", "K")
    label_axis(ax.yaxis, f"n = d ln|{DELTA_S}| / d ln ΔH", "dimensionless")
    ax.set_title(
        f"Field exponent where |{DELTA_S}| is significant "
        "(dotted: n = 2/3, 1, 2; n > 2: first order)",
        fontsize="medium",
    )
    family.finish(ax, band=std is not None, loc="upper left")
    return fig
