"""Line-held-out validation of data and of trained twins, the folder it writes, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.interpolate import PchipInterpolator

from reanalyze.cli import main
from reanalyze.errors import DataError, OptionError
from reanalyze.synthetic import GENERATORS
from reanalyze.twin.data import TrainingData
from reanalyze.twin.search import Search
from reanalyze.twin.space import SearchSpace
from reanalyze.validation import Validation, validate_data, validate_run
from reanalyze.validation.write import line_figure, write_validation


@pytest.fixture(scope="module")
def smooth_data() -> TrainingData:
    """The second-order synthetic magnet, noise-free: 8 fields, the same 101 temperatures."""
    magnet = GENERATORS["bean_rodbell_second_order"]()
    fields = np.array([100.0, 1000, 5000, 10000, 20000, 30000, 40000, 50000])
    t, h = np.tile(np.linspace(10, 60, 101), fields.size), np.repeat(fields, 101)
    return TrainingData(
        np.column_stack([t, h]), magnet.moment(t, h), ["T", "H"], "M",
        {"T": "K", "H": "Oe", "M": "emu"},
        {"T": "temperature", "H": "magnetic_field", "M": "magnetic_moment"}, "H",
    )  # fmt: skip


def test_validate_data_equals_an_independent_pchip_on_the_pivoted_grid(
    smooth_data: TrainingData,
) -> None:
    result, _ = validate_data(smooth_data, methods=("pchip", "linear"))
    fields = smooth_data.lines()
    assert result.folds == [[float(v)] for v in fields[1:-1]]  # each interior line in turn
    pchip = result.method("pchip")
    assert pchip is not None
    t = np.unique(smooth_data.x[:, 0])
    grid = np.vstack([smooth_data.y[smooth_data.x[:, 1] == h] for h in fields])  # (H, T)
    for k, score in enumerate(pchip.lines, start=1):
        keep = np.arange(len(fields)) != k
        expected = PchipInterpolator(fields[keep], grid[keep], axis=0)(fields[k])
        rmse = np.sqrt(np.mean((expected - grid[k]) ** 2))
        assert score.line == fields[k] and score.n == t.size
        assert score.rmse == pytest.approx(rmse, rel=1e-9)
        assert score.rel_rmse == pytest.approx(rmse / np.ptp(grid[k]), rel=1e-9)
    assert result.best_classic() is pchip  # smooth data: PCHIP beats straight lines
    assert result.verdict().startswith("held-out lines (6): best classic method (pchip)")


def test_validate_data_refuses_two_lines(smooth_data: TrainingData) -> None:
    two = smooth_data.x[:, 1] <= np.unique(smooth_data.x[:, 1])[1]
    data = TrainingData(
        smooth_data.x[two], smooth_data.y[two], ["T", "H"], "M", smooth_data.units,
        smooth_data.kinds, "H",
    )  # fmt: skip
    with pytest.raises(DataError, match="at least three are needed"):
        validate_data(data)


def test_held_out_line_figure_is_titled_with_the_line_and_its_unit(
    smooth_data: TrainingData,
) -> None:
    result, predictions = validate_data(smooth_data, methods=("linear",))
    figure = line_figure(result, predictions, 1000.0)
    assert figure.axes[0].get_title() == "held-out line H = 1000 Oe"  # not the file line_1000


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory, smooth_data: TrainingData) -> Path:
    space = SearchSpace.from_overrides(
        {"layers": "2", "nodes": "16", "learning_rate": "5e-3", "batch_sizes": "64",
         "max_epochs": 60, "patience": 20, "lr_drop_epoch": 40}
    )  # fmt: skip
    keep = np.isin(smooth_data.x[:, 1], smooth_data.lines()[[0, 2, 3, 5, 7]])
    data = TrainingData(
        smooth_data.x[keep], smooth_data.y[keep], ["T", "H"], "M", smooth_data.units,
        smooth_data.kinds, "H",
    )  # fmt: skip
    run = tmp_path_factory.mktemp("validate") / "run"
    Search(space, n_trials=1, workers=1, ensemble=2, seed=4).fit(data, run)
    return run


def test_validate_run_retrains_the_twin_per_fold_reproducibly(tiny_run: Path) -> None:
    first, predictions = validate_run(tiny_run, methods=("pchip",), workers=2)
    again, _ = validate_run(tiny_run, methods=("pchip",), workers=1)
    twin = first.method("twin")
    assert twin is not None and first.method("pchip") is not None
    assert [s.line for s in twin.lines] == [v for fold in first.folds for v in fold]
    assert len(first.folds) == 3  # 5 lines: the 3 interior ones in turn
    # the same members with the same seeds, whatever the number of processes
    assert again.method("twin") == twin or np.allclose(
        [s.rmse for s in again.method("twin").lines], [s.rmse for s in twin.lines], rtol=1e-6
    )
    held = predictions.rows
    assert np.isfinite(predictions.by_method["twin"][held]).all()
    assert np.isnan(predictions.by_method["twin"][~held]).all()
    assert (predictions.std["twin"][held] > 0).any()  # two members disagree somewhat


def test_validation_folder_round_trips_and_never_replaces_foreign_files(
    tiny_run: Path, tmp_path: Path
) -> None:
    result, predictions = validate_run(tiny_run, methods=("linear", "pchip"))
    folder = write_validation(tmp_path / "v", result, predictions)
    assert Validation.read(folder) == result
    pngs = sorted(p.name for p in folder.glob("line_*.png"))
    assert len(pngs) == 3
    csv = (folder / "lines.csv").read_text().splitlines()
    assert csv[0].startswith("method,H (Oe),rmse (emu)") and len(csv) == 1 + 3 * 3
    write_validation(folder, result, predictions)  # its own earlier output: replaced
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(OptionError, match="not empty and not written by reanalyze validation"):
        write_validation(mine, result, predictions)
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
    with pytest.raises(OptionError, match="run folder"):
        write_validation(tiny_run, result, predictions)
    write_validation(mine, result, predictions, overwrite=True)  # adds, replaces only its own
    assert (mine / "notes.txt").read_text() == "keep me" and Validation.read(mine) == result


def test_validate_cli_on_a_run_logs_to_mlflow(
    tiny_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import mlflow

    from reanalyze.twin.tracking import TRACKING_FILE

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    parent = mlflow.MlflowClient().create_run(
        mlflow.set_experiment("reanalyze/validate-test").experiment_id
    )
    record = {"tracking_uri": uri, "experiment_id": parent.info.experiment_id,
              "run_id": parent.info.run_id}  # fmt: skip
    (tiny_run / TRACKING_FILE).write_text(json.dumps(record))
    try:
        status = main(["validate", str(tiny_run), "--method", "pchip", "--method", "rbf"])
    finally:
        (tiny_run / TRACKING_FILE).unlink()
    captured = capsys.readouterr()
    assert status == 0, captured.err
    last = captured.out.strip().splitlines()
    assert last[-1] == f"written to {tiny_run / 'validation'}"
    assert last[-2].startswith("held-out lines (3): twin ")
    metrics = mlflow.MlflowClient().get_run(parent.info.run_id).data.metrics
    assert {"heldout_rel_rmse_twin", "heldout_rel_rmse_pchip", "heldout_rmse_rbf"} <= set(metrics)
    saved = Validation.read(tiny_run / "validation")
    assert metrics["heldout_rel_rmse_twin"] == pytest.approx(saved.method("twin").rel_rmse)


def test_validate_cli_on_data_and_bad_options(
    smooth_data: TrainingData, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = smooth_data.to_table().to_csv(tmp_path / "scan.csv")
    assert csv.is_file()
    status = main(["validate", str(csv), "--method", "linear", "--out", str(tmp_path / "v")])
    out = capsys.readouterr().out
    assert status == 0
    assert "best classic method (linear)" in out and "(no twin)" in out
    status = main(["validate", str(csv), "--method", "spline", "--out", str(tmp_path / "w")])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "unknown method(s) spline" in err
    assert not (tmp_path / "w").exists()
