"""Searches end to end on small data: bundle, resume, parallel workers, a killed worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import optuna
import pytest

from reanalyze.errors import DataError
from reanalyze.twin.bundle import ModelBundle
from reanalyze.twin.data import Encoding, TrainingData
from reanalyze.twin.network import r2_score
from reanalyze.twin.search import Search, recover_stale_trials
from reanalyze.twin.space import SearchSpace
from reanalyze.twin.storage import open_storage


def finished(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    return [t for t in study.trials if t.state.name in ("COMPLETE", "PRUNED")]


def test_inline_search_builds_a_bundle_in_physical_units(
    magnet_data: TrainingData, tiny_space: SearchSpace, tmp_path: Path
) -> None:
    search = Search(tiny_space, n_trials=3, workers=1, seed=0, ensemble=2)
    assert search.fit(magnet_data, tmp_path / "run") is search
    assert len(finished(search.study_)) == 3
    bundle = ModelBundle.load(tmp_path / "run")
    assert bundle.features == ["T", "H"] and bundle.target == "M"
    assert bundle.units == {"T": "K", "H": "Oe", "M": "emu"}
    assert bundle.ranges["H"] == (100.0, 50000.0)
    assert bundle.data_sha256 == magnet_data.sha256()
    mean, std = bundle.predict({"T": magnet_data.x[:, 0], "H": magnet_data.x[:, 1]})
    assert mean.shape == std.shape == (magnet_data.n_rows,)
    assert np.all(std >= 0) and np.any(std > 0)
    # predictions are in emu, not standardized units
    assert r2_score(magnet_data.y, mean) > 0.9
    assert abs(np.median(mean) - np.median(magnet_data.y)) < 0.2 * np.ptp(magnet_data.y)
    assert bundle.summary["best_params"] == search.best_params_


def test_same_seed_same_search(
    magnet_data: TrainingData, tiny_space: SearchSpace, tmp_path: Path
) -> None:
    a = Search(tiny_space, n_trials=3, workers=1, seed=7, ensemble=1).fit(
        magnet_data, tmp_path / "a"
    )
    b = Search(tiny_space, n_trials=3, workers=1, seed=7, ensemble=1).fit(
        magnet_data, tmp_path / "b"
    )
    assert [t.params for t in a.study_.trials] == [t.params for t in b.study_.trials]
    np.testing.assert_allclose(
        [t.value for t in a.study_.trials], [t.value for t in b.study_.trials], rtol=1e-5
    )


def test_interrupted_study_resumes(
    magnet_data: TrainingData, tiny_space: SearchSpace, tmp_path: Path
) -> None:
    Search(tiny_space, n_trials=2, workers=1, ensemble=1).fit(magnet_data, tmp_path / "run")
    resumed = Search(tiny_space, n_trials=4, workers=1, ensemble=1).fit(
        magnet_data, tmp_path / "run"
    )
    numbers = [t.number for t in finished(resumed.study_)]
    assert numbers == [0, 1, 2, 3]  # the first two were kept, two more were run


def test_study_for_other_data_is_refused(
    magnet_data: TrainingData, tiny_space: SearchSpace, tmp_path: Path
) -> None:
    Search(tiny_space, n_trials=1, workers=1, ensemble=1, study_name="s").fit(
        magnet_data, tmp_path / "r"
    )
    other = TrainingData(
        magnet_data.x,
        magnet_data.y * 2,
        magnet_data.features,
        magnet_data.target,
        magnet_data.units,
        magnet_data.kinds,
        magnet_data.slow_axis,
    )
    with pytest.raises(DataError, match="was made for other data"):
        Search(tiny_space, n_trials=2, workers=1, study_name="s").fit(other, tmp_path / "r")


def test_two_worker_processes_finish_exactly_n_trials(
    magnet_data: TrainingData, tiny_space: SearchSpace, tmp_path: Path
) -> None:
    search = Search(tiny_space, n_trials=6, workers=2, ensemble=1).fit(
        magnet_data, tmp_path / "run"
    )
    trials = finished(search.study_)
    assert len(trials) == 6
    assert len({t.number for t in trials}) == 6
    assert len({t.user_attrs["pid"] for t in trials}) == 2  # both workers took part


def test_killed_worker_loses_no_completed_trial_and_the_study_resumes(
    magnet_data: TrainingData, tmp_path: Path
) -> None:
    slow_space = SearchSpace.from_overrides(
        {"layers": "1:2", "nodes": "8:16", "batch_sizes": "16", "max_epochs": 400, "patience": 400}
    )
    run = tmp_path / "run"
    # create the study (one quick trial), then let two workers run on it
    Search(
        slow_space.model_copy(update={"max_epochs": 5}),
        n_trials=1,
        workers=1,
        ensemble=1,
        study_name="kill",
    ).fit(magnet_data, run)
    storage = str(run / "study.journal")
    study = optuna.load_study(study_name="kill", storage=open_storage(storage))
    attrs = dict(study.user_attrs["reanalyze"])
    attrs["n_trials"] = 5
    attrs["space"] = slow_space.model_dump(mode="json")
    study.set_user_attr("reanalyze", attrs)
    command = [sys.executable, "-m", "reanalyze", "worker", "kill", "--storage", storage, "--quiet"]
    victim = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    other = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:  # wait until the victim is inside a trial
        running = [
            t
            for t in study.get_trials(deepcopy=False)
            if t.state.name == "RUNNING" and t.user_attrs.get("pid") == victim.pid
        ]
        if running:
            break
        time.sleep(0.2)
    assert running, "the worker never started a trial"
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    completed_before = {t.number for t in finished(study)}
    other.wait(timeout=300)
    assert completed_before <= {t.number for t in finished(study)}  # nothing lost
    assert recover_stale_trials(study) == 1  # the victim's trial is failed and queued again
    assert len(finished(study)) == 5  # the surviving worker did the dead one's share
    resumed = Search(slow_space, n_trials=6, workers=1, ensemble=1, study_name="kill").fit(
        magnet_data, run
    )
    assert len(finished(resumed.study_)) == 6
    killed = [t for t in resumed.study_.trials if t.user_attrs.get("error") == "worker died"]
    assert len(killed) == 1
    retried = [
        t
        for t in finished(resumed.study_)
        if t.params == killed[0].params and t.number > killed[0].number
    ]
    assert retried, "the killed trial's parameters were not run again"


@pytest.mark.skipif("REANALYZE_TEST_POSTGRES" not in os.environ, reason="no PostgreSQL server")
def test_postgresql_storage_with_two_workers(
    magnet_data: TrainingData, tiny_space: SearchSpace, tmp_path: Path
) -> None:
    url = os.environ["REANALYZE_TEST_POSTGRES"]
    name = f"pg-{os.getpid()}-{time.time_ns()}"
    search = Search(tiny_space, n_trials=5, workers=2, ensemble=1, storage=url, study_name=name)
    search.fit(magnet_data, tmp_path / "run")
    trials = finished(search.study_)
    assert len(trials) == 5 and len({t.number for t in trials}) == 5
    assert len({t.user_attrs["pid"] for t in trials}) == 2
    again = optuna.load_study(study_name=name, storage=url)
    assert len(finished(again)) == 5


@pytest.mark.parametrize("objective", ["train", "blend"])
def test_other_objectives_score_what_they_say(
    magnet_data: TrainingData, tiny_space: SearchSpace, tmp_path: Path, objective: str
) -> None:
    from reanalyze.twin.objective import Objective

    search = Search(tiny_space, n_trials=2, workers=1, ensemble=1, objective=objective)  # type: ignore[arg-type]
    search.fit(magnet_data, tmp_path / "run")
    assert search.bundle_.summary["objective"] == objective
    # re-train the best trial exactly as the objective did and score it independently
    encoding = Encoding.from_dict(search.bundle_.summary["encoding"])
    assert encoding.log_features == ("H",)  # the default recipe: H spans 100-50 000 Oe
    scorer = Objective(magnet_data, tiny_space, objective, 0, encoding)  # type: ignore[arg-type]
    best = search.study_.best_trial
    config = tiny_space.config_from_params(best.params, int(scorer.train_mask.sum()))
    fit = scorer.fit_config(config, best.number)
    if objective == "train":
        expected = r2_score(scorer.ys, fit.predict(scorer.xs))
        assert scorer.val_mask.sum() == 0
    else:
        expected = r2_score(scorer.ys, fit.predict(scorer.xs))  # all rows, held-out lines unseen
        assert 0 < scorer.val_mask.sum() < magnet_data.n_rows
    assert best.value == pytest.approx(expected, rel=1e-4)


def test_run_folder_keeps_the_training_rows(
    magnet_data: TrainingData, tiny_space: SearchSpace, tmp_path: Path
) -> None:
    from reanalyze.table import UnitTable

    Search(tiny_space, n_trials=1, workers=1, ensemble=1).fit(magnet_data, tmp_path / "run")
    table = UnitTable.read_parquet(tmp_path / "run" / "training.parquet")
    assert table.columns == ["T", "H", "M"] and table.unit("H") == "Oe"
    np.testing.assert_array_equal(table.values("M"), magnet_data.y)
    assert table.metadata["features"] == ["T", "H"] and table.sample is not None


def test_same_seed_same_twin_whatever_the_number_of_workers(
    magnet_data: TrainingData, tiny_space: SearchSpace, tmp_path: Path
) -> None:
    """Rounds of trials, earlier-round pruning and one-thread members: equal predictions."""
    predictions = []
    for workers in (1, 2):
        search = Search(tiny_space, n_trials=6, workers=workers, seed=3, ensemble=2)
        search.fit(magnet_data, tmp_path / f"w{workers}")
        mean, _ = ModelBundle.load(tmp_path / f"w{workers}").predict(magnet_data.x)
        predictions.append((mean, [t.params for t in search.study_.trials]))
    (one, params_one), (two, params_two) = predictions
    assert params_one == params_two
    np.testing.assert_allclose(two, one, rtol=1e-6, atol=1e-6 * np.abs(one).max())


def test_lines_objective_scores_held_out_lines_and_the_fit_above_the_noise(
    magnet_data: TrainingData, tiny_space: SearchSpace, tmp_path: Path
) -> None:
    from reanalyze.twin.objective import Objective, line_errors

    search = Search(tiny_space, n_trials=1, workers=1, ensemble=1).fit(magnet_data, tmp_path / "r")
    summary = search.bundle_.summary
    assert summary["recipe"] == "default" and summary["objective"] == "lines"
    encoding = Encoding.from_dict(summary["encoding"])
    scorer = Objective(magnet_data, tiny_space, "lines", 0, encoding)
    trial = search.study_.best_trial
    fit = scorer.fit_config(tiny_space.config_from_params(trial.params, 1), trial.number)
    predicted = fit.predict(scorer.xs)
    lines = magnet_data.line_of_rows()
    train, val = scorer.train_mask, scorer.val_mask
    held = np.mean(line_errors(scorer.ys[val], predicted[val], lines[val]))
    fitted = np.mean(line_errors(scorer.ys[train], predicted[train], lines[train]))
    expected = 1 - held - max(0.0, fitted - scorer.noise_rel)
    assert trial.value == pytest.approx(expected, rel=1e-3)
    assert trial.user_attrs["heldout_rel_rmse"] == pytest.approx(held, rel=1e-3)
    # the same held-out lines scored for the classic methods, for train's verdict
    holdout = summary["holdout"]
    assert holdout["lines"] == sorted(set(lines[val].tolist()))
    assert set(holdout["classic"]) == {"linear", "pchip", "rbf"}


def test_a_search_whose_trials_all_fail_stops(
    magnet_data: TrainingData, tiny_space: SearchSpace, tmp_path: Path
) -> None:
    y = magnet_data.y.copy()
    y[::7] = np.nan  # every network's loss and score are NaN: every trial fails
    broken = TrainingData(
        magnet_data.x, y, magnet_data.features, magnet_data.target, magnet_data.units,
        magnet_data.kinds, magnet_data.slow_axis,
    )  # fmt: skip
    quick = tiny_space.model_copy(update={"max_epochs": 2})
    with pytest.raises(DataError, match=r"stopped after 8 failed trials in a row; the first: "):
        Search(quick, n_trials=50, workers=1, ensemble=1).fit(broken, tmp_path / "r")


def test_round_pruner_compares_only_with_earlier_rounds() -> None:
    from reanalyze.twin.pruner import RoundPruner

    study = optuna.create_study(
        direction="maximize", pruner=RoundPruner(min_epoch=50, min_trials=2)
    )
    for value in (0.9, 0.8, 0.7):  # round 0: three finished trials reporting at epoch 50
        trial = study.ask()
        trial.set_user_attr("round_start", 0)
        trial.report(value, 50)
        study.tell(trial, value)
    same_round = study.ask()
    same_round.set_user_attr("round_start", 0)
    same_round.report(0.1, 50)
    assert not same_round.should_prune()  # nothing earlier than its own round
    later = study.ask()
    later.set_user_attr("round_start", 4)
    later.report(0.75, 50)
    assert later.should_prune()  # below the median 0.8 of trials 0-2
    later.report(0.85, 75)
    assert not later.should_prune()  # no earlier trial reported at epoch 75
    early = study.ask()
    early.set_user_attr("round_start", 4)
    early.report(0.1, 25)
    assert not early.should_prune()  # before min_epoch
