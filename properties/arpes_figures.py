"""Figures of an :class:`~reanalyze.properties.arpes.ArpesMap` result.

:class:`matplotlib.figure.Figure` objects (constrained layout) with units in conventional
notation on every axis and the colour bar;
ensemble results (``<column>_std`` columns) get ± std bands and error bars.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from reanalyze.plotting import label_axis
from reanalyze.properties.base import PropertyResult, std_column
from reanalyze.table import UnitTable
from reanalyze.units import pretty_unit

__all__ = ["angle_map_figure", "arpes_figures", "fermi_surface_figure", "mdc_figure"]

FloatArray = npt.NDArray[np.float64]


def arpes_figures(result: PropertyResult) -> dict[str, Figure]:
    """``angle_map``, ``fermi_surface`` (k image with the MDC peaks) and ``mdc``."""
    return {
        "angle_map": angle_map_figure(result),
        "fermi_surface": fermi_surface_figure(result),
        "mdc": mdc_figure(result),
    }


def _image(table: UnitTable, x: str, y: str, z: str) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Grid axes and the (ny, nx) image of a table stored y outer, x inner."""
    ny, nx = table.metadata["shape"]
    xs = table.values(x)[:nx]
    ys = table.values(y)[::nx]
    return xs, ys, table.values(z).reshape(ny, nx)


def _table_unit(result: PropertyResult, name: str, column: str) -> str:
    """The unit of ``column`` of table ``name`` of ``result``."""
    return result.tables[name].unit(column)


def _intensity_map(
    result: PropertyResult, name: str, x: str, y: str, size: tuple[float, float]
) -> tuple[Figure, Axes, UnitTable]:
    """A figure of the image of table ``name`` with a colour bar labelled I (unit).

    Returns the figure, its axes and the ``mdc_peaks`` table to draw on it.
    """
    table = result.tables[name]
    xs, ys, image = _image(table, x, y, "I")
    fig = Figure(figsize=size, layout="constrained")
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(xs, ys, np.ma.masked_invalid(image), shading="auto", cmap="viridis")
    bar = fig.colorbar(mesh, ax=ax)
    label_axis(bar.long_axis, "I", table.unit("I"))
    return fig, ax, result.tables["mdc_peaks"]


def angle_map_figure(result: PropertyResult) -> Figure:
    """The resampled I(θ1, θ2) (degree) with the MDC peaks; NaN outside the cone blank."""
    fig, ax, peaks = _intensity_map(result, "angle_map", "theta1", "theta2", (6.4, 4.8))
    ax.plot(peaks.values("theta1"), peaks.values("theta2"), "r.", ms=3, label="MDC peaks")
    label_axis(ax.xaxis, "θ1", _table_unit(result, "angle_map", "theta1"))
    label_axis(ax.yaxis, "θ2", _table_unit(result, "angle_map", "theta2"))
    ax.set_title("resampled angle map (NaN outside the cone blank)")
    ax.legend(loc="upper right", fontsize="small")
    return fig


def fermi_surface_figure(result: PropertyResult) -> Figure:
    """I(kx, ky) (1/angstrom) with the MDC peaks (± std for an ensemble)."""
    fig, ax, peaks = _intensity_map(result, "k_map", "kx", "ky", (7.0, 4.8))
    xerr, yerr = std_column(peaks, "kx"), std_column(peaks, "ky")
    ax.errorbar(
        peaks.values("kx"),
        peaks.values("ky"),
        xerr=xerr,
        yerr=yerr,
        fmt="r.",
        ms=3,
        elinewidth=0.8,
        label="MDC peaks" + (" (± std)" if xerr is not None else ""),
    )
    label_axis(ax.xaxis, "k$_x$", _table_unit(result, "k_map", "kx"))
    label_axis(ax.yaxis, "k$_y$", _table_unit(result, "k_map", "ky"))
    ax.set_aspect("equal", adjustable="box")
    ax.set_title("Fermi-surface map in k space")
    ax.legend(loc="upper right", fontsize="small")
    return fig


def mdc_figure(result: PropertyResult, n_curves: int = 5) -> Figure:
    """``n_curves`` MDCs I(θ1) (degree) offset in intensity, with their peaks (▼)."""
    table = result.tables["angle_map"]
    peaks = result.tables["mdc_peaks"]
    t1, t2, image = _image(table, "theta1", "theta2", "I")
    std = std_column(table, "I")
    std_image = std.reshape(image.shape) if std is not None else None
    angle = pretty_unit(table.unit("theta2"))
    rows = np.unique(np.linspace(0, t2.size - 1, min(n_curves, t2.size)).round().astype(int))
    finite = image[np.isfinite(image)]
    offset = float(np.ptp(finite)) * 0.6 if finite.size else 1.0
    fig = Figure(figsize=(6.4, 5.6), layout="constrained")
    ax = fig.add_subplot()
    for j, row in enumerate(rows):
        shift = j * offset
        (line,) = ax.plot(t1, image[row] + shift, lw=0.8, label=f"θ2 = {t2[row]:.3g} {angle}")
        if std_image is not None:
            ax.fill_between(
                t1,
                image[row] - std_image[row] + shift,
                image[row] + std_image[row] + shift,
                color=line.get_color(),
                alpha=0.3,
                lw=0,
            )
        here = np.isclose(peaks.values("theta2"), t2[row])
        ax.plot(
            peaks.values("theta1")[here],
            peaks.values("I")[here] + shift,
            "v",
            color=line.get_color(),
            ms=5,
        )
    label_axis(ax.xaxis, "θ1", _table_unit(result, "angle_map", "theta1"))
    label_axis(ax.yaxis, "I + offset", table.unit("I"))
    ax.set_title("MDCs with peaks (▼)" + (" and ± std band" if std_image is not None else ""))
    ax.legend(fontsize="small")
    return fig
