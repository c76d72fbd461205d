"""Units and quantity kinds: the one pint registry of the package.

Every unit string in reanalyze (table headers, registry entries, command-line options) is
parsed here, so that one set of conventions holds everywhere:

* ``Oe`` and ``G`` are the SI-compatible magnetometry units: 1 Oe = 1000/(4π) A/m and
  1 G = 1e-4 T, and a magnetic field H converts to µ0H (and back) with the *conventional*
  µ0 = 4π×10⁻⁷ T·m/A, so that 10 000 Oe is exactly 1 T as on every magnetometer.
  (pint's own ``oersted`` lives in the Gaussian system and does not convert to SI units.)
* ``emu`` is the magnetic moment 1 emu = 1 erg/G = 1e-3 A·m², so emu/g = A·m²/kg = J/(kg·T).
* ``arb`` (alias ``a.u.``, ``arb. units``, ``counts``) is the dimensionless unit of
  intensities measured in arbitrary units.
* Spellings found in instrument files (``Ohms``, ``deg``, ``°``, ``sec``) are accepted.

A *quantity kind* says what a column holds (``temperature``, ``magnetic_field``, ...). Each
kind has a dimension check and a default unit; :func:`infer_kind` guesses the kind of a
column from its unit and name.

Examples
--------
>>> convert([10000.0, 50000.0], "Oe", "T", kind="magnetic_field")
array([1., 5.])
>>> convert(1.0, "emu/g", "J/(kg*K)*K/T")
array(1.)
"""

from __future__ import annotations

import functools
import logging
import math
import re
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pint

from reanalyze.errors import DataError, UnitError

__all__ = [
    "KINDS",
    "MU0",
    "QuantityKind",
    "check_kind",
    "convert",
    "format_unit",
    "infer_kind",
    "kind_from_name",
    "parse_quantity",
    "parse_unit",
    "pretty_unit",
    "superscript",
    "ureg",
]

#: Conventional vacuum permeability used for H ↔ µ0H, in T·m/A (exactly 4π×10⁻⁷).
MU0 = 4e-7 * math.pi

_DEFINITIONS = (
    # SI-compatible magnetometry units (replace pint's Gaussian-system ones).
    "oersted = 1000 / (4 * pi) * ampere / meter = Oe",
    "gauss = 1e-4 * tesla = G = Gs",
    "emu = 1e-3 * ampere * meter ** 2",
    "arbitrary_unit = [] = arb",
)

# Spellings found in instrument files and literature that pint does not parse as intended.
_ALIASES: dict[str, str] = {
    "ohms": "ohm",
    "Ohms": "ohm",
    "Ohm": "ohm",
    "Ω": "ohm",
    "deg": "degree",
    "degrees": "degree",
    "°": "degree",
    "sec": "second",
    "secs": "second",
    "a.u.": "arb",
    "arb.": "arb",
    "arb. u.": "arb",
    "arb. units": "arb",
    "arb.u.": "arb",
    "arb units": "arb",
    "arbitrary units": "arb",
    "counts": "arb",
    "cts": "arb",
    "Ohm-cm": "ohm*cm",
    "ohm-cm": "ohm*cm",
    "Ohms-cm": "ohm*cm",
    "": "dimensionless",
    "-": "dimensionless",
    "1": "dimensionless",
}


def _base_registry() -> pint.UnitRegistry:
    """pint's registry, its parsed definitions taken from pint's own disk cache when it can.

    Parsing pint's definitions is most of the second a fresh registry takes, in every process
    (the command, the workers); pint keeps the parsed result in its user cache folder
    (``~/.cache/pint``), keyed by the definitions. A cache pint cannot read or write (a
    read-only home, a file another process is still writing) costs only the parse.
    """
    try:
        return pint.UnitRegistry(on_redefinition="warn", cache_folder=":auto:")
    except Exception:  # flexcache/pickle errors of a damaged or unwritable cache
        return pint.UnitRegistry(on_redefinition="warn", cache_folder=None)


def _build_registry() -> pint.UnitRegistry:
    pint_logger = logging.getLogger("pint")
    level = pint_logger.level
    pint_logger.setLevel(logging.ERROR)  # the redefinitions below are deliberate
    try:
        registry: pint.UnitRegistry = _base_registry()
        for line in _DEFINITIONS:
            registry.define(line)
        # pint caches dimensionalities when the registry is built; rebuild it so the
        # redefined Oe and G are SI units everywhere.
        registry._build_cache()
    finally:
        pint_logger.setLevel(level)
    field = pint.Context("mu0H")

    def to_flux_density(reg: Any, h: Any, **_: Any) -> Any:
        return h * reg.Quantity(MU0, "tesla * meter / ampere")

    def to_field_strength(reg: Any, b: Any, **_: Any) -> Any:
        return b / reg.Quantity(MU0, "tesla * meter / ampere")

    field.add_transformation(
        "[current] / [length]", "[mass] / [current] / [time] ** 2", cast(Any, to_flux_density)
    )
    field.add_transformation(
        "[mass] / [current] / [time] ** 2", "[current] / [length]", cast(Any, to_field_strength)
    )
    registry.add_context(field)
    return registry


#: The package's single pint unit registry. Use it for any Quantity mixed with reanalyze's.
ureg: pint.UnitRegistry = _build_registry()


@dataclass(frozen=True)
class QuantityKind:
    """What a column holds.

    Parameters
    ----------
    name
        Identifier used in schemas, e.g. ``"magnetic_field"``.
    unit
        Default unit, e.g. ``"T"``.
    description
        Human-readable meaning.
    dimensions
        Reference units whose dimensionality the column's unit must share; several entries
        mean any of them (a magnetic field may be given as H in A/m or as µ0H in T).
    angle
        True when the unit must be an angle (degrees, radians), since pint treats angles as
        dimensionless.
    """

    name: str
    unit: str
    description: str
    dimensions: tuple[str, ...]
    angle: bool = False


_KIND_LIST = (
    QuantityKind("temperature", "K", "temperature", ("K",)),
    QuantityKind("magnetic_field", "T", "applied magnetic field, H or µ0H", ("T", "A/m")),
    QuantityKind("magnetic_moment", "emu", "magnetic moment of the sample", ("A*m**2",)),
    QuantityKind("magnetization", "emu/g", "magnetization per mass", ("A*m**2/kg",)),
    QuantityKind("resistance", "ohm", "electrical resistance", ("ohm",)),
    QuantityKind("resistivity", "ohm*cm", "electrical resistivity", ("ohm*m",)),
    QuantityKind("angle", "degree", "angle", ("degree",), angle=True),
    QuantityKind("intensity", "arb", "intensity, counts or arbitrary units", ("arb",)),
    QuantityKind("time", "s", "time", ("s",)),
    QuantityKind("energy", "eV", "energy", ("eV",)),
    QuantityKind("mass", "mg", "mass", ("g",)),
    QuantityKind("entropy_change", "J/(kg*K)", "entropy change per mass", ("J/(kg*K)",)),
    QuantityKind("wavevector", "1/angstrom", "wave vector", ("1/m",)),
    QuantityKind("voltage", "V", "voltage", ("V",)),
    QuantityKind("current", "A", "electric current", ("A",)),
    QuantityKind("length", "mm", "length or position", ("m",)),
    QuantityKind("dimensionless", "dimensionless", "dimensionless number", ("dimensionless",)),
    QuantityKind("other", "dimensionless", "a quantity of another kind (any unit)", ()),
    QuantityKind("label", "", "text label (not a physical quantity)", ()),
)

#: The quantity kinds known to reanalyze, by name.
KINDS: dict[str, QuantityKind] = {kind.name: kind for kind in _KIND_LIST}

_ANGLE_UNITS = {"degree", "radian", "arcminute", "arcsecond", "milliradian", "gradian"}


_WORD_ALIASES = {
    "Ohms": "ohm",
    "ohms": "ohm",
    "Ohm": "ohm",
    "deg": "degree",
    "degrees": "degree",
    "amps": "ampere",
    "amp": "ampere",
    "Amps": "ampere",
    "Torr": "torr",
    "Kelvin": "kelvin",
    "Oersted": "oersted",
    "Tesla": "tesla",
}
_WORD = re.compile(r"(?<![A-Za-z])([mkuµμnMG]?)(" + "|".join(_WORD_ALIASES) + r")(?![A-Za-z])")
_PREFIXES = {
    "": "",
    "m": "milli",
    "k": "kilo",
    "u": "micro",
    "µ": "micro",
    "μ": "micro",
    "n": "nano",
    "M": "mega",
    "G": "giga",
}


def _normalize(text: str) -> str:
    stripped = text.strip().replace("º", "°")
    if stripped in _ALIASES:
        return _ALIASES[stripped]
    stripped = stripped.replace("Ω", "ohm").replace("°", "degree")

    # Replace alias words inside compound units such as "mOhm", "Ohms*cm" or "emu/Oe".
    def word(match: re.Match[str]) -> str:
        prefix, name = match.group(1), match.group(2)
        if prefix and name in ("deg", "degrees", "Kelvin"):
            return match.group(0)
        return _PREFIXES[prefix] + _WORD_ALIASES[name]

    stripped = _WORD.sub(word, stripped)
    # Papers write powers as "emu g-1" or "J kg-1 K-1": a negative power after a unit.
    stripped = re.sub(r"(?<=[A-Za-zµμ])(-\d+)(?![\d.])", r"**\1", stripped)
    # Instrument files write products with hyphens: "Ohm-cm", "mJ/mol-K" = mJ/(mol·K).
    if re.search(r"[A-Za-z)]-[A-Za-z(]", stripped):
        numerator, slash, denominator = stripped.partition("/")
        if slash:
            stripped = f"{numerator}/({denominator.replace('-', '*')})"
        else:
            stripped = stripped.replace("-", "*")
    return stripped


@functools.lru_cache(maxsize=512)
def parse_unit(text: str) -> pint.Unit:
    """Parse a unit string with reanalyze's conventions.

    Parameters
    ----------
    text
        A unit as written in a header or option, e.g. ``"Oe"``, ``"emu/g"``, ``"Ohms"``.

    Returns
    -------
    pint.Unit

    Raises
    ------
    UnitError
        If pint does not know the unit.

    Examples
    --------
    >>> parse_unit("Ohms")
    <Unit('ohm')>
    """
    normalized = _normalize(text)
    try:
        parsed = ureg.parse_units(normalized)
    except Exception as exc:  # pint raises several unrelated exception types here
        reason = " ".join(str(exc).split())
        raise UnitError(f"unknown unit {text!r}: {reason}") from None
    return parsed


_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")


def parse_quantity(text: str, *, where: str = "") -> tuple[float, str]:
    """Split a number with an optional unit, ``"0.2T"`` → ``(0.2, "T")``.

    The number is a plain decimal (``inf``, ``nan`` and expressions are refused); one that
    does not fit a float (``1e400``) is refused rather than read as infinity. The unit, if
    any, must be one :func:`parse_unit` knows.

    Parameters
    ----------
    text
        E.g. ``"10 K"``, ``"0.5kOe"``, ``"-3"``.
    where
        What to name in messages, e.g. ``"grid axis 'T'"``.

    Returns
    -------
    tuple of (float, str)
        The value, and the unit as written (``""`` when there is none).

    Raises
    ------
    DataError
        Not a number with an optional unit, or a number too large for a float.
    UnitError
        An unknown unit.

    Examples
    --------
    >>> parse_quantity("0.5 kOe")
    (0.5, 'kOe')
    >>> parse_quantity("1e400K")
    Traceback (most recent call last):
    ...
    reanalyze.errors.DataError: '1e400' is too large for a float (at most about 1.8e308)
    """
    prefix = f"{where}: " if where else ""
    match = _QUANTITY.match(str(text))
    if not match:
        shown = " ".join(str(text).split())
        raise DataError(f"{prefix}{shown!r} is not a number with an optional unit")
    number, unit = match.groups()
    value = float(number)
    if not math.isfinite(value):
        raise DataError(f"{prefix}{number!r} is too large for a float (at most about 1.8e308)")
    if unit:
        try:
            parse_unit(unit)
        except UnitError as exc:
            raise UnitError(f"{prefix}{exc}") from None
    return value, unit


def format_unit(unit: str) -> str:
    """The canonical spelling of a unit for headers, e.g. ``"Ohms"`` → ``"ohm"``."""
    normalized = _normalize(unit)
    parse_unit(unit)
    return normalized


_SUPERSCRIPT = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")


def superscript(text: str) -> str:
    """Digits, minus signs and decimal points as superscripts: ``"-6"`` → ``"⁻⁶"``."""
    return text.translate(_SUPERSCRIPT)


def _power(exponent: float) -> str:
    if exponent == 1:
        return ""
    text = f"{exponent:g}"
    return superscript(text)


@functools.lru_cache(maxsize=512)
def pretty_unit(unit: str) -> str:
    """A unit in conventional notation for figures and tables, in the order it was written
    (the numerator's symbols first).

    Symbols with superscript powers, negative powers for a denominator (``J kg⁻¹ K⁻¹``),
    a squared ratio as ``(emu/g)²``, ``Ω`` for ohm; an empty or dimensionless unit gives
    ``""``. A unit pint does not know is returned as written.

    Examples
    --------
    >>> pretty_unit("J/(kg*K)"), pretty_unit("(emu/g)**2"), pretty_unit("emu/g")
    ('J kg⁻¹ K⁻¹', '(emu/g)²', 'emu/g')
    >>> pretty_unit("Oe/(emu/g)"), pretty_unit("Ohm*cm"), pretty_unit("1/T"), pretty_unit("")
    ('Oe g emu⁻¹', 'Ω cm', 'T⁻¹', '')
    """
    if not unit or unit.strip() in ("dimensionless", "1"):
        return ""
    try:
        parsed = parse_unit(unit)
    except UnitError:
        return unit
    items = [(ureg.get_symbol(name), float(str(power))) for name, power in parsed._units.items()]
    items.sort(key=lambda item: item[1] < 0)  # numerator first: Oe/(emu/g) is Oe g emu⁻¹
    if not items:
        return ""
    if len(items) == 2 and items[0][1] > 0 and items[1][1] == -items[0][1]:
        (top, power), (bottom, _) = items
        ratio = f"{top}/{bottom}"
        return ratio if power == 1 else f"({ratio}){_power(power)}"
    return " ".join(f"{symbol}{_power(power)}" for symbol, power in items)


def _is_angle(unit: pint.Unit) -> bool:
    names = set(unit._units.keys()) if hasattr(unit, "_units") else set()
    return bool(names) and names <= _ANGLE_UNITS


def _compatible(unit: pint.Unit, reference: str) -> bool:
    ref = ureg.parse_units(reference)
    return bool(ureg.get_dimensionality(unit) == ureg.get_dimensionality(ref))


def check_kind(unit: str, kind: str, *, where: str = "") -> None:
    """Raise :class:`UnitError` unless ``unit`` can hold the quantity ``kind``.

    Parameters
    ----------
    unit
        Unit string, e.g. ``"K"``.
    kind
        Quantity kind name, one of :data:`KINDS`.
    where
        What to name in the message, e.g. ``"column 'H' of data.csv"``.
    """
    prefix = f"{where}: " if where else ""
    if kind == "label" and kind in KINDS:
        return
    problem = _kind_problem(unit, kind)
    if problem is not None:
        raise UnitError(f"{prefix}{problem}")


@functools.lru_cache(maxsize=1024)
def _kind_problem(unit: str, kind: str) -> str | None:
    """Why ``unit`` cannot hold ``kind`` (the message of :func:`check_kind`), or None."""
    if kind not in KINDS:
        known = ", ".join(KINDS)
        return f"unknown quantity kind {kind!r} (known: {known})"
    spec = KINDS[kind]
    try:
        parsed = parse_unit(unit)
    except UnitError as exc:
        return str(exc)
    if kind == "other":
        return None
    if spec.angle:
        if not _is_angle(parsed):
            return f"unit {unit!r} is not an angle unit (degree, radian, ...)"
        return None
    if kind in ("dimensionless", "intensity") and _is_angle(parsed):
        return f"unit {unit!r} is an angle, not a unit of {kind}"
    if not any(_compatible(parsed, ref) for ref in spec.dimensions):
        expected = " or ".join(spec.dimensions)
        return f"unit {unit!r} has the wrong dimension for {kind} (expected like {expected})"
    return None


_NAME_HINTS: tuple[tuple[str, str], ...] = (
    ("intens", "intensity"),
    ("count", "intensity"),
    ("theta", "angle"),
    ("angle", "angle"),
    ("phi", "angle"),
)


def infer_kind(unit: str, name: str = "") -> str:
    """Guess the quantity kind of a column from its unit (and, for dimensionless units, name).

    Parameters
    ----------
    unit
        Unit string.
    name
        Column name, used only to tell intensities and angles from other dimensionless data.

    Returns
    -------
    str
        A key of :data:`KINDS`; ``"dimensionless"`` when nothing more specific fits.

    Examples
    --------
    >>> infer_kind("Oe"), infer_kind("emu"), infer_kind("K"), infer_kind("deg")
    ('magnetic_field', 'magnetic_moment', 'temperature', 'angle')
    """
    by_unit = _kind_of_unit(unit)
    if by_unit is not None:
        return by_unit
    lowered = name.lower()
    for hint, kind_name in _NAME_HINTS:
        if hint in lowered:
            return kind_name
    return "dimensionless"


@functools.lru_cache(maxsize=1024)
def _kind_of_unit(unit: str) -> str | None:
    """The kind a unit alone decides, or None for a plain dimensionless unit."""
    parsed = parse_unit(unit)
    if _is_angle(parsed):
        return "angle"
    if _normalize(unit) == "arb":
        return "intensity"
    for kind in _KIND_LIST:
        if kind.angle or kind.name in ("dimensionless", "label", "intensity", "other"):
            continue
        if any(_compatible(parsed, ref) for ref in kind.dimensions):
            return kind.name
    if not _compatible(parsed, "dimensionless"):
        return "other"
    return None


_NAMED_KINDS: dict[str, str] = {
    "temperature": "temperature",
    "temp": "temperature",
    "sample temperature": "temperature",
    "sample temp": "temperature",
    "magnetic field": "magnetic_field",
    "field": "magnetic_field",
    "applied field": "magnetic_field",
    "moment": "magnetic_moment",
    "magnetic moment": "magnetic_moment",
    "dc moment": "magnetic_moment",
    "dc moment free ctr": "magnetic_moment",
    "dc moment fixed ctr": "magnetic_moment",
    "magnetization": "magnetization",
    "resistance": "resistance",
    "resistivity": "resistivity",
}


def kind_from_name(name: str) -> str | None:
    """The quantity kind a column's name states unambiguously, if any.

    Used to catch a unit of the wrong dimension, e.g. ``Magnetic Field (K)``. Only whole
    names that leave no doubt count (``"Temperature"``, ``"Magnetic Field"``, ``"Moment"``,
    ``"Bridge 1 Resistance"``); single letters and rates do not.

    Examples
    --------
    >>> kind_from_name("Magnetic Field"), kind_from_name("Temp. Rate"), kind_from_name("T")
    ('magnetic_field', None, None)
    """
    lowered = re.sub(r"\s+", " ", name.strip().lower())
    lowered = re.sub(r"^(bridge|ch|channel) ?\d+ ", "", lowered)
    lowered = re.sub(r" ch ?\d+$", "", lowered)
    return _NAMED_KINDS.get(lowered)


def convert(
    values: npt.ArrayLike, from_unit: str, to_unit: str, *, kind: str | None = None
) -> npt.NDArray[np.float64]:
    """Convert numbers between units with pint.

    A magnetic field converts between H (A/m, Oe) and µ0H (T, G) with the conventional µ0.

    Parameters
    ----------
    values
        Numbers in ``from_unit``.
    from_unit, to_unit
        Unit strings.
    kind
        Optional quantity kind; when given, both units are checked against it first.

    Returns
    -------
    numpy.ndarray
        float64 values in ``to_unit``.

    Raises
    ------
    UnitError
        If either unit is unknown or the dimensions do not match.
    """
    if kind is not None:
        check_kind(from_unit, kind)
        check_kind(to_unit, kind)
    source = parse_unit(from_unit)
    target = parse_unit(to_unit)
    array = np.asarray(values, dtype=np.float64)
    if source == target:
        return array.copy()
    try:
        quantity: Any = ureg.Quantity(array, source)
        with np.errstate(over="ignore"):  # an overflow is refused below
            result = quantity.to(target, "mu0H").magnitude
    except pint.DimensionalityError:
        raise UnitError(f"cannot convert {from_unit!r} to {to_unit!r}: dimensions differ") from None
    out = np.asarray(result, dtype=np.float64)
    overflow = np.isinf(out) & np.isfinite(array)
    if overflow.any():
        first = float(array[overflow].flat[0])
        raise UnitError(
            f"{first:g} {from_unit} is too large for a float in {to_unit} (at most about 1.8e308)"
        )
    return out
