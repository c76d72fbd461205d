"""Figure helpers shared by every figure reanalyze draws (report, plan, validation, plugins).

Colours along the viridis map, axis labels that always carry a unit, and the ± std band an
ensemble result draws around a curve. The figures are :class:`matplotlib.figure.Figure`
objects, never pyplot state; matplotlib is imported only when a colour or a band is drawn.

Examples
--------
>>> axis_label("T", "K"), axis_label("n", ""), axis_label("n", "dimensionless")
('T (K)', 'n (dimensionless)', 'n (dimensionless)')
>>> len(viridis_colors(3))
3
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["axis_label", "std_band", "viridis_colors"]

FloatArray = npt.NDArray[np.float64]


def axis_label(name: str, unit: str) -> str:
    """``"name (unit)"``; an empty unit (or ``"dimensionless"``) reads ``(dimensionless)``."""
    return f"{name} ({unit or 'dimensionless'})"


def viridis_colors(count: int, stop: float = 0.9) -> list[tuple[float, float, float, float]]:
    """``count`` RGBA colours evenly along viridis from 0 to ``stop`` (``[]`` for 0)."""
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    return [cmap(float(x)) for x in np.linspace(0.0, stop, max(count, 1))][:count]


def std_band(
    ax: Axes,
    x: FloatArray,
    y: FloatArray,
    std: FloatArray | None,
    color: Any = None,
    alpha: float = 0.25,
    **style: Any,
) -> None:
    """Shade ``y ± std`` (nothing when ``std`` is None: not an ensemble result).

    ``color`` None takes the axes' next colour; ``style`` goes to ``fill_between`` (a
    ``label``).
    """
    if std is None:
        return
    if color is not None:
        style["color"] = color
    ax.fill_between(x, y - std, y + std, alpha=alpha, linewidth=0, **style)
