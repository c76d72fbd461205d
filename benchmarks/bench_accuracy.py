"""Held-out scan lines and derived properties: twins against classic interpolation.

For every dataset in the registry and every method, the script holds out scan lines
(``reanalyze validate``'s folds: each interior line in turn, or 5 interleaved folds of lines
for the 31-cut ARPES maps), predicts them and reports the mean over the held-out lines of
RMSE / line range. Methods:

* ``default`` — ``reanalyze train`` with the default recipe, validated with
  :func:`reanalyze.validation.validate_run` (the twin's configuration retrained per fold,
  its ensemble and seeds); one twin per seed, medians over seeds;
* ``paper`` — the same with ``--recipe paper`` (Terashima et al.: ReLU, training R²);
* ``linear``, ``pchip`` (between curves along the slow axis), ``rbf`` (thin plate),
  ``gp`` (anisotropic Matérn) — :mod:`reanalyze.validation.classic`, deterministic;
* ``pchip-log`` — PCHIP between curves with the slow axis on a log scale (only where it is
  positive over more than a decade): not one of the baselines, shown so that the twin's log
  axis is not mistaken for the whole gain.

On the synthetic magnets the script also derives |ΔS_M|(T) for 0 → 5 T (``magnetocaloric``
plugin, ``low_field=constant``) from each method's prediction on a dense grid
(0.2 K × 0.05 T; for the twin the ensemble mean) and compares it with the generator's exact
curve: the peak's relative error, the RMS error over 25–55 K relative to the exact peak, and
the total-variation ratio TV(method)/TV(exact) (> 1 means spurious bumps). The trapezoid on
the 8 measured fields, what a user does without any interpolation, is a row too.

Results are cached per (dataset, method, seed) in ``--results`` (JSON), so the benchmark can
be run in pieces; ``--markdown`` writes the table (``--table-only``: from the results so far,
running nothing). Run from the repository root::

    python benchmarks/bench_accuracy.py --seeds 0,1,2
    python benchmarks/bench_accuracy.py --datasets erco2 --methods default,pchip --seeds 0
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from reanalyze.load import load_dataset
from reanalyze.table import UnitTable
from reanalyze.twin.data import TrainingData
from reanalyze.validation import validate_data, validate_run
from reanalyze.validation.classic import fit_classic
from reanalyze.validation.folds import line_folds, score_line

DATASETS = [
    "erco2",
    "fe3ga4",
    "pdh",
    "lofbis2_arpes",
    "synthetic_magnet",
    "synthetic_magnet_second_order",
    "synthetic_superconductor",
    "synthetic_arpes",
]
CLASSIC = ["linear", "pchip", "rbf", "gp"]
TWINS = ["default", "paper"]
MAGNETS = {
    "synthetic_magnet": "bean_rodbell_first_order",
    "synthetic_magnet_second_order": "bean_rodbell_second_order",
}


def training(name: str) -> TrainingData:
    table = load_dataset(name)
    meta = table.metadata
    return TrainingData.from_table(table, meta["features"], meta["targets"][0])


# ----------------------------------------------------------------------------- properties
def delta_s_errors(dataset: str, grid: UnitTable) -> dict[str, float]:
    """|ΔS_M|(T, 0 → 5 T) of ``grid`` against the generator's exact curve."""
    from reanalyze.properties.magnetocaloric import MagnetocaloricEffect
    from reanalyze.synthetic import GENERATORS

    magnet = GENERATORS[MAGNETS[dataset]]()
    result = MagnetocaloricEffect().run(grid, {"low_field": "constant"}, figures=False)
    table = result.tables["delta_s_m"]
    dh = table.values("delta_h")
    top = np.isclose(dh, dh.max())
    t, s = table.values("T")[top], np.abs(table.values("delta_s_m")[top])
    exact = np.abs(magnet.delta_s_m(t, np.full_like(t, 5e4)))
    window = (t >= 25) & (t <= 55)
    peak = float(exact.max())
    return {
        "peak_rel_error": float((s.max() - peak) / peak),
        "rms_rel_peak": float(np.sqrt(np.mean((s[window] - exact[window]) ** 2)) / peak),
        "tv_ratio": float(np.sum(np.abs(np.diff(s))) / np.sum(np.abs(np.diff(exact)))),
    }


def dense_grid(data: TrainingData) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = data.ranges()["T"]
    t = np.arange(lo, hi + 1e-9, 0.2)
    h = np.arange(1e4 * 0.05, 5e4 + 1e-6, 500.0)  # 0.05 T steps, Oe
    h = np.concatenate([[data.ranges()["H"][0]], h])
    return np.tile(t, h.size), np.repeat(h, t.size)


def grid_table(data: TrainingData, t: np.ndarray, h: np.ndarray, m: np.ndarray) -> UnitTable:
    import pandas as pd

    from reanalyze.table import Sample

    sample = data.meta.get("sample")
    return UnitTable(
        pd.DataFrame({"T": t, "H": h, "M": m}),
        {n: (data.kinds[n], data.units[n]) for n in ("T", "H", "M")},
        sample=Sample(**sample) if sample else None,
    )


# ----------------------------------------------------------------------------- methods
def classic_row(name: str, method: str, data: TrainingData) -> dict[str, Any]:
    start = time.perf_counter()
    if method == "pchip-log":
        slow = data.features.index(data.slow_axis)
        column = data.x[:, slow]
        if column.min() <= 0 or column.max() / column.min() <= 10:
            return {"skipped": "slow axis not positive over a decade"}
        x = data.x.copy()
        x[:, slow] = np.log(column)
        lines = data.line_of_rows()
        rel = []
        for fold in line_folds(data.lines()):
            test = np.isin(lines, fold)
            model = fit_classic("pchip", x[~test], data.y[~test], slow=slow)
            predicted = model.predict(x[test])
            for line in fold:
                here = lines[test] == line
                rel.append(score_line(line, data.y[test][here], predicted[here]).rel_rmse)
        row: dict[str, Any] = {"rel_rmse": float(np.mean(rel))}
    else:
        result, _ = validate_data(data, methods=(method,))
        scored = result.method(method)
        row = {"rel_rmse": scored.rel_rmse, "rmse": scored.rmse} if scored else {"skipped": "-"}
    row["wall_s"] = time.perf_counter() - start
    if name in MAGNETS and method != "pchip-log":
        t, h = dense_grid(data)
        model = fit_classic(method, data.x, data.y, slow=data.features.index("H"))
        row.update(
            delta_s_errors(name, grid_table(data, t, h, model.predict(np.column_stack([t, h]))))
        )
    return row


def twin_row(name: str, recipe: str, seed: int, data: TrainingData) -> dict[str, Any]:
    from reanalyze.twin.search import Search
    from reanalyze.twin.simulate import simulate

    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        start = time.perf_counter()
        search = Search(recipe=recipe, seed=seed).fit(data, run)
        train_s = time.perf_counter() - start
        start = time.perf_counter()
        result, _ = validate_run(run, methods=())
        validate_s = time.perf_counter() - start
        twin = result.method("twin")
        assert twin is not None
        row: dict[str, Any] = {
            "rel_rmse": twin.rel_rmse,
            "rmse": twin.rmse,
            "wall_s": train_s,
            "validate_s": validate_s,
            "config": search.bundle_.summary["config"],
            "fit_rel_rmse": search.bundle_.summary["fit"]["fit_rel_rmse"],
        }
        if name in MAGNETS:
            t, h = dense_grid(data)
            start = time.perf_counter()
            grid = simulate(run, {"T": t, "H": h})
            row["simulate_points_per_s"] = t.size / (time.perf_counter() - start)
            row.update(delta_s_errors(name, grid))
    return row


def trapezoid_row(name: str) -> dict[str, Any]:
    return {"rel_rmse": float("nan"), "wall_s": 0.0, **delta_s_errors(name, load_dataset(name))}


# ----------------------------------------------------------------------------- table
def median(rows: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in rows if key in r and r[key] is not None]
    return statistics.median(values) if values else None


def markdown(results: dict[str, Any], datasets: list[str]) -> str:
    order = ["default", "paper", *CLASSIC, "pchip-log", "trapezoid"]
    lines = [
        "| dataset | method | seeds | held-out error / line range | × best classic | "
        "ΔS_M peak error | ΔS_M RMS / peak | ΔS_M TV ratio | train time (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    def pct(value: float | None) -> str:
        return "–" if value is None or not np.isfinite(value) else f"{100 * value:.2f} %"

    for name in datasets:
        rows_by: dict[str, list[dict[str, Any]]] = {}
        for key, row in results.items():
            dataset, method, _ = key.split("|")
            if dataset == name and "skipped" not in row:
                rows_by.setdefault(method, []).append(row)
        classic = [median(rows_by[m], "rel_rmse") for m in CLASSIC if m in rows_by]
        best = min((c for c in classic if c is not None), default=None)
        for method in order:
            rows = rows_by.get(method)
            if not rows:
                continue
            rel = median(rows, "rel_rmse")
            ratio = (
                "–" if rel is None or best is None or not np.isfinite(rel) else f"{rel / best:.2f}"
            )
            peak = median(rows, "peak_rel_error")
            tv = median(rows, "tv_ratio")
            wall = median(rows, "wall_s")
            lines.append(
                f"| {name} | {method} | {len(rows)} | {pct(rel)} | {ratio} | "
                f"{'–' if peak is None else f'{100 * peak:+.2f} %'} | "
                f"{pct(median(rows, 'rms_rel_peak'))} | {'–' if tv is None else f'{tv:.3f}'} | "
                f"{'–' if wall is None else f'{wall:.1f}'} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--methods", default=",".join([*TWINS, *CLASSIC, "pchip-log"]))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--results", default="benchmarks/results/accuracy.json")
    parser.add_argument("--markdown", default="benchmarks/results/accuracy.md")
    parser.add_argument(
        "--table-only", action="store_true", help="Write the table from the results; run nothing."
    )
    args = parser.parse_args()
    path = Path(args.results)
    path.parent.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {}
    datasets = args.datasets.split(",")
    for name in [] if args.table_only else datasets:
        data = training(name)
        jobs: list[tuple[str, int]] = []
        for method in args.methods.split(","):
            seeds = [int(s) for s in args.seeds.split(",")] if method in TWINS else [0]
            jobs += [(method, seed) for seed in seeds]
        if name in MAGNETS:
            jobs.append(("trapezoid", 0))
        for method, seed in jobs:
            key = f"{name}|{method}|{seed}"
            if key in results:
                continue
            if method in TWINS:
                row = twin_row(name, method, seed, data)
            elif method == "trapezoid":
                row = trapezoid_row(name)
            else:
                row = classic_row(name, method, data)
            results[key] = row
            path.write_text(json.dumps(results, indent=1, default=float))
            print(key, json.dumps({k: v for k, v in row.items() if k != "config"}, default=float),
                  flush=True)  # fmt: skip
    Path(args.markdown).write_text(markdown(results, datasets))
    print(markdown(results, datasets))


if __name__ == "__main__":
    main()
