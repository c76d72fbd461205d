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


# ------------------------------------------------- files that cannot be read: one line each

LOADERS = [None, "delimited", "quantum_design", "webplotdigitizer", "parquet"]


def message(error: BaseException) -> str:
    text = str(error)
    assert "\n" not in text
    return text


@pytest.mark.parametrize("loader", LOADERS)
def test_a_folder_given_as_a_file(tmp_path: Path, loader: str | None) -> None:
    folder = tmp_path / "scan.csv"
    folder.mkdir()
    with pytest.raises(DataError) as info:
        load(folder, loader=loader)
    assert message(info.value) == f"{folder}: is a folder, not a data file"


@pytest.mark.parametrize("loader", LOADERS)
def test_a_file_without_read_permission(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loader: str | None
) -> None:
    path = tmp_path / "locked.csv"
    path.write_text("T (K),M (emu)\n1,2\n")

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    # what chmod 000 does for a user who is not root (tests often run as root)
    monkeypatch.setattr("reanalyze._io.open", denied, raising=False)
    monkeypatch.setattr("pyarrow.parquet.read_table", denied)
    with pytest.raises(DataError) as info:
        load(path, loader=loader)
    text = message(info.value)
    assert text.startswith(f"{path}: ")
    assert "permission denied" in text.lower()


def test_chmod_000_for_a_user_who_is_not_root(tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = tmp_path / "locked.csv"
    path.write_text("T (K),M (emu)\n1,2\n")
    path.chmod(0)
    try:
        with pytest.raises(DataError, match="permission denied"):
            load(path)
    finally:
        path.chmod(0o644)


def test_text_in_other_encodings_is_read_and_binary_refused(tmp_path: Path) -> None:
    header = "T (°C),M (µemu)\n1,2\n3,4\n"
    for encoding in ("utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(header.encode(encoding))
        table = load(path)
        assert table.columns == ["T", "M"], encoding
        assert table.unit("M") == "µemu"
    odd = tmp_path / "odd.csv"
    odd.write_bytes(b"T (K),M (emu)\n1,2\x81\n")  # not UTF-8, and 0x81 is unused in cp1252
    with pytest.raises(DataError, match=r"holds non-numeric value '2\\x81'") as info:
        load(odd)
    message(info.value)
    broken = tmp_path / "broken16.csv"
    broken.write_bytes(b"\xff\xfeT\x00 \x00(\x00K\x00)\x00\n\x00\x00\xd8")  # lone surrogate
    with pytest.raises(DataError, match="starts like UTF-16 text but is not"):
        load(broken)
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DataError, match="binary file, not text"):
        load(binary)


def test_a_name_too_long_for_the_system(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot be opened") as info:
        load(tmp_path / ("a" * 300 + ".csv"))
    message(info.value)


@pytest.mark.parametrize("value", ["1e400 T", "-1e999 Oe", "inf T"])
def test_slow_axis_values_that_are_not_finite_are_refused(tmp_path: Path, value: str) -> None:
    paths = write_mt_files(tmp_path)
    values = [value, "0.5 T", "1 T", "2 T"]
    with pytest.raises(DataError, match=r"value for MT_1000Oe\.csv: ") as info:
        load(paths, slow_values=values, slow_axis="H")
    message(info.value)


def test_wide_files_concatenate_without_warnings(tmp_path: Path) -> None:
    import warnings

    paths = []
    for k in range(3):
        header = ",".join(["H (Oe)", *[f"c{j} (emu)" for j in range(300)]])
        rows = [",".join([str(1000 * (k + 1)), *[str(i + j) for j in range(300)]])
                for i in range(5)]  # fmt: skip
        path = tmp_path / f"w{k}.csv"
        path.write_text("\n".join([header, *rows]) + "\n")
        paths.append(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = load(paths, slow_axis="H")
    assert [str(w.message) for w in caught] == []
    assert len(table) == 15 and len(table.columns) == 302
