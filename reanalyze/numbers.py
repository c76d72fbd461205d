"""How reanalyze writes numbers: a value with its uncertainty rounded as a physicist writes it.

A value with an uncertainty (an ensemble standard deviation) is rounded to the uncertainty's
precision: the std to two significant digits, the value to the same decimal place
(:func:`value_pm`, :func:`at_precision`); a number without one gets four significant digits
(:func:`num`). The terminal (``reanalyze property run``), the report and the property results'
``str`` all write them so, and the same quantity reads the same everywhere.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from reanalyze.units import pretty_unit, superscript

__all__ = [
    "MAX_PLACES",
    "MIN_PLACES",
    "at_precision",
    "finite",
    "fixed",
    "num",
    "power_of_ten",
    "range_at_precision",
    "std_places",
    "value_pm",
]

#: Decimal places a fixed-point ``value ± std`` may use; beyond them a power of ten is shared.
MAX_PLACES, MIN_PLACES = 6, -3


def power_of_ten(exponent: int) -> str:
    """``10⁻⁶`` for ``-6``: a factor as figures and tables write it."""
    return "10" + superscript(str(exponent))


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


def _has_std(std: Any) -> bool:
    return finite(std) and float(std) > 0


def std_places(std: float) -> int:
    """Decimal places that leave ``std`` (> 0) two significant digits (negative: tens…).

    Examples
    --------
    >>> std_places(0.3465), std_places(0.069), std_places(12.0), std_places(0.0996)
    (2, 3, 0, 2)
    """
    places = 1 - math.floor(math.log10(std))
    if abs(round(std, places)) >= 10.0 ** (2 - places):  # 0.0996 rounds up to 0.10
        places -= 1
    return places


def fixed(value: float, places: int, sign: bool = False) -> str:
    """``value`` rounded to ``places`` decimals (negative: to tens, hundreds…), no ``-0``."""
    rounded = round(value, places)
    if rounded == 0:
        rounded, sign = 0.0, False  # 0.00, not -0.00 or +0.00
    return f"{rounded:{'+' if sign else ''}.{max(places, 0)}f}"


def _pm_parts(value: float, std: float, sign: bool = False) -> tuple[str, str, str]:
    """Value, std and a shared power of ten (``""`` when none) at the std's precision."""
    places = std_places(std)
    if MIN_PLACES <= places <= MAX_PLACES:
        return fixed(value, places, sign), fixed(std, places), ""
    exponent = math.floor(math.log10(max(abs(value), std)))
    scale = 10.0**exponent
    power = power_of_ten(exponent)
    mantissa = places + exponent
    return fixed(value / scale, mantissa, sign), fixed(std / scale, mantissa), power


def at_precision(value: Any, std: Any, sign: bool = False) -> str:
    """``value`` alone, rounded as :func:`value_pm` rounds it beside ``std``.

    Without a positive finite ``std``: four significant digits (:func:`num`); ``sign`` puts
    ``+`` before a positive number.

    Examples
    --------
    >>> at_precision(0.002699, 0.3675), at_precision(0.2063, 0.35, sign=True)
    ('0.00', '+0.21')
    >>> at_precision(9.760601, 1.562), at_precision(0.009905, None), at_precision(-0.0004, 0.1)
    ('9.8', '0.009905', '0.00')
    """
    if not finite(value):
        return "—"
    if not _has_std(std):
        text = num(value)
        return f"+{text}" if sign and float(value) > 0 else text
    shown, _, power = _pm_parts(float(value), float(std), sign)
    return f"{shown} × {power}" if power else shown


def range_at_precision(values: Any, stds: Any = None) -> tuple[str, str]:
    """The smallest and largest of ``values``, each rounded to the typical (median) of
    ``stds``, an ensemble's spread: the range of a simulation as the terminal and the GUI
    show it. Without ``stds``: four significant digits.

    Examples
    --------
    >>> range_at_precision([5.29334e-05, 0.0694978], [1e-4, 3e-4])
    ('0.00005', '0.06950')
    >>> range_at_precision([1.23456, 7.5])
    ('1.235', '7.5')
    """
    import numpy as np

    values = np.asarray(values, dtype=float)
    typical = float(np.median(stds)) if stds is not None and np.size(stds) else None
    return at_precision(values.min(), typical), at_precision(values.max(), typical)


def value_pm(value: Any, std: Any, unit: str, sign: bool = False) -> str:
    """``value ± std unit``, rounded to the std's precision (the std to 2 significant digits).

    The ``± std`` part only for a positive finite std, as ``reanalyze property run`` prints
    it (a number that does not vary over the ensemble, like the largest field change, has
    std 0); without it the value has 4 significant digits. The unit in conventional
    notation; a std below 10⁻⁶ or above 10⁴ puts a shared power of ten in front of it.
    ``sign`` puts ``+`` before a positive value (an error).

    Examples
    --------
    >>> value_pm(32.7482, 0.3465, "J/(kg*K)"), value_pm(14.7026, 0.069, "K")
    ('32.75 ± 0.35 J kg⁻¹ K⁻¹', '14.703 ± 0.069 K')
    >>> value_pm(46.4, 12.0, ""), value_pm(32.0583, 0.3, ""), value_pm(481.475, 4.7, "J/kg")
    ('46 ± 12', '32.06 ± 0.30', '481.5 ± 4.7 J/kg')
    >>> value_pm(4.96, 0.0, "T"), value_pm(2.5, None, ""), value_pm(3.456789, None, "K")
    ('4.96 T', '2.5', '3.457 K')
    >>> value_pm(3.2e-7, 1.1e-8, "emu"), value_pm(float("nan"), 0.1, "K")
    ('(3.20 ± 0.11) × 10⁻⁷ emu', '—')
    >>> value_pm(0.2063, 0.35, "K", sign=True), value_pm(0.2063, None, "K", sign=True)
    ('+0.21 ± 0.35 K', '+0.2063 K')
    """
    if not finite(value):
        return "—"
    shown = pretty_unit(unit)
    if not _has_std(std):
        text = at_precision(value, None, sign)
    else:
        center, spread, power = _pm_parts(float(value), float(std), sign)
        text = f"({center} ± {spread}) × {power}" if power else f"{center} ± {spread}"
    return f"{text} {shown}" if shown else text
