"""Line-held-out validation: retrain without some scan lines, predict them, compare.

For every fold (:func:`~reanalyze.validation.folds.line_folds`) the twin's configuration is
retrained on the remaining lines exactly as the twin was trained — same network, encoding
(log axes, line weights), standardization fitted on the fold's rows, ensemble size and
member seeds, in the one-thread worker processes (:mod:`reanalyze.twin.pool`) of
:class:`~reanalyze.twin.search.Search` — and the classic methods
(:mod:`reanalyze.validation.classic`) are fitted on the same lines. The search itself is not
rerun per fold: the configuration was chosen with every line present, so the twin's figure
is, if anything, slightly optimistic.

Examples
--------
>>> from reanalyze.synthetic import GENERATORS
>>> from reanalyze.twin.data import TrainingData
>>> table = GENERATORS["bean_rodbell_second_order"]().scan(seed=1)
>>> data = TrainingData.from_table(table, ["T", "H"], "M")
>>> result, _ = validate_data(data, methods=("linear", "pchip"))
>>> result.verdict().startswith("held-out lines (6): best classic method (pchip)")
True
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from reanalyze.arrays import FloatArray
from reanalyze.errors import DataError
from reanalyze.twin.data import Encoding, TrainingData
from reanalyze.twin.pool import discard, local_pool, submit
from reanalyze.twin.workers import member_groups
from reanalyze.validation.classic import CLASSIC_METHODS, fit_classic
from reanalyze.validation.folds import line_folds, score_line
from reanalyze.validation.result import TWIN, MethodResult, Validation

__all__ = ["Predictions", "validate_data", "validate_run"]


@dataclass
class Predictions:
    """Every method's prediction of every held-out row (for figures), beside a result."""

    data: TrainingData
    rows: npt.NDArray[np.bool_]
    by_method: dict[str, FloatArray] = field(default_factory=dict)
    std: dict[str, FloatArray] = field(default_factory=dict)


def _method_result(
    name: str, data: TrainingData, held: FloatArray, predicted: FloatArray, wall_s: float
) -> MethodResult:
    lines = data.line_of_rows()
    scores = []
    for line in held:
        rows = lines == line
        scores.append(score_line(float(line), data.y[rows], predicted[rows]))
    rows = np.isin(lines, held)
    error = predicted[rows] - data.y[rows]
    ok = np.isfinite(error)
    return MethodResult(
        method=name,
        lines=scores,
        rmse=float(np.sqrt(np.mean(error[ok] ** 2))) if ok.any() else float("nan"),
        rel_rmse=float(np.nanmean([s.rel_rmse for s in scores])) if scores else float("nan"),
        max_error=float(np.max(np.abs(error[ok]))) if ok.any() else float("nan"),
        wall_s=round(wall_s, 3),
    )


def _classic(
    data: TrainingData, folds: list[FloatArray], methods: Sequence[str], seed: int
) -> tuple[list[MethodResult], dict[str, FloatArray], list[str]]:
    slow = data.features.index(data.slow_axis)
    lines = data.line_of_rows()
    results, predictions, notes = [], {}, []
    held = np.concatenate(folds)
    for name in methods:
        predicted = np.full(data.n_rows, np.nan)
        started = time.perf_counter()
        try:
            for fold in folds:
                test = np.isin(lines, fold)
                model = fit_classic(name, data.x[~test], data.y[~test], slow=slow, seed=seed)
                predicted[test] = model.predict(data.x[test])
        except DataError as exc:
            notes.append(f"{name}: {exc}")
            continue
        results.append(_method_result(name, data, held, predicted, time.perf_counter() - started))
        predictions[name] = predicted
    return results, predictions, notes


def _fold_members(
    arrays: dict[str, Any],
    test: npt.NDArray[np.bool_],
    config: dict[str, Any],
    encoding: dict[str, Any],
    seed: int,
    k: int,
) -> list[tuple[FloatArray, float]]:
    """Train ``k`` members without the ``test`` rows (as the search's member groups); their
    predictions of those rows and their losses."""
    from reanalyze.twin.network import EnsembleFit
    from reanalyze.twin.objective import Objective
    from reanalyze.twin.space import SearchSpace, TrialConfig

    data = TrainingData.from_arrays(arrays)
    kept = TrainingData(
        data.x[~test], data.y[~test], data.features, data.target, data.units, data.kinds,
        data.slow_axis,
    )  # fmt: skip
    prep = Objective(kept, SearchSpace(), "train", 0, Encoding.from_dict(encoding))
    fit = EnsembleFit(TrialConfig(**config), k, seed=seed).fit(prep.xs, prep.ys, prep.weights)
    inputs = prep.encoding.features(data.features, data.x[test])
    standardized = fit.predict(prep.x_scaler.transform(inputs))
    return [
        (prep.y_scaler.inverse(member[:, None]).ravel(), float(loss))
        for member, loss in zip(standardized, fit.best_loss_, strict=True)
    ]


def _twin(
    data: TrainingData,
    folds: list[FloatArray],
    summary: dict[str, Any],
    workers: int,
    progress: Callable[[int, int], None] | None,
    meanwhile: Callable[[], Any] = lambda: None,
) -> tuple[MethodResult, FloatArray, FloatArray, Any]:
    """Retrain the twin's configuration on every fold; its result, mean and std.

    ``meanwhile`` runs in this process while the worker processes train (the classic
    methods); its return value is returned last.
    """
    config = summary["config"]
    encoding = summary.get("encoding") or {}
    seed = int(summary.get("seed") or 0)
    n_members = len(summary.get("ensemble_losses") or [0] * int(summary.get("ensemble", 1)))
    lines = data.line_of_rows()
    arrays = data.to_arrays()
    started = time.perf_counter()
    jobs = []
    total = len(folds) * n_members
    pool = local_pool(workers)
    try:
        for fold in folds:
            test = np.isin(lines, fold)
            groups = [
                submit(pool, _fold_members, arrays, test, config, encoding, seed + 10_000 + g[0],
                            len(g))
                for g in member_groups(n_members)
            ]  # fmt: skip
            jobs.append((test, groups))
        other = meanwhile()
        mean = np.full(data.n_rows, np.nan)
        std = np.full(data.n_rows, np.nan)
        done = 0
        for test, members in jobs:
            outputs = []
            for job in members:
                group = job.result()
                outputs += group
                done += len(group)
                if progress is not None:
                    progress(done, total)
            losses = np.asarray([loss for _, loss in outputs])
            keep = losses <= 3.0 * float(np.median(losses))  # as the search drops members
            values = np.stack([p for (p, _), k in zip(outputs, keep, strict=True) if k])
            mean[test] = values.mean(axis=0)
            std[test] = values.std(axis=0, ddof=1) if len(values) > 1 else 0.0
    except BaseException:
        discard(pool)
        raise
    held = np.concatenate(folds)
    result = _method_result(TWIN, data, held, mean, time.perf_counter() - started)
    return result, mean, std, other


def _validation(
    data: TrainingData,
    folds: list[FloatArray],
    methods: list[MethodResult],
    notes: list[str],
    started: float,
    run: str | None,
) -> Validation:
    return Validation(
        target=data.target,
        unit=data.units.get(data.target, ""),
        slow_axis=data.slow_axis,
        slow_unit=data.units.get(data.slow_axis, ""),
        folds=[[float(v) for v in fold] for fold in folds],
        methods=methods,
        run=run,
        data_sha256=data.sha256(),
        wall_s=round(time.perf_counter() - started, 2),
        notes=notes,
    )


def _folds(data: TrainingData, n_folds: int | None) -> list[FloatArray]:
    if n_folds is not None and n_folds < 1:
        raise DataError(f"the number of folds must be at least 1, got {n_folds}")
    folds = line_folds(data.lines(), n_folds)
    if not folds:
        raise DataError(
            f"only {len(data.lines())} scan line(s) along {data.slow_axis}: at least three are "
            "needed to hold one out between two others"
        )
    return folds


def validate_data(
    data: TrainingData,
    *,
    methods: Sequence[str] = CLASSIC_METHODS,
    n_folds: int | None = None,
    seed: int = 0,
) -> tuple[Validation, Predictions]:
    """Score the classic methods on held-out lines of ``data`` (before any twin is trained)."""
    started = time.perf_counter()
    folds = _folds(data, n_folds)
    results, predictions, notes = _classic(data, folds, methods, seed)
    rows = np.isin(data.line_of_rows(), np.concatenate(folds))
    validation = _validation(data, folds, results, notes, started, None)
    return validation, Predictions(data, rows, predictions)


def validate_run(
    run: str | Path,
    *,
    methods: Sequence[str] = CLASSIC_METHODS,
    n_folds: int | None = None,
    workers: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Validation, Predictions]:
    """Validate a trained twin (a run folder) on held-out lines against the classic methods.

    Parameters
    ----------
    run
        The run folder (``bundle.json`` and ``training.parquet``).
    methods
        Classic methods to compare with.
    n_folds
        Folds of lines (default: leave each interior line out, or 5 folds above 8 lines).
    workers
        Processes that retrain the members (0: one per core, at most 4).
    progress
        Called with (members trained, members to train).
    """
    from reanalyze.table import UnitTable
    from reanalyze.twin.run_folder import BUNDLE_FILE, TRAINING_FILE

    started = time.perf_counter()
    root = Path(run)
    summary = _summary(root / BUNDLE_FILE)
    if not (root / TRAINING_FILE).is_file():
        raise DataError(f"{root}: no {TRAINING_FILE} (train the twin again with reanalyze train)")
    table = UnitTable.read_parquet(root / TRAINING_FILE)
    data = TrainingData.from_table(table, table.metadata["features"], table.metadata["targets"][0])
    folds = _folds(data, n_folds)
    seed = int(summary.get("seed") or 0)
    n_workers = workers if workers > 0 else max(1, min(os.cpu_count() or 1, 4))
    twin, mean, std, (results, predictions, notes) = _twin(
        data, folds, summary, n_workers, progress, lambda: _classic(data, folds, methods, seed)
    )
    validation = _validation(data, folds, [twin, *results], notes, started, str(root))
    rows = np.isin(data.line_of_rows(), np.concatenate(folds))
    out = Predictions(data, rows, {TWIN: mean, **predictions}, {TWIN: std})
    return validation, out


def _summary(file: Path) -> dict[str, Any]:
    from reanalyze._io import read_json

    summary = read_json(file, "reanalyze run").get("summary", {})
    if "config" not in summary:
        raise DataError(f"{file}: the twin's network configuration is not recorded")
    return dict(summary)
