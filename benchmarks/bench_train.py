"""Training benchmark: reanalyze's search against the paper's recipe and classical baselines.

For every dataset and seed it measures

* wall time of the whole fit (search + final model),
* training R² of the final model on all rows,
* held-out-line RMSE: the chosen configuration (or the baseline) refitted without some
  interior scan lines (every third interior line), evaluated on them — predicting between
  measured curves, which is what a twin is for,
* for the synthetic magnets, RMSE against the exact M(T, H) on a dense grid of temperatures
  at fields halfway between the measured ones,

for these methods:

* ``paper``   — the paper's recipe: 20 sequential trials, Keras ``Model.fit`` per trial with a
  per-epoch R² callback reporting to Optuna (successive halving), training-R² objective;
* ``ours``    — ``reanalyze train`` with its defaults (training-R² objective; ``ours-blend``
  and ``ours-holdout`` with the other objectives);
* ``linear``  — linear interpolation between the measured curves (scipy ``griddata``);
* ``rbf``     — scipy's thin-plate-spline ``RBFInterpolator`` on standardized features;
* ``mlp``     — scikit-learn's ``MLPRegressor`` (5×160 ReLU, Adam, early stopping).

Medians over the seeds are reported with the ratio of each method's wall time to the paper
recipe's, measured in the same run. Run from the repository root::

    python benchmarks/bench_train.py --datasets erco2,synthetic_magnet --seeds 0,1,2 \\
        --out benchmarks/results/train.json --markdown docs/benchmark-training.md

The paper datasets come from the download cache (seed it with ``reanalyze data seed``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from reanalyze.load import load_dataset
from reanalyze.twin.data import Standardizer, TrainingData, holdout_lines
from reanalyze.twin.network import r2_score

Array = np.ndarray


def rmse(a: Array, b: Array) -> float:
    return float(np.sqrt(np.mean((np.asarray(a) - np.asarray(b)) ** 2)))


def split_lines(data: TrainingData) -> tuple[Array, Array]:
    held = holdout_lines(data.lines())
    val = np.isin(data.line_of_rows(), held)
    return ~val, val


def subset(data: TrainingData, mask: Array) -> TrainingData:
    return TrainingData(
        data.x[mask],
        data.y[mask],
        data.features,
        data.target,
        data.units,
        data.kinds,
        data.slow_axis,
        dict(data.meta),
    )


# ---------------------------------------------------------------- predictors
class Predictor:
    """fit(data) -> self; predict(x) -> y; config: what a refit without lines reuses."""

    name = "?"

    def fit(self, data: TrainingData, seed: int) -> Predictor:
        raise NotImplementedError

    def refit(self, data: TrainingData, seed: int) -> Predictor:
        return type(self)().fit(data, seed)

    def predict(self, x: Array) -> Array:
        raise NotImplementedError


class Linear(Predictor):
    name = "linear"

    def fit(self, data: TrainingData, seed: int) -> Linear:
        self.scaler = Standardizer.fit(data.x)
        self.points = self.scaler.transform(data.x)
        self.values = data.y
        return self

    def predict(self, x: Array) -> Array:
        from scipy.interpolate import griddata

        z = self.scaler.transform(x)
        out = griddata(self.points, self.values, z, method="linear")
        missing = np.isnan(out)
        if missing.any():
            out[missing] = griddata(self.points, self.values, z[missing], method="nearest")
        return np.asarray(out)


class Rbf(Predictor):
    name = "rbf"

    def fit(self, data: TrainingData, seed: int) -> Rbf:
        from scipy.interpolate import RBFInterpolator

        self.scaler = Standardizer.fit(data.x)
        neighbors = None if data.n_rows <= 3000 else 200
        self.model = RBFInterpolator(
            self.scaler.transform(data.x),
            data.y,
            kernel="thin_plate_spline",
            neighbors=neighbors,
            smoothing=1e-6,
        )
        return self

    def predict(self, x: Array) -> Array:
        return np.asarray(self.model(self.scaler.transform(x)))


class SklearnMLP(Predictor):
    name = "mlp"

    def fit(self, data: TrainingData, seed: int) -> SklearnMLP:
        from sklearn.neural_network import MLPRegressor

        self.xs = Standardizer.fit(data.x)
        self.ys = Standardizer.fit(data.y[:, None])
        self.model = MLPRegressor(
            hidden_layer_sizes=(160,) * 5,
            learning_rate_init=1e-3,
            max_iter=500,
            early_stopping=True,
            n_iter_no_change=50,
            random_state=seed,
        )
        self.model.fit(self.xs.transform(data.x), self.ys.transform(data.y[:, None]).ravel())
        return self

    def predict(self, x: Array) -> Array:
        z = self.model.predict(self.xs.transform(x))
        return self.ys.inverse(np.asarray(z)[:, None]).ravel()


class Ours(Predictor):
    """reanalyze's Search with its defaults (training-R² objective)."""

    objective = "train"
    name = "ours"

    def __init__(self, config: Any = None) -> None:
        self.config = config

    def fit(self, data: TrainingData, seed: int) -> Ours:
        from reanalyze.twin.search import Search

        with tempfile.TemporaryDirectory() as tmp:
            search = Search(seed=seed, objective=self.objective).fit(data, Path(tmp) / "run")
            self.bundle = search.bundle_
            self.config = search.bundle_.summary["config"]
        return self

    def refit(self, data: TrainingData, seed: int) -> Ours:
        from reanalyze.twin.objective import Objective
        from reanalyze.twin.space import SearchSpace, TrialConfig

        objective = Objective(data, SearchSpace(), "train", seed)
        fit = objective.fit_config(TrialConfig(**self.config), seed, all_rows=True)
        other = type(self)(self.config)
        other.fit_ = fit
        other.objective_ = objective
        return other

    def predict(self, x: Array) -> Array:
        if hasattr(self, "fit_"):
            z = self.fit_.predict(self.objective_.x_scaler.transform(x))
            return self.objective_.y_scaler.inverse(z[:, None]).ravel()
        mean, _ = self.bundle.predict(x)
        return mean


class OursBlend(Ours):
    objective = "blend"
    name = "ours-blend"


class OursHoldout(Ours):
    objective = "holdout"
    name = "ours-holdout"


class Paper(Predictor):
    """The paper's recipe: Keras fit per trial, per-epoch R² callback, 20 sequential trials."""

    name = "paper"

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        self.params = params

    @staticmethod
    def _train(params: dict[str, Any], xs: Array, ys: Array, seed: int, trial: Any = None) -> Any:
        import keras
        import optuna

        keras.utils.set_random_seed(seed)
        model = keras.Sequential(
            [keras.Input((xs.shape[1],))]
            + [
                keras.layers.Dense(params["nodes"], activation="relu")
                for _ in range(params["layers"])
            ]
            + [keras.layers.Dense(1)]
        )
        model.compile(keras.optimizers.Adam(params["learning_rate"]), "mse")

        class R2(keras.callbacks.Callback):
            def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
                r2 = r2_score(ys, self.model.predict(xs, verbose=0).ravel())
                if trial is not None:
                    trial.report(r2, epoch)
                    if trial.should_prune():
                        self.model.stop_training = True
                        self.pruned = True

        r2_callback = R2()
        r2_callback.pruned = False
        callbacks = [
            keras.callbacks.EarlyStopping(monitor="loss", patience=50, restore_best_weights=True),
            keras.callbacks.LearningRateScheduler(
                lambda epoch, lr: (
                    params["learning_rate"] / 5 if epoch >= 100 else params["learning_rate"]
                )
            ),
            r2_callback,
        ]
        model.fit(
            xs, ys, batch_size=params["batch_size"], epochs=500, verbose=0, callbacks=callbacks
        )
        if r2_callback.pruned:
            raise optuna.TrialPruned()
        return model

    def fit(self, data: TrainingData, seed: int) -> Paper:
        import optuna

        from reanalyze.twin.space import batch_choices

        self.xs = Standardizer.fit(data.x)
        self.ys = Standardizer.fit(data.y[:, None])
        xs = self.xs.transform(data.x)
        ys = self.ys.transform(data.y[:, None]).ravel()
        optuna.logging.set_verbosity(optuna.logging.WARNING)

        def objective(trial: Any) -> float:
            params = {
                "layers": trial.suggest_int("layers", 2, 10),
                "nodes": trial.suggest_int("nodes", 50, 200),
                "learning_rate": trial.suggest_float("learning_rate", 5e-4, 5e-3, log=True),
                "batch_size": trial.suggest_categorical("batch_size", batch_choices(len(ys))),
            }
            model = self._train(params, xs, ys, seed + trial.number, trial)
            return r2_score(ys, model.predict(xs, verbose=0).ravel())

        study = optuna.create_study(
            direction="maximize",
            sampler=optuna.samplers.TPESampler(seed=seed),
            pruner=optuna.pruners.SuccessiveHalvingPruner(),
        )
        study.optimize(objective, n_trials=20)
        self.params = dict(study.best_params)
        self.model = self._train(self.params, xs, ys, seed)
        return self

    def refit(self, data: TrainingData, seed: int) -> Paper:
        other = Paper(self.params)
        other.xs = Standardizer.fit(data.x)
        other.ys = Standardizer.fit(data.y[:, None])
        other.model = self._train(
            self.params,
            other.xs.transform(data.x),
            other.ys.transform(data.y[:, None]).ravel(),
            seed,
        )
        return other

    def predict(self, x: Array) -> Array:
        z = self.model.predict(self.xs.transform(x), verbose=0).ravel()
        return self.ys.inverse(z[:, None]).ravel()


METHODS: dict[str, type[Predictor]] = {
    "paper": Paper,
    "ours": Ours,
    "ours-blend": OursBlend,
    "ours-holdout": OursHoldout,
    "linear": Linear,
    "rbf": Rbf,
    "mlp": SklearnMLP,
}

SYNTHETIC = {
    "synthetic_magnet": "bean_rodbell_first_order",
    "synthetic_magnet_second_order": "bean_rodbell_second_order",
}


def exact_between_lines(name: str, data: TrainingData) -> tuple[Array, Array] | None:
    """Dense temperatures at fields halfway between measured ones, with the exact moment."""
    if name not in SYNTHETIC:
        return None
    from reanalyze.synthetic import GENERATORS

    generator = GENERATORS[SYNTHETIC[name]]()
    lines = data.lines()
    mids = (lines[:-1] + lines[1:]) / 2
    temps = np.linspace(data.x[:, 0].min(), data.x[:, 0].max(), 201)
    grid = np.array([(t, h) for h in mids for t in temps])
    return grid, np.asarray(generator.moment(grid[:, 0], grid[:, 1]))


def run_one(name: str, method: str, seed: int) -> dict[str, Any]:
    table = load_dataset(name)
    entry_features = table.metadata.get("features") or ["T", "H"]
    target = (table.metadata.get("targets") or ["M"])[0]
    data = TrainingData.from_table(table, entry_features, target)
    started = time.perf_counter()
    model = METHODS[method]().fit(data, seed)
    wall = time.perf_counter() - started
    result: dict[str, Any] = {
        "dataset": name,
        "method": method,
        "seed": seed,
        "rows": data.n_rows,
        "wall_s": wall,
        "train_r2": r2_score(data.y, model.predict(data.x)),
    }
    train_mask, val_mask = split_lines(data)
    refit = model.refit(subset(data, train_mask), seed)
    result["holdout_rmse"] = rmse(refit.predict(data.x[val_mask]), data.y[val_mask])
    result["target_unit"] = data.units[data.target]
    exact = exact_between_lines(name, data)
    if exact is not None:
        grid, truth = exact
        result["exact_rmse"] = rmse(model.predict(grid), truth)
    return result


def summarize(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    keys = sorted({(r["dataset"], r["method"]) for r in results})
    for dataset, method in keys:
        runs = [r for r in results if r["dataset"] == dataset and r["method"] == method]
        paper = [r["wall_s"] for r in results if r["dataset"] == dataset and r["method"] == "paper"]
        row: dict[str, Any] = {"dataset": dataset, "method": method, "seeds": len(runs)}
        for key in ("wall_s", "train_r2", "holdout_rmse", "exact_rmse"):
            values = [r[key] for r in runs if key in r]
            if values:
                row[key] = statistics.median(values)
        if paper:
            row["time_vs_paper"] = row["wall_s"] / statistics.median(paper)
        row["unit"] = runs[0]["target_unit"]
        rows.append(row)
    return rows


def markdown(rows: list[dict[str, Any]], machine: str) -> str:
    lines = [
        "| dataset | method | wall time (s) | × paper time | training R² | held-out-line RMSE | "
        "RMSE vs exact between fields |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        unit = r["unit"]
        exact = f"{r['exact_rmse']:.3g} {unit}" if "exact_rmse" in r else "–"
        ratio = f"{r['time_vs_paper']:.2f}" if "time_vs_paper" in r else "–"
        lines.append(
            f"| {r['dataset']} | {r['method']} | {r['wall_s']:.1f} | {ratio} | "
            f"{r['train_r2']:.6f} | {r['holdout_rmse']:.3g} {unit} | {exact} |"
        )
    lines.append("")
    lines.append(f"Medians over seeds; {machine}.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="erco2,synthetic_magnet")
    parser.add_argument("--methods", default="paper,ours,ours-blend,ours-holdout,linear,rbf,mlp")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/train.json"))
    parser.add_argument("--markdown", type=Path, default=None)
    args = parser.parse_args(argv)
    results: list[dict[str, Any]] = []
    if args.out.exists():
        results = json.loads(args.out.read_text())["results"]
    done = {(r["dataset"], r["method"], r["seed"]) for r in results}
    for name in args.datasets.split(","):
        for seed in [int(s) for s in args.seeds.split(",")]:
            for method in args.methods.split(","):
                if (name, method, seed) in done:
                    continue
                result = run_one(name, method, seed)
                results.append(result)
                print(json.dumps(result), flush=True)
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(json.dumps({"results": results}, indent=1))
    rows = summarize(results)
    machine = f"{os.cpu_count()} CPU cores, Python {sys.version.split()[0]}"
    text = markdown(rows, machine)
    print(text)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
