"""Numbers and names as the report prints them (shared by its figures and its HTML)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from reanalyze.units import pretty_unit

__all__ = ["finite", "format_params", "num", "slug", "value_pm", "with_unit"]


def finite(value: Any) -> bool:
    """Whether ``value`` is a finite real number (not a bool)."""
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def num(value: Any, digits: int = 4) -> str:
    """A number with ``digits`` significant digits; ``—`` for missing or non-finite.

    Examples
    --------
    >>> num(12.34567), num(50000.0), num(None), num(3), num(float("nan")), num(True)
    ('12.35', '50000', '—', '3', '—', 'yes')
    """
    if value is None:
        return "—"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return str(int(value))
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(x):
        return "—"
    if 10**digits <= abs(x) < 1e7:
        return f"{x:.0f}"  # 50000, not 5e+04
    return f"{x:.{digits}g}"


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


def value_pm(value: Any, std: Any, unit: str) -> str:
    """``value ± std unit`` as property results print it (6 and 2 significant digits).

    The ``± std`` part only for a positive finite std, as ``reanalyze property run`` prints
    it (a number that does not vary over the ensemble, like the largest field change, has
    std 0); the unit in conventional notation.

    Examples
    --------
    >>> value_pm(32.7276, 0.3465, "J/(kg*K)"), value_pm(4.96, 0.0, "T"), value_pm(2.5, None, "")
    ('32.7276 ± 0.35 J kg⁻¹ K⁻¹', '4.96 T', '2.5')
    >>> value_pm(float("nan"), 0.1, "K")
    '—'
    """
    if not finite(value):
        return "—"
    text = f"{float(value):.6g}"
    if finite(std) and float(std) > 0:
        text += f" ± {float(std):.2g}"
    shown = pretty_unit(unit)
    return f"{text} {shown}" if shown else text


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
