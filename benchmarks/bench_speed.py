"""Wall time of ``reanalyze train`` on ErCo2 (808 rows) against the paper's recipe, one run.

Measured in the same run, interleaved (so load on the shared machine affects all alike),
each a fresh process (process start and imports included):

* ``default`` — ``reanalyze train erco2 --no-mlflow -q`` (the default recipe);
* ``paper-recipe`` — ``reanalyze train erco2 --recipe paper --no-mlflow -q`` (the paper's
  recipe on reanalyze's fast training loop);
* ``paper-code`` — the paper's own code path: 20 sequential Optuna trials, Keras
  ``Model.fit`` per trial with a per-epoch R² callback (``benchmarks/bench_train.py``'s
  ``Paper``), then the best configuration refitted once.

Medians over ``--repeats`` and the ratio of each median to ``default``'s. Run from the
repository root::

    python benchmarks/bench_speed.py --repeats 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "default": ["reanalyze", "train", "erco2", "--no-mlflow", "-q"],
    "paper-recipe": ["reanalyze", "train", "erco2", "--recipe", "paper", "--no-mlflow", "-q"],
    "paper-code": [
        sys.executable,
        "-c",
        "import sys; sys.path.insert(0, 'benchmarks'); import bench_train as b;"
        "b.Paper().fit(b.TrainingData.from_table(b.load_dataset('erco2'), ['T', 'H'], 'M'), 0)",
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--methods", default=",".join(COMMANDS))
    args = parser.parse_args()
    times: dict[str, list[float]] = {m: [] for m in args.methods.split(",")}
    for _ in range(args.repeats):
        for method in times:
            with tempfile.TemporaryDirectory() as tmp:
                command = COMMANDS[method]
                if command[0] == "reanalyze":
                    command = [*command, "--out", str(Path(tmp) / "run")]
                start = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True, cwd=Path.cwd())
                times[method].append(time.perf_counter() - start)
                print(method, f"{times[method][-1]:.1f} s", flush=True)
    base = statistics.median(times["default"]) if times.get("default") else None
    summary = {
        m: {
            "median_s": statistics.median(v),
            "runs_s": [round(x, 1) for x in v],
            "ratio_to_default": statistics.median(v) / base if base else None,
        }
        for m, v in times.items()
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
