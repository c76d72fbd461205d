"""The pure superconducting-transport functions against closed-form answers.

Ground truth written out here: a tanh resistive transition R = R_n(T)·½(1 + tanh((T − Tc)/w))
whose criterion temperatures are Tc + w·artanh(2f − 1), the GL and WHH µ0Hc2(T) curves (the
WHH digamma equation, its slope at Tc and the 0.693 ratio), and the flux-quantum arithmetic
of the coherence length.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import constants
from scipy.special import digamma

from reanalyze.properties import superconducting_physics as sc

TC, WIDTH = 7.25, 0.08  # K


def transition(T: np.ndarray, tc: float = TC) -> np.ndarray:
    """R/R_n of a tanh transition of half-width WIDTH at tc (dimensionless)."""
    return 0.5 * (1 + np.tanh((T - tc) / WIDTH))


# ----------------------------------------------------------------------------- R(T) lines
@pytest.mark.parametrize("fraction", [0.9, 0.5, 0.1])
def test_criterion_temperature_of_a_tanh_transition(fraction: float) -> None:
    T = np.linspace(5.0, 10.0, 5001)  # 1 mK steps
    exact = TC + WIDTH * math.atanh(2 * fraction - 1)
    assert sc.crossing(T, transition(T) - fraction) == pytest.approx(exact, abs=2e-5)


def test_normal_state_fit_and_ratio_recover_the_transition() -> None:
    T = np.linspace(5.0, 12.0, 701)
    rn = 2.0 + 0.05 * T
    normal = sc.fit_normal(T[T > 9], (rn * transition(T))[T > 9], "linear")
    np.testing.assert_allclose(normal.coef, [2.0, 0.05], rtol=1e-9)
    ratio = rn * transition(T) / normal(T)
    assert sc.crossing(T, ratio - 0.5) == pytest.approx(TC, abs=1e-5)
    quad = sc.fit_normal(T, 1.0 + 0.01 * T**2, "quadratic")
    np.testing.assert_allclose(quad.coef, [1.0, 0.0, 0.01], atol=1e-12)
    assert sc.fit_normal(T, np.full_like(T, 3.0), "constant").coef.tolist() == pytest.approx([3.0])


def test_crossing_rejects_an_isolated_spike_and_needs_a_normal_state() -> None:
    T = np.linspace(5.0, 10.0, 501)
    ratio = transition(T)
    spiked = ratio.copy()
    spiked[T.searchsorted(9.0)] = 0.0  # one dropout well above Tc
    assert sc.crossing(T, spiked - 0.5) == pytest.approx(TC, abs=1e-3)
    assert sc.crossing(T, spiked - 0.5, confirm=1) > 8.9  # accepted when not confirmed
    assert math.isnan(sc.crossing(T, ratio - 1.5))  # already below the level at the top
    assert math.isnan(sc.crossing(T, ratio + 0.5))  # never below
    assert math.isnan(sc.crossing(T, np.where(T < 6, np.nan, ratio) - 0.5))


def test_smoothing_keeps_polynomials_and_despiking_removes_a_spike() -> None:
    T = np.linspace(0.0, 10.0, 201)
    quadratic = 1 + 0.3 * T - 0.02 * T**2
    smoothed = sc.smooth_resistance(T, quadratic, 1.0, 2, despike=False)
    np.testing.assert_allclose(smoothed, quadratic, atol=1e-12)
    linear = 2 * T + 1  # monotonic: the running median leaves it too
    np.testing.assert_allclose(sc.smooth_resistance(T, linear, 1.0, 2), linear, atol=1e-12)
    spiked = quadratic.copy()
    spiked[100] += 5.0
    cleaned = sc.smooth_resistance(T, spiked, 0.0, despike=True)
    assert abs(cleaned[100] - quadratic[100]) < 0.01
    np.testing.assert_array_equal(sc.smooth_resistance(T, spiked, 0.0, despike=False), spiked)


def test_group_fields_by_gap_with_median_centres() -> None:
    fields = np.array([0.0, 1.0, 0.0004, 2.0, 1.0006, 2.0, 0.9998])
    labels, centres = sc.group_fields(fields, 0.001)
    np.testing.assert_array_equal(labels, [0, 1, 0, 2, 1, 2, 1])
    np.testing.assert_allclose(centres, [0.0002, 1.0, 2.0])


# ----------------------------------------------------------------------------- Hc2 models
def test_gl_curve_values_and_fit_round_trip() -> None:
    T = np.array([0.0, 2.0, 4.0, 6.0, 7.0, 8.0])
    hc2 = sc.gl_hc2(T, 3.0, 7.0)
    t = T / 7.0
    np.testing.assert_allclose(hc2, np.where(t < 1, 3.0 * (1 - t**2) / (1 + t**2), 0.0))
    assert sc.fit_gl(T[1:5], hc2[1:5]) == pytest.approx((3.0, 7.0), rel=1e-8)
    assert all(math.isnan(v) for v in sc.fit_gl(T[:1], hc2[:1]))


def test_whh_reduced_field_solves_the_digamma_equation() -> None:
    t = np.linspace(0.05, 0.95, 19)
    h = sc.whh_reduced_field(t)
    residual = digamma(0.5 + h / (2 * t)) - digamma(0.5) - np.log(1 / t)
    np.testing.assert_allclose(residual, 0.0, atol=1e-10)
    assert np.all(np.diff(h) < 0)
    assert sc.whh_reduced_field(0.0) == pytest.approx(math.exp(-np.euler_gamma) / 2, rel=1e-15)
    assert sc.whh_reduced_field(1.2) == 0.0
    assert pytest.approx(math.pi**2 * math.exp(-np.euler_gamma) / 8, rel=1e-15) == sc.WHH_RATIO


def test_whh_curve_has_the_given_slope_at_tc_and_0p693_at_zero() -> None:
    tc, slope = 7.0, 1.5
    assert float(sc.whh_hc2(0.0, tc, slope)) == pytest.approx(0.69267 * tc * slope, rel=1e-5)
    dt = 1e-4
    numerical = float(sc.whh_hc2(tc - dt, tc, slope)) / dt  # H(Tc) = 0
    assert numerical == pytest.approx(slope, rel=1e-3)


def test_slope_and_whh_fits_round_trip() -> None:
    H = np.array([0.0, 0.25, 0.5, 1.0])
    T = TC - H / 0.8  # dµ0Hc2/dT = −0.8 T/K
    slope, tc, points = sc.fit_slope(T, H, 0.6)
    assert (slope, tc, points) == (pytest.approx(-0.8), pytest.approx(TC), 3)
    T_whh = np.array([1.0, 3.0, 5.0, 6.5])
    tc_whh, slope_whh = sc.fit_whh(T_whh, sc.whh_hc2(T_whh, 7.0, 1.5), 6.0, 1.0)
    assert (tc_whh, slope_whh) == (pytest.approx(7.0, rel=1e-7), pytest.approx(1.5, rel=1e-7))
    assert all(math.isnan(v) for v in sc.fit_whh(T_whh, T_whh, 6.0, -1.0))


def test_fit_hc2_on_exact_gl_points() -> None:
    T = np.array([TC, 6.0, 5.0, 3.0, 1.0, np.nan])
    H = sc.gl_hc2(T, 4.0, TC)
    fits = sc.fit_hc2(T, -H, slope_field_max=1.0)  # sign of the field is irrelevant
    assert (fits.hc2_gl, fits.tc_gl) == (pytest.approx(4.0, rel=1e-7), pytest.approx(TC))
    assert fits.slope_fields == 2
    assert fits.hc2_whh_slope == pytest.approx(-sc.WHH_RATIO * fits.tc_slope * fits.slope)
    assert math.isfinite(fits.tc_whh) and math.isfinite(fits.hc2_whh)


# ----------------------------------------------------------------------------- derived limits
def test_pauli_maki_and_coherence_length_by_independent_arithmetic() -> None:
    assert sc.pauli_limit(9.2) == pytest.approx(1.84 * 9.2)
    assert sc.maki_parameter(2.0, 4.0) == pytest.approx(math.sqrt(2) / 2)
    assert math.isnan(sc.maki_parameter(2.0, 0.0))
    assert pytest.approx(2.067833848e-15, rel=1e-9) == sc.FLUX_QUANTUM
    # Φ0/(2π · 1 T) = 3.2911e-16 m², ξ = 18.14 nm
    xi = sc.gl_coherence_length(1.0)
    assert xi == pytest.approx(math.sqrt(constants.h / (2 * constants.e) / (2 * math.pi)))
    assert xi * 1e9 == pytest.approx(18.14, abs=0.01)
    assert math.isnan(sc.gl_coherence_length(0.0))
