"""Which ensemble: k re-initializations of the best configuration, or the top-k trials?

On the synthetic magnets (exact M(T, H) known) a search is run per seed; then both ensembles
are trained on all rows and compared by the RMSE of their mean against the exact moment at
fields halfway between the measured ones, and by how well their spread covers the error
(fraction of grid points where |error| < 2·std). Medians over seeds. Run from the repository
root::

    python benchmarks/bench_ensemble.py --seeds 0,1,2
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

from reanalyze.load import load_dataset
from reanalyze.twin.data import TrainingData
from reanalyze.twin.network import EnsembleFit, NetworkFit
from reanalyze.twin.objective import Objective
from reanalyze.twin.search import Search
from reanalyze.twin.space import SearchSpace

sys.path.insert(0, str(Path(__file__).parent))
from bench_train import exact_between_lines


def evaluate(members: list[np.ndarray], truth: np.ndarray) -> tuple[float, float]:
    stack = np.stack(members)
    mean, std = stack.mean(axis=0), stack.std(axis=0, ddof=1)
    error = np.abs(mean - truth)
    return float(np.sqrt(np.mean(error**2))), float(np.mean(error < 2 * std))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="synthetic_magnet,synthetic_magnet_second_order")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    rows = []
    for name in args.datasets.split(","):
        table = load_dataset(name)
        data = TrainingData.from_table(table, ["T", "H"], "M")
        grid, truth = exact_between_lines(name, data)  # type: ignore[misc]
        results: dict[str, list[tuple[float, float]]] = {"reinit": [], "topk": []}
        for seed in [int(s) for s in args.seeds.split(",")]:
            tmp = tempfile.TemporaryDirectory()
            search = Search(seed=seed, ensemble=1).fit(data, Path(tmp.name) / "run")
            complete = [t for t in search.study_.trials if t.state.name == "COMPLETE"]
            tmp.cleanup()
            objective = Objective(data, SearchSpace(), "blend", seed)
            xs = objective.x_scaler.transform(grid)

            def to_unit(z: np.ndarray, objective: Objective = objective) -> np.ndarray:
                return objective.y_scaler.inverse(z[:, None]).ravel()

            best = search.bundle_.summary["config"]
            space = SearchSpace()
            config = space.config_from_params(search.best_params_, int(objective.train_mask.sum()))
            assert config.model_dump() == best
            fused = EnsembleFit(config, args.k, seed=seed + 10_000).fit(objective.xs, objective.ys)
            results["reinit"].append(evaluate([to_unit(m) for m in fused.predict(xs)], truth))
            top = sorted(complete, key=lambda t: t.value, reverse=True)[: args.k]
            members = []
            for i, trial in enumerate(top):
                cfg = space.config_from_params(trial.params, int(objective.train_mask.sum()))
                fit = NetworkFit(cfg, seed=seed + 20_000 + i).fit(objective.xs, objective.ys)
                members.append(to_unit(fit.predict(xs)))
            results["topk"].append(evaluate(members, truth))
        for kind, values in results.items():
            rows.append(
                (
                    name,
                    kind,
                    statistics.median(v[0] for v in values),
                    statistics.median(v[1] for v in values),
                )
            )
    print("| dataset | ensemble | RMSE vs exact between fields (emu) | |error| < 2σ |")
    print("|---|---|---|---|")
    for name, kind, err, cover in rows:
        label = (
            f"{args.k} re-initializations of the best"
            if kind == "reinit"
            else f"top {args.k} trials"
        )
        print(f"| {name} | {label} | {err:.3g} | {cover:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
