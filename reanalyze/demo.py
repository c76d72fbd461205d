"""``reanalyze demo``: the whole toolkit on one dataset, offline, in a few minutes.

coarse scan → search → simulate → ΔS_M → plan → report, on

* ``synthetic`` (default): the synthetic first-order (ErCo2-like Bean–Rodbell) magnet, whose
  exact ΔS_M is known, so the demo ends by comparing the twin's answer with the truth;
* ``erco2``: the paper's ErCo2 data (fetched through the registry; offline when the cache
  is seeded), where the paper found that 0.2 T field steps make ΔS_M(0–5 T) converge.

Everything lands in one folder: the twin (``run/``), the MLflow store (``mlflow.db``), the
dense simulated grid, the ΔS_M result, the plan and the HTML report.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from reanalyze.errors import DataError, OptionError

__all__ = ["CASES", "DemoResult", "run_demo"]

#: case → (registry dataset, what is known about the answer)
CASES = {
    "synthetic": ("synthetic_magnet", "exact ΔS_M from the generator"),
    "erco2": ("erco2", "Terashima et al. 2023: 0.2 T steps converge ΔS_M(0–5 T)"),
}
STEPS = ("1T", "0.5T", "0.2T", "0.1T", "0.05T")
#: The dense grid the demo simulates: temperature step (K) and field step (Oe).
DENSE_T_STEP = 0.2
DENSE_H_STEP = 500.0


def dense_axes(t_range: tuple[float, float], h_range: tuple[float, float]) -> dict[str, Any]:
    """The demo's dense grid over the training ranges, its field axis ending at the top field.

    T (K) in :data:`DENSE_T_STEP` steps from the lowest temperature; H (Oe) the lowest field,
    then every multiple of :data:`DENSE_H_STEP` above it, and the highest field last, so the
    largest field change is the measured one (0 → 5 T, not 0 → 4.96 T).

    Examples
    --------
    >>> axes = dense_axes((10.0, 11.1), (100.0, 2000.0))
    >>> axes["T"].tolist(), axes["H"].tolist()
    ([10.0, 10.2, 10.4, 10.6, 10.8, 11.0], [100.0, 500.0, 1000.0, 1500.0, 2000.0])
    """
    t_lo, t_hi = t_range
    h_lo, h_hi = h_range
    count = int(np.floor((t_hi - t_lo) / DENSE_T_STEP + 1e-9))
    t = t_lo + DENSE_T_STEP * np.arange(count + 1)
    multiples = DENSE_H_STEP * np.arange(
        np.floor(h_lo / DENSE_H_STEP) + 1, np.ceil(h_hi / DENSE_H_STEP)
    )
    h = np.concatenate([[h_lo], multiples, [h_hi]])
    return {"T": np.round(t, 9), "H": h}


@dataclass
class DemoResult:
    """What the demo found and where it put it."""

    case: str
    folder: Path
    report: Path
    tracking_uri: str
    recommended_step: str | None
    recommended_hours: float | None
    finest_hours: float | None
    peak: float
    peak_std: float
    peak_unit: str
    t_peak: float
    delta_h: float
    exact_peak: float | None
    verdict: str
    times: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The closing summary, one statement per line."""
        out = []
        if self.recommended_step is not None:
            cost = (
                f" — about {self.recommended_hours:.1f} h on an MPMS3-like magnetometer"
                if self.recommended_hours is not None
                else ""
            )
            out.append(f"recommended field step: {self.recommended_step}{cost}")
        else:
            out.append("recommended field step: none of the candidates converged")
        if self.finest_hours is not None:
            out.append(f"finest candidate (0.05 T) would take {self.finest_hours:.1f} h")
        from reanalyze.numbers import value_pm
        from reanalyze.properties.magnetocaloric import field_text
        from reanalyze.units import pretty_unit

        unit = pretty_unit(self.peak_unit)
        change = f"µ0ΔH = {field_text(self.delta_h)} T"
        # rounded to the spread as the report and property run round it (std: 2 digits)
        peak = f"|ΔS_M|max ({change}) = {value_pm(self.peak, self.peak_std, self.peak_unit)}"
        peak += f" at {self.t_peak:.1f} K (twin, dense grid)"
        out.append(peak)
        if self.exact_peak is not None:
            error = (self.peak - self.exact_peak) / self.exact_peak
            out.append(f"exact |ΔS_M|max ({change}) = {self.exact_peak:.2f} {unit} ({error:+.1%})")
        out.append(f"report: {self.report}")
        out.append(
            f"MLflow store: {self.tracking_uri}  (see it with: reanalyze ui "
            f"--tracking-uri {self.tracking_uri})"
        )
        total = sum(self.times.values())
        out.append(
            "time: "
            + ", ".join(f"{k} {v:.0f} s" for k, v in self.times.items())
            + f"; total {total:.0f} s"
        )
        return out


def run_demo(
    case: str = "synthetic",
    out: str | Path = "reanalyze-demo",
    *,
    trials: int | None = None,
    seed: int = 0,
    workers: int = 0,
    max_epochs: int | None = None,
    progress: Callable[[str], None] | None = None,
    train_progress: Callable[[Any], None] | None = None,
    option: str = "output folder",
) -> DemoResult:
    """Run the demo end to end; see the module docstring.

    Parameters
    ----------
    case
        ``"synthetic"`` or ``"erco2"``.
    out
        Folder for everything: new, empty, or an earlier demo (replaced). Anything else is
        refused (:func:`reanalyze.outputs.output_action`); ``option`` names it in messages.
    trials, seed, workers
        Search budget (default: the default recipe's), seed and worker processes (0: one
        per core).
    max_epochs
        Cap on the epochs per network (default: the recipe's), for a quicker look.
    progress
        Called with a message at every stage.
    train_progress
        Passed to :meth:`reanalyze.twin.search.Search.fit`.
    """
    if case not in CASES:
        raise OptionError(f"case must be one of {', '.join(CASES)}, got {case!r}")
    from reanalyze.load import load_dataset
    from reanalyze.outputs import OutputMarker, output_action, read_marker, write_marker
    from reanalyze.planning import Plan
    from reanalyze.plugins import load_plugin
    from reanalyze.report import write_report
    from reanalyze.twin.data import TrainingData
    from reanalyze.twin.recipes import get_recipe
    from reanalyze.twin.search import Search
    from reanalyze.twin.simulate import grid_points, simulate
    from reanalyze.twin.space import SearchSpace
    from reanalyze.twin.tracking import log_search
    from reanalyze.units import convert

    say = progress or (lambda message: None)
    output_action(out, "demo", overwrite=None, option=option)  # new, empty, or an earlier demo
    folder = Path(out).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    write_marker(folder, OutputMarker(kind="demo", complete=False))
    run_dir = folder / "run"
    if run_dir.exists():  # a fresh twin each time: an old study would be resumed otherwise
        import shutil

        marker = read_marker(run_dir)
        if marker is None or marker.kind != "run":
            raise DataError(f"{run_dir}: not a twin reanalyze wrote; move it out of the way")
        shutil.rmtree(run_dir)
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    times: dict[str, float] = {}
    dataset, known = CASES[case]

    start = time.perf_counter()
    say(f"1/6 data: {dataset} ({known})")
    table = load_dataset(dataset)
    times["data"] = time.perf_counter() - start

    start = time.perf_counter()
    recipe = get_recipe("default")
    say(f"2/6 search: {trials or recipe.n_trials} trials, ensemble of {recipe.ensemble}")
    data = TrainingData.from_table(table, ["T", "H"], "M")
    space = (
        SearchSpace.from_overrides({"max_epochs": max_epochs}, recipe.space) if max_epochs else None
    )
    search = Search(space, recipe=recipe, n_trials=trials, seed=seed, workers=workers).fit(
        data, run_dir, progress=train_progress
    )
    log_search(search, data, tracking_uri=uri)
    times["search"] = time.perf_counter() - start

    start = time.perf_counter()
    (t_lo, t_hi), (h_lo, h_hi) = data.ranges()["T"], data.ranges()["H"]
    axes = dense_axes((t_lo, t_hi), (h_lo, h_hi))
    spec = (
        f"T={t_lo:.6g} K in {DENSE_T_STEP:g} K steps to {t_hi:.6g} K, H={h_lo:.6g} Oe then every "
        f"{DENSE_H_STEP:g} Oe up to {h_hi:.6g} Oe"
    )
    say(f"3/6 simulate: {spec}")
    dense = simulate(run_dir, grid_points(axes))
    dense.to_parquet(folder / "dense.parquet")
    times["simulate"] = time.perf_counter() - start

    start = time.perf_counter()
    say("4/6 ΔS_M by the Maxwell relation on the dense grid, per ensemble member")
    plugin = load_plugin("reanalyze.properties", "magnetocaloric")()
    params = {"low_field": "constant"}
    result = plugin.run(dense, params)
    result.save(folder / "delta_s_m", plugin="magnetocaloric", extra={"input": spec})
    peak = result.summary["delta_s_max"]
    t_peak = result.summary["t_peak"]
    delta_h = float(result.summary["delta_h"].value)  # T: 0 → the top field (low_field=constant)
    times["property"] = time.perf_counter() - start

    start = time.perf_counter()
    say(f"5/6 plan: field steps {', '.join(STEPS)} on an MPMS3-like magnetometer")
    plan = Plan(
        run_dir,
        "magnetocaloric",
        "H",
        list(STEPS),
        span=(f"{h_lo}Oe", f"{h_hi}Oe"),
        instrument="mpms3",
        params=params,
    ).run()
    plan.result_.save(folder / "plan")
    times["plan"] = time.perf_counter() - start

    start = time.perf_counter()
    say("6/6 report")
    report = write_report(
        run_dir,
        folder / "report" / "index.html",
        plans=[folder / "plan"],
        properties=[folder / "delta_s_m"],
        title=f"reanalyze demo: {dataset}",
        tracking_uri=uri,
    )
    times["report"] = time.perf_counter() - start

    exact = None
    if case == "synthetic":
        from reanalyze.synthetic import GENERATORS

        magnet: Any = GENERATORS["bean_rodbell_first_order"]()
        temperatures = np.arange(t_lo, t_hi, 0.05)
        top = float(convert(delta_h, "T", "Oe", kind="magnetic_field"))  # the same field change
        exact = float(
            np.max(np.abs(magnet.delta_s_m(temperatures, np.full_like(temperatures, top))))
        )
    rows = plan.result_.rows
    i = plan.result_.recommended
    write_marker(folder, OutputMarker(kind="demo", complete=True))
    return DemoResult(
        case=case,
        folder=folder,
        report=Path(report),
        tracking_uri=uri,
        recommended_step=None if i is None else f"{rows[i]['step']:g} {rows[i]['unit']}",
        recommended_hours=None if i is None else rows[i]["hours"],
        finest_hours=rows[-1]["hours"],
        peak=float(peak.value),
        peak_std=float(peak.std or 0.0),
        peak_unit=peak.unit,
        t_peak=float(t_peak.value),
        delta_h=delta_h,
        exact_peak=exact,
        verdict=plan.result_.verdict,
        times=times,
    )
