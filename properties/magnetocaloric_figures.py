"""Figures of a :class:`~reanalyze.properties.magnetocaloric.MagnetocaloricEffect` result.

Each function takes the result's table and returns a :class:`matplotlib.figure.Figure` with
units on both axes; ensemble results (``<column>_std`` columns) get ± std bands.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from matplotlib.figure import Figure

from reanalyze.plotting import axis_label, std_band, viridis_colors
from reanalyze.properties.base import PropertyResult, std_column
from reanalyze.table import UnitTable

__all__ = [
    "arrott_figure",
    "delta_s_figure",
    "field_exponent_figure",
    "magnetocaloric_figures",
    "peaks_figure",
]


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


def delta_s_figure(table: UnitTable) -> Figure:
    """−ΔS_M (unit of the table) vs T (K), one curve per field change µ0ΔH."""
    fig = Figure(figsize=(6.4, 4.4))
    ax = fig.add_subplot()
    t, s = table.values("T"), table.values("delta_s_m")
    std = std_column(table, "delta_s_m")
    curves = _curves(table, "delta_h")
    for (dh, rows), color in zip(curves, viridis_colors(len(curves)), strict=True):
        std_band(ax, t[rows], -s[rows], None if std is None else std[rows], color)
        ax.plot(t[rows], -s[rows], color=color, lw=1.2, label=f"{dh:.3g} T")
    ax.set_xlabel(axis_label("T", "K"))
    ax.set_ylabel(axis_label("−ΔS_M", table.unit("delta_s_m")))
    if len(curves) <= 12:
        ax.legend(title="µ0ΔH", fontsize="small")
    ax.set_title("Magnetic entropy change (Maxwell relation)")
    return fig


def peaks_figure(table: UnitTable) -> Figure:
    """|ΔS_M|max (unit of the table) vs µ0ΔH (T)."""
    fig = Figure(figsize=(5.2, 4.0))
    ax = fig.add_subplot()
    std = std_column(table, "delta_s_max")
    ax.errorbar(
        table.values("delta_h"), table.values("delta_s_max"), yerr=std, marker="o", capsize=3
    )
    ax.set_xlabel(axis_label("µ0ΔH", "T"))
    ax.set_ylabel(axis_label("|ΔS_M|max", table.unit("delta_s_max")))
    ax.set_title("Peak entropy change vs field change")
    return fig


def arrott_figure(table: UnitTable) -> Figure:
    """Arrott isotherms M² vs H/M (at most ~25 shown), dashed where the slope is negative."""
    fig = Figure(figsize=(6.4, 4.4))
    ax = fig.add_subplot()
    x, y = table.values("H_over_M"), table.values("M2")
    negative = table.values("negative_slope")
    curves = _curves(table, "T")
    stride = max(1, len(curves) // 25)
    shown = curves[::stride]
    for (temp, rows), color in zip(shown, viridis_colors(len(shown)), strict=True):
        style = "--" if negative[rows].max() >= 0.5 else "-"
        ax.plot(x[rows], y[rows], style, color=color, marker=".", lw=1, label=f"{temp:.4g} K")
    ax.set_xlabel(axis_label("H/M", table.unit("H_over_M")))
    ax.set_ylabel(axis_label("M²", table.unit("M2")))
    ax.set_title("Arrott plot (dashed: negative slope, Banerjee first order)")
    if len(shown) <= 12:
        ax.legend(fontsize="small")
    return fig


def field_exponent_figure(table: UnitTable) -> Figure:
    """n = d ln|ΔS_M|/d ln ΔH (dimensionless) vs T (K), bold where |ΔS_M| is significant."""
    fig = Figure(figsize=(6.4, 4.4))
    ax = fig.add_subplot()
    t, n = table.values("T"), table.values("n")
    shown = np.where(table.values("significant") >= 0.5, n, np.nan)
    std = std_column(table, "n")
    curves = [c for c in _curves(table, "delta_h") if np.isfinite(n[c[1]]).any()]
    for (dh, rows), color in zip(curves, viridis_colors(len(curves)), strict=True):
        ax.plot(t[rows], n[rows], color=color, lw=0.6, alpha=0.3)
        std_band(ax, t[rows], shown[rows], None if std is None else std[rows], color)
        ax.plot(t[rows], shown[rows], color=color, lw=1.4, label=f"{dh:.3g} T")
    for level in (2 / 3, 1.0, 2.0):
        ax.axhline(level, color="0.6", lw=0.8, ls=":")
    if np.isfinite(shown).any():
        ax.set_ylim(
            min(0.0, float(np.nanmin(shown))) - 0.2, max(2.2, float(np.nanmax(shown))) + 0.3
        )
    ax.set_xlabel(axis_label("T", "K"))
    ax.set_ylabel(axis_label("n = d ln|ΔS_M| / d ln ΔH", "dimensionless"))
    ax.set_title("Field exponent (bold where |ΔS_M| is significant; n > 2: first order)")
    if len(curves) <= 12:
        ax.legend(title="µ0ΔH", fontsize="small")
    return fig
