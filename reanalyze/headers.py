"""Column headers that carry units: ``Temperature (K)``, ``T [K]``, ``Moment (emu)``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reanalyze.errors import UnitError
from reanalyze.units import parse_unit

__all__ = ["ParsedHeader", "parse_header"]

_UNIT_SUFFIX = re.compile(
    r"^(?P<name>.*?)\s*(?:\((?P<paren>[^()]*)\)|\[(?P<bracket>[^\[\]]*)\])\s*$"
)


@dataclass(frozen=True)
class ParsedHeader:
    """A header split into a name and a unit.

    Attributes
    ----------
    raw
        The header as written.
    name
        The header without its unit suffix, e.g. ``"Temperature"``.
    unit
        The unit text inside the brackets (``"K"``), or ``None`` when there was none.
    unit_known
        Whether pint understands ``unit``; an unknown unit is only an error when the
        column is actually used.
    """

    raw: str
    name: str
    unit: str | None
    unit_known: bool


def parse_header(text: str) -> ParsedHeader:
    """Split ``"Temperature (K)"`` or ``"T [K]"`` into name and unit.

    Examples
    --------
    >>> parse_header("Magnetic Field (Oe)")
    ParsedHeader(raw='Magnetic Field (Oe)', name='Magnetic Field', unit='Oe', unit_known=True)
    >>> parse_header("T [K]").unit
    'K'
    >>> parse_header("Comment").unit is None
    True
    """
    raw = str(text).strip()
    match = _UNIT_SUFFIX.match(raw)
    if not match or not match.group("name"):
        return ParsedHeader(raw=raw, name=raw, unit=None, unit_known=False)
    unit = match.group("paren") if match.group("paren") is not None else match.group("bracket")
    unit = unit.strip()
    try:
        parse_unit(unit)
        known = True
    except UnitError:
        known = False
    return ParsedHeader(raw=raw, name=match.group("name").strip(), unit=unit, unit_known=known)
