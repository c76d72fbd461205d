"""The exact answer of a synthetic dataset, set beside a property the report shows.

A twin trained on a registry dataset made by a generator of :mod:`reanalyze.synthetic` (the
demo's ``synthetic_magnet``) has a known answer: the generator evaluates the noise-free
physics on any grid. :func:`synthetic_generator` finds the generator from the dataset's name;
:func:`magnetocaloric_exact` evaluates the exact ΔS_M on the temperatures of a magnetocaloric
result folder for a few of its field changes. Only :mod:`reanalyze.report.collect` calls them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reanalyze.arrays import FloatArray
from reanalyze.plotting import representatives

__all__ = ["EXACT_T_STEP", "ExactCurve", "magnetocaloric_exact", "synthetic_generator"]

#: Temperature step (K) of the grid on which the exact maximum and its temperature are found.
EXACT_T_STEP = 0.01
#: Field changes compared with the exact answer (the largest is always one).
COMPARED = 3


@dataclass
class ExactCurve:
    """−ΔS_M(T) of one field change: the twin's ensemble mean and std, and the exact curve.

    ``t`` in K, the others in the result's ΔS_M unit. ``twin_peak`` (± ``twin_peak_std``)
    at ``twin_t_peak`` is the result's own |ΔS_M|max (the ``peaks`` table: the members' peaks
    averaged, as in the summary), else the largest value of the mean curve; ``exact_peak`` and
    ``exact_t_peak``
    from the exact curve on a grid of :data:`EXACT_T_STEP` within two steps of ``t`` around
    the largest value on ``t``.
    """

    delta_h: float  # T
    t: FloatArray
    twin: FloatArray
    std: FloatArray | None
    exact: FloatArray
    exact_peak: float
    exact_t_peak: float
    twin_peak: float
    twin_peak_std: float | None
    twin_t_peak: float


def synthetic_generator(dataset: str) -> tuple[str, Any] | None:
    """``(generator name, generator)`` of a registry dataset made by one, else None."""
    from reanalyze.errors import ReanalyzeError
    from reanalyze.registry import load_registry
    from reanalyze.synthetic import GENERATORS

    try:
        entry = load_registry().dataset(dataset)
    except (ReanalyzeError, KeyError):
        return None
    name = getattr(entry.source, "generator", None)
    if getattr(entry.source, "kind", "") != "synthetic" or name not in GENERATORS:
        return None
    return str(name), GENERATORS[str(name)]()


def magnetocaloric_exact(folder: Path, generator: Any) -> tuple[str, list[ExactCurve]] | None:
    """The exact −ΔS_M beside a magnetocaloric result's curves (None: nothing to compare).

    The result's table ``tables/delta_s_m.csv`` gives, per field change µ0ΔH up to the
    field µ0H, the twin's ΔS_M(T); the exact one is ``S(T, H) − S(T, H − ΔH)`` of the
    generator, which holds for every low-field treatment of the plugin (ΔH = H, or H minus
    the lowest field). Returns the ΔS_M unit and :data:`COMPARED` field changes, the largest
    last. None when the generator knows no ΔS_M, the table is missing or its unit is not an
    entropy change per mass.
    """
    from reanalyze.errors import ReanalyzeError
    from reanalyze.load import load_file
    from reanalyze.properties.base import std_column
    from reanalyze.units import convert

    file = folder / "tables" / "delta_s_m.csv"
    if not hasattr(generator, "delta_s_m") or not file.is_file():
        return None
    try:
        table = load_file(file)
        unit = table.unit("delta_s_m")
        factor = float(convert(1.0, "J/(kg*K)", unit))
        to_oe = float(convert(1.0, "T", "Oe", kind="magnetic_field"))
    except (ReanalyzeError, KeyError):
        return None
    peaks = _peaks(folder / "tables" / "peaks.csv")
    t, upper, change = table.values("T"), table.values("H"), table.values("delta_h")
    s, std = table.values("delta_s_m"), std_column(table, "delta_s_m")
    changes = np.unique(change)
    curves = []
    for i in representatives(changes, COMPARED):
        rows = change == changes[i]
        order = np.argsort(t[rows])
        temps, field = t[rows][order], float(upper[rows][0])

        def exact(
            temps: FloatArray, field: float = field, dh: float = float(changes[i])
        ) -> FloatArray:
            h, h0 = np.full_like(temps, field * to_oe), np.full_like(temps, (field - dh) * to_oe)
            values = generator.delta_s_m(temps, h) - generator.delta_s_m(temps, h0)
            return np.asarray(-factor * values, dtype=np.float64)

        coarse = exact(temps)
        top = float(temps[int(np.nanargmax(coarse))])  # refine around the grid's maximum
        step = float(np.median(np.diff(temps))) if temps.size > 1 else 1.0
        fine = np.arange(
            max(float(temps.min()), top - 2 * step),
            min(float(temps.max()), top + 2 * step) + EXACT_T_STEP / 2,
            EXACT_T_STEP,
        )
        exact_fine = exact(fine)
        peak = int(np.nanargmax(exact_fine))
        twin, twin_std = -s[rows][order], None if std is None else std[rows][order]
        top_i = int(np.nanargmax(twin))
        own = peaks.get(round(float(changes[i]), 9))
        twin_peak, peak_std, t_peak = own or (
            float(twin[top_i]),
            None if twin_std is None else float(twin_std[top_i]),
            float(temps[top_i]),
        )
        curves.append(
            ExactCurve(
                delta_h=float(changes[i]),
                t=temps,
                twin=twin,
                std=twin_std,
                exact=coarse,
                exact_peak=float(exact_fine[peak]),
                exact_t_peak=float(fine[peak]),
                twin_peak=twin_peak,
                twin_peak_std=peak_std,
                twin_t_peak=t_peak,
            )
        )
    return unit, curves


def _peaks(file: Path) -> dict[float, tuple[float, float | None, float]]:
    """µ0ΔH (T) → (|ΔS_M|max, its std or None, T_peak) of a ``peaks`` table ({} without)."""
    from reanalyze.errors import ReanalyzeError
    from reanalyze.load import load_file
    from reanalyze.properties.base import std_column

    if not file.is_file():
        return {}
    try:
        table = load_file(file)
        change, height = table.values("delta_h"), table.values("delta_s_max")
        t_peak, std = table.values("t_peak"), std_column(table, "delta_s_max")
    except (ReanalyzeError, KeyError):
        return {}
    return {
        round(float(dh), 9): (
            float(height[k]),
            None if std is None else float(std[k]),
            float(t_peak[k]),
        )
        for k, dh in enumerate(change)
    }
