"""The pure ARPES functions against closed-form answers.

Ground truth written out here: the free-electron photoemission kinematics (kx = k0 sin θ1,
ky = k0 cos θ1 sin θ2), a finite-difference Jacobian of the angle-to-k map, Lorentzian and
Gaussian momentum distribution curves with peaks at known positions between the grid points,
and a bilinear intensity, which the cut-wise linear resampling reproduces exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import constants

from reanalyze.errors import PluginError
from reanalyze.properties.arpes_interpolation import angle_grid, build_interpolator
from reanalyze.properties.arpes_physics import (
    K_PER_SQRT_EV,
    angles_from_k,
    angles_to_k,
    find_mdc_peaks,
    jacobian_angles_per_k,
    lorentzian,
    photoelectron_k0,
)

GRID = np.arange(-12.0, 12.0 + 1e-9, 0.5)  # θ1, degree


def gaussian(x: np.ndarray, amplitude: float, centre: float, sigma: float) -> np.ndarray:
    return amplitude * np.exp(-((x - centre) ** 2) / (2 * sigma**2))


# ----------------------------------------------------------------------------- kinematics
def test_k0_is_the_free_electron_momentum() -> None:
    kinetic = 40.0 - 4.4 - 0.3
    k0 = math.sqrt(2 * constants.m_e * kinetic * constants.eV) / constants.hbar * 1e-10
    assert photoelectron_k0(40.0, 4.4, 0.3) == pytest.approx(k0, rel=1e-14)
    assert pytest.approx(0.512317, rel=1e-6) == K_PER_SQRT_EV
    with pytest.raises(PluginError, match="kinetic energy"):
        photoelectron_k0(4.0, 4.4, 0.0)


def test_angles_to_k_and_back_round_trip() -> None:
    rng = np.random.default_rng(3)
    theta1, theta2 = rng.uniform(-60, 60, 200), rng.uniform(-60, 60, 200)
    k0 = 3.0
    kx, ky = angles_to_k(theta1, theta2, k0)
    np.testing.assert_allclose(kx, k0 * np.sin(np.radians(theta1)), rtol=1e-14)
    kz = np.sqrt(k0**2 - kx**2 - ky**2)  # the third component: cos θ1 cos θ2
    np.testing.assert_allclose(kz, k0 * np.cos(np.radians(theta1)) * np.cos(np.radians(theta2)))
    back1, back2 = angles_from_k(kx, ky, k0)
    np.testing.assert_allclose(back1, theta1, atol=1e-10)
    np.testing.assert_allclose(back2, theta2, atol=1e-10)
    far1, far2 = angles_from_k([2.5, 0.0], [2.0, 3.5], k0)  # |k| > k0: unreachable
    assert np.isnan(far1).all() and np.isnan(far2).all()


def test_jacobian_is_the_inverse_determinant_of_the_angle_to_k_map() -> None:
    k0, h = 2.7, 1e-5
    for theta1, theta2 in ((0.0, 0.0), (20.0, -35.0), (-50.0, 10.0)):

        def k(t1: float, t2: float) -> np.ndarray:
            return np.array(angles_to_k(t1, t2, k0), dtype=float)

        d1 = (k(theta1 + h, theta2) - k(theta1 - h, theta2)) / (2 * h)  # per degree
        d2 = (k(theta1, theta2 + h) - k(theta1, theta2 - h)) / (2 * h)
        determinant = abs(d1[0] * d2[1] - d1[1] * d2[0])
        expected = 1 / determinant  # deg² Å²
        assert jacobian_angles_per_k(theta1, theta2, k0) == pytest.approx(expected, rel=1e-7)


# ----------------------------------------------------------------------------- MDC peaks
def test_lorentzian_line_shape() -> None:
    x = np.array([0.0, 1.0, 3.0])
    np.testing.assert_allclose(lorentzian(x, 4.0, 1.0, 2.0, 0.5), [3.7, 4.5, 2.5])


#: Peak centres between the 0.5° grid points, one cut each, degree.
CENTRES = np.array([-5.37, -0.2, 0.0, 0.25, 1.13, 3.11, 7.76])


@pytest.mark.parametrize(
    ("refine", "tolerance"),
    [("lorentzian", 1e-9), ("parabola", 0.075), ("none", 0.25 + 1e-12)],
)
def test_lorentzian_peaks_between_grid_points(refine: str, tolerance: float) -> None:
    """The Lorentzian fit is exact on a Lorentzian; a parabola within 0.15 grid steps."""
    cuts = np.stack([lorentzian(GRID, 1.0, c, 0.9, 0.05) for c in CENTRES])
    peaks = find_mdc_peaks(GRID, cuts, refine=refine, max_peaks=2)
    np.testing.assert_array_equal(peaks.n_found, 1)
    np.testing.assert_allclose(peaks.theta1[:, 0], CENTRES, rtol=0, atol=tolerance)
    assert np.isnan(peaks.theta1[:, 1]).all() and np.isnan(peaks.height[:, 1]).all()
    if refine == "lorentzian":
        np.testing.assert_allclose(peaks.height[:, 0], 1.05, rtol=1e-9)


@pytest.mark.parametrize(("refine", "tolerance"), [("parabola", 0.05), ("lorentzian", 0.002)])
def test_gaussian_peaks_within_a_tenth_of_a_grid_step(refine: str, tolerance: float) -> None:
    cuts = np.stack([gaussian(GRID, 3.0, c, 1.2) for c in CENTRES])
    peaks = find_mdc_peaks(GRID, cuts, refine=refine)
    np.testing.assert_allclose(peaks.theta1[:, 0], CENTRES, rtol=0, atol=tolerance)
    np.testing.assert_allclose(peaks.height[:, 0], 3.0, rtol=0.05)  # least squares: 3-4 % low


def test_two_peaks_of_a_cut_are_ordered_by_theta1_and_nan_padded() -> None:
    cut = lorentzian(GRID, 0.7, 3.11, 1.1, 0.0) + lorentzian(GRID, 1.0, -5.37, 0.8, 0.05)
    peaks = find_mdc_peaks(GRID, cut[None, :], refine="lorentzian", max_peaks=3)
    assert peaks.n_found.tolist() == [2]
    np.testing.assert_allclose(peaks.theta1[0, :2], [-5.37, 3.11], atol=0.01)  # tails overlap
    assert np.isnan(peaks.theta1[0, 2])


def test_prominence_keeps_noise_out_and_max_peaks_keeps_the_strongest() -> None:
    rng = np.random.default_rng(0)
    signal = gaussian(GRID, 1.0, -4.1, 0.7) + gaussian(GRID, 0.4, 5.2, 0.7)
    empty = 0.01 * rng.standard_normal(GRID.size)  # a cut that crosses no sheet
    peaks = find_mdc_peaks(GRID, np.stack([signal, empty]), max_peaks=1, map_prominence=0.1)
    assert peaks.n_found.tolist() == [2, 0]  # two found, only the stronger kept
    assert peaks.theta1[0, 0] == pytest.approx(-4.1, abs=0.05)
    assert np.isnan(peaks.theta1[1]).all()


def test_peaks_on_either_side_of_a_hole_in_the_cone() -> None:
    cut = lorentzian(GRID, 1.0, -6.3, 0.9, 0.0) + lorentzian(GRID, 1.0, 6.3, 0.9, 0.0)
    cut[(GRID > -2) & (GRID < 2)] = np.nan
    peaks = find_mdc_peaks(GRID, cut[None, :], refine="lorentzian")
    np.testing.assert_allclose(peaks.theta1[0, :2], [-6.3, 6.3], atol=1e-3)


# ----------------------------------------------------------------------------- resampling
@pytest.mark.parametrize("method", ["cuts", "delaunay"])
def test_linear_resampling_is_exact_for_a_linear_intensity(method: str) -> None:
    theta1 = np.tile(np.linspace(-10, 10, 21), 7)
    theta2 = np.repeat(np.linspace(-3, 3, 7), 21)
    interp = build_interpolator(theta1, theta2, 2.0 + 0.3 * theta1 - 0.7 * theta2, method)
    q1, q2 = np.array([-9.25, 0.1, 4.4]), np.array([-2.5, 0.33, 2.9])
    np.testing.assert_allclose(interp(q1, q2), 2.0 + 0.3 * q1 - 0.7 * q2, rtol=1e-12)
    assert np.isnan(interp(np.array([11.0]), np.array([0.0]))).all()  # outside the cone
    np.testing.assert_allclose(angle_grid(-1.0, 1.0, 0.5), [-1.0, -0.5, 0.0, 0.5, 1.0])
