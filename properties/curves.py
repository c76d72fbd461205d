"""The convergence curve of a plugin's result, taken from one of its tables.

Every built-in plugin's :meth:`~reanalyze.properties.base.PropertyPlugin.convergence_curve`
is one column of a result table against another, over some of its rows, sorted along the
abscissa, with the ensemble std of the values when the table has it: :func:`table_curve`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from reanalyze.properties.base import Curve, std_column
from reanalyze.table import UnitTable

__all__ = ["table_curve"]


def table_curve(
    table: UnitTable,
    x: str,
    y: str,
    *,
    y_name: str,
    rows: npt.NDArray[np.bool_] | None = None,
    sign: float = 1.0,
) -> Curve:
    """The curve ``sign · y`` against ``x`` of ``table``'s ``rows``, sorted by ``x``.

    Parameters
    ----------
    table
        A result table (of an ensemble result: with a ``<y>_std`` column).
    x, y
        Column names of the abscissa and the values; the curve takes their units.
    y_name
        What the values are, for labels (e.g. ``"−ΔS_M at µ0ΔH = 5 T"``).
    rows
        A boolean mask of the rows on the curve (default: all).
    sign
        ``-1.0`` for a curve of the negated column (its std is unchanged).

    Returns
    -------
    Curve
        ``x`` increasing (a stable sort), with the std of ``y`` on the same rows, if any.
    """
    chosen = slice(None) if rows is None else rows
    xs = table.values(x)[chosen]
    order = np.argsort(xs, kind="stable")
    std = std_column(table, y)
    return Curve(
        x=xs[order],
        y=sign * table.values(y)[chosen][order],
        x_name=x,
        x_unit=table.unit(x),
        y_name=y_name,
        y_unit=table.unit(y),
        std=None if std is None else std[chosen][order],
    )
