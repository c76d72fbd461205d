"""The Train page under AppTest: a real (tiny) search in a background process that outlives
the browser session, its progress read from the study, Stop and Resume, refused settings."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gui_helpers import carried, page, scan_csv, texts

from reanalyze.gui import jobs
from reanalyze.outputs import read_marker
from reanalyze.twin.bundle import ModelBundle

TINY = {"layers": "1:2", "nodes": "8:16", "max_epochs": "40"}


def data_session() -> dict[str, Any]:
    """A session that has loaded a small scan on the Data page."""
    at = page("data").run()
    at.file_uploader(key="data.files").upload("scan.csv", scan_csv(), "text/csv")
    at.run()
    assert not at.error
    return carried(at)


def fill(at: Any, name: str, trials: int, space: dict[str, str]) -> None:
    at.number_input(key="train.trials.default").set_value(trials)
    at.number_input(key="train.ensemble.default").set_value(1)
    at.number_input(key="train.workers").set_value(1)
    for key, value in space.items():
        at.text_input(key=f"train.space.{key}").input(value)
    at.checkbox(key="train.mlflow").uncheck()
    at.text_input(key="train.name").input(name)


def wait_for(workdir: Path, name: str, states: tuple[str, ...], timeout: float = 300) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = jobs.job_status(workdir / ".reanalyze-gui" / "jobs", name)
        if job is not None and job.state in states:
            return job
        time.sleep(1.0)
    raise AssertionError(f"search {name} did not reach {states}: {job}")


def test_a_search_runs_in_the_background_and_saves_its_twin(workdir: Path) -> None:
    session = data_session()
    at = page("train", session).run()
    assert not at.exception
    assert at.multiselect(key="train.features").value == ["T", "H"]
    fill(at, "tiny", 2, TINY)
    at.button(key="train.start").click().run()
    assert not at.exception and not at.error
    # the browser session ends: another one (a reload, another tab) sees the same search
    job = wait_for(workdir, "tiny", ("finished", "failed", "stopped"))
    assert job.state == "finished", job.error
    other = page("train").run()
    assert not other.exception
    assert other.selectbox(key="train.search").value == "tiny"
    metrics = {m.label: m.value for m in other.metric}
    assert int(metrics["trained to the end"]) + int(metrics["stopped early"]) == 2
    assert metrics["failed"] == "0"
    shown = " ".join(texts(other.markdown))
    assert "2 trials in" in shown and "ensemble of 1" in shown
    run = workdir / "runs" / "tiny"
    marker = read_marker(run)
    assert marker is not None and marker.complete
    bundle = ModelBundle.load(run)
    assert bundle.features == ["T", "H"] and bundle.target == "M" and len(bundle.members) == 1
    mean, _ = bundle.predict({"T": np.array([20.0, 40.0]), "H": np.array([100.0, 5e4])})
    assert np.all(np.isfinite(mean))
    progress = jobs.study_progress(run)
    assert progress is not None and progress.complete + progress.pruned == 2
    assert progress.curves and progress.curves[0][1]  # learning curves stored by the trials


@pytest.mark.slow
def test_a_search_is_stopped_and_resumed_with_its_trials_kept(workdir: Path) -> None:
    session = data_session()
    at = page("train", session).run()
    fill(at, "long", 8, {"layers": "1:2", "nodes": "8:16", "max_epochs": "300"})
    at.button(key="train.start").click().run()
    run = workdir / "runs" / "long"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        progress = jobs.study_progress(run)
        if progress is not None and progress.complete + progress.pruned >= 1:
            break
        time.sleep(0.5)
    at.run()
    at.button(key="train.stop").click().run()
    assert not at.exception
    job = jobs.job_status(workdir / ".reanalyze-gui" / "jobs", "long")
    assert job is not None and job.state == "stopped"
    marker = read_marker(run)
    assert marker is not None and not marker.complete  # never taken for a finished twin
    stopped = jobs.study_progress(run)
    assert stopped is not None
    kept = {t["trial"] for t in stopped.trials if t["state"] in ("complete", "pruned")}
    assert 1 <= len(kept) < 8
    assert "Resume" in [b.label for b in at.button]
    at.button(key="train.resume").click().run()
    assert not at.exception and not at.error
    job = wait_for(workdir, "long", ("finished", "failed", "stopped"))
    assert job.state == "finished", job.error
    final = jobs.study_progress(run)
    assert final is not None and final.complete + final.pruned == 8
    assert final.running == 0  # the trials the stop interrupted ran again
    finished = {t["trial"] for t in final.trials if t["state"] in ("complete", "pruned")}
    assert kept <= finished  # the trials of before the stop are part of the twin's study
    marker = read_marker(run)
    assert marker is not None and marker.complete


def test_settings_that_cannot_work_are_refused_before_anything_starts(workdir: Path) -> None:
    session = data_session()
    at = page("train", session).run()
    fill(at, "../elsewhere", 2, TINY)
    at.button(key="train.start").click().run()
    assert not at.exception
    assert any("run name '../elsewhere'" in e for e in texts(at.error))
    at.text_input(key="train.name").input("ok")
    at.text_input(key="train.space.layers").input("5:1")
    at.button(key="train.start").click().run()
    assert any("hidden layers" in e for e in texts(at.error)), texts(at.error)
    at.text_input(key="train.space.layers").input("1:2")
    at.multiselect(key="train.features").set_value([])
    at.button(key="train.start").click().run()
    assert any("choose one or more features" in e for e in texts(at.error))
    (workdir / "runs" / "taken").mkdir(parents=True)
    at.multiselect(key="train.features").set_value(["T", "H"])
    at.text_input(key="train.name").input("taken")
    at.button(key="train.start").click().run()
    assert any("run taken exists" in e for e in texts(at.error))
    assert not (workdir / ".reanalyze-gui" / "jobs").exists() or not list(
        (workdir / ".reanalyze-gui" / "jobs").glob("*.json")
    )
