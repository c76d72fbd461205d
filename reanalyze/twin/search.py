"""The search: Optuna TPE over networks, parallel worker processes, an ensemble, a bundle.

:class:`Search` follows scikit-learn's conventions: the constructor only stores settings,
:meth:`Search.fit` runs the study and returns ``self``, and fitted results end in ``_``.

Several workers share one study storage. ``workers=N`` evaluates trials in N local
processes (:mod:`concurrent.futures` with the ``spawn`` start method, one TensorFlow thread
each), and ``reanalyze worker STUDY --storage URL`` joins a study from another machine. The
study carries the training data and settings in its user attributes, so a worker needs
nothing but the storage URL. An interrupted study resumes: running :meth:`Search.fit` again
with the same storage and study name continues until the requested number of finished
(complete or pruned) trials is reached.

**Reproducible whatever the number of local workers.** Trials are asked in rounds of
:data:`ROUND_SIZE`: the sampler proposes a round from the trials of earlier rounds only,
and the :class:`~reanalyze.twin.pruner.RoundPruner` compares a trial only with trials of
earlier rounds, so neither depends on which worker finishes first. Every trial and every
ensemble member trains in a process with one TensorFlow thread, seeded by its number. The
same data, seed and options therefore give the same twin with 1, 2 or 4 local workers
(workers joining from other machines take trials as they come, and void this guarantee).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reanalyze.errors import DataError, OptionError
from reanalyze.outputs import OutputMarker, folder_lock, output_action, write_marker
from reanalyze.twin.bundle import ModelBundle, wrap_in_units
from reanalyze.twin.data import Encoding, TrainingData
from reanalyze.twin.network import EnsembleFit, configure_threads
from reanalyze.twin.objective import OBJECTIVES, Objective, ObjectiveName
from reanalyze.twin.pool import discard, local_pool
from reanalyze.twin.quiet import import_tensorflow
from reanalyze.twin.recipes import Recipe, get_recipe
from reanalyze.twin.space import SearchSpace, TrialConfig
from reanalyze.twin.storage import describe, open_storage
from reanalyze.twin.verdict import fit_check, search_holdout

__all__ = [
    "ROUND_SIZE",
    "TRAINING_FILE",
    "Progress",
    "Search",
    "recover_stale_trials",
    "run_worker",
]

STUDY_ATTR = "reanalyze"
#: The training rows, saved in the run folder beside the bundle (for reports and plans).
TRAINING_FILE = "training.parquet"
FINISHED = ("COMPLETE", "PRUNED")
#: Trials proposed together; the sampler and the pruner see only earlier rounds.
ROUND_SIZE = 4
#: Ensemble members trained together in one batched computation (a fixed grouping, so the
#: result does not depend on the number of workers).
MEMBER_GROUP = 3
#: A search stops when this many trials in a row have failed.
MAX_FAILURES = 2 * ROUND_SIZE


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
    from reanalyze.twin.pruner import RoundPruner

    return RoundPruner()


def _objective_for(study: Any) -> tuple[Objective, int]:
    attrs = study.user_attrs.get(STUDY_ATTR)
    if not attrs:
        raise DataError(f"study {study.study_name!r} was not created by reanalyze train")
    data = TrainingData.from_arrays(attrs["data"])
    space = SearchSpace.model_validate(attrs["space"])
    encoding = Encoding.from_dict(attrs.get("encoding"))
    objective = Objective(data, space, attrs["objective"], int(attrs["seed"]), encoding)
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

    failures: list[str] = []  # consecutive failed trials: a search that cannot work stops
    while _claims(study, 1 << 62) < n_trials:
        if timeout is not None and time.perf_counter() - started > timeout:
            break
        surplus = False

        def check(study_: Any, trial: Any) -> None:
            nonlocal surplus
            surplus = bool(trial.user_attrs.get("surplus"))
            if trial.state.name == "FAIL" and not surplus:
                reason = str(trial.system_attrs.get("fail_reason", "failed")).splitlines()
                failures.append(f"trial {trial.number}: {(reason or ['failed'])[-1][:200]}")
            elif trial.state.name in ("COMPLETE", "PRUNED"):
                failures.clear()

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
        if len(failures) >= MAX_FAILURES:
            raise DataError(
                f"stopped after {len(failures)} failed trials in a row; the first: {failures[0]}"
            )
    return ran


def run_worker(
    study_name: str, storage: str, *, threads: int = 1, timeout: float | None = None
) -> int:
    """Join a study and run trials until it has its number of finished trials.

    Returns the number of trials this worker ran.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)  # failures are counted, not each shown
    if "://" not in str(storage) and not Path(storage).is_file():
        raise DataError(f"--storage {storage}: no such study journal (a worker joins a study)")
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


def _predict(member: Any, x: np.ndarray, objective: Objective) -> np.ndarray:
    """A member's prediction (physical units) at features ``x`` in their units."""
    inputs = objective.encoding.features(objective.data.features, x).astype(np.float32)
    return np.asarray(member(inputs, training=False), dtype=np.float64).ravel()


#: State of a local pool worker process: the study it last worked on, and its objective.
_WORKER: dict[str, Any] = {}


def _worker_state(study_name: str, storage: str, token: str) -> tuple[Any, Objective]:
    """The study and objective in this worker process, loaded once per search (``token``)."""
    import optuna

    key = (study_name, storage, token)
    if _WORKER.get("key") != key:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.load_study(
            study_name=study_name,
            storage=open_storage(storage),
            sampler=_sampler(None),
            pruner=_pruner(),
        )
        objective, _ = _objective_for(study)
        _WORKER.clear()
        _WORKER.update(key=key, study=study, objective=objective)
    return _WORKER["study"], _WORKER["objective"]


def _pool_trial(task: tuple[str, str, str], number: int) -> tuple[str, float | None, str | None]:
    """Evaluate trial ``number`` (asked by the parent); return (state, value, error)."""
    import optuna

    study, objective = _worker_state(*task)
    trial_id = study._storage.get_trial_id_from_study_id_trial_number(study._study_id, number)
    trial = optuna.trial.Trial(study, trial_id)
    trial.set_user_attr("host", socket.gethostname())
    trial.set_user_attr("pid", os.getpid())
    try:
        return "COMPLETE", float(objective(trial)), None
    except optuna.TrialPruned:
        return "PRUNED", None, None
    except (FloatingPointError, ArithmeticError, ValueError) as exc:
        return "FAIL", None, f"{type(exc).__name__}: {exc}"


def member_groups(n_members: int) -> list[range]:
    """Members trained together (one batched computation each), fixed whatever the workers.

    >>> member_groups(5)
    [range(0, 3), range(3, 5)]
    """
    return [range(i, min(i + MEMBER_GROUP, n_members)) for i in range(0, n_members, MEMBER_GROUP)]


def _pool_members(
    task: tuple[str, str, str], config: dict[str, Any], seed: int, k: int
) -> list[tuple[list[Any], float]]:
    """Train ``k`` ensemble members on all rows; their weights and best training losses."""
    _, objective = _worker_state(*task)
    fit = EnsembleFit(TrialConfig(**config), k, seed=seed).fit(
        objective.xs, objective.ys, objective.weights
    )
    return [
        (model.get_weights(), float(loss))
        for model, loss in zip(fit.models_, fit.best_loss_, strict=True)
    ]


class Search:
    """Find the best network for a table's features and target, and build a twin.

    Parameters
    ----------
    space
        Search space (default: the recipe's).
    recipe
        A named recipe (:mod:`reanalyze.twin.recipes`: ``"default"`` or ``"paper"``) or a
        :class:`~reanalyze.twin.recipes.Recipe`; the other parameters override it.
    n_trials
        Finished (complete or pruned) trials to reach (default: the recipe's).
    workers
        Local worker processes; 0 means one per CPU core (at most 4). The result does not
        depend on it.
    seed
        Seed of the sampler and of weight initializations.
    storage
        Optuna storage: a journal file path (default ``RUN/study.journal``) or a SQLAlchemy
        URL such as ``postgresql://user@host/db``.
    study_name
        Name of the study in the storage (default: ``"reanalyze-" + data sha256[:12]``).
    objective
        ``"lines"`` (the default recipe), ``"train"`` (the paper's training R²), ``"blend"`` or
        ``"holdout"``; see :mod:`reanalyze.twin.objective` and docs/accuracy.md.
    ensemble
        Members of the final ensemble: re-initializations of the best configuration
        trained on all rows.
    timeout
        Stop starting new rounds of trials after this many seconds.

    Attributes
    ----------
    study_
        The Optuna study.
    best_params_, best_value_
        Best trial's parameters and objective value.
    bundle_
        The saved :class:`~reanalyze.twin.bundle.ModelBundle`.
    wall_s_
        Wall time of :meth:`fit`, seconds.
    """

    def __init__(
        self,
        space: SearchSpace | None = None,
        *,
        recipe: str | Recipe = "default",
        n_trials: int | None = None,
        workers: int = 0,
        seed: int | None = 0,
        storage: str | None = None,
        study_name: str | None = None,
        objective: ObjectiveName | None = None,
        ensemble: int | None = None,
        timeout: float | None = None,
    ) -> None:
        self.space = space
        self.recipe = recipe
        self.n_trials = n_trials
        self.workers = workers
        self.seed = seed
        self.storage = storage
        self.study_name = study_name
        self.objective = objective
        self.ensemble = ensemble
        self.timeout = timeout
        self._resolved()  # refuse bad settings now, before any data is read

    def _n_workers(self) -> int:
        if self.workers and self.workers > 0:
            return self.workers
        return max(1, min(os.cpu_count() or 1, 4))

    def _resolved(self) -> tuple[Recipe, SearchSpace | None, int, str, int]:
        recipe = get_recipe(self.recipe) if isinstance(self.recipe, str) else self.recipe
        n_trials = recipe.n_trials if self.n_trials is None else int(self.n_trials)
        objective = self.objective or recipe.objective
        ensemble = recipe.ensemble if self.ensemble is None else int(self.ensemble)
        if n_trials < 1:
            raise OptionError(f"n_trials must be at least 1, got {n_trials}")
        if objective not in OBJECTIVES:
            raise OptionError(
                f"objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}"
            )
        if ensemble < 1:
            raise OptionError(f"the ensemble needs at least 1 member, got {ensemble}")
        if self.workers < 0:
            raise OptionError(f"workers must be 0 (one per core) or more, got {self.workers}")
        if self.timeout is not None and not self.timeout > 0:
            raise OptionError(f"timeout must be a positive number of seconds, got {self.timeout}")
        return recipe, self.space, n_trials, objective, ensemble

    def fit(
        self,
        data: TrainingData,
        out: str | Path,
        progress: Callable[[Progress], None] | None = None,
        *,
        inputs: Sequence[str | Path] = (),
        overwrite: bool = False,
        option: str = "output folder",
    ) -> Search:
        """Run the study, train the ensemble, save the bundle into ``out``.

        ``out`` is the run folder: new, empty, or an earlier run (its study is resumed). A
        non-empty folder reanalyze did not write is refused unless ``overwrite``; the current
        folder and a folder holding one of ``inputs`` always are
        (:func:`reanalyze.outputs.output_action`). The folder is locked while the search runs
        (a second writer is refused) and marked incomplete until the twin is saved, so an
        interrupted run is never taken for a finished one.
        """
        run_dir = Path(out)
        output_action(run_dir, "run", inputs=inputs, overwrite=overwrite, option=option)
        with folder_lock(run_dir, "run folder"):
            write_marker(run_dir, OutputMarker(kind="run", complete=False, pid=os.getpid()))
            self._fit(data, run_dir, progress)
            write_marker(run_dir, OutputMarker(kind="run", complete=True, pid=os.getpid()))
        return self

    def _fit(
        self, data: TrainingData, run_dir: Path, progress: Callable[[Progress], None] | None
    ) -> None:
        import optuna

        recipe, given, n_trials, objective_name, n_members = self._resolved()
        space = given or recipe.space_for(data.n_rows)
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        started = time.perf_counter()
        storage = self.storage or str(run_dir / "study.journal")
        name = self.study_name or f"reanalyze-{data.sha256()[:12]}"
        seed = 0 if self.seed is None else int(self.seed)
        encoding = Encoding.choose(data, log_axes=recipe.log_axes, line_weights=recipe.line_weights)
        study = optuna.create_study(
            study_name=name,
            storage=open_storage(storage),
            direction="maximize",
            sampler=_sampler(seed),
            pruner=_pruner(),
            load_if_exists=True,
        )
        attrs = study.user_attrs.get(STUDY_ATTR)
        if attrs and attrs["data_sha256"] != data.sha256():
            raise DataError(f"study {name!r} in {describe(storage)} was made for other data")
        if attrs and attrs["n_trials"] != n_trials:
            study.set_user_attr(STUDY_ATTR, {**attrs, "n_trials": n_trials})
        if not attrs:
            study.set_user_attr(
                STUDY_ATTR,
                {
                    "data": data.to_arrays(),
                    "data_sha256": data.sha256(),
                    "space": space.model_dump(mode="json"),
                    "objective": objective_name,
                    "encoding": encoding.to_dict(),
                    "recipe": recipe.name,
                    "seed": seed,
                    "n_trials": n_trials,
                },
            )
        recovered = recover_stale_trials(study)
        workers = self._n_workers()
        objective, _ = _objective_for(study)  # as stored: a resumed study keeps its settings
        # Keras for the bundle is imported here while the workers start and search
        threading.Thread(target=import_tensorflow, daemon=True).start()
        task = (name, storage, uuid.uuid4().hex)  # what a worker needs to find the study
        pool = local_pool(workers)
        # the pool outlives this search (see reanalyze.twin.pool)
        try:
            self._run_rounds(study, objective, pool, task, n_trials, started, progress)
            finished = study.get_trials(deepcopy=False, states=_finished_states())
            complete = [t for t in finished if t.value is not None and t.state.name == "COMPLETE"]
            if not complete:
                raise DataError(f"study {name!r}: no trial completed (see the failed trials)")
            best = study.best_trial
            config = space.config_from_params(best.params, int(objective.train_mask.sum()))
            search_s = time.perf_counter() - started
            jobs = [
                pool.submit(_pool_members, task, config.model_dump(), seed + 10_000 + g[0], len(g))
                for g in member_groups(n_members)
            ]
            # while the members train: the classic methods on the search's held-out lines
            with ThreadPoolExecutor(1) as side:
                classic = side.submit(search_holdout, data, objective, best, seed)
                trained = [member for job in jobs for member in job.result()]
                holdout = classic.result()
        except BaseException:
            discard(pool)  # a running trial is not waited for
            raise
        members, losses, keep = self._members(trained, config, objective, data)
        fitted = np.mean([_predict(m, data.x, objective) for m in members], axis=0)
        self.wall_s_ = time.perf_counter() - started
        states = [t.state.name for t in study.get_trials(deepcopy=False)]
        summary = {
            "study_name": name,
            "storage": describe(storage),
            "recipe": recipe.name,
            "objective": objective.objective,
            "encoding": objective.encoding.to_dict(),
            "best_value": best.value,
            "best_params": best.params,
            "best_trial": best.number,
            "config": config.model_dump(),
            "trials": {s: states.count(s) for s in sorted(set(states))},
            "n_trials": n_trials,
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
            "slow_axis": data.slow_axis,
            "slow_unit": data.units.get(data.slow_axis, ""),
            "fit": fit_check(data, fitted),
            "holdout": holdout,
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
            log_features=list(objective.encoding.log_features),
        )
        bundle.save(run_dir)
        data.to_table().to_parquet(run_dir / TRAINING_FILE)
        self.study_ = study
        self.best_params_ = dict(best.params)
        self.best_value_ = float(best.value) if best.value is not None else float("nan")
        self.bundle_ = bundle
        self.run_dir_ = run_dir
        self.storage_ = storage

    @staticmethod
    def _members(
        trained: list[tuple[list[Any], float]],
        config: TrialConfig,
        objective: Objective,
        data: TrainingData,
    ) -> tuple[list[Any], np.ndarray, np.ndarray]:
        """Keras members in physical units; a member whose optimization failed (loss over 3×
        the median, e.g. dead units) is not a sample of the ensemble and is dropped."""
        from reanalyze.twin.network import build_network

        losses = np.asarray([loss for _, loss in trained])
        keep = losses <= 3.0 * float(np.median(losses))
        members = []
        for (weights, _), kept in zip(trained, keep, strict=True):
            if not kept:
                continue
            network = build_network(config, len(data.features))
            network.set_weights(weights)
            members.append(
                wrap_in_units(
                    network,
                    objective.x_scaler.mean,
                    objective.x_scaler.scale,
                    objective.y_scaler.mean[0],
                    objective.y_scaler.scale[0],
                )
            )
        return members, losses, keep

    def _run_rounds(
        self,
        study: Any,
        objective: Objective,
        pool: ProcessPoolExecutor,
        task: tuple[str, str, str],
        n_trials: int,
        started: float,
        progress: Callable[[Progress], None] | None,
    ) -> None:
        """Ask rounds of trials and evaluate them in the pool until ``n_trials`` are finished."""
        from optuna.trial import TrialState

        failures: list[str] = []  # errors of the trials failed in a row
        if progress is not None:  # the search has started (a resumed one may have trials)
            progress(self._snapshot(study, started, n_trials))
        while True:
            if self.timeout is not None and time.perf_counter() - started > self.timeout:
                break
            wanted = n_trials - _claims(study, 1 << 62)
            if wanted <= 0:
                break
            asked = [study.ask() for _ in range(min(ROUND_SIZE, wanted))]
            start = asked[0].number
            for trial in asked:
                trial.set_user_attr("round_start", start)
                # sample here, with the parent's seeded sampler: a worker's suggest() then
                # finds the parameters already set
                objective.space.suggest(trial, int(objective.train_mask.sum()))
            jobs: dict[Future[Any], int] = {
                pool.submit(_pool_trial, task, t.number): t.number for t in asked
            }
            pending = set(jobs)
            while pending:
                done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                for job in done:
                    state, value, error = job.result()
                    number = jobs[job]
                    if state == "FAIL":
                        study._storage.set_trial_user_attr(
                            study._storage.get_trial_id_from_study_id_trial_number(
                                study._study_id, number
                            ),
                            "error",
                            error,
                        )
                        study.tell(number, state=TrialState.FAIL)
                        failures.append(str(error))
                    else:
                        failures.clear()
                        if state == "PRUNED":
                            study.tell(number, state=TrialState.PRUNED)
                        else:
                            study.tell(number, value)
                if progress is not None:
                    progress(self._snapshot(study, started, n_trials))
            if len(failures) >= MAX_FAILURES:
                raise DataError(
                    f"stopped after {len(failures)} failed trials in a row; "
                    f"the first: {failures[0]}"
                )

    def _snapshot(self, study: Any, started: float, total: int) -> Progress:
        trials = study.get_trials(deepcopy=False)
        states = [t.state.name for t in trials]
        values = [t.value for t in trials if t.state.name == "COMPLETE" and t.value is not None]
        return Progress(
            complete=states.count("COMPLETE"),
            pruned=states.count("PRUNED"),
            failed=states.count("FAIL"),
            running=states.count("RUNNING"),
            total=total,
            best=max(values) if values else None,
            elapsed_s=time.perf_counter() - started,
        )
