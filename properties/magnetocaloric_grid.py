"""Measured or simulated M(T, H) rows → M on a common temperature grid, one row per field.

The input stage of :class:`~reanalyze.properties.magnetocaloric.MagnetocaloricEffect`: rows
are grouped into field lines (fields closer than ``field_tolerance`` form one line; its field
is the median), each line is sorted in T with duplicate temperatures averaged, and linearly
interpolated onto an evenly spaced grid spanning the overlap of all lines. The moment is
normalized per mass, per sample or per volume from its unit and the sample mass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from reanalyze.arrays import FloatArray
from reanalyze.errors import DataError, UnitError
from reanalyze.properties.magnetocaloric_physics import interpolate_line, merge_duplicates
from reanalyze.table import UnitTable
from reanalyze.units import parse_unit, ureg

__all__ = ["MagnetizationGrid", "build_grid"]


#: A field line whose fields spread over more than this many tolerances is refused.
_MAX_LINE_SPREAD = 5.0


@dataclass(frozen=True)
class MagnetizationGrid:
    """M on a common temperature grid, one row per field line."""

    temperature: FloatArray  # K, (n_T,)
    field: FloatArray  # µ0H in T, (n_H,), increasing
    magnetization: FloatArray  # (n_H, n_T) in ``unit``
    unit: str
    normalization: str  # "mass", "sample" or "volume"


def build_grid(
    table: UnitTable, field_tolerance: float, t_step: float | None, notes: list[str]
) -> MagnetizationGrid:
    """Group rows into field lines and interpolate M onto a common temperature grid.

    Parameters
    ----------
    table
        Roles ``temperature``, ``field`` and ``moment`` (any units of their kinds).
    field_tolerance
        Rows whose fields differ by less than this form one line, T.
    t_step
        Step of the common grid, K (None: the median step of the data).
    notes
        Notes on the gridding are appended here.

    Raises
    ------
    DataError
        Negative fields, field lines that do not separate, fewer than 2 lines with 3 or more
        temperatures, or fewer than 3 common temperatures.
    UnitError
        A moment unit that is neither per mass, per sample nor per volume.
    """
    temperature = table.values("temperature", "K")
    field = table.values("field", "T")
    moment, unit, normalization = _magnetization(table, notes)
    usable = np.isfinite(temperature) & np.isfinite(field)
    temperature, field, moment = temperature[usable], field[usable], moment[usable]
    if np.any(field < -field_tolerance):
        raise DataError(
            f"column {_source(table, 'field')!r}: negative fields (down to {field.min():.6g} T); "
            "ΔS_M needs H ≥ 0 (take |H| or select one branch)"
        )
    fields, labels = _field_lines(field, field_tolerance, _source(table, "field"))
    lines = [
        merge_duplicates(temperature[labels == i], moment[labels == i]) for i in range(len(fields))
    ]
    keep = [i for i, (t, _) in enumerate(lines) if t.size >= 3]
    if len(keep) < len(fields):
        dropped = ", ".join(f"{fields[i]:.6g} T" for i in range(len(fields)) if i not in keep)
        notes.append(f"field lines left out (fewer than 3 temperatures): {dropped}")
    if len(keep) < 2:
        raise DataError(
            f"column {_source(table, 'field')!r}: ΔS_M needs at least 2 field lines with 3 or "
            f"more temperatures each, found {len(keep)} of {len(fields)} distinct fields "
            "(M(T) must be measured at fixed fields)"
        )
    fields = fields[keep]
    lines = [lines[i] for i in keep]
    t_grid, step = _common_temperatures(lines, t_step, _source(table, "temperature"))
    values = np.vstack([interpolate_line(t, m, t_grid) for t, m in lines])
    notes.append(
        f"ΔS_M by the Maxwell relation on {t_grid.size} temperatures {t_grid[0]:.6g}–"
        f"{t_grid[-1]:.6g} K (step {step:.4g} K, the overlap of the {fields.size} field lines "
        f"{fields[0]:.6g}–{fields[-1]:.6g} T); ∂M/∂T by numpy.gradient (2nd order), trapezoid in H"
    )
    return MagnetizationGrid(t_grid, fields, values, unit, normalization)


def _source(table: UnitTable, role: str) -> str:
    """Name of the input column behind ``role`` (run() keeps it as the description)."""
    return table.schema.columns[role].description or role


def _magnetization(table: UnitTable, notes: list[str]) -> tuple[FloatArray, str, str]:
    """M as (values, unit, normalization): per mass, per sample or per volume."""
    kind, unit = table.kind("moment"), table.unit("moment")
    if kind == "magnetic_moment":
        sample = table.sample
        if sample is not None and sample.mass is not None:
            grams = sample.mass_in("g")
            notes.append(f"ΔS_M per mass: moment / sample mass {sample.mass:g} {sample.mass_unit}")
            return table.values("moment", "emu") / grams, "emu/g", "mass"
        notes.append("ΔS_M per sample in J/K: the sample mass is unknown (give it to get J/(kg·K))")
        return table.values("moment", "emu"), "emu", "sample"
    per = {
        "mass": "emu/g",
        "sample": "emu",
        "volume": "emu/cm**3",
    }
    dims = ureg.get_dimensionality(parse_unit(unit))
    for normalization, reference in per.items():
        if dims == ureg.get_dimensionality(parse_unit(reference)):
            if normalization == "volume":
                notes.append("ΔS_M per volume in J/(m³·K): the magnetization is per volume")
            return table.values("moment", reference), reference, normalization
    raise UnitError(
        f"column {_source(table, 'moment')!r}: unit {unit!r} is not a moment, a magnetization "
        "per mass or per volume"
    )


def _field_lines(
    field: FloatArray, tolerance: float, column: str
) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """Field value of each line (median, T) and each row's line index.

    Sorted fields split into lines wherever two neighbours differ by more than
    ``tolerance``; a line within ``tolerance`` of zero is taken as exactly H = 0.
    """
    if field.size == 0:
        raise DataError(f"column {column!r}: no rows with finite temperature and field")
    order = np.argsort(field, kind="stable")
    breaks = np.diff(field[order]) > tolerance
    sorted_labels = np.concatenate([[0], np.cumsum(breaks)])
    labels = np.empty_like(sorted_labels)
    labels[order] = sorted_labels
    n = int(sorted_labels[-1]) + 1
    values = np.array([np.median(field[labels == i]) for i in range(n)])
    for i in range(n):
        members = field[labels == i]
        if np.ptp(members) > _MAX_LINE_SPREAD * tolerance:
            raise DataError(
                f"column {column!r}: fields {members.min():.6g}–{members.max():.6g} T chain into "
                f"one line within field_tolerance={tolerance:g} T; measure at fixed fields or "
                "give a smaller field_tolerance"
            )
    if abs(values[0]) <= tolerance:
        values[0] = 0.0
    return values, labels


def _common_temperatures(
    lines: list[tuple[FloatArray, FloatArray]], t_step: float | None, column: str
) -> tuple[FloatArray, float]:
    """Evenly spaced grid spanning the overlap of all lines, K.

    The step is the one nearest to ``t_step`` (default: the median step of the data) that
    divides the overlap into whole steps.
    """
    low = max(float(t[0]) for t, _ in lines)
    high = min(float(t[-1]) for t, _ in lines)
    if t_step is None:
        t_step = float(np.median(np.concatenate([np.diff(t) for t, _ in lines])))
    if not high > low:
        raise DataError(
            f"column {column!r}: the field lines share no temperature range "
            f"(overlap {low:.6g}–{high:.6g} K)"
        )
    count = int(np.rint((high - low) / t_step)) + 1
    if count < 3:
        raise DataError(
            f"column {column!r}: ΔS_M needs at least 3 common temperatures, the overlap "
            f"{low:.6g}–{high:.6g} K holds {count} at a step of {t_step:.4g} K (set t_step)"
        )
    grid = np.linspace(low, high, count)
    return grid, float(grid[1] - grid[0])
