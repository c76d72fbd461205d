"""Tests of the ARPES Fermi-surface generator against independent calculations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.constants import electron_mass, electron_volt, hbar
from scipy.signal import find_peaks

from reanalyze.synthetic import GENERATORS, ArpesFermiSurface
from reanalyze.table import UnitTable


@pytest.fixture(scope="module")
def arpes() -> ArpesFermiSurface:
    return ArpesFermiSurface.lofbis2_like()


def band(gen: ArpesFermiSurface, kx: float, ky: float) -> float:
    """ε(k) written out independently, eV."""
    cx, cy = math.cos(kx * gen.a), math.cos(ky * gen.a)
    return -2 * gen.t * (cx + cy) - 4 * gen.t_prime * cx * cy - gen.mu


def test_k_conversion_against_formula(arpes: ArpesFermiSurface) -> None:
    # 0.5123 Å⁻¹/√eV is √(2 m_e · 1 eV)/ħ.
    assert math.sqrt(2 * electron_mass * electron_volt) / hbar * 1e-10 == pytest.approx(
        0.5123, rel=2e-4
    )
    rng = np.random.default_rng(0)
    theta1 = rng.uniform(-23, 25, 50)
    theta2 = rng.uniform(-15, 15, 50)
    kx, ky = arpes.k_from_angles(theta1, theta2)
    for t1, t2, x, y in zip(theta1, theta2, kx, ky, strict=True):
        k0 = 0.5123 * math.sqrt(arpes.photon_energy - arpes.work_function)
        assert x == pytest.approx(k0 * math.sin(math.radians(t1)), rel=1e-13, abs=1e-15)
        assert y == pytest.approx(
            k0 * math.cos(math.radians(t1)) * math.sin(math.radians(t2)), rel=1e-13, abs=1e-15
        )
    assert arpes.k0 == pytest.approx(0.5123 * math.sqrt(35.6))


def test_spectral_weight_is_a_unit_lorentzian(arpes: ArpesFermiSurface) -> None:
    kx, ky = 0.3, -0.2
    eps = band(arpes, kx, ky)
    expected = (arpes.gamma / math.pi) / (eps**2 + arpes.gamma**2)
    assert float(arpes.spectral_weight_k(kx, ky)) == pytest.approx(expected, rel=1e-13)
    # The peak intensity on the Fermi surface (πΓA = 1) is amplitude + background.
    crossing = arpes.fermi_crossings_along_cut(0.0)
    intrinsic = arpes.truth(crossing.theta1, 0.0, detector=False)
    np.testing.assert_allclose(intrinsic, arpes.amplitude + arpes.background, rtol=1e-9)


def test_fermi_crossings_are_zeros_of_the_band(arpes: ArpesFermiSurface) -> None:
    total = 0
    for theta2 in arpes.theta2_values:
        crossing = arpes.fermi_crossings_along_cut(theta2)
        total += crossing.theta1.size
        for t1, kx, ky in zip(crossing.theta1, crossing.kx, crossing.ky, strict=True):
            assert arpes.theta1_range[0] <= t1 <= arpes.theta1_range[1]
            assert abs(band(arpes, kx, ky)) < 1e-10
            x, y = arpes.k_from_angles(t1, theta2)
            assert (float(x), float(y)) == pytest.approx((kx, ky), abs=1e-14)
    assert total > 40  # pockets are seen on most cuts
    # A sign change of ε between neighbouring points of a dense cut is always reported.
    theta1 = np.linspace(*arpes.theta1_range, 5001)
    kx, ky = arpes.k_from_angles(theta1, 0.0)
    changes = np.count_nonzero(np.diff(np.sign(arpes.band_energy(kx, ky))))
    assert changes == arpes.fermi_crossings_along_cut(0.0).theta1.size


def test_truth_peaks_sit_on_fermi_crossings(arpes: ArpesFermiSurface) -> None:
    theta1 = arpes.theta1_values()
    spacing = theta1[1] - theta1[0]
    for theta2 in arpes.theta2_values:
        crossings = arpes.fermi_crossings_along_cut(theta2).theta1
        for detector in (False, True):
            intensity = arpes.truth(theta1, np.full_like(theta1, theta2), detector=detector)
            peaks, _ = find_peaks(intensity, prominence=0.3 * arpes.amplitude)
            isolated = [
                c for c in crossings if np.sum(np.abs(crossings - c) < 2.0) == 1
            ]  # two crossings near a pocket's tip merge into one broad peak
            for crossing in isolated:
                if detector and min(abs(crossing - d) for d in arpes.dead_angles) < 1.0:
                    continue  # a dead angle next to the peak hides it
                if min(abs(crossing - arpes.theta1_range[0]), abs(crossing - theta1[-1])) < 0.5:
                    continue  # a half peak at the end of the cut
                assert np.min(np.abs(theta1[peaks] - crossing)) <= spacing
            if not detector and len(isolated) == crossings.size:
                assert peaks.size == crossings.size


def test_detector_sensitivity(arpes: ArpesFermiSurface) -> None:
    edge = max(abs(v) for v in arpes.theta1_range)
    assert float(arpes.sensitivity(0.0)) == pytest.approx(1.0, abs=1e-12)
    far = arpes.sensitivity(np.array([-edge, edge]))
    np.testing.assert_allclose(far, 1 + arpes.edge_gain, rtol=1e-6)
    for dead in arpes.dead_angles:
        gain = 1 + arpes.edge_gain * (dead / edge) ** 2
        assert float(arpes.sensitivity(dead)) == pytest.approx(
            gain * (1 - arpes.dead_depth), rel=1e-3
        )
    theta1 = np.linspace(-20, 20, 41)
    ratio = arpes.truth(theta1, 3.5) / arpes.truth(theta1, 3.5, detector=False)
    np.testing.assert_allclose(ratio, arpes.sensitivity(theta1), rtol=1e-12)


def test_fermi_contour_points(arpes: ArpesFermiSurface) -> None:
    contour = arpes.fermi_contour(np.linspace(-15, 15, 61))
    assert contour.theta1.size > 100
    eps = arpes.band_energy(contour.kx, contour.ky)
    assert np.max(np.abs(eps)) < 1e-10
    kx, ky = arpes.k_from_angles(contour.theta1, contour.theta2)
    np.testing.assert_allclose(kx, contour.kx, atol=1e-14)
    np.testing.assert_allclose(ky, contour.ky, atol=1e-14)


def test_scan_poisson_statistics() -> None:
    gen = ArpesFermiSurface.lofbis2_like(n_theta1=301, exposure=2.5)
    table = gen.scan(seed=7)
    intensity = table.values("I")
    assert np.all(intensity >= 0)
    counts = intensity * gen.exposure
    np.testing.assert_allclose(counts, np.round(counts), atol=1e-9)
    expected = gen.truth_table(table)
    z = (intensity - expected) / np.sqrt(expected / gen.exposure)
    n = z.size
    assert abs(z.mean()) < 4 / math.sqrt(n)
    assert z.var() == pytest.approx(1.0, abs=4 * math.sqrt(2 / n))
    # Higher exposure, less noise: the relative scatter scales as 1/√exposure.
    quiet = ArpesFermiSurface.lofbis2_like(n_theta1=301, exposure=250.0).scan(seed=7)
    rel_noisy = np.std(intensity / expected - 1)
    rel_quiet = np.std(quiet.values("I") / expected - 1)
    assert rel_noisy / rel_quiet == pytest.approx(10.0, rel=0.1)


def test_scan_table_and_determinism(arpes: ArpesFermiSurface) -> None:
    table = arpes.scan(seed=0)
    assert isinstance(table, UnitTable)
    assert table.columns == ["theta1", "theta2", "I"]
    assert [table.unit(c) for c in table.columns] == ["degree", "degree", "arb"]
    assert [table.kind(c) for c in table.columns] == ["angle", "angle", "intensity"]
    assert len(table) == 967 * 31
    theta1 = table.values("theta1")
    assert theta1.min() == pytest.approx(-22.7)
    assert theta1.max() == pytest.approx(24.3)
    np.testing.assert_array_equal(np.unique(table.values("theta2")), np.arange(-15.0, 16.0))
    again = arpes.scan(seed=0)
    np.testing.assert_array_equal(table.data.to_numpy(), again.data.to_numpy())
    assert not np.array_equal(table.values("I"), arpes.scan(seed=1).values("I"))
    assert table.metadata["synthetic"] is True
    assert table.metadata["parameters"]["photon_energy"] == arpes.photon_energy


def test_truth_table_converts_units(arpes: ArpesFermiSurface) -> None:
    table = ArpesFermiSurface.lofbis2_like(n_theta1=50).scan(seed=0)
    radians = table.convert(theta1="radian", theta2="radian")
    np.testing.assert_allclose(arpes.truth_table(radians), arpes.truth_table(table), rtol=1e-10)


def test_registered_factory() -> None:
    generator = GENERATORS["arpes_lofbis2_like"]()
    assert isinstance(generator, ArpesFermiSurface)
    assert generator.truth_columns == ("theta1", "theta2", "I")
