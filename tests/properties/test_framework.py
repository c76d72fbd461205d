"""The property-plugin framework: parameters, column matching, ensembles, results, discovery.

A small real plugin (the mean and the integral of a target over temperature, with exact
answers) exercises the machinery the built-in plugins share.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import BaseModel, Field

from reanalyze.cli import main
from reanalyze.errors import ColumnError, PluginError
from reanalyze.plugins import PluginSpec, merge_plugins
from reanalyze.properties.base import (
    PropertyPlugin,
    PropertyResult,
    Requirement,
    Summary,
    aggregate_results,
    match_columns,
    parse_params,
    std_column,
)
from reanalyze.table import UnitTable
from reanalyze.testing import check_property_plugin

GROUP = "reanalyze.properties"


class Integral(PropertyPlugin):
    """∫ y dT over the table (trapezoid), and y·scale on the T grid."""

    name = "integral"
    description = "Integral of the target over temperature."
    requires = (
        Requirement("temperature", ("temperature",)),
        Requirement("y", ("magnetic_moment", "magnetization")),
    )

    class Params(BaseModel):
        scale: float = Field(1.0, description="Factor on y (dimensionless).")
        fields: list[float] = Field(default_factory=list, description="Fields, T.")
        label: str = Field("x", description="A label.")

    def compute(self, table: UnitTable, params: Any) -> PropertyResult:
        t = table.values("temperature", "K")
        y = table.values("y", "emu") * params.scale
        order = np.argsort(t)
        curve = UnitTable(
            pd.DataFrame({"T": t[order], "y": y[order]}),
            {"T": ("temperature", "K"), "y": ("magnetic_moment", "emu")},
        )
        area = float(np.trapezoid(y[order], t[order]))
        return PropertyResult(
            tables={"curve": curve},
            summary={"area": Summary(area, "emu*K", description="∫y dT")},
            notes=[f"label {params.label}"],
        )

    def figures(self, result: PropertyResult, params: Any) -> dict[str, Any]:
        from matplotlib.figure import Figure

        table = result.tables["curve"]
        figure = Figure()
        ax = figure.add_subplot()
        t, y = table.values("T"), table.values("y")
        ax.plot(t, y)
        band = std_column(table, "y")
        if band is not None:
            ax.fill_between(t, y - band, y + band, alpha=0.3)
        ax.set_xlabel("T (K)")
        ax.set_ylabel("y (emu)")
        return {"curve": figure}

    @classmethod
    def example_table(cls) -> UnitTable:
        t = np.linspace(0, 10, 11)
        return UnitTable(
            pd.DataFrame({"T": t, "M": 2 * t}),
            {"T": ("temperature", "K"), "M": ("magnetic_moment", "emu")},
        )


def ensemble_table() -> UnitTable:
    t = np.linspace(0, 10, 11)
    data = {"T": t, "M": 2 * t, "M_std": 0.1 * t}
    specs = {
        "T": ("temperature", "K"),
        "M": ("magnetic_moment", "emu"),
        "M_std": ("magnetic_moment", "emu"),
    }
    for i, slope in enumerate([1.0, 2.0, 3.0]):
        data[f"M_m{i}"] = slope * t
        specs[f"M_m{i}"] = ("magnetic_moment", "emu")
    return UnitTable(
        pd.DataFrame(data),
        specs,
        metadata={
            "features": ["T"],
            "targets": ["M"],
            "ensemble": {"target": "M", "std": "M_std", "members": ["M_m0", "M_m1", "M_m2"]},
        },
    )


# ------------------------------------------------------------------ parameters
def test_params_from_strings() -> None:
    p = parse_params(Integral, {"scale": "2.5", "fields": "1,2,5", "label": "ErCo2"})
    assert p.scale == 2.5 and p.fields == [1, 2, 5] and p.label == "ErCo2"
    assert parse_params(Integral, {"fields": "5"}).fields == [5]
    assert parse_params(Integral, None).scale == 1.0


def test_bad_params_name_the_parameter() -> None:
    with pytest.raises(PluginError, match="property 'integral': unknown parameter 'scal' "):
        parse_params(Integral, {"scal": "2"})
    with pytest.raises(PluginError, match="parameter scale: Input should be a valid number"):
        parse_params(Integral, {"scale": "big"})


# ------------------------------------------------------------------ columns
def test_columns_matched_by_kind_with_overrides() -> None:
    table = UnitTable(
        pd.DataFrame({"Tsample": [1.0, 2], "Tbath": [1.0, 2], "m": [1.0, 2]}),
        {
            "Tsample": ("temperature", "K"),
            "Tbath": ("temperature", "K"),
            "m": ("magnetization", "emu/g"),
        },
    )
    mapping, notes = match_columns(table, Integral.requires)
    assert mapping == {"temperature": "Tsample", "y": "m"}
    assert "also possible: 'Tbath'" in notes[0] and "columns={'temperature': 'NAME'}" in notes[0]
    mapping, notes = match_columns(table, Integral.requires, {"temperature": "Tbath"})
    assert mapping["temperature"] == "Tbath" and not notes
    # a kind name works in place of the role
    mapping, _ = match_columns(table, Integral.requires, {"magnetization": "m"})
    assert mapping["y"] == "m"
    with pytest.raises(ColumnError, match="column 'm' is magnetization, but 'temperature'"):
        match_columns(table, Integral.requires, {"temperature": "m"})
    with pytest.raises(ColumnError, match="unknown column 'nope'"):
        match_columns(table, Integral.requires, {"temperature": "nope"})
    with pytest.raises(ColumnError, match="unknown role 'bogus'"):
        match_columns(table, Integral.requires, {"bogus": "m"})


def test_missing_kind_explains_how_to_fix() -> None:
    table = UnitTable(
        pd.DataFrame({"a": [1.0], "b": [2.0]}),
        {"a": ("temperature", "K"), "b": ("dimensionless", "")},
    )
    with pytest.raises(ColumnError) as info:
        match_columns(table, Integral.requires)
    message = str(info.value)
    assert "no column for 'y'" in message and "magnetic_moment or magnetization" in message
    assert "b [dimensionless]" in message and "units={" in message


def test_declared_features_first_and_ensemble_columns_never_matched() -> None:
    mapping, _ = match_columns(ensemble_table(), Integral.requires)
    assert mapping == {"temperature": "T", "y": "M"}


# ------------------------------------------------------------------ ensembles
def test_ensemble_mean_and_std_over_members() -> None:
    result = Integral().run(ensemble_table())
    assert result.members == 3
    # members' areas: slope·50 → 50, 100, 150 emu·K
    assert result.summary["area"].value == pytest.approx(100.0)
    assert result.summary["area"].std == pytest.approx(50.0)
    curve = result.tables["curve"]
    t = curve.values("T")
    assert np.allclose(curve.values("y"), 2 * t) and np.allclose(curve.values("y_std"), t)
    assert "T_std" not in curve.columns  # identical in every member: a coordinate
    assert result.notes[0].startswith("mean ± std over 3 ensemble members")
    assert (
        str(result.summary["area"]) == "100 ± 50 emu K"
    )  # rounded to its std, the unit as written in figures


def test_members_off_uses_the_target_column() -> None:
    result = Integral().run(ensemble_table(), members=False)
    assert result.members == 1 and result.summary["area"].std is None
    assert result.summary["area"].value == pytest.approx(100.0)


def test_aggregate_refuses_different_layouts() -> None:
    a = Integral().run(Integral.example_table(), figures=False)
    short = Integral.example_table().filter(np.arange(11) < 5)
    b = Integral().run(short, figures=False)
    with pytest.raises(PluginError, match="table 'curve' differs between ensemble members"):
        aggregate_results([a, b])


def test_undetermined_members_are_counted() -> None:
    a = PropertyResult(summary={"x": Summary(1.0, "K")})
    b = PropertyResult(summary={"x": Summary(float("nan"), "K")})
    c = PropertyResult(summary={"x": Summary(3.0, "K")})
    result = aggregate_results([a, b, c])
    assert result.summary["x"].value == 2.0 and result.summary["x"].std == pytest.approx(np.sqrt(2))
    assert "x: undetermined in 1 of 3 members" in result.notes


# ------------------------------------------------------------------ results
def test_save_writes_tables_summary_figures(tmp_path: Path) -> None:
    result = Integral().run(ensemble_table())
    folder = result.save(tmp_path / "out", plugin="integral", extra={"input": "x"})
    info = json.loads((folder / "summary.json").read_text())
    assert info["summary"]["area"] == {
        "value": 100.0,
        "std": 50.0,
        "unit": "emu*K",
        "description": "∫y dT",
    }
    assert info["property"] == "integral" and info["members"] == 3
    from reanalyze.load import load

    curve = load(str(folder / "tables" / "curve.csv"))
    assert curve.unit("y_std") == "emu"
    assert (folder / "figures" / "curve.png").stat().st_size > 1000
    assert not list(tmp_path.glob(".*part"))


def test_failed_save_leaves_nothing(tmp_path: Path) -> None:
    result = Integral().run(Integral.example_table())

    class Broken:
        def savefig(self, *args: Any, **kwargs: Any) -> None:
            raise OSError("disk full")

    result.figures["bad"] = Broken()
    with pytest.raises(OSError, match="disk full"):
        result.save(tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ conformance
def test_conformance_check_passes_a_good_plugin() -> None:
    check_property_plugin(Integral)


def test_conformance_check_catches_mistakes() -> None:
    class Mutates(Integral):
        name = "mutates"

        def compute(self, table: UnitTable, params: Any) -> PropertyResult:
            table._data["temperature"] *= 2  # modifies the caller's numbers
            return super().compute(table, params)

    class NoUnitsConverted(Integral):
        name = "no_units"

        def compute(self, table: UnitTable, params: Any) -> PropertyResult:
            t = table.data["temperature"].to_numpy()  # ignores the unit
            return PropertyResult(summary={"max": Summary(float(t.max()), "K")})

        def figures(self, result: PropertyResult, params: Any) -> dict[str, Any]:
            return {}

    class Unlabelled(Integral):
        name = "unlabelled"

        def figures(self, result: PropertyResult, params: Any) -> dict[str, Any]:
            from matplotlib.figure import Figure

            figure = Figure()
            figure.add_subplot().plot([1, 2], [3, 4])
            return {"f": figure}

    class NoDescription(Integral):
        name = "no_description"
        description = ""

    with pytest.raises(AssertionError, match="the input in other units"):
        check_property_plugin(NoUnitsConverted)
    with pytest.raises(AssertionError, match="axis without a label"):
        check_property_plugin(Unlabelled)
    with pytest.raises(AssertionError, match="description must be a non-empty string"):
        check_property_plugin(NoDescription)
    # a plugin that writes into its table only ever sees a copy: the caller's data is intact
    table = Integral.example_table()
    before = table.data
    Mutates().run(table)
    assert table.data.equals(before)


# ------------------------------------------------------------------ discovery and CLI
def test_builtin_wins_a_name_clash_and_entry_points_add() -> None:
    builtins = {
        "magnetocaloric": PluginSpec(
            "magnetocaloric",
            GROUP,
            "reanalyze.properties.magnetocaloric:MagnetocaloricEffect",
            "built-in",
        )
    }
    found = [
        EntryPoint("magnetocaloric", "evil:Plugin", GROUP),
        EntryPoint("curie_weiss", "cw.plugin:CurieWeiss", GROUP),
    ]
    with pytest.warns(RuntimeWarning, match="'magnetocaloric' .* the built-in is used"):
        merged = merge_plugins(builtins, found, GROUP)
    assert merged["magnetocaloric"].origin == "built-in"
    assert merged["curie_weiss"].target == "cw.plugin:CurieWeiss"


def test_property_list_imports_no_tensorflow() -> None:
    code = textwrap.dedent(
        """
        import sys
        from reanalyze.cli import main
        main(["property", "list"])
        print("IMPORTED", [m for m in ("tensorflow", "keras") if m in sys.modules])
        """
    )
    env = {**os.environ, "COLUMNS": "200"}  # rich tables: no wrapping
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert "IMPORTED []" in result.stdout
    for name in ("magnetocaloric", "superconducting_transport", "arpes_map"):
        assert name in result.stdout


@pytest.mark.parametrize(
    ("plugin", "options", "out_name", "status", "message"),
    [  # a misused option exits with 2, bad data with 1
        ("nope", [], "out", 2, "unknown property plugin 'nope'"),
        ("magnetocaloric", ["-p", "bogus=1"], "out", 1, "unknown parameter 'bogus'"),
        ("magnetocaloric", ["-c", "moment=X"], "out", 1, "unknown column 'X'"),
        ("magnetocaloric", ["--mass", "3K"], "out", 2, "--mass '3K': expected a positive mass"),
        ("magnetocaloric", ["--mass", "-3mg"], "out", 2, "--mass '-3mg': expected a positive mass"),
        ("magnetocaloric", ["--mass", "0mg"], "out", 2, "--mass '0mg': expected a positive mass"),
        ("magnetocaloric", ["-g", "T=1K"], "out", 2, "grid needs a twin's run folder"),
        ("magnetocaloric", [], ".", 2, "holds the input"),  # --out: the input's own folder
    ],
)
def test_cli_property_errors_are_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    plugin: str,
    options: list[str],
    out_name: str,
    status: int,
    message: str,
) -> None:
    data = tmp_path / "m.csv"
    data.write_text("T (K),H (Oe),M (emu)\n10,100,1\n20,100,2\n")
    argv = ["property", "run", plugin, str(data), "-o", str(tmp_path / out_name), *options]
    assert main(argv) == status
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.csv"]  # nothing written


def test_a_column_named_like_the_role_wins_without_a_note() -> None:
    requires = (Requirement("theta1", ("angle",)), Requirement("theta2", ("angle",)))
    table = UnitTable(
        pd.DataFrame({"theta2": [1.0], "theta1": [2.0]}),
        {"theta2": ("angle", "degree"), "theta1": ("angle", "degree")},
    )
    mapping, notes = match_columns(table, requires)
    assert mapping == {"theta1": "theta1", "theta2": "theta2"} and notes == []


def test_property_show_lists_defaults_of_every_kind(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["property", "show", "magnetocaloric"]) == 0
    shown = capsys.readouterr().out
    assert "[3.0, 10.0]" in shown  # a default_factory list, not "PydanticUndefined"
    assert "PydanticUndefined" not in shown and '"lowest"' in shown
