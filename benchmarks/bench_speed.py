"""Wall time of ``reanalyze train`` on ErCo2 (808 rows) against the paper's recipe, one run.

Measured in the same run, interleaved (so load on the shared machine affects all alike),
each a fresh process (process start and imports included):

* ``default`` — ``reanalyze train erco2 --no-mlflow -q`` (the default recipe);
* ``paper-recipe`` — ``reanalyze train erco2 --recipe paper --no-mlflow -q`` (the paper's
  recipe on reanalyze's fast training loop);
* ``paper-code`` — the paper's own code path: 20 sequential Optuna trials, Keras
  ``Model.fit`` per trial with a per-epoch R² callback (``benchmarks/bench_train.py``'s
  ``Paper``), then the best configuration refitted once.

Medians over ``--repeats`` and the ratio of each median to ``default``'s, for the wall time
and for the CPU time of every process of the command (its workers and their server
included, sampled from ``/proc``): on a shared machine the CPU seconds vary much less with
the load than the wall time. Run from the repository root::

    python benchmarks/bench_speed.py --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

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


def _session_cpu(session: int, seen: dict[str, float]) -> None:
    """Record the CPU seconds so far of every process in ``session`` (Linux ``/proc``)."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:
            seen[pid] = (int(fields[11]) + int(fields[12])) / TICK


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``command`` and every process it starts."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    seen: dict[str, float] = {}
    while process.poll() is None:
        if os.path.isdir("/proc"):
            _session_cpu(process.pid, seen)
        time.sleep(0.1)
    wall = time.perf_counter() - start
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()[-500:]}")
    return wall, sum(seen.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--methods", default=",".join(COMMANDS))
    args = parser.parse_args()
    methods = args.methods.split(",")
    wall: dict[str, list[float]] = {m: [] for m in methods}
    cpu: dict[str, list[float]] = {m: [] for m in methods}
    for _ in range(args.repeats):
        for method in methods:
            with tempfile.TemporaryDirectory() as tmp:
                command = COMMANDS[method]
                if command[0] == "reanalyze":
                    command = [*command, "--out", str(Path(tmp) / "run")]
                seconds, cpu_s = timed(command)
                wall[method].append(seconds)
                cpu[method].append(cpu_s)
                print(f"{method}: {seconds:.1f} s wall, {cpu_s:.1f} s CPU", flush=True)

    def ratio(values: dict[str, list[float]], method: str) -> float | None:
        base = values.get("default")
        return statistics.median(values[method]) / statistics.median(base) if base else None

    summary = {
        m: {
            "median_s": round(statistics.median(wall[m]), 1),
            "runs_s": [round(x, 1) for x in wall[m]],
            "ratio_to_default": ratio(wall, m),
            "median_cpu_s": round(statistics.median(cpu[m]), 1),
            "cpu_ratio_to_default": ratio(cpu, m),
        }
        for m in methods
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
