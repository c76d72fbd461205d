"""What the twin benchmarks share: the seeds and trials options, one default twin per seed
simulated on a grid, and medians over the seeds.

The benchmark scripts are run from the repository root (``python benchmarks/bench_*.py``),
so this module is imported from the scripts' own folder.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from reanalyze.table import UnitTable
from reanalyze.twin.data import TrainingData
from reanalyze.twin.search import Search
from reanalyze.twin.simulate import simulate

Ranges = Mapping[str, tuple[float, float]]


def seeds_and_trials(doc: str) -> tuple[list[int], int]:
    """Parse ``--seeds 0,1,2`` (one twin each) and ``--trials N`` (of each search)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--trials", type=int, default=20)
    args = parser.parse_args()
    return [int(x) for x in args.seeds.split(",")], args.trials


def simulated_twin(
    scan: UnitTable,
    features: Sequence[str],
    target: str,
    *,
    seed: int,
    trials: int,
    grid: Callable[[Ranges], str],
) -> tuple[UnitTable, float]:
    """A default search's twin of ``scan`` simulated on ``grid(training ranges)``, and the
    search's wall time in s."""
    data = TrainingData.from_table(scan, list(features), target)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        Search(n_trials=trials, seed=seed).fit(data, Path(tmp) / "run")
        train_s = time.perf_counter() - start
        table = simulate(Path(tmp) / "run", grid(data.ranges()))
    return table, train_s


def medians(rows: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """The median over ``rows`` (one per seed) of each key of the first row."""
    return {k: statistics.median(r[k] for r in rows) for k in rows[0]}
