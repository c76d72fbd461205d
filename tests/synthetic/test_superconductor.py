"""Tests of the superconductor R(T, H) generator against independent calculations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.special import digamma

from reanalyze.synthetic import GENERATORS, WHH_RATIO, Superconductor
from reanalyze.table import UnitTable


@pytest.fixture(scope="module", params=["GL", "WHH"])
def sc(request: pytest.FixtureRequest) -> Superconductor:
    return Superconductor.pdh_like(model=request.param, A=4e-4)


def whh_hbar(t: float) -> float:
    """Independent root of ln(1/t) = ψ(1/2 + h/(2t)) − ψ(1/2) for the reduced field h."""
    return brentq(
        lambda h: digamma(0.5 + h / (2 * t)) - digamma(0.5) - math.log(1 / t),
        0.0,
        10.0,
        xtol=1e-15,
    )


def test_hc2_end_points(sc: Superconductor) -> None:
    assert float(sc.hc2(sc.Tc0)) == 0.0
    assert float(sc.hc2(0.0)) == pytest.approx(sc.hc2_zero, rel=1e-12)
    assert float(sc.hc2(1e-6)) == pytest.approx(sc.hc2_zero, rel=1e-9)
    assert np.all(sc.hc2(np.array([7.3, 8.0, 20.0])) == 0.0)
    T = np.linspace(0, sc.Tc0, 200)
    assert np.all(np.diff(sc.hc2(T)) < 0)


def test_gl_shape_and_slope() -> None:
    sc = Superconductor(Tc0=6.0, hc2_zero=2.0, model="GL")
    T = np.linspace(0.0, 6.0, 13)
    t = T / 6.0
    np.testing.assert_allclose(sc.hc2(T), 2.0 * (1 - t**2) / (1 + t**2), rtol=1e-14, atol=1e-15)
    assert sc.slope == pytest.approx(2.0 / 6.0)
    step = 1e-6
    numeric = (float(sc.hc2(6.0 - step)) - float(sc.hc2(6.0))) / step
    assert numeric == pytest.approx(sc.slope, rel=1e-5)


def test_whh_digamma_equation_and_0693_relation() -> None:
    sc = Superconductor(Tc0=6.0, hc2_zero=2.0, model="WHH")
    # WHH: µ0Hc2(0) = 0.693·Tc0·(−dµ0Hc2/dT)|Tc0, from the digamma form at t → 0.
    ratio = (math.pi**2 / 4) * whh_hbar(1e-7)
    assert ratio == pytest.approx(0.693, abs=5e-4)
    assert ratio == pytest.approx(WHH_RATIO, rel=1e-6)
    assert sc.hc2_zero == pytest.approx(WHH_RATIO * sc.Tc0 * sc.slope, rel=1e-14)
    # Hc2(T) solves the digamma equation with h = (4/π²) Hc2 / (Tc0 · slope).
    for T in (0.3, 1.5, 3.0, 4.5, 5.9):
        t = T / 6.0
        hbar = 4 / math.pi**2 * float(sc.hc2(T)) / (sc.Tc0 * sc.slope)
        assert hbar == pytest.approx(whh_hbar(t), rel=1e-9)
    # The slope at Tc0 is the one derived from Hc2(0).
    step = 1e-6
    numeric = float(sc.hc2(6.0 - step)) / step
    assert numeric == pytest.approx(sc.slope, rel=1e-4)


def test_tc_inverts_hc2(sc: Superconductor) -> None:
    T = np.linspace(0.05, sc.Tc0 - 1e-3, 60)
    np.testing.assert_allclose(sc.tc(sc.hc2(T)), T, rtol=0, atol=1e-9)
    fields = np.linspace(0.0, sc.hc2_zero * 0.999, 40)
    np.testing.assert_allclose(sc.hc2(sc.tc(fields)), fields, rtol=0, atol=1e-10)
    assert float(sc.tc(0.0)) == sc.Tc0
    assert np.all(sc.tc(np.array([sc.hc2_zero, 1.5, 3.0])) == 0.0)
    assert float(sc.tc(-0.3)) == float(sc.tc(0.3))


def test_half_resistance_at_tc(sc: Superconductor) -> None:
    for field_t in (0.0, 0.05, 0.3, 0.6, 1.0):
        tc = float(sc.tc(field_t))
        r = float(sc.resistance(tc, field_t * 1e4))
        assert r == pytest.approx(0.5 * float(sc.normal_resistance(tc)), rel=1e-12)


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_tc_criterion_is_root_of_normalized_resistance(sc: Superconductor, fraction: float) -> None:
    for field_t in (0.0, 0.1, 0.3, 0.6, 1.0):
        expected = float(sc.tc_criterion(field_t, fraction))

        def residual(T: float, field_t: float = field_t) -> float:
            return float(sc.resistance(T, field_t * 1e4) / sc.normal_resistance(T)) - fraction

        numeric = brentq(residual, 1e-3, 20.0, xtol=1e-13)
        assert expected == pytest.approx(numeric, abs=1e-9)
    assert np.isnan(sc.tc_criterion(5.0, 0.1))
    with pytest.raises(ValueError, match="fraction"):
        sc.tc_criterion(0.1, 1.0)


def test_normal_state_and_field_dependent_width() -> None:
    sc = Superconductor(Tc0=5.0, hc2_zero=1.0, R0=0.1, A=1e-3, w0=0.05, w1=0.5)
    T = np.array([8.0, 12.0])
    np.testing.assert_allclose(sc.resistance(T, 0.0), 0.1 + 1e-3 * T**2, rtol=1e-12)
    np.testing.assert_allclose(sc.width([0.0, 0.4]), [0.05, 0.25])
    # 10–90 % width of the transition is 2·atanh(0.8)·w(H).
    for field_t in (0.0, 0.4):
        width = float(sc.tc_criterion(field_t, 0.9) - sc.tc_criterion(field_t, 0.1))
        assert width == pytest.approx(2 * math.atanh(0.8) * float(sc.width(field_t)), rel=1e-12)


def test_pdh_like_preset() -> None:
    sc = Superconductor.pdh_like()
    assert sc.model == "GL"
    assert float(sc.resistance(9.0, 0.0)) == pytest.approx(0.066, rel=0.01)
    assert float(sc.tc(0.0)) == pytest.approx(7.25)
    tcs = sc.tc(np.array([0, 500, 1000, 3000, 6000, 10000, 14000]) * 1e-4)
    assert np.all(np.diff(tcs) < 0)
    assert tcs[-1] == 0.0
    table = sc.scan(seed=0)
    values = table.values("R")
    assert values.min() < 0  # noise makes the superconducting state read slightly negative
    assert len(table) == 148 * 7


def test_scan_noise_statistics_and_determinism() -> None:
    sc = Superconductor.pdh_like(temperatures=tuple(np.linspace(2, 10, 600)), noise=1.5e-3)
    table = sc.scan(seed=3)
    assert isinstance(table, UnitTable)
    assert table.columns == ["T", "H", "R"]
    assert (table.unit("T"), table.unit("H"), table.unit("R")) == ("K", "Oe", "ohm")
    residual = table.values("R") - sc.truth_table(table)
    n = residual.size
    assert abs(residual.mean()) < 4 * sc.noise / math.sqrt(n)
    assert residual.std(ddof=1) == pytest.approx(sc.noise, rel=4 / math.sqrt(2 * n))
    again = sc.scan(seed=3)
    np.testing.assert_array_equal(table.data.to_numpy(), again.data.to_numpy())
    assert not np.array_equal(table.values("R"), sc.scan(seed=4).values("R"))
    assert table.metadata["synthetic"] is True
    assert table.metadata["parameters"]["model"] == "GL"


def test_truth_table_converts_units() -> None:
    sc = Superconductor.pdh_like()
    table = sc.scan(seed=0)
    converted = table.convert(H="T", T="mK")
    np.testing.assert_allclose(sc.truth_table(converted), sc.truth_table(table), rtol=1e-10)
    assert sc.truth_columns == ("T", "H", "R")


def test_registered_factory() -> None:
    generator = GENERATORS["superconductor_pdh_like"]()
    assert isinstance(generator, Superconductor)
    assert generator.feature_columns == ("T", "H")
    assert generator.target_column == "R"


def test_rejects_unknown_model() -> None:
    with pytest.raises(ValueError, match="model"):
        Superconductor(model="BCS").hc2(1.0)
