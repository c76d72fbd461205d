"""MLflow: parent run, nested trial runs with per-epoch metrics, the twin registered."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reanalyze.twin.data import TrainingData
from reanalyze.twin.search import Search
from reanalyze.twin.space import SearchSpace
from reanalyze.twin.tracking import log_search


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
    holdout = search.bundle_.summary["holdout"]  # the search's held-out lines, comparable
    assert parent.data.metrics["search_heldout_rel_rmse_twin"] == pytest.approx(holdout["twin"])
    for method, value in holdout["classic"].items():
        assert parent.data.metrics[f"search_heldout_rel_rmse_{method}"] == pytest.approx(value)
    assert all(t.data.tags["mlflow.parentRunId"] == parent.info.run_id for t in trials)
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
    import json

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
    artifacts = [a.path for a in client.list_artifacts(run.info.run_id, "property_magnetocaloric")]
    assert "property_magnetocaloric/summary.json" in artifacts
