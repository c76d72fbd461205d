"""UnitTable: conversions, normalization by mass, and lossless CSV/Parquet round trips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reanalyze.errors import ColumnError, DataError, UnitError
from reanalyze.loaders.delimited import DelimitedLoader
from reanalyze.table import Sample, UnitTable, concat


@pytest.fixture
def table() -> UnitTable:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "T": np.linspace(10, 60, 11),
            "H": np.full(11, 20000.0),
            "M": rng.uniform(0.01, 0.07, 11),
            "file": [f"MT_{i % 2}.dat" for i in range(11)],
        }
    )
    return UnitTable(
        frame,
        {
            "T": ("temperature", "K"),
            "H": ("magnetic_field", "Oe"),
            "M": ("magnetic_moment", "emu"),
            "file": ("label", ""),
        },
        sample=Sample(material="ErCo2", mass=0.61, mass_unit="mg", molar_mass=285.125),
        metadata={"instrument": "MPMS3", "notes": ["a note"]},
    )


def test_values_convert_with_pint(table: UnitTable) -> None:
    np.testing.assert_allclose(table.values("H", "T"), 2.0)
    assert table.convert(H="T").unit("H") == "T"
    np.testing.assert_allclose(table.convert(T="mK").values("T"), table.values("T") * 1000)


def test_normalize_by_mass(table: UnitTable) -> None:
    normalized = table.normalize_by_mass("M")
    assert normalized.kind("M") == "magnetization"
    np.testing.assert_allclose(normalized.values("M"), table.values("M") / 0.61e-3)
    si = table.normalize_by_mass("M", unit="A*m**2/kg")
    np.testing.assert_allclose(si.values("M"), normalized.values("M"))  # emu/g == A·m²/kg
    other = table.normalize_by_mass("M", mass=1.22, mass_unit="mg")
    np.testing.assert_allclose(other.values("M"), normalized.values("M") / 2)
    with pytest.raises(UnitError, match="not a magnetic_moment"):
        table.normalize_by_mass("T")
    with pytest.raises(DataError, match="sample mass is unknown"):
        table.with_sample(None).normalize_by_mass("M")


def _assert_same(a: UnitTable, b: UnitTable) -> None:
    assert a.columns == b.columns
    assert a.schema.columns == b.schema.columns
    assert a.sample == b.sample
    for name in a.columns:
        if a.kind(name) == "label":
            assert a.labels(name) == b.labels(name)
        else:
            np.testing.assert_array_equal(a.values(name), b.values(name))  # bit-exact


def test_csv_round_trip_keeps_units_and_bits(table: UnitTable, tmp_path: Path) -> None:
    path = table.to_csv(tmp_path / "t.csv")
    lines = path.read_text().splitlines()
    assert lines[0].startswith("# reanalyze-table: ")
    assert lines[1] == "T (K),H (Oe),M (emu),file"
    back = DelimitedLoader().load(path)
    _assert_same(table, back)
    assert back.metadata["instrument"] == "MPMS3"
    # a plain pandas reader sees ordinary headers with units
    plain = pd.read_csv(path, comment="#")
    assert list(plain.columns) == ["T (K)", "H (Oe)", "M (emu)", "file"]


def test_parquet_round_trip(table: UnitTable, tmp_path: Path) -> None:
    path = table.to_parquet(tmp_path / "t.parquet")
    back = UnitTable.read_parquet(path)
    _assert_same(table, back)
    assert back.metadata == table.metadata


def test_failed_write_leaves_nothing(
    table: UnitTable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(OSError, match="disk full"):
        table.to_csv(tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []


def test_constructor_checks() -> None:
    frame = pd.DataFrame({"T": [1.0, 2.0], "H": ["1", "x"]})
    with pytest.raises(ColumnError, match="no kind/unit given for column"):
        UnitTable(frame, {"T": ("temperature", "K")})
    with pytest.raises(ColumnError, match="column 'H' holds non-numeric value 'x' \\(row 2\\)"):
        UnitTable(frame, {"T": ("temperature", "K"), "H": ("magnetic_field", "Oe")})
    with pytest.raises(UnitError, match="column 'H'.*wrong dimension"):
        UnitTable(frame.iloc[:1], {"T": ("temperature", "K"), "H": ("magnetic_field", "K")})


def test_concat_converts_units(table: UnitTable) -> None:
    both = concat([table, table.convert(H="T", T="mK")])
    assert len(both) == 2 * len(table)
    np.testing.assert_allclose(both.values("H"), 20000.0)
    np.testing.assert_allclose(both.values("T")[len(table) :], table.values("T"))
    with pytest.raises(ColumnError, match="has columns"):
        concat([table, table.select(["T", "H"])])


def test_select_rename_filter(table: UnitTable) -> None:
    small = table.select(["T", "M"]).rename({"M": "moment"}).filter(table.values("T") > 30)
    assert small.columns == ["T", "moment"]
    assert len(small) == int((table.values("T") > 30).sum())
    with pytest.raises(ColumnError, match="unknown column 'X'"):
        table.values("X")
