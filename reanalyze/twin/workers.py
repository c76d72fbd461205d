"""What a worker process runs: trials of a study, and the ensemble members of a twin.

A study carries its data and settings in its user attributes (written by
:class:`~reanalyze.twin.search.Search`), so a worker needs only the storage: the local pool's
processes (:mod:`reanalyze.twin.pool`) evaluate the trials the parent asks for
(:func:`pool_trial`) and train and save the final members (:func:`pool_members`), and
``reanalyze worker`` joins a study from another machine (:func:`run_worker`). The parent
process of a search never imports TensorFlow: it only asks, tells and writes
``bundle.json``.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from reanalyze.errors import DataError
from reanalyze.twin.data import Encoding, TrainingData
from reanalyze.twin.network import EnsembleFit, configure_threads
from reanalyze.twin.objective import Objective
from reanalyze.twin.pool import process_gone
from reanalyze.twin.space import SearchSpace, TrialConfig
from reanalyze.twin.storage import describe, open_storage

__all__ = [
    "MAX_FAILURES",
    "MEMBER_GROUP",
    "ROUND_SIZE",
    "STUDY_ATTR",
    "WORKER_DIED",
    "claims",
    "member_groups",
    "objective_for",
    "pool_members",
    "pool_trial",
    "pruner",
    "recover_stale_trials",
    "run_worker",
    "sampler",
]

#: The study's user attribute holding the data and settings.
STUDY_ATTR = "reanalyze"
FINISHED = ("COMPLETE", "PRUNED")
#: Trials proposed together; the sampler and the pruner see only earlier rounds.
ROUND_SIZE = 4
#: Ensemble members trained together in one batched computation (a fixed grouping, so the
#: result does not depend on the number of workers).
MEMBER_GROUP = 3
#: A search stops when this many trials in a row have failed.
MAX_FAILURES = 2 * ROUND_SIZE


#: The ``error`` of a trial whose worker died or was interrupted (its parameters run again).
WORKER_DIED = "worker died"


def sampler(seed: int | None) -> Any:
    import optuna

    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=8)


def pruner() -> Any:
    from reanalyze.twin.pruner import RoundPruner

    return RoundPruner()


def objective_for(study: Any) -> tuple[Objective, int]:
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


def _stale(trial: Any) -> bool:
    """A running trial whose worker process on this machine is gone."""
    if trial.state.name != "RUNNING":
        return False
    host = trial.user_attrs.get("host")
    pid = trial.user_attrs.get("pid")
    return host == socket.gethostname() and isinstance(pid, int) and process_gone(pid)


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
            study._storage.set_trial_user_attr(trial._trial_id, "error", WORKER_DIED)
            if study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL):
                study.enqueue_trial(trial.params, skip_if_exists=False)
                recovered += 1
    return recovered


def claims(study: Any, number: int) -> int:
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
        if claims(study, trial.number) >= n_trials:
            trial.set_user_attr("surplus", True)
            raise _Surplus
        return objective(trial)

    failures: list[str] = []  # consecutive failed trials: a search that cannot work stops
    while claims(study, 1 << 62) < n_trials:
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
        raise DataError(f"storage {storage}: no such study journal (a worker joins a study)")
    configure_threads(threads)
    try:
        study = optuna.load_study(
            study_name=study_name,
            storage=open_storage(storage),
            sampler=sampler(None),
            pruner=pruner(),
        )
    except KeyError:
        raise DataError(f"no study {study_name!r} in {describe(storage)}") from None
    objective, n_trials = objective_for(study)
    return _work(study, objective, n_trials, timeout=timeout)


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
            sampler=sampler(None),
            pruner=pruner(),
        )
        objective, _ = objective_for(study)
        _WORKER.clear()
        _WORKER.update(key=key, study=study, objective=objective)
    return _WORKER["study"], _WORKER["objective"]


def pool_trial(task: tuple[str, str, str], number: int) -> tuple[str, float | None, str | None]:
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

    The fewest groups of at most :data:`MEMBER_GROUP` members, as equal in size as they can
    be (the larger first): two workers finish two groups together.

    >>> member_groups(5)
    [range(0, 3), range(3, 5)]
    >>> member_groups(4)
    [range(0, 2), range(2, 4)]
    >>> member_groups(7)
    [range(0, 3), range(3, 5), range(5, 7)]
    """
    n_groups = -(-n_members // MEMBER_GROUP)
    size, extra = divmod(n_members, n_groups) if n_groups else (0, 0)
    groups, start = [], 0
    for g in range(n_groups):
        stop = start + size + (1 if g < extra else 0)
        groups.append(range(start, stop))
        start = stop
    return groups


def pool_members(
    task: tuple[str, str, str],
    config: dict[str, Any],
    seed: int,
    first: int,
    k: int,
    folder: str,
) -> list[tuple[str, float, np.ndarray]]:
    """Train members ``first … first + k − 1`` on all rows and save them into ``folder``.

    Each member is saved in physical units (:func:`~reanalyze.twin.bundle.wrap_in_units`)
    as ``member_<i>.keras``; returns per member its file name, best training loss and its
    prediction at the training rows (target unit), for the ensemble's fit check.
    """
    from reanalyze.twin.bundle import wrap_in_units

    _, objective = _worker_state(*task)
    fit = EnsembleFit(TrialConfig(**config), k, seed=seed).fit(
        objective.xs, objective.ys, objective.weights
    )
    inputs = objective.encoding.features(objective.data.features, objective.data.x)
    out = []
    for i, (model, loss) in enumerate(zip(fit.models_, fit.best_loss_, strict=True)):
        member = wrap_in_units(
            model,
            objective.x_scaler.mean,
            objective.x_scaler.scale,
            objective.y_scaler.mean[0],
            objective.y_scaler.scale[0],
        )
        name = f"member_{first + i}.keras"
        member.save(Path(folder) / name)
        fitted = np.asarray(member(inputs.astype(np.float32), training=False), np.float64)
        out.append((name, float(loss), fitted.ravel()))
    return out
