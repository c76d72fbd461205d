"""Several files, one scan line each, into one table: slow axis from the data or given."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reanalyze.errors import DataError
from reanalyze.load import load, per_file_setpoint, setpoint_step
from reanalyze.table import UnitTable
from reanalyze.twin.data import TrainingData

FIELDS_OE = [1000.0, 5000.0, 10000.0, 20000.0]


def write_mt_files(folder: Path, noise_oe: float = 0.3, seed: int = 0) -> list[Path]:
    """One M(T) file per field, with the field readback scattering around the set point."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
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


def test_one_value_per_file_is_a_tenth_of_the_gap_between_files() -> None:
    assert per_file_setpoint([[99.4, 100.6], [199.5, 200.1]]) == pytest.approx((1.2, 99.8))
    assert per_file_setpoint([[90.0, 110.0], [190.0, 210.0]]) is None  # 20 > 10 % of 100
    assert per_file_setpoint([[10.0, 60.0], [10.0, 60.0]]) is None  # swept: same medians
    assert per_file_setpoint([[1.0, 1.0]]) is None  # one file
    assert per_file_setpoint([[100.0], [100.0]]) is None  # two files at one value


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


def only_note(table: UnitTable, text: str) -> str:
    """The one note of ``table`` that holds ``text``."""
    found = [n for n in table.metadata["notes"] if text in n]
    assert len(found) == 1, table.metadata["notes"]
    return found[0]


def test_the_setpoint_column_is_found_without_options(tmp_path: Path) -> None:
    files = sorted(write_mt_files(tmp_path), key=lambda p: p.name)  # as the glob takes them
    readback = np.concatenate([load(p).values("Magnetic Field") for p in files])
    assert len(np.unique(readback)) > 0.9 * len(readback)  # as read, a field per row
    table = load(str(tmp_path / "MT_*.csv"), rename={"Magnetic Field": "H"})
    assert sorted(set(table.values("H"))) == FIELDS_OE  # exactly the set points
    np.testing.assert_allclose(table.values("H", "Oe"), readback, atol=1.5)  # rows moved <1.5 Oe
    report = table.metadata["slow_axis"]
    assert report["detected"] is True and report["column"] == "H" and report["resolution"] == 2
    spread = max(np.ptp(load(p).values("Magnetic Field")) for p in files)
    assert only_note(table, "one value per file") == (
        "H taken as one value per file, its median rounded to a multiple of 2 Oe (it varies by "
        f"up to {spread:.2g} Oe within a file, by 4000 Oe or more between files): "
        + ", ".join(f"{p.name}={p.stem[3:-2]}" for p in files)
    )
    assert not any("set points from the data" in n for n in table.metadata["notes"])
    # one scan line per file: the twin's training data see four lines of 26 rows
    data = TrainingData.from_table(table, ["Temperature", "H"], "Moment")
    assert data.slow_axis == "H" and data.lines().tolist() == FIELDS_OE
    assert [int((data.line_of_rows() == f).sum()) for f in FIELDS_OE] == [26] * 4


def test_the_readme_tour_files_load_to_their_fields(tmp_path: Path) -> None:
    """The README's MT_*.dat (MPMS3 files with the readback jitter) and its options."""
    from test_readme import write_quantum_design_files

    from reanalyze.synthetic import GENERATORS

    write_quantum_design_files(tmp_path)
    rename = {"Temperature": "T", "Magnetic Field": "H", "Moment": "M"}
    table = load(str(tmp_path / "MT_*.dat"), columns=list(rename), rename=rename)
    truth = GENERATORS["bean_rodbell_first_order"]().scan(seed=0)
    assert sorted(set(table.values("H"))) == sorted(set(truth.values("H")))
    assert len(table) == len(truth) == 808
    assert only_note(table, "one value per file").startswith(
        "H taken as one value per file, its median rounded to a multiple of 1 Oe (it varies by "
        "up to 1."
    )
    data = TrainingData.from_table(table, ["T", "H"], "M")
    assert len(data.lines()) == 8


def test_exact_fields_sweeps_and_repeated_fields_are_kept_as_read(tmp_path: Path) -> None:
    exact = write_mt_files(tmp_path / "exact", noise_oe=0.0)
    table = load(exact)  # constant within each file: nothing to do, nothing to say
    assert sorted(set(table.values("Magnetic Field"))) == FIELDS_OE
    assert "slow_axis" not in table.metadata and table.metadata["notes"] == []
    # ZFC and FC at each field: two files share a set point, so no column is one per file
    paths = write_mt_files(tmp_path / "zfc") + write_mt_files(tmp_path / "fc", seed=1)
    table = load(paths)
    assert "slow_axis" not in table.metadata
    assert len(np.unique(table.values("Magnetic Field"))) > 0.9 * len(table)
    # a field swept within each file (M(H) loops), temperature the set point
    loops = []
    for k, kelvin in enumerate([2.0, 5.0, 10.0]):
        rng = np.random.default_rng(k)
        field = np.linspace(0, 50000, 20)
        rows = [f"{kelvin + rng.normal(0, 0.01):.4f},{h:.1f},{1e-9 * h:.4e}" for h in field]
        path = tmp_path / f"MH_{int(kelvin)}K.csv"
        path.write_text("\n".join(["T (K),H (Oe),M (emu)", *rows]) + "\n")
        loops.append(path)
    table = load(loops)
    assert sorted(set(table.values("T"))) == [2.0, 5.0, 10.0]
    assert only_note(table, "one value per file").startswith("T taken as one value per file")
    assert len(np.unique(table.values("H"))) == 20


def test_the_slow_axis_by_the_name_it_had_before_a_rename(tmp_path: Path) -> None:
    write_mt_files(tmp_path)
    pattern = str(tmp_path / "MT_*.csv")
    for name in ("Magnetic Field", "Magnetic Field (Oe)", "H"):
        table = load(pattern, rename={"Magnetic Field": "H"}, slow_axis=name)
        assert sorted(set(table.values("H"))) == FIELDS_OE, name
        assert table.columns == ["Temperature", "H", "Moment", "source_file"]
        only_note(table, "H set points from the data (rounded to multiples of 2 Oe)")
    with pytest.raises(DataError, match=r"no column 'Field' \(columns: Temperature, H, Moment\)"):
        load(pattern, rename={"Magnetic Field": "H"}, slow_axis="Field")
    # values given per file replace the renamed column, by its old name too
    values = ["0.1 T", "0.5 T", "1 T", "2 T"]
    table = load(pattern, rename={"Magnetic Field": "H"}, slow_axis="Magnetic Field",
                 slow_values=values)  # fmt: skip
    assert table.columns == ["Temperature", "H", "Moment", "source_file"]
    np.testing.assert_allclose(sorted(set(table.values("H", "Oe"))), FIELDS_OE)


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
