"""The report's plan section: each plan's settings, its step-cost-accuracy table and verdict.

Pure HTML from a collected :class:`~reanalyze.report.data.PlanEntry`; no file is read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reanalyze.planning.plan_file import PlanFile, PlanRow
from reanalyze.report.data import PlanEntry
from reanalyze.report.markup import (
    Section,
    embed,
    escape,
    folders_section,
    notes,
    pairs_table,
    params_table,
    table,
    warning,
)
from reanalyze.report.text import at_precision, num, percent, with_unit
from reanalyze.units import pretty_unit

__all__ = ["plans_section"]


def _plan_rows(plan: PlanFile) -> tuple[list[str], list[list[str]], list[str]]:
    q = plan.quantity
    qu, xu = pretty_unit(str(q.get("unit", ""))), pretty_unit(str(q.get("x_unit", "")))
    step_unit = pretty_unit(
        plan.rows[0].unit if plan.rows and plan.rows[0].unit else plan.axis_unit
    )

    def u(unit: str) -> str:
        return f" ({unit})" if unit else ""

    headers = [
        f"step{u(step_unit)}",
        "lines",
        "points",
        "hours (h)",
        "days (d)",
        f"rms{u(qu)}",
        "rms_rel (%)",
        "tv_ratio (ratio)",
        f"peak{u(qu)}",
        f"peak error{u(qu)}",
        f"peak position error{u(xu)}",
        f"spread{u(qu)}",
        "meets",
    ]

    rows, classes = [], []
    for i, r in enumerate(plan.rows):
        mark = " ★" if i == plan.recommended else ""
        rows.append([num(r.step) + mark, *_row_cells(r)])
        classes.append("recommended" if i == plan.recommended else "")
    return headers, rows, classes


def _row_cells(r: PlanRow) -> list[str]:
    """The cells of a plan row after its step.

    The quantity's numbers (rms, peak, peak error) are rounded to the row's ensemble spread
    at the maximum, the twin's own uncertainty (the spread to 2 significant digits); without
    a spread, 4 significant digits. rms_rel is in % with 2 decimals.

    Examples
    --------
    >>> row = PlanRow(step=0.1, rms=0.009905, rms_rel=0.0003035, peak=32.6467,
    ...               peak_error=0.009686, peak_position_error=-0.004607, spread=0.3729)
    >>> _row_cells(row)[4:]
    ['0.01', '0.03', '—', '32.65', '+0.01', '-0.004607', '0.37', '—']
    """
    spread = r.spread
    return [
        num(r.lines),
        num(r.points),
        num(r.hours),
        num(r.days),
        at_precision(r.rms, spread),
        percent(r.rms_rel),
        num(r.tv_ratio),
        at_precision(r.peak, spread),
        at_precision(r.peak_error, spread, sign=True),
        num(r.peak_position_error),
        _spread_text(spread),
        num(r.meets) if r.meets is not None else "—",
    ]


def _spread_text(spread: float | None) -> str:
    """The ensemble spread to 2 significant digits (``0`` for a single twin).

    Examples
    --------
    >>> _spread_text(0.3729), _spread_text(1.5622), _spread_text(0.0), _spread_text(None)
    ('0.37', '1.6', '0', '—')
    """
    if spread is None or not spread > 0:
        return num(spread)
    return at_precision(spread, spread)


def _tolerance_text(tolerance: Mapping[str, float | None], x_unit: str) -> str:
    """``rms_rel ≤ 2 %, peak_position ≤ 0.5 K, tv_ratio ≤ 1.1``: fractions shown in %.

    Examples
    --------
    >>> _tolerance_text({"rms_rel": 0.02, "peak_position": 0.5, "tv_ratio": 1.1}, "K")
    'rms_rel ≤ 2 %, peak_position ≤ 0.5 K, tv_ratio ≤ 1.1'
    """
    parts = []
    for key, value in tolerance.items():
        if value is None:
            parts.append(f"{key}: default")
        elif key.endswith("_rel"):
            parts.append(f"{key} ≤ {num(100.0 * value)} %")
        elif key == "peak_position":
            parts.append(f"{key} ≤ {with_unit(value, x_unit)}")
        else:
            parts.append(f"{key} ≤ {num(value)}")
    return ", ".join(parts)


def _plan_details(plan: PlanFile) -> list[tuple[str, str]]:
    q = plan.quantity
    axis_unit = pretty_unit(plan.axis_unit)
    pairs = [("twin", plan.run or "—"), ("planned axis", f"{plan.axis} ({axis_unit})")]
    if plan.range:
        pairs.append(("range", f"{num(plan.range[0])} … {num(plan.range[-1])} {axis_unit}"))
    for name, axis in plan.fixed_axes.items():
        unit = pretty_unit(str(axis.get("unit", "")))
        pairs.append(
            (
                f"fixed axis {name}",
                f"{num(axis.get('start'))} … {num(axis.get('stop'))} {unit}, "
                f"step {num(axis.get('step'))} {unit}",
            )
        )
    if q:
        pairs.append(
            (
                "compared quantity",
                f"{q.get('name', '?')} ({pretty_unit(str(q.get('unit', '')))}) vs "
                f"{q.get('x', '?')} ({pretty_unit(str(q.get('x_unit', '')))})",
            )
        )
    if plan.instrument:
        pairs.append(("instrument", str(plan.instrument.get("name") or plan.instrument)))
    else:
        pairs.append(("instrument", "none given: no instrument time"))
    if plan.tolerance:
        pairs.append(("tolerance", _tolerance_text(plan.tolerance, str(q.get("x_unit", "")))))
    if plan.recommended is not None:
        r = plan.rows[plan.recommended]
        cost = f": {num(r.hours)} h ({num(r.days)} days)" if r.hours is not None else ""
        step = with_unit(r.step, r.unit or plan.axis_unit)
        pairs.append(("recommended step", f"{step}{cost}"))
    else:
        pairs.append(("recommended step", "none: no candidate meets the tolerance"))
    return pairs


def plans_section(entries: Sequence[PlanEntry]) -> Section:
    """7. Each plan: its settings, step vs cost vs accuracy, the verdict and figures."""
    intro = (
        "Experiment plans (reanalyze plan): for each candidate step the twin simulates the "
        "grid the experiment would measure, the property is computed per ensemble member and "
        "compared with the finest candidate (rms deviation, rms_rel relative to it in %, "
        "tv_ratio = total variation / the finest's, errors of the peak and of its position, "
        "ensemble spread at the maximum), and the instrument time of the scan lines is added "
        "up. A row's rms, peak and peak error are rounded to its spread, the twin's own "
        "uncertainty (the spread to 2 significant digits). The recommended step (★) is the "
        "coarsest that meets the tolerance."
    )
    return folders_section("plans", intro, entries, "plan", _plan_block)


def _plan_block(index: int, entry: PlanEntry) -> list[str]:
    """The HTML of plan ``index``: heading, settings, rows, verdict, notes and figures."""
    plan, folder = entry.plan, entry.folder
    headers, rows, classes = _plan_rows(plan)
    body = [
        f'<h3 id="plan-{index}">{escape(plan.property)}: step of {escape(plan.axis)} — '
        f"{escape(folder.name)}</h3>",
        pairs_table(_plan_details(plan), f"plan-{index}-details"),
    ]
    if plan.params:
        body.append(params_table(plan.params, f"plan-{index}-params"))
    body.append(table(headers, rows, table_id=f"plan-{index}-rows", row_classes=classes))
    if plan.verdict:
        body.append(f'<p class="verdict">{escape(plan.verdict)}</p>')
    body.append(notes(plan.notes))
    if entry.missing:
        body.append(warning(f"Missing in {folder}/figures: {', '.join(entry.missing)}."))
    return body + [embed(f) for f in entry.figures]
