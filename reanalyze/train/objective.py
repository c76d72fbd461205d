"""What a trial optimizes: training R² (the paper) or R² on held-out scan lines.

``objective="train"`` (the default) trains on all data and scores the training R², as in
Terashima et al.
``objective="holdout"`` trains without some interior scan lines (every third interior line,
see :func:`~reanalyze.train.data.holdout_lines`) exactly as the final twin is trained (early
stopping on the training loss) and scores the R² of the held-out lines: it measures what a
twin is for, predicting between measured curves. ``objective="blend"`` trains
the same way and scores the R² of *all* rows — the training lines in-sample, the held-out
lines out of sample — so a network must both fit the measured curves and predict between
them. docs/training.md and docs/benchmark-training.md give the evidence for the default.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from reanalyze.train.data import Standardizer, TrainingData, holdout_lines
from reanalyze.train.network import NetworkFit, r2_score
from reanalyze.train.space import SearchSpace, TrialConfig

__all__ = ["Objective", "ObjectiveName", "split"]

ObjectiveName = Literal["train", "holdout", "blend"]


def split(data: TrainingData, objective: ObjectiveName) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks (train, validation) of the rows for an objective."""
    if objective == "train":
        return np.ones(data.n_rows, bool), np.zeros(data.n_rows, bool)
    held = holdout_lines(data.lines())
    if held.size == 0:
        return np.ones(data.n_rows, bool), np.zeros(data.n_rows, bool)
    validation = np.isin(data.line_of_rows(), held)
    return ~validation, validation


@dataclass
class Objective:
    """Callable for ``study.optimize``: builds, trains and scores one network per trial.

    Parameters
    ----------
    data
        The training data.
    space
        Search space.
    objective
        ``"train"`` or ``"holdout"``.
    seed
        Base seed; trial ``k`` trains with ``seed + k``.
    """

    data: TrainingData
    space: SearchSpace
    objective: ObjectiveName = "train"
    seed: int = 0

    def __post_init__(self) -> None:
        self.x_scaler = Standardizer.fit(self.data.x)
        self.y_scaler = Standardizer.fit(self.data.y[:, None])
        self.xs = self.x_scaler.transform(self.data.x)
        self.ys = self.y_scaler.transform(self.data.y[:, None]).ravel()
        self.train_mask, self.val_mask = split(self.data, self.objective)

    def fit_config(
        self, config: TrialConfig, seed: int, *, all_rows: bool = False, report: Any = None
    ) -> NetworkFit:
        """Train ``config`` (on the objective's training rows, or on all rows)."""
        if all_rows or not self.val_mask.any():
            return NetworkFit(config, seed=seed).fit(self.xs, self.ys, report=report)
        return NetworkFit(config, seed=seed).fit(
            self.xs[self.train_mask],
            self.ys[self.train_mask],
            self.xs[self.val_mask],
            self.ys[self.val_mask],
            report=report,
        )

    def score(self, fit: NetworkFit) -> float:
        """R² on the objective's evaluation rows.

        ``blend`` scores all rows: the training lines in-sample and the held-out lines out of
        sample, so a network must both fit the measured curves and predict between them.
        """
        if self.objective == "blend":
            return r2_score(self.ys, fit.predict(self.xs))
        mask = self.val_mask if self.val_mask.any() else self.train_mask
        return r2_score(self.ys[mask], fit.predict(self.xs[mask]))

    def __call__(self, trial: Any) -> float:
        import optuna

        config = self.space.suggest(trial, int(self.train_mask.sum()))
        started = time.perf_counter()

        mask = self.val_mask if self.val_mask.any() else self.train_mask
        variance = float(np.var(self.ys[mask])) or 1.0

        def report(epoch: int, loss: float) -> bool:
            trial.report(1.0 - loss / variance, epoch)  # R² of the objective's rows
            return bool(trial.should_prune())

        fit = self.fit_config(config, self.seed + trial.number, report=report)
        value = self.score(fit)
        history = {k: [round(v, 8) for v in vals] for k, vals in fit.history_.items() if vals}
        trial.set_user_attr("history", history)
        trial.set_user_attr("epochs", fit.epochs_)
        trial.set_user_attr("best_epoch", fit.best_epoch_)
        trial.set_user_attr("stopped", fit.stopped_)
        trial.set_user_attr("wall_s", round(time.perf_counter() - started, 3))
        trial.set_user_attr("r2", value)
        if fit.stopped_ == "pruned":
            raise optuna.TrialPruned(f"pruned at epoch {fit.epochs_}")
        if not np.isfinite(value):
            raise FloatingPointError("training diverged (non-finite R²)")
        return value
