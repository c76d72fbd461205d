"""Tests of the Bean–Rodbell magnet generator against independent calculations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.constants import Avogadro, gas_constant, physical_constants
from scipy.integrate import cumulative_trapezoid
from scipy.optimize import brentq
from scipy.special import logsumexp

from reanalyze.synthetic import GENERATORS, BeanRodbellMagnet, brillouin, brillouin_entropy
from reanalyze.table import UnitTable

MU_B_K = physical_constants["Bohr magneton in K/T"][0]  # K/T
MU_B = physical_constants["Bohr magneton"][0]  # J/T


# ------------------------------------------------------------------ independent physics
def _levels(x: np.ndarray, J: float) -> np.ndarray:
    """Boltzmann populations of the 2J+1 levels m = -J..J in the reduced field x."""
    m = np.arange(-J, J + 0.5)
    logits = np.multiply.outer(np.asarray(x, dtype=float), m / J)
    return np.exp(logits - logsumexp(logits, axis=-1, keepdims=True))


def brillouin_sum(x: np.ndarray, J: float) -> np.ndarray:
    """B_J(x) as the thermal average of m/J over the levels."""
    return _levels(x, J) @ (np.arange(-J, J + 0.5) / J)


def entropy_sum(x: np.ndarray, J: float) -> np.ndarray:
    """Gibbs entropy -sum p ln p of the level populations (k_B per ion)."""
    p = _levels(x, J)
    return -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=-1)


def inverse_brillouin(sigma: float, J: float) -> float:
    return brentq(lambda x: brillouin_sum(np.array(x), J) - sigma, 0.0, 2000.0, xtol=1e-14)


def zeeman_x(magnet: BeanRodbellMagnet, T: np.ndarray, H_oe: np.ndarray) -> np.ndarray:
    """m µB µ0H / (k_B T) with µ0H in tesla = H_oe * 1e-4."""
    return magnet.moment_fu * MU_B_K * (np.asarray(H_oe) * 1e-4) / np.asarray(T)


def exchange_x(magnet: BeanRodbellMagnet, T: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    J = magnet.J
    a1 = (J + 1) / (3 * J)
    a3 = ((2 * J + 1) ** 4 - 1) / (720 * J**4)
    return (magnet.T0 / np.asarray(T)) / a1 * (sigma + magnet.eta * a3 / a1**3 * sigma**3)


def sharp(eta: float, **kw: float) -> BeanRodbellMagnet:
    params = {"T0": 30.0, "J": 2.0, "g": 2.0, "eta": eta, "t0_spread": 0.0}
    params.update(kw)
    return BeanRodbellMagnet(**params)  # type: ignore[arg-type]


# ------------------------------------------------------------------ Brillouin pieces
@pytest.mark.parametrize("J", [0.5, 1.0, 2.0, 3.5, 7.5])
def test_brillouin_and_entropy_match_level_sums(J: float) -> None:
    x = np.concatenate([[0.0, 1e-9, 1e-4, 9.9e-3, 1.01e-2], np.linspace(-40, 40, 801)])
    np.testing.assert_allclose(brillouin(x, J), brillouin_sum(x, J), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(brillouin_entropy(x, J), entropy_sum(x, J), rtol=1e-10, atol=1e-12)
    assert brillouin_entropy(0.0, J) == pytest.approx(np.log(2 * J + 1), rel=1e-14)


@pytest.mark.parametrize("J", [0.5, 2.0, 7.5])
def test_brillouin_taylor_coefficients(J: float) -> None:
    a1 = (J + 1) / (3 * J)
    a3 = ((2 * J + 1) ** 4 - 1) / (720 * J**4)
    x = 0.02
    cubic = (brillouin_sum(np.array(x), J) - a1 * x) / x**3
    assert cubic == pytest.approx(-a3, rel=1e-3)


# ------------------------------------------------------------------ the equation of state
@pytest.mark.parametrize("eta", [0.5, 1.0, 1.5, 4.0])
def test_sharp_magnetization_is_self_consistent(eta: float) -> None:
    magnet = sharp(eta)
    T, H = np.meshgrid(np.linspace(2.0, 80.0, 40), [0.0, 100.0, 1e4, 5e4], indexing="ij")
    sigma = magnet.reduced_magnetization(T, H)
    x = exchange_x(magnet, T, sigma) + zeeman_x(magnet, T, H)
    np.testing.assert_allclose(brillouin_sum(x, magnet.J), sigma, atol=1e-10)


@pytest.mark.parametrize(
    ("eta", "T", "H_oe"),
    [
        (1.5, 30.55, 0.0),  # just below T_t(0) = 30.61 K: ordered
        (1.5, 30.65, 0.0),  # just above, with a metastable ordered state: disordered
        (1.5, 31.1, 1000.0),  # T_t(1000 Oe) = 31.15 K
        (1.5, 31.2, 1000.0),
        (8.0, 57.7, 1e4),  # T_t(1 T) = 57.81 K
        (8.0, 57.9, 1e4),
    ],
)
def test_equilibrium_minimizes_gibbs_energy(eta: float, T: float, H_oe: float) -> None:
    """Brute-force minimum of G(σ) on a fine grid picks the generator's branch."""
    magnet = sharp(eta)
    J = magnet.J
    a1 = (J + 1) / (3 * J)
    c = ((2 * J + 1) ** 4 - 1) / (720 * J**4) / a1**3
    x = np.linspace(0.0, 60.0, 300001)
    s_grid = brillouin_sum(x, J)
    entropy = entropy_sum(x, J)
    zeeman = magnet.moment_fu * MU_B_K * H_oe * 1e-4
    gibbs = (
        -magnet.T0 / a1 * (s_grid**2 / 2 + eta * c * s_grid**4 / 4) - zeeman * s_grid - T * entropy
    )
    best = s_grid[np.argmin(gibbs)]
    assert float(magnet.reduced_magnetization(T, H_oe)) == pytest.approx(best, abs=2e-3)


def test_limits_of_the_brillouin_magnet() -> None:
    second_order = sharp(0.5)
    above = np.linspace(30.01, 90.0, 50)
    assert np.all(second_order.reduced_magnetization(above, 0.0) == 0.0)
    assert np.all(second_order.reduced_magnetization(above, 1e4) > 0)
    for magnet in (second_order, sharp(8.0)):
        assert float(magnet.reduced_magnetization(0.3, 0.0)) > 0.9999
        assert float(magnet.reduced_magnetization(0.3, 5e4)) > 0.9999
    # Field reversal reverses the moment.
    T = np.linspace(5, 60, 12)
    np.testing.assert_allclose(
        sharp(8.0).moment(T, -2e4), -sharp(8.0).moment(T, 2e4), rtol=1e-12, atol=0
    )


@pytest.mark.parametrize(("eta", "exponent"), [(0.5, 0.5), (0.9, 0.5), (1.0, 0.25)])
def test_second_order_and_tricritical_are_continuous(eta: float, exponent: float) -> None:
    """σ vanishes continuously at T0: σ ∝ (1 - T/T0)^β, β = 1/2, or 1/4 at the tricritical η = 1."""
    magnet = sharp(eta)
    assert float(magnet.transition_temperature(0.0)) == 30.0
    assert np.all(magnet.reduced_magnetization(30.0 * (1 + np.logspace(-12, -1, 12)), 0.0) == 0)
    delta = np.array([1e-4, 1e-6])
    sigma = magnet.reduced_magnetization(30.0 * (1 - delta), 0.0)
    assert np.all(sigma > 0)
    assert np.log(sigma[0] / sigma[1]) / np.log(delta[0] / delta[1]) == pytest.approx(
        exponent, rel=0.03
    )
    assert np.isnan(magnet.transition_temperature(1e3))


@pytest.mark.parametrize("eta", [1.1, 1.5, 8.0])
def test_first_order_jump_above_t0(eta: float) -> None:
    magnet = sharp(eta)
    t_t = float(magnet.transition_temperature(0.0))
    assert t_t > magnet.T0
    below, above = magnet.reduced_magnetization(np.array([t_t - 1e-7, t_t + 1e-7]), 0.0)
    assert below > 0.15
    assert above == 0.0
    # Landau picture: the jump grows with eta.
    if eta > 1.1:
        smaller = sharp(1.1)
        t_small = float(smaller.transition_temperature(0.0))
        assert below > float(smaller.reduced_magnetization(t_small - 1e-7, 0.0))


@pytest.mark.parametrize(
    ("magnet", "fields"),
    [
        (sharp(1.8), (0.0, 1000.0, 3000.0)),
        (BeanRodbellMagnet.erco2_like(t0_spread=0.0), (100.0, 1e4, 5e4)),
    ],
)
def test_transition_is_where_both_states_have_equal_gibbs_energy(
    magnet: BeanRodbellMagnet, fields: tuple[float, ...]
) -> None:
    """At T_t(H) σ jumps and the two states have equal G (computed independently)."""
    J = magnet.J
    a1 = (J + 1) / (3 * J)
    c = ((2 * J + 1) ** 4 - 1) / (720 * J**4) / a1**3
    for H_oe in fields:
        t_t = float(magnet.transition_temperature(H_oe))
        lo, hi = magnet.reduced_magnetization(np.array([t_t - 1e-6, t_t + 1e-6]), H_oe)
        assert lo - hi > 0.05
        zeeman = magnet.moment_fu * MU_B_K * H_oe * 1e-4
        energies = []
        for sigma in (lo, hi):
            x = inverse_brillouin(float(sigma), J)
            energies.append(
                -magnet.T0 / a1 * (sigma**2 / 2 + magnet.eta * c * sigma**4 / 4)
                - zeeman * sigma
                - t_t * float(entropy_sum(np.array(x), J))
            )
        assert energies[0] == pytest.approx(energies[1], abs=1e-4)
    assert np.isnan(magnet.transition_temperature(magnet.critical_field_oe * 1.01))


def test_sharp_delta_s_is_the_spin_entropy_change() -> None:
    magnet = sharp(1.5, molar_mass=285.1)
    T = np.array([20.0, 33.0, 36.0, 45.0])
    dsm = magnet.delta_s_m(T, 5e4)
    for temp, value in zip(T, dsm, strict=True):
        s_h = entropy_sum(
            np.array(inverse_brillouin(float(magnet.reduced_magnetization(temp, 5e4)), 2.0)), 2.0
        )
        s_0 = entropy_sum(
            np.array(inverse_brillouin(float(magnet.reduced_magnetization(temp, 0.0)), 2.0)), 2.0
        )
        assert value == pytest.approx(gas_constant * (s_h - s_0) / 0.2851, abs=1e-6)
    assert np.all(dsm < 0)


def test_spread_average_matches_brute_force_t0_integral(erco2: BeanRodbellMagnet) -> None:
    """σ with a T0 spread equals a fine Gaussian average of sharp magnets (by T0 scaling)."""
    sharp_ref = BeanRodbellMagnet.erco2_like(t0_spread=0.0)
    z = np.linspace(-6, 6, 6001)
    weight = np.exp(-0.5 * z**2)
    weight /= np.trapezoid(weight, z)
    for T, H_oe in [(34.5, 100.0), (35.0, 1e4), (49.0, 5e4), (20.0, 2e4), (55.0, 0.0)]:
        t0 = erco2.T0 + erco2.t0_spread * z
        # A magnet with T0' at (T, H) is the reference magnet at (T T0/T0', H T0/T0').
        scale = erco2.T0 / t0
        sigma = sharp_ref.reduced_magnetization(T * scale, H_oe * scale)
        expected = np.trapezoid(weight * sigma, z)
        assert float(erco2.reduced_magnetization(T, H_oe)) == pytest.approx(expected, abs=2e-3)


# ------------------------------------------------------------------ Maxwell relation
@pytest.mark.parametrize("preset", ["erco2", "second_order"])  # fixtures: conftest.py
def test_maxwell_relation(preset: str, request: pytest.FixtureRequest) -> None:
    """µ0∫(∂M/∂T)dH on a fine grid equals the exact ΔS_M (M in A·m²/kg, µ0H in T)."""
    magnet: BeanRodbellMagnet = request.getfixturevalue(preset)
    T = np.arange(10.0, 60.0 + 1e-9, 0.1)
    # 0.1 T steps, refined towards zero field where M(H) of the second-order magnet near
    # T0 is steep (the susceptibility averaged over T0 diverges logarithmically).
    low = np.geomspace(1e-4, 0.1, 13)
    mu0h = np.unique(np.concatenate([[0.0], low, np.arange(0.1, 5.0 + 1e-9, 0.1)]))
    TT, HH = np.meshgrid(T, mu0h * 1e4, indexing="ij")
    magnetization = magnet.magnetization(TT, HH)  # emu/g == A·m²/kg
    dm_dt = np.gradient(magnetization, T, axis=0)
    numeric = cumulative_trapezoid(dm_dt, mu0h, axis=1, initial=0.0)
    inner = slice(2, -2)  # np.gradient is one-sided at the ends
    for tesla in (1.0, 5.0):
        j = int(np.argmin(np.abs(mu0h - tesla)))
        exact = magnet.delta_s_m(T, tesla * 1e4)
        peak = exact.min()
        assert numeric[:, j].min() == pytest.approx(peak, rel=0.01)
        rms = np.sqrt(np.mean((numeric[inner, j] - exact[inner]) ** 2))
        assert rms < 0.005 * abs(peak)


# ------------------------------------------------------------------ presets and scans
def test_erco2_like_magnitudes(erco2: BeanRodbellMagnet) -> None:
    t_t = erco2.transition_temperature(np.array([100.0, 1e3, 5e3, 1e4, 2e4, 3e4, 4e4, 5e4]))
    assert np.all(np.isfinite(t_t))
    assert np.all(np.diff(t_t) > 0)
    assert 33.0 < t_t[0] < 37.0
    assert t_t[-1] > t_t[0] + 5
    assert erco2.critical_field_oe > 5e4
    moment = float(erco2.moment(10.0, 5e4))
    assert 0.06 < moment < 0.08
    assert float(erco2.magnetization(10.0, 5e4)) == pytest.approx(moment / 0.61e-3, rel=1e-12)
    # Saturation moment per mass from the moment per formula unit.
    m_sat = erco2.moment_fu * Avogadro * MU_B / 0.2851  # A·m²/kg
    assert erco2.saturation_magnetization == pytest.approx(m_sat, rel=1e-12)
    T = np.linspace(10, 60, 501)
    dsm = erco2.delta_s_m(T, 5e4)
    assert 20.0 < -dsm.min() < 35.0
    assert 34.0 < T[np.argmin(dsm)] < 45.0
    assert np.all(dsm <= 1e-9)
    # The steepest drop of M(T) at 1 T sits at the transition temperature.
    fine = np.linspace(30, 45, 1501)
    slope = np.gradient(erco2.magnetization(fine, 1e4), fine)
    assert fine[np.argmin(slope)] == pytest.approx(t_t[3], abs=0.3)


def test_erco2_like_coarse_fields_give_spiky_entropy(erco2: BeanRodbellMagnet) -> None:
    """As in the paper, trapezoids over the 8 scan fields overshoot and oscillate."""
    T = np.asarray(erco2.temperatures)
    fields = np.concatenate([[0.0], erco2.fields_oe])
    magnetization = erco2.magnetization(T[:, None], fields[None, :])
    coarse = cumulative_trapezoid(
        np.gradient(magnetization, T, axis=0), fields * 1e-4, axis=1, initial=0.0
    )[:, -1]
    exact = erco2.delta_s_m(T, 5e4)
    assert coarse.min() < 1.05 * exact.min()  # |ΔS_M| overestimated by more than 5 %
    assert np.max(np.abs(coarse - exact)) > 3.0  # J/(kg·K)
    wiggles = np.count_nonzero(np.diff(np.sign(np.diff(coarse[(T > 34) & (T < 52)]))))
    assert wiggles >= 4


def test_second_order_preset(second_order: BeanRodbellMagnet) -> None:
    T = np.linspace(10, 60, 501)
    dsm = second_order.delta_s_m(T, 5e4)
    assert 5.0 < -dsm.min() < 35.0
    assert abs(T[np.argmin(dsm)] - second_order.T0) < 8.0
    assert second_order.critical_field_oe == 0.0


def test_scan_table_and_determinism(erco2: BeanRodbellMagnet) -> None:
    first = erco2.scan(seed=1)
    again = erco2.scan(seed=1)
    other = erco2.scan(seed=2)
    assert isinstance(first, UnitTable)
    assert first.columns == ["T", "H", "M"]
    assert (first.unit("T"), first.unit("H"), first.unit("M")) == ("K", "Oe", "emu")
    assert first.kind("M") == "magnetic_moment"
    assert len(first) == 101 * 8
    np.testing.assert_array_equal(first.data.to_numpy(), again.data.to_numpy())
    assert not np.array_equal(first.values("M"), other.values("M"))
    assert first.sample is not None
    assert first.sample.mass == 0.61
    assert first.sample.molar_mass == 285.1
    assert first.metadata["synthetic"] is True
    assert first.metadata["seed"] == 1
    assert first.metadata["parameters"]["eta"] == erco2.eta
    assert sorted(set(first.values("H"))) == [100, 1000, 5000, 10000, 20000, 30000, 40000, 50000]
    # Relative noise of the stated size around the truth.
    ratio = first.values("M") / erco2.truth_table(first) - 1
    assert np.std(ratio) == pytest.approx(erco2.noise, rel=0.15)


def test_truth_table_converts_units(erco2: BeanRodbellMagnet) -> None:
    table = erco2.scan(seed=0)
    in_tesla = table.convert(H="T")
    np.testing.assert_allclose(erco2.truth_table(in_tesla), erco2.truth_table(table), rtol=1e-9)
    assert erco2.truth_columns == ("T", "H", "M")
    assert erco2.target_column == "M"


@pytest.mark.parametrize("key", ["bean_rodbell_first_order", "bean_rodbell_second_order"])
def test_registered_factories(key: str) -> None:
    generator = GENERATORS[key]()
    assert isinstance(generator, BeanRodbellMagnet)
    assert (generator.eta > 1) == (key == "bean_rodbell_first_order")
    assert generator.description
