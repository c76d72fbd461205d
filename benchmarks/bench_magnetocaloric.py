"""ΔS_M from a coarse 8-field scan: trapezoid on the measured fields vs the twin vs exact.

The synthetic ErCo2-like (first-order Bean–Rodbell) magnet is scanned like the paper's ErCo2
(8 fields 0.01–5 T, 0.2 K steps, noise). For the field change 0 → 5 T the script compares
with the generator's exact ΔS_M:

* ``trapezoid``: the ``magnetocaloric`` plugin on the measured scan itself (what a user does
  without a twin; the paper's spiky ΔS_M);
* ``twin``: a default ``reanalyze train`` search on that scan (one per seed), simulated on a
  dense grid (0.2 K × 0.05 T), then the same plugin (mean ± std over the ensemble).

Both integrate from the lowest field (0.01 T) with ``low_field=constant``. Reported per
method: the peak error (|ΔS_M|max − exact), the peak position error, the RMS error over
25–55 K, and the largest pointwise error; medians over seeds, and the ratio trapezoid/twin of
the RMS error measured in the same run. Run from the repository root::

    python benchmarks/bench_magnetocaloric.py --seeds 0,1,2
"""

from __future__ import annotations

import json

import numpy as np
from seeded_twin import Ranges, medians, seeds_and_trials, simulated_twin

from reanalyze.load import load_dataset
from reanalyze.properties.magnetocaloric import MagnetocaloricEffect
from reanalyze.synthetic import GENERATORS


def errors(t: np.ndarray, s: np.ndarray, exact: np.ndarray) -> dict[str, float]:
    window = (t >= 25) & (t <= 55)
    k, j = int(np.nanargmax(np.abs(s))), int(np.argmax(np.abs(exact)))
    diff = np.abs(s[window]) - np.abs(exact[window])
    return {
        "peak": float(np.abs(s[k])),
        "peak_error": float(np.abs(s[k]) - np.abs(exact[j])),
        "t_peak_error": float(t[k] - t[j]),
        "rms_error": float(np.sqrt(np.nanmean(diff**2))),
        "max_error": float(np.nanmax(np.abs(diff))),
    }


def delta_s_5t(result) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    table = result.tables["delta_s_m"]
    dh = table.values("delta_h")
    top = np.isclose(dh, dh.max())
    std = table.values("delta_s_m_std")[top] if "delta_s_m_std" in table.columns else None
    return table.values("T")[top], table.values("delta_s_m")[top], std


def dense_grid(ranges: Ranges) -> str:
    """0.2 K × 0.05 T over the trained temperatures, 0.01–5 T."""
    lo, hi = ranges["T"]
    return f"T={lo}:{hi}:0.2K H=0.01:5T:0.05T"


def main() -> None:
    seeds, trials = seeds_and_trials(__doc__)
    magnet = GENERATORS["bean_rodbell_first_order"]()
    scan = load_dataset("synthetic_magnet")
    plugin = MagnetocaloricEffect()
    params = {"low_field": "constant"}
    results: dict[str, list[dict[str, float]]] = {"trapezoid": [], "twin": []}
    coarse = plugin.run(scan, params, figures=False)
    t, s, _ = delta_s_5t(coarse)
    results["trapezoid"].append(errors(t, s, magnet.delta_s_m(t, np.full_like(t, 5e4))))
    for seed in seeds:
        grid, train_s = simulated_twin(
            scan, ["T", "H"], "M", seed=seed, trials=trials, grid=dense_grid
        )
        dense = plugin.run(grid, params, figures=False)
        t, s, std = delta_s_5t(dense)
        row = errors(t, s, magnet.delta_s_m(t, np.full_like(t, 5e4)))
        row["train_s"] = train_s
        row["std_at_peak"] = float(std[int(np.nanargmax(np.abs(s)))]) if std is not None else 0
        results["twin"].append(row)
        print(json.dumps({"seed": seed, **row}), flush=True)
    exact_peak = float(np.max(np.abs(magnet.delta_s_m(t, np.full_like(t, 5e4)))))
    summary = {"exact_peak_J_per_kgK": exact_peak}
    for method, rows in results.items():
        summary[method] = medians(rows)
    summary["rms_ratio_trapezoid_over_twin"] = (
        summary["trapezoid"]["rms_error"] / summary["twin"]["rms_error"]
    )
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
