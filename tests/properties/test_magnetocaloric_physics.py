"""The pure magnetocaloric functions against closed-form answers.

Ground truth written out here: the spin-½ Brillouin paramagnet (its entropy is known in
closed form, so the Maxwell integral must reproduce it), the Curie–Weiss law, a magnetization
linear in T and H (where every low-field option has an exact answer), a Gaussian |ΔS_M|(T)
(peak, FWHM, RC and TEC by erf), power laws for the field exponent and Landau isotherms for
the Arrott/Banerjee criterion.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy import constants
from scipy.special import erf

from reanalyze.properties.magnetocaloric_physics import (
    LowField,
    arrott_banerjee,
    field_exponent,
    figures_of_merit,
    maxwell_entropy_change,
    significant,
    temperature_averaged_entropy_change,
)

#: µB/kB, K/T: x = µB·µ0H/(kB·T) of a spin ½ with g = 2.
MU_B_OVER_K_B = constants.physical_constants["Bohr magneton"][0] / constants.k

Exact = Callable[[np.ndarray, float], np.ndarray]


# ----------------------------------------------------------------------------- Maxwell relation
def test_brillouin_spin_half_matches_closed_form_entropy() -> None:
    """M = N µB tanh x; S/(N kB) = ln(2 cosh x) − x tanh x, so ΔS/(N kB) = ln cosh x − x tanh x."""
    T = np.linspace(2.0, 20.0, 721)
    H = np.linspace(0.0, 5.0, 201)
    m = np.tanh(MU_B_OVER_K_B * H[:, None] / T)  # M / (N µB)
    change = maxwell_entropy_change(T, H, m)
    # µ0 ∫ ∂M/∂T dH with M = N µB m:  ΔS/(N kB) = (µB/kB) ∫ ∂m/∂T d(µ0H)
    delta_s = MU_B_OVER_K_B * change.delta_s
    x = MU_B_OVER_K_B * change.upper[:, None] / T
    exact = np.log(np.cosh(x)) - x * np.tanh(x)
    np.testing.assert_array_equal(change.delta_h, H[1:])
    assert np.all(delta_s < 0)
    np.testing.assert_allclose(delta_s, exact, rtol=2e-3, atol=1e-6)
    assert delta_s[-1, 0] == pytest.approx(exact[-1, 0], rel=1e-3)  # largest |ΔS| at 2 K, 5 T


def test_curie_weiss_paramagnet() -> None:
    """M = C·µ0H/(T − θ): ΔS_M(0 → H) = −C(µ0H)²/(2(T − θ)²); trapezoid exact in H."""
    C, theta = 2.5, 12.0
    T = np.linspace(20.0, 80.0, 1201)
    H = np.array([0.0, 0.5, 1.0, 2.0, 5.0])
    change = maxwell_entropy_change(T, H, C * H[:, None] / (T - theta))
    exact = -C * H[1:, None] ** 2 / (2 * (T - theta) ** 2)
    np.testing.assert_allclose(change.delta_s, exact, rtol=1e-4)


@pytest.mark.parametrize(
    ("low_field", "expected_dh", "expected_ds"),
    [
        # M = a·H·(T0 − T): ∂M/∂T = −aH, exact for the gradient and the trapezoid rule
        ("lowest", lambda h, h0: h - h0, lambda h, h0: -(h**2 - h0**2) / 2),
        ("constant", lambda h, h0: h, lambda h, h0: -(h**2 - h0**2) / 2 - h0**2),
        ("zero", lambda h, h0: h, lambda h, h0: -(h**2) / 2),
    ],
)
def test_low_field_options_exact_for_linear_magnetization(
    low_field: LowField, expected_dh: Exact, expected_ds: Exact
) -> None:
    a, h0 = 1.0, 0.25
    T = np.linspace(10.0, 20.0, 21)
    H = np.array([h0, 1.0, 2.0, 4.0])
    change = maxwell_entropy_change(T, H, a * H[:, None] * (30.0 - T), low_field)
    upper = H[1:] if low_field == "lowest" else H
    np.testing.assert_array_equal(change.upper, upper)
    np.testing.assert_allclose(change.delta_h, expected_dh(upper, h0), rtol=1e-14)
    exact = a * expected_ds(upper, h0)[:, None] * np.ones_like(T)
    np.testing.assert_allclose(change.delta_s, exact, rtol=1e-12)


def test_zero_field_line_makes_the_options_coincide() -> None:
    T = np.linspace(10.0, 20.0, 21)
    H = np.array([0.0, 1.0, 3.0])
    M = np.sin(T / 7)[None, :] * H[:, None]
    results = [maxwell_entropy_change(T, H, M, o).delta_s for o in ("lowest", "constant", "zero")]
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(results[0], results[2])


# ----------------------------------------------------------------------------- figures of merit
def test_gaussian_peak_figures_of_merit() -> None:
    """|ΔS| = A exp(−(T − T0)²/2σ²): FWHM = 2√(2 ln 2)σ, RC and TEC by erf."""
    A, T0, sigma = 7.0, 31.3, 4.0
    T = np.linspace(0.0, 60.0, 6001)
    y = A * np.exp(-((T - T0) ** 2) / (2 * sigma**2))
    q = figures_of_merit(T, y, [3.0, 10.0])
    fwhm = 2 * math.sqrt(2 * math.log(2)) * sigma
    assert q.height == pytest.approx(A, rel=1e-7)
    assert q.t_peak == pytest.approx(T0, abs=1e-6)
    assert q.fwhm == pytest.approx(fwhm, rel=1e-5)
    assert q.rcp == pytest.approx(A * fwhm, rel=1e-5)
    area = A * sigma * math.sqrt(2 * math.pi)
    assert q.rc == pytest.approx(area * erf(math.sqrt(math.log(2))), rel=1e-5)
    for width, tec in zip((3.0, 10.0), q.tec, strict=True):
        assert tec == pytest.approx(
            area * erf(width / (2 * math.sqrt(2) * sigma)) / width, rel=1e-6
        )


def test_figures_of_merit_nan_where_undetermined() -> None:
    T = np.linspace(0.0, 10.0, 11)
    edge = figures_of_merit(T, T.copy(), [2.0, 20.0])  # maximum at the end: no right crossing
    assert edge.height == 10.0 and edge.t_peak == 10.0
    assert math.isnan(edge.fwhm) and math.isnan(edge.rcp) and math.isnan(edge.rc)
    assert edge.tec[0] == pytest.approx(9.0) and math.isnan(edge.tec[1])  # window > grid
    flat = figures_of_merit(T, np.zeros_like(T), [2.0])
    assert all(math.isnan(v) for v in (flat.height, flat.t_peak, flat.fwhm, flat.rc))
    assert math.isnan(temperature_averaged_entropy_change(T, np.where(T == 3, np.nan, T), 2.0))


# ----------------------------------------------------------------------------- field exponent
def test_field_exponent_of_power_laws_and_undefined_cases() -> None:
    dh = np.array([0.5, 1.0, 2.0, 5.0])
    n_exact = np.array([2 / 3, 1.0, 2.0, 2.6])
    n = field_exponent(dh, -3.0 * dh[:, None] ** n_exact)
    np.testing.assert_allclose(n, np.broadcast_to(n_exact, n.shape), rtol=1e-12)
    two = field_exponent(dh[:2], -(dh[:2, None] ** 1.5))  # first order with 2 changes
    np.testing.assert_allclose(two, 1.5, rtol=1e-12)
    assert np.isnan(field_exponent(dh[:1], np.ones((1, 3)))).all()
    assert np.isnan(field_exponent(dh, np.zeros((4, 2)))).all()  # ln 0


def test_significant_is_relative_to_the_largest_value() -> None:
    ds = np.array([[-0.5, -1.0], [-4.0, -0.3]])
    np.testing.assert_array_equal(significant(ds, 0.1), [[True, True], [True, False]])
    assert not significant(np.full((2, 2), np.nan), 0.1).any()


# ----------------------------------------------------------------------------- Arrott/Banerjee
def test_mean_field_isotherms_are_straight_with_slope_one_over_b() -> None:
    """H = aM + bM³ (second order): M² = (H/M − a)/b, positive slope, not first order."""
    M = np.linspace(0.2, 2.0, 10)
    for a, b in ((0.5, 2.0), (-0.3, 1.0), (0.0, 0.7)):
        H = a * M + b * M**3
        order = np.argsort(H)
        m2, h_over_m, negative = arrott_banerjee(H[order], M[order, None], 0.02)
        np.testing.assert_allclose(np.diff(m2[:, 0]) / np.diff(h_over_m[:, 0]), 1 / b, rtol=1e-9)
        assert not negative[0]


def test_landau_first_order_isotherm_has_a_negative_slope() -> None:
    """H = aM + bM³ + cM⁵ with b < 0 (9b² < 20ac keeps H monotonic): H/M falls for M² < −b/2c."""
    a, b, c = 2.0, -2.0, 1.0
    M = np.array([0.2, 0.5, 0.8, 1.0, 1.5, 2.0])  # measured fields are coarse
    H = a * M + b * M**3 + c * M**5
    assert np.all(np.diff(H) > 0)
    _, h_over_m, negative = arrott_banerjee(H, M[:, None], 0.02)
    assert negative[0]
    assert np.diff(h_over_m[:, 0])[M[1:] ** 2 < -b / (2 * c)].max() < 0


def test_arrott_ignores_non_positive_m_and_small_segments() -> None:
    H = np.array([1.0, 2.0, 3.0])
    M = np.array([[0.0, 1.0], [2.0, 0.999], [3.0, 0.9985]])  # col 1: dip below tolerance
    m2, h_over_m, negative = arrott_banerjee(H, M, 0.02)
    assert np.isnan(m2[0, 0]) and np.isnan(h_over_m[0, 0])
    assert not negative.any()
