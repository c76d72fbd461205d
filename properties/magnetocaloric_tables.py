"""The magnetocaloric plugin's output tables: ΔS_M(T, H), peak figures of merit, the field
exponent and the Arrott plot, each a :class:`~reanalyze.table.UnitTable` with its units.

The ΔS_M unit and kind follow the magnetization's normalization (J/(kg·K) for emu/g, J/K for
a sample moment in emu, J/(m³·K) for A/m).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from reanalyze.arrays import FloatArray
from reanalyze.properties.magnetocaloric_grid import MagnetizationGrid
from reanalyze.properties.magnetocaloric_physics import EntropyChange, PeakFiguresOfMerit
from reanalyze.table import UnitTable
from reanalyze.units import convert

__all__ = ["arrott_table", "delta_s_table", "exponent_table", "peaks_table", "tec_key"]


def tec_key(width: float) -> str:
    """The summary and column name of TEC over ``width`` kelvin: ``tec_3K``."""
    return f"tec_{width:g}K"


def delta_s_table(
    grid: MagnetizationGrid, changes: EntropyChange, unit: str, kind: str
) -> UnitTable:
    n_t = grid.temperature.size
    frame = pd.DataFrame(
        {
            "T": np.tile(grid.temperature, changes.upper.size),
            "H": np.repeat(changes.upper, n_t),
            "delta_h": np.repeat(changes.delta_h, n_t),
            "delta_s_m": changes.delta_s.ravel(),
        }
    )
    specs = {
        "T": ("temperature", "K"),
        "H": ("magnetic_field", "T"),
        "delta_h": ("magnetic_field", "T"),
        "delta_s_m": (kind, unit),
    }
    return UnitTable(frame, specs)


def peaks_table(
    changes: EntropyChange,
    peaks: list[PeakFiguresOfMerit],
    widths: list[float],
    unit: str,
    kind: str,
    energy: str,
) -> UnitTable:
    columns: dict[str, Any] = {
        "H": changes.upper,
        "delta_h": changes.delta_h,
        "delta_s_max": [q.height for q in peaks],
        "t_peak": [q.t_peak for q in peaks],
        "fwhm": [q.fwhm for q in peaks],
        "rcp": [q.rcp for q in peaks],
        "rc": [q.rc for q in peaks],
    }
    specs: dict[str, tuple[str, str]] = {
        "H": ("magnetic_field", "T"),
        "delta_h": ("magnetic_field", "T"),
        "delta_s_max": (kind, unit),
        "t_peak": ("temperature", "K"),
        "fwhm": ("temperature", "K"),
        "rcp": ("other", energy),
        "rc": ("other", energy),
    }
    for i, width in enumerate(widths):
        key = tec_key(width)
        columns[key] = [q.tec[i] for q in peaks]
        specs[key] = (kind, unit)
    return UnitTable(pd.DataFrame(columns), specs)


def exponent_table(
    grid: MagnetizationGrid,
    changes: EntropyChange,
    exponent: FloatArray,
    significant: npt.NDArray[np.bool_],
) -> UnitTable:
    n_t = grid.temperature.size
    frame = pd.DataFrame(
        {
            "T": np.tile(grid.temperature, changes.upper.size),
            "delta_h": np.repeat(changes.delta_h, n_t),
            "n": exponent.ravel(),
            "significant": significant.ravel().astype(float),
        }
    )
    specs = {
        "T": ("temperature", "K"),
        "delta_h": ("magnetic_field", "T"),
        "n": ("dimensionless", "dimensionless"),
        "significant": ("dimensionless", "dimensionless"),
    }
    return UnitTable(frame, specs)


def arrott_table(
    grid: MagnetizationGrid, m2: FloatArray, h_over_m: FloatArray, negative: npt.NDArray[np.bool_]
) -> UnitTable:
    n_h, n_t = grid.magnetization.shape
    frame = pd.DataFrame(
        {
            "T": np.tile(grid.temperature, n_h),
            "H": np.repeat(convert(grid.field, "T", "Oe", kind="magnetic_field"), n_t),
            "M": grid.magnetization.ravel(),
            "M2": m2.ravel(),
            "H_over_M": h_over_m.ravel(),
            "negative_slope": np.tile(negative.astype(float), n_h),
        }
    )
    specs = {
        "T": ("temperature", "K"),
        "H": ("magnetic_field", "Oe"),
        "M": ("other", grid.unit),
        "M2": ("other", f"({grid.unit})**2"),
        "H_over_M": ("other", f"Oe/({grid.unit})"),
        "negative_slope": ("dimensionless", "dimensionless"),
    }
    if grid.unit == "emu":
        specs["M"] = ("magnetic_moment", "emu")
    elif grid.unit == "emu/g":
        specs["M"] = ("magnetization", "emu/g")
    return UnitTable(frame, specs)
