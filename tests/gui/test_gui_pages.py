"""Validate, Simulate, Property, Plan and Runs under AppTest, on twins with known answers.

The analytic twin's members are Keras networks set to M = (C/2)·[1 + tanh((T0 + A·µ0H −
T)/w)], so the Simulate page's numbers are checked against the formula, and every page's
result against the library call it makes (same numbers, not a re-implementation).
"""

from __future__ import annotations

import io
import shutil
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gui_helpers import WIDTHS, C, analytic_run, carried, exact_m, page, plain, scan_csv, texts

from reanalyze.gui.widgets import zip_folder
from reanalyze.load import load
from reanalyze.numbers import at_precision
from reanalyze.outputs import OutputMarker, write_marker
from reanalyze.properties.results import read_property
from reanalyze.twin.simulate import simulate


def grid(
    at: Any,
    prefix: str,
    name: str,
    mode: str,
    start: str,
    stop: str = "",
    step: str = "",
    unit: str = "",
) -> None:
    """Set one axis of a page's grid editor."""
    at.selectbox(key=f"{prefix}.{name}.mode").set_value(mode)
    at.text_input(key=f"{prefix}.{name}.start").input(start)
    if stop:
        at.text_input(key=f"{prefix}.{name}.stop").input(stop)
    if step:
        at.text_input(key=f"{prefix}.{name}.step").input(step)
    if unit:
        at.text_input(key=f"{prefix}.{name}.unit").input(unit)


def test_simulate_a_grid_with_units_against_the_exact_answer(workdir: Path) -> None:
    run = analytic_run(workdir / "runs")
    at = page("simulate").run()
    assert not at.exception
    assert at.selectbox(key="simulate.run").value == "analytic"
    grid(at, "simulate.grid", "T", "range", "20", "40", "0.5", "K")
    grid(at, "simulate.grid", "H", "values", "0.5, 1, 2", unit="T")  # the twin was trained in Oe
    at.button(key="simulate.start").click().run()
    assert not at.exception and not at.error
    result = at.session_state["simulate.result"]
    assert result["specs"] == ["T=20:40:0.5K", "H=0.5,1,2T"]
    table = load(result["files"]["csv"])  # the CSV offered for download, read back with units
    assert table.unit("H") == "Oe" and table.unit("M") == "emu" and len(table) == 41 * 3
    assert sorted(np.unique(table.values("H"))) == [5000.0, 10000.0, 20000.0]
    t, h = table.values("T"), table.values("H")
    members = np.array([exact_m(t, h, w) for w in WIDTHS])
    np.testing.assert_allclose(
        table.values("M"), members.mean(axis=0), rtol=0, atol=1e-6 * C
    )  # float32 networks
    np.testing.assert_allclose(
        table.values("M_std"), members.std(axis=0, ddof=1), rtol=0, atol=1e-6 * C
    )  # float32 networks
    for i in range(3):
        np.testing.assert_allclose(
            table.values(f"M_m{i}"), members[i], rtol=0, atol=1e-6 * C
        )  # float32 networks
    # exactly the library's prediction on the same run folder and grid
    library = simulate(run, result["specs"])
    np.testing.assert_array_equal(table.values("M"), library.values("M"))
    parquet = load(result["files"]["parquet"])
    np.testing.assert_array_equal(parquet.values("M_std"), library.values("M_std"))
    labels = [b.label for b in at.get("download_button")]
    assert labels == [
        "Download CSV (units in the header)",
        "Download Parquet (units in the metadata)",
    ]
    assert len(at.image) == 3  # the mean and spread maps, the lines with their bands
    headline = plain(at.markdown[0].value)
    assert headline.startswith("**123 points**: M "), headline
    # the range to the precision of the typical ensemble spread, not six digits of noise
    typical = float(np.median(table.values("M_std")))
    low = at_precision(table.values("M").min(), typical)
    assert f"M {low} … " in headline and headline.endswith(" emu"), headline


def test_simulate_refuses_a_grid_outside_the_training_range_with_the_reason(workdir: Path) -> None:
    analytic_run(workdir / "runs")
    at = page("simulate").run()
    grid(at, "simulate.grid", "T", "range", "20", "80", "1", "K")
    at.button(key="simulate.start").click().run()
    assert not at.exception
    (message,) = texts(at.error)
    assert message.startswith("T 20…80 K leaves the training range 10…60 K (")
    assert "or the box 'Allow points outside the training ranges' flags such points" in message
    assert "simulate.result" not in at.session_state
    at.checkbox(key="simulate.extrapolate").check()
    at.button(key="simulate.start").click().run()
    assert not at.error
    table = at.session_state["simulate.result"]["table"]
    assert table.values("extrapolated")[table.values("T") > 60].min() == 1.0
    assert any(w.startswith("extrapolated: T 20…80") for w in texts(at.warning))
    grid(at, "simulate.grid", "T", "range", "20", "40", "1", "kg")
    at.button(key="simulate.start").click().run()
    assert any("kg" in e and "temperature" in e for e in texts(at.error)), texts(at.error)


def test_property_of_the_twin_matches_the_library_and_the_exact_entropy_change(
    workdir: Path,
) -> None:
    from reanalyze.workflows import compute_property

    run = analytic_run(workdir / "runs")
    at = page("property").run()
    assert not at.exception
    assert at.selectbox(key="property.plugin").value == "magnetocaloric"
    grid(at, "property.grid", "T", "range", "10", "60", "0.25", "K")
    grid(at, "property.grid", "H", "range", "0.01", "5", "0.05", "T")
    at.button(key="property.start").click().run()
    assert not at.exception and not at.error
    folder = Path(at.session_state["property.result"]["folder"])
    mine = read_property(folder)
    library = compute_property(
        "magnetocaloric", [str(run)], workdir / "library", grid=["T=10:60:0.25K", "H=0.01:5:0.05T"],
        log_to_mlflow=False,
    )  # fmt: skip
    theirs = read_property(library.folder)
    assert mine.summary.keys() == theirs.summary.keys()
    for key, item in mine.summary.items():
        assert item.value == theirs.summary[key].value, key
    # the exact Maxwell integral of the analytic members, 0.01 → 5 T, per gram of 0.61 mg
    t = np.linspace(10, 60, 20001)
    exact = np.mean([C / 0.61e-3 / (2 * 4.0) * (np.tanh((30 + 4 * 5 - t) / w)
                     - np.tanh((30 + 4 * 0.01 - t) / w)) for w in WIDTHS], axis=0)  # fmt: skip
    peak = max(abs(v.value) for k, v in mine.summary.items() if k.startswith("delta_s_max")
               and v.unit and v.value is not None)  # fmt: skip
    assert peak == pytest.approx(float(np.max(np.abs(exact))), rel=0.02)
    frame = at.dataframe[0].value
    assert "quantity" in frame.columns and frame["± (ensemble std)"].notna().any()
    assert len(at.image) >= 2
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download the result folder (zip)"]
    archive = zipfile.ZipFile(io.BytesIO(zip_folder(folder)))
    names = archive.namelist()
    assert f"{folder.name}/summary.json" in names
    assert any(n.startswith(f"{folder.name}/figures/") for n in names)


def test_property_parameters_and_the_measured_table(workdir: Path) -> None:
    at = page("data").run()
    at.file_uploader(key="data.files").upload("scan.csv", scan_csv(step=0.5), "text/csv")
    at.run()
    at.text_input(key="data.mass").input("0.61 mg").run()
    prop = page("property", carried(at)).run()
    prop.radio(key="property.source").set_value("the table of the Data page (measured)").run()
    prop.text_input(key="property.params.magnetocaloric.field_tolerance").input("abc")
    prop.button(key="property.start").click().run()
    assert not prop.exception
    (message,) = texts(prop.error)
    assert "field_tolerance" in message and "\n" not in message
    prop.text_input(key="property.params.magnetocaloric.field_tolerance").input("0.005")
    prop.button(key="property.start").click().run()
    assert not prop.error, texts(prop.error)
    result = read_property(prop.session_state["property.result"]["folder"])
    assert result.params["field_tolerance"] == 0.005 and result.members == 1


def test_plan_recommends_a_step_and_its_hours_as_the_library_does(workdir: Path) -> None:
    from reanalyze.gui.views.plan import plan_frame
    from reanalyze.planning import Plan, read_plan

    run = analytic_run(workdir / "runs")
    at = page("plan").run()
    assert not at.exception
    assert at.selectbox(key="plan.axis").value == "H"
    at.selectbox(key="plan.instrument").set_value("mpms3")
    at.text_input(key="plan.steps.H").input("1T,0.5T,0.2T")
    at.text_input(key="plan.fixed").input("T=10:60:0.5K")
    at.button(key="plan.start").click().run()
    assert not at.exception and not at.error, texts(at.error)
    mine = read_plan(at.session_state["plan.result"]["folder"])
    theirs = Plan(str(run), "magnetocaloric", "H", ["1T", "0.5T", "0.2T"], fixed=["T=10:60:0.5K"],
                  instrument="mpms3").run().result_  # fmt: skip
    assert mine.recommended == theirs.recommended
    assert [r.hours for r in mine.rows] == [r["hours"] for r in theirs.rows]
    row = mine.rows[mine.recommended] if mine.recommended is not None else None
    (shown,) = texts(at.success) if row is not None else texts(at.warning)[:1]
    if row is not None:
        assert shown.startswith(f"recommended H step: {row.step:g} T — about {row.hours:.1f} h")
    frame = at.dataframe[0].value
    assert list(frame["H step (T)"]) == [1.0, 0.5, 0.2]
    assert "hours (h)" in frame.columns and "meets the tolerance" in frame.columns
    # rounded as the command line prints them
    assert list(frame["hours (h)"]) == [round(r.hours, 1) for r in mine.rows]
    assert list(frame["RMS deviation (%)"]) == [round(100 * r.rms_rel, 2) for r in mine.rows]
    # without an instrument there is no time to show: no columns of None
    unpriced = [r.model_copy(update={"hours": None, "days": None}) for r in mine.rows]
    columns = plan_frame(mine.model_copy(update={"rows": unpriced})).columns
    assert "hours (h)" not in columns and "days (day)" not in columns and "lines" in columns
    assert len(at.image) == 2  # convergence, cost vs accuracy
    at.text_input(key="plan.steps.H").input("1T")
    at.button(key="plan.start").click().run()
    assert any("at least two candidate steps" in e for e in texts(at.error))


def test_validate_a_trained_twin_against_classic_methods(workdir: Path, trained_run: Path) -> None:
    from reanalyze.validation.result import Validation

    shutil.copytree(trained_run, workdir / "runs" / "trained")
    at = page("validate").run()
    assert not at.exception and at.selectbox(key="validate.run").value == "trained"
    assert "Not validated yet." in texts(at.caption)
    at.multiselect(key="validate.methods").set_value(["linear", "pchip"])
    at.number_input(key="validate.workers").set_value(1)
    at.button(key="validate.start").click().run()
    assert not at.exception and not at.error, texts(at.error)
    validation = Validation.read(workdir / "runs" / "trained" / "validation")
    (verdict,) = texts(at.success) or texts(at.warning)
    assert verdict == validation.verdict()
    frame = at.dataframe[0].value
    assert sorted(frame["method"]) == ["linear", "pchip", "twin"]
    twin = validation.method("twin")
    assert twin is not None
    got = frame.loc[frame["method"] == "twin", "error / line range (%)"].item()
    assert got == pytest.approx(100 * twin.rel_rmse)
    assert len(at.image) == len(validation.folds)  # one overlay figure per held-out fold


def test_runs_lists_the_working_folders_runs_with_their_state(workdir: Path) -> None:
    analytic_run(workdir / "runs")
    stopped = workdir / "runs" / "stopped"
    stopped.mkdir()
    write_marker(stopped, OutputMarker(kind="run", complete=False))
    (workdir / "runs" / "notes").mkdir()  # not a run: not listed
    at = page("runs").run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert dict(zip(frame["run"], frame["state"], strict=True)) == {
        "analytic": "complete", "stopped": "incomplete",
    }  # fmt: skip
    at.selectbox(key="runs.pick").set_value("stopped").run()
    assert any("stopped is incomplete" in w for w in texts(at.warning))


@pytest.mark.slow
def test_runs_starts_and_stops_the_mlflow_ui(workdir: Path) -> None:
    from reanalyze.gui.mlflow_ui import mlflow_url, stop_mlflow

    at = page("runs", timeout=180).run()
    try:
        at.button(key="runs.mlflow.start").click().run()
        assert not at.exception and not at.error, texts(at.error)
        (link,) = at.get("link_button")
        url = link.proto.url
        assert url.startswith("http://127.0.0.1:") and url == mlflow_url()
        with urllib.request.urlopen(f"{url}/health", timeout=10) as answer:
            assert answer.read() == b"OK"
        at.button(key="runs.mlflow.stop").click().run()
        assert mlflow_url() is None
    finally:
        stop_mlflow()
