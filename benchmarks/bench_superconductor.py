"""Hc2(0) and Tc from the synthetic superconductor: the measured scan vs the twin vs exact.

The PdH-like synthetic superconductor (GL Hc2(T), Tc0 = 7.25 K, µ0Hc2(0) = 1.1 T, noisy like
the paper's PdH data) is scanned on its 7 fields. The ``superconducting_transport`` plugin is
run on the scan itself, and on a dense grid (0.01 K × 0.05 T) simulated by a default
``reanalyze train`` twin of that scan (one per seed, mean ± std over its ensemble). Reported:
µ0Hc2(0) of the GL and WHH fits and Tc0 (50 %) against the exact values; medians over seeds.
Run from the repository root::

    python benchmarks/bench_superconductor.py --seeds 0,1,2
"""

from __future__ import annotations

import json

from seeded_twin import Ranges, medians, seeds_and_trials, simulated_twin

from reanalyze.load import load_dataset
from reanalyze.properties.superconducting import SuperconductingTransport
from reanalyze.synthetic import GENERATORS

KEYS = ("hc2_0_gl", "hc2_0_whh", "tc0", "width_0")


def dense_grid(ranges: Ranges) -> str:
    """0.01 K × 0.05 T over the trained ranges."""
    (t_lo, t_hi), (h_lo, h_hi) = ranges["T"], ranges["H"]
    return f"T={t_lo}:{t_hi}:0.01K H={h_lo}:{h_hi}:500Oe"


def main() -> None:
    seeds, trials = seeds_and_trials(__doc__)
    sc = GENERATORS["superconductor_pdh_like"]()
    exact = {"hc2_0_gl": 1.1, "hc2_0_whh": 1.1, "tc0": float(sc.tc_criterion(0.0, 0.5))}
    scan = load_dataset("synthetic_superconductor")
    plugin = SuperconductingTransport()
    measured = plugin.run(scan, figures=False)
    rows: dict[str, list[dict[str, float]]] = {"scan": [], "twin": []}
    rows["scan"].append({k: float(measured.summary[k].value) for k in KEYS})
    for seed in seeds:
        grid, train_s = simulated_twin(
            scan, ["T", "H"], "R", seed=seed, trials=trials, grid=dense_grid
        )
        result = plugin.run(grid, figures=False)
        row = {k: float(result.summary[k].value) for k in KEYS}
        row.update({f"{k}_std": float(result.summary[k].std or 0) for k in KEYS})
        row["train_s"] = train_s
        rows["twin"].append(row)
        print(json.dumps({"seed": seed, **row}), flush=True)
    summary: dict[str, object] = {"exact": exact}
    for method, values in rows.items():
        summary[method] = medians(values)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
