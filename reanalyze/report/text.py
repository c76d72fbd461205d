"""Numbers and names as the report prints them (shared by its figures and its HTML).

Values with their uncertainty are written by :mod:`reanalyze.numbers` (re-exported here:
:func:`value_pm`, :func:`at_precision`, :func:`num`), as on the terminal; a percentage has two
decimals (:func:`percent`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from reanalyze.numbers import at_precision, finite, fixed, num, std_places, value_pm
from reanalyze.units import pretty_unit

__all__ = [
    "at_precision",
    "finite",
    "format_params",
    "held_out_caption",
    "num",
    "param_text",
    "percent",
    "slug",
    "std_places",
    "value_pm",
    "with_unit",
]


def with_unit(value: Any, unit: str, digits: int = 4) -> str:
    """``value unit``, the unit in conventional notation (``—`` alone when the value is missing).

    Examples
    --------
    >>> with_unit(12.345, "J/(kg*K)"), with_unit(None, "K"), with_unit(3, "")
    ('12.35 J kg⁻¹ K⁻¹', '—', '3')
    """
    text = num(value, digits)
    shown = pretty_unit(unit)
    return text if text == "—" or not shown else f"{text} {shown}"


def percent(fraction: Any, sign: bool = False) -> str:
    """A fraction in percent with two decimals (no ``%`` sign; ``—`` when missing).

    Examples
    --------
    >>> percent(0.0123), percent(0.0003035), percent(0.0), percent(-0.0063, sign=True)
    ('1.23', '0.03', '0.00', '-0.63')
    >>> percent(None), percent(float("nan"))
    ('—', '—')
    """
    if not finite(fraction):
        return "—"
    return fixed(100.0 * float(fraction), 2, sign)


def param_text(value: Any) -> str:
    """A plugin parameter's value as ``--param`` takes it (``none`` for ``None`` or ``[]``).

    Examples
    --------
    >>> param_text(0.002), param_text([3.0, 10.0]), param_text(None), param_text(True)
    ('0.002', '3, 10', 'none', 'true')
    >>> param_text("constant"), param_text([]), param_text({"a": 1})
    ('constant', 'none', '{"a": 1}')
    """
    if value is None:
        return "none"
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(param_text(v) for v in value) or "none"
    if isinstance(value, Mapping):
        return json.dumps(value, default=str)
    if finite(value):
        return num(value, 6)
    return str(value)


def held_out_caption(slow: str, value: float, unit: str, stem: str) -> str:
    """The caption of a held-out line's figure: the line's slow-axis value with its unit.

    ``stem`` (the file's) stands in for a value that could not be read from the file name.

    Examples
    --------
    >>> held_out_caption("H", 1000.0, "Oe", "line_1000").split(":")[0]
    'Held-out line H = 1000 Oe'
    >>> held_out_caption("T", 0.25, "K", "line_0.25").split(":")[0]
    'Held-out line T = 0.25 K'
    >>> held_out_caption("H", float("inf"), "Oe", "line_x").split(":")[0]
    'Held-out line line_x'
    """
    shown = pretty_unit(unit)
    where = f"{slow} = {num(value, 6)} {shown}".rstrip() if np.isfinite(value) else stem
    return (
        f"Held-out line {where}: the measured points, each method's prediction (error / line "
        "range in the legend) and, below, its error."
    )


def slug(text: str) -> str:
    """``text`` as a file-name part (``item`` when nothing is left)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.") or "item"


def format_params(params: Mapping[str, Any]) -> str:
    """``key=value, …`` with floats to 3 significant digits (``—`` when there are none)."""
    parts = []
    for key, value in params.items():
        shown = num(value, 3) if finite(value) and not isinstance(value, int) else str(value)
        parts.append(f"{key}={shown}")
    return ", ".join(parts) or "—"
