"""A pruner whose decisions do not depend on which worker finishes first."""

from __future__ import annotations

from typing import Any

import numpy as np
import optuna

__all__ = ["RoundPruner"]

_FINISHED = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)


class RoundPruner(optuna.pruners.BasePruner):
    """Stop a trial below the median of *earlier rounds* at the same epoch.

    A trial reports the R² of its evaluation rows every 25 epochs. From ``min_epoch`` on, it
    is pruned when that value is below the median of the values that trials of earlier
    rounds (``number < round_start``, the user attribute the search sets when it asks a
    round) reported at the same epoch, once at least ``min_trials`` such values exist. A
    trial without ``round_start`` (asked by a worker from another machine) compares with all
    trials numbered before it. Unlike Optuna's median pruner, trials of the same round never
    see each other, so the decision is the same however fast they run.

    Parameters
    ----------
    min_epoch
        No pruning before this epoch.
    min_trials
        Values from earlier rounds needed at an epoch before it can prune.
    """

    def __init__(self, min_epoch: int = 150, min_trials: int = 4) -> None:
        self.min_epoch = min_epoch
        self.min_trials = min_trials

    def prune(self, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> bool:
        """Whether ``trial`` stops at its last reported epoch."""
        step = trial.last_step
        if step is None or step < self.min_epoch:
            return False
        start = trial.user_attrs.get("round_start", trial.number)
        value = trial.intermediate_values[step]
        earlier: list[Any] = [
            t.intermediate_values[step]
            for t in study.get_trials(deepcopy=False, states=_FINISHED)
            if t.number < start and step in t.intermediate_values
        ]
        if len(earlier) < self.min_trials:
            return False
        return bool(value < float(np.median(earlier)))
