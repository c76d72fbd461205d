"""What a trial optimizes: training R² (the paper), R² on held-out scan lines, or line errors.

``objective="train"`` trains on all data and scores the training R², as in Terashima et al.
(the ``paper`` recipe).
``objective="holdout"`` trains without some interior scan lines (every third interior line,
see :func:`~reanalyze.twin.data.holdout_lines`) exactly as the final twin is trained (early
stopping on the training loss) and scores the R² of the held-out lines: it measures what a
twin is for, predicting between measured curves. ``objective="blend"`` trains
the same way and scores the R² of *all* rows — the training lines in-sample, the held-out
lines out of sample. ``objective="lines"`` (the ``default`` recipe) trains the same way and
scores ``1 − ε_held − max(0, ε_fit − ε_noise)``, where ``ε_held`` is the mean over the
held-out lines of RMSE / line range (the error measure of ``reanalyze validate``), ``ε_fit``
the same over the training lines and ``ε_noise`` their noise estimate
(:func:`~reanalyze.twin.verdict.noise_estimate`) relative to the range: a network that
predicts between lines but does not fit the measured ones loses, and fitting the noise
earns nothing. docs/training.md and docs/accuracy.md give the evidence.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from reanalyze.twin.data import Encoding, Standardizer, TrainingData, holdout_lines
from reanalyze.twin.network import NetworkFit, r2_score
from reanalyze.twin.space import SearchSpace, TrialConfig

__all__ = ["OBJECTIVES", "Objective", "ObjectiveName", "line_errors", "split"]

ObjectiveName = Literal["train", "holdout", "blend", "lines"]
OBJECTIVES: tuple[str, ...] = ("lines", "train", "holdout", "blend")


def split(data: TrainingData, objective: ObjectiveName) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks (train, validation) of the rows for an objective."""
    if objective == "train":
        return np.ones(data.n_rows, bool), np.zeros(data.n_rows, bool)
    held = holdout_lines(data.lines())
    if held.size == 0:
        return np.ones(data.n_rows, bool), np.zeros(data.n_rows, bool)
    validation = np.isin(data.line_of_rows(), held)
    return ~validation, validation


def line_errors(y: np.ndarray, predicted: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """RMSE / range of every scan line (in the order of ``np.unique(lines)``)."""
    out = []
    for line in np.unique(lines):
        here = lines == line
        span = float(np.ptp(y[here]))
        rmse = float(np.sqrt(np.mean((predicted[here] - y[here]) ** 2)))
        out.append(rmse / span if span > 0 else rmse)
    return np.asarray(out)


def _noise_rel(data: TrainingData, rows: np.ndarray) -> float:
    """Mean over the lines of ``rows`` of their noise estimate / line range."""
    from reanalyze.twin.verdict import noise_estimate

    lines = data.line_of_rows()
    values = np.unique(lines)
    spans = np.array([np.ptp(data.y[lines == v]) or 1.0 for v in values])
    rel = (noise_estimate(data) / spans)[np.isin(values, lines[rows])]
    return float(np.nanmean(rel)) if np.isfinite(rel).any() else 0.0


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
        One of :data:`OBJECTIVES`.
    seed
        Base seed; trial ``k`` trains with ``seed + k``.
    encoding
        Log axes and line weights (default: none, the paper's plain standardization).
    """

    data: TrainingData
    space: SearchSpace
    objective: ObjectiveName = "train"
    seed: int = 0
    encoding: Encoding = field(default_factory=Encoding)

    def __post_init__(self) -> None:
        inputs = self.encoding.features(self.data.features, self.data.x)
        self.x_scaler = Standardizer.fit(inputs)
        self.y_scaler = Standardizer.fit(self.data.y[:, None])
        self.xs = self.x_scaler.transform(inputs)
        self.ys = self.y_scaler.transform(self.data.y[:, None]).ravel()
        self.train_mask, self.val_mask = split(self.data, self.objective)
        self.weights = self.encoding.row_weights(self.data)
        self.train_weights = self.encoding.row_weights(self.data, self.train_mask)
        self.noise_rel = _noise_rel(self.data, self.train_mask)

    def fit_config(
        self, config: TrialConfig, seed: int, *, all_rows: bool = False, report: Any = None
    ) -> NetworkFit:
        """Train ``config`` (on the objective's training rows, or on all rows)."""
        if all_rows or not self.val_mask.any():
            return NetworkFit(config, seed=seed).fit(
                self.xs, self.ys, report=report, row_weights=self.weights
            )
        return NetworkFit(config, seed=seed).fit(
            self.xs[self.train_mask],
            self.ys[self.train_mask],
            self.xs[self.val_mask],
            self.ys[self.val_mask],
            report=report,
            row_weights=self.train_weights,
        )

    def score(self, fit: NetworkFit) -> float:
        """R² on the objective's evaluation rows.

        ``blend`` scores all rows: the training lines in-sample and the held-out lines out of
        sample, so a network must both fit the measured curves and predict between them.
        """
        if self.objective == "blend":
            return r2_score(self.ys, fit.predict(self.xs))
        if self.objective == "lines":
            fitted, held = self.line_scores(fit)
            if not np.isfinite(fitted) or (self.val_mask.any() and not np.isfinite(held)):
                return float("nan")  # a diverged network: the trial fails
            excess = max(0.0, fitted - self.noise_rel)  # fitting the noise earns nothing
            return 1.0 - excess - (held if self.val_mask.any() else 0.0)
        mask = self.val_mask if self.val_mask.any() else self.train_mask
        return r2_score(self.ys[mask], fit.predict(self.xs[mask]))

    def line_scores(self, fit: NetworkFit) -> tuple[float, float]:
        """Mean RMSE / line range over the training lines and over the held-out lines (NaN
        when none are held out)."""
        predicted = fit.predict(self.xs)
        lines = self.data.line_of_rows()
        train, val = self.train_mask, self.val_mask
        fitted = float(np.mean(line_errors(self.ys[train], predicted[train], lines[train])))
        if not val.any():
            return fitted, float("nan")
        return fitted, float(np.mean(line_errors(self.ys[val], predicted[val], lines[val])))

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
        if fit.stopped_ != "pruned":
            fitted, held = self.line_scores(fit)
            trial.set_user_attr("fit_rel_rmse", fitted)
            if np.isfinite(held):
                trial.set_user_attr("heldout_rel_rmse", held)
        if fit.stopped_ == "pruned":
            raise optuna.TrialPruned(f"pruned at epoch {fit.epochs_}")
        if not np.isfinite(value):
            raise FloatingPointError("training diverged (non-finite R²)")
        return value
