"""Simulation throughput: points per second of ``reanalyze.twin.simulate`` for a 5×160 twin.

Builds real twins (untrained weights cost the same to evaluate as trained ones) with 5 hidden
layers of 160 nodes (ReLU, and SiLU as the default recipe's networks) and 2 features, wraps
them in physical units exactly as training does, saves them as a run folder and times
:func:`reanalyze.twin.simulate.simulate` of the twin loaded from that folder (its members read
into numpy, as every command reads them) and of the same twin held as Keras models in memory.
Reports medians over repeats, for one member and for a 5-member ensemble, against the baseline
of a plain ``keras.Model.predict`` on the same network measured in the same run.

    python benchmarks/bench_simulate.py [--points 1000000] [--repeats 5]
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

import numpy as np


def make_bundle(members: int, activation: str = "relu"):
    from reanalyze.twin.bundle import wrap_in_units
    from reanalyze.twin.network import build_network
    from reanalyze.twin.space import TrialConfig

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from twins import magnet_twin

    config = TrialConfig(
        layers=5, nodes=160, learning_rate=1e-3, batch_size=256, activation=activation
    )
    nets = [
        wrap_in_units(build_network(config, 2), [35.0, 25000.0], [15.0, 15000.0], 0.01, 0.005)
        for _ in range(members)
    ]
    return magnet_twin(nets, {"T": (10.0, 60.0), "H": (0.0, 50000.0)}, data_sha256="benchmark")


def timed(fn, repeats: int) -> float:
    fn()  # warm-up (graph tracing)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from reanalyze.twin.simulate import simulate

    n_t = 1000
    n_h = max(args.points // n_t, 1)
    spec = f"T=10:60:{50 / (n_t - 1)!r}K H=0:50000:{50000 / (n_h - 1)!r}Oe"
    results = {"cpu_count": os.cpu_count(), "points": n_t * n_h, "repeats": args.repeats}
    from reanalyze.twin.bundle import ModelBundle

    grid = np.random.default_rng(0).uniform([10, 0], [60, 50000], (n_t * n_h, 2)).astype("f4")
    with tempfile.TemporaryDirectory() as tmp:
        for activation in ("relu", "silu"):
            single = make_bundle(1, activation)
            baseline = timed(
                lambda s=single: s.members[0].predict(grid, batch_size=65536, verbose=0),
                args.repeats,
            )
            results[f"{activation}_keras_predict_points_per_s"] = n_t * n_h / baseline
            for members in (1, 5):
                in_memory = single if members == 1 else make_bundle(members, activation)
                folder = in_memory.save(Path(tmp) / f"{activation}{members}")
                for held, bundle in (("folder", ModelBundle.load(folder)), ("keras", in_memory)):
                    seconds = timed(lambda b=bundle: simulate(b, spec), args.repeats)
                    key = f"{activation}_simulate_{members}_member_{held}"
                    results[f"{key}_points_per_s"] = n_t * n_h / seconds
                    results[f"{key}_ratio_to_keras_predict"] = baseline / seconds
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
