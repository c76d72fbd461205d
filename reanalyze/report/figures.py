"""The report's matplotlib figures, drawn from arrays (:func:`png` turns one into PNG bytes).

Every figure has a constrained layout, axis labels with units in conventional notation,
prefixed to the values drawn (:func:`reanalyze.plotting.label_axis`: ``µJ/K``, not ``1e−6``),
and a legend or colour bar when it draws more than one curve; families of more than
:data:`~reanalyze.plotting.MANY_CURVES` curves get a colour bar and a few bold representatives
(:class:`~reanalyze.plotting.CurveFamily`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from reanalyze.arrays import FloatArray
from reanalyze.plotting import CurveFamily, label_axis, std_band, viridis_colors
from reanalyze.report.exact import ExactCurve

__all__ = [
    "DPI",
    "DrawnLine",
    "MeasuredLine",
    "curve_figure",
    "exact_figure",
    "grid_figure",
    "learning_figure",
    "png",
    "spread_figure",
    "training_figure",
]

DPI = 110
#: Space between the two panels of the grid figure (fraction of the figure's width).
PANEL_GAP = 0.08


def _new_figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def png(figure: Any) -> bytes:
    """The figure as PNG bytes (:data:`DPI`, tight bounding box)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


@dataclass
class DrawnLine:
    """One scan line of the training figure: measured points and the twin along it."""

    label: str
    x: FloatArray  # measured fast-axis values
    y: FloatArray  # measured target
    residual: FloatArray  # measured − twin at x
    dense: FloatArray  # DENSE_POINTS fast-axis values
    mean: FloatArray  # the twin's ensemble mean at dense
    std: FloatArray  # its ensemble standard deviation
    value: float | None = None  # the line's slow-axis value (None: a one-feature twin)


@dataclass
class MeasuredLine:
    """A measured scan line on the simulated grid: its slow-axis value and fast-axis span."""

    value: float
    start: float
    stop: float


def training_figure(
    lines: Sequence[DrawnLine],
    target: str,
    target_unit: str,
    fast: str,
    fast_unit: str,
    slow: tuple[str, str] | None = None,
) -> Any:
    """Measured dots and the twin's band per line (top); residuals measured − twin (bottom).

    ``slow`` is the (name, unit) of the lines' axis; more than
    :data:`~reanalyze.plotting.MANY_CURVES` lines are coloured by it on a colour bar. The
    legend stands outside the axes, to their right, so that it hides no point (scan lines
    fill every corner of the axes in some datasets).
    """
    fig = _new_figure(9.5, 7.0)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3.0, 1.3])
    values = [line.value if line.value is not None else float(i) for i, line in enumerate(lines)]
    name, unit = slow or ("line", "")
    family = CurveFamily(values, name, unit, digits=4)
    for i, line in enumerate(lines):
        colour = family.colors[i]
        order = np.argsort(line.x)
        top.plot(line.x, line.y, "o", ms=2.5, color=colour, label=line.label)
        style = family.style(i, label=line.label if family.is_bold(i) else "_nolegend_")
        if not family.many:
            style["label"] = "_nolegend_"  # the dots carry the legend entry
        else:
            top.lines[-1].set_label("_nolegend_")
        top.plot(line.dense, line.mean, "-", **style)
        if family.is_bold(i):
            std_band(top, line.dense, line.mean, line.std, colour)
        bottom.plot(line.x[order], line.residual[order], ".-", ms=2.5, lw=0.6, color=colour)
    label_axis(top.yaxis, target, target_unit)
    if family.many:
        family.finish([top, bottom], band=True, legend=top, loc="upper left")
        top.set_title("measured (dots), twin mean (line); bold lines with their ± std band")
    else:
        top.legend(
            loc="upper left",
            fontsize="small",
            title="measured (dots),\ntwin mean ± std\n(line, band)",
        )
    outside_right(top.get_legend(), top)
    bottom.axhline(0.0, color="0.4", lw=0.8)
    label_axis(bottom.xaxis, fast, fast_unit)
    label_axis(bottom.yaxis, f"{target} measured − twin", target_unit)
    return fig


def outside_right(legend: Any, ax: Any) -> None:
    """Move an ``upper left`` legend of ``ax`` just outside the axes, to their right.

    The constrained layout makes room for it, so it covers no data whatever the data are.
    """
    legend.set_bbox_to_anchor((1.02, 1.0), transform=ax.transAxes)
    legend.borderaxespad = 0.0


def learning_figure(curves: Sequence[tuple[int, FloatArray, FloatArray]]) -> Any:
    """Loss (solid) and val_loss (dashed) per epoch of trials ``(number, loss, val_loss)``."""
    fig = _new_figure(8.0, 4.5)
    ax = fig.subplots()
    for (number, loss, val), colour in zip(curves, viridis_colors(len(curves)), strict=True):
        ax.plot(np.arange(1, loss.size + 1), loss, "-", color=colour, label=f"#{number}")
        if val.size:
            ax.plot(np.arange(1, val.size + 1), val, "--", color=colour)
    ax.set_yscale("log")
    ax.set_xlabel("epoch (count)")
    ax.set_ylabel("loss: MSE of the standardized target (dimensionless)")
    ax.legend(fontsize="small", title="trial")
    return fig


def curve_figure(
    x: FloatArray,
    mean: FloatArray,
    std: FloatArray,
    measured: tuple[FloatArray, FloatArray] | None,
    xlabel: tuple[str, str],
    ylabel: tuple[str, str],
) -> Any:
    """The twin of one feature: mean with its ± std band, and the measured points.

    ``xlabel`` and ``ylabel`` are (name, unit) of the feature and the target.
    """
    fig = _new_figure(8.0, 4.5)
    ax = fig.subplots()
    std_band(ax, x, mean, std, alpha=0.3, label="± 1 std (ensemble)")
    ax.plot(x, mean, "-", label="twin mean")
    if measured is not None:
        ax.plot(measured[0], measured[1], "k.", ms=2, label="measured")
    label_axis(ax.xaxis, *xlabel)
    label_axis(ax.yaxis, *ylabel)
    ax.legend(fontsize="small")
    return fig


def grid_figure(
    mesh: tuple[FloatArray, FloatArray],
    mean: FloatArray,
    std: FloatArray,
    names: tuple[str, str, str],
    units: tuple[str, str, str],
    lines: Sequence[MeasuredLine] = (),
) -> Any:
    """Mean (left) and ensemble std (right) of the target on a (fast, slow) grid.

    ``names`` and ``units`` are those of (target, fast, slow); ``lines`` the measured scan
    lines, drawn on the std map so that spread between them stands out; the largest std is
    marked (not clipped: it often lies on the edge of the grid). The left colour bar's label
    is kept clear of the right panel by a wider gap between the panels.
    """
    (target, fast, slow), (tu, fu, su) = names, units
    fig = _new_figure(11.0, 4.6)
    fig.get_layout_engine().set(wspace=PANEL_GAP)
    left, right = fig.subplots(1, 2, sharey=True)
    for ax, values, title, bar, cmap in (
        (left, mean, f"{target}: ensemble mean", target, "viridis"),
        (right, std, f"{target}: ensemble std, measured lines", f"std of {target}", "magma"),
    ):
        image = ax.pcolormesh(mesh[0], mesh[1], values, shading="auto", cmap=cmap)
        label_axis(fig.colorbar(image, ax=ax).long_axis, bar, tu)
        label_axis(ax.xaxis, fast, fu)
        ax.set_title(title)
    label_axis(left.yaxis, slow, su)
    if lines:
        right.hlines(
            [line.value for line in lines],
            [line.start for line in lines],
            [line.stop for line in lines],
            colors="#39d0ff",
            lw=0.9,
            label=f"measured lines ({slow})",
        )
    worst = np.unravel_index(int(np.argmax(std)), std.shape)
    right.plot(
        [mesh[0][worst]],
        [mesh[1][worst]],
        "X",
        mfc="white",
        mec="black",
        mew=1.0,
        ms=10,
        clip_on=False,
        zorder=5,
        label="largest std",
    )
    # below the map, so that it hides none of it (the std peaks anywhere)
    right.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    return fig


def spread_figure(
    fast_values: FloatArray,
    between: FloatArray | None,
    on_lines: FloatArray,
    names: tuple[str, str, str],
    units: tuple[str, str, str],
) -> Any:
    """Largest ensemble std over the slow axis at each fast value: between lines vs on them.

    ``between`` is the largest std over the simulated slow values away from the measured
    lines (None: no such value), ``on_lines`` over the measured lines; where the first rises
    above the second the members disagree between the lines, which is where derived
    properties (ΔS_M) can show bumps.
    """
    (target, fast, slow), (tu, fu, _) = names, units
    fig = _new_figure(8.0, 3.6)
    ax = fig.subplots()
    if between is not None:
        ax.plot(fast_values, between, "-", color="C3", lw=1.4, label=f"between the measured {slow}")
    ax.plot(fast_values, on_lines, "-", color="C0", lw=1.2, label=f"on the measured {slow}")
    label_axis(ax.xaxis, fast, fu)
    label_axis(ax.yaxis, f"largest std of {target}", tu)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize="small", title=f"ensemble std, largest over {slow}")
    return fig


def exact_figure(curves: Sequence[ExactCurve], unit: str, generator: str) -> Any:
    """−ΔS_M(T) of the twin (band) against the exact curve (top) and their difference.

    One colour per field change (:class:`~reanalyze.report.exact.ExactCurve`, T); the exact
    curves are black dashed; the bottom panel shows twin − exact with the twin's ± std band.
    """
    from matplotlib.lines import Line2D

    fig = _new_figure(8.0, 6.6)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3.0, 1.6])
    label = "ΔS$_\\mathrm{M}$"
    for curve, colour in zip(curves, viridis_colors(len(curves)), strict=True):
        name = f"twin, µ₀ΔH = {curve.delta_h:.3g} T"
        std_band(top, curve.t, curve.twin, curve.std, colour, alpha=0.35)
        top.plot(curve.t, curve.twin, "-", color=colour, lw=1.5, label=name)
        top.plot(curve.t, curve.exact, "--", color="black", lw=0.9)
        difference = curve.twin - curve.exact
        std_band(bottom, curve.t, difference, curve.std, colour, alpha=0.3)
        bottom.plot(curve.t, difference, "-", color=colour, lw=1.1)
    handles, labels = top.get_legend_handles_labels()
    exact = Line2D([], [], color="black", ls="--", lw=0.9, label=f"exact ({generator})")
    handles.append(exact)
    labels.append(exact.get_label())
    top.legend(handles, labels, fontsize="small", loc="upper left", title="band: ± 1 std")
    label_axis(top.yaxis, f"−{label}", unit)
    top.set_title("The twin against the exact answer of the synthetic magnet")
    bottom.axhline(0.0, color="0.4", lw=0.8)
    label_axis(bottom.xaxis, "T", "K")
    label_axis(bottom.yaxis, "twin − exact", unit)
    return fig
