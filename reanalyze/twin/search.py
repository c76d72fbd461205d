"""The search: Optuna TPE over networks, parallel worker processes, an ensemble, a bundle.

:class:`Search` follows scikit-learn's conventions: the constructor only stores settings,
:meth:`Search.fit` runs the study and returns ``self``, and fitted results end in ``_``.

Several workers share one study storage. ``workers=N`` evaluates trials in N local
processes (:mod:`reanalyze.twin.pool`: forked from a server that imported TensorFlow, one
TensorFlow thread each; this process never imports it), and
``reanalyze worker STUDY --storage URL`` joins a study from another machine. The study
carries the training data and settings in its user attributes, so a worker needs nothing but
the storage URL. An interrupted study resumes: running :meth:`Search.fit` again
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

from reanalyze._atomic import atomic_folder
from reanalyze.errors import DataError, OptionError
from reanalyze.outputs import OutputMarker, folder_lock, output_action, write_marker
from reanalyze.twin.bundle import ModelBundle
from reanalyze.twin.data import Encoding, TrainingData
from reanalyze.twin.objective import OBJECTIVES, Objective, ObjectiveName
from reanalyze.twin.pool import discard, local_pool, submit, warm_up
from reanalyze.twin.progress import TrialCounts
from reanalyze.twin.recipes import Recipe, get_recipe
from reanalyze.twin.run_folder import (
    MEMBERS_DIR,
    STUDY_FILE,
    TRAINING_FILE,
    member_file,
    write_bundle_file,
)
from reanalyze.twin.space import SearchSpace
from reanalyze.twin.storage import describe, open_storage
from reanalyze.twin.verdict import fit_check, search_holdout
from reanalyze.twin.workers import (
    MAX_FAILURES,
    ROUND_SIZE,
    STUDY_ATTR,
    WORKER_DIED,
    claims,
    member_groups,
    objective_for,
    pool_members,
    pool_trial,
    pruner,
    recover_stale_trials,
    run_worker,
    sampler,
)

__all__ = [
    "ROUND_SIZE",
    "TRAINING_FILE",
    "Progress",
    "Search",
    "recover_stale_trials",
    "run_worker",
]


def _study_names(storage: str) -> list[str]:
    """The studies in ``storage`` (none when its journal file does not exist yet)."""
    import optuna

    if "://" not in storage and not Path(storage).exists():
        return []
    return list(optuna.get_all_study_names(open_storage(storage)))  # no trials are read


def resume_conflicts(stored: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """What an earlier search's settings ``stored`` have that differ from ``wanted``, in
    words (empty: the search can be resumed).

    >>> resume_conflicts({"seed": 0, "recipe": "default"}, {"seed": 1, "recipe": "default"})
    ['seed 0 (this call: 1)']
    >>> resume_conflicts({}, {"seed": 1})
    []
    """
    conflicts = []
    for key, value in wanted.items():
        if key in stored and stored[key] != value:
            if isinstance(value, dict):
                conflicts.append(f"other {key} settings")
            else:
                conflicts.append(f"{key} {stored[key]!r} (this call: {value!r})")
    return conflicts


@dataclass
class Progress(TrialCounts):
    """A snapshot of a running study, for progress displays; ``elapsed_s``: since the start, s."""

    elapsed_s: float


def _finished_states() -> tuple[Any, ...]:
    from optuna.trial import TrialState

    return (TrialState.COMPLETE, TrialState.PRUNED)


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
            self._fit(data, run_dir, progress, option)
            write_marker(run_dir, OutputMarker(kind="run", complete=True, pid=os.getpid()))
        return self

    def _refuse_another_search(
        self,
        storage: str,
        name: str,
        data: TrainingData,
        wanted: dict[str, Any],
        where: str,
        option: str,
    ) -> None:
        """Refuse to resume a search of other data or with other settings (seed, recipe,
        objective, space, encoding) in ``storage``; ``where`` names the run folder."""
        import optuna

        names = _study_names(storage)
        if self.storage is None:  # the run folder's own journal: one search, of one table
            others = [n for n in names if n != name]
            if others:
                raise OptionError(
                    f"{where}: holds the search of other data (study {others[0]!r}); "
                    f"choose another {option}"
                )
        if name not in names:
            return
        attrs = optuna.load_study(study_name=name, storage=open_storage(storage)).user_attrs
        stored = attrs.get(STUDY_ATTR) or {}
        if stored and stored["data_sha256"] != data.sha256():
            raise DataError(f"study {name!r} in {describe(storage)} was made for other data")
        conflicts = resume_conflicts(stored, wanted)
        if conflicts:
            raise OptionError(
                f"{where}: holds a search with {'; '.join(conflicts)}; give the same settings "
                f"to resume it, or choose another {option}"
            )

    def _fit(
        self,
        data: TrainingData,
        run_dir: Path,
        progress: Callable[[Progress], None] | None,
        option: str = "output folder",
    ) -> None:
        import optuna

        recipe, given, n_trials, objective_name, n_members = self._resolved()
        space = given or recipe.space_for(data.n_rows)
        warm_up()  # the workers' server imports TensorFlow while the study is prepared
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        started = time.perf_counter()
        storage = self.storage or str(run_dir / STUDY_FILE)
        name = self.study_name or f"reanalyze-{data.sha256()[:12]}"
        seed = 0 if self.seed is None else int(self.seed)
        encoding = Encoding.choose(data, log_axes=recipe.log_axes, line_weights=recipe.line_weights)
        wanted = {
            "seed": seed,
            "recipe": recipe.name,
            "objective": objective_name,
            "space": space.model_dump(mode="json"),
            "encoding": encoding.to_dict(),
        }
        # refused before anything is written: the folder keeps its finished twin
        self._refuse_another_search(storage, name, data, wanted, f"{option} {run_dir}", option)
        write_marker(run_dir, OutputMarker(kind="run", complete=False, pid=os.getpid()))
        study = optuna.create_study(
            study_name=name,
            storage=open_storage(storage),
            direction="maximize",
            sampler=sampler(seed),
            pruner=pruner(),
            load_if_exists=True,
        )
        attrs = study.user_attrs.get(STUDY_ATTR)
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
        objective, _ = objective_for(study)  # as stored: a resumed study keeps its settings
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
            # the members are trained and saved by the workers: this process never imports
            # TensorFlow (see reanalyze.twin.workers)
            with atomic_folder(run_dir / MEMBERS_DIR) as staging:
                jobs = [
                    submit(pool, pool_members, task, config.model_dump(), seed + 10_000 + g[0],
                                g[0], len(g), str(staging))
                    for g in member_groups(n_members)
                ]  # fmt: skip
                # while the members train: the classic methods on the search's held-out lines
                with ThreadPoolExecutor(1) as side:
                    classic = side.submit(search_holdout, data, objective, best, seed)
                    trained = [member for job in jobs for member in job.result()]
                    holdout = classic.result()
                names, losses, keep, fitted = self._keep_members(trained, staging)
        except BaseException:
            discard(pool)  # a running trial is not waited for
            raise
        self.wall_s_ = time.perf_counter() - started
        every = study.get_trials(deepcopy=False)
        states = [t.state.name for t in every]
        # trials an interruption left running: marked failed, their parameters run again
        interrupted = sum(t.user_attrs.get("error") == WORKER_DIED for t in every)
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
            "interrupted_trials": interrupted,
            "n_trials": n_trials,
            "workers": workers,
            "seed": self.seed,
            "recovered_trials": recovered,
            "ensemble": len(names),
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
            sample=data.meta.get("sample"),
            log_features=list(objective.encoding.log_features),
        )
        write_bundle_file(run_dir, bundle.description(names))
        bundle.defer_members(run_dir, names)  # loaded (with TensorFlow) at first use
        data.to_table().to_parquet(run_dir / TRAINING_FILE)
        self.study_ = study
        self.best_params_ = dict(best.params)
        self.best_value_ = float(best.value) if best.value is not None else float("nan")
        self.bundle_ = bundle
        self.run_dir_ = run_dir
        self.storage_ = storage

    @staticmethod
    def _keep_members(
        trained: list[tuple[str, float, np.ndarray]], staging: Path
    ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """The members to keep, renamed in ``staging`` to ``member_0 …``: their files in the
        run folder, all members' losses, the kept mask and the kept members' mean prediction.

        A member whose optimization failed (loss over 3× the median, e.g. dead units) is not a
        sample of the ensemble and is dropped.
        """
        losses = np.asarray([loss for _, loss, _ in trained])
        keep = losses <= 3.0 * float(np.median(losses))
        names: list[str] = []
        predictions: list[np.ndarray] = []
        for (file, _, predicted), kept in zip(trained, keep, strict=True):
            if not kept:
                (staging / file).unlink()
                continue
            name = member_file(len(names))
            (staging / file).rename(staging / Path(name).name)  # never onto a kept member
            names.append(name)
            predictions.append(predicted)
        return names, losses, keep, np.mean(predictions, axis=0)

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
            wanted = n_trials - claims(study, 1 << 62)
            if wanted <= 0:
                break
            asked = [study.ask() for _ in range(min(ROUND_SIZE, wanted))]
            start = asked[0].number
            for trial in asked:
                trial.set_user_attr("round_start", start)
                # this process's until a worker takes it: stopped first, it is stale when
                # the search resumes, and runs again (not left running for ever)
                trial.set_user_attr("host", socket.gethostname())
                trial.set_user_attr("pid", os.getpid())
                # sample here, with the parent's seeded sampler: a worker's suggest() then
                # finds the parameters already set
                objective.space.suggest(trial, int(objective.train_mask.sum()))
            jobs: dict[Future[Any], int] = {
                submit(pool, pool_trial, task, t.number): t.number for t in asked
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
        return Progress.of(trials, total, elapsed_s=time.perf_counter() - started)
