"""What a finished search says about its twin: the fit, the held-out lines, and in words.

* :func:`fit_check` — how closely the final ensemble follows the measured lines, against an
  estimate of their noise: a twin that predicts between lines but does not fit the lines
  themselves is flagged, however good its held-out score.
* :func:`search_holdout` — the search's held-out lines (the objective's split), scored for
  the best trial and for every classic method on exactly the same split.
* :func:`search_sentence` — the lines ``reanalyze train`` ends with.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from reanalyze.arrays import FloatArray
from reanalyze.twin.data import TrainingData

__all__ = ["fit_check", "noise_estimate", "search_holdout", "search_sentence"]


#: Classic methods train's verdict compares with (the GP, slower, is in reanalyze validate).
QUICK_METHODS = ("linear", "pchip", "rbf")
#: A fit worse than this many times the noise, and than :data:`FIT_FLOOR`, is flagged.
FIT_NOISE_FACTOR = 3.0
#: Fit errors below this share of a line's range are never flagged.
FIT_FLOOR = 0.01


def noise_estimate(data: TrainingData) -> FloatArray:
    """Noise of every scan line from second differences along the fast axis.

    For a smooth curve sampled densely, ``d_i = y_i − (y_{i−1} + y_{i+1})/2`` is mostly noise
    of variance ``1.5 σ²``; the estimate is the median absolute ``d`` (robust to the
    transition) divided by ``0.6745·√1.5``. Lines of fewer than 5 points get NaN.
    """
    lines = data.line_of_rows()
    slow = data.features.index(data.slow_axis)
    fast = 1 - slow if len(data.features) == 2 else slow
    out = []
    for line in np.unique(lines):
        here = lines == line
        order = np.argsort(data.x[here, fast])
        y = data.y[here][order]
        if len(y) < 5:
            out.append(np.nan)
            continue
        d = y[1:-1] - 0.5 * (y[:-2] + y[2:])
        out.append(float(np.median(np.abs(d))) / (0.6745 * np.sqrt(1.5)))
    return np.asarray(out)


def fit_check(data: TrainingData, predicted: FloatArray) -> dict[str, Any]:
    """How well ``predicted`` (the twin on the training rows) follows the measured lines.

    Returns ``fit_rel_rmse`` (mean over lines of RMSE / line range), ``noise_rel`` (the same
    for the noise estimate), per-line lists, and ``ok``: false when the fit is worse than
    :data:`FIT_NOISE_FACTOR` × the noise and than :data:`FIT_FLOOR` of the range on average.
    """
    lines = data.line_of_rows()
    noise = noise_estimate(data)
    rel, noise_rel = [], []
    for line, sigma in zip(np.unique(lines), noise, strict=True):
        here = lines == line
        span = float(np.ptp(data.y[here])) or 1.0
        rel.append(float(np.sqrt(np.mean((predicted[here] - data.y[here]) ** 2))) / span)
        noise_rel.append(sigma / span)
    fit = float(np.mean(rel))
    noisy = float(np.nanmean(noise_rel)) if np.isfinite(noise_rel).any() else 0.0
    return {
        "fit_rel_rmse": fit,
        "noise_rel": noisy,
        "lines": [float(v) for v in np.unique(lines)],
        "line_fit_rel_rmse": rel,
        "ok": bool(fit <= max(FIT_NOISE_FACTOR * noisy, FIT_FLOOR)),
    }


def search_holdout(
    data: TrainingData, objective: Any, best: Any, seed: int
) -> dict[str, Any] | None:
    """The best trial and the quick classic methods (:data:`QUICK_METHODS`) on the search's
    own held-out lines."""
    from reanalyze.errors import DataError
    from reanalyze.validation.classic import fit_classic

    if not objective.val_mask.any() or "heldout_rel_rmse" not in best.user_attrs:
        return None
    train, val = objective.train_mask, objective.val_mask
    slow = data.features.index(data.slow_axis)
    lines = data.line_of_rows()
    held = np.unique(lines[val])
    classic: dict[str, float] = {}
    for name in QUICK_METHODS:
        try:
            model = fit_classic(name, data.x[train], data.y[train], slow=slow, seed=seed)
        except DataError:
            continue
        predicted = model.predict(data.x[val])
        errors = []
        for line in held:
            here = lines[val] == line
            span = float(np.ptp(data.y[val][here])) or 1.0
            ok = np.isfinite(predicted[here])
            diff = predicted[here][ok] - data.y[val][here][ok]
            errors.append(float(np.sqrt(np.mean(diff**2))) / span if ok.any() else np.nan)
        classic[name] = float(np.nanmean(errors))
    return {
        "lines": [float(v) for v in held],
        "twin": float(best.user_attrs["heldout_rel_rmse"]),
        "classic": classic,
    }


def _lines_text(values: list[float], unit: str) -> str:
    return ", ".join(f"{v:g}" for v in values) + (f" {unit}" if unit else "")


def search_sentence(summary: dict[str, Any], run: str | None = None) -> list[str]:
    """What a physicist reads at the end of ``reanalyze train``: one statement per line.

    How many trials were trained to the end and how many stopped early (pruned), and how long
    the search and the ensemble took; the best network and its score; how closely the twin
    follows the measured lines (against their noise); the held-out-line verdict against the
    classic methods; and the command that scores every line in turn (``run``: the run folder).

    Examples
    --------
    >>> lines = search_sentence({"trials": {"COMPLETE": 2, "PRUNED": 18}, "wall_s": 40.2,
    ...     "search_s": 33, "ensemble_s": 7, "ensemble": 5, "best_trial": 0, "best_value": 0.97,
    ...     "config": {"layers": 3, "nodes": 64, "activation": "silu"}}, run="runs/erco2")
    >>> for line in lines:
    ...     print(line)
    20 trials in 40 s: 2 trained to the end, 18 stopped early (search 33 s, ensemble 7 s)
    best network: 3 hidden layers of 64 silu nodes (trial 0, score 0.97 of at most 1), ensemble of 5
    held-out lines: not scored by this objective; run reanalyze validate runs/erco2
    """
    trials = summary.get("trials", {})
    done = trials.get("COMPLETE", 0)
    stopped = trials.get("PRUNED", 0)
    rerun = summary.get("interrupted_trials", 0)  # failed only because a run was interrupted
    failed = trials.get("FAIL", 0) - rerun
    config = summary.get("config", {})
    command = f"reanalyze validate {run or 'RUN'}"
    first = (
        f"{done + stopped} trials in {summary.get('wall_s', 0):.0f} s: {done} trained to the "
        f"end, {stopped} stopped early"
        + (f", {failed} failed" if failed else "")
        + (f"; {rerun} left running by an interruption were run again" if rerun else "")
    )
    if summary.get("search_s") is not None and summary.get("ensemble_s") is not None:
        first += f" (search {summary['search_s']:.0f} s, ensemble {summary['ensemble_s']:.0f} s)"
    score = summary.get("best_value")
    network = f"best network: {config.get('layers')} hidden layers of {config.get('nodes')} " + (
        f"{config.get('activation')} nodes (trial {summary.get('best_trial')}"
        + (f", score {score:.3g} of at most 1" if isinstance(score, int | float) else "")
        + f"), ensemble of {summary.get('ensemble')}"
    )
    words = [first, network]
    fit = summary.get("fit")
    if fit:
        line = f"measured lines fitted to {fit['fit_rel_rmse']:.2%} of their range"
        if fit.get("noise_rel"):
            line += f" (noise ≈ {fit['noise_rel']:.2%})"
        if not fit["ok"]:
            line += ": the twin does NOT follow the measured curves; look at its fit before use"
        words.append(line)
    holdout = summary.get("holdout")
    if holdout and holdout.get("classic"):
        best, value = min(holdout["classic"].items(), key=lambda kv: kv[1])
        unit = summary.get("slow_unit", "")
        text = (
            f"held-out lines ({_lines_text(holdout['lines'], unit)}): twin {holdout['twin']:.2%} "
            f"of the line range, best of linear/PCHIP/RBF ({best}) {value:.2%}"
        )
        if value < holdout["twin"]:
            text += f": {best} beats the twin here"
        else:
            text += ": the twin is the better interpolator here"
        words.append(text)
        words.append(f"(every line in turn, and the GP too: {command})")
    else:
        words.append(f"held-out lines: not scored by this objective; run {command}")
    return words
