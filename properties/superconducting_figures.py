"""Figures of a :class:`~reanalyze.properties.superconducting.SuperconductingTransport` result.

:class:`matplotlib.figure.Figure` objects (constrained layout) with units in conventional
notation on both axes; ensemble results (``<column>_std`` columns) get ± std bands. More than
:data:`~reanalyze.plotting.MANY_CURVES` field lines get a colour bar, a few bold, the rest faint.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from reanalyze.plotting import CurveFamily, label_axis, std_band, viridis_colors
from reanalyze.properties.base import ENSEMBLE_KEY, PropertyResult, std_column
from reanalyze.table import UnitTable

__all__ = ["curves_figure", "hc2_figure", "is_simulated", "superconducting_figures"]

#: Colours of the field lines and criteria stop short of viridis' light yellow end.
_COLOR_STOP = 0.85


def superconducting_figures(result: PropertyResult, criterion: str) -> dict[str, Figure]:
    """``curves``: R(T) per field; ``hc2``: µ0Hc2(T) points and the fits of ``criterion``."""
    out: dict[str, Figure] = {}
    if "curves" in result.tables:
        curves = result.tables["curves"]
        out["curves"] = curves_figure(curves, simulated=result.members > 1 or is_simulated(curves))
    if "hc2" in result.tables and "hc2_fit" in result.tables:
        out["hc2"] = hc2_figure(result.tables["hc2"], result.tables["hc2_fit"], criterion)
    return out


def is_simulated(table: UnitTable) -> bool:
    """Whether ``table`` comes from a twin's simulation rather than a measurement.

    A twin's simulated table carries :data:`~reanalyze.properties.base.ENSEMBLE_KEY` (and
    ``simulated_by``) in its metadata; a result table aggregated over ensemble members carries
    ``members`` > 1 (only a twin has members).
    """
    meta = table.metadata
    members = meta.get("members", 1)
    ensemble = isinstance(members, int | float) and members > 1
    return ENSEMBLE_KEY in meta or "simulated_by" in meta or ensemble


def curves_figure(curves: UnitTable, *, simulated: bool | None = None) -> Figure:
    """R (unit of the table) vs T (K) per field: input dots, smoothed lines, std bands.

    The title calls the dots measured only for measured input; for a twin's simulation
    (``simulated``, default :func:`is_simulated` of ``curves``) they are the twin's points on
    its simulated grid.
    """
    if simulated is None:
        simulated = is_simulated(curves)
    fig = Figure(figsize=(6.8, 4.6), layout="constrained")
    ax = fig.add_subplot()
    field_t, T, R = curves.values("field"), curves.values("T"), curves.values("R")
    raw = curves.values("R_measured")
    std = std_column(curves, "R")
    unique = np.unique(field_t)
    family = CurveFamily(unique, "µ₀H", curves.unit("field") or "T", stop=_COLOR_STOP)
    for i, value in enumerate(unique):
        sel = field_t == value
        color = family.colors[i]
        ax.plot(T[sel], raw[sel], ".", color=color, ms=2, alpha=0.35)
        ax.plot(T[sel], R[sel], "-", **family.style(i))
        if family.is_bold(i):
            std_band(ax, T[sel], R[sel], None if std is None else std[sel], color)
    label_axis(ax.xaxis, "T", "K")
    label_axis(ax.yaxis, "R", curves.unit("R"))
    family.finish(ax, band=std is not None)
    dots = "twin (simulated grid)" if simulated else "measured"
    ax.set_title(f"Resistive transitions (dots: {dots}, lines: smoothed)")
    return fig


def hc2_figure(points: UnitTable, fit: UnitTable, criterion: str) -> Figure:
    """µ0Hc2 (T) vs T (K): the points of every criterion and the GL and WHH fits."""
    fig = Figure(figsize=(6.0, 4.6), layout="constrained")
    ax = fig.add_subplot()
    labels = points.labels("criterion")
    T, H = points.values("T"), points.values("mu0Hc2")
    T_std = std_column(points, "T")
    names = list(dict.fromkeys(labels))
    for color, name in zip(viridis_colors(len(names), _COLOR_STOP), names, strict=True):
        sel = np.array([lab == name for lab in labels])
        text = "R < kσ" if name == "zero" else f"R/R_n = {name}"
        xerr = T_std[sel] if T_std is not None else None
        ax.errorbar(T[sel], H[sel], xerr=xerr, fmt="o", color=color, ms=4, label=text)
    grid = fit.values("T")
    for column, style, text in (
        ("mu0Hc2_GL", "--", "GL fit"),
        ("mu0Hc2_WHH", "-", "WHH fit"),
    ):
        y = fit.values(column)
        if not np.isfinite(y).any():
            continue
        ax.plot(grid, y, style, color="k", lw=1, label=f"{text} ({criterion})")
        std_band(ax, grid, y, std_column(fit, column), "0.5", alpha=0.3)
    label_axis(ax.xaxis, "T", "K")
    label_axis(ax.yaxis, "µ₀H$_\\mathrm{c2}$", "T")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize="small", frameon=False)
    return fig
