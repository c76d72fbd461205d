"""Tests of the superconducting_transport property against the synthetic superconductor.

Ground truth: :class:`reanalyze.synthetic.superconductor.Superconductor`, whose
``tc_criterion(H, f)`` is exactly where R/R_n(T) = f and whose ``tc(H)`` inverts its µ0Hc2(T)
(GL or WHH shape).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import constants

from reanalyze.errors import ColumnError, DataError, PluginError
from reanalyze.properties.base import ENSEMBLE_KEY, PropertyResult
from reanalyze.properties.superconducting import SuperconductingTransport
from reanalyze.synthetic.superconductor import Superconductor
from reanalyze.table import UnitTable
from reanalyze.units import ureg

PLUGIN = SuperconductingTransport()
FRACTIONS = (0.9, 0.5, 0.1)
FINE_T = tuple(float(t) for t in np.arange(2.0, 10.0 + 1e-9, 0.01))
UNITS = {"T": ("temperature", "K"), "H": ("magnetic_field", "Oe"), "R": ("resistance", "ohm")}


def exact_scan(sc: Superconductor, temperatures: tuple[float, ...] = FINE_T) -> UnitTable:
    """Noise-free R(T) lines of ``sc`` at its fields on the given temperatures (K)."""
    return Superconductor(
        **{
            **{k: getattr(sc, k) for k in ("Tc0", "hc2_zero", "model", "R0", "A", "w0", "w1")},
            "fields_oe": sc.fields_oe,
            "temperatures": temperatures,
            "noise": 0.0,
            "temperature_jitter": 0.0,
        }
    ).scan(seed=0)


def transitions(result: PropertyResult) -> pd.DataFrame:
    return result.tables["transitions"].data


def assert_tc_matches(
    sc: Superconductor, result: PropertyResult, tolerance: np.ndarray | float, t_min: float
) -> None:
    """Tc of every criterion within ``tolerance`` (K) of the truth; NaN exactly where the
    true crossing lies below the measured range (T < t_min)."""
    table = transitions(result)
    field_t = table["field"].to_numpy()
    for f in FRACTIONS:
        truth = sc.tc_criterion(field_t, f)
        found = table[f"Tc_{f:g}"].to_numpy()
        inside = np.isfinite(truth) & (truth > t_min + 0.02)
        np.testing.assert_array_equal(np.isfinite(found), inside, err_msg=f"criterion {f}")
        error = np.abs(found[inside] - truth[inside])
        limit = np.broadcast_to(tolerance, field_t.shape)[inside]
        assert np.all(error < limit), f"criterion {f}: |ΔTc| = {error} K, limit {limit} K"


# ------------------------------------------------------------------------ ground truth
def test_noise_free_tc_within_0p005K_unsmoothed_and_hc2_gl_within_0p1_percent() -> None:
    sc = Superconductor.pdh_like()
    result = PLUGIN.run(
        exact_scan(sc), {"smoothing_window": 0, "normal_fit": "quadratic"}, figures=False
    )
    assert_tc_matches(sc, result, 0.005, t_min=2.0)
    table = transitions(result)
    # R_n(T90) of a + cT² fitted above the transition: within 2e-4 of R0 + A·T90².
    t90 = table["Tc_0.9"].to_numpy()
    ok = np.isfinite(t90)
    np.testing.assert_allclose(table["R_n"][ok], sc.normal_resistance(t90[ok]), rtol=2e-4)
    width_truth = sc.tc_criterion(table["field"], 0.9) - sc.tc_criterion(table["field"], 0.1)
    ok = np.isfinite(width_truth) & np.isfinite(table["width"])
    np.testing.assert_allclose(table["width"][ok], width_truth[ok], atol=0.005)
    s = result.summary
    assert s["hc2_0_gl"].value == pytest.approx(1.1, rel=1e-3)
    assert s["tc_gl"].value == pytest.approx(7.25, abs=1e-3)
    assert s["tc0"].value == pytest.approx(7.25, abs=1e-3)
    assert s["hc2_0_gl"].unit == "T"
    assert s["tc0"].unit == "K"


def test_noise_free_default_params_tc_within_0p02K_and_hc2_gl_within_2_percent() -> None:
    sc = Superconductor.pdh_like()
    result = PLUGIN.run(exact_scan(sc), figures=False)
    assert_tc_matches(sc, result, 0.02, t_min=2.0)
    assert result.summary["hc2_0_gl"].value == pytest.approx(1.1, rel=0.02)


def test_field_in_tesla_or_amperes_per_metre_gives_the_same_result() -> None:
    sc = Superconductor.pdh_like()
    scan = exact_scan(sc, tuple(float(t) for t in np.arange(2.0, 10.0, 0.05)))
    reference = transitions(PLUGIN.run(scan, figures=False))
    for unit in ("T", "A/m", "mT"):
        converted = transitions(PLUGIN.run(scan.convert(H=unit), figures=False))
        pd.testing.assert_frame_equal(converted, reference, rtol=1e-9)
    np.testing.assert_allclose(reference["field"], np.array(sc.fields_oe) * 1e-4)


@pytest.mark.parametrize("seed", range(5))
def test_noisy_scan_tc_within_0p03K_plus_0p15_width_and_hc2_within_5_percent(seed: int) -> None:
    sc = Superconductor.pdh_like()
    result = PLUGIN.run(sc.scan(seed=seed), figures=False)
    table = transitions(result)
    w = sc.width(table["field"].to_numpy())
    assert_tc_matches(sc, result, 0.03 + 0.15 * w, t_min=2.0)
    # 'zero': R below 3σ (σ = 0.8 mΩ, the generator's noise): within 0.05 K + 0.4·w (the
    # foot of a broad transition is shallow, and σ is itself estimated to ±15 %).
    truth = sc.tc_criterion(table["field"], 3 * sc.noise / sc.R0)
    found = table["Tc_zero"].to_numpy()
    ok = np.isfinite(found)
    assert ok[:5].all()
    assert np.all(np.abs(found[ok] - truth[ok]) < 0.05 + 0.4 * w[ok])
    # noise σ (robust normal-state scatter; median over the lines with a transition)
    # within 25 % of the generator's 0.8 mΩ
    assert np.median(table["noise"][:6]) == pytest.approx(sc.noise, rel=0.25)
    assert result.summary["hc2_0_gl"].value == pytest.approx(sc.hc2_zero, rel=0.05)
    assert result.summary["tc0"].value == pytest.approx(sc.Tc0, abs=0.02)


def test_whh_generator_digamma_fit_within_1_percent_and_slope_formula_0p693() -> None:
    fields = (0.0, 200.0, 400.0, 600.0, 800.0, 1000.0, 3000.0, 5000.0, 7000.0, 9000.0)
    sc = Superconductor.pdh_like(model="WHH", fields_oe=fields)
    scan = exact_scan(sc, tuple(float(t) for t in np.arange(1.0, 10.0 + 1e-9, 0.01)))
    result = PLUGIN.run(
        scan,
        {"smoothing_window": 0, "normal_fit": "quadratic", "slope_field_max": 0.1},
        figures=False,
    )
    table = transitions(result)
    np.testing.assert_allclose(table["Tc_0.5"], sc.tc(table["field"]), atol=1e-3)
    s = result.summary
    assert s["hc2_0_whh"].value == pytest.approx(sc.hc2_zero, rel=0.01)
    assert s["tc_whh"].value == pytest.approx(sc.Tc0, abs=0.01)
    # slope from a linear fit of 0-0.1 T: within 2 % of the generator's −dµ0Hc2/dT at Tc0
    assert s["slope_at_tc"].value == pytest.approx(-sc.slope, rel=0.02)
    assert s["slope_at_tc"].unit == "T/K"
    # µ0Hc2(0) = −0.693·Tc·dHc2/dT, which the WHH generator obeys by construction
    assert s["hc2_0_whh_slope"].value == pytest.approx(sc.hc2_zero, rel=0.02)
    assert s["hc2_0_whh_slope"].value == pytest.approx(
        0.693 * sc.Tc0 * -s["slope_at_tc"].value, rel=2e-3
    )
    # the digamma curve of the fitted parameters passes through the generator's Hc2(T)
    fit = result.tables["hc2_fit"]
    grid = fit.values("T")
    np.testing.assert_allclose(fit.values("mu0Hc2_WHH"), sc.hc2(grid), atol=0.01)


def test_pauli_limit_maki_alpha_and_coherence_length_by_independent_arithmetic() -> None:
    result = PLUGIN.run(Superconductor.pdh_like().scan(seed=2), figures=False)
    s = result.summary
    tc0 = s["tc0"].value
    assert s["pauli_limit"].value == pytest.approx(1.84 * tc0, rel=1e-12)
    assert s["pauli_limit"].unit == "T"
    assert s["maki_alpha"].value == pytest.approx(
        math.sqrt(2) * s["hc2_0_whh_slope"].value / (1.84 * tc0), rel=1e-12
    )
    # ξ = √(Φ0 / (2π µ0Hc2(0))) with the CODATA flux quantum, through pint units
    phi0 = ureg.Quantity(constants.physical_constants["mag. flux quantum"][0], "Wb")
    xi = ((phi0 / (2 * math.pi * ureg.Quantity(s["hc2_0_gl"].value, "T"))) ** 0.5).to("nm")
    assert s["xi_gl"].value == pytest.approx(xi.magnitude, rel=1e-9)
    assert s["xi_gl"].unit == "nm"
    # µ0Hc2(0) = 1.1 T gives ξ ≈ 17.3 nm
    assert s["xi_gl"].value == pytest.approx(17.3, abs=0.4)


# ------------------------------------------------------------------ robustness, layout
def test_single_point_dropout_is_not_a_transition_but_counts_with_confirm_1() -> None:
    sc = Superconductor.pdh_like(fields_oe=(0.0,))
    data = exact_scan(sc, tuple(float(t) for t in np.arange(2.0, 10.0, 0.05))).data
    data.loc[np.argmin(np.abs(data["T"] - 9.0)), "R"] = 0.0  # a dropout in the normal state
    table = UnitTable(data, UNITS)
    raw = {"smoothing_window": 0, "despike": False}
    tc = transitions(PLUGIN.run(table, raw, figures=False))["Tc_0.5"].iloc[0]
    assert tc == pytest.approx(7.25, abs=0.02)
    fooled = transitions(PLUGIN.run(table, {**raw, "confirm_points": 1}, figures=False))
    assert fooled["Tc_0.5"].iloc[0] > 8.5


def test_line_without_transition_gives_nan_and_the_same_layout() -> None:
    sc = Superconductor.pdh_like()
    result = PLUGIN.run(sc.scan(seed=0), figures=False)
    table = transitions(result)
    top = table[np.isclose(table["field"], 1.4)].iloc[0]  # µ0Hc2(0) = 1.1 T: R/R_n > 0.94 at 2 K
    for column in ("Tc_0.9", "Tc_0.5", "Tc_0.1", "Tc_zero", "width"):
        assert math.isnan(top[column])
    assert top["R_n"] == pytest.approx(sc.normal_resistance(2.0), rel=0.03)
    # a weak superconductor: most lines without a transition, same tables and columns
    weak = PLUGIN.run(Superconductor.pdh_like(hc2_zero=0.08).scan(seed=0), figures=False)
    assert transitions(weak)["Tc_0.5"].isna().sum() >= 4
    for name, t in result.tables.items():
        assert weak.tables[name].columns == t.columns
        assert len(weak.tables[name]) == len(t)
    assert set(weak.summary) == set(result.summary)
    # only the line without transition: NaN everywhere, no error
    only = Superconductor.pdh_like(fields_oe=(14000.0,)).scan(seed=0)
    lone = PLUGIN.run(only)
    assert math.isnan(lone.summary["tc0"].value)
    assert math.isnan(lone.summary["hc2_0_gl"].value)
    assert set(lone.figures) == {"curves", "hc2"}


def test_real_pdh_data(seeded_cache: object) -> None:
    from reanalyze.load import load_dataset

    result = PLUGIN.run(load_dataset("pdh"))
    table = transitions(result)
    assert len(table) == 7
    tc0 = result.summary["tc0"].value
    assert 7.1 < tc0 < 7.35  # measured: 7.238 K (50 %)
    assert table["Tc_0.5"].iloc[0] == tc0
    # Hc2(T) of the 50 % criterion: Tc falls strictly as the field rises
    hc2 = result.tables["hc2"].data
    mid = hc2[(hc2["criterion"] == "0.5") & hc2["T"].notna()].sort_values("mu0Hc2")
    assert len(mid) >= 5
    assert np.all(np.diff(mid["T"]) < 0)
    assert math.isnan(table["Tc_0.9"].iloc[-1])  # 1.4 T: no transition above 2 K
    assert 0.6 < result.summary["hc2_0_gl"].value < 1.0  # measured: 0.78 T
    assert 0.05 < result.summary["width_0"].value < 0.3  # measured: 0.17 K
    assert set(result.figures) == {"curves", "hc2"}


# ---------------------------------------------------------------------------- ensemble
def test_ensemble_of_shifted_tc_gives_std_columns_and_mean() -> None:
    shifts = np.array([-0.1, -0.05, 0.0, 0.05, 0.1])  # K, std 0.079 K
    data = Superconductor.pdh_like().scan(seed=1).data
    units = dict(UNITS)
    names = []
    for k, shift in enumerate(shifts):
        member = Superconductor.pdh_like(Tc0=7.25 + shift)
        data[f"R_m{k}"] = member.resistance(data["T"], data["H"])
        units[f"R_m{k}"] = ("resistance", "ohm")
        names.append(f"R_m{k}")
    data["R"] = data[names].mean(axis=1)
    table = UnitTable(data, units, metadata={ENSEMBLE_KEY: {"target": "R", "members": names}})
    result = PLUGIN.run(table)
    assert result.members == 5
    tc0 = result.summary["tc0"]
    assert tc0.value == pytest.approx(7.25, abs=0.02)
    assert tc0.std == pytest.approx(shifts.std(ddof=1), rel=0.1)
    assert result.summary["hc2_0_gl"].std is not None
    assert result.summary["hc2_0_gl"].std > 0
    tr = result.tables["transitions"]
    assert "Tc_0.5_std" in tr.columns
    assert tr.values("Tc_0.5_std")[0] == pytest.approx(shifts.std(ddof=1), rel=0.1)
    assert "R_std" in result.tables["curves"].columns
    assert "T_std" in result.tables["hc2"].columns
    # bands drawn for the ensemble spread
    assert result.figures["curves"].axes[0].collections


# ----------------------------------------------------------------------------- figures
def test_figures_exist_with_units_on_axes() -> None:
    result = PLUGIN.run(Superconductor.pdh_like().scan(seed=0))
    assert set(result.figures) == {"curves", "hc2"}
    curves = result.figures["curves"].axes[0]
    assert curves.get_xlabel() == "T (K)"
    assert curves.get_ylabel() == "R (Ω)"
    hc2 = result.figures["hc2"].axes[0]
    assert hc2.get_xlabel() == "T (K)"
    assert "(T)" in hc2.get_ylabel()
    assert len(hc2.get_lines()) >= 2  # GL and WHH curves


# ------------------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"criteria": [0.9, 1.2]}, "criteria"),
        ({"criteria": [0.9, 0.1], "criterion": 0.5}, "criterion"),
        ({"normal_window": [9.0, 5.0]}, "normal_window"),
        ({"normal_fit": "cubic"}, "normal_fit"),
        ({"smoothing_window": -1}, "smoothing_window"),
        ({"tc_criterion": 0.5}, "tc_criterion"),
    ],
)
def test_invalid_parameter_is_a_plugin_error_naming_it(params: dict, name: str) -> None:
    with pytest.raises(PluginError, match=name):
        PLUGIN.run(Superconductor.pdh_like().scan(seed=0), params, figures=False)


def test_zero_criterion_and_string_params_are_accepted() -> None:
    scan = Superconductor.pdh_like().scan(seed=0)
    result = PLUGIN.run(scan, {"criterion": "zero", "criteria": "0.8,0.2"}, figures=False)
    assert {"Tc_0.8", "Tc_0.2", "Tc_zero"} <= set(result.tables["transitions"].columns)
    assert result.summary["tc0"].value == transitions(result)["Tc_zero"].iloc[0]


def test_missing_resistance_column_is_a_column_error() -> None:
    scan = Superconductor.pdh_like().scan(seed=0).select(["T", "H"])
    with pytest.raises(ColumnError, match="resistance"):
        PLUGIN.run(scan, figures=False)


def test_no_finite_rows_is_a_data_error() -> None:
    data = Superconductor.pdh_like().scan(seed=0).data
    data["R"] = np.nan
    with pytest.raises(DataError, match="no row with finite"):
        PLUGIN.run(UnitTable(data, UNITS), figures=False)


# ------------------------------------------------------------------------ conformance
def test_registry_loads_the_class() -> None:
    from reanalyze.plugins import load_plugin

    assert load_plugin("reanalyze.properties", "superconducting_transport") is (
        SuperconductingTransport
    )


def test_check_property_plugin() -> None:
    from reanalyze.testing import check_property_plugin

    check_property_plugin(SuperconductingTransport)


# ------------------------------------------------------------------ figure titles
def test_curves_title_says_measured_only_for_measured_input() -> None:
    from reanalyze.properties.superconducting_figures import curves_figure, is_simulated

    measured = PLUGIN.run(Superconductor.pdh_like().scan(seed=0))
    title = measured.figures["curves"].axes[0].get_title()
    assert title == "Resistive transitions (dots: measured, lines: smoothed)"
    # a twin's simulation with ensemble members: the dots are the twin's simulated points
    data = Superconductor.pdh_like().scan(seed=1).data
    units, names = dict(UNITS), []
    for k, shift in enumerate((-0.05, 0.0, 0.05)):
        data[f"R_m{k}"] = Superconductor.pdh_like(Tc0=7.25 + shift).resistance(data["T"], data["H"])
        units[f"R_m{k}"] = ("resistance", "ohm")
        names.append(f"R_m{k}")
    meta = {ENSEMBLE_KEY: {"target": "R", "members": names}, "simulated_by": "reanalyze simulate"}
    simulated = PLUGIN.run(UnitTable(data, units, metadata=meta))
    title = simulated.figures["curves"].axes[0].get_title()
    assert "measured" not in title and "dots: twin (simulated grid)" in title
    # the ensemble metadata of a simulated table, members or not, marks it
    curves = measured.tables["curves"]
    assert not is_simulated(curves)
    tagged = curves.with_metadata(**{ENSEMBLE_KEY: {"target": "R"}})
    assert is_simulated(tagged)
    assert "twin (simulated grid)" in curves_figure(tagged).axes[0].get_title()
    assert "measured" in curves_figure(tagged, simulated=False).axes[0].get_title()
    # one member (or simulate(members=False)): the input's metadata still says simulated
    scan = Superconductor.pdh_like().scan(seed=1)
    single = PLUGIN.run(scan.with_metadata(simulated_by="reanalyze simulate"))
    assert "dots: twin (simulated grid)" in single.figures["curves"].axes[0].get_title()
