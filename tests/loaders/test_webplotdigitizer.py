"""Tests of the WebPlotDigitizer loader: export-all CSV and JSON projects (WPD 4 and older)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from reanalyze.errors import DataError, OptionError, UnitError
from reanalyze.loaders.webplotdigitizer import WebPlotDigitizerLoader, parse_series_label
from reanalyze.table import UnitTable

Values = Sequence[float] | npt.NDArray[np.float64]
Curve = tuple[Values, Values]


def magnetization(temperature: np.ndarray, field_tesla: float) -> np.ndarray:
    """A known M(T) curve (emu/g): a smeared ferromagnetic step that grows with field."""
    return 40.0 * np.tanh(2.0 * field_tesla) / (1.0 + np.exp((temperature - 35.0) / 4.0)) + 0.1


# Three field curves as digitized from a figure: different lengths and T ranges, points in
# the order they were clicked (not sorted). Labels in T and in Oe.
T_1T = np.array([60.0, 10.0, 15.5, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0])
T_HALF = np.array([12.0, 18.0, 24.0, 30.0, 36.0, 42.0, 48.0, 54.0])
T_2T = np.array([50.0, 40.0, 30.0, 20.0, 10.0])
CURVES: dict[str, tuple[np.ndarray, np.ndarray, float]] = {
    # label: (T in K, M in emu/g, µ0H in T)
    "1 T": (T_1T, magnetization(T_1T, 1.0), 1.0),
    "5000 Oe": (T_HALF, magnetization(T_HALF, 0.5), 0.5),
    "H = 2 T": (T_2T, magnetization(T_2T, 2.0), 2.0),
}


def export_all_csv(
    path: Path,
    curves: Mapping[str, Curve],
    *,
    trailing_comma: bool = False,
    newline: str = "\n",
    delimiter: str = ",",
    number: str = "{:.17g}",
) -> Path:
    """Write ``curves`` as WPD 4 "Export All Data" does: names, X/Y row, ragged columns."""
    names: list[str] = []
    xy: list[str] = []
    for label in curves:
        names += [label, ""]
        xy += ["X", "Y"]
    longest = max(len(x) for x, _ in curves.values())
    lines = [delimiter.join(names), delimiter.join(xy)]
    for i in range(longest):
        cells: list[str] = []
        for x, y in curves.values():
            if i < len(x):
                cells += [number.format(x[i]), number.format(y[i])]
            else:
                cells += ["", ""]
        lines.append(delimiter.join(cells))
    end = delimiter if trailing_comma else ""
    path.write_text(newline.join(line + end for line in lines) + newline, encoding="utf-8")
    return path


def standard_csv(tmp_path: Path, **kwargs: Any) -> Path:
    curves = {label: (t, m) for label, (t, m, _) in CURVES.items()}
    return export_all_csv(tmp_path / "fig3_MT.csv", curves, **kwargs)


def expected_rows(unit_per_tesla: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """T, H, M of :data:`CURVES` sorted by field, then temperature."""
    t = np.concatenate([c[0] for c in CURVES.values()])
    m = np.concatenate([c[1] for c in CURVES.values()])
    h = np.concatenate([np.full(len(c[0]), c[2]) for c in CURVES.values()]) * unit_per_tesla
    order = np.lexsort((t, h))
    return t[order], h[order], m[order]


def pixel(t: float, m: float) -> tuple[float, float]:
    """Pixel position of a point on an imaginary figure (deliberately far from the values)."""
    return 80.0 + 9.5 * t, 610.0 - 12.25 * m


def wpd4_project(curves: Mapping[str, Curve], **extra: Any) -> dict[str, Any]:
    """A WPD 4.2 project (``wpd.json``) with calibrated values and pixel positions."""
    datasets: list[dict[str, Any]] = []
    for i, (label, (x, y)) in enumerate(curves.items()):
        data = []
        for xv, yv in zip(x, y, strict=True):
            px, py = pixel(xv, yv)
            data.append({"x": px, "y": py, "value": [float(xv), float(yv)]})
        datasets.append(
            {
                "name": label,
                "axesName": "XY",
                "colorRGB": [200, 0, 20 * i],
                "metadata": {},
                "data": data,
                "autoDetectionData": None,
            }
        )
    project: dict[str, Any] = {
        "version": [4, 2],
        "axesColl": [
            {
                "name": "XY",
                "type": "XYAxes",
                "isLogX": False,
                "isLogY": False,
                "noRotation": False,
                "calibrationPoints": [
                    {"px": 175.0, "py": 600.0, "dx": "10", "dy": "0", "dz": None},
                    {"px": 650.0, "py": 600.0, "dx": "60", "dy": "0", "dz": None},
                    {"px": 80.0, "py": 610.0, "dx": "0", "dy": "0", "dz": None},
                    {"px": 80.0, "py": 120.0, "dx": "0", "dy": "40", "dz": None},
                ],
            }
        ],
        "datasetColl": datasets,
        "measurementColl": [],
    }
    project.update(extra)
    return project


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def load(path: Path, **options: Any) -> UnitTable:
    return WebPlotDigitizerLoader().load(path, **options)


def assert_refused(
    path: Path, *parts: str, error: type[Exception] = DataError, **options: Any
) -> None:
    """Loading ``path`` raises ``error``, one line that names the file and holds ``parts``."""
    with pytest.raises(error) as excinfo:
        load(path, **options)
    message = str(excinfo.value)
    assert "\n" not in message
    for part in (str(path), *parts):
        assert part in message, message


# --------------------------------------------------------------------------- CSV export
def test_csv_export_all_values_units_and_order(tmp_path: Path) -> None:
    path = standard_csv(tmp_path)
    table = load(path, x="T (K)", y="M (emu/g)")
    assert table.columns == ["T", "H", "M"]
    assert (table.unit("T"), table.unit("H"), table.unit("M")) == ("K", "T", "emu/g")
    assert (table.kind("T"), table.kind("H"), table.kind("M")) == (
        "temperature",
        "magnetic_field",
        "magnetization",
    )
    t, h, m = expected_rows()
    assert len(table) == len(t) == 24
    np.testing.assert_array_equal(table.values("T"), t)
    np.testing.assert_array_equal(table.values("H"), h)
    np.testing.assert_array_equal(table.values("M"), m)
    meta = table.metadata
    assert meta["digitized"] is True
    assert meta["source"] == str(path)
    assert meta["format"] == "webplotdigitizer-csv"
    assert meta["series"] == {
        "1 T": {"value": 1.0, "unit": "T", "points": 11},
        "5000 Oe": {"value": 0.5, "unit": "T", "points": 8},
        "H = 2 T": {"value": 2.0, "unit": "T", "points": 5},
    }
    assert not any("dimensionless" in note for note in meta["notes"])


def test_rows_sorted_by_series_then_x(tmp_path: Path) -> None:
    data = load(standard_csv(tmp_path), x="T (K)", y="M (emu/g)").data
    assert list(data["H"]) == sorted(data["H"])
    for _, block in data.groupby("H"):
        assert list(block["T"]) == sorted(block["T"])


def test_sort_false_keeps_digitized_order(tmp_path: Path) -> None:
    table = load(standard_csv(tmp_path), x="T (K)", y="M (emu/g)", sort=False)
    np.testing.assert_array_equal(table.values("T")[: len(T_1T)], T_1T)
    np.testing.assert_array_equal(table.values("T")[-len(T_2T) :], T_2T)


def test_oe_label_first_gives_oe_column(tmp_path: Path) -> None:
    curves = {"5000 Oe": ([10.0, 20.0], [3.0, 2.0]), "1 T": ([10.0, 20.0], [5.0, 4.0])}
    table = load(export_all_csv(tmp_path / "f.csv", curves), x="T (K)", y="M (emu/g)")
    assert table.unit("H") == "Oe"
    np.testing.assert_allclose(table.values("H"), [5000.0, 5000.0, 10000.0, 10000.0])
    np.testing.assert_allclose(table.values("H", "T"), [0.5, 0.5, 1.0, 1.0])
    assert table.metadata["series"]["1 T"] == {"value": 10000.0, "unit": "Oe", "points": 2}


def test_series_unit_converts_values(tmp_path: Path) -> None:
    table = load(standard_csv(tmp_path), x="T (K)", y="M (emu/g)", series_unit="mT")
    assert table.unit("H") == "mT"
    assert sorted(set(table.values("H"))) == pytest.approx([500.0, 1000.0, 2000.0])
    assert table.metadata["series"]["5000 Oe"]["value"] == pytest.approx(500.0)


@pytest.mark.parametrize(
    ("trailing_comma", "newline"), [(True, "\n"), (False, "\r\n"), (True, "\r\n")]
)
def test_trailing_comma_and_crlf(tmp_path: Path, trailing_comma: bool, newline: str) -> None:
    path = standard_csv(tmp_path, trailing_comma=trailing_comma, newline=newline)
    table = load(path, x="T (K)", y="M (emu/g)")
    t, h, m = expected_rows()
    np.testing.assert_array_equal(table.values("T"), t)
    np.testing.assert_array_equal(table.values("H"), h)
    np.testing.assert_array_equal(table.values("M"), m)


def test_scientific_notation(tmp_path: Path) -> None:
    path = standard_csv(tmp_path, number="{:.16e}")
    assert "e+01" in path.read_text()
    table = load(path, x="T (K)", y="M (emu/g)")
    t, _, m = expected_rows()
    np.testing.assert_array_equal(table.values("T"), t)
    np.testing.assert_array_equal(table.values("M"), m)


def test_semicolon_export_with_decimal_comma(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("1 T;;2 T;\nX;Y;X;Y\n10,5;1,25;10;2\n20;1,5e-1;;\n", encoding="utf-8")
    table = load(path, x="T (K)", y="M (emu/g)")
    np.testing.assert_allclose(table.values("T"), [10.5, 20.0, 10.0])
    np.testing.assert_allclose(table.values("M"), [1.25, 0.15, 2.0])


def test_without_axis_units_columns_are_x_and_y_dimensionless(tmp_path: Path) -> None:
    table = load(standard_csv(tmp_path))
    assert table.columns == ["x", "H", "y"]
    assert table.unit("x") == table.unit("y") == "dimensionless"
    assert table.unit("H") == "T"
    assert any("'x' and 'y' used as dimensionless" in n for n in table.metadata["notes"])


def test_axis_name_and_unit_options(tmp_path: Path) -> None:
    table = load(
        standard_csv(tmp_path), x="T (K)", x_name="Temperature", y_name="M", y_unit="A*m**2/kg"
    )
    assert table.columns == ["Temperature", "H", "M"]
    assert table.unit("Temperature") == "K"
    assert table.kind("M") == "magnetization"
    notes = table.metadata["notes"]
    assert not any("dimensionless" in n for n in notes)


def test_one_axis_without_unit_is_noted(tmp_path: Path) -> None:
    table = load(standard_csv(tmp_path), x="T (K)")
    assert table.columns == ["T", "H", "y"]
    assert any("'y' used as dimensionless" in n for n in table.metadata["notes"])


def test_temperature_series_for_mh_curves(tmp_path: Path) -> None:
    curves = {
        "300K": ([0.0, 10000.0], [0.0, 1.0]),
        "T = 2 K": ([-10000.0, 0.0, 10000.0], [-9.0, 0.5, 9.0]),
        "10 K": ([0.0, 10000.0], [0.0, 5.0]),
    }
    table = load(export_all_csv(tmp_path / "mh.csv", curves), x="H (Oe)", y="M (emu)")
    assert table.columns == ["H", "T", "M"]
    assert (table.kind("T"), table.unit("T")) == ("temperature", "K")
    np.testing.assert_array_equal(table.values("T"), [2, 2, 2, 10, 10, 300, 300])
    np.testing.assert_array_equal(table.values("H"), [-1e4, 0, 1e4, 0, 1e4, 0, 1e4])
    np.testing.assert_array_equal(table.values("M"), [-9.0, 0.5, 9.0, 0.0, 5.0, 0.0, 1.0])


def test_other_quantity_series_and_series_name(tmp_path: Path) -> None:
    curves = {"p = 1.2 GPa": ([1.0, 2.0], [3.0, 4.0]), "800 MPa": ([1.0], [5.0])}
    path = export_all_csv(tmp_path / "p.csv", curves)
    table = load(path, x="T (K)", y="R (ohm)")
    assert table.columns == ["T", "series", "R"]
    assert table.unit("series") == "GPa"
    np.testing.assert_allclose(table.values("series"), [0.8, 1.2, 1.2])
    named = load(path, x="T (K)", y="R (ohm)", series_name="p")
    assert named.columns == ["T", "p", "R"]


def test_series_values_override(tmp_path: Path) -> None:
    curves = {"Series 1": ([10.0, 20.0], [5.0, 4.0]), "Series 2": ([10.0], [7.0])}
    path = export_all_csv(tmp_path / "s.csv", curves)
    table = load(
        path, x="T (K)", y="M (emu/g)", series_values={"Series 1": "1 T", "Series 2": "20 kOe"}
    )
    np.testing.assert_allclose(table.values("H"), [1.0, 1.0, 2.0])
    np.testing.assert_allclose(table.values("M"), [5.0, 4.0, 7.0])
    assert table.metadata["series"]["Series 2"] == {"value": 2.0, "unit": "T", "points": 1}


def test_bare_number_labels_take_series_unit(tmp_path: Path) -> None:
    curves = {"0.5": ([10.0], [1.0]), "1": ([10.0], [2.0])}
    path = export_all_csv(tmp_path / "n.csv", curves)
    assert_refused(path, "'0.5'", "number without a unit", "series_unit")
    table = load(path, series_unit="T")
    assert (table.unit("H"), list(table.values("H"))) == ("T", [0.5, 1.0])


def test_empty_series_is_noted_not_parsed(tmp_path: Path) -> None:
    curves = {"1 T": ([10.0, 20.0], [5.0, 4.0]), "Default Dataset": ([], [])}
    table = load(export_all_csv(tmp_path / "e.csv", curves), x="T (K)", y="M (emu/g)")
    assert len(table) == 2
    assert "series 'Default Dataset' has no points: skipped" in table.metadata["notes"]


def test_same_value_twice_is_noted(tmp_path: Path) -> None:
    curves = {"1 T": ([10.0], [5.0]), "10 kOe": ([20.0], [4.0])}
    table = load(export_all_csv(tmp_path / "d.csv", curves), x="T (K)", y="M (emu/g)")
    np.testing.assert_allclose(table.values("H"), [1.0, 1.0])
    assert any("merged" in n for n in table.metadata["notes"])


def test_build_table_options_pass_through(tmp_path: Path) -> None:
    path = standard_csv(tmp_path)
    table = load(path, x="T (K)", y="M (emu/g)", rename={"H": "B"}, columns=["T", "H", "M"])
    assert table.columns == ["T", "B", "M"]
    table = load(path, y="M (emu/g)", units={"x": "K"})
    assert (table.unit("x"), table.kind("x")) == ("K", "temperature")
    assert not any("dimensionless" in n for n in table.metadata["notes"])


def test_missing_y_in_the_middle_is_dropped_or_an_error(tmp_path: Path) -> None:
    path = tmp_path / "gap.csv"
    path.write_text("1 T,,2 T,\nX,Y,X,Y\n10,1,10,2\n20,,20,3\n30,0.5,,\n", encoding="utf-8")
    table = load(path, x="T (K)", y="M (emu/g)")
    np.testing.assert_array_equal(table.values("T"), [10, 30, 10, 20])
    assert "dropped 1 row(s) with NaN/inf in the chosen columns" in table.metadata["notes"]
    with pytest.raises(DataError, match="NaN/inf"):
        load(path, x="T (K)", y="M (emu/g)", nonfinite="error")


# ---------------------------------------------------------------------------- labels
@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("1 T", (1.0, "T")),
        ("0.5T", (0.5, "T")),
        ("5000 Oe", (5000.0, "Oe")),
        ("H = 2 T", (2.0, "T")),
        ("μ0H=1T", (1.0, "T")),
        ("µ0H = 0.1 T", (0.1, "T")),
        ("10 K", (10.0, "K")),
        ("100 mT", (100.0, "mT")),
        ("1e4 Oe", (1e4, "Oe")),
        ("−2 T", (-2.0, "T")),
        ("H: 50 kOe", (50.0, "kOe")),
        ("3", (3.0, None)),
        ("Series 1", None),
        ("data", None),
        ("ZFC", None),
        ("1 T FC", None),
    ],
)
def test_parse_series_label(label: str, expected: tuple[float, str | None] | None) -> None:
    assert parse_series_label(label) == expected


@pytest.mark.parametrize(
    ("label", "value"),
    [("1 T", 1.0), ("0.5T", 0.5), ("5000 Oe", 0.5), ("μ0H=1T", 1.0), ("100 mT", 0.1)],
)
def test_field_labels_in_tesla(tmp_path: Path, label: str, value: float) -> None:
    path = export_all_csv(tmp_path / "one.csv", {"2 T": ([1.0], [1.0]), label: ([2.0], [2.0])})
    table = load(path, x="T (K)", y="M (emu/g)")
    assert table.metadata["series"][label]["value"] == pytest.approx(value)


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize("label", ["Series 1", "data"])
def test_label_that_is_not_a_quantity(tmp_path: Path, label: str) -> None:
    path = export_all_csv(tmp_path / "bad.csv", {"1 T": ([1.0], [1.0]), label: ([2.0], [2.0])})
    assert_refused(path, repr(label), "not a quantity", "series_values")


def test_mixed_kinds(tmp_path: Path) -> None:
    path = export_all_csv(tmp_path / "mix.csv", {"1 T": ([1.0], [1.0]), "10 K": ([2.0], [2.0])})
    assert_refused(path, "mix", "'1 T' is magnetic field", "'10 K' is temperature")


def test_mixed_dimensions_of_other_kind(tmp_path: Path) -> None:
    curves = {"1 GPa": ([1.0], [1.0]), "2 T*m": ([2.0], [2.0])}
    path = export_all_csv(tmp_path / "mix2.csv", curves)
    with pytest.raises(DataError, match="mix"):
        load(path)


def test_series_unit_of_wrong_dimension(tmp_path: Path) -> None:
    path = standard_csv(tmp_path)
    assert_refused(path, "series_unit", "'K'", "magnetic_field", error=UnitError, series_unit="K")
    with pytest.raises(UnitError, match="unknown unit 'furlongz'"):
        load(path, series_unit="furlongz")


def test_row_two_not_xy_pairs(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("T (K),M (emu)\n10,1\n20,2\n", encoding="utf-8")
    assert_refused(path, "row 2", "X,Y pairs")
    odd = tmp_path / "odd.csv"
    odd.write_text("1 T,,2 T\nX,Y,X\n1,2,3\n", encoding="utf-8")
    with pytest.raises(DataError, match="X,Y pairs"):
        load(odd)


def test_unparsable_number(tmp_path: Path) -> None:
    path = tmp_path / "n.csv"
    path.write_text("1 T,,2 T,\nX,Y,X,Y\n10,1,10,2\n20,1.2.3,20,3\n", encoding="utf-8")
    assert_refused(path, "row 4", "'1 T'", "'1.2.3'")


def test_more_cells_than_pairs(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("1 T,\nX,Y\n10,1,5\n", encoding="utf-8")
    with pytest.raises(DataError, match="row 3 has 3 values"):
        load(path)


def test_series_values_for_unknown_label(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="unknown series"):
        load(standard_csv(tmp_path), series_values={"2 T": "2 T"})


def test_series_values_that_is_not_a_quantity(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="series_values"):
        load(standard_csv(tmp_path), series_values={"1 T": "strong"})


def test_column_names_collide(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="collide"):
        load(standard_csv(tmp_path), x="H (T)", y="M (emu/g)")


def test_unknown_axis_unit_and_unknown_option(tmp_path: Path) -> None:
    path = standard_csv(tmp_path)
    with pytest.raises(UnitError, match="unknown unit 'Kelvins'"):
        load(path, x="T (Kelvins)")
    with pytest.raises(OptionError, match="unknown option"):  # a misused option: exit 2
        load(path, serie_unit="T")


def test_no_points_at_all(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("Default Dataset,\nX,Y\n", encoding="utf-8")
    with pytest.raises(DataError, match="no digitized points"):
        load(path)


# ------------------------------------------------------------------------------- JSON
def json_curves() -> dict[str, Curve]:
    return {label: (t, m) for label, (t, m, _) in CURVES.items()}


def test_json_wpd4_uses_calibrated_values_not_pixels(tmp_path: Path) -> None:
    path = write_json(tmp_path / "wpd.json", wpd4_project(json_curves()))
    table = load(path, x="T (K)", y="M (emu/g)")
    t, h, m = expected_rows()
    np.testing.assert_array_equal(table.values("T"), t)
    np.testing.assert_array_equal(table.values("H"), h)
    np.testing.assert_array_equal(table.values("M"), m)
    pixels_x = {pixel(tv, mv)[0] for tv, mv in zip(t, m, strict=True)}
    assert not pixels_x & set(table.values("T"))
    meta = table.metadata
    assert (meta["format"], meta["wpd_version"], meta["digitized"]) == (
        "webplotdigitizer-json",
        "4.2",
        True,
    )
    assert meta["series"]["5000 Oe"] == {"value": 0.5, "unit": "T", "points": 8}


def test_json_skips_non_xy_axes_and_empty_datasets(tmp_path: Path) -> None:
    project = wpd4_project({"1 T": ([10.0, 20.0], [2.0, 1.0])})
    project["axesColl"].append({"name": "Bar", "type": "BarAxes", "isLog": False})
    project["datasetColl"] += [
        {"name": "Bars", "axesName": "Bar", "data": [{"x": 1, "y": 2, "value": [0, 3.5]}]},
        {"name": "Default Dataset", "axesName": "XY", "data": []},
    ]
    table = load(write_json(tmp_path / "p.json", project), x="T (K)", y="M (emu/g)")
    assert len(table) == 2
    notes = table.metadata["notes"]
    assert "dataset 'Bars' is on BarAxes axes 'Bar', not XY: skipped" in notes
    assert "dataset 'Default Dataset' has no points: skipped" in notes
    assert list(table.metadata["series"]) == ["1 T"]


@pytest.mark.parametrize("key", ["dataSeriesColl", "datasetColl"])
def test_json_pre_v4_wrapped_in_wpd(tmp_path: Path, key: str) -> None:
    datasets = [
        {
            "name": "0.1 T",
            "axesName": "XY",
            "metadata": {},
            "data": [
                {"x": 412.0, "y": 233.5, "value": [30.0, 12.5]},
                {"x": 300.0, "y": 250.0, "value": [20.0, 14.0]},
            ],
        },
        {"name": "μ0H = 3 T", "data": [{"x": 10.0, "y": 10.0, "value": [25.0, 30.0]}]},
    ]
    document = {
        "wpd": {
            "version": [3, 8],
            "axesColl": [{"name": "XY", "type": "XYAxes", "isLogX": False, "isLogY": False}],
            key: datasets,
            "measurementColl": [],
        }
    }
    table = load(write_json(tmp_path / "old.json", document), x="T (K)", y="M (emu/g)")
    np.testing.assert_array_equal(table.values("T"), [20.0, 30.0, 25.0])
    np.testing.assert_array_equal(table.values("H"), [0.1, 0.1, 3.0])
    np.testing.assert_array_equal(table.values("M"), [14.0, 12.5, 30.0])
    assert table.metadata["wpd_version"] == "3.8"


def test_json_without_calibrated_values(tmp_path: Path) -> None:
    document = {
        "wpd": {
            "version": [3, 2],
            "axesColl": [{"name": "XY", "type": "XYAxes"}],
            "dataSeriesColl": [{"name": "1 T", "data": [{"x": 412.0, "y": 233.5}]}],
        }
    }
    path = write_json(tmp_path / "ancient.json", document)
    assert_refused(path, "'1 T'", "point 1", "no calibrated 'value'")


def test_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"version": [4, 2], "datasetColl": [', encoding="utf-8")
    assert_refused(path, "invalid JSON", "line 1")


@pytest.mark.parametrize("document", [{"figures": []}, [1, 2], {"wpd": {"axesColl": []}}])
def test_json_that_is_not_a_wpd_project(tmp_path: Path, document: Any) -> None:
    path = write_json(tmp_path / "other.json", document)
    assert_refused(path, "not a WebPlotDigitizer project")


def test_json_label_errors_and_override(tmp_path: Path) -> None:
    path = write_json(tmp_path / "s.json", wpd4_project({"Series 1": ([1.0], [2.0])}))
    with pytest.raises(DataError, match="'Series 1' is not a quantity"):
        load(path)
    table = load(path, series_values={"Series 1": "10 K"})
    assert table.columns == ["x", "T", "y"]
    assert table.values("T")[0] == 10.0


def test_json_point_value_not_a_number(tmp_path: Path) -> None:
    project = wpd4_project({"1 T": ([1.0], [2.0])})
    project["datasetColl"][0]["data"][0]["value"] = [1.0, "abc"]
    with pytest.raises(DataError, match="cannot read number"):
        load(write_json(tmp_path / "v.json", project))


# ------------------------------------------------------------------------------- sniff
def test_loader_attributes() -> None:
    loader = WebPlotDigitizerLoader()
    assert loader.name == "webplotdigitizer"
    assert loader.suffixes == (".csv", ".json")
    assert "\n" not in loader.description


def test_sniff(tmp_path: Path) -> None:
    loader = WebPlotDigitizerLoader()
    csv_path = standard_csv(tmp_path, trailing_comma=True, newline="\r\n")
    assert loader.sniff(csv_path, csv_path.read_text()[:4096])
    v4 = json.dumps(wpd4_project(json_curves()))
    assert loader.sniff(tmp_path / "wpd.json", v4[:4096])
    assert loader.sniff(tmp_path / "old.json", '{"wpd": {"version": [3, 8], "axesColl": []')
    assert not loader.sniff(tmp_path / "other.json", '{"figures": [1, 2]}')
    assert not loader.sniff(tmp_path / "qd.csv", "T (K),M (emu)\n10,1\n")
    assert not loader.sniff(tmp_path / "one.csv", "1 T,\n")
    cut = "A,," * 1200 + "\n" + "X,Y," * 500
    assert loader.sniff(tmp_path / "long.csv", cut[:4096])
