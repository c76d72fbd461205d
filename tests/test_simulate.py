"""Simulation on new grids: grid specs with units, the extrapolation guard, ensembles, the CLI.

The twins here are real Keras models whose weights are set to a known linear function, so
every prediction has an exact answer: M = a·T + b·H + c (per member).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from twins import linear_member, magnet_twin

from reanalyze.cli import main
from reanalyze.errors import DataError, OptionError, UnitError
from reanalyze.table import Sample, UnitTable
from reanalyze.twin.bundle import ModelBundle
from reanalyze.twin.simulate import axis_values, grid_points, parse_grid, simulate

#: (a [emu/K], b [emu/Oe], c [emu]) of each member
COEFFS = [(1e-3, 2e-7, 0.01), (1.1e-3, 1.8e-7, 0.012), (0.9e-3, 2.2e-7, 0.008)]


def exact(t: np.ndarray, h: np.ndarray) -> np.ndarray:
    return np.array([a * t + b * h + c for a, b, c in COEFFS])


@pytest.fixture(scope="module")
def bundle() -> ModelBundle:
    return magnet_twin(
        [linear_member(*c) for c in COEFFS],
        {"T": (10.0, 60.0), "H": (100.0, 50000.0)},
        data_sha256="x" * 64,
        sample={"material": "ErCo2", "mass": 0.61, "mass_unit": "mg"},
    )


@pytest.fixture(scope="module")
def run_dir(bundle: ModelBundle, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bundle.save(tmp_path_factory.mktemp("twin") / "run")


# ----------------------------------------------------------------- grid specs
def test_range_is_inclusive_and_units_convert() -> None:
    assert np.allclose(axis_values("T=10:60:0.5K", "temperature", "K"), np.arange(10, 60.25, 0.5))
    assert np.allclose(
        axis_values("H=0:5T:0.2T", "magnetic_field", "Oe"), np.arange(0, 50001, 2000)
    )
    # the same grid in kOe, and a bare start taking the unit of the stop
    assert np.allclose(
        axis_values("H=0:50kOe:2kOe", "magnetic_field", "Oe"),
        axis_values("H=0:5T:0.2T", "magnetic_field", "Oe"),
    )
    assert np.allclose(axis_values("T=20000:30000:5000mK", "temperature", "K"), [20, 25, 30])
    assert np.allclose(axis_values("H=0.01,0.5,1T", "magnetic_field", "Oe"), [100, 5000, 10000])
    assert np.allclose(axis_values("T=300K", "temperature", "K"), [300])
    # no unit anywhere: the training unit
    assert np.allclose(axis_values("T=10:11:0.5", "temperature", "K"), [10, 10.5, 11])


def test_temperature_step_is_a_difference_not_an_absolute_temperature() -> None:
    values = axis_values("T=-263.15:-253.15:2.5degC", "temperature", "K")
    assert np.allclose(values, [10, 12.5, 15, 17.5, 20])


@pytest.mark.parametrize(
    ("spec", "error", "message"),
    [
        ("T=10:60:0K", OptionError, "step must be positive"),
        ("T=60:10:1K", OptionError, "below start"),
        ("T=10:60", OptionError, "START:STOP:STEP"),
        ("T=ten:60:1K", OptionError, "'ten' is not a number"),
        ("T", OptionError, "NAME=START:STOP:STEP"),
        ("T=10:60:1T", OptionError, "grid axis 'T'"),
        ("T=0:1e9:1e-3K", OptionError, "too many"),
        ("T=10:60:0.2Kk", OptionError, "unknown unit 'Kk'"),  # a typo in an option: exit 2
    ],
)
def test_bad_axis_specs_are_misused_options_naming_the_axis(
    spec: str, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        axis_values(spec, "temperature", "K")


def test_range_values_carry_no_floating_point_noise() -> None:
    theta = axis_values("theta=-22.7:24.3:0.2deg", "angle", "deg")
    assert len(theta) == 236 and theta[0] == -22.7 and theta[-1] == 24.3
    assert np.all(np.round(theta, 1) == theta)  # 7.8, never 7.800000000000008
    assert 0.0 in axis_values("theta=-15:15:0.2deg", "angle", "deg")  # not 5.3e-15
    field = axis_values("H=0.05:5T:0.05T", "magnetic_field", "Oe")
    assert np.all(field == 500.0 * np.arange(1, 101))


def test_grid_needs_every_feature_once() -> None:
    kinds = {"T": "temperature", "H": "magnetic_field"}
    units = {"T": "K", "H": "Oe"}
    with pytest.raises(OptionError, match=r"no axis for feature\(s\) H"):
        parse_grid("T=10:20:1K", ["T", "H"], kinds, units)
    with pytest.raises(OptionError, match="'X' is not a feature of the twin"):
        parse_grid("T=10:20:1K X=1:2:1K", ["T", "H"], kinds, units)
    with pytest.raises(OptionError, match="given twice"):
        parse_grid(["T=10:20:1K", "T=1:2:1K", "H=1T"], ["T", "H"], kinds, units)
    # a unit written apart from its number, as SI does, belongs to the axis before it
    spaced = parse_grid("T=10:20:0.5 K H=0.05:5T:0.05 T", ["T", "H"], kinds, units)
    joined = parse_grid("T=10:20:0.5K H=0.05:5T:0.05T", ["T", "H"], kinds, units)
    assert all(np.array_equal(spaced[n], joined[n]) for n in ("T", "H"))
    axes = parse_grid("H=1,2T T=10:12:1K", ["T", "H"], kinds, units)
    points = grid_points(axes)
    assert len(points["T"]) == 6
    assert list(points["H"][:3]) == [10000.0] * 3  # first axis given varies slowest


# ----------------------------------------------------------------- simulation
def test_simulated_values_members_and_std_are_exact(bundle: ModelBundle) -> None:
    table = simulate(bundle, "T=10:60:0.5K H=0.1:5T:0.1T")
    assert len(table) == 101 * 50
    t, h = table.values("T"), table.values("H")
    truth = exact(t, h)
    assert table.unit("M") == "emu" and table.kind("M") == "magnetic_moment"
    assert np.allclose(table.values("M"), truth.mean(axis=0), rtol=1e-5, atol=1e-7)
    assert np.allclose(table.values("M_std"), truth.std(axis=0, ddof=1), rtol=1e-3, atol=1e-7)
    for i in range(3):
        assert np.allclose(table.values(f"M_m{i}"), truth[i], rtol=1e-5, atol=1e-7)
    meta = table.metadata
    assert meta["ensemble"] == {"target": "M", "std": "M_std", "members": ["M_m0", "M_m1", "M_m2"]}
    assert meta["features"] == ["T", "H"] and meta["targets"] == ["M"]
    assert table.sample is not None and table.sample.mass == 0.61


def test_without_members_only_mean_and_std(bundle: ModelBundle) -> None:
    table = simulate(bundle, "T=20:30:5K H=1T", members=False)
    assert table.columns == ["T", "H", "M", "M_std"]
    assert "members" not in table.metadata["ensemble"]


def test_extrapolation_is_refused_naming_axis_and_range(bundle: ModelBundle) -> None:
    with pytest.raises(DataError) as info:
        simulate(bundle, "T=5:60:5K H=0:5T:1T")
    message = str(info.value)
    assert "T 5…60 K leaves the training range 10…60 K" in message
    assert "H 0…50000 Oe leaves the training range 100…50000 Oe" in message
    # a library caller is told the keyword argument, the command line its flag
    assert "or allow_extrapolation=True flags such points" in message and "\n" not in message


def test_round_bounds_within_a_hundredth_of_a_step_are_clamped_with_a_note() -> None:
    """The ErCo2 case: measured 9.99876…59.9995 K, asked T=10:60:0.2K (60 K is 0.0005 K out)."""
    twin = magnet_twin(
        [linear_member(*c) for c in COEFFS], {"T": (9.99876, 59.9995), "H": (100.0, 50000.0)}
    )
    table = simulate(twin, "T=10:60:0.2K H=0.01:5T:0.05T")
    t = np.unique(table.values("T"))
    assert t[0] == pytest.approx(10.0) and t[-1] == 59.9995 and len(t) == 251
    assert np.unique(table.values("H"))[-1] == pytest.approx(49600.0)  # inside: untouched
    # the prediction is the twin's at the clamped value, exactly
    last = table.values("T") == 59.9995
    assert np.allclose(table.values("M")[last], exact(t[-1:], table.values("H")[last]).mean(0))
    note, stop = table.metadata["notes"]
    assert note == (
        "grid T ends at 60 K, 0.0005 K above the training range 9.99876…59.9995 K (less than "
        "1% of the 0.2 K step): clamped to 59.9995 K"
    )
    # 5 T is not on a 0.05 T step from 0.01 T: the axis stays evenly spaced and says so
    assert stop == "grid H=0.01:5T:0.05T ends at 49600 Oe: 5T is not on a 0.05T step from 0.01"
    on_step = simulate(twin, "T=10:60:0.2K H=0.05:5T:0.05T")
    assert np.unique(on_step.values("H"))[-1] == pytest.approx(50000.0)
    assert len(on_step.metadata["notes"]) == 1  # the clamp only
    # the lower end the same way, in another unit
    low = simulate(twin, "T=9.99:20:1K H=0.0099:1T:0.1T")
    assert np.unique(low.values("T"))[0] == 9.99876 and np.unique(low.values("H"))[0] == 100.0
    assert len([n for n in low.metadata["notes"] if "clamped" in n]) == 2
    # 1 % of the step out or more is still refused (H = 0 is not 0.01 T); so are lists
    with pytest.raises(DataError, match="T 10…60.2 K leaves the training range"):
        simulate(twin, "T=10:60.2:0.2K H=1T")
    with pytest.raises(DataError, match="H 0…10000 Oe leaves the training range"):
        simulate(twin, "T=20K H=0:1T:0.5T")
    with pytest.raises(DataError, match="leaves the training range"):
        simulate(twin, "T=59.8,60K H=1T")


def test_allowed_extrapolation_is_flagged_per_point(bundle: ModelBundle) -> None:
    table = simulate(bundle, "T=5:15:5K H=0.005,1T", allow_extrapolation=True)
    flags = table.values("extrapolated")
    t, h = table.values("T"), table.values("H")
    assert np.array_equal(flags == 1, (t < 10) | (h < 100))
    assert flags.sum() == 4  # T = 5 K at both fields, and 50 Oe at 10 K and 15 K
    assert any("extrapolated" in n for n in table.metadata["notes"])


def test_points_table_in_other_units(bundle: ModelBundle) -> None:
    points = UnitTable(
        pd.DataFrame({"T": [20000.0, 45000.0], "H": [0.5, 2.0], "extra": [1.0, 2.0]}),
        {"T": ("temperature", "mK"), "H": ("magnetic_field", "T"), "extra": ("other", "")},
    )
    table = simulate(bundle, points)
    assert np.allclose(table.values("T"), [20, 45]) and np.allclose(table.values("H"), [5e3, 2e4])
    assert np.allclose(table.values("M"), exact(np.array([20, 45]), np.array([5e3, 2e4])).mean(0))
    wrong = UnitTable(
        pd.DataFrame({"T": [1.0], "H": [1.0]}), {"T": ("time", "s"), "H": ("magnetic_field", "T")}
    )
    with pytest.raises(UnitError, match="column 'T' is time"):
        simulate(bundle, wrong)


def test_simulate_from_run_folder_matches_bundle(run_dir: Path, bundle: ModelBundle) -> None:
    from_folder = simulate(run_dir, "T=10:60:10K H=1,2T")
    from_bundle = simulate(bundle, "T=10:60:10K H=1,2T")
    assert np.allclose(from_folder.values("M"), from_bundle.values("M"), rtol=1e-6)
    assert from_folder.sample == Sample(material="ErCo2", mass=0.61, mass_unit="mg")


# ----------------------------------------------------------------------- CLI
def test_cli_simulate_writes_the_grid(run_dir: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "grid.csv"
    code = main(["simulate", str(run_dir), "--grid", "T=10:60:0.5K H=0:5T:0.2T", "--out", str(out)])
    assert code == 1 and not out.exists()
    assert "leaves the training range" in capsys.readouterr().err
    code = main(
        ["simulate", str(run_dir), "-g", "T=10:60:0.5K", "-g", "H=0.2:5T:0.2T", "-o", str(out)]
    )
    assert code == 0
    from reanalyze.load import load

    table = load(str(out))
    assert len(table) == 101 * 25 and table.unit("M") == "emu"
    assert {"M_std", "M_m0", "M_m2"} <= set(table.columns)
    assert np.allclose(
        table.values("M"), exact(table.values("T"), table.values("H")).mean(0), atol=1e-6
    )
    printed = capsys.readouterr().out
    assert "simulated 2525 points" in printed
    # the range of M to the precision of the typical ensemble spread (2 significant digits)
    typical = float(np.median(table.values("M_std")))
    places = max(0, 1 - int(np.floor(np.log10(typical))))
    m = table.values("M")
    assert f": M {m.min():.{places}f}…{m.max():.{places}f} emu; wrote" in printed, printed


def test_cli_simulate_points_file_and_errors(run_dir: Path, tmp_path: Path, capsys) -> None:
    points = tmp_path / "points.csv"
    points.write_text("T (K),H (T)\n20,1\n30,2\n")
    out = tmp_path / "sim.parquet"
    assert main(["simulate", str(run_dir), "--grid", str(points), "--out", str(out)]) == 0
    table = UnitTable.read_parquet(out)
    assert np.allclose(table.values("H"), [1e4, 2e4])
    capsys.readouterr()
    bad = tmp_path / "bad.csv"
    assert main(["simulate", str(run_dir), "--grid", "nofile.csv", "--out", str(bad)]) == 1
    assert "no such file" in capsys.readouterr().err
    assert main(["simulate", str(run_dir), "--grid", "T=10:20:1K H=1T", "--out", "x.json"]) == 2
    assert "use a .csv or .parquet" in capsys.readouterr().err
    assert main(["simulate", str(tmp_path), "--grid", "T=1K", "--out", str(bad)]) == 1
    assert "not a reanalyze run folder" in capsys.readouterr().err
    assert main(["simulate", str(run_dir), "--grid", "T=5:20:5K H=1T", "--out", str(bad)]) == 1
    assert "or --allow-extrapolation flags such points" in capsys.readouterr().err
    assert not bad.exists()


def test_simulated_file_feeds_a_property_with_its_ensemble(run_dir: Path, tmp_path: Path) -> None:
    """simulate → Parquet → property run: ΔS_M of M = a·T + b·H + c is µ0·ΔH·a/mass exactly."""
    import json

    grid = tmp_path / "dense.parquet"
    spec = "T=20:40:0.5K H=0.1:5T:0.1T"
    assert main(["simulate", str(run_dir), "--grid", spec, "--out", str(grid)]) == 0
    out = tmp_path / "mce"
    assert main(["property", "run", "magnetocaloric", str(grid), "--out", str(out)]) == 0
    info = json.loads((out / "summary.json").read_text())
    assert info["members"] == 3
    grams = 0.61e-3
    # ∂M/∂T = a emu/K per member; emu/g = J/(kg·T); field change µ0(5 T − 0.1 T)
    per_member = np.array([a for a, _, _ in COEFFS]) / grams * 4.9
    peak = info["summary"]["delta_s_max"]
    assert peak["unit"] == "J/(kg*K)"
    assert peak["value"] == pytest.approx(per_member.mean(), rel=1e-4)
    assert peak["std"] == pytest.approx(per_member.std(ddof=1), rel=1e-3)
