"""MLflow: parent run, nested trial runs with per-epoch metrics, the twin registered."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reanalyze.twin.data import TrainingData
from reanalyze.twin.search import Search
from reanalyze.twin.space import SearchSpace
from reanalyze.twin.tracking import SEARCH_COLUMNS, VIEW_TAG, log_search, property_headline


def test_search_is_logged_and_the_twin_registered(
    magnet_data: TrainingData, tiny_space: SearchSpace, tmp_path: Path
) -> None:
    import mlflow

    search = Search(tiny_space, n_trials=3, workers=1, ensemble=2).fit(
        magnet_data, tmp_path / "run"
    )
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert log_search(search, magnet_data, tracking_uri=uri) == uri

    client = mlflow.MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("reanalyze/data")
    assert experiment is not None
    runs = client.search_runs([experiment.experiment_id])
    parents = [r for r in runs if r.data.tags.get("reanalyze.kind") == "search"]
    trials = [r for r in runs if r.data.tags.get("reanalyze.kind") == "trial"]
    assert len(parents) == 1 and len(trials) == 3
    parent = parents[0]
    assert parent.data.params["data_sha256"] == magnet_data.sha256()
    assert parent.data.params["units"] == '{"T": "K", "H": "Oe", "M": "emu"}'
    assert parent.data.params["recipe"] == "default"
    # the headline, comparable between searches in the runs table (6 significant digits)
    summary = search.bundle_.summary
    metrics = parent.data.metrics
    holdout = summary["holdout"]  # the search's held-out lines
    assert metrics["search_heldout_rel_rmse_twin"] == pytest.approx(holdout["twin"], rel=1e-5)
    for method, value in holdout["classic"].items():
        assert metrics[f"search_heldout_rel_rmse_{method}"] == pytest.approx(value, rel=1e-5)
    best = min(holdout["classic"], key=holdout["classic"].__getitem__)
    assert parent.data.tags["search_heldout_best_classic"] == best
    assert metrics["search_heldout_rel_rmse_best_classic"] == pytest.approx(
        holdout["classic"][best], rel=1e-5
    )
    assert metrics["best_objective"] == pytest.approx(summary["best_value"], rel=1e-5)
    assert metrics["wall_s"] == pytest.approx(summary["wall_s"])
    # the run lasts as long as the search (wall time, then saving the members): it ends
    # when bundle.json was written
    end = (tmp_path / "run" / "bundle.json").stat().st_mtime * 1000
    assert parent.info.end_time == pytest.approx(end, abs=1)
    duration = parent.info.end_time - parent.info.start_time
    assert summary["wall_s"] * 1000 - 10 <= duration <= summary["wall_s"] * 1000 + 3000
    assert parent.info.status == "FINISHED"
    assert parent.data.tags["mlflow.source.type"] == "LOCAL"  # as a run started by MLflow
    # its artifacts beside the database, not in ./mlruns of the working directory
    assert experiment.artifact_location == (tmp_path / "mlruns").as_uri()
    assert parent.info.artifact_uri.startswith((tmp_path / "mlruns").as_uri())
    # the UI's view of the experiment: the runs table with those columns
    view = json.loads(experiment.tags[VIEW_TAG])
    for name in SEARCH_COLUMNS:
        assert f"metrics.`{name}`" in view["selectedColumns"]
    assert view["orderByKey"] == "attributes.start_time" and view["orderByAsc"] is False
    assert all(t.data.tags["mlflow.parentRunId"] == parent.info.run_id for t in trials)
    assert parent.info.start_time <= min(t.info.start_time for t in trials)
    assert parent.info.end_time >= max(t.info.end_time for t in trials)
    by_number = {int(t.info.run_name.split()[-1]): t for t in trials}
    for frozen in search.study_.trials:
        run = by_number[frozen.number]
        assert run.data.tags["state"] == frozen.state.name
        history = client.get_metric_history(run.info.run_id, "loss")
        assert len(history) == frozen.user_attrs["epochs"]
        assert [m.step for m in history] == list(range(1, len(history) + 1))
        assert set(run.data.params) == set(frozen.params)

    versions = client.search_model_versions("name='data'")
    assert len(versions) == 1
    model = mlflow.pyfunc.load_model(f"models:/data/{versions[0].version}")
    frame = pd.DataFrame({"T": [20.0, 40.0], "H": [1000.0, 30000.0]})
    predicted = model.predict(frame)
    mean, std = search.bundle_.predict({"T": frame["T"], "H": frame["H"]})
    np.testing.assert_allclose(predicted["M"], mean, rtol=1e-5)
    np.testing.assert_allclose(predicted["M_std"], std, rtol=1e-4, atol=1e-12)


def test_property_of_a_twin_is_logged_under_its_search(
    magnet_data: TrainingData, tiny_space: SearchSpace, tmp_path: Path, monkeypatch
) -> None:
    """train → simulate → magnetocaloric through the CLI; the result is a nested MLflow run."""
    import mlflow

    from reanalyze.cli import main

    monkeypatch.chdir(tmp_path)
    search = Search(tiny_space, n_trials=2, workers=1, ensemble=3).fit(
        magnet_data, tmp_path / "run"
    )
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    log_search(search, magnet_data, tracking_uri=uri)
    record = json.loads((tmp_path / "run" / "mlflow.json").read_text())
    assert record["tracking_uri"] == uri
    lo, hi = search.bundle_.ranges["T"]
    grid = f"T={lo + 1:.1f}:{hi - 1:.1f}:0.5K H=0.01:5T:0.25T"
    out = tmp_path / "mce"
    code = main(["property", "run", "magnetocaloric", "run", "--grid", grid, "--out", str(out)])
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    peak = summary["summary"]["delta_s_max"]
    assert peak["unit"] == "J/(kg*K)" and peak["std"] > 0 and summary["members"] == 3
    assert (out / "figures" / "delta_s_m.png").is_file()

    client = mlflow.MlflowClient(tracking_uri=uri)
    runs = client.search_runs([record["experiment_id"]], "tags.`reanalyze.kind` = 'property'")
    assert len(runs) == 1
    run = runs[0]
    assert run.data.tags["mlflow.parentRunId"] == record["run_id"]
    assert run.data.metrics["delta_s_max"] == pytest.approx(peak["value"])
    assert run.data.metrics["delta_s_max_std"] == pytest.approx(peak["std"])
    # the headline of the property on the search run too, one value per quantity
    parent = client.get_run(record["run_id"]).data.metrics
    assert parent["magnetocaloric/delta_s_max"] == pytest.approx(peak["value"], rel=1e-5)
    assert parent["magnetocaloric/delta_s_max_std"] == pytest.approx(peak["std"], rel=1e-5)
    assert parent["magnetocaloric/t_peak"] == pytest.approx(
        summary["summary"]["t_peak"]["value"], rel=1e-5
    )
    on_parent = {k.removeprefix("magnetocaloric/") for k in parent if "/" in k}
    headline = set(property_headline(summary["summary"]))
    with_std = {f"{k}_std" for k in headline if summary["summary"][k]["std"] is not None}
    assert on_parent == headline | with_std
    assert not any(k.endswith("T") and k[:-1][-1].isdigit() for k in on_parent)  # no ΔH variants
    view = json.loads(client.get_experiment(record["experiment_id"]).tags[VIEW_TAG])
    assert "metrics.`magnetocaloric/delta_s_max`" in view["selectedColumns"]
    artifacts = [a.path for a in client.list_artifacts(run.info.run_id, "property_magnetocaloric")]
    assert "property_magnetocaloric/summary.json" in artifacts


def test_the_headline_of_a_property_leaves_out_the_variants_per_field_change() -> None:
    """Keys ``<key>_<number>…`` beside ``<key>`` are variants; other keys are headline."""
    magnetocaloric = [
        "delta_s_max", "t_peak", "tec_3K", "delta_h", "n_max",
        "delta_s_max_1T", "t_peak_1T", "tec_3K_1T", "delta_s_max_4.96T", "tec_3K_4.96T",
    ]  # fmt: skip
    assert property_headline(dict.fromkeys(magnetocaloric)) == [
        "delta_s_max", "t_peak", "tec_3K", "delta_h", "n_max",
    ]  # fmt: skip
    superconducting = ["tc0", "hc2_0_gl", "tc_gl", "hc2_0_whh", "hc2_0_whh_slope", "width_0"]
    assert property_headline(dict.fromkeys(superconducting)) == superconducting
