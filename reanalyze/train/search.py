"""The search: Optuna TPE over networks, parallel worker processes, an ensemble, a bundle.

:class:`Search` follows scikit-learn's conventions: the constructor only stores settings,
:meth:`Search.fit` runs the study and returns ``self``, and fitted results end in ``_``.

Several workers share one study storage. ``workers=N`` starts N processes on this machine,
each running ``reanalyze worker STUDY --storage URL``, the same command that joins a study from
another machine. The study carries the training data and settings in its user attributes,
so a worker needs nothing but the storage URL. An interrupted study resumes: running
:meth:`Search.fit` again with the same storage and study name continues until the requested
number of finished (complete or pruned) trials is reached.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reanalyze.errors import DataError
from reanalyze.train.bundle import ModelBundle, wrap_in_units
from reanalyze.train.data import TrainingData
from reanalyze.train.network import EnsembleFit, configure_threads
from reanalyze.train.objective import Objective, ObjectiveName
from reanalyze.train.space import SearchSpace
from reanalyze.train.storage import describe, open_storage

__all__ = ["TRAINING_FILE", "Progress", "Search", "recover_stale_trials", "run_worker"]

STUDY_ATTR = "reanalyze"
#: The training rows, saved in the run folder beside the bundle (for reports and plans).
TRAINING_FILE = "training.parquet"
FINISHED = ("COMPLETE", "PRUNED")


@dataclass
class Progress:
    """A snapshot of a running study, for progress displays."""

    complete: int
    pruned: int
    failed: int
    running: int
    total: int
    best: float | None
    elapsed_s: float


def _finished_states() -> tuple[Any, ...]:
    from optuna.trial import TrialState

    return (TrialState.COMPLETE, TrialState.PRUNED)


def _sampler(seed: int | None) -> Any:
    import optuna

    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=8)


def _pruner() -> Any:
    import optuna

    return optuna.pruners.SuccessiveHalvingPruner(min_resource=50, reduction_factor=2)


def _objective_for(study: Any) -> tuple[Objective, int]:
    attrs = study.user_attrs.get(STUDY_ATTR)
    if not attrs:
        raise DataError(f"study {study.study_name!r} was not created by reanalyze train")
    data = TrainingData.from_arrays(attrs["data"])
    space = SearchSpace.model_validate(attrs["space"])
    objective = Objective(data, space, attrs["objective"], int(attrs["seed"]))
    return objective, int(attrs["n_trials"])


class _Surplus(Exception):
    """Raised inside a trial that would exceed the study's number of trials."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale(trial: Any) -> bool:
    """A running trial whose worker process on this machine is gone."""
    if trial.state.name != "RUNNING":
        return False
    host = trial.user_attrs.get("host")
    pid = trial.user_attrs.get("pid")
    return host == socket.gethostname() and isinstance(pid, int) and not _alive(pid)


def recover_stale_trials(study: Any) -> int:
    """Mark running trials of dead local workers as failed and queue their parameters again.

    RDB storages also do this through heartbeats (for workers on any machine); the journal
    file storage has no heartbeats, so this covers it for workers on this machine.
    Returns the number of trials recovered.
    """
    from optuna.trial import TrialState

    recovered = 0
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if _stale(trial):
            study._storage.set_trial_user_attr(trial._trial_id, "error", "worker died")
            if study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL):
                study.enqueue_trial(trial.params, skip_if_exists=False)
                recovered += 1
    return recovered


def _claims(study: Any, number: int) -> int:
    """Trials before ``number`` that are finished or still really running."""
    count = 0
    for trial in study.get_trials(deepcopy=False):
        if trial.number >= number:
            continue
        if trial.state.name in FINISHED or (trial.state.name == "RUNNING" and not _stale(trial)):
            count += 1
    return count


def _work(
    study: Any,
    objective: Objective,
    n_trials: int,
    *,
    timeout: float | None = None,
    after_trial: Callable[[], None] | None = None,
) -> int:
    """Run trials one at a time until the study has ``n_trials`` claimed; return how many."""
    started = time.perf_counter()
    ran = 0

    def guarded(trial: Any) -> float:
        trial.set_user_attr("host", socket.gethostname())
        trial.set_user_attr("pid", os.getpid())
        if _claims(study, trial.number) >= n_trials:
            trial.set_user_attr("surplus", True)
            raise _Surplus
        return objective(trial)

    while _claims(study, 1 << 62) < n_trials:
        if timeout is not None and time.perf_counter() - started > timeout:
            break
        surplus = False

        def check(study_: Any, trial: Any) -> None:
            nonlocal surplus
            surplus = bool(trial.user_attrs.get("surplus"))

        study.optimize(
            guarded,
            n_trials=1,
            callbacks=[check],
            catch=(_Surplus, FloatingPointError, ArithmeticError, ValueError),
            gc_after_trial=False,
        )
        if surplus:
            break
        ran += 1
        if after_trial is not None:
            after_trial()
    return ran


def run_worker(
    study_name: str, storage: str, *, threads: int = 1, timeout: float | None = None
) -> int:
    """Join a study and run trials until it has its number of finished trials.

    Returns the number of trials this worker ran.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    configure_threads(threads)
    try:
        study = optuna.load_study(
            study_name=study_name,
            storage=open_storage(storage),
            sampler=_sampler(None),
            pruner=_pruner(),
        )
    except KeyError:
        raise DataError(f"no study {study_name!r} in {describe(storage)}") from None
    objective, n_trials = _objective_for(study)
    return _work(study, objective, n_trials, timeout=timeout)


def _count_finished(study: Any) -> int:
    return len(study.get_trials(deepcopy=False, states=_finished_states()))


class Search:
    """Find the best network for a table's features and target, and build a twin.

    Parameters
    ----------
    space
        Search space (default: the paper's).
    n_trials
        Finished (complete or pruned) trials to reach.
    workers
        Worker processes on this machine; 0 means one per CPU core (at most 4).
    seed
        Seed of the sampler and of weight initializations (repeatable with one worker).
    storage
        Optuna storage: a journal file path (default ``RUN/study.journal``) or a SQLAlchemy
        URL such as ``postgresql://user@host/db``.
    study_name
        Name of the study in the storage (default: ``"reanalyze-" + data sha256[:12]``).
    objective
        ``"train"`` (default, the paper's training R²), ``"blend"`` or ``"holdout"``; see
        :mod:`reanalyze.train.objective` and docs/training.md for the evidence.
    ensemble
        Members of the final ensemble: re-initializations of the best configuration
        trained on all rows.
    timeout
        Stop starting new trials after this many seconds.

    Attributes
    ----------
    study_
        The Optuna study.
    best_params_, best_value_
        Best trial's parameters and objective value.
    bundle_
        The saved :class:`~reanalyze.train.bundle.ModelBundle`.
    wall_s_
        Wall time of :meth:`fit`, seconds.
    """

    def __init__(
        self,
        space: SearchSpace | None = None,
        *,
        n_trials: int = 20,
        workers: int = 0,
        seed: int | None = 0,
        storage: str | None = None,
        study_name: str | None = None,
        objective: ObjectiveName = "train",
        ensemble: int = 5,
        timeout: float | None = None,
    ) -> None:
        self.space = space
        self.n_trials = n_trials
        self.workers = workers
        self.seed = seed
        self.storage = storage
        self.study_name = study_name
        self.objective = objective
        self.ensemble = ensemble
        self.timeout = timeout

    def _n_workers(self) -> int:
        if self.workers and self.workers > 0:
            return self.workers
        return max(1, min(os.cpu_count() or 1, 4))

    def fit(
        self,
        data: TrainingData,
        out: str | Path,
        progress: Callable[[Progress], None] | None = None,
    ) -> Search:
        """Run the study, train the ensemble, save the bundle into ``out``."""
        import optuna

        if self.n_trials < 1:
            raise DataError("--trials must be at least 1")
        if self.objective not in ("train", "holdout", "blend"):
            raise DataError(f"--objective must be holdout, blend or train, got {self.objective!r}")
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        started = time.perf_counter()
        run_dir = Path(out)
        run_dir.mkdir(parents=True, exist_ok=True)
        space = self.space or SearchSpace()
        storage = self.storage or str(run_dir / "study.journal")
        name = self.study_name or f"reanalyze-{data.sha256()[:12]}"
        seed = 0 if self.seed is None else int(self.seed)
        study = optuna.create_study(
            study_name=name,
            storage=open_storage(storage),
            direction="maximize",
            sampler=_sampler(self.seed),
            pruner=_pruner(),
            load_if_exists=True,
        )
        attrs = study.user_attrs.get(STUDY_ATTR)
        if attrs and attrs["data_sha256"] != data.sha256():
            raise DataError(f"study {name!r} in {describe(storage)} was made for other data")
        if attrs and attrs["n_trials"] != self.n_trials:
            study.set_user_attr(STUDY_ATTR, {**attrs, "n_trials": self.n_trials})
        if not attrs:
            study.set_user_attr(
                STUDY_ATTR,
                {
                    "data": data.to_arrays(),
                    "data_sha256": data.sha256(),
                    "space": space.model_dump(mode="json"),
                    "objective": self.objective,
                    "seed": seed,
                    "n_trials": self.n_trials,
                },
            )
        recovered = recover_stale_trials(study)
        workers = self._n_workers()
        if workers == 1:
            self._run_inline(study, storage, started, progress)
        else:
            self._run_processes(study, storage, workers, started, progress)
            if _count_finished(study) < self.n_trials and self.timeout is None:
                # a trial failed after the workers had stopped counting on it
                self._run_inline(study, storage, started, progress)
        finished = study.get_trials(deepcopy=False, states=_finished_states())
        complete = [t for t in finished if t.value is not None and t.state.name == "COMPLETE"]
        if not complete:
            raise DataError(f"study {name!r}: no trial completed (see the failed trials)")
        best = study.best_trial
        objective, _ = _objective_for(study)
        config = space.config_from_params(best.params, int(objective.train_mask.sum()))
        search_s = time.perf_counter() - started
        configure_threads(os.cpu_count() or 1)
        ensemble = EnsembleFit(config, max(1, self.ensemble), seed=seed + 10_000).fit(
            objective.xs, objective.ys
        )
        # A member whose optimization failed (e.g. dead ReLUs) is not a sample of the
        # ensemble: drop members whose best training loss is over 3× the median.
        losses = np.asarray(ensemble.best_loss_)
        keep = losses <= 3.0 * float(np.median(losses))
        members = [
            wrap_in_units(
                network,
                objective.x_scaler.mean,
                objective.x_scaler.scale,
                objective.y_scaler.mean[0],
                objective.y_scaler.scale[0],
            )
            for network, kept in zip(ensemble.models_, keep, strict=True)
            if kept
        ]
        self.wall_s_ = time.perf_counter() - started
        states = [t.state.name for t in study.get_trials(deepcopy=False)]
        summary = {
            "study_name": name,
            "storage": describe(storage),
            "objective": self.objective,
            "best_value": best.value,
            "best_params": best.params,
            "best_trial": best.number,
            "config": config.model_dump(),
            "trials": {s: states.count(s) for s in sorted(set(states))},
            "n_trials": self.n_trials,
            "workers": workers,
            "seed": self.seed,
            "recovered_trials": recovered,
            "ensemble": len(members),
            "ensemble_dropped": int((~keep).sum()),
            "ensemble_losses": [round(float(v), 8) for v in losses],
            "wall_s": round(self.wall_s_, 2),
            "search_s": round(search_s, 2),
            "ensemble_s": round(self.wall_s_ - search_s, 2),
            "space": space.model_dump(mode="json"),
            "dataset": data.meta,
        }
        bundle = ModelBundle(
            features=data.features,
            target=data.target,
            units=data.units,
            kinds=data.kinds,
            ranges=data.ranges(),
            data_sha256=data.sha256(),
            summary=summary,
            members=members,
            sample=data.meta.get("sample"),
        )
        bundle.save(run_dir)
        data.to_table().to_parquet(run_dir / TRAINING_FILE)
        self.study_ = study
        self.best_params_ = dict(best.params)
        self.best_value_ = float(best.value) if best.value is not None else float("nan")
        self.bundle_ = bundle
        self.run_dir_ = run_dir
        self.storage_ = storage
        return self

    def _snapshot(self, study: Any, started: float) -> Progress:
        trials = study.get_trials(deepcopy=False)
        states = [t.state.name for t in trials]
        values = [t.value for t in trials if t.state.name == "COMPLETE" and t.value is not None]
        return Progress(
            complete=states.count("COMPLETE"),
            pruned=states.count("PRUNED"),
            failed=states.count("FAIL"),
            running=states.count("RUNNING"),
            total=self.n_trials,
            best=max(values) if values else None,
            elapsed_s=time.perf_counter() - started,
        )

    def _run_inline(
        self, study: Any, storage: str, started: float, progress: Callable[[Progress], None] | None
    ) -> None:
        configure_threads(os.cpu_count() or 1)
        objective, n_trials = _objective_for(study)
        after = None if progress is None else (lambda: progress(self._snapshot(study, started)))
        _work(study, objective, n_trials, timeout=self.timeout, after_trial=after)

    def _run_processes(
        self,
        study: Any,
        storage: str,
        workers: int,
        started: float,
        progress: Callable[[Progress], None] | None,
    ) -> None:
        threads = max(1, (os.cpu_count() or 1) // workers)
        command = [
            sys.executable,
            "-m",
            "reanalyze",
            "worker",
            study.study_name,
            "--storage",
            storage,
            "--threads",
            str(threads),
            "--quiet",
        ]
        if self.timeout:
            command += ["--timeout", str(self.timeout)]
        procs = [
            subprocess.Popen(command, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for _ in range(workers)
        ]
        try:
            while any(p.poll() is None for p in procs):
                if progress is not None:
                    progress(self._snapshot(study, started))
                time.sleep(0.5)
        except BaseException:
            for p in procs:
                p.terminate()
            raise
        if progress is not None:
            progress(self._snapshot(study, started))
        errors = [p.stderr.read().strip() for p in procs if p.returncode and p.stderr]
        if errors and _count_finished(study) < self.n_trials:
            last = errors[0].splitlines()[-1] if errors[0] else "unknown error"
            raise DataError(f"worker process failed: {last}")
