"""Several files, one scan line each, into one table: slow axis from the data or given."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reanalyze.errors import DataError
from reanalyze.load import load, setpoint_step

FIELDS_OE = [1000.0, 5000.0, 10000.0, 20000.0]


def write_mt_files(folder: Path, noise_oe: float = 0.3, seed: int = 0) -> list[Path]:
    """One M(T) file per field, with the field readback scattering around the set point."""
    rng = np.random.default_rng(seed)
    paths = []
    for field in FIELDS_OE:
        temps = np.linspace(10, 60, 26)
        readback = field + rng.normal(0, noise_oe, temps.size)
        moment = 1e-6 * field / temps
        lines = ["Temperature (K),Magnetic Field (Oe),Moment (emu)"]
        lines += [
            f"{t:.4f},{h:.3f},{m:.6e}" for t, h, m in zip(temps, readback, moment, strict=True)
        ]
        path = folder / f"MT_{int(field)}Oe.csv"
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    return paths


def test_setpoint_step_is_a_125_number_above_four_sigma() -> None:
    assert setpoint_step(0.3) == 2.0
    assert setpoint_step(0.01) == 0.05
    assert setpoint_step(3.0) == 20.0
    assert setpoint_step(0.0) == 0.0


def test_glob_with_setpoints_from_noisy_readback(tmp_path: Path) -> None:
    write_mt_files(tmp_path)
    table = load(str(tmp_path / "MT_*.csv"), slow_axis="Magnetic Field")
    assert len(table) == 4 * 26
    assert sorted(set(table.values("Magnetic Field"))) == FIELDS_OE
    report = table.metadata["slow_axis"]
    assert report["from"] == "data" and report["resolution"] == 2.0
    assert {r["file"] for r in report["files"]} == {f"MT_{int(f)}Oe.csv" for f in FIELDS_OE}
    assert any("set points from the data" in n for n in table.metadata["notes"])
    # the file of origin is a column
    origin = table.labels("source_file")
    field = table.values("Magnetic Field")
    for name, value in zip(origin, field, strict=True):
        assert name == f"MT_{int(value)}Oe.csv"


def test_values_given_per_file_with_units(tmp_path: Path) -> None:
    paths = write_mt_files(tmp_path)
    for path in paths:  # drop the field column: files from a literature table often lack it
        lines = path.read_text().splitlines()
        path.write_text(
            "\n".join(
                ",".join(x for i, x in enumerate(line.split(",")) if i != 1) for line in lines
            )
        )
    table = load(paths, slow_values=["0.1 T", "0.5 T", "1 T", "20000 Oe"], slow_axis="H")
    np.testing.assert_allclose(sorted(set(table.values("H", "Oe"))), FIELDS_OE)
    assert table.kind("H") == "magnetic_field"
    with pytest.raises(DataError, match="2 slow-axis values given for 4 files"):
        load(paths, slow_values=["1 T", "2 T"])


def test_sweeping_column_is_not_a_slow_axis(tmp_path: Path) -> None:
    write_mt_files(tmp_path)
    with pytest.raises(DataError, match="Temperature varies by 50 K within the file, it is swept"):
        load(str(tmp_path / "MT_*.csv"), slow_axis="Temperature")


def test_no_match_and_colliding_setpoints(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no file matches this pattern"):
        load(str(tmp_path / "nothing_*.dat"))
    paths = write_mt_files(tmp_path)
    with pytest.raises(DataError, match="give the same Magnetic Field set point"):
        load([paths[0], paths[0]], slow_axis="Magnetic Field")
