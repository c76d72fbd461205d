"""The figures the GUI draws itself: scan lines, learning curves, simulated maps and lines.

Every figure is a :class:`matplotlib.figure.Figure` (no pyplot state, safe in the server's
threads) and every axis carries its unit in conventional notation
(:func:`reanalyze.plotting.label_axis`, prefixed to the values). Figures
of plugins, plans and validations are drawn by the library and shown as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from reanalyze.arrays import FloatArray
from reanalyze.plotting import label_axis, std_band, viridis_colors
from reanalyze.table import UnitTable
from reanalyze.units import pretty_unit

__all__ = ["learning_figure", "lines_figure", "map_figures", "pick_lines", "scan_figure"]

#: Most scan lines drawn in one figure.
MAX_LINES = 12


def _label(axis: Any, table: UnitTable, name: str) -> None:
    label_axis(axis, name, table.unit(name))


def _figure(width: float = 7.0, height: float = 4.2) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def pick_lines(values: FloatArray, limit: int = MAX_LINES) -> FloatArray:
    """At most ``limit`` distinct values of ``values``, spread over their range."""
    distinct = np.unique(values[np.isfinite(values)])
    if len(distinct) <= limit:
        return distinct
    return distinct[np.unique(np.linspace(0, len(distinct) - 1, limit).round().astype(int))]


def scan_figure(table: UnitTable, x: str, y: str, lines: str | None) -> Any:
    """``y`` against ``x``, one curve per value of ``lines`` (the slow axis), measured points."""
    fig = _figure()
    ax = fig.add_subplot()
    xs, ys = table.values(x), table.values(y)
    if lines is None or lines == x:
        order = np.argsort(xs)
        ax.plot(xs[order], ys[order], ".-", ms=3, lw=0.8)
    else:
        slow = table.values(lines)
        chosen = pick_lines(slow)
        unit = pretty_unit(table.unit(lines))
        for value, colour in zip(chosen, viridis_colors(len(chosen)), strict=True):
            here = slow == value
            order = np.argsort(xs[here])
            ax.plot(
                xs[here][order],
                ys[here][order],
                ".-",
                ms=3,
                lw=0.8,
                color=colour,
                label=f"{value:g} {unit}".strip(),
            )
        shown = "" if len(chosen) == len(np.unique(slow)) else f" ({len(chosen)} shown)"
        ax.legend(fontsize="small", title=f"{lines}{shown}", ncols=2 if len(chosen) > 6 else 1)
    _label(ax.xaxis, table, x)
    _label(ax.yaxis, table, y)
    ax.set_title(f"{y} scan lines", fontsize=10)
    return fig


def learning_figure(curves: Sequence[tuple[int, Sequence[float], Sequence[float]]]) -> Any:
    """Loss (solid) and held-out loss (dashed) per epoch of the best trials."""
    fig = _figure(7.0, 3.6)
    ax = fig.add_subplot()
    for (number, loss, val), colour in zip(curves, viridis_colors(len(curves)), strict=True):
        ax.plot(np.arange(1, len(loss) + 1), loss, "-", color=colour, label=f"trial {number}")
        if len(val):
            ax.plot(np.arange(1, len(val) + 1), val, "--", color=colour)
    ax.set_yscale("log")
    ax.set_xlabel("epoch (count)")
    ax.set_ylabel("loss: MSE of the standardized target (dimensionless)")
    ax.set_title("learning curves of the best trials (dashed: held-out lines)", fontsize=10)
    ax.legend(fontsize="small")
    return fig


def map_figures(table: UnitTable, x: str, y: str, target: str) -> list[Any]:
    """Maps of the ensemble mean and spread of ``target`` over the grid of ``x`` and ``y``.

    Only for a full grid of two axes with two or more values each; ``[]`` otherwise.
    """
    xs, ys = np.unique(table.values(x)), np.unique(table.values(y))
    if len(xs) < 2 or len(ys) < 2 or len(xs) * len(ys) != len(table):
        return []
    std_name = f"{target}_std"
    out = []
    layers = [(target, "ensemble mean", "viridis")]
    if std_name in table.columns:
        layers.append((std_name, "ensemble spread (1σ)", "magma"))
    ix = np.searchsorted(xs, table.values(x))
    iy = np.searchsorted(ys, table.values(y))
    for name, title, cmap in layers:
        grid = np.full((len(ys), len(xs)), np.nan)
        grid[iy, ix] = table.values(name)
        fig = _figure(6.0, 4.2)
        ax = fig.add_subplot()
        mesh = ax.pcolormesh(xs, ys, grid, shading="nearest", cmap=cmap)
        bar = fig.colorbar(mesh, ax=ax)
        label_axis(bar.long_axis, f"{target} {title.split(' (')[0]}", table.unit(name))
        _label(ax.xaxis, table, x)
        _label(ax.yaxis, table, y)
        ax.set_title(f"{target}: {title}", fontsize=10)
        out.append(fig)
    return out


def lines_figure(
    simulated: UnitTable,
    fast: str,
    slow: str | None,
    target: str,
    measured: UnitTable | None = None,
    values: Sequence[float] | None = None,
) -> Any:
    """Simulated lines (mean ± ensemble spread) along ``fast`` and the measured lines.

    One line per value of ``slow`` (``values``, default up to :data:`MAX_LINES` spread over
    the grid); a measured line is drawn where the training table has the same ``slow``
    value (within 10⁻⁶ of its range).
    """
    fig = _figure()
    ax = fig.add_subplot()
    x = simulated.values(fast)
    y = simulated.values(target)
    std_name = f"{target}_std"
    std = simulated.values(std_name) if std_name in simulated.columns else None
    if slow is None or slow == fast:
        groups: list[tuple[str, FloatArray, float | None]] = [("twin", np.ones(len(x), bool), None)]
    else:
        s = simulated.values(slow)
        chosen = np.asarray(values if values is not None else pick_lines(s), dtype=np.float64)
        unit = pretty_unit(simulated.unit(slow))
        groups = [
            (f"{v:g} {unit}".strip(), np.isclose(s, v, rtol=1e-9, atol=0), float(v)) for v in chosen
        ]
    colours = viridis_colors(len(groups))
    for (label, here, value), colour in zip(groups, colours, strict=True):
        order = np.argsort(x[here])
        xx, yy = x[here][order], y[here][order]
        ax.plot(xx, yy, "-", color=colour, lw=1.4, label=label)
        std_band(ax, xx, yy, None if std is None else std[here][order], colour, 0.25)
        if measured is not None and value is not None and slow in measured.columns:
            ms = measured.values(slow, simulated.unit(slow))
            tol = 1e-6 * max(float(np.ptp(ms)), abs(value), 1e-300)
            mine = np.abs(ms - value) <= tol
            if mine.any() and fast in measured.columns and target in measured.columns:
                mx = measured.values(fast, simulated.unit(fast))[mine]
                my = measured.values(target, simulated.unit(target))[mine]
                ax.plot(mx, my, "o", ms=2.5, color=colour, mec="black", mew=0.3)
    _label(ax.xaxis, simulated, fast)
    _label(ax.yaxis, simulated, target)
    title = "twin: mean ± ensemble spread (lines, bands)"
    ax.set_title(title + (", measured (points)" if measured is not None else ""), fontsize=10)
    if len(groups) > 1 or groups[0][2] is not None:
        ax.legend(fontsize="small", title=slow, ncols=2 if len(groups) > 6 else 1)
    return fig
