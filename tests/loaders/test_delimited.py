"""Delimited text: units from headers or from the user, and every kind of bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reanalyze.errors import ColumnError, DataError, UnitError
from reanalyze.loaders.delimited import DelimitedLoader

load = DelimitedLoader().load


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_units_from_parentheses_and_brackets(tmp_path: Path) -> None:
    path = write(tmp_path, "Temperature (K),B [T],Moment (emu)\n10,0.5,0.01\n11,0.5,0.02\n")
    table = load(path)
    assert table.columns == ["Temperature", "B", "Moment"]
    assert [table.kind(c) for c in table.columns] == [
        "temperature",
        "magnetic_field",
        "magnetic_moment",
    ]
    np.testing.assert_allclose(table.values("B", "Oe"), 5000.0)


def test_tab_separated_and_semicolon(tmp_path: Path) -> None:
    tsv = write(tmp_path, "T (K)\tR (Ohms)\n2.0\t0.1\n3.0\t0.2\n", "r.tsv")
    assert load(tsv).unit("R") == "ohm"
    semi = write(tmp_path, "T (K);R (ohm)\n2.0;0.1\n3.0;0.2\n", "r.txt")
    np.testing.assert_allclose(load(semi).values("R"), [0.1, 0.2])


def test_explicit_units_select_and_rename(tmp_path: Path) -> None:
    path = write(tmp_path, "X1,X2,Y,junk\n10,100,0.1,a\n11,100,0.2,b\n")
    table = load(
        path,
        columns=["X1", "X2", "Y"],
        units={"X1": "K", "X2": "Oe", "Y": "emu"},
        rename={"X1": "T", "X2": "H", "Y": "M"},
    )
    assert table.columns == ["T", "H", "M"]
    assert table.unit("H") == "Oe" and table.kind("M") == "magnetic_moment"


def test_no_units_is_said(tmp_path: Path) -> None:
    table = load(write(tmp_path, "a,b\n1,2\n3,4\n"))
    assert table.kind("a") == "dimensionless"
    assert any("no units" in note for note in table.metadata["notes"])


def test_nonfinite_rows_dropped_with_count_or_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "T (K),M (emu)\n1,0.1\n2,nan\n3,inf\n4,0.4\n5,\n")
    table = load(path)
    np.testing.assert_array_equal(table.values("T"), [1.0, 4.0])
    assert "dropped 3 row(s) with NaN/inf" in " ".join(table.metadata["notes"])
    with pytest.raises(DataError, match=r"3 row\(s\) with NaN/inf .*first at data row 2"):
        load(path, nonfinite="error")


def test_duplicate_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "T (K),M (emu)\n1,0.1\n1,0.1\n2,0.2\n")
    assert len(load(path)) == 2
    assert "dropped 1 exact duplicate" in " ".join(load(path).metadata["notes"])
    assert len(load(path, duplicates="keep")) == 3
    with pytest.raises(DataError, match=r"data\.csv: 1 duplicate row"):
        load(path, duplicates="error")


@pytest.mark.parametrize(
    ("content", "options", "error", "pattern"),
    [
        ("", {}, DataError, "file is empty"),
        ("# only a comment\n", {}, DataError, "only comments"),
        ("T (K),M (emu)\n", {}, DataError, "no data rows"),
        (
            "T (K),M (emu)\n1,abc\n",
            {},
            ColumnError,
            "column 'M \\(emu\\)' holds non-numeric value 'abc' \\(data row 1\\)",
        ),
        ("T (K),M (emu)\n1,2\n", {"columns": ["Q"]}, ColumnError, "unknown column 'Q'"),
        ("T (K),M (blorps)\n1,2\n", {"columns": ["M"]}, UnitError, "unknown unit 'blorps'"),
        (
            "Magnetic Field (K),M (emu)\n1,2\n",
            {},
            UnitError,
            "unit 'K' is temperature, but the name says magnetic field",
        ),
        (
            "T,H\n1,2\n",
            {"units": {"H": "K"}, "kinds": {"H": "magnetic_field"}},
            UnitError,
            "wrong dimension for magnetic_field",
        ),
        ("T,T\n1,2\n", {}, DataError, "duplicate column header"),
        ('{"not": "a table"}\n', {}, DataError, "not a delimited table"),
    ],
)
def test_bad_input(tmp_path: Path, content: str, options: dict, error: type, pattern: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(error, match=pattern) as info:
        load(path, **options)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value) or "unknown column" in str(info.value)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        load(tmp_path / "absent.csv")
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(DataError, match="binary file"):
        load(binary)


def test_paper_dataset_loads_with_registry_units(seeded_cache: Path) -> None:
    from reanalyze.load import load_dataset

    table = load_dataset("erco2")
    assert len(table) == 808
    assert sorted(set(table.values("H", "T"))) == pytest.approx([0.01, 0.1, 0.5, 1, 2, 3, 4, 5])
    magnetization = table.normalize_by_mass("M").values("M")
    assert 100 < magnetization.max() < 130  # ≈ 0.0757 emu / 0.61 mg = 124 emu/g
