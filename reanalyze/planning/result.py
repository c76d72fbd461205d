"""The outcome of a plan: candidates compared and costed, its tables, figures and folder."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reanalyze.outputs import output_action, publish_folder
from reanalyze.planning.plan_file import write_plan
from reanalyze.plotting import label_axis, plain_log_ticks, std_band, viridis_colors
from reanalyze.table import UnitTable

__all__ = ["PlanResult"]


@dataclass
class PlanResult:
    """Candidates compared, costed, and the recommendation.

    Attributes
    ----------
    rows
        One dict per candidate, coarsest first (see ``docs/planning.md`` for the keys).
    curves
        The convergence curve of every candidate (same order).
    recommended
        Index of the recommended row, or ``None`` when no candidate but the finest meets the
        tolerance.
    verdict, notes
        What to do, in words, and the observations behind it.
    info
        Property, run, axis, range, fixed axes, instrument, tolerance, parameters.
    finest
        The finest candidate's property result (tables, summary, figures).
    """

    rows: list[dict[str, Any]]
    curves: list[Any]
    recommended: int | None
    verdict: str
    notes: list[str]
    info: dict[str, Any]
    finest: Any = None
    costs: list[Any] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """``plan.json``: info, rows, recommendation, verdict, notes."""

        def clean(v: Any) -> Any:
            if isinstance(v, float | np.floating):
                return None if not math.isfinite(float(v)) else float(v)
            if isinstance(v, np.integer):
                return int(v)
            if isinstance(v, np.bool_):
                return bool(v)
            return v

        rows = [{k: clean(v) for k, v in row.items()} for row in self.rows]
        return {
            **self.info,
            "rows": rows,
            "recommended": self.recommended,
            "verdict": self.verdict,
            "notes": list(self.notes),
        }

    def table(self) -> UnitTable:
        """The step vs cost vs property-error table with units."""
        q = self.info["quantity"]
        axis_kind = self.info["axis_kind"]
        specs: dict[str, tuple[str, str]] = {
            "step": (axis_kind, self.info["axis_unit"]),
            "lines": ("dimensionless", ""),
            "points": ("dimensionless", ""),
            "hours": ("time", "h"),
            "days": ("time", "day"),
            "rms": ("other", q["unit"]),
            "rms_rel": ("dimensionless", ""),
            "tv_ratio": ("dimensionless", ""),
            "peak": ("other", q["unit"]),
            "peak_error": ("other", q["unit"]),
            "peak_rel_error": ("dimensionless", ""),
            "peak_position": ("other", q["x_unit"]),
            "peak_position_error": ("other", q["x_unit"]),
            "spread": ("other", q["unit"]),
            "meets": ("dimensionless", ""),
        }
        frame = pd.DataFrame(
            {k: [np.nan if r[k] is None else float(r[k]) for r in self.rows] for k in specs}
        )
        return UnitTable(frame, specs, metadata={"property": self.info["property"]})

    def save(
        self, folder: str | Path, *, overwrite: bool = False, option: str = "output folder"
    ) -> Path:
        """Write ``plan.json``, ``tables/``, ``figures/`` and ``property/`` (the finest result).

        Written to a temporary folder first: an error leaves nothing half-written. ``folder``
        must be new, empty or a previous plan; the twin's run folder, the current folder and a
        non-empty folder reanalyze did not write are refused (``overwrite`` allows the last,
        replacing only the plan's files; :func:`reanalyze.outputs.output_action`).
        """
        root = Path(folder)
        run = self.info.get("run")
        action = output_action(
            root,
            "plan",
            inputs=[run] if run and Path(run).exists() else [],
            overwrite=overwrite,
            option=option,
        )
        with publish_folder(root, "plan", action) as tmp:
            (tmp / "tables").mkdir()
            (tmp / "figures").mkdir()
            self.table().to_csv(tmp / "tables" / "plan.csv")
            self._curves_table().to_csv(tmp / "tables" / "curves.csv")
            for name, figure in self.figures().items():
                figure.savefig(tmp / "figures" / f"{name}.png", dpi=120, bbox_inches="tight")
            if self.finest is not None:
                self.finest.save(
                    tmp / "property",
                    plugin=self.info["property"],
                    extra={"input": f"twin {self.info['run']}, finest step"},
                )
            write_plan(tmp, self.to_json())
        return root

    def _curves_table(self) -> UnitTable:
        q = self.info["quantity"]
        parts = []
        for row, curve in zip(self.rows, self.curves, strict=True):
            std = curve.std if curve.std is not None else np.full_like(curve.y, np.nan)
            parts.append(
                pd.DataFrame({"step": row["step"], "x": curve.x, "y": curve.y, "y_std": std})
            )
        return UnitTable(
            pd.concat(parts, ignore_index=True),
            {
                "step": (self.info["axis_kind"], self.info["axis_unit"]),
                "x": ("other", q["x_unit"]),
                "y": ("other", q["unit"]),
                "y_std": ("other", q["unit"]),
            },
        )

    def figures(self) -> dict[str, Any]:
        """``convergence`` (curves per step, finest with its band) and ``cost_accuracy``."""
        from matplotlib.figure import Figure

        q = self.info["quantity"]
        unit = self.info["axis_unit"]
        fig = Figure(figsize=(6.4, 4.4), layout="constrained")
        ax = fig.add_subplot()
        n = len(self.curves)
        colors = viridis_colors(n, stop=1.0)
        for i, (row, curve, color) in enumerate(zip(self.rows, self.curves, colors, strict=True)):
            finest = i == n - 1
            label = f"{row['step']:g} {unit}" + (" (recommended)" if i == self.recommended else "")
            ax.plot(
                curve.x, curve.y, label=label, color=color, lw=2.4 if i == self.recommended else 1.2
            )
            if finest:
                std_band(ax, curve.x, curve.y, curve.std, color, 0.3, label="finest ±1σ (ensemble)")
        label_axis(ax.xaxis, q["x"], q["x_unit"])
        label_axis(ax.yaxis, q["name"], q["unit"])
        ax.set_title(f"{self.info['property']}: convergence in the {self.info['axis']} step")
        ax.legend(fontsize="small", title=f"{self.info['axis']} step")
        out = {"convergence": fig}

        fig2 = Figure(figsize=(6.4, 4.4), layout="constrained")
        ax2 = fig2.add_subplot()
        has_cost = all(r["hours"] is not None for r in self.rows)
        x = [r["hours"] if has_cost else r["lines"] for r in self.rows]
        xlabel = "instrument time (h)" if has_cost else "scan lines (count)"
        y = [max(r["rms_rel"], 1e-6) * 100 for r in self.rows[:-1]]
        ax2.plot(x[:-1], y, "o-", label="RMS deviation from the finest (%)")
        peak = [max(abs(r["peak_rel_error"]), 1e-6) * 100 for r in self.rows[:-1]]
        ax2.plot(x[:-1], peak, "s--", label="error of the maximum (%)")
        for xi, yi, r in zip(x, y, self.rows, strict=False):
            ax2.annotate(
                f"{r['step']:g} {unit}",
                (xi, yi),
                textcoords="offset points",
                xytext=(4, 4),
                fontsize="small",
            )
        if self.recommended is not None and self.recommended < len(self.rows) - 1:
            i = self.recommended
            ax2.plot([x[i]], [y[i]], "*", ms=16, color="C3", label="recommended")
        ax2.axhline(
            self.info["tolerance"]["rms_rel"] * 100, color="gray", ls=":", label="tolerance (RMS)"
        )
        ax2.set_xscale("log")
        ax2.set_yscale("log")
        plain_log_ticks(ax2.xaxis)
        plain_log_ticks(ax2.yaxis)
        ax2.set_xlabel(xlabel)
        ax2.set_ylabel("deviation from the finest step (%)")
        ax2.set_title("cost vs accuracy")
        ax2.legend(fontsize="small")
        out["cost_accuracy"] = fig2
        return out
