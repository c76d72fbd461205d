"""Tests of the ``arpes_map`` property plugin against the synthetic ARPES generator's exact answers.

Ground truth: :class:`reanalyze.synthetic.arpes.ArpesFermiSurface` (exact Fermi crossings per
cut, noise-free intensity on any grid, its angle-to-k convention) and analytic formulas
written out independently here (k from angles via kz = √(k0² − kx² − ky²), the bilinear
interpolation error bound, the Jacobian of the angle-to-k map).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy.constants import electron_mass, electron_volt, hbar

from reanalyze.errors import ColumnError, PluginError
from reanalyze.plotting import figure_problems
from reanalyze.properties.arpes import (
    K_PER_SQRT_EV,
    ArpesMap,
    angles_from_k,
    angles_to_k,
    jacobian_angles_per_k,
    photoelectron_k0,
)
from reanalyze.properties.base import ENSEMBLE_KEY, PropertyResult
from reanalyze.synthetic.arpes import ArpesFermiSurface
from reanalyze.table import UnitTable

SPECS = {"theta1": ("angle", "degree"), "theta2": ("angle", "degree"), "I": ("intensity", "arb")}


# ----------------------------------------------------------------------- helpers
def truth_table(gen: ArpesFermiSurface, *, detector: bool) -> UnitTable:
    """The generator's noise-free intensity on its own scan grid."""
    theta1 = np.tile(gen.theta1_values(), len(gen.theta2_values))
    theta2 = np.repeat(np.asarray(gen.theta2_values, dtype=float), gen.n_theta1)
    intensity = gen.truth(theta1, theta2, detector=detector)
    return UnitTable(pd.DataFrame({"theta1": theta1, "theta2": theta2, "I": intensity}), SPECS)


def table_of(theta1: np.ndarray, theta2: np.ndarray, intensity: np.ndarray) -> UnitTable:
    return UnitTable(pd.DataFrame({"theta1": theta1, "theta2": theta2, "I": intensity}), SPECS)


def resolved_cuts(gen: ArpesFermiSurface) -> dict[float, np.ndarray]:
    """Cuts whose exact crossings are all ≥ 2° apart and ≥ 1° inside the θ1 range.

    Cuts that only graze a pocket (crossings closer than the MDC peak width) give one merged
    peak and are left out of the position tests.
    """
    lo, hi = gen.theta1_range
    out = {}
    for theta2 in gen.theta2_values:
        crossings = gen.fermi_crossings_along_cut(theta2).theta1
        if crossings.size == 0 or np.any(np.diff(crossings) < 2.0):
            continue
        if crossings.min() < lo + 1 or crossings.max() > hi - 1:
            continue
        out[float(theta2)] = crossings
    return out


def peaks_on(result: PropertyResult, theta2: float) -> pd.DataFrame:
    data = result.tables["mdc_peaks"].data
    rows = data[np.isclose(data["theta2"], theta2)]
    return rows[np.isfinite(rows["theta1"])]


def k_independent(kx: np.ndarray, ky: np.ndarray, k0: float) -> tuple[np.ndarray, np.ndarray]:
    """Angles of (kx, ky) through kz = √(k0² − kx² − ky²): θ1 = arcsin(kx/k0), tan θ2 = ky/kz."""
    kz = np.sqrt(np.clip(k0**2 - kx**2 - ky**2, 0, None))
    return np.degrees(np.arcsin(np.clip(kx / k0, -1, 1))), np.degrees(np.arctan2(ky, kz))


@pytest.fixture(scope="module")
def lofbis2() -> ArpesFermiSurface:
    return ArpesFermiSurface.lofbis2_like()


# ----------------------------------------------------------------------- (3) k conversion
def test_k_constant_is_sqrt_2me_ev_over_hbar_and_matches_generator_to_1e_4(
    lofbis2: ArpesFermiSurface,
) -> None:
    derived = math.sqrt(2 * electron_mass * electron_volt) / hbar / 1e10  # 1/Å per √eV
    constant = K_PER_SQRT_EV
    assert constant == pytest.approx(derived, rel=1e-12)
    assert constant == pytest.approx(0.5123, rel=1e-4)  # the textbook rounding
    k0 = photoelectron_k0(lofbis2.photon_energy, lofbis2.work_function, 0.0)
    assert k0 == pytest.approx(derived * math.sqrt(40.0 - 4.4), rel=1e-12)
    assert k0 == pytest.approx(lofbis2.k0, rel=1e-4)

    rng = np.random.default_rng(1)
    theta1, theta2 = rng.uniform(-23, 25, 400), rng.uniform(-15, 15, 400)
    kx, ky = angles_to_k(theta1, theta2, k0)
    gx, gy = lofbis2.k_from_angles(theta1, theta2)
    # Same geometry as the generator: equal up to the ratio of the constants (3e-5) ...
    np.testing.assert_allclose(kx, gx * k0 / lofbis2.k0, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ky, gy * k0 / lofbis2.k0, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.hypot(kx, ky), np.hypot(gx, gy), rtol=1e-4)
    # ... and the inverse agrees with the kz-based formula (1e-10 degree).
    t1, t2 = angles_from_k(kx, ky, k0)
    i1, i2 = k_independent(kx, ky, k0)
    np.testing.assert_allclose(t1, theta1, atol=1e-10)
    np.testing.assert_allclose(t2, theta2, atol=1e-10)
    np.testing.assert_allclose(i2, theta2, atol=1e-10)
    np.testing.assert_allclose(i1, theta1, atol=1e-10)
    # Beyond the photoelectron sphere no angle reaches k.
    assert np.isnan(angles_from_k(0.8 * k0, 0.8 * k0, k0)[0])


def test_binding_energy_lowers_k0_as_sqrt_of_kinetic_energy() -> None:
    assert photoelectron_k0(40.0, 4.4, 1.6) / photoelectron_k0(40.0, 4.4, 0.0) == pytest.approx(
        math.sqrt(34.0 / 35.6), rel=1e-12
    )


# ----------------------------------------------------------------------- (1) ground truth
@pytest.mark.parametrize(
    ("detector", "tol_deg", "tol_k"), [(False, 0.025, 1.5e-3), (True, 0.04, 2.5e-3)]
)
def test_mdc_peaks_match_exact_crossings_noise_free_within_tol_deg_and_tol_k(
    detector: bool, tol_deg: float, tol_k: float
) -> None:
    # Fine θ1 grid (0.0243° steps), noise-free. The largest errors (0.02°, 0.038° with the
    # detector, whose edge gain pulls the peaks outwards) are on the cuts θ2 = ±5° that cross
    # the pockets' flat tops, where the MDC peak is broad and lopsided; elsewhere they are a
    # few thousandths of a degree (median < 0.005°). tol_k in Å⁻¹ (1e-3 Å⁻¹ ≈ 0.02°).
    gen = ArpesFermiSurface.lofbis2_like(n_theta1=1935)
    result = ArpesMap().run(truth_table(gen, detector=detector), figures=False)
    cuts = resolved_cuts(gen)
    assert len(cuts) >= 20
    k_scale = K_PER_SQRT_EV / 0.5123  # plugin's exact constant vs the generator's rounding
    d_theta, d_k = [], []
    for theta2, crossings in cuts.items():
        found = peaks_on(result, theta2)
        assert len(found) == crossings.size, f"θ2 = {theta2}: {found['theta1'].to_numpy()}"
        exact = gen.fermi_crossings_along_cut(theta2)
        d_theta += list(np.abs(found["theta1"].to_numpy() - crossings))
        d_k += list(np.hypot(found["kx"] - exact.kx * k_scale, found["ky"] - exact.ky * k_scale))
    print(
        f"detector={detector}: {len(d_theta)} crossings, max |Δθ1| = {max(d_theta):.2e}°, "
        f"median {np.median(d_theta):.1e}°, max |Δk| = {max(d_k):.2e} 1/Å"
    )
    assert max(d_theta) < tol_deg
    assert np.median(d_theta) < 0.005
    assert max(d_k) < tol_k


# ----------------------------------------------------------------------- (2) noisy scan
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_noisy_scan_peaks_within_0p1_deg_and_no_spurious_peaks(
    lofbis2: ArpesFermiSurface, seed: int
) -> None:
    result = ArpesMap().run(lofbis2.scan(seed=seed), figures=False)
    cuts = resolved_cuts(lofbis2)
    errors, spurious = [], 0
    for theta2, crossings in cuts.items():
        found = peaks_on(result, theta2)["theta1"].to_numpy()
        assert found.size >= crossings.size, f"θ2 = {theta2}: missed a crossing"
        errors += [float(np.min(np.abs(found - c))) for c in crossings]
        spurious += int(np.sum([np.min(np.abs(crossings - f)) > 0.3 for f in found]))
    errors_arr = np.asarray(errors)
    print(f"seed {seed}: max {errors_arr.max():.3f}°, median {np.median(errors_arr):.4f}°")
    assert errors_arr.max() < 0.1
    assert np.median(errors_arr) < 0.02
    assert spurious == 0  # on the resolved cuts
    # Cuts crossing no sheet (θ2 = ±6°, ±7°) hold only the grazing pockets' maxima: ≤ 4 each.
    data = result.tables["mdc_peaks"].data
    for theta2 in (-7.0, -6.0, 6.0, 7.0):
        assert lofbis2.fermi_crossings_along_cut(theta2).theta1.size == 0
        assert np.isfinite(data["theta1"][data["theta2"] == theta2]).sum() <= 4


def test_lorentzian_refinement_also_within_0p025_deg_noise_free() -> None:
    gen = ArpesFermiSurface.lofbis2_like(n_theta1=1935)
    result = ArpesMap().run(
        truth_table(gen, detector=False), {"refine": "lorentzian"}, figures=False
    )
    for theta2, crossings in resolved_cuts(gen).items():
        found = peaks_on(result, theta2)["theta1"].to_numpy()
        np.testing.assert_allclose(found, crossings, atol=0.025)


# ----------------------------------------------------------------------- (4) the cone
def test_k_map_nan_exactly_outside_measured_angles_never_zero() -> None:
    gen = ArpesFermiSurface.lofbis2_like(n_theta1=241)
    table = truth_table(gen, detector=True)
    result = ArpesMap().run(table, {"k_step": 0.01}, figures=False)
    k_map = result.tables["k_map"]
    kx, ky, intensity = k_map.values("kx"), k_map.values("ky"), k_map.values("I")
    theta1, theta2 = k_independent(kx, ky, result.summary["k0"].value)
    (lo1, hi1), (lo2, hi2) = gen.theta1_range, (-15.0, 15.0)
    margin = 1e-6
    inside = (theta1 > lo1 + margin) & (theta1 < hi1 - margin)
    inside &= (theta2 > lo2 + margin) & (theta2 < hi2 - margin)
    outside = (theta1 < lo1 - margin) | (theta1 > hi1 + margin)
    outside |= (theta2 < lo2 - margin) | (theta2 > hi2 + margin)
    assert inside.sum() > 10_000 and outside.sum() > 1_000
    assert np.all(np.isfinite(intensity[inside]))
    assert np.all(intensity[inside] > 0)
    assert np.all(np.isnan(intensity[outside]))
    assert not np.any(intensity == 0)
    # A k point far outside the cone (θ1 ≈ 40°) is NaN in the angle map's resampling too.
    wide = ArpesMap().run(table, {"theta1_range": (-30.0, 40.0)}, figures=False)
    angle_map = wide.tables["angle_map"]
    out = angle_map.values("theta1") > hi1 + 1e-6
    assert out.any() and np.all(np.isnan(angle_map.values("I")[out]))


def test_angle_map_nan_outside_a_per_cut_cone_and_in_holes() -> None:
    # Cuts whose θ1 range shrinks with |θ2| (a round detector window), and one cut with a
    # 2° hole of NaN intensity and a single NaN point.
    step1 = 0.1
    rows = []
    for theta2 in np.arange(-5.0, 5.5, 1.0):
        half = 10.0 - abs(theta2)
        theta1 = np.round(np.arange(-half, half + step1 / 2, step1), 10)
        intensity = 100 + theta1 + 3 * theta2  # linear: interpolation is exact
        if theta2 == 0:
            intensity = np.where((theta1 > 1.0) & (theta1 < 3.0), np.nan, intensity)
            intensity = np.where(np.isclose(theta1, -4.0), np.nan, intensity)
        rows.append(pd.DataFrame({"theta1": theta1, "theta2": theta2, "I": intensity}))
    data = pd.concat(rows, ignore_index=True)
    table = UnitTable(data, SPECS)
    result = ArpesMap().run(table, {"theta1_step": 0.05, "theta2_step": 0.25}, figures=False)
    angle_map = result.tables["angle_map"]
    t1, t2, intensity = (angle_map.values(c) for c in ("theta1", "theta2", "I"))
    # Cone of the cuts method: both neighbouring cuts must cover θ1.
    lower, upper = np.floor(t2), np.ceil(t2)
    half = 10.0 - np.maximum(np.abs(lower), np.abs(upper))
    tol = 1e-9
    inside = np.abs(t1) <= half + tol
    # The 2° hole of cut θ2 = 0 stays NaN on that cut and between it and its neighbours;
    # the single NaN point (θ1 = −4°) is bridged.
    hole = (np.abs(t2) < 1) & (t1 > 1.0 + tol) & (t1 < 3.0 - tol)
    expected_nan = ~inside | hole
    np.testing.assert_array_equal(np.isnan(intensity), expected_nan)
    finite = ~expected_nan
    np.testing.assert_allclose(intensity[finite], 100 + t1[finite] + 3 * t2[finite], rtol=1e-12)
    assert not np.any(intensity == 0)


def test_delaunay_method_nan_outside_the_convex_hull() -> None:
    rng = np.random.default_rng(3)
    radius = 10.0
    r = radius * np.sqrt(rng.uniform(0, 1, 3000))
    phi = rng.uniform(0, 2 * np.pi, 3000)
    ring = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    theta1 = np.concatenate([r * np.cos(phi), radius * np.cos(ring)])
    theta2 = np.concatenate([r * np.sin(phi), radius * np.sin(ring)])
    table = table_of(theta1, theta2, 50 + 2 * theta1 - theta2)
    result = ArpesMap().run(
        table, {"method": "delaunay", "theta1_step": 0.5, "theta2_step": 0.5}, figures=False
    )
    angle_map = result.tables["angle_map"]
    t1, t2, intensity = (angle_map.values(c) for c in ("theta1", "theta2", "I"))
    dist = np.hypot(t1, t2)
    assert np.all(np.isnan(intensity[dist > radius * 1.0001]))
    assert np.all(np.isfinite(intensity[dist < radius * 0.999]))
    ok = np.isfinite(intensity)
    np.testing.assert_allclose(intensity[ok], 50 + 2 * t1[ok] - t2[ok], rtol=1e-9)


# ----------------------------------------------------------------------- (5) resampling
def test_resampling_coarse_to_fine_within_bilinear_bound_and_exact_at_measured_points() -> None:
    # A smooth map (Γ = 0.3 eV) measured every 0.2° along θ1 and 1° in θ2 ...
    coarse = ArpesFermiSurface.lofbis2_like(gamma=0.3, n_theta1=236, dead_angles=())
    table = truth_table(coarse, detector=True)
    result = ArpesMap().run(table, {"theta1_step": 0.05, "theta2_step": 0.25}, figures=False)
    angle_map = result.tables["angle_map"]
    t1, t2, got = (angle_map.values(c) for c in ("theta1", "theta2", "I"))
    assert np.all(np.isfinite(got))
    exact = coarse.truth(t1, t2, detector=True)
    # ... reproduces the measured values where the grids coincide (every 4th θ1, θ2 integer),
    measured = np.isclose(np.round(t2), t2, atol=1e-9) & np.isclose(
        np.round((t1 - coarse.theta1_range[0]) / 0.2), (t1 - coarse.theta1_range[0]) / 0.2
    )
    assert measured.sum() == 236 * 31
    np.testing.assert_allclose(got[measured], exact[measured], rtol=1e-9)
    # ... and stays within the bilinear-interpolation error bound
    # h1²/8 max|∂²I/∂θ1²| + h2²/8 max|∂²I/∂θ2²| elsewhere (derivatives on a 0.02° grid).
    h = 0.02
    m1, m2 = np.meshgrid(np.arange(-22.7, 24.3, h), np.arange(-15.0, 15.0, h))
    dense = coarse.truth(m1, m2, detector=True)
    d11 = np.abs(np.diff(dense, 2, axis=1)).max() / h**2
    d22 = np.abs(np.diff(dense, 2, axis=0)).max() / h**2
    bound = 1.05 * (0.2**2 / 8 * d11 + 1.0**2 / 8 * d22)
    error = np.abs(got - exact)
    print(f"max error {error.max():.3g} arb (bound {bound:.3g}), median {np.median(error):.3g}")
    assert error.max() < bound
    assert np.median(error / exact) < 0.01


def test_default_grid_is_the_input_grid(lofbis2: ArpesFermiSurface) -> None:
    table = lofbis2.scan(seed=0)
    angle_map = ArpesMap().run(table, figures=False).tables["angle_map"]
    assert len(angle_map) == len(table)
    np.testing.assert_allclose(angle_map.values("theta1"), table.values("theta1"), atol=1e-9)
    np.testing.assert_array_equal(angle_map.values("theta2"), table.values("theta2"))
    np.testing.assert_allclose(angle_map.values("I"), table.values("I"), rtol=1e-12)


# ----------------------------------------------------------------------- (6) Jacobian
def test_jacobian_on_off_ratio_is_analytic_and_conserves_integrated_intensity() -> None:
    # Constant intensity 1 over θ1 ∈ [−20°, 20°], θ2 ∈ [−15°, 15°]: the angular integral is
    # 40 · 30 = 1200 deg²; with the Jacobian the k-space integral must give the same.
    t1 = np.arange(-20.0, 20.0 + 1e-9, 0.1)
    t2 = np.arange(-15.0, 15.0 + 1e-9, 1.0)
    m1, m2 = np.meshgrid(t1, t2)
    table = table_of(m1.ravel(), m2.ravel(), np.ones(m1.size))
    params = {"k_step": 0.004}
    off = ArpesMap().run(table, params, figures=False)
    on = ArpesMap().run(table, {**params, "jacobian": True}, figures=False)
    k0 = off.summary["k0"].value
    kx, ky = on.tables["k_map"].values("kx"), on.tables["k_map"].values("ky")
    a1, a2 = k_independent(kx, ky, k0)
    expected = (180 / np.pi) ** 2 / (k0**2 * np.cos(np.radians(a1)) ** 2 * np.cos(np.radians(a2)))
    i_on, i_off = on.tables["k_map"].values("I"), off.tables["k_map"].values("I")
    np.testing.assert_array_equal(np.isnan(i_on), np.isnan(i_off))
    ok = np.isfinite(i_off)
    np.testing.assert_allclose(i_on[ok] / i_off[ok], expected[ok], rtol=1e-9)
    np.testing.assert_allclose(jacobian_angles_per_k(a1[ok], a2[ok], k0), expected[ok], rtol=1e-12)
    integral = np.nansum(i_on) * 0.004**2
    print(f"∫ I_k dk = {integral:.1f} deg² (expected 1200)")
    assert integral == pytest.approx(1200.0, rel=0.01)
    assert "degree" in on.tables["k_map"].unit("I") and "angstrom" in on.tables["k_map"].unit("I")


# ----------------------------------------------------------------------- (7) real data
def test_real_lofbis2_map_runs_and_finds_peaks(seeded_cache: object) -> None:
    from reanalyze.load import load_dataset

    table = load_dataset("lofbis2_arpes")
    assert len(table) == 29977
    result = ArpesMap().run(table, {"mask_zeros": True, "smooth": 0.5})
    peaks = result.tables["mdc_peaks"]
    assert len(peaks) == 31 * 8  # fixed layout: 31 cuts × max_peaks
    theta1 = peaks.values("theta1")
    per_cut = np.isfinite(theta1.reshape(31, 8)).sum(axis=1)
    n_peaks = result.summary["n_peaks"].value
    print(f"real map: {n_peaks:.0f} peaks, per cut {per_cut.tolist()}")
    assert n_peaks >= 31 and np.all(per_cut >= 1)
    assert np.all((theta1[np.isfinite(theta1)] > -22.7) & (theta1[np.isfinite(theta1)] < 24.3))
    k_peak = result.summary["k_peak_mean"].value
    assert 0.1 < k_peak < result.summary["k0"].value * math.sin(math.radians(25))
    angle_map = result.tables["angle_map"].values("I")
    assert np.isnan(angle_map).any() and not np.any(angle_map == 0)  # zeros masked, not kept
    assert set(result.figures) == {"angle_map", "fermi_surface", "mdc"}
    result.close_figures()
    default = ArpesMap().run(table, figures=False)
    assert any("exactly 0" in note for note in default.notes)


# ----------------------------------------------------------------------- (8) ensemble
def test_ensemble_gives_std_columns_and_the_mean_peaks(lofbis2: ArpesFermiSurface) -> None:
    gen = ArpesFermiSurface.lofbis2_like(n_theta1=481)
    base = truth_table(gen, detector=False)
    rng = np.random.default_rng(7)
    target = base.values("I")
    data = base.data
    members = [f"I_m{i}" for i in range(4)]
    for name in members:
        data[name] = target * (1 + 0.02 * rng.standard_normal(target.size))
    data["I_std"] = np.std(data[members].to_numpy(), axis=1)
    specs = {**SPECS, **{m: ("intensity", "arb") for m in [*members, "I_std"]}}
    meta = {
        "features": ["theta1", "theta2"],
        "targets": ["I"],
        ENSEMBLE_KEY: {"target": "I", "std": "I_std", "members": members},
    }
    result = ArpesMap().run(UnitTable(data, specs, metadata=meta))
    assert result.members == 4
    angle_map = result.tables["angle_map"]
    np.testing.assert_allclose(
        angle_map.values("I"), data[members].to_numpy().mean(axis=1), rtol=1e-12
    )
    assert np.nanmax(angle_map.values("I_std")) > 0
    peaks = result.tables["mdc_peaks"]
    assert "theta1_std" in peaks.columns and "kx_std" in peaks.columns
    assert np.nanmax(peaks.values("theta1_std")) > 0
    assert "I_std" in result.tables["k_map"].columns
    assert result.summary["k_peak_mean"].std is not None
    assert result.summary["k_peak_mean"].std > 0
    data_peaks = peaks.data
    for theta2, crossings in resolved_cuts(gen).items():
        rows = data_peaks[np.isclose(data_peaks["theta2"], theta2)]
        found = rows["theta1"].to_numpy()[: crossings.size]
        np.testing.assert_allclose(found, crossings, atol=0.03)  # mean over members
    # The std band is drawn on the MDC figure.
    assert result.figures["mdc"].axes[0].collections


# ----------------------------------------------------------------------- figures, errors
def test_figures_exist_with_units_on_every_axis(lofbis2: ArpesFermiSurface) -> None:
    result = ArpesMap().run(ArpesMap.example_table())
    assert set(result.figures) == {"angle_map", "fermi_surface", "mdc"}
    for name, figure in result.figures.items():
        ax = figure.axes[0]
        assert "(" in ax.get_xlabel() and "(" in ax.get_ylabel(), name
    assert result.figures["fermi_surface"].axes[0].get_xlabel() == "k$_x$ (Å⁻¹)"
    assert result.figures["angle_map"].axes[0].get_ylabel() == "θ2 (deg)"
    colorbar = result.figures["fermi_surface"].axes[1]
    assert colorbar.get_ylabel() == "I (arb)"
    result.close_figures()


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"theta1_step": -0.1}, "theta1_step"),
        ({"theta2_range": (5, 1)}, "theta2_range"),
        ({"prominence": 1.5}, "prominence"),
        ({"max_peaks": 0}, "max_peaks"),
        ({"refine": "gaussian"}, "refine"),
        ({"photon_energy": 4.0}, "photon_energy"),
        ({"k_step": 0}, "k_step"),
        ({"theta1_step": 1e-5, "theta2_step": 1e-3}, "theta1_step"),
        ({"k_step": 1e-5}, "k_step"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_invalid_parameters_raise_plugin_error_naming_them(
    params: dict[str, object], name: str
) -> None:
    with pytest.raises(PluginError, match=name):
        ArpesMap().run(ArpesMap.example_table(), params, figures=False)


def test_missing_columns_raise_column_error() -> None:
    table = ArpesMap.example_table()
    only_angles = table.select(["theta1", "theta2"])
    with pytest.raises(ColumnError, match="intensity"):
        ArpesMap().run(only_angles, figures=False)
    one_angle = table.select(["theta1", "I"])
    with pytest.raises(ColumnError, match="theta2"):
        ArpesMap().run(one_angle, figures=False)


def test_dimensionless_intensity_and_radian_angles_are_accepted() -> None:
    table = ArpesMap.example_table()
    other = UnitTable(
        pd.DataFrame(
            {
                "a": table.values("theta1", "rad"),
                "b": table.values("theta2", "rad"),
                "counts": table.values("I"),
            }
        ),
        {"a": ("angle", "rad"), "b": ("angle", "rad"), "counts": ("dimensionless", "")},
    )
    ref = ArpesMap().run(table, figures=False)
    got = ArpesMap().run(other, figures=False)
    assert got.summary["n_peaks"].value == ref.summary["n_peaks"].value
    np.testing.assert_allclose(
        got.tables["mdc_peaks"].values("theta1"),
        ref.tables["mdc_peaks"].values("theta1"),
        atol=1e-9,
    )


def test_registered_and_conformant() -> None:
    from reanalyze.plugins import load_plugin
    from reanalyze.testing import check_property_plugin

    assert load_plugin("reanalyze.properties", "arpes_map") is ArpesMap
    check_property_plugin(ArpesMap)


# ----------------------------------------------------------------------- figure defects
def disagreeing_ensemble(n_members: int = 5, seed: int = 3) -> UnitTable:
    """Five members of the noise-free map on a twin-like grid θ2 = −15 + 0.5·i degree that
    agree to 2 % except on the cuts θ2 ≈ 6° and −11°, where each member adds a strong peak
    at its own random θ1 (a twin's members disagreeing far from the training data)."""
    gen = ArpesFermiSurface.lofbis2_like(n_theta1=236)
    mesh1, mesh2 = np.meshgrid(gen.theta1_values(), -15.0 + 0.5 * np.arange(61))
    theta1, theta2 = mesh1.ravel(), mesh2.ravel()
    truth = gen.truth(theta1, theta2, detector=False)
    rng = np.random.default_rng(seed)
    disagree = (np.abs(theta2 - 6.0) < 0.7) | (np.abs(theta2 + 11.0) < 0.3)
    data = pd.DataFrame({"theta1": theta1, "theta2": theta2})
    members = [f"I_m{i}" for i in range(n_members)]
    for name in members:
        bump = 250.0 / (1 + ((theta1 - rng.uniform(-20.0, 22.0)) / 0.8) ** 2)
        noise = 1 + 0.02 * rng.standard_normal(truth.size)
        data[name] = truth * noise + np.where(disagree, bump, 0.0)
    data["I"] = data[members].mean(axis=1)
    data["I_std"] = data[members].std(axis=1, ddof=1)
    specs = {**SPECS, **{m: ("intensity", "arb") for m in [*members, "I_std"]}}
    meta = {
        "features": ["theta1", "theta2"],
        "targets": ["I"],
        ENSEMBLE_KEY: {"target": "I", "std": "I_std", "members": members},
    }
    return UnitTable(data, specs, metadata=meta)


@pytest.fixture(scope="module")
def disagreeing_result() -> PropertyResult:
    return ArpesMap().run(disagreeing_ensemble())


def test_grid_values_are_written_with_the_grid_decimals_and_zero_as_0() -> None:
    from reanalyze.properties.arpes_figures import grid_value_text

    grid = -15.0 + 0.2 * np.arange(151) + 5.33e-15  # theta2=-15:15:0.2deg with float noise
    texts = [grid_value_text(v, grid) for v in grid]
    assert texts[75] == "0" and texts[0] == "-15" and texts[38] == "-7.4" and texts[-1] == "15"
    assert all("e" not in t and t != "-0" and len(t) <= 5 for t in texts)
    quarter = 0.25 * np.arange(-8, 9) + 1e-14
    assert [grid_value_text(v, quarter) for v in quarter[7:11]] == ["-0.25", "0", "0.25", "0.5"]


def test_mdc_legend_reads_0_deg_and_covers_no_curve() -> None:
    gen = ArpesFermiSurface.lofbis2_like(n_theta1=236)
    theta2 = -15.0 + 0.2 * np.arange(151)
    mesh1, mesh2 = np.meshgrid(gen.theta1_values(), theta2)
    table = table_of(mesh1.ravel(), mesh2.ravel(), gen.truth(mesh1.ravel(), mesh2.ravel()))
    result = ArpesMap().run(table)
    grid2 = result.tables["angle_map"].values("theta2")
    assert np.min(np.abs(grid2)) > 0  # the grid's 0 is floating-point noise
    fig = result.figures["mdc"]
    ax = fig.axes[0]
    legend = ax.get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts == [f"θ2 = {v} deg" for v in ("-15", "-7.4", "0", "7.4", "15")]
    assert not any("e-" in t or "e+" in t for t in texts)
    assert_legend_covers_no_data(fig)
    ensemble = ArpesMap().run(disagreeing_ensemble())
    assert [t.get_text() for t in ensemble.figures["mdc"].axes[0].get_legend().get_texts()] == [
        f"θ2 = {v} deg" for v in ("-15", "-7.5", "0", "7.5", "15")
    ]
    assert_legend_covers_no_data(ensemble.figures["mdc"])  # with the ± std bands


def assert_legend_covers_no_data(fig: Figure) -> None:
    """No point of a curve (sampled 8× between its vertices), ▼ peak or ± std band lies in
    the legend's box (display coordinates); the figure passes the figure check."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    ax = fig.axes[0]
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    box = ax.get_legend().get_window_extent(canvas.get_renderer())
    shapes = [(line.get_label(), line.get_transform(), line.get_xydata()) for line in ax.lines]
    for band in ax.collections:
        for path in band.get_paths():
            shapes.append(("band", band.get_transform(), path.vertices))
    for label, transform, xy in shapes:
        xy = transform.transform(np.asarray(xy, dtype=float))
        xy = xy[np.isfinite(xy).all(axis=1)]
        if len(xy) > 1:
            step = np.linspace(0.0, 1.0, 8, endpoint=False)[:, None, None]
            xy = np.vstack([(xy[:-1] + step * np.diff(xy, axis=0)).reshape(-1, 2), xy[-1:]])
        inside = (xy[:, 0] >= box.x0) & (xy[:, 0] <= box.x1)
        inside &= (xy[:, 1] >= box.y0) & (xy[:, 1] <= box.y1)
        assert not inside.any(), f"the legend covers {inside.sum()} points of {label!r}"
    assert figure_problems(fig) == []


def test_fermi_surface_draws_peaks_where_members_disagree_hollow_without_bars(
    disagreeing_result: PropertyResult,
) -> None:
    from reanalyze.properties.arpes_figures import mdc_fwhm, unresolved_peaks

    result = disagreeing_result
    peaks = result.tables["mdc_peaks"]
    std = peaks.values("theta1_std")
    assert np.nanmax(std) > 5.0  # members several degrees apart: the defect's input
    unresolved, limit = unresolved_peaks(result)
    assert limit == pytest.approx(mdc_fwhm(result))
    assert 0.3 < limit < 1.5  # the MDC FWHM, degree (Lorentzians of 0.4–1°)
    assert unresolved.sum() >= np.sum(std > 5.0) > 0
    assert np.all(np.isfinite(peaks.values("theta1")[unresolved]))  # kept in the table
    assert np.nanmax(std[~unresolved]) <= limit
    k0 = result.summary["k0"].value
    ax = result.figures["fermi_surface"].axes[0]
    (bars,) = ax.containers
    longest = 0.0
    for collection in bars.lines[2]:  # the kx and ky error-bar segments
        for segment in collection.get_segments():
            if len(segment) == 2 and np.isfinite(segment).all():
                longest = max(longest, float(np.max(np.abs(np.diff(segment, axis=0)))) / 2)
    # |dkx/dθ1|, |dky/dθ1| ≤ k0: a θ1 std within the limit gives a k bar within k0·limit
    assert 0 < longest <= 1.01 * k0 * math.radians(limit)
    drawn = np.isfinite(np.asarray(bars.lines[0].get_xdata(), dtype=float)).sum()
    assert drawn == int(np.sum(np.isfinite(std) & ~unresolved))
    hollow = [line for line in ax.get_lines() if "members disagree" in line.get_label()]
    assert len(hollow) == 1 and len(hollow[0].get_xdata()) == unresolved.sum()
    assert hollow[0].get_markerfacecolor() == "none"
    legend = [t.get_text() for t in result.figures["fermi_surface"].legends[0].get_texts()]
    count = f"{int(unresolved.sum())} peaks where the members disagree (θ1 std > {limit:.2g} deg"
    assert any(text.startswith(count) and "no ± std bars" in text for text in legend), legend
    for name, figure in result.figures.items():
        assert figure_problems(figure) == [], name


def test_single_result_has_no_unresolved_peaks_and_bars_match_axes_height(
    disagreeing_result: PropertyResult,
) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from reanalyze.properties.arpes_figures import unresolved_peaks

    single = ArpesMap().run(ArpesMap.example_table())
    assert not unresolved_peaks(single)[0].any()
    assert not any(
        "disagree" in line.get_label() for line in single.figures["angle_map"].axes[0].get_lines()
    )
    for result in (single, disagreeing_result):
        for name in ("fermi_surface", "angle_map"):
            fig = result.figures[name]
            FigureCanvasAgg(fig).draw()
            image, bar = fig.axes
            assert bar.get_ylabel() == "I (arb)"
            a, b = image.get_window_extent(), bar.get_window_extent()
            assert abs(a.height - b.height) < 3 and abs(a.y0 - b.y0) < 3, name
            assert b.x0 > a.x1  # right of the image, not over it
