"""Figures of an :class:`~reanalyze.properties.arpes.ArpesMap` result.

:class:`matplotlib.figure.Figure` objects (constrained layout) with units in conventional
notation on every axis and the colour bar;
ensemble results (``<column>_std`` columns) get ± std bands and error bars.

MDC peaks of an ensemble whose members disagree (:func:`unresolved_peaks`) are not measured
Fermi-surface points: both maps draw them hollow and faint, without error bars, and the
legend counts them. The tables keep every peak.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from scipy.signal import peak_widths

from reanalyze.arrays import BoolArray, FloatArray
from reanalyze.plotting import label_axis
from reanalyze.properties.base import PropertyResult, std_column
from reanalyze.table import UnitTable
from reanalyze.units import pretty_unit

if TYPE_CHECKING:
    from matplotlib.axes._base import _AxesBase  # the type set_axes_locator expects
    from matplotlib.backend_bases import RendererBase

__all__ = [
    "UNRESOLVED_WIDTHS",
    "angle_map_figure",
    "arpes_figures",
    "fermi_surface_figure",
    "grid_value_text",
    "mdc_figure",
    "mdc_fwhm",
    "unresolved_peaks",
]


#: An ensemble MDC peak is unresolved when its θ1 std exceeds this many typical MDC FWHMs.
UNRESOLVED_WIDTHS = 1.0

#: Grid values closer than this fraction of the grid step to a rounded value are that value.
_GRID_TOLERANCE = 1e-6


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


# ----------------------------------------------------------------------- grid values
def _grid_decimals(grid: FloatArray) -> int:
    """Fewest decimals (0 … 9) that write every value of ``grid`` to within 10⁻⁶ of its step.

    A grid ``lo + i·step`` carries floating-point noise (a step measured from the data as
    0.20000000000000007 puts 5.33e−15 where 0 belongs); its values have as many decimals as
    ``lo`` and ``step`` (−15:15:0.2 → 1).
    """
    values = np.unique(grid[np.isfinite(grid)])
    if values.size < 2:
        return 6
    tolerance = _GRID_TOLERANCE * float(np.min(np.diff(values)))
    for decimals in range(10):
        if np.all(np.abs(np.round(values, decimals) - values) <= tolerance):
            return decimals
    return max(0, min(9, 2 - math.floor(math.log10(float(np.min(np.diff(values)))))))


def grid_value_text(value: float, grid: FloatArray) -> str:
    """``value`` of ``grid`` (any unit) written with the grid's decimals, no trailing zeros.

    Values zero to rounding read ``0`` (never ``5.33e-15`` or ``-0``).

    Examples
    --------
    >>> grid = -15 + 0.2 * np.arange(151)
    >>> [grid_value_text(v, grid) for v in (grid[0], grid[38], grid[75])]
    ['-15', '-7.4', '0']
    """
    decimals = _grid_decimals(np.asarray(grid, dtype=np.float64))
    text = f"{round(float(value), decimals) + 0.0:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# ----------------------------------------------------------------------- unresolved peaks
def _cut_fwhm(theta1: FloatArray, cut: FloatArray, centres: FloatArray) -> FloatArray:
    """FWHM at half prominence (unit of ``theta1``) of the maxima of ``cut`` nearest ``centres``.

    As in the peak search (:func:`scipy.signal.peak_widths`); NaN intensities count as the
    cut's minimum, and a centre with no local maximum within two grid points gives none.
    """
    finite = np.isfinite(cut)
    if centres.size == 0 or finite.sum() < 3:
        return np.empty(0)
    filled = np.where(finite, cut, np.nanmin(cut))
    step = abs(float(theta1[1] - theta1[0]))
    near = np.clip(np.round((centres - theta1[0]) / (theta1[1] - theta1[0])), 0, cut.size - 1)
    tops = []
    for i in near.astype(int):
        lo, hi = max(i - 2, 0), min(i + 3, cut.size)
        top = lo + int(np.argmax(filled[lo:hi]))
        if 0 < top < cut.size - 1 and filled[top] >= max(filled[top - 1], filled[top + 1]):
            tops.append(top)
    if not tops:
        return np.empty(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # zero-prominence tops: width 0
        widths = peak_widths(filled, np.unique(tops), rel_height=0.5)[0] * step
    return np.asarray(widths[widths > 0], dtype=np.float64)


def mdc_fwhm(result: PropertyResult) -> float:
    """Median FWHM (degree, the unit of θ1) of the MDC peaks on the (mean) angle map.

    NaN when no peak has a measurable width.
    """
    theta1, _, image = _image(result.tables["angle_map"], "theta1", "theta2", "I")
    if theta1.size < 3:
        return math.nan
    peaks = result.tables["mdc_peaks"].values("theta1").reshape(image.shape[0], -1)
    widths = [
        _cut_fwhm(theta1, cut, row[np.isfinite(row)]) for cut, row in zip(image, peaks, strict=True)
    ]
    every = np.concatenate(widths) if widths else np.empty(0)
    return float(np.median(every)) if every.size else math.nan


def unresolved_peaks(result: PropertyResult) -> tuple[BoolArray, float]:
    """Rows of ``mdc_peaks`` whose ensemble members disagree, and the θ1 std limit (degree).

    A peak is unresolved when its θ1 standard deviation over the members exceeds
    :data:`UNRESOLVED_WIDTHS` × the typical MDC width (:func:`mdc_fwhm`, the median FWHM of
    the map's peaks), or when only one member found it (std NaN, mean finite). Members whose
    positions scatter by more than a peak's own width do not see the same peak — their peaks
    no longer overlap at half maximum (the mean distance between two of them, 1.13 σ, exceeds
    the FWHM, the usual limit for telling two lines apart), so the mean position is no
    Fermi crossing and a ± std bar would span unrelated features. The scale is the data's
    own: noise moves a real peak by a small fraction of its width (0.01–0.1 FWHM), a
    disagreement of the members by several widths up to the whole θ1 range.

    A single result (no ``theta1_std``) has none; without a measurable width the limit is NaN
    and only the peaks found by one member are unresolved.
    """
    peaks = result.tables["mdc_peaks"]
    theta1 = peaks.values("theta1")
    std = std_column(peaks, "theta1")
    if std is None:
        return np.zeros(theta1.size, dtype=bool), math.nan
    limit = UNRESOLVED_WIDTHS * mdc_fwhm(result)
    found = np.isfinite(theta1)
    lone = found & ~np.isfinite(std)
    with np.errstate(invalid="ignore"):
        spread = found & (std > limit)
    return lone | spread, limit


def _unresolved_label(count: int, limit: float, unit: str, drawn: str) -> str:
    """Legend entry of the ``count`` unresolved peaks (``limit`` in ``unit``), ``drawn`` how."""
    by = f"θ1 std > {limit:.2g} {unit}, the MDC FWHM" if math.isfinite(limit) else "one member"
    return f"{count} peaks where the members disagree ({by}): {drawn}"


# ----------------------------------------------------------------------- figures
def _intensity_map(
    result: PropertyResult, name: str, x: str, y: str, size: tuple[float, float]
) -> tuple[Figure, Axes, UnitTable]:
    """A figure of the image of table ``name`` with a colour bar labelled I (unit).

    The colour bar spans the height of the image's axes (also with an equal aspect ratio).
    Returns the figure, its axes and the ``mdc_peaks`` table to draw on it.
    """
    table = result.tables[name]
    xs, ys, image = _image(table, x, y, "I")
    fig = Figure(figsize=size, layout="constrained")
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(xs, ys, np.ma.masked_invalid(image), shading="auto", cmap="viridis")
    bar = fig.colorbar(mesh, ax=ax)
    _as_tall_as(bar.ax, ax)
    label_axis(bar.long_axis, "I", table.unit("I"))
    return fig, ax, result.tables["mdc_peaks"]


def _as_tall_as(bar: Axes, ax: Axes) -> None:
    """Give colour bar ``bar`` the height of ``ax`` as drawn, also when ``ax`` has an equal
    aspect ratio and the layout's slot is taller; the layout keeps choosing its width."""

    def locate(cax: _AxesBase, renderer: RendererBase) -> Bbox:
        ax.apply_aspect()
        slot, box = cax.get_position(original=True), ax.get_position(original=False)
        return Bbox.from_extents(slot.x0, box.y0, slot.x1, box.y1)

    bar.set_axes_locator(locate)


def _draw_unresolved(
    ax: Axes,
    x: FloatArray,
    y: FloatArray,
    unresolved: BoolArray,
    limit: float,
    unit: str,
    drawn: str = "hollow",
) -> None:
    """The unresolved peaks: hollow, faint, no bars, counted in the legend."""
    if not unresolved.any():
        return
    ax.plot(
        x[unresolved],
        y[unresolved],
        "o",
        mfc="none",
        mec="0.85",
        mew=0.7,
        ms=3.5,
        alpha=0.8,
        label=_unresolved_label(int(unresolved.sum()), limit, unit, drawn),
    )


def _map_legend(fig: Figure, ax: Axes) -> None:
    """The legend of a map below the axes, where it covers no data; the MDC peaks first."""
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: not labels[i].startswith("MDC peaks"))
    fig.legend(
        [handles[i] for i in order],
        [labels[i] for i in order],
        loc="outside lower center",
        fontsize="small",
    )


def angle_map_figure(result: PropertyResult) -> Figure:
    """The resampled I(θ1, θ2) (degree) with the MDC peaks; NaN outside the cone blank."""
    fig, ax, peaks = _intensity_map(result, "angle_map", "theta1", "theta2", (6.4, 5.2))
    unresolved, limit = unresolved_peaks(result)
    t1, t2 = peaks.values("theta1"), peaks.values("theta2")
    ax.plot(t1[~unresolved], t2[~unresolved], "r.", ms=3, label="MDC peaks")
    _draw_unresolved(ax, t1, t2, unresolved, limit, pretty_unit(peaks.unit("theta1")))
    label_axis(ax.xaxis, "θ1", _table_unit(result, "angle_map", "theta1"))
    label_axis(ax.yaxis, "θ2", _table_unit(result, "angle_map", "theta2"))
    ax.set_title("resampled angle map (NaN outside the cone blank)")
    _map_legend(fig, ax)
    return fig


def fermi_surface_figure(result: PropertyResult) -> Figure:
    """I(kx, ky) (1/angstrom) with the MDC peaks (± std for an ensemble).

    Peaks where the ensemble members disagree (:func:`unresolved_peaks`) are drawn hollow
    without bars; the legend counts them and states the limit.
    """
    fig, ax, peaks = _intensity_map(result, "k_map", "kx", "ky", (7.0, 5.2))
    unresolved, limit = unresolved_peaks(result)
    kx, ky = peaks.values("kx"), peaks.values("ky")
    xerr, yerr = std_column(peaks, "kx"), std_column(peaks, "ky")
    ax.errorbar(
        kx[~unresolved],
        ky[~unresolved],
        xerr=None if xerr is None else xerr[~unresolved],
        yerr=None if yerr is None else yerr[~unresolved],
        fmt="r.",
        ms=3,
        elinewidth=0.8,
        label="MDC peaks" + (" (± std)" if xerr is not None else ""),
    )
    unit = pretty_unit(peaks.unit("theta1"))
    _draw_unresolved(ax, kx, ky, unresolved, limit, unit, "hollow, no ± std bars")
    label_axis(ax.xaxis, "k$_x$", _table_unit(result, "k_map", "kx"))
    label_axis(ax.yaxis, "k$_y$", _table_unit(result, "k_map", "ky"))
    ax.set_aspect("equal", adjustable="box")
    ax.set_title("Fermi-surface map in k space")
    _map_legend(fig, ax)
    return fig


def mdc_figure(result: PropertyResult, n_curves: int = 5) -> Figure:
    """``n_curves`` MDCs I(θ1) (degree) offset in intensity, with their peaks (▼).

    The legend (θ2 of each curve, written with the grid's decimals) sits right of the axes.
    """
    table = result.tables["angle_map"]
    peaks = result.tables["mdc_peaks"]
    t1, t2, image = _image(table, "theta1", "theta2", "I")
    std = std_column(table, "I")
    std_image = std.reshape(image.shape) if std is not None else None
    angle = pretty_unit(table.unit("theta2"))
    rows = np.unique(np.linspace(0, t2.size - 1, min(n_curves, t2.size)).round().astype(int))
    finite = image[np.isfinite(image)]
    offset = float(np.ptp(finite)) * 0.6 if finite.size else 1.0
    fig = Figure(figsize=(7.4, 5.6), layout="constrained")
    ax = fig.add_subplot()
    for j, row in enumerate(rows):
        shift = j * offset
        label = f"θ2 = {grid_value_text(t2[row], t2)} {angle}"
        (line,) = ax.plot(t1, image[row] + shift, lw=0.8, label=label)
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
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return fig
