"""The report's matplotlib figures, drawn from arrays and returned as PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from reanalyze.plotting import axis_label, std_band, viridis_colors

__all__ = ["DPI", "DrawnLine", "curve_png", "grid_png", "learning_png", "training_png"]

Array = npt.NDArray[np.float64]
DPI = 110


def _new_figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return buffer.getvalue()


@dataclass
class DrawnLine:
    """One scan line of the training figure: measured points and the twin along it."""

    label: str
    x: Array  # measured fast-axis values
    y: Array  # measured target
    residual: Array  # measured − twin at x
    dense: Array  # DENSE_POINTS fast-axis values
    mean: Array  # the twin's ensemble mean at dense
    std: Array  # its ensemble standard deviation


def training_png(
    lines: Sequence[DrawnLine], target: str, target_unit: str, fast: str, fast_unit: str
) -> bytes:
    """Measured dots and the twin's band per line (top); residuals measured − twin (bottom)."""
    fig = _new_figure(8.0, 7.0)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3.0, 1.3])
    for line, colour in zip(lines, viridis_colors(len(lines)), strict=True):
        order = np.argsort(line.x)
        top.plot(line.x, line.y, "o", ms=2.5, color=colour, label=line.label)
        top.plot(line.dense, line.mean, "-", lw=1.2, color=colour)
        std_band(top, line.dense, line.mean, line.std, colour)
        bottom.plot(line.x[order], line.residual[order], ".-", ms=2.5, lw=0.6, color=colour)
    top.set_ylabel(axis_label(target, target_unit))
    top.legend(fontsize="small", ncol=2, title="measured (dots), twin mean ± std (line, band)")
    bottom.axhline(0.0, color="0.4", lw=0.8)
    bottom.set_xlabel(axis_label(fast, fast_unit))
    bottom.set_ylabel(axis_label(f"{target} measured − twin", target_unit))
    return _png(fig)


def learning_png(curves: Sequence[tuple[int, Array, Array]]) -> bytes:
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
    return _png(fig)


def curve_png(
    x: Array,
    mean: Array,
    std: Array,
    measured: tuple[Array, Array] | None,
    xlabel: str,
    ylabel: str,
) -> bytes:
    """The twin of one feature: mean with its ± std band, and the measured points."""
    fig = _new_figure(8.0, 4.5)
    ax = fig.subplots()
    std_band(ax, x, mean, std, alpha=0.3, label="± std")
    ax.plot(x, mean, "-", label="twin mean")
    if measured is not None:
        ax.plot(measured[0], measured[1], "k.", ms=2, label="measured")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize="small")
    return _png(fig)


def grid_png(
    mesh: tuple[Array, Array],
    mean: Array,
    std: Array,
    names: tuple[str, str, str],
    units: tuple[str, str, str],
    measured: tuple[Array, Array] | None,
) -> bytes:
    """Mean (left) and ensemble std (right) of the target on a (fast, slow) grid.

    ``names`` and ``units`` are those of (target, fast, slow); ``measured`` the measured
    (fast, slow) points, drawn as white dots on the std.
    """
    (target, fast, slow), (tu, fu, su) = names, units
    fig = _new_figure(11.0, 4.5)
    left, right = fig.subplots(1, 2, sharey=True)
    for ax, values, title, bar, cmap in (
        (left, mean, f"{target}: ensemble mean", target, "viridis"),
        (right, std, f"{target}: ensemble standard deviation", f"std of {target}", "magma"),
    ):
        image = ax.pcolormesh(mesh[0], mesh[1], values, shading="auto", cmap=cmap)
        fig.colorbar(image, ax=ax, label=axis_label(bar, tu))
        ax.set_xlabel(axis_label(fast, fu))
        ax.set_title(title)
    left.set_ylabel(axis_label(slow, su))
    if measured is not None:
        right.plot(measured[0], measured[1], ".", ms=1.5, color="white")
    return _png(fig)
