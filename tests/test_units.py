"""Unit conventions checked against independent definitions (SI values, not pint's)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reanalyze.errors import DataError, UnitError
from reanalyze.units import (
    KINDS,
    check_kind,
    convert,
    infer_kind,
    kind_from_name,
    parse_quantity,
    parse_unit,
)


def test_oersted_to_tesla_uses_conventional_mu0() -> None:
    # 1 Oe = 1000/(4π) A/m and µ0 = 4π·1e-7 T·m/A, so µ0·(1 Oe) = 1e-4 T exactly.
    fields = np.array([100.0, 1000.0, 10000.0, 50000.0])
    np.testing.assert_allclose(
        convert(fields, "Oe", "T", kind="magnetic_field"), fields * 1e-4, rtol=1e-14
    )
    np.testing.assert_allclose(convert(1.0, "Oe", "A/m"), 1000 / (4 * math.pi), rtol=1e-14)
    np.testing.assert_allclose(convert(2.5, "T", "Oe"), 25000.0, rtol=1e-14)
    np.testing.assert_allclose(convert(1.0, "kOe", "mT"), 100.0, rtol=1e-14)
    np.testing.assert_allclose(convert(1.0, "G", "T"), 1e-4, rtol=1e-14)


def test_moment_and_magnetization_units() -> None:
    # 1 emu = 1 erg/G = 1e-7 J / 1e-4 T = 1e-3 A·m²
    np.testing.assert_allclose(convert(1.0, "emu", "A*m**2"), 1e-3, rtol=1e-14)
    # emu/g = 1e-3 A·m² / 1e-3 kg = 1 A·m²/kg = 1 J/(kg·T)
    np.testing.assert_allclose(convert(3.0, "emu/g", "A*m**2/kg"), 3.0, rtol=1e-14)
    np.testing.assert_allclose(convert(3.0, "emu/g", "J/(kg*T)"), 3.0, rtol=1e-14)


def test_instrument_spellings() -> None:
    assert parse_unit("Ohms") == parse_unit("ohm")
    assert parse_unit("deg") == parse_unit("degree")
    assert parse_unit("a.u.") == parse_unit("arb")
    np.testing.assert_allclose(convert(1.0, "Ohm-cm", "ohm*m"), 0.01, rtol=1e-14)
    np.testing.assert_allclose(convert(180.0, "deg", "radian"), math.pi, rtol=1e-14)


@pytest.mark.parametrize(
    ("unit", "kind"),
    [
        ("K", "temperature"),
        ("Oe", "magnetic_field"),
        ("T", "magnetic_field"),
        ("A/m", "magnetic_field"),
        ("emu", "magnetic_moment"),
        ("emu/g", "magnetization"),
        ("Ohms", "resistance"),
        ("degree", "angle"),
        ("counts", "intensity"),
        ("K/min", "other"),
        ("%", "dimensionless"),
    ],
)
def test_infer_kind(unit: str, kind: str) -> None:
    assert infer_kind(unit) == kind
    check_kind(unit, kind)


def test_wrong_dimension_is_a_unit_error_naming_the_place() -> None:
    with pytest.raises(UnitError, match=r"column 'H'.*'K'.*magnetic_field"):
        check_kind("K", "magnetic_field", where="column 'H'")
    with pytest.raises(UnitError, match="not an angle"):
        check_kind("K", "angle")
    with pytest.raises(UnitError, match="dimensions differ"):
        convert(1.0, "K", "T")


def test_unknown_unit() -> None:
    with pytest.raises(UnitError, match="unknown unit 'furlongs_per_gauss'"):
        parse_unit("furlongs_per_gauss")


def test_every_kind_default_unit_is_valid() -> None:
    for kind in KINDS.values():
        if kind.name != "label":
            check_kind(kind.unit, kind.name)


def test_kind_from_name_only_for_unambiguous_names() -> None:
    assert kind_from_name("Magnetic Field") == "magnetic_field"
    assert kind_from_name("Bridge 2 Resistance") == "resistance"
    assert kind_from_name("Temp. Rate") is None
    assert kind_from_name("T") is None


@pytest.mark.parametrize("text", ["1e400K", "-1e400 K", "9e999", "1e309 T"])
def test_quantity_too_large_for_a_float_is_refused(text: str) -> None:
    with pytest.raises(DataError, match="is too large for a float") as info:
        parse_quantity(text, where="grid axis 'T'")
    assert "\n" not in str(info.value) and str(info.value).startswith("grid axis 'T': ")


@pytest.mark.parametrize("text", ["inf K", "nan", "-inf", "x1", "", "K"])
def test_quantity_that_is_not_a_number_is_refused(text: str) -> None:
    with pytest.raises(DataError, match="is not a number with an optional unit"):
        parse_quantity(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.5 kOe", (0.5, "kOe")), ("10K", (10.0, "K")), ("-3", (-3.0, "")), ("1e-400 T", (0.0, "T"))],
)
def test_quantity_parses_numbers_and_units(text: str, expected: tuple[float, str]) -> None:
    assert parse_quantity(text) == expected


def test_quantity_with_an_unknown_unit_names_the_place() -> None:
    with pytest.raises(UnitError, match="^value for a.dat: unknown unit 'blorps'"):
        parse_quantity("1 blorps", where="value for a.dat")


def test_conversion_that_overflows_is_refused() -> None:
    with pytest.raises(UnitError, match="too large for a float in Oe"):
        convert([1.0, 1e305], "T", "Oe")
    assert np.isnan(convert([np.nan], "T", "Oe")[0])  # NaN stays NaN, no error
    assert np.isinf(convert([np.inf], "T", "Oe")[0])


def test_negative_powers_as_papers_write_them() -> None:
    assert parse_unit("emu g-1") == parse_unit("emu/g")
    np.testing.assert_allclose(convert(1.0, "J kg-1 K-1", "J/(kg*K)"), 1.0, rtol=1e-14)


def test_unknown_unit_message_is_one_line() -> None:
    with pytest.raises(UnitError) as info:
        parse_unit("emu/(g")
    assert "\n" not in str(info.value)
